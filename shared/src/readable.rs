//! A record's answers as a person reads them: section by section, each question with its
//! label and its answer in words (choice labels instead of names, files and positions
//! described). The phone's summary and the console's review page say answers this way.

use std::collections::BTreeMap;

use crate::answers::Answers;
use crate::expr::Clock;
use crate::form::{FieldKind, Form, Item, MetaKind};

/// How an answer is said, by the kind of its question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Said {
    /// One choice name: its label.
    Choice,
    /// Several choice names: their labels, joined.
    Choices,
    /// An acknowledgement.
    Acknowledged,
    /// A file's name: «Archivo adjunto».
    File,
    /// `lat lon alt acc`: the position.
    Point,
    /// `p; p; …`: how many points.
    Points,
    /// The text as given.
    AsIs,
}

impl Said {
    /// How answers to a question of `kind` are said.
    pub fn of(kind: &FieldKind) -> Said {
        match kind {
            FieldKind::SelectOne { .. } => Said::Choice,
            FieldKind::SelectMultiple { .. } | FieldKind::Rank { .. } => Said::Choices,
            FieldKind::Acknowledge => Said::Acknowledged,
            FieldKind::Image | FieldKind::Audio | FieldKind::Video | FieldKind::File => Said::File,
            FieldKind::GeoPoint | FieldKind::Meta(MetaKind::StartGeopoint) => Said::Point,
            FieldKind::GeoTrace | FieldKind::GeoShape => Said::Points,
            _ => Said::AsIs,
        }
    }
}

/// The raw answer `value` in words, choice names said by `label`; `None` when unanswered.
pub fn in_words(said: Said, value: &str, label: impl Fn(&str) -> String) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    Some(match said {
        Said::Choice => label(v),
        Said::Choices => v.split_whitespace().map(label).collect::<Vec<_>>().join(", "),
        Said::Acknowledged => "Entendido".into(),
        Said::File => "Archivo adjunto".into(),
        Said::Point => {
            let mut n = v.split_whitespace();
            match (n.next(), n.next()) {
                (Some(lat), Some(lon)) => format!("{lat}, {lon}"),
                _ => v.to_string(),
            }
        }
        Said::Points => crate::words::count(v.split(';').filter(|p| !p.trim().is_empty()).count() as u64, "punto", "puntos"),
        Said::AsIs => v.to_string(),
    })
}

/// The question name of a path (`espera[2]/espera_min` → `espera_min`).
pub fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The top-level section (group or repeat name, with its label) question `name` is in.
pub fn section_of(form: &Form, name: &str) -> Option<(String, String)> {
    fn contains(items: &[Item], name: &str) -> bool {
        items.iter().any(|i| match i {
            Item::Field(f) => f.name == name,
            Item::Group(g) | Item::Repeat(g) => contains(&g.children, name),
        })
    }
    let lang = form.language();
    form.items.iter().find_map(|i| match i {
        Item::Group(g) | Item::Repeat(g) if contains(&g.children, name) => Some((g.name.clone(), g.label.get(lang).unwrap_or(&g.name).to_string())),
        _ => None,
    })
}

/// One question of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRow {
    pub path: String,
    pub label: String,
    /// The answer in words (`None`: not answered).
    pub answer: Option<String>,
}

/// A section of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadSection {
    pub title: String,
    pub rows: Vec<ReadRow>,
}

/// Every question the record was asked (relevance as of `clock`), in form order, grouped by
/// top-level section; `general` names questions outside any section. Notes are left out.
pub fn read_record(form: &Form, answers: &Answers, clock: Clock, general: &str) -> Vec<ReadSection> {
    let report = crate::validate::validate_for_entry(form, answers, clock, form.language());
    let lang = form.language();
    let values: BTreeMap<String, String> = answers.to_paths().into_iter().collect();
    let mut sections: Vec<ReadSection> = Vec::new();
    for path in &report.asked {
        let Some(field) = form.field(name_of(path)) else { continue };
        if field.kind == FieldKind::Note {
            continue;
        }
        let list = field.list_name().and_then(|l| form.lists.get(l));
        let label = |name: &str| list.and_then(|l| l.get(name)).and_then(|c| c.label.get(lang)).unwrap_or(name).to_string();
        let value = values.get(path).map_or("", String::as_str);
        let question = field.label.get(lang).unwrap_or(&field.name).to_string();
        let row = ReadRow { path: path.clone(), label: question, answer: in_words(Said::of(&field.kind), value, label) };
        let title = section_of(form, &field.name).map_or_else(|| general.to_string(), |(_, t)| t);
        match sections.last_mut() {
            Some(s) if s.title == title => s.rows.push(row),
            _ => sections.push(ReadSection { title, rows: vec![row] }),
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> Clock {
        Clock::at(chrono::NaiveDate::from_ymd_opt(2025, 6, 2).and_then(|d| d.and_hms_opt(10, 0, 0)).expect("time"))
    }

    #[test]
    fn answers_are_said_in_words() {
        let label = |n: &str| if n == "a" { "Uno".to_string() } else { "Dos".to_string() };
        assert_eq!(in_words(Said::Choice, "b", label).as_deref(), Some("Dos"));
        assert_eq!(in_words(Said::Choices, "a b", label).as_deref(), Some("Uno, Dos"));
        assert_eq!(in_words(Said::Point, "21.1 -101.6 1800 5", label).as_deref(), Some("21.1, -101.6"));
        assert_eq!(in_words(Said::Points, "1 2 0 0;3 4 0 0", label).as_deref(), Some("2 puntos"));
        assert_eq!(in_words(Said::Points, "1 2 0 0", label).as_deref(), Some("1 punto"));
        assert_eq!(in_words(Said::AsIs, "  ", label), None);
        assert_eq!(in_words(Said::File, "x.jpg", label).as_deref(), Some("Archivo adjunto"));
    }

    #[test]
    fn a_survey_reads_section_by_section_with_choice_labels() {
        let form = crate::instruments::encuesta().expect("encuesta");
        let answers = Answers::from_paths([("consentimiento", "si"), ("P0", "predial"), ("AG2", "4")]);
        let read = read_record(&form, &answers, clock(), "Preguntas");
        let rows: Vec<&ReadRow> = read.iter().flat_map(|s| &s.rows).collect();
        let p0 = rows.iter().find(|r| r.path == "P0").expect("P0 asked");
        assert!(p0.answer.as_deref().is_some_and(|a| a != "predial" && !a.is_empty()), "{:?}", p0.answer);
        assert_eq!(rows.iter().find(|r| r.path == "AG3").map(|r| r.answer.clone()), Some(None));
        assert!(read.len() > 1, "{:?}", read.iter().map(|s| &s.title).collect::<Vec<_>>());
        assert!(!rows.iter().any(|r| r.label.is_empty()));
    }

    #[test]
    fn the_section_of_a_question_and_the_name_of_a_path() {
        let form = crate::instruments::encuesta().expect("encuesta");
        assert_eq!(name_of("espera[2]/espera_min"), "espera_min");
        assert!(section_of(&form, "AG2").is_some());
        assert_eq!(section_of(&form, "no_such_question"), None);
    }
}
