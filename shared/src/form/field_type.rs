//! The `type` column: which XLSForm types we support, their aliases, and the named
//! refusal of those we do not.

use super::error::ImportErrorKind;
use super::model::{FieldKind, MetaKind};

/// What one survey row is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RowType {
    Field(FieldKind),
    /// `select_one L or_other` / `select_multiple L or_other`: the select, a choice `other`
    /// added to its list, and a text question `<name>_other` asked when it is chosen.
    FieldOrOther(FieldKind),
    BeginGroup,
    EndGroup,
    BeginRepeat,
    EndRepeat,
    /// `csv-external` / `xml-external` (with the instance in the `name` column): the data
    /// file `name.csv` / `name.xml` declared for `instance('name')` lookups; no question.
    External,
}

/// The types without a list or parameters, by their XLSForm name.
const SIMPLE: [(&str, FieldKind); 29] = [
    ("text", FieldKind::Text),
    ("integer", FieldKind::Integer),
    ("decimal", FieldKind::Decimal),
    ("note", FieldKind::Note),
    ("date", FieldKind::Date),
    ("time", FieldKind::Time),
    ("dateTime", FieldKind::DateTime),
    ("geopoint", FieldKind::GeoPoint),
    ("geotrace", FieldKind::GeoTrace),
    ("geoshape", FieldKind::GeoShape),
    ("image", FieldKind::Image),
    ("audio", FieldKind::Audio),
    ("video", FieldKind::Video),
    ("file", FieldKind::File),
    ("barcode", FieldKind::Barcode),
    ("hidden", FieldKind::Hidden),
    ("calculate", FieldKind::Calculate),
    ("acknowledge", FieldKind::Acknowledge),
    ("start", FieldKind::Meta(MetaKind::Start)),
    ("end", FieldKind::Meta(MetaKind::End)),
    ("today", FieldKind::Meta(MetaKind::Today)),
    ("deviceid", FieldKind::Meta(MetaKind::DeviceId)),
    ("username", FieldKind::Meta(MetaKind::Username)),
    ("start-geopoint", FieldKind::Meta(MetaKind::StartGeopoint)),
    ("audit", FieldKind::Meta(MetaKind::Audit)),
    ("phonenumber", FieldKind::Meta(MetaKind::PhoneNumber)),
    ("email", FieldKind::Meta(MetaKind::Email)),
    ("simserial", FieldKind::Meta(MetaKind::SimSerial)),
    ("subscriberid", FieldKind::Meta(MetaKind::SubscriberId)),
];

/// The XLSForm name of a type (as [`parse_type`] reads it back).
pub(crate) fn type_name(kind: &FieldKind) -> String {
    match kind {
        FieldKind::SelectOne { list } => format!("select_one {list}"),
        FieldKind::SelectMultiple { list } => format!("select_multiple {list}"),
        FieldKind::Rank { list } => format!("rank {list}"),
        FieldKind::Range { .. } => "range".into(),
        other => SIMPLE.iter().find(|(_, k)| k == other).map_or_else(String::new, |(name, _)| name.to_string()),
    }
}

/// Parses a `type` cell (`select_one sexo`, `begin group`, `dateTime`, …).
pub(crate) fn parse_type(raw: &str) -> Result<RowType, ImportErrorKind> {
    let canonical = legacy_spelling(raw);
    let raw = canonical.as_deref().unwrap_or(raw);
    let words: Vec<&str> = raw.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let (head, rest) = match lower.as_slice() {
        ["select", "one", rest @ ..] => ("select_one", rest),
        ["select", "multiple", rest @ ..] => ("select_multiple", rest),
        ["begin", "group"] => ("begin_group", &[][..]),
        ["end", "group"] => ("end_group", &[][..]),
        ["begin", "repeat"] => ("begin_repeat", &[][..]),
        ["end", "repeat"] => ("end_repeat", &[][..]),
        [head, rest @ ..] => (*head, rest),
        [] => return Err(ImportErrorKind::UnknownType(String::new())),
    };
    // The list name keeps its case as written.
    let list_name = words.get(words.len() - rest.len()).map(|s| s.to_string());
    if matches!(head, "select_one" | "select_multiple" | "select1" | "rank") {
        return select(head, rest, list_name, raw);
    }
    if let ("select_one_from_file" | "select_multiple_from_file", [_]) = (head, rest) {
        // The file name keeps its case; it must be a CSV or XML data file.
        let file = list_name.unwrap_or_default();
        if !matches!(crate::form::AttachmentKind::of(&file), Some(crate::form::AttachmentKind::Csv | crate::form::AttachmentKind::Xml)) {
            return Err(ImportErrorKind::BadValue { value: file, expected: "un archivo .csv o .xml adjunto al formulario" });
        }
        let multiple = head == "select_multiple_from_file";
        return Ok(RowType::Field(if multiple { FieldKind::SelectMultiple { list: file } } else { FieldKind::SelectOne { list: file } }));
    }
    if let ("csv-external" | "xml-external", []) = (head, rest) {
        return Ok(RowType::External);
    }
    if !rest.is_empty() {
        return Err(unsupported(head, raw));
    }
    let kind = match head {
        "begin_group" => return Ok(RowType::BeginGroup),
        "end_group" => return Ok(RowType::EndGroup),
        "begin_repeat" => return Ok(RowType::BeginRepeat),
        "end_repeat" => return Ok(RowType::EndRepeat),
        "string" => FieldKind::Text,
        "int" => FieldKind::Integer,
        "photo" => FieldKind::Image,
        "trigger" => FieldKind::Acknowledge,
        "range" => FieldKind::Range { start: 1.0, end: 10.0, step: 1.0 },
        other => match SIMPLE.iter().find(|(name, _)| name.eq_ignore_ascii_case(other)) {
            Some((_, kind)) => kind.clone(),
            None => return Err(unsupported(other, raw)),
        },
    };
    Ok(RowType::Field(kind))
}

/// The older spellings pyxform still reads (`select all that apply l`, `add integer
/// prompt`, `get start time`, `location`, `begin looped group`…), as today's type.
fn legacy_spelling(raw: &str) -> Option<String> {
    let lower = raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    const PREFIXES: [(&str, &str); 6] = [
        ("select all that apply from ", "select_multiple "),
        ("select all that apply ", "select_multiple "),
        ("select_all_that_apply ", "select_multiple "),
        ("add select one prompt using ", "select_one "),
        ("add select multiple prompt using ", "select_multiple "),
        ("select one from ", "select_one "),
    ];
    for (old, new) in PREFIXES {
        if lower.starts_with(old) {
            // The list name keeps its case: it is the last word as written.
            let list = raw.split_whitespace().last().unwrap_or_default();
            return Some(format!("{new}{list}"));
        }
    }
    let whole = match lower.as_str() {
        "add integer prompt" | "integer prompt" | "q integer" => "integer",
        "add decimal prompt" | "q decimal" => "decimal",
        "add text prompt" | "q string" => "text",
        "add date prompt" | "q date" => "date",
        "add time prompt" | "q time" => "time",
        "add datetime prompt" | "q datetime" => "datetime",
        "add note prompt" | "note prompt" | "q note" => "note",
        "add image prompt" | "q picture" | "q image" => "image",
        "add location prompt" | "location" | "gps" | "q location" => "geopoint",
        "add acknowledge prompt" | "q acknowledge" => "acknowledge",
        "add calculate prompt" => "calculate",
        "get start time" => "start",
        "get end time" => "end",
        "get today" => "today",
        "get device id" | "imei" => "deviceid",
        "get username" => "username",
        "begin looped group" | "looped group" => "begin_repeat",
        "end looped group" => "end_repeat",
        _ => return None,
    };
    Some(whole.to_string())
}

fn select(
    head: &str,
    rest: &[&str],
    list_name: Option<String>,
    raw: &str,
) -> Result<RowType, ImportErrorKind> {
    let of = |list: String| match head {
        "select_multiple" => FieldKind::SelectMultiple { list },
        "rank" => FieldKind::Rank { list },
        _ => FieldKind::SelectOne { list },
    };
    match rest {
        [] => Err(ImportErrorKind::MissingListName(head.to_string())),
        [_] => Ok(RowType::Field(of(list_name.unwrap_or_default()))),
        [_, "or_other"] if head != "rank" => Ok(RowType::FieldOrOther(of(list_name.unwrap_or_default()))),
        _ => Err(ImportErrorKind::UnknownType(raw.trim().to_string())),
    }
}

/// Types that exist in XLSForm but that Ventanilla does not support, with the reason.
fn unsupported(head: &str, raw: &str) -> ImportErrorKind {
    let reason = match head {
        "background-audio" | "background_audio" => "la app no graba audio de fondo; use una pregunta audio",
        "start-geotrace" | "start_geotrace" => "la app no sigue la ruta del dispositivo; use una pregunta geotrace",
        _ => return ImportErrorKind::UnknownType(raw.trim().to_string()),
    };
    ImportErrorKind::UnsupportedType(raw.trim().to_string(), reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_supported_types_and_their_spellings() {
        let cases = [
            ("text", RowType::Field(FieldKind::Text)),
            ("dateTime", RowType::Field(FieldKind::DateTime)),
            ("select_one Sexo", RowType::Field(FieldKind::SelectOne { list: "Sexo".into() })),
            ("select one sexo", RowType::Field(FieldKind::SelectOne { list: "sexo".into() })),
            ("select_multiple  tramites", RowType::Field(FieldKind::SelectMultiple { list: "tramites".into() })),
            ("begin group", RowType::BeginGroup),
            ("begin_repeat", RowType::BeginRepeat),
            ("End Repeat", RowType::EndRepeat),
            ("deviceid", RowType::Field(FieldKind::Meta(MetaKind::DeviceId))),
            ("select all that apply Tramites", RowType::Field(FieldKind::SelectMultiple { list: "Tramites".into() })),
            ("add select one prompt using sexo", RowType::Field(FieldKind::SelectOne { list: "sexo".into() })),
            ("get start time", RowType::Field(FieldKind::Meta(MetaKind::Start))),
            ("gps", RowType::Field(FieldKind::GeoPoint)),
            ("add integer prompt", RowType::Field(FieldKind::Integer)),
            ("begin looped group", RowType::BeginRepeat),
            ("geoshape", RowType::Field(FieldKind::GeoShape)),
            ("rank Prioridades", RowType::Field(FieldKind::Rank { list: "Prioridades".into() })),
            ("select_one ${miembro}", RowType::Field(FieldKind::SelectOne { list: "${miembro}".into() })),
            ("start-geopoint", RowType::Field(FieldKind::Meta(MetaKind::StartGeopoint))),
            ("subscriberid", RowType::Field(FieldKind::Meta(MetaKind::SubscriberId))),
            ("select_one_from_file Municipios.csv", RowType::Field(FieldKind::SelectOne { list: "Municipios.csv".into() })),
            ("select_multiple_from_file of.xml", RowType::Field(FieldKind::SelectMultiple { list: "of.xml".into() })),
            ("csv-external", RowType::External),
        ];
        for (_, kind) in SIMPLE.iter() {
            assert_eq!(parse_type(&type_name(kind)).expect("round trip"), RowType::Field(kind.clone()));
        }
        for (raw, expected) in cases {
            assert_eq!(parse_type(raw).expect(raw), expected, "{raw}");
        }
    }

    #[test]
    fn refuses_unsupported_types_by_name() {
        for raw in ["background-audio", "rank lista x", "select_one l otro", "csv-external precios"] {
            let err = parse_type(raw).expect_err(raw);
            assert!(matches!(err, ImportErrorKind::UnsupportedType(..) | ImportErrorKind::UnknownType(_)), "{raw}");
        }
        assert!(matches!(parse_type("select_one_from_file lista.txt").expect_err("x"), ImportErrorKind::BadValue { .. }));
        assert!(matches!(parse_type("start-geotrace").expect_err("x"), ImportErrorKind::UnsupportedType(..)));
        assert!(matches!(parse_type("select_one").expect_err("x"), ImportErrorKind::MissingListName(_)));
        assert_eq!(parse_type("select_one Lista or_other").expect("or_other"), RowType::FieldOrOther(FieldKind::SelectOne { list: "Lista".into() }));
        assert!(matches!(parse_type("texto").expect_err("x"), ImportErrorKind::UnknownType(_)));
    }
}
