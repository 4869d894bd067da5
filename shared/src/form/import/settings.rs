//! The `settings` sheet: form id, version, title and default language.

use super::Problems;
use crate::form::error::{ImportErrorKind, Location};
use crate::form::model::Text;
use crate::form::sheet::Table;

/// (form_id, version — `None` to derive it from the content —, title, default language).
type Settings = (String, Option<String>, Text, Option<String>);

/// A form id made from a file name (`Encuesta 2025.xlsx` → `Encuesta_2025`), as pyxform
/// takes it when the settings sheet has none.
pub(crate) fn id_from_file_name(file_name: &str) -> Option<String> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let mut id: String = stem.trim().chars().map(|c| if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' }).collect();
    if id.chars().next().is_some_and(|c| !(c.is_alphabetic() || c == '_')) {
        id.insert(0, '_');
    }
    (crate::form::is_valid_name(&id) && id.len() <= 64).then_some(id)
}

/// Settings that change how data is collected or sent, which we refuse rather than drop.
const REFUSED: [(&str, &str); 2] = [
    ("public_key", "el cifrado de envíos no está soportado"),
    ("submission_url", "los envíos siempre van al servidor de Ventanilla"),
];

/// Reads the first row of `settings`; `None` (with problems recorded) when unusable.
/// Without a form id, `fallback_id` (from the file name) is taken, as pyxform does; without
/// a version, the caller derives one from the content.
pub(crate) fn read(table: Option<&Table>, fallback_id: Option<&str>, problems: &mut Problems) -> Option<Settings> {
    let fallback = fallback_id.and_then(id_from_file_name);
    let Some(table) = table else {
        let Some(id) = fallback else {
            problems.push(Location::file(), ImportErrorKind::MissingSheet("settings"));
            return None;
        };
        problems.warn(Location::file(), format!("sin hoja settings: el formulario se llama «{id}», como el archivo"));
        return Some((id, None, Text::default(), None));
    };
    let Some(row) = table.rows.first() else {
        problems.push(Location::sheet(&table.name), ImportErrorKind::EmptySheet);
        return None;
    };
    let cell = |c: &str| Location::cell(&table.name, row.number, c);
    for header in table.headers.values() {
        let base = header.split("::").next().unwrap_or_default();
        if let Some((_, why)) = REFUSED.iter().find(|(n, _)| *n == base) {
            if !row.get(header).is_empty() {
                problems.push(cell(header), ImportErrorKind::UnsupportedSetting(header.clone(), why));
            }
        } else if !matches!(base, "form_id" | "version" | "form_title" | "default_language") {
            problems.warn(cell(header), format!("ajuste «{header}» ignorado"));
        }
    }
    let mut required = |name: &'static str| {
        let v = row.get(name);
        if v.is_empty() {
            let loc = if table.headers.values().any(|h| h == name) { cell(name) } else { Location::sheet(&table.name) };
            problems.push(loc, ImportErrorKind::MissingSetting(name));
            None
        } else {
            Some(v.to_string())
        }
    };
    let id = match (row.get("form_id"), fallback) {
        ("", Some(id)) => {
            problems.warn(cell("form_id"), format!("sin form_id: el formulario se llama «{id}», como el archivo"));
            Some(id)
        }
        _ => required("form_id"),
    };
    let version = Some(row.get("version").to_string()).filter(|v| !v.is_empty());
    if let Some(id) = &id
        && !crate::form::is_valid_name(id) {
            problems.push(cell("form_id"), ImportErrorKind::InvalidName(id.clone()));
        }
    if let Some(v) = &version
        && (v.chars().any(char::is_whitespace) || v.len() > 64) {
            problems.push(
                cell("version"),
                ImportErrorKind::BadValue { value: v.clone(), expected: "una versión sin espacios (p. ej. 2025010101)" },
            );
        }
    let mut title = Text::default();
    for (header, value) in &row.cells {
        if header == "form_title" {
            title.insert("", value.clone());
        } else if let Some(lang) = header.strip_prefix("form_title::") {
            title.insert(lang, value.clone());
        }
    }
    let default_language = Some(row.get("default_language").to_string()).filter(|s| !s.is_empty());
    Some((id?, version, title, default_language))
}
