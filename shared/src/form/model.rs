//! The parsed form: what an XLSForm becomes after import.

use std::collections::BTreeMap;

use crate::expr::Expression;

/// Text in one or more languages. The key is the language as written in the column
/// (`label::Español (es)` → `Español (es)`); a column without language uses `""`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    by_language: BTreeMap<String, String>,
}

impl Text {
    /// Sets the text for `language` (`""` for the column without a language).
    pub fn insert(&mut self, language: &str, text: String) {
        self.by_language.insert(language.to_string(), text);
    }

    /// True when no language has text.
    pub fn is_empty(&self) -> bool {
        self.by_language.is_empty()
    }

    /// The text in `language`, else the unmarked column, else the first language present.
    pub fn get(&self, language: &str) -> Option<&str> {
        self.by_language
            .get(language)
            .or_else(|| self.by_language.get(""))
            .or_else(|| self.by_language.values().next())
            .map(String::as_str)
    }

    /// All (language, text) pairs, in language order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_language.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A form version: immutable once published under its ([`Form::id`], [`Form::version`]).
#[derive(Debug, Clone)]
pub struct Form {
    /// `settings.form_id`.
    pub id: String,
    /// `settings.version`.
    pub version: String,
    /// `settings.form_title`.
    pub title: Text,
    /// `settings.default_language`, when given.
    pub default_language: Option<String>,
    /// Every language found in label/hint/message columns (`""` for unmarked columns).
    pub languages: Vec<String>,
    /// The questions, groups and repeats, in order.
    pub items: Vec<Item>,
    /// The choice lists by `list_name` (a `select_one_from_file` list by its file name).
    pub lists: BTreeMap<String, ChoiceList>,
    /// The files published with the form: (name, SHA-256 hex), in name order.
    pub files: Vec<(String, String)>,
    /// The tables of its data files by instance name (`municipios.csv` → `municipios`),
    /// for `instance('municipios')/root/item[…]` and `pulldata('municipios', …)`.
    pub datasets: BTreeMap<String, std::sync::Arc<super::attachments::Dataset>>,
    /// Data instances declared by `csv-external` / `xml-external` rows: (name, row).
    pub externals: Vec<(String, u32)>,
}

/// One row-group of the survey sheet.
#[derive(Debug, Clone)]
pub enum Item {
    /// A question (or note, calculation, metadata).
    Field(Box<Field>),
    /// `begin group` … `end group`.
    Group(Group),
    /// `begin repeat` … `end repeat`.
    Repeat(Group),
}

/// A group or a repeat.
#[derive(Debug, Clone)]
pub struct Group {
    /// Its `name`.
    pub name: String,
    /// Its label, possibly empty.
    pub label: Text,
    /// When the whole group applies.
    pub relevant: Option<Expression>,
    /// `appearance` (e.g. `field-list`), as written.
    pub appearance: Option<String>,
    /// For a repeat: how many instances there must be.
    pub repeat_count: Option<Expression>,
    /// The survey sheet row of `begin group`/`begin repeat`.
    pub row: u32,
    /// What is inside.
    pub children: Vec<Item>,
}

/// `required` and `read_only`: a constant or an expression.
#[derive(Debug, Clone, Default)]
pub enum Flag {
    /// Not set.
    #[default]
    No,
    /// Always.
    Yes,
    /// When the expression is true.
    When(Expression),
}

/// The data type of a question.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    Text,
    Integer,
    Decimal,
    SelectOne { list: String },
    SelectMultiple { list: String },
    Note,
    Date,
    Time,
    DateTime,
    GeoPoint,
    /// A line: two or more points `lat lon alt acc` separated by `;`.
    GeoTrace,
    /// A closed area: four or more points, the last equal to the first.
    GeoShape,
    Image,
    Audio,
    Video,
    /// Any file (a document, a spreadsheet…).
    File,
    /// A code read by the camera, or typed where there is none.
    Barcode,
    /// The choices of `list`, all of them, in the order of preference given.
    Rank { list: String },
    /// A value kept in the record and never shown (set by `default` or `calculation`).
    Hidden,
    Calculate,
    Range { start: f64, end: f64, step: f64 },
    Acknowledge,
    Meta(MetaKind),
}

impl FieldKind {
    /// A question whose answer is a file sent beside the record (the value is its name).
    pub fn is_media(&self) -> bool {
        matches!(self, FieldKind::Image | FieldKind::Audio | FieldKind::Video | FieldKind::File | FieldKind::Meta(MetaKind::Audit))
    }
}

/// Metadata the app fills without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaKind {
    Start,
    End,
    Today,
    DeviceId,
    Username,
    /// The device's position when the record was started.
    StartGeopoint,
    /// How long each question was on screen: a CSV file kept with the record.
    Audit,
    /// Empty where the device does not tell (a web app never does).
    PhoneNumber,
    Email,
    SimSerial,
    SubscriberId,
}

/// How a `select_one` item is scored (column `scoring`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    /// Choices named `1`..`5`: (x − 1) / 4 × 100; any other choice is missing.
    Scale5,
    /// Choices named `si`, `parcial`, `no`: 100 / 50 / 0; any other choice is missing.
    Ypn,
}

/// Evidence types of a checklist item (column `evidence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Evidence {
    /// O: direct observation.
    Observation,
    /// F: photo.
    Photo,
    /// D: document reviewed.
    Document,
    /// M: measurement.
    Measurement,
    /// E: staff interview.
    Interview,
    /// U: mystery shopper (usuario simulado).
    MysteryShopper,
}

impl Evidence {
    /// The one-letter code used in forms.
    pub fn code(self) -> char {
        match self {
            Evidence::Observation => 'O',
            Evidence::Photo => 'F',
            Evidence::Document => 'D',
            Evidence::Measurement => 'M',
            Evidence::Interview => 'E',
            Evidence::MysteryShopper => 'U',
        }
    }

    /// Parses a one-letter code.
    pub fn from_code(c: char) -> Option<Self> {
        [
            Evidence::Observation,
            Evidence::Photo,
            Evidence::Document,
            Evidence::Measurement,
            Evidence::Interview,
            Evidence::MysteryShopper,
        ]
        .into_iter()
        .find(|e| e.code() == c.to_ascii_uppercase())
    }
}

/// The scoring columns of one item (our extension of XLSForm).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemScoring {
    /// `dimension`: the survey dimension code (e.g. `AG`).
    pub dimension: Option<String>,
    /// `scoring`: how the answer maps to 0–100.
    pub scoring: Option<Scoring>,
    /// `weight`: the checklist item weight.
    pub weight: Option<f64>,
    /// `pillar`: the checklist pillar code (e.g. `PC`). Invariant: a pillar item is a
    /// `select_one` whose list has the choices `0`, `1` and `2`.
    pub pillar: Option<String>,
    /// `critical`: a 0 sets the period's critical failure.
    pub critical: bool,
    /// `evidence`: the evidence types, sorted, without repeats.
    pub evidence: Vec<Evidence>,
}

/// One question.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub kind: FieldKind,
    /// The survey sheet row it came from.
    pub row: u32,
    pub label: Text,
    pub hint: Text,
    pub required: Flag,
    pub required_message: Text,
    pub relevant: Option<Expression>,
    pub constraint: Option<Expression>,
    pub constraint_message: Text,
    pub calculation: Option<Expression>,
    /// `default`, as written: the app pre-fills it in a new draft.
    pub default: Option<String>,
    pub appearance: Option<String>,
    pub choice_filter: Option<Expression>,
    pub read_only: Flag,
    /// `parameters`, parsed into key/value pairs.
    pub parameters: BTreeMap<String, String>,
    pub scoring: ItemScoring,
    /// `guidance_hint`: for the interviewer, not read to the person.
    pub guidance: Text,
    /// Media shown with the question: file names by kind (`image`, `audio`…), by language.
    pub media: BTreeMap<String, Text>,
    /// `trigger`: when one of these questions changes, the device sets this question's
    /// value from its calculation and keeps it (never recomputed afterwards).
    pub trigger: Vec<String>,
}

impl Field {
    /// The choice list of a select question.
    pub fn list_name(&self) -> Option<&str> {
        match &self.kind {
            FieldKind::SelectOne { list } | FieldKind::SelectMultiple { list } | FieldKind::Rank { list } => Some(list),
            _ => None,
        }
    }

    /// Each expression column of the question, by its column name.
    pub fn expressions(&self) -> [(&'static str, Option<&Expression>); 6] {
        fn flag(f: &Flag) -> Option<&Expression> {
            match f {
                Flag::When(e) => Some(e),
                Flag::Yes | Flag::No => None,
            }
        }
        [
            ("relevant", self.relevant.as_ref()),
            ("constraint", self.constraint.as_ref()),
            ("calculation", self.calculation.as_ref()),
            ("choice_filter", self.choice_filter.as_ref()),
            ("required", flag(&self.required)),
            ("read_only", flag(&self.read_only)),
        ]
    }

    /// True when the record keeps this question's value as set by its `trigger`.
    pub fn is_triggered(&self) -> bool {
        !self.trigger.is_empty()
    }

    /// True for questions whose value the app computes instead of asking.
    pub fn is_computed(&self) -> bool {
        matches!(self.kind, FieldKind::Calculate) || self.calculation.is_some()
    }

    /// The repeat question whose answers are this select's choices (`select_one ${name}`).
    pub fn choices_from_repeat(&self) -> Option<&str> {
        self.list_name()?.strip_prefix("${")?.strip_suffix('}')
    }

    /// Never shown on screen: computed, metadata or `hidden`.
    pub fn is_unasked(&self) -> bool {
        self.is_computed() || matches!(self.kind, FieldKind::Meta(_) | FieldKind::Hidden)
    }
}

/// A list of the choices sheet, or of a data file (`select_one_from_file`).
#[derive(Debug, Clone, Default)]
pub struct ChoiceList {
    pub name: String,
    pub choices: Vec<Choice>,
    /// Built from the data file of this name (its SHA-256 is in [`Form::files`]).
    pub from_file: bool,
}

impl ChoiceList {
    /// The choice named `name`.
    pub fn get(&self, name: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.name == name)
    }
}

/// One choice.
#[derive(Debug, Clone)]
pub struct Choice {
    pub name: String,
    pub label: Text,
    /// The choices sheet row it came from.
    pub row: u32,
    /// Other columns (used by `choice_filter`).
    pub extra: BTreeMap<String, String>,
    /// Media shown with it: file names by kind (`image`, `audio`…), by language.
    pub media: BTreeMap<String, Text>,
}

impl Form {
    /// Every question, depth first, in form order.
    pub fn fields(&self) -> Vec<&Field> {
        fn walk<'a>(items: &'a [Item], out: &mut Vec<&'a Field>) {
            for item in items {
                match item {
                    Item::Field(f) => out.push(f),
                    Item::Group(g) | Item::Repeat(g) => walk(&g.children, out),
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.items, &mut out);
        out
    }

    /// Each checklist pillar's name, as the form titles it: the label (in the default
    /// language) of a group whose scored questions all belong to that one pillar.
    pub fn pillar_labels(&self) -> BTreeMap<String, String> {
        fn walk(items: &[Item], language: &str, out: &mut BTreeMap<String, String>) {
            for item in items {
                if let Item::Group(g) | Item::Repeat(g) = item {
                    let pillars: std::collections::BTreeSet<&str> = g
                        .children
                        .iter()
                        .filter_map(|i| match i {
                            Item::Field(f) => f.scoring.pillar.as_deref(),
                            _ => None,
                        })
                        .collect();
                    if let (1, Some(label)) = (pillars.len(), g.label.get(language).filter(|l| !l.trim().is_empty())) {
                        out.entry(pillars.into_iter().next().unwrap_or_default().to_string()).or_insert_with(|| label.trim().to_string());
                    }
                    walk(&g.children, language, out);
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&self.items, self.language(), &mut out);
        out
    }

    /// How many questions are asked (notes, calculations and metadata excluded).
    pub fn question_count(&self) -> usize {
        self.fields()
            .iter()
            .filter(|f| !f.is_unasked() && !matches!(f.kind, FieldKind::Note))
            .count()
    }

    /// The question named `name`, wherever it is.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields().into_iter().find(|f| f.name == name)
    }

    /// The language to show by default: `default_language`, else the first found.
    pub fn language(&self) -> &str {
        self.default_language
            .as_deref()
            .or_else(|| self.languages.first().map(String::as_str))
            .unwrap_or("")
    }
}
