//! The `type` column: which XLSForm types we support, their aliases, and the named
//! refusal of those we do not.

use super::error::ImportErrorKind;
use super::model::{FieldKind, MetaKind};

/// What one survey row is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RowType {
    Field(FieldKind),
    BeginGroup,
    EndGroup,
    BeginRepeat,
    EndRepeat,
}

/// Parses a `type` cell (`select_one sexo`, `begin group`, `dateTime`, …).
pub(crate) fn parse_type(raw: &str) -> Result<RowType, ImportErrorKind> {
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
    if matches!(head, "select_one" | "select_multiple" | "select1") {
        return select(head, rest, list_name, raw);
    }
    if !rest.is_empty() {
        return Err(unsupported(head, raw));
    }
    let kind = match head {
        "begin_group" => return Ok(RowType::BeginGroup),
        "end_group" => return Ok(RowType::EndGroup),
        "begin_repeat" => return Ok(RowType::BeginRepeat),
        "end_repeat" => return Ok(RowType::EndRepeat),
        "text" | "string" => FieldKind::Text,
        "integer" | "int" => FieldKind::Integer,
        "decimal" => FieldKind::Decimal,
        "note" => FieldKind::Note,
        "date" => FieldKind::Date,
        "time" => FieldKind::Time,
        "datetime" => FieldKind::DateTime,
        "geopoint" => FieldKind::GeoPoint,
        "image" | "photo" => FieldKind::Image,
        "calculate" => FieldKind::Calculate,
        "range" => FieldKind::Range { start: 1.0, end: 10.0, step: 1.0 },
        "acknowledge" | "trigger" => FieldKind::Acknowledge,
        "start" => FieldKind::Meta(MetaKind::Start),
        "end" => FieldKind::Meta(MetaKind::End),
        "today" => FieldKind::Meta(MetaKind::Today),
        "deviceid" => FieldKind::Meta(MetaKind::DeviceId),
        "username" => FieldKind::Meta(MetaKind::Username),
        other => return Err(unsupported(other, raw)),
    };
    Ok(RowType::Field(kind))
}

fn select(
    head: &str,
    rest: &[&str],
    list_name: Option<String>,
    raw: &str,
) -> Result<RowType, ImportErrorKind> {
    let multiple = head == "select_multiple";
    match rest {
        [] => Err(ImportErrorKind::MissingListName(head.to_string())),
        [_] => {
            let list = list_name.unwrap_or_default();
            Ok(RowType::Field(if multiple {
                FieldKind::SelectMultiple { list }
            } else {
                FieldKind::SelectOne { list }
            }))
        }
        [_, "or_other"] => Err(ImportErrorKind::UnsupportedType(
            raw.trim().to_string(),
            "agregue una opción «otro» a la lista y una pregunta de texto con relevant",
        )),
        _ => Err(ImportErrorKind::UnknownType(raw.trim().to_string())),
    }
}

/// Types that exist in XLSForm but that Ventanilla does not support, with the reason.
fn unsupported(head: &str, raw: &str) -> ImportErrorKind {
    let reason = match head {
        "audio" | "video" | "file" | "background-audio" | "background_audio" => {
            "solo se admiten fotos (image) como evidencia"
        }
        "barcode" => "no hay lector de códigos en la app",
        "geotrace" | "geoshape" => "solo se admite geopoint",
        "select_one_from_file" | "select_multiple_from_file" => {
            "las listas deben estar en la hoja choices"
        }
        "rank" => "use preguntas select_one separadas",
        "hidden" | "xml-external" | "csv-external" => "no se usan datos externos",
        "audit" | "start-geopoint" | "simserial" | "subscriberid" | "phonenumber" | "email" => {
            "metadato no recolectado (solo start, end, today, deviceid, username)"
        }
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
        ];
        for (raw, expected) in cases {
            assert_eq!(parse_type(raw).expect(raw), expected, "{raw}");
        }
    }

    #[test]
    fn refuses_unsupported_types_by_name() {
        for raw in ["audio", "geotrace", "select_one_from_file lista.csv", "rank lista", "email"] {
            let err = parse_type(raw).expect_err(raw);
            assert!(matches!(err, ImportErrorKind::UnsupportedType(..) | ImportErrorKind::UnknownType(_)), "{raw}");
        }
        assert!(matches!(parse_type("audio").expect_err("x"), ImportErrorKind::UnsupportedType(..)));
        assert!(matches!(parse_type("select_one").expect_err("x"), ImportErrorKind::MissingListName(_)));
        assert!(matches!(parse_type("select_one l or_other").expect_err("x"), ImportErrorKind::UnsupportedType(..)));
        assert!(matches!(parse_type("texto").expect_err("x"), ImportErrorKind::UnknownType(_)));
    }
}
