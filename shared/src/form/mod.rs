//! Forms: the XLSForm spreadsheet format, imported into a [`Form`] once, then used to
//! drive the app's screens and to validate submissions on the device and on the server.

mod attachments;
mod catalog;
pub mod centro_lists;
mod error;
mod field_type;
mod import;
mod model;
mod render;
mod sheet;
mod xlsx_guard;

pub use attachments::{Attachment, AttachmentError, AttachmentKind, Dataset, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, MAX_ATTACHMENTS_TOTAL_BYTES, instance_name, is_valid_file_name};
pub use catalog::{PublishError, Published, fingerprint, publish_rule};
pub use error::{ImportError, ImportErrorKind, ImportErrors, Location};
pub use import::{Imported, import_with_files, import_xlsx, import_xlsx_named};
pub use model::{
    Choice, ChoiceList, Evidence, Field, FieldKind, Flag, Form, Group, Item, ItemScoring,
    MetaKind, Scoring, Text,
};
pub use render::render_text;
pub use sheet::{MAX_COLUMNS, MAX_ROWS, Row, Table, read_workbook};
pub use xlsx_guard::{XlsxLimit, XlsxLimits};

use chrono::NaiveDateTime;

/// True for a valid question, group or list name: a letter or `_` first, then letters,
/// digits, `_`, `-` or `.` (the XML name rule XLSForm tools apply).
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else { return false };
    (first.is_alphabetic() || first == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Parses an XLSForm `dateTime` answer: `YYYY-MM-DDTHH:MM[:SS[.fff]]`, with an optional
/// UTC offset (`Z`, `-06:00`) which is dropped: times are the centro's local time.
pub fn parse_datetime(raw: &str) -> Option<NaiveDateTime> {
    let t = raw.trim();
    let t = t.strip_suffix('Z').unwrap_or(t);
    let local = match t.get(19..) {
        Some(tail) => {
            let cut = tail.find(['+', '-']).map_or(t.len(), |i| 19 + i);
            &t[..cut]
        }
        None => t,
    };
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(local, fmt).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_xml_rule() {
        for ok in ["AG1", "_x", "edad_años", "p.1", "a-b"] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in ["", "1a", "a b", "a$", "-a", "${a}"] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn datetimes_with_offsets_keep_local_time() {
        let a = parse_datetime("2025-03-01T10:15:00.000-06:00").expect("valid");
        assert_eq!(a.to_string(), "2025-03-01 10:15:00");
        assert!(parse_datetime("2025-03-01T10:15Z").is_some());
        assert!(parse_datetime("2025-13-01T10:15").is_none());
        assert!(parse_datetime("ayer").is_none());
    }
}
