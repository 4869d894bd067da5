//! The `choices` sheet: lists of options, by `list_name`.

use std::collections::BTreeMap;

use super::Problems;
use super::cells::Cells;
use crate::form::error::{ImportErrorKind, Location};
use crate::form::model::{Choice, ChoiceList};
use crate::form::sheet::Table;

/// The kinds of media a question or choice may show.
pub(crate) const MEDIA_KINDS: [&str; 4] = ["image", "big-image", "audio", "video"];

/// A media column (`media::image`, `image::Español (es)`, …).
pub(crate) fn is_media_column(header: &str) -> bool {
    let base = header.split("::").next().unwrap_or_default();
    matches!(base, "media" | "image" | "audio" | "video" | "big-image")
}

/// Reads every list; problems are recorded, broken rows skipped.
pub(crate) fn read(table: &Table, problems: &mut Problems) -> BTreeMap<String, ChoiceList> {
    let mut lists: BTreeMap<String, ChoiceList> = BTreeMap::new();
    if table.headers.is_empty() {
        return lists;
    }
    for required in ["list_name", "name"] {
        if !table.headers.values().any(|h| h == required) {
            let kind = ImportErrorKind::MissingColumn(if required == "name" { "name" } else { "list_name" });
            problems.push(Location::row(&table.name, table.header_row), kind);
            return lists;
        }
    }
    for row in &table.rows {
        let cells = Cells { sheet: &table.name, row };
        let list_name = cells.get("list_name");
        let name = cells.get("name");
        if list_name.is_empty() {
            problems.push(cells.loc("list_name"), ImportErrorKind::MissingName);
            continue;
        }
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            let kind = if name.is_empty() {
                ImportErrorKind::MissingName
            } else {
                ImportErrorKind::BadValue { value: name.to_string(), expected: "un nombre de opción sin espacios" }
            };
            problems.push(cells.loc("name"), kind);
            continue;
        }
        let label = cells.text("label");
        if label.is_empty() {
            problems.push(Location::row(&table.name, row.number), ImportErrorKind::MissingLabel);
        }
        let media = cells.media();
        let extra = row
            .cells
            .iter()
            .filter(|(h, _)| !matches!(h.as_str(), "list_name" | "name") && !h.starts_with("label") && !is_media_column(h))
            .map(|(h, v)| (h.clone(), v.clone()))
            .collect();
        let list = lists.entry(list_name.to_string()).or_insert_with(|| ChoiceList {
            name: list_name.to_string(),
            choices: Vec::new(),
            from_file: false,
        });
        if let Some(first) = list.get(name) {
            let first_row = first.row;
            problems.push(
                cells.loc("name"),
                ImportErrorKind::DuplicateChoice { list: list_name.to_string(), name: name.to_string(), first_row },
            );
            continue;
        }
        list.choices.push(Choice { name: name.to_string(), label, row: row.number, extra, media });
    }
    lists
}

/// The list a `select_one_from_file` question reads: one choice per row of the file, its
/// name from column `value` (or `name`), its label from `label` (or `label::lang`
/// columns); the other columns are there for `choice_filter`. Rows without a name are
/// skipped; a name seen before keeps its first row.
pub(crate) fn from_dataset(file: &str, data: &crate::form::Dataset, value: &str, label: &str) -> Result<ChoiceList, String> {
    let name_col = data.column(value).ok_or_else(|| format!("el archivo «{file}» no tiene la columna «{value}»"))?;
    let label_cols: Vec<(String, usize)> = data
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let lang = if c == label { Some("") } else { c.strip_prefix(label).and_then(|rest| rest.strip_prefix("::")) };
            lang.map(|l| (l.to_string(), i))
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut choices = Vec::with_capacity(data.rows.len());
    for (i, row) in data.rows.iter().enumerate() {
        let name = row[name_col].trim();
        if name.is_empty() || !seen.insert(name.to_string()) {
            continue;
        }
        let mut text = crate::form::Text::default();
        for (lang, col) in &label_cols {
            text.insert(lang, row[*col].clone());
        }
        if text.is_empty() {
            text.insert("", name.to_string());
        }
        let extra = data.columns.iter().zip(row).filter(|(c, _)| *c != value && !label_cols.iter().any(|(_, i)| data.columns[*i] == **c)).map(|(c, v)| (c.clone(), v.clone())).collect();
        choices.push(Choice { name: name.to_string(), label: text, row: i as u32 + 2, extra, media: Default::default() });
    }
    Ok(ChoiceList { name: file.to_string(), choices, from_file: true })
}
