//! Builds XLSForm workbooks in memory for tests, the way a spreadsheet program saves them:
//! cells that look like numbers are written as numbers.

#![allow(dead_code)]

use rust_xlsxwriter::Workbook;

/// A workbook under construction: sheets of rows of cells.
#[derive(Default)]
pub struct Book {
    sheets: Vec<(String, Vec<Vec<String>>)>,
}

/// Starts an empty workbook.
pub fn book() -> Book {
    Book::default()
}

impl Book {
    /// Adds a sheet with rows written from row 1, column A.
    pub fn sheet(mut self, name: &str, rows: &[&[&str]]) -> Self {
        let rows = rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        self.sheets.push((name.to_string(), rows));
        self
    }

    /// A `settings` sheet with a form id and version.
    pub fn settings(self, form_id: &str, version: &str) -> Self {
        self.sheet("settings", &[&["form_id", "version", "form_title"], &[form_id, version, "Prueba"]])
    }

    /// The `.xlsx` bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        for (name, rows) in &self.sheets {
            let ws = wb.add_worksheet();
            ws.set_name(name).expect("valid sheet name");
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    if cell.is_empty() {
                        continue;
                    }
                    let (r, c) = (r as u32, c as u16);
                    match cell.parse::<f64>() {
                        Ok(n) if !cell.starts_with('+') && n.is_finite() => ws.write_number(r, c, n),
                        _ => ws.write_string(r, c, cell),
                    }
                    .expect("cell written");
                }
            }
        }
        wb.save_to_buffer().expect("workbook saved")
    }
}
