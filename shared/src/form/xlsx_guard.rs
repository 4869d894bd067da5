//! Bounds on an `.xlsx` upload, checked before any spreadsheet library builds anything.
//!
//! A workbook is a ZIP of XML parts. A 2 MB file can hold a `sharedStrings.xml` that
//! inflates to gigabytes, millions of tiny cells, thousands of sheets or styles nested
//! thousands deep, and a ZIP's declared sizes may lie. [`check`] inflates every part
//! through a counting reader (the bytes actually produced are counted, never the declared
//! size) and reads the XML parts as a stream of events, counting entries, inflated bytes,
//! sheets, rows, cells, strings, elements and nesting depth. It stops at the first limit
//! crossed, so the work and memory it spends are bounded by the limits themselves.

use std::io::{BufReader, Cursor, Read};

use quick_xml::events::Event;

/// What a workbook may hold. The defaults are generous for any XLSForm or centros list
/// (hundreds or thousands of rows) and small enough that reading stays well under a
/// second and a few tens of MiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XlsxLimits {
    /// Files inside the ZIP.
    pub entries: usize,
    /// Inflated bytes of one file inside the ZIP.
    pub entry_bytes: u64,
    /// Inflated bytes of the whole workbook.
    pub total_bytes: u64,
    /// Worksheets.
    pub sheets: usize,
    /// Rows over all sheets.
    pub rows: u64,
    /// Cells over all sheets, empty ones included.
    pub cells: u64,
    /// Entries of the shared-strings table.
    pub shared_strings: u64,
    /// Bytes of text (shared and inline strings, cell values) over the whole workbook.
    pub text_bytes: u64,
    /// XML elements over the whole workbook.
    pub elements: u64,
    /// Nesting depth of any XML part.
    pub depth: usize,
    /// Bytes of one XML event (a tag with its attributes, or one run of text): what the
    /// reader holds in memory at once. Excel caps a cell at 32,767 characters.
    pub event_bytes: u64,
}

impl Default for XlsxLimits {
    fn default() -> Self {
        Self {
            entries: 200,
            entry_bytes: 24 * 1024 * 1024,
            total_bytes: 64 * 1024 * 1024,
            sheets: 32,
            rows: 100_000,
            cells: 400_000,
            shared_strings: 200_000,
            text_bytes: 16 * 1024 * 1024,
            elements: 1_500_000,
            depth: 64,
            event_bytes: 1024 * 1024,
        }
    }
}

/// The limit a workbook crossed, named in Spanish for the person who uploaded it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XlsxLimit {
    #[error("el libro contiene más de {0} archivos internos")]
    Entries(usize),
    #[error("la parte «{name}» del libro se descomprime a más de {mib} MiB")]
    EntryBytes { name: String, mib: u64 },
    #[error("el libro se descomprime a más de {0} MiB en total")]
    TotalBytes(u64),
    #[error("el libro tiene más de {0} hojas")]
    Sheets(usize),
    #[error("el libro tiene más de {0} filas en total")]
    Rows(u64),
    #[error("el libro tiene más de {0} celdas en total (contando las vacías)")]
    Cells(u64),
    #[error("el libro tiene más de {0} textos compartidos")]
    SharedStrings(u64),
    #[error("el libro tiene más de {0} MiB de texto")]
    TextBytes(u64),
    #[error("el libro tiene más de {0} elementos XML")]
    Elements(u64),
    #[error("la parte «{name}» del libro anida elementos a más de {depth} niveles")]
    Depth { name: String, depth: usize },
    #[error("la parte «{name}» del libro tiene un texto o una etiqueta de más de {kib} KiB")]
    EventBytes { name: String, kib: u64 },
}

/// Why a workbook was not read: a limit crossed, or a file that is not a readable ZIP/XML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardError {
    Limit(XlsxLimit),
    Damaged(String),
}

impl From<XlsxLimit> for GuardError {
    fn from(l: XlsxLimit) -> Self {
        GuardError::Limit(l)
    }
}

/// Counts what the workbook holds, stopping at the first limit crossed.
pub fn check(bytes: &[u8], limits: &XlsxLimits) -> Result<(), GuardError> {
    // The library's own words (English) never reach the form author.
    let damaged = |_: zip::result::ZipError| GuardError::Damaged("no es un libro .xlsx o está dañado (guárdelo de nuevo desde Excel o LibreOffice)".into());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(damaged)?;
    if zip.len() > limits.entries {
        return Err(XlsxLimit::Entries(limits.entries).into());
    }
    let mut tally = Tally { limits, inflated: 0, sheets: 0, rows: 0, cells: 0, shared_strings: 0, text: 0, elements: 0 };
    for index in 0..zip.len() {
        let entry = zip.by_index(index).map_err(damaged)?;
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let budget = limits.entry_bytes.min(limits.total_bytes.saturating_sub(tally.inflated));
        let mut counted = Counted { inner: entry, read: 0, budget };
        let part = Part::of(&name);
        let outcome = if part == Part::Binary {
            std::io::copy(&mut counted, &mut std::io::sink()).map(|_| ()).map_err(|_| GuardError::Damaged(format!("la parte «{name}» del libro está dañada")))
        } else {
            tally.xml(&name, part, BufReader::with_capacity(64 * 1024, EventCap { inner: &mut counted, since: 0, cap: limits.event_bytes }))
        };
        let over_budget = counted.read > budget;
        tally.inflated += counted.read;
        if over_budget {
            return Err(if counted.read > limits.entry_bytes {
                XlsxLimit::EntryBytes { name, mib: limits.entry_bytes / 1024 / 1024 }
            } else {
                XlsxLimit::TotalBytes(limits.total_bytes / 1024 / 1024)
            }
            .into());
        }
        outcome?;
    }
    Ok(())
}

/// A reader that counts the inflated bytes and fails one byte past its budget.
struct Counted<R> {
    inner: R,
    read: u64,
    budget: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.read > self.budget {
            return Err(std::io::Error::other("over budget"));
        }
        let room = usize::try_from(self.budget + 1 - self.read).unwrap_or(usize::MAX).min(buf.len());
        let n = self.inner.read(&mut buf[..room])?;
        self.read += n as u64;
        if self.read > self.budget {
            return Err(std::io::Error::other("over budget"));
        }
        Ok(n)
    }
}

/// A reader that fails once more than `cap` bytes are read since the last XML event ended,
/// so that one endless run of text or one endless tag never grows the reader's buffer
/// past `cap` (plus the 64 KiB read ahead).
struct EventCap<R> {
    inner: R,
    since: u64,
    cap: u64,
}

impl<R: Read> Read for EventCap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.since > self.cap {
            return Err(std::io::Error::other("event over its cap"));
        }
        let n = self.inner.read(buf)?;
        self.since += n as u64;
        Ok(n)
    }
}

/// What a part of the workbook is, for what is counted in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Workbook,
    Worksheet,
    SharedStrings,
    OtherXml,
    Binary,
}

impl Part {
    fn of(name: &str) -> Part {
        let lower = name.to_ascii_lowercase();
        if lower == "xl/workbook.xml" {
            Part::Workbook
        } else if lower.starts_with("xl/worksheets/") && lower.ends_with(".xml") {
            Part::Worksheet
        } else if lower == "xl/sharedstrings.xml" {
            Part::SharedStrings
        } else if lower.ends_with(".xml") || lower.ends_with(".rels") || lower.ends_with(".vml") {
            Part::OtherXml
        } else {
            Part::Binary
        }
    }
}

struct Tally<'a> {
    limits: &'a XlsxLimits,
    inflated: u64,
    sheets: usize,
    rows: u64,
    cells: u64,
    shared_strings: u64,
    text: u64,
    elements: u64,
}

impl Tally<'_> {
    fn xml<R: Read>(&mut self, name: &str, part: Part, source: BufReader<EventCap<R>>) -> Result<(), GuardError> {
        let l = self.limits;
        let mut reader = quick_xml::Reader::from_reader(source);
        let mut buf = Vec::new();
        let mut depth = 0usize;
        loop {
            let read = reader.read_event_into(&mut buf);
            let cap = reader.get_mut().get_mut();
            if cap.since > cap.cap {
                return Err(XlsxLimit::EventBytes { name: name.to_string(), kib: l.event_bytes / 1024 }.into());
            }
            cap.since = 0;
            let event = read.map_err(|_| GuardError::Damaged(format!("la parte «{name}» del libro no se puede leer")))?;
            let (local, opens) = match &event {
                Event::Start(e) => (Some(e.local_name().into_inner().as_bytes().to_vec()), true),
                Event::Empty(e) => (Some(e.local_name().into_inner().as_bytes().to_vec()), false),
                Event::End(_) => {
                    depth = depth.saturating_sub(1);
                    (None, false)
                }
                Event::Text(t) => {
                    self.text += t.len() as u64;
                    (None, false)
                }
                Event::CData(t) => {
                    self.text += t.len() as u64;
                    (None, false)
                }
                Event::Eof => return Ok(()),
                _ => (None, false),
            };
            if self.text > l.text_bytes {
                return Err(XlsxLimit::TextBytes(l.text_bytes / 1024 / 1024).into());
            }
            if let Some(local) = local {
                self.elements += 1;
                if self.elements > l.elements {
                    return Err(XlsxLimit::Elements(l.elements).into());
                }
                if opens {
                    depth += 1;
                    if depth > l.depth {
                        return Err(XlsxLimit::Depth { name: name.to_string(), depth: l.depth }.into());
                    }
                }
                self.element(part, &local)?;
            }
            buf.clear();
        }
    }

    fn element(&mut self, part: Part, local: &[u8]) -> Result<(), XlsxLimit> {
        let l = self.limits;
        match (part, local) {
            (Part::Workbook, b"sheet") => {
                self.sheets += 1;
                if self.sheets > l.sheets {
                    return Err(XlsxLimit::Sheets(l.sheets));
                }
            }
            (Part::Worksheet, b"row") => {
                self.rows += 1;
                if self.rows > l.rows {
                    return Err(XlsxLimit::Rows(l.rows));
                }
            }
            (Part::Worksheet, b"c") => {
                self.cells += 1;
                if self.cells > l.cells {
                    return Err(XlsxLimit::Cells(l.cells));
                }
            }
            (Part::SharedStrings, b"si") => {
                self.shared_strings += 1;
                if self.shared_strings > l.shared_strings {
                    return Err(XlsxLimit::SharedStrings(l.shared_strings));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workbook(rows: u32, cols: u16) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for r in 0..rows {
            for c in 0..cols {
                ws.write_string(r, c, format!("r{r}c{c}")).expect("cell");
            }
        }
        wb.save_to_buffer().expect("xlsx")
    }

    #[test]
    fn a_workbook_within_the_limits_passes_and_each_count_has_its_limit() {
        let bytes = workbook(20, 5);
        assert_eq!(check(&bytes, &XlsxLimits::default()), Ok(()));
        let tight = |f: fn(&mut XlsxLimits)| {
            let mut l = XlsxLimits::default();
            f(&mut l);
            check(&bytes, &l)
        };
        assert_eq!(tight(|l| l.cells = 99), Err(XlsxLimit::Cells(99).into()));
        assert_eq!(tight(|l| l.rows = 19), Err(XlsxLimit::Rows(19).into()));
        assert_eq!(tight(|l| l.shared_strings = 50), Err(XlsxLimit::SharedStrings(50).into()));
        assert_eq!(tight(|l| l.entries = 3), Err(XlsxLimit::Entries(3).into()));
        assert!(matches!(tight(|l| l.depth = 2), Err(GuardError::Limit(XlsxLimit::Depth { depth: 2, .. }))));
        assert!(matches!(tight(|l| l.entry_bytes = 100), Err(GuardError::Limit(XlsxLimit::EntryBytes { .. }))));
        assert!(matches!(tight(|l| l.total_bytes = 2000), Err(GuardError::Limit(XlsxLimit::TotalBytes(_)))));
        assert!(matches!(tight(|l| l.text_bytes = 10), Err(GuardError::Limit(XlsxLimit::TextBytes(_)))));
        assert!(matches!(tight(|l| l.elements = 10), Err(GuardError::Limit(XlsxLimit::Elements(10)))));
        assert!(matches!(tight(|l| l.sheets = 0), Err(GuardError::Limit(XlsxLimit::Sheets(0)))));
        assert!(matches!(tight(|l| l.event_bytes = 100), Err(GuardError::Limit(XlsxLimit::EventBytes { kib: 0, .. }))));
    }

    #[test]
    fn the_default_instruments_fit() {
        for xlsx in [crate::instruments::ENCUESTA_XLSX, crate::instruments::CEDULA_XLSX] {
            assert_eq!(check(xlsx, &XlsxLimits::default()), Ok(()));
        }
    }

    #[test]
    fn not_a_zip_is_damaged_not_a_panic() {
        assert!(matches!(check(b"PK\x03\x04nada", &XlsxLimits::default()), Err(GuardError::Damaged(_))));
    }
}
