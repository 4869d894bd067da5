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
    if let Some(t) = plain_datetime(local) {
        return Some(t);
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(local, fmt).ok())
}

/// The usual shape, `YYYY-MM-DDTHH:MM:SS` with an optional fraction of up to nine digits,
/// read without interpreting a format string (every record's start and end times are read
/// this way); `None` for anything else, which the formats then read.
fn plain_datetime(t: &str) -> Option<NaiveDateTime> {
    let b = t.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    };
    let nanos = match &b[19..] {
        [] => 0,
        [b'.', digits @ ..] if (1..=9).contains(&digits.len()) => {
            let n = num(20, b.len())?;
            n * 10u32.pow(9 - digits.len() as u32)
        }
        _ => return None,
    };
    let (second, minute, hour) = (num(17, 19)?, num(14, 16)?, num(11, 13)?);
    if second > 59 {
        return None;
    }
    let date = chrono::NaiveDate::from_ymd_opt(i32::try_from(num(0, 4)?).ok()?, num(5, 7)?, num(8, 10)?)?;
    date.and_hms_nano_opt(hour, minute, second, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path reads exactly what the formats read, and leaves the rest to them.
    #[test]
    fn the_usual_datetime_shape_reads_as_the_formats_read_it() {
        let formats = |t: &str| {
            ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S"].iter().find_map(|fmt| NaiveDateTime::parse_from_str(t, fmt).ok())
        };
        let cases = [
            "2025-06-01T09:00:00",
            "2025-06-01T09:00:00.5",
            "2025-06-01T23:59:59.123456789",
            "2024-02-29T12:30:45.000",
            "2025-02-29T12:30:45",
            "2025-13-01T00:00:00",
            "2025-06-31T00:00:00",
            "2025-06-01T24:00:00",
            "2025-06-01T09:60:00",
            "2025-06-01T09:00:60",
            "2025-06-01T09:00:00.",
            "2025-06-01T09:00:00.1234567890",
            "2025-06-01T09:00:0x",
            "2025-06-01 09:00:00",
            "0001-01-01T00:00:00",
            "9999-12-31T23:59:59.999999999",
            "2025-6-01T09:00:00",
            "+2025-06-01T09:00:00",
        ];
        for t in cases {
            if let Some(fast) = plain_datetime(t) {
                assert_eq!(Some(fast), formats(t), "{t}");
            }
        }
        for t in ["2025-06-01T09:00:00", "2025-06-01T09:00:00.5", "2025-06-01T23:59:59.123456789"] {
            assert!(plain_datetime(t).is_some(), "{t} takes the fast path");
        }
        assert_eq!(parse_datetime("2025-06-01T09:00:60"), formats("2025-06-01T09:00:60"), "a leap second goes to the formats");
        assert_eq!(parse_datetime("2025-06-01T09:00:00.250-06:00").map(|t| t.and_utc().timestamp_subsec_millis()), Some(250));
    }

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
