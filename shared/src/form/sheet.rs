//! Reads the cells of an `.xlsx` workbook (from bytes) into plain text tables.
//!
//! Cells are streamed one by one and kept sparse, so a sheet that declares a huge range with
//! a few cells costs what its cells cost; limits on rows and columns refuse the rest.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, open_workbook_from_rs};

use super::error::{ImportError, ImportErrorKind, ImportErrors, Location};

/// Most rows read from one sheet; XLSForms have hundreds at most.
pub const MAX_ROWS: u32 = 20_000;
/// Most columns read from one sheet.
pub const MAX_COLUMNS: u32 = 500;

/// One sheet as text: a header row and the rows under it.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The sheet name as written in the workbook.
    pub name: String,
    /// Normalised headers by column index.
    pub headers: BTreeMap<u32, String>,
    /// Non-empty rows below the header, in order.
    pub rows: Vec<Row>,
    /// The 1-based row number of the header.
    pub header_row: u32,
}

/// One row: its 1-based spreadsheet number and its trimmed, non-empty cells by header.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub number: u32,
    pub cells: BTreeMap<String, String>,
}

impl Row {
    /// The trimmed cell under `header`, or `""`.
    pub fn get(&self, header: &str) -> &str {
        self.cells.get(header).map_or("", String::as_str)
    }
}

/// Normalises a header: trimmed, the part before `::` lower-cased with spaces as `_`;
/// the language after `::` kept as written.
pub fn normalize_header(raw: &str) -> String {
    let raw = raw.trim();
    match raw.split_once("::") {
        Some((base, lang)) => format!("{}::{}", normalize_base(base), lang.trim()),
        None => normalize_base(raw),
    }
}

fn normalize_base(base: &str) -> String {
    base.trim().to_lowercase().split_whitespace().collect::<Vec<_>>().join("_")
}

/// Reads every sheet of the workbook in `bytes`. Sheet-level problems (bad cells,
/// duplicate headers, too many rows) are returned next to the tables read.
pub fn read_workbook(bytes: &[u8]) -> Result<(Vec<Table>, Vec<ImportError>), ImportErrors> {
    let outcome = std::panic::catch_unwind(|| read_workbook_inner(bytes));
    // A panic inside the spreadsheet library is a bug there, but it must not take the
    // server down: it is reported as an unreadable file.
    outcome.unwrap_or_else(|_| Err(not_xlsx("estructura interna dañada".into())))
}

fn not_xlsx(detail: String) -> ImportErrors {
    ImportErrors(vec![ImportError::new(Location::file(), ImportErrorKind::NotXlsx(detail))])
}

fn read_workbook_inner(bytes: &[u8]) -> Result<(Vec<Table>, Vec<ImportError>), ImportErrors> {
    // The spreadsheet library's own words (English) never reach the form author.
    let from_calamine = |_: calamine::XlsxError| not_xlsx("su contenido no se puede leer como hoja de cálculo (guárdelo de nuevo desde Excel o LibreOffice)".into());
    if bytes.is_empty() {
        return Err(not_xlsx("el archivo está vacío".into()));
    }
    // Nothing is built before the workbook is known to fit (zip bombs, millions of cells).
    match super::xlsx_guard::check(bytes, &super::xlsx_guard::XlsxLimits::default()) {
        Ok(()) => {}
        Err(super::xlsx_guard::GuardError::Limit(limit)) => {
            return Err(ImportErrors(vec![ImportError::new(Location::file(), ImportErrorKind::TooBig(limit))]));
        }
        Err(super::xlsx_guard::GuardError::Damaged(detail)) => return Err(not_xlsx(detail)),
    }
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(from_calamine)?;
    let mut tables = Vec::new();
    let mut problems = Vec::new();
    for name in book.sheet_names() {
        let mut reader = book.worksheet_cells_reader(&name).map_err(from_calamine)?;
        let mut grid: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
        let mut truncated = false;
        while let Some(cell) = reader.next_cell().map_err(from_calamine)? {
            let (row, col) = cell.get_position();
            if row >= MAX_ROWS || col >= MAX_COLUMNS {
                truncated = true;
                continue;
            }
            match cell_text(cell.get_value()) {
                Ok(text) if text.is_empty() => {}
                Ok(text) => {
                    grid.entry(row).or_default().insert(col, text);
                }
                Err(code) => problems.push(ImportError::new(
                    Location::row(&name, row + 1),
                    ImportErrorKind::CellError(code),
                )),
            }
        }
        if truncated {
            problems.push(ImportError::new(
                Location::sheet(&name),
                ImportErrorKind::BadValue {
                    value: format!("más de {MAX_ROWS} filas o {MAX_COLUMNS} columnas"),
                    expected: "la hoja es demasiado grande para un formulario",
                },
            ));
        }
        tables.push(build_table(name, grid, &mut problems));
    }
    Ok((tables, problems))
}

fn build_table(
    name: String,
    mut grid: BTreeMap<u32, BTreeMap<u32, String>>,
    problems: &mut Vec<ImportError>,
) -> Table {
    let Some((header_idx, header_cells)) = grid.pop_first() else {
        return Table { name, ..Table::default() };
    };
    let mut headers = BTreeMap::new();
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for (col, raw) in header_cells {
        let header = normalize_header(&raw);
        if seen.insert(header.clone(), col).is_some() {
            problems.push(ImportError::new(
                Location::row(&name, header_idx + 1),
                ImportErrorKind::DuplicateColumn(header.clone()),
            ));
            continue;
        }
        headers.insert(col, header);
    }
    let rows = grid
        .into_iter()
        .filter_map(|(idx, cells)| {
            let cells: BTreeMap<String, String> = cells
                .into_iter()
                .filter_map(|(col, text)| headers.get(&col).map(|h| (h.clone(), text)))
                .collect();
            (!cells.is_empty()).then_some(Row { number: idx + 1, cells })
        })
        .collect();
    Table { name, headers, rows, header_row: header_idx + 1 }
}

/// The text of one cell, trimmed; `Err` with the Excel error code for error cells.
fn cell_text(value: &DataRef<'_>) -> Result<String, String> {
    let text = match value {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => crate::expr::format_number(*f),
        DataRef::String(s) => s.trim().to_string(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::Bool(b) => if *b { "true" } else { "false" }.to_string(),
        DataRef::DateTime(dt) => crate::expr::format_number(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.trim().to_string(),
        DataRef::Error(e) => return Err(e.to_string()),
        DataRef::Empty => String::new(),
    };
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_normalised_but_languages_kept() {
        assert_eq!(normalize_header(" Label::Español (es) "), "label::Español (es)");
        assert_eq!(normalize_header("Constraint Message"), "constraint_message");
        assert_eq!(normalize_header("required_message::English (en)"), "required_message::English (en)");
    }

    #[test]
    fn empty_and_random_bytes_are_not_xlsx() {
        for bytes in [&b""[..], b"PK\x03\x04garbage", b"name,type\nfoo,text\n"] {
            let err = read_workbook(bytes).expect_err("not a workbook");
            assert!(matches!(err.0[0].kind, ImportErrorKind::NotXlsx(_)), "{err}");
        }
    }
}
