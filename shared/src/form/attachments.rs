//! Files published with a form: data (CSV, XML) that `select_one_from_file`,
//! `instance('name')/root/item[…]` and `pulldata()` read, and media (images, audio, video)
//! shown beside questions. Checked against their limits before they are parsed.

use std::collections::BTreeMap;

/// At most this many files with one form.
pub const MAX_ATTACHMENTS: usize = 30;
/// One file at most this large (a CSV of every locality of a state fits).
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// All of a form's files together at most this large: phones download them with the form.
pub const MAX_ATTACHMENTS_TOTAL_BYTES: usize = 20 * 1024 * 1024;
/// A data file has at most this many rows.
pub const MAX_DATASET_ROWS: usize = 100_000;
/// A data file has at most this many columns.
pub const MAX_DATASET_COLUMNS: usize = 100;

/// One file as uploaded: its name (no folders) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What an attached file is, by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    Csv,
    Xml,
    /// An image, audio or video file for `media::…` columns.
    Media,
}

impl AttachmentKind {
    /// The kind of a file name, `None` for one the form cannot use.
    pub fn of(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "csv" => AttachmentKind::Csv,
            "xml" => AttachmentKind::Xml,
            "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" | "mp3" | "m4a" | "ogg" | "wav" | "mp4" | "webm" => AttachmentKind::Media,
            _ => return None,
        })
    }
}

/// The table of a CSV or XML file: its column names and its rows (each as long as the
/// columns). Invariant: at most [`MAX_DATASET_ROWS`] rows, [`MAX_DATASET_COLUMNS`] columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dataset {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Dataset {
    /// The index of column `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// Row `row`'s value in column `name` (`""` when either is missing).
    pub fn value(&self, row: usize, name: &str) -> &str {
        self.column(name).and_then(|c| self.rows.get(row)?.get(c)).map_or("", String::as_str)
    }
}

/// Why an attachment cannot be used. Messages in Spanish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    #[error("el nombre de archivo «{0}» no es válido: use letras, números, «_», «-» y «.», sin carpetas")]
    BadName(String),
    #[error("«{0}» no es un archivo que un formulario use (CSV, XML, imagen, audio o video)")]
    UnknownKind(String),
    #[error("se adjuntó dos veces «{0}»")]
    Duplicate(String),
    #[error("se adjuntaron más de {MAX_ATTACHMENTS} archivos")]
    TooMany,
    #[error("«{0}» pesa más de {mb} MB", mb = MAX_ATTACHMENT_BYTES / (1024 * 1024))]
    TooLarge(String),
    #[error("los archivos adjuntos pesan juntos más de {mb} MB", mb = MAX_ATTACHMENTS_TOTAL_BYTES / (1024 * 1024))]
    TooLargeTogether,
    #[error("«{name}» no se pudo leer: {why}")]
    Unreadable { name: String, why: String },
}

/// True for a file name a form may reference: 1–100 characters of letters, digits, `_`,
/// `-` and `.`, not starting with a dot.
pub fn is_valid_file_name(name: &str) -> bool {
    (1..=100).contains(&name.len())
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// The instance name of a data file (`municipios.csv` → `municipios`).
pub fn instance_name(file: &str) -> &str {
    file.rsplit_once('.').map_or(file, |(stem, _)| stem)
}

/// A form's files, checked: the data files parsed by instance name, the media names.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub datasets: BTreeMap<String, Dataset>,
    /// File name of each data file, by instance name.
    pub data_files: BTreeMap<String, String>,
    pub media: Vec<String>,
}

/// Checks every file (names, kinds, sizes, then contents) and parses the data files;
/// every problem is returned at once.
pub fn check(files: &[Attachment]) -> Result<Checked, Vec<AttachmentError>> {
    let mut errors = Vec::new();
    if files.len() > MAX_ATTACHMENTS {
        return Err(vec![AttachmentError::TooMany]);
    }
    if files.iter().map(|f| f.bytes.len()).sum::<usize>() > MAX_ATTACHMENTS_TOTAL_BYTES {
        return Err(vec![AttachmentError::TooLargeTogether]);
    }
    let mut out = Checked::default();
    let mut seen: Vec<&str> = Vec::new();
    for f in files {
        if !is_valid_file_name(&f.name) {
            errors.push(AttachmentError::BadName(f.name.chars().take(120).collect()));
            continue;
        }
        if seen.contains(&f.name.as_str()) {
            errors.push(AttachmentError::Duplicate(f.name.clone()));
            continue;
        }
        seen.push(&f.name);
        if f.bytes.len() > MAX_ATTACHMENT_BYTES {
            errors.push(AttachmentError::TooLarge(f.name.clone()));
            continue;
        }
        let parsed = match AttachmentKind::of(&f.name) {
            None => {
                errors.push(AttachmentError::UnknownKind(f.name.clone()));
                continue;
            }
            Some(AttachmentKind::Media) => {
                out.media.push(f.name.clone());
                continue;
            }
            Some(AttachmentKind::Csv) => parse_csv(&f.bytes),
            Some(AttachmentKind::Xml) => parse_xml(&f.bytes),
        };
        match parsed {
            Ok(data) => {
                let instance = instance_name(&f.name).to_string();
                if out.data_files.insert(instance.clone(), f.name.clone()).is_some() {
                    errors.push(AttachmentError::Duplicate(instance.clone()));
                }
                out.datasets.insert(instance, data);
            }
            Err(why) => errors.push(AttachmentError::Unreadable { name: f.name.clone(), why }),
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// A CSV file: the first row names the columns (UTF-8, `,` or `;` separated).
fn parse_csv(bytes: &[u8]) -> Result<Dataset, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "no está en UTF-8".to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).has_headers(true).from_reader(text.as_bytes());
    let columns: Vec<String> = reader.headers().map_err(|_| "la primera fila no se pudo leer".to_string())?.iter().map(|h| h.trim().to_string()).collect();
    check_columns(&columns)?;
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        if i >= MAX_DATASET_ROWS {
            return Err(format!("tiene más de {MAX_DATASET_ROWS} filas"));
        }
        let record = record.map_err(|_| format!("la fila {} no se pudo leer", i + 2))?;
        let mut row: Vec<String> = record.iter().take(columns.len()).map(str::to_string).collect();
        row.resize(columns.len(), String::new());
        rows.push(row);
    }
    Ok(Dataset { columns, rows })
}

fn check_columns(columns: &[String]) -> Result<(), String> {
    if columns.is_empty() || columns.iter().all(String::is_empty) {
        return Err("no tiene encabezados".into());
    }
    if columns.len() > MAX_DATASET_COLUMNS {
        return Err(format!("tiene más de {MAX_DATASET_COLUMNS} columnas"));
    }
    Ok(())
}

/// An XML file as ODK reads one: `<root><item><name>…</name><label>…</label></item>…</root>`;
/// each element inside an `item` is a column.
fn parse_xml(bytes: &[u8]) -> Result<Dataset, String> {
    use quick_xml::events::Event;
    let text = std::str::from_utf8(bytes).map_err(|_| "no está en UTF-8".to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    let (mut depth, mut columns, mut items): (usize, Vec<String>, Vec<BTreeMap<String, String>>) = (0, Vec::new(), Vec::new());
    let mut field: Option<String> = None;
    let mut closed_root = false;
    loop {
        let event = reader.read_event().map_err(|_| format!("no es XML válido (cerca del carácter {})", reader.error_position()))?;
        let mut append = |piece: &str| {
            if let (Some(item), Some(f)) = (items.last_mut(), &field) {
                item.entry(f.clone()).or_default().push_str(piece);
            }
        };
        match event {
            Event::Start(e) => {
                depth += 1;
                let name = e.local_name().as_ref().to_string();
                match depth {
                    2 => {
                        if items.len() >= MAX_DATASET_ROWS {
                            return Err(format!("tiene más de {MAX_DATASET_ROWS} elementos item"));
                        }
                        items.push(BTreeMap::new());
                    }
                    3 => {
                        if !columns.contains(&name) {
                            columns.push(name.clone());
                        }
                        field = Some(name);
                    }
                    _ => {}
                }
            }
            Event::Empty(e) if depth == 2 => {
                let name = e.local_name().as_ref().to_string();
                if !columns.contains(&name) {
                    columns.push(name.clone());
                }
                if let Some(item) = items.last_mut() {
                    item.insert(name, String::new());
                }
            }
            Event::Text(t) if depth == 3 => append(&t.into_inner()),
            Event::CData(t) if depth == 3 => append(&t.into_inner()),
            Event::GeneralRef(r) if depth == 3 => {
                let name = r.into_inner();
                let resolved = match name.as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    n => n
                        .strip_prefix("#x")
                        .map(|h| u32::from_str_radix(h, 16))
                        .or_else(|| n.strip_prefix('#').map(str::parse::<u32>))
                        .and_then(Result::ok)
                        .and_then(char::from_u32),
                };
                append(&resolved.ok_or_else(|| format!("usa la entidad desconocida «&{name};»"))?.to_string());
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth < 3 {
                    field = None;
                }
                closed_root |= depth == 0;
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !closed_root {
        return Err("no es XML válido: el elemento raíz no se cierra".into());
    }
    check_columns(&columns)?;
    let rows = items.into_iter().map(|item| columns.iter().map(|c| item.get(c).map_or_else(String::new, |v| v.trim().to_string())).collect()).collect();
    Ok(Dataset { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, bytes: &[u8]) -> Attachment {
        Attachment { name: name.into(), bytes: bytes.to_vec() }
    }

    #[test]
    fn csv_and_xml_files_become_tables() {
        let checked = check(&[
            file("municipios.csv", "\u{feff}name,label,estado\nleon,León,gto\nsanfe,\"San Felipe\"\n".as_bytes()),
            file("oficinas.xml", b"<root><item><name>of1</name><label>Centro &amp; Norte</label></item><item><name>of2</name><label/></item></root>"),
            file("logo.png", b"\x89PNG"),
            file("puntos.csv", "clave;valor\na;1\n".as_bytes()),
        ])
        .expect("valid files");
        let m = &checked.datasets["municipios"];
        assert_eq!(m.columns, ["name", "label", "estado"]);
        assert_eq!((m.value(0, "label"), m.value(1, "estado"), m.value(5, "name")), ("León", "", ""));
        let o = &checked.datasets["oficinas"];
        assert_eq!((o.rows.len(), o.value(0, "label"), o.value(1, "label")), (2, "Centro & Norte", ""));
        assert_eq!(checked.datasets["puntos"].value(0, "valor"), "1", "semicolon-separated");
        assert_eq!(checked.media, ["logo.png"]);
    }

    #[test]
    fn bad_files_are_named_all_at_once() {
        let errors = check(&[
            file("../etc/passwd.csv", b"a\n1"),
            file("datos.exe", b"MZ"),
            file("roto.xml", b"<root><item>"),
            file("latin1.csv", b"name\n\xe9\n"),
            file("doble.csv", b"a\n"),
            file("doble.csv", b"a\n"),
        ])
        .expect_err("refused");
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(matches!(errors[0], AttachmentError::BadName(_)));
        assert!(matches!(errors[1], AttachmentError::UnknownKind(_)));
        assert!(matches!(errors[3], AttachmentError::Unreadable { .. }));
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        assert_eq!(check(&[file("grande.csv", &big)]).expect_err("too large"), [AttachmentError::TooLarge("grande.csv".into())]);
    }
}
