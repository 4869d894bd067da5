//! The summary shown before a record is finalised: every question asked, section by
//! section, with its answer as the screens show it and what is still missing, each row
//! pointing at the page that asks it. Pure.

use std::collections::BTreeMap;

use shared::form::Form;
use shared::readable::{Said, in_words};
use shared::validate::Report;

use crate::layout::{GeoKind, Page, QuestionView, Widget, question, section_label};

/// One question in the summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SummaryRow {
    pub path: String,
    pub label: String,
    /// The answer as the screens show it (`None`: not answered).
    pub answer: Option<String>,
    /// What is wrong with it (a required question unanswered, a broken rule).
    pub problem: Option<String>,
    /// The page that asks it.
    pub page: usize,
}

/// A section of the summary.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SummarySection {
    pub title: String,
    pub rows: Vec<SummaryRow>,
}

/// An answer in words: choice labels instead of names, files and positions described.
pub fn shown_answer(q: &QuestionView) -> Option<String> {
    let said = match &q.widget {
        Widget::Choice => Said::Choice,
        Widget::Multiple | Widget::Rank => Said::Choices,
        Widget::Acknowledge => Said::Acknowledged,
        Widget::File(_) => Said::File,
        Widget::Geo(GeoKind::Point) => Said::Point,
        Widget::Geo(_) => Said::Points,
        _ => Said::AsIs,
    };
    in_words(said, &q.value, |name| q.choices.iter().find(|(n, _)| n == name).map_or_else(|| name.to_string(), |(_, l)| l.clone()))
}

/// The summary of a draft laid out in `pages`, `general` naming questions outside sections.
pub fn summary(form: &Form, pages: &[Page], answers: &BTreeMap<String, String>, report: &Report, general: &str) -> Vec<SummarySection> {
    let mut sections: Vec<SummarySection> = Vec::new();
    for (page, p) in pages.iter().enumerate() {
        for path in &p.paths {
            let Some(q) = question(form, path, answers, report.choices.get(path), None) else { continue };
            if q.widget == Widget::Note {
                continue;
            }
            let row = SummaryRow {
                path: path.clone(),
                answer: shown_answer(&q),
                problem: report.errors.iter().find(|e| e.path == *path).map(|e| e.message.clone()),
                label: match q.instance {
                    Some(i) => format!("N.º {i} · {}", q.label),
                    None => q.label,
                },
                page,
            };
            let title = section_label(form, path, general);
            match sections.last_mut() {
                Some(s) if s.title == title => s.rows.push(row),
                _ => sections.push(SummarySection { title, rows: vec![row] }),
            }
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::expr::Clock;

    #[test]
    fn the_survey_summary_names_choices_and_shows_what_is_missing() {
        let form = shared::instruments::encuesta().expect("encuesta");
        let answers = BTreeMap::from([
            ("consentimiento".to_string(), "si".to_string()),
            ("P0".to_string(), "predial".to_string()),
            ("AG2".to_string(), "4".to_string()),
        ]);
        let now = chrono::NaiveDate::from_ymd_opt(2025, 6, 2).and_then(|d| d.and_hms_opt(10, 0, 0)).expect("time");
        let parsed = shared::answers::Answers::from_paths(answers.iter().map(|(p, v)| (p.as_str(), v.as_str())));
        let report = shared::validate::validate_for_entry(&form, &parsed, Clock::at(now), form.language());
        let pages = crate::layout::one_per_page(&report.asked);
        let s = summary(&form, &pages, &answers, &report, "Preguntas");
        let rows: Vec<&SummaryRow> = s.iter().flat_map(|s| &s.rows).collect();
        let p0 = rows.iter().find(|r| r.path == "P0").expect("P0");
        assert!(p0.answer.as_deref().is_some_and(|a| a != "predial" && !a.is_empty()), "{:?}", p0.answer);
        let ag3 = rows.iter().find(|r| r.path == "AG3").expect("AG3");
        assert_eq!(ag3.answer, None);
        assert!(ag3.problem.is_some(), "a required question unanswered is flagged");
        assert_eq!(pages[ag3.page].paths, ["AG3"]);
        assert!(rows.iter().find(|r| r.path == "AG2").is_some_and(|r| r.problem.is_none()));
        assert!(s.len() > 1, "sections of the survey: {:?}", s.iter().map(|s| &s.title).collect::<Vec<_>>());
    }

    #[test]
    fn answers_are_said_in_words() {
        let q = |widget: Widget, value: &str| QuestionView {
            path: "q".into(),
            name: "q".into(),
            label: "Q".into(),
            hint: String::new(),
            widget,
            choices: vec![("a".into(), "Uno".into()), ("b".into(), "Dos".into())],
            faces: false,
            value: value.into(),
            instance: None,
            previous: None,
            wants_photo: false,
            is_item: false,
            stopwatch: false,
            appearance: vec![],
            max_pixels: None,
            kept: None,
            guidance: String::new(),
            media: vec![],
            choice_images: vec![],
        };
        assert_eq!(shown_answer(&q(Widget::Choice, "b")).as_deref(), Some("Dos"));
        assert_eq!(shown_answer(&q(Widget::Multiple, "a b")).as_deref(), Some("Uno, Dos"));
        assert_eq!(shown_answer(&q(Widget::Geo(GeoKind::Point), "21.1 -101.6 1800 5")).as_deref(), Some("21.1, -101.6"));
        assert_eq!(shown_answer(&q(Widget::Geo(GeoKind::Trace), "1 2 0 0;3 4 0 0")).as_deref(), Some("2 puntos"));
        assert_eq!(shown_answer(&q(Widget::Text, "  ")), None);
    }
}
