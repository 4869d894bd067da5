//! How a form is laid out on screens: one question per screen (the exit survey) or one
//! section per screen (the checklist, pillar by pillar). Pure functions of the form and
//! the questions to ask now (`Report::asked`).

use std::collections::BTreeMap;

use shared::form::{Evidence, Field, FieldKind, Form, Item, MetaKind, Scoring};
use shared::protocol::{WireAnswers, WireEntry};

/// One screen of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The section's label (empty for questions outside any group).
    pub title: String,
    /// The question paths on this screen, in form order.
    pub paths: Vec<String>,
    /// A group with appearance `table-list`: its questions' choices laid out as a grid.
    pub table: bool,
}

pub use shared::readable::name_of;

/// The field a path answers.
pub fn field_of<'f>(form: &'f Form, path: &str) -> Option<&'f Field> {
    form.field(name_of(path))
}

use shared::readable::section_of;

/// One question per page.
pub fn one_per_page(asked: &[String]) -> Vec<Page> {
    asked.iter().map(|p| Page { title: String::new(), paths: vec![p.clone()], table: false }).collect()
}

/// One question per page, except that a group with appearance `field-list` or
/// `table-list` shows its questions together (an XLSForm's own forms, as ODK lays them).
pub fn by_field_list(form: &Form, asked: &[String]) -> Vec<Page> {
    fn listed<'f>(items: &'f [Item], name: &str, outer: Option<&'f shared::form::Group>) -> Option<Option<&'f shared::form::Group>> {
        for item in items {
            match item {
                Item::Field(f) if f.name == name => return Some(outer),
                Item::Field(_) => {}
                Item::Group(g) | Item::Repeat(g) => {
                    let lists = g.appearance.as_deref().is_some_and(|a| a.split_whitespace().any(|w| w == "field-list" || w == "table-list"));
                    if let Some(found) = listed(&g.children, name, if lists { outer.or(Some(g)) } else { outer }) {
                        return Some(found);
                    }
                }
            }
        }
        None
    }
    let lang = form.language();
    let mut pages: Vec<(Option<String>, Page)> = Vec::new();
    for path in asked {
        let group = listed(&form.items, name_of(path), None).flatten();
        // Instances of a repeat are pages of their own: the key holds the instance.
        let key = group.map(|g| format!("{}{}", path.rsplit_once('/').map_or("", |(head, _)| head), g.name));
        match pages.last_mut() {
            Some((k, page)) if key.is_some() && *k == key => page.paths.push(path.clone()),
            _ => {
                let title = group.and_then(|g| g.label.get(lang)).unwrap_or_default().to_string();
                let table = group.is_some_and(|g| g.appearance.as_deref().is_some_and(|a| a.split_whitespace().any(|w| w == "table-list")));
                pages.push((key, Page { title, paths: vec![path.clone()], table }));
            }
        }
    }
    pages.into_iter().map(|(_, p)| p).collect()
}

/// One page per top-level section; consecutive questions outside sections share a page
/// titled `general`.
pub fn by_section(form: &Form, asked: &[String], general: &str) -> Vec<Page> {
    let mut pages: Vec<(Option<String>, Page)> = Vec::new();
    for path in asked {
        let section = section_of(form, name_of(path));
        let key = section.as_ref().map(|(n, _)| n.clone());
        match pages.last_mut() {
            Some((k, page)) if *k == key => page.paths.push(path.clone()),
            _ => {
                let title = section.map_or_else(|| general.to_string(), |(_, label)| label);
                pages.push((key, Page { title, paths: vec![path.clone()], table: false }));
            }
        }
    }
    pages.into_iter().map(|(_, p)| p).collect()
}

/// The title of the questions outside any section of a form: the survey's consent is its
/// «Inicio», the checklist's opening questions «Datos de la visita».
pub fn general_section(form_id: &str) -> &'static str {
    match form_id {
        crate::field::SURVEY_FORM => "Inicio",
        crate::field::VISIT_FORM => "Datos de la visita",
        _ => "Preguntas",
    }
}

/// One question per page, titled by its section (the checklist item by item: a pillar on
/// one page is too long to read on a phone).
pub fn by_item(form: &Form, asked: &[String], general: &str) -> Vec<Page> {
    by_section(form, asked, general)
        .into_iter()
        .flat_map(|s| s.paths.into_iter().map(move |p| Page { title: s.title.clone(), paths: vec![p], table: false }))
        .collect()
}

/// Where a page stands among its section's pages: (section, sections, page in section,
/// pages in section), all 1-based; pages of one section share its title and are adjacent.
pub fn section_step(pages: &[Page], idx: usize) -> (usize, usize, usize, usize) {
    let mut runs: Vec<(usize, usize)> = Vec::new(); // (first page, length)
    for (i, p) in pages.iter().enumerate() {
        match runs.last_mut() {
            Some((first, len)) if pages[*first].title == p.title => *len += 1,
            _ => runs.push((i, 1)),
        }
    }
    let s = runs.iter().position(|(first, len)| idx >= *first && idx < first + len).unwrap_or(0);
    let (first, len) = runs.get(s).copied().unwrap_or((0, 1));
    (s + 1, runs.len().max(1), idx.saturating_sub(first) + 1, len)
}

/// The top-level section label of a question (`general` outside any group).
pub fn section_label(form: &Form, path: &str, general: &str) -> String {
    section_of(form, name_of(path)).map_or_else(|| general.to_string(), |(_, label)| label)
}

/// How a question is answered on screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Widget {
    /// One choice: large buttons (faces for a 5-point scale).
    Choice,
    /// Several choices: toggles.
    Multiple,
    Integer,
    Decimal,
    Text,
    Date,
    Time,
    DateTime,
    /// Information only.
    Note,
    /// A button that records «OK».
    Acknowledge,
    /// A position from the device: one point, a line or a closed area.
    Geo(GeoKind),
    /// A file answered from the device: a photo (camera), a recording, any file, or a
    /// signature drawn on screen.
    File(FileKind),
    /// A code, typed where there is no camera to read it.
    Barcode,
    /// Every choice, put in order.
    Rank,
    Range { start: f64, end: f64, step: f64 },
}

/// What a geo question collects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoKind {
    Point,
    /// Two or more points.
    Trace,
    /// Three or more points, closed by repeating the first.
    Shape,
}

/// What a file question accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Image,
    /// Appearance `signature`: drawn with a finger.
    Signature,
    Audio,
    Video,
    Any,
}

impl FileKind {
    /// The `accept` of the file input.
    pub fn accept(self) -> &'static str {
        match self {
            FileKind::Image | FileKind::Signature => "image/*",
            FileKind::Audio => "audio/*",
            FileKind::Video => "video/*",
            FileKind::Any => "*/*",
        }
    }
}

/// Everything a screen needs to show one question.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionView {
    pub path: String,
    pub name: String,
    pub label: String,
    pub hint: String,
    pub widget: Widget,
    /// (name, label) of each choice.
    pub choices: Vec<(String, String)>,
    /// Choices `1`…`5` of a scored 5-point scale: drawn as faces.
    pub faces: bool,
    /// The current answer (empty when unanswered).
    pub value: String,
    /// Repeat instance number (1-based), when inside a repeat.
    pub instance: Option<usize>,
    /// A checklist item: the previous visit's result, as its choice label.
    pub previous: Option<String>,
    /// A checklist item whose evidence includes a photo.
    pub wants_photo: bool,
    /// A checklist item (scored per pillar).
    pub is_item: bool,
    /// A duration in minutes (decimal, appearance `stopwatch` or a name ending in `_min`):
    /// the app offers a stopwatch.
    pub stopwatch: bool,
    /// The words of the question's `appearance` the app applies (`minimal`, `multiline`,
    /// `numbers`, `horizontal`, `likert`, `quick`…).
    pub appearance: Vec<String>,
    /// `max-pixels` of an image question: the longer side it is stored at.
    pub max_pixels: Option<u32>,
    /// A file answer kept on the device (filled by the screen from the store).
    pub kept: Option<KeptFile>,
    /// `guidance_hint`: for the interviewer.
    pub guidance: String,
    /// Media shown with the question, (kind, file name): the screen turns each file into a
    /// `data:` URL from the form's files.
    pub media: Vec<(String, String)>,
    /// An image beside each choice that has one: (choice name, file name, later `data:` URL).
    pub choice_images: Vec<(String, String)>,
}

/// A file answer as the screen shows it: its size and, for a photo or signature, a small
/// preview (`data:` URL).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeptFile {
    pub bytes: usize,
    pub preview: Option<String>,
}

impl QuestionView {
    /// True when the question's appearance has `word`.
    pub fn looks(&self, word: &str) -> bool {
        self.appearance.iter().any(|w| w == word)
    }
}

fn instance_of(path: &str) -> Option<usize> {
    let head = path.rsplit_once('/')?.0;
    let open = head.rfind('[')?;
    head[open + 1..].strip_suffix(']')?.parse().ok()
}

/// The view of the question at `path`, given the draft's answers by path, the choices the
/// form engine offers there now (`Report::choices`: filtered, ordered) and the previous
/// visit's answers.
pub fn question(
    form: &Form,
    path: &str,
    answers: &BTreeMap<String, String>,
    offered: Option<&Vec<String>>,
    previous: Option<&WireAnswers>,
) -> Option<QuestionView> {
    let f = field_of(form, path)?;
    let lang = form.language();
    let list = f.list_name().and_then(|l| form.lists.get(l));
    let label_of = |name: &str| list.and_then(|l| l.get(name)).and_then(|c| c.label.get(lang)).unwrap_or(name).to_string();
    let choices: Vec<(String, String)> = match offered {
        Some(names) => names.iter().map(|n| (n.clone(), label_of(n))).collect(),
        None => list.map(|l| l.choices.iter().map(|c| (c.name.clone(), label_of(&c.name))).collect()).unwrap_or_default(),
    };
    let appearance: Vec<String> = f.appearance.as_deref().unwrap_or_default().split_whitespace().map(str::to_string).collect();
    let widget = match &f.kind {
        FieldKind::SelectOne { .. } => Widget::Choice,
        FieldKind::SelectMultiple { .. } => Widget::Multiple,
        FieldKind::Integer => Widget::Integer,
        FieldKind::Decimal => Widget::Decimal,
        FieldKind::Date => Widget::Date,
        FieldKind::Time => Widget::Time,
        FieldKind::DateTime => Widget::DateTime,
        FieldKind::Note => Widget::Note,
        FieldKind::Acknowledge => Widget::Acknowledge,
        FieldKind::GeoPoint | FieldKind::Meta(MetaKind::StartGeopoint) => Widget::Geo(GeoKind::Point),
        FieldKind::GeoTrace => Widget::Geo(GeoKind::Trace),
        FieldKind::GeoShape => Widget::Geo(GeoKind::Shape),
        FieldKind::Image if appearance.iter().any(|a| a == "signature") => Widget::File(FileKind::Signature),
        FieldKind::Image => Widget::File(FileKind::Image),
        FieldKind::Audio => Widget::File(FileKind::Audio),
        FieldKind::Video => Widget::File(FileKind::Video),
        FieldKind::File => Widget::File(FileKind::Any),
        FieldKind::Barcode => Widget::Barcode,
        FieldKind::Rank { .. } => Widget::Rank,
        FieldKind::Range { start, end, step } => Widget::Range { start: *start, end: *end, step: *step },
        FieldKind::Text | FieldKind::Calculate | FieldKind::Hidden | FieldKind::Meta(_) => Widget::Text,
    };
    let is_item = f.scoring.pillar.is_some();
    let previous = previous.filter(|_| is_item).and_then(|p| match p.get(&f.name) {
        Some(WireEntry::Value(v)) => Some(choices.iter().find(|(n, _)| n == v).map_or_else(|| v.clone(), |(_, l)| l.clone())),
        _ => None,
    });
    Some(QuestionView {
        path: path.to_string(),
        name: f.name.clone(),
        label: f.label.get(lang).unwrap_or(&f.name).to_string(),
        hint: f.hint.get(lang).unwrap_or_default().to_string(),
        faces: f.scoring.scoring == Some(Scoring::Scale5),
        value: answers.get(path).cloned().unwrap_or_default(),
        instance: instance_of(path),
        previous,
        wants_photo: is_item && f.scoring.evidence.contains(&Evidence::Photo),
        is_item,
        stopwatch: matches!(f.kind, FieldKind::Decimal | FieldKind::Integer)
            && (appearance.iter().any(|w| w == "stopwatch") || f.name.ends_with("_min")),
        kept: None,
        guidance: f.guidance.get(lang).unwrap_or_default().to_string(),
        media: f.media.iter().filter_map(|(kind, files)| Some((kind.clone(), files.get(lang)?.trim().to_string()))).filter(|(_, f)| !f.is_empty()).collect(),
        choice_images: choices
            .iter()
            .filter_map(|(name, _)| {
                let file = list?.get(name)?.media.get("image")?.get(lang)?.trim();
                (!file.is_empty()).then(|| (name.clone(), file.to_string()))
            })
            .collect(),
        max_pixels: f.parameters.get("max-pixels").and_then(|p| p.trim().parse().ok()).filter(|p| *p > 0),
        appearance,
        widget,
        choices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::answers::Answers;
    use shared::expr::Clock;

    fn asked(form: &Form, answers: &Answers) -> Vec<String> {
        let now = chrono::NaiveDate::from_ymd_opt(2025, 6, 2).and_then(|d| d.and_hms_opt(10, 0, 0)).expect("time");
        shared::validate::validate_for_entry(form, answers, Clock::at(now), form.language()).asked
    }

    #[test]
    fn the_checklist_is_laid_out_pillar_by_pillar() {
        let form = shared::instruments::cedula().expect("cedula");
        let pages = by_section(&form, &asked(&form, &Answers::default()), "Datos de la visita");
        assert_eq!(pages[0].title, "Datos de la visita");
        assert_eq!(pages[0].paths, ["turno", "aviso"]);
        assert!(pages[1].title.starts_with("Pilar 1"), "{}", pages[1].title);
        assert!(pages[1].paths.contains(&"espera[5]/espera_min".to_string()));
        assert_eq!(pages.iter().filter(|p| p.title.starts_with("Pilar")).count(), 6);
        assert_eq!(field_of(&form, "espera[3]/espera_min").map(|f| f.name.as_str()), Some("espera_min"));
    }

    #[test]
    fn the_checklist_item_by_item_keeps_its_sections() {
        let form = shared::instruments::cedula().expect("cedula");
        let sections = by_section(&form, &asked(&form, &Answers::default()), "Datos de la visita");
        let pages = by_item(&form, &asked(&form, &Answers::default()), "Datos de la visita");
        assert_eq!(pages.len(), sections.iter().map(|s| s.paths.len()).sum::<usize>());
        assert!(pages.iter().all(|p| p.paths.len() == 1));
        assert_eq!(section_step(&pages, 0), (1, sections.len(), 1, 2));
        assert_eq!(section_step(&pages, 1), (1, sections.len(), 2, 2));
        assert_eq!(section_step(&pages, 2), (2, sections.len(), 1, sections[1].paths.len()));
        assert_eq!(pages[2].title, sections[1].title);
    }

    #[test]
    fn the_survey_asks_one_question_per_page() {
        let form = shared::instruments::encuesta().expect("encuesta");
        let mut a = Answers::default();
        a.set("consentimiento", "si");
        let pages = one_per_page(&asked(&form, &a));
        assert!(pages.len() > 20);
        assert!(pages.iter().all(|p| p.paths.len() == 1));
    }

    #[test]
    fn a_checklist_item_shows_the_previous_result_and_asks_for_photos() {
        let form = shared::instruments::cedula().expect("cedula");
        let mut previous = WireAnswers::new();
        previous.insert("AG-V1".into(), WireEntry::Value("1".into()));
        let answers = BTreeMap::from([("AG-V1".to_string(), "2".to_string())]);
        let q = question(&form, "AG-V1", &answers, None, Some(&previous)).expect("item");
        assert_eq!((q.widget.clone(), q.value.as_str(), q.previous.as_deref()), (Widget::Choice, "2", Some("Cumple parcialmente")));
        assert!(q.is_item && q.wants_photo && !q.faces);
        assert_eq!(q.choices.len(), 4);
        let wait = question(&form, "espera[4]/espera_min", &answers, None, None).expect("repeat field");
        assert_eq!((wait.widget.clone(), wait.instance, wait.stopwatch), (Widget::Decimal, Some(4), true));
        assert!(!q.stopwatch);
        assert!(question(&form, "no_such", &answers, None, None).is_none());
    }

    #[test]
    fn scored_five_point_questions_are_faces() {
        let form = shared::instruments::encuesta().expect("encuesta");
        let q = question(&form, "AG2", &BTreeMap::new(), None, None).expect("AG2");
        assert!(q.faces);
        assert_eq!(q.choices.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["1", "2", "3", "4", "5", "na"]);
        assert!(!question(&form, "P0", &BTreeMap::new(), None, None).expect("P0").faces);
    }
}
