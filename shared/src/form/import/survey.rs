//! The `survey` sheet: rows to questions, groups and repeats.

use std::collections::{BTreeMap, BTreeSet};

use super::Problems;
use super::cells::Cells;
use super::choices::is_media_column;
use crate::expr::Context;
use crate::form::error::{ImportErrorKind, Location};
use crate::form::field_type::{RowType, parse_type};
use crate::form::model::{Field, FieldKind, Group, Item, ItemScoring};
use crate::form::sheet::{Row, Table};

/// Columns we read. Any other column is ignored with a warning, as XLSForm tools do.
const KNOWN: [&str; 24] = [
    "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint",
    "constraint_message", "calculation", "default", "appearance", "choice_filter", "read_only",
    "repeat_count", "parameters", "dimension", "scoring", "weight", "pillar", "critical",
    "evidence", "guidance_hint", "trigger",
];

/// Columns that change behaviour in other tools: refused where a row uses them.
const REFUSED: [(&str, &str); 2] = [
    ("body", "atributos XForm directos no soportados"),
    ("bind", "atributos XForm directos no soportados"),
];

/// Appearances the app applies; any other is read and kept, with a warning naming its row
/// (the question shows with its usual control).
const APPEARANCES_APPLIED: [&str; 11] =
    ["stopwatch", "minimal", "multiline", "numbers", "horizontal", "horizontal-compact", "likert", "quick", "field-list", "table-list", "signature"];

fn warn_appearances(cells: &Cells<'_>, problems: &mut Problems) {
    for word in cells.get("appearance").split_whitespace() {
        if !APPEARANCES_APPLIED.contains(&word) {
            problems.warn(cells.loc("appearance"), format!("la apariencia «{word}» no se aplica en la app: la pregunta se muestra con su control normal"));
        }
    }
}

struct Frame {
    is_repeat: bool,
    group: Group,
}

/// The survey headers pyxform reads under older or longer names, as ours.
fn alias(header: &str) -> Option<String> {
    let full = match header {
        "bind::relevant" => Some("relevant"),
        "bind::constraint" => Some("constraint"),
        "bind::calculate" => Some("calculation"),
        "bind::required" => Some("required"),
        "bind::readonly" => Some("read_only"),
        "bind::jr:constraintMsg" | "bind::jr:constraintmsg" => Some("constraint_message"),
        "bind::jr:requiredMsg" | "bind::jr:requiredmsg" => Some("required_message"),
        "control::appearance" => Some("appearance"),
        "control::jr:count" => Some("repeat_count"),
        _ => None,
    };
    if let Some(f) = full {
        return Some(f.to_string());
    }
    let (base, lang) = header.split_once("::").map_or((header, None), |(b, l)| (b, Some(l)));
    let canonical = match base {
        "relevance" | "skip_logic" => "relevant",
        "calculate" => "calculation",
        "readonly" => "read_only",
        "count" | "jr:count" => "repeat_count",
        "caption" => "label",
        "constraint_msg" => "constraint_message",
        "required_msg" => "required_message",
        _ => return None,
    };
    Some(match lang {
        Some(l) => format!("{canonical}::{l}"),
        None => canonical.to_string(),
    })
}

/// The table with its legacy headers renamed (a warning names each); a header whose new
/// name is also present keeps the one written under today's name.
fn with_aliases(table: &Table, problems: &mut Problems) -> Table {
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    for header in table.headers.values() {
        if let Some(new) = alias(header) {
            if table.headers.values().any(|h| *h == new) {
                problems.warn(Location::row(&table.name, table.header_row), format!("columna «{header}» ignorada: ya hay una columna «{new}»"));
            } else {
                problems.warn(Location::row(&table.name, table.header_row), format!("columna «{header}» leída como «{new}»"));
                renamed.insert(header.clone(), new);
            }
        }
    }
    let mut out = table.clone();
    if renamed.is_empty() {
        return out;
    }
    for h in out.headers.values_mut() {
        if let Some(new) = renamed.get(h) {
            *h = new.clone();
        }
    }
    for row in &mut out.rows {
        row.cells = std::mem::take(&mut row.cells).into_iter().map(|(k, v)| (renamed.get(&k).cloned().unwrap_or(k), v)).collect();
    }
    out
}

/// Reads the sheet into items and the languages its columns use.
/// What the survey sheet gives: its items, the languages of its columns, and the lists
/// that a select `or_other` extends with the choice `other`, and the data files declared
/// by `csv-external` / `xml-external` rows (instance name, row).
pub(crate) struct Survey {
    pub items: Vec<Item>,
    pub languages: Vec<String>,
    pub or_other: BTreeSet<String>,
    pub externals: Vec<(String, u32)>,
}

/// What rows add besides items.
#[derive(Default)]
struct Extras {
    or_other: BTreeSet<String>,
    externals: Vec<(String, u32)>,
}

pub(crate) fn read(table: &Table, problems: &mut Problems) -> Option<Survey> {
    let table = &with_aliases(table, problems);
    if table.headers.is_empty() {
        problems.push(Location::sheet(&table.name), ImportErrorKind::EmptySheet);
        return None;
    }
    let headers: Vec<&String> = table.headers.values().collect();
    let has = |c: &str| headers.iter().any(|h| *h == c || h.starts_with(&format!("{c}::")));
    for column in ["type", "name", "label"] {
        if !has(column) {
            let name = match column { "type" => "type", "name" => "name", _ => "label" };
            problems.push(Location::row(&table.name, table.header_row), ImportErrorKind::MissingColumn(name));
        }
    }
    if !has("type") || !has("name") {
        return None;
    }
    let languages = check_headers(table, problems);
    let mut stack = vec![Frame { is_repeat: false, group: root_group() }];
    let mut names: BTreeMap<String, u32> = BTreeMap::new();
    let mut extras = Extras::default();
    for row in &table.rows {
        read_row(table, row, &mut stack, &mut names, &mut extras, problems);
    }
    while stack.len() > 1 {
        let frame = stack.pop()?;
        let what = if frame.is_repeat { "begin repeat" } else { "begin group" };
        problems.push(Location::row(&table.name, frame.group.row), ImportErrorKind::Unclosed(what.into()));
    }
    let root = stack.pop()?.group;
    if table.rows.is_empty() {
        problems.push(Location::sheet(&table.name), ImportErrorKind::EmptySheet);
        return None;
    }
    Some(Survey { items: root.children, languages, or_other: extras.or_other, externals: extras.externals })
}

fn root_group() -> Group {
    Group { name: String::new(), label: Default::default(), relevant: None, appearance: None, repeat_count: None, row: 0, children: Vec::new() }
}

fn check_headers(table: &Table, problems: &mut Problems) -> Vec<String> {
    let mut languages = BTreeSet::new();
    for header in table.headers.values() {
        let (base, lang) = header.split_once("::").map_or((header.as_str(), None), |(b, l)| (b, Some(l)));
        if matches!(base, "label" | "hint" | "required_message" | "constraint_message" | "guidance_hint") {
            languages.insert(lang.unwrap_or("").to_string());
            continue;
        }
        if KNOWN.contains(&base) || is_media_column(header) || REFUSED.iter().any(|(r, _)| *r == base) {
            continue;
        }
        problems.warn(Location::row(&table.name, table.header_row), format!("columna «{header}» ignorada"));
    }
    languages.into_iter().collect()
}

fn read_row(table: &Table, row: &Row, stack: &mut Vec<Frame>, names: &mut BTreeMap<String, u32>, extras: &mut Extras, problems: &mut Problems) {
    let cells = Cells { sheet: &table.name, row };
    for header in row.cells.keys() {
        let base = header.split("::").next().unwrap_or_default();
        if let Some((_, why)) = REFUSED.iter().find(|(r, _)| *r == base) {
            problems.push(cells.loc(header), ImportErrorKind::UnsupportedSetting(header.clone(), why));
        }
    }
    let raw_type = cells.get("type");
    if raw_type.is_empty() {
        problems.push(cells.loc("type"), ImportErrorKind::UnknownType(String::new()));
        return;
    }
    let row_type = match parse_type(raw_type) {
        Ok(t) => t,
        Err(kind) => {
            problems.push(cells.loc("type"), kind);
            return;
        }
    };
    let wants_other = matches!(row_type, RowType::FieldOrOther(_));
    match row_type {
        RowType::External => {
            if let Some(instance) = checked_name(&cells, names, problems) {
                extras.externals.push((instance, row.number));
            }
        }
        RowType::EndGroup | RowType::EndRepeat => {
            let closing_repeat = row_type == RowType::EndRepeat;
            let word = if closing_repeat { "end repeat" } else { "end group" };
            if stack.len() == 1 {
                problems.push(cells.loc("type"), ImportErrorKind::UnmatchedEnd(word.into()));
                return;
            }
            let Some(frame) = stack.pop() else { return };
            if frame.is_repeat != closing_repeat {
                let expected = if frame.is_repeat { "end repeat" } else { "end group" };
                problems.push(cells.loc("type"), ImportErrorKind::MismatchedEnd { expected, open_row: frame.group.row });
            }
            let item = if frame.is_repeat { Item::Repeat(frame.group) } else { Item::Group(frame.group) };
            if let Some(parent) = stack.last_mut() {
                parent.group.children.push(item);
            }
        }
        RowType::BeginGroup | RowType::BeginRepeat => {
            let is_repeat = row_type == RowType::BeginRepeat;
            let name = checked_name(&cells, names, problems).unwrap_or_default();
            let repeat_count = cells.expr("repeat_count", Context::Question, problems);
            if !is_repeat && repeat_count.is_some() {
                problems.push(cells.loc("repeat_count"), ImportErrorKind::ColumnNotApplicable { column: "repeat_count", applies_to: "begin repeat" });
            }
            let group = Group {
                name,
                label: cells.text("label"),
                relevant: cells.expr("relevant", Context::Question, problems),
                appearance: { warn_appearances(&cells, problems); cells.opt("appearance") },
                repeat_count,
                row: row.number,
                children: Vec::new(),
            };
            stack.push(Frame { is_repeat, group });
        }
        RowType::Field(kind) | RowType::FieldOrOther(kind) => {
            let name = checked_name(&cells, names, problems);
            let field = read_field(&cells, kind, problems);
            if let (Some(name), Some(mut field)) = (name, field) {
                field.name = name;
                let other = wants_other.then(|| specify_other(&field, names, &cells, problems)).flatten();
                if other.is_some() {
                    extras.or_other.extend(field.list_name().map(str::to_string));
                }
                if let Some(parent) = stack.last_mut() {
                    parent.group.children.push(Item::Field(Box::new(field)));
                    if let Some(other) = other {
                        parent.group.children.push(Item::Field(Box::new(other)));
                    }
                }
            }
        }
    }
}

/// The text question pyxform adds after a select `or_other`: `<name>_other`, asked when
/// `other` is chosen (the list gets the choice `other` in `form::import`).
fn specify_other(select: &Field, names: &mut BTreeMap<String, u32>, cells: &Cells<'_>, problems: &mut Problems) -> Option<Field> {
    let name = format!("{}_other", select.name);
    if let Some(&first_row) = names.get(&name) {
        problems.push(cells.loc("type"), ImportErrorKind::DuplicateName { name, first_row });
        return None;
    }
    names.insert(name.clone(), cells.row.number);
    let relevant = crate::expr::Expression::parse(&format!("selected(../{}, 'other')", select.name), Context::Question).ok();
    let mut label = crate::form::Text::default();
    label.insert("", "Especifique otro.".into());
    Some(Field {
        name,
        kind: FieldKind::Text,
        row: cells.row.number,
        label,
        hint: Default::default(),
        required: crate::form::Flag::No,
        required_message: Default::default(),
        relevant,
        constraint: None,
        constraint_message: Default::default(),
        calculation: None,
        default: None,
        appearance: None,
        choice_filter: None,
        read_only: crate::form::Flag::No,
        parameters: Default::default(),
        scoring: Default::default(),
        guidance: Default::default(),
        media: Default::default(),
        trigger: Vec::new(),
    })
}

fn checked_name(cells: &Cells<'_>, names: &mut BTreeMap<String, u32>, problems: &mut Problems) -> Option<String> {
    let name = cells.get("name");
    if name.is_empty() {
        problems.push(cells.loc("name"), ImportErrorKind::MissingName);
        return None;
    }
    if !crate::form::is_valid_name(name) {
        problems.push(cells.loc("name"), ImportErrorKind::InvalidName(name.to_string()));
        return None;
    }
    if let Some(&first_row) = names.get(name) {
        problems.push(cells.loc("name"), ImportErrorKind::DuplicateName { name: name.to_string(), first_row });
        return None;
    }
    names.insert(name.to_string(), cells.row.number);
    Some(name.to_string())
}

fn read_field(cells: &Cells<'_>, mut kind: FieldKind, problems: &mut Problems) -> Option<Field> {
    let is_select = matches!(kind, FieldKind::SelectOne { .. } | FieldKind::SelectMultiple { .. });
    let parameters = cells.parameters(problems);
    check_parameters(cells, &mut kind, &parameters, problems);
    let label = cells.text("label");
    if label.is_empty() && !matches!(kind, FieldKind::Calculate | FieldKind::Meta(_) | FieldKind::Hidden) {
        problems.push(cells.loc("label"), ImportErrorKind::MissingLabel);
    }
    let calculation = cells.expr("calculation", Context::Question, problems);
    if kind == FieldKind::Calculate && calculation.is_none() && cells.get("calculation").is_empty() {
        problems.push(cells.loc("calculation"), ImportErrorKind::MissingColumn("calculation"));
    }
    let choice_filter = cells.expr("choice_filter", Context::ChoiceFilter, problems);
    if choice_filter.is_some() && !is_select {
        problems.push(cells.loc("choice_filter"), ImportErrorKind::ColumnNotApplicable { column: "choice_filter", applies_to: "select_one o select_multiple" });
    }
    if !cells.get("repeat_count").is_empty() {
        problems.push(cells.loc("repeat_count"), ImportErrorKind::ColumnNotApplicable { column: "repeat_count", applies_to: "begin repeat" });
    }
    let scoring = read_scoring(cells, &kind, problems);
    Some(Field {
        name: String::new(),
        kind,
        row: cells.row.number,
        label,
        hint: cells.text("hint"),
        required: cells.flag("required", problems),
        required_message: cells.text("required_message"),
        relevant: cells.expr("relevant", Context::Question, problems),
        constraint: cells.expr("constraint", Context::Question, problems),
        constraint_message: cells.text("constraint_message"),
        calculation,
        default: cells.opt("default"),
        appearance: { warn_appearances(cells, problems); cells.opt("appearance") },
        choice_filter,
        read_only: cells.flag("read_only", problems),
        parameters,
        scoring,
        guidance: cells.text("guidance_hint"),
        media: cells.media(),
        trigger: trigger(cells, problems),
    })
}

/// `trigger`: the questions (`${a}`, or several) whose change sets this one's value from
/// its calculation, once, as ODK does; the value is then kept with the record.
fn trigger(cells: &Cells<'_>, problems: &mut Problems) -> Vec<String> {
    let raw = cells.get("trigger");
    if raw.is_empty() {
        return Vec::new();
    }
    let names: Vec<String> = raw
        .split([',', ' '])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(|w| w.strip_prefix("${").and_then(|r| r.strip_suffix('}')).map(str::to_string))
        .collect::<Option<_>>()
        .unwrap_or_default();
    if names.is_empty() {
        problems.push(cells.loc("trigger"), super::cells::bad(raw, "se esperaba ${pregunta} (o varias separadas por comas)"));
    }
    names
}

fn check_parameters(cells: &Cells<'_>, kind: &mut FieldKind, params: &BTreeMap<String, String>, problems: &mut Problems) {
    let allowed: &[&str] = match kind {
        FieldKind::Range { .. } => &["start", "end", "step"],
        FieldKind::Image => &["max-pixels"],
        FieldKind::Audio => &["quality"],
        FieldKind::SelectOne { list } | FieldKind::SelectMultiple { list } if crate::form::AttachmentKind::of(list).is_some() => {
            &["randomize", "seed", "value", "label"]
        }
        FieldKind::SelectOne { .. } | FieldKind::SelectMultiple { .. } | FieldKind::Rank { .. } => &["randomize", "seed"],
        FieldKind::GeoPoint => &["capture-accuracy", "warning-accuracy", "allow-mock-accuracy"],
        FieldKind::GeoTrace | FieldKind::GeoShape => &["allow-mock-accuracy", "incremental"],
        _ => &[],
    };
    for key in params.keys().filter(|k| !allowed.contains(&k.as_str())) {
        problems.push(cells.loc("parameters"), ImportErrorKind::UnknownParameter(key.clone()));
    }
    if let FieldKind::Range { start, end, step } = kind {
        let mut number = |key: &str, into: &mut f64| {
            if let Some(raw) = params.get(key) {
                match crate::expr::parse_number(raw) {
                    Some(n) => *into = n,
                    None => problems.push(cells.loc("parameters"), super::cells::bad(raw, "se esperaba un número en start, end o step")),
                }
            }
        };
        number("start", start);
        number("end", end);
        number("step", step);
        if *step <= 0.0 || start == end {
            let value = format!("start={start} end={end} step={step}");
            problems.push(cells.loc("parameters"), ImportErrorKind::BadValue { value, expected: "step mayor que 0 y start distinto de end" });
        }
    }
}

fn read_scoring(cells: &Cells<'_>, kind: &FieldKind, problems: &mut Problems) -> ItemScoring {
    let scoring = ItemScoring {
        dimension: cells.code("dimension", problems),
        scoring: cells.scoring(problems),
        weight: cells.number("weight", problems),
        pillar: cells.code("pillar", problems),
        critical: cells.yes_no("critical", problems),
        evidence: cells.evidence(problems),
    };
    let is_select_one = matches!(kind, FieldKind::SelectOne { .. });
    let not_applicable = |column| ImportErrorKind::ColumnNotApplicable { column, applies_to: "select_one" };
    if scoring.scoring.is_some() && !is_select_one {
        problems.push(cells.loc("scoring"), not_applicable("scoring"));
    }
    if scoring.pillar.is_some() && !is_select_one {
        problems.push(cells.loc("pillar"), not_applicable("pillar"));
    }
    let needs_pillar = |column| ImportErrorKind::ColumnNotApplicable { column, applies_to: "con pillar (ítems de la cédula)" };
    if scoring.pillar.is_none() && scoring.weight.is_some() {
        problems.push(cells.loc("weight"), needs_pillar("weight"));
    }
    if scoring.pillar.is_none() && scoring.critical {
        problems.push(cells.loc("critical"), needs_pillar("critical"));
    }
    if let Some(w) = scoring.weight
        && (w <= 0.0 || w > 100.0) {
            problems.push(cells.loc("weight"), super::cells::bad(cells.get("weight"), "se esperaba un peso mayor que 0 y hasta 100"));
        }
    scoring
}
