//! Values checked at the boundary: what the JSON shapes let through but no real record can
//! hold (a latitude of 300, a survey dated in the year 9999, a negative accuracy), refused
//! with the field named; and JSON that does not fit its shape, explained by field in
//! Spanish.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::de::DeserializeOwned;

use super::{DeviceLedger, GeoPosition, Submission};

/// The earliest and latest years a record may be dated in.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2099;

/// Largest positioning accuracy taken as a measurement, in metres (a worse fix is no fix).
pub const MAX_ACCURACY_M: f64 = 100_000.0;

/// Most photos a record may name with their items.
pub const MAX_PHOTO_ITEMS: usize = 500;

/// A value out of its range: the field, and why, in Spanish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("«{field}»: {message}")]
pub struct OutOfRange {
    pub field: String,
    pub message: String,
}

fn out(field: &str, message: impl Into<String>) -> OutOfRange {
    OutOfRange { field: field.to_string(), message: message.into() }
}

/// A date within [`YEARS`].
pub fn check_date(field: &str, date: NaiveDate) -> Result<(), OutOfRange> {
    if YEARS.contains(&date.year()) {
        Ok(())
    } else {
        Err(out(field, format!("la fecha {date} está fuera del rango {}–{}", YEARS.start(), YEARS.end())))
    }
}

/// A time within [`YEARS`].
pub fn check_time(field: &str, at: &DateTime<FixedOffset>) -> Result<(), OutOfRange> {
    check_date(field, at.date_naive())
}

/// A position on Earth with a non-negative accuracy.
pub fn check_position(field: &str, p: &GeoPosition) -> Result<(), OutOfRange> {
    if !p.lat.is_finite() || !(-90.0..=90.0).contains(&p.lat) {
        return Err(out(&format!("{field}.lat"), format!("la latitud {} está fuera de [-90, 90]", p.lat)));
    }
    if !p.lon.is_finite() || !(-180.0..=180.0).contains(&p.lon) {
        return Err(out(&format!("{field}.lon"), format!("la longitud {} está fuera de [-180, 180]", p.lon)));
    }
    if let Some(a) = p.accuracy_m
        && (!a.is_finite() || !(0.0..=MAX_ACCURACY_M).contains(&a))
    {
        return Err(out(&format!("{field}.accuracy_m"), format!("la precisión {a} m debe estar entre 0 y {MAX_ACCURACY_M} m")));
    }
    Ok(())
}

impl Submission {
    /// Its times, position and sampling position are values a real record can hold.
    pub fn check_ranges(&self) -> Result<(), OutOfRange> {
        check_time("started_at", &self.started_at)?;
        check_time("finalised_at", &self.finalised_at)?;
        if let Some(p) = &self.meta.position {
            check_position("meta.position", p)?;
        }
        if self.meta.sampling_position == Some(0) {
            return Err(out("meta.sampling_position", "la posición en el conteo empieza en 1"));
        }
        if self.meta.photo_items.len() > MAX_PHOTO_ITEMS {
            return Err(out("meta.photo_items", format!("son más de {MAX_PHOTO_ITEMS}")));
        }
        if let Some(p) = self.meta.photo_items.iter().find(|p| p.item.chars().count() > 200) {
            return Err(out("meta.photo_items", format!("el reactivo «{}…» pasa de 200 caracteres", p.item.chars().take(20).collect::<String>())));
        }
        Ok(())
    }
}

impl DeviceLedger {
    /// Its date is within [`YEARS`] (its counts are unsigned by type).
    pub fn check_ranges(&self) -> Result<(), OutOfRange> {
        check_date("ledger.date", self.date)
    }
}

/// Why `bytes` do not read as a `T`: the field's path and the reason in Spanish, or
/// `None` when they do. Slower than a plain read; call it only once a read has failed.
pub fn explain<T: DeserializeOwned>(bytes: &[u8]) -> Option<(String, String)> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let err = serde_path_to_error::deserialize::<_, T>(&mut de).err()?;
    let path = err.path().to_string();
    Some((if path == "." { String::new() } else { path }, spanish(err.inner())))
}

/// A serde type description in Spanish («a string» → «texto», `u32` → «número entero»).
fn kind_es(english: &str) -> String {
    let t = english.trim().trim_start_matches("a ").trim_start_matches("an ");
    let t = t.split('`').nth(1).unwrap_or(t);
    let said = match t {
        "string" | "str" | "char" | "string or map" => "texto",
        "sequence" | "tuple" => "una lista",
        "map" => "un objeto",
        "boolean" | "bool" => "verdadero o falso",
        "null" | "unit" | "unit value" | "none" => "nulo",
        "floating point" | "f64" | "f32" => "un número",
        "integer" | "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" => "un número entero",
        _ if t.starts_with("integer") => "un número entero",
        _ if t.starts_with("floating point") => "un número",
        _ if t.starts_with("string") => "texto",
        _ if t.starts_with("struct") || t.starts_with("map") => "un objeto",
        _ if t.starts_with("sequence") || t.starts_with("tuple") => "una lista",
        _ if t.starts_with("boolean") => "verdadero o falso",
        _ if t.starts_with("unit") || t.starts_with("null") => "nulo",
        _ => "otro tipo de valor",
    };
    said.to_string()
}

/// A serde_json error's reason in Spanish: the kinds of error people make are named (the
/// field's name and the accepted values kept as they are), and any other one is said in
/// general terms, never in serde's English.
pub fn spanish(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match e.classify() {
        Category::Eof => return "el JSON está incompleto".into(),
        Category::Syntax => return format!("el JSON está mal formado (línea {}, columna {})", e.line(), e.column()),
        Category::Io => return "no se pudo leer el cuerpo".into(),
        Category::Data => {}
    }
    let text = e.to_string();
    let reason = text.split(" at line ").next().unwrap_or(&text);
    let named = |rest: &str| rest.split('`').nth(1).map(|f| format!("«{f}»")).unwrap_or_default();
    if reason.starts_with("invalid value: integer `-") {
        return "no puede ser negativo".into();
    }
    if let Some(rest) = reason.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let found = found.split(' ').next().map(|k| kind_es(k.trim_end_matches(','))).unwrap_or_default();
        return format!("tipo inválido: llegó {found}; se esperaba {}", kind_es(expected));
    }
    if let Some(rest) = reason.strip_prefix("missing field ") {
        return format!("falta el campo {}", named(rest));
    }
    if let Some(rest) = reason.strip_prefix("unknown field ") {
        return format!("campo desconocido {}", named(rest.split(", expected").next().unwrap_or(rest)));
    }
    if let Some(rest) = reason.strip_prefix("duplicate field ") {
        return format!("el campo {} está repetido", named(rest));
    }
    if let Some(rest) = reason.strip_prefix("unknown variant ") {
        let (value, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let allowed: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return if allowed.is_empty() {
            format!("valor desconocido {}", named(value))
        } else {
            format!("valor desconocido {}; se admite {}", named(value), allowed.iter().map(|a| format!("«{a}»")).collect::<Vec<_>>().join(", "))
        };
    }
    if reason.starts_with("invalid value: integer") || reason.starts_with("number out of range") {
        return "número fuera de rango".into();
    }
    if let Some(rest) = reason.strip_prefix("invalid length ") {
        return format!("número de elementos no válido ({})", rest.split(',').next().unwrap_or(rest));
    }
    if reason.starts_with("invalid value: string") || reason.starts_with("input contains invalid characters") || reason.contains("invalid character") {
        return "el texto no tiene el formato esperado".into();
    }
    "un valor no tiene el tipo o el formato esperado".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_outside_the_earth_and_negative_accuracies_are_named() {
        let p = |lat, lon, accuracy_m| GeoPosition { lat, lon, accuracy_m };
        assert_eq!(check_position("pos", &p(21.1, -101.6, Some(8.0))), Ok(()));
        assert_eq!(check_position("pos", &p(90.0, 180.0, None)), Ok(()));
        assert_eq!(check_position("pos", &p(91.0, 0.0, None)).map_err(|e| e.field), Err("pos.lat".into()));
        assert_eq!(check_position("pos", &p(0.0, -180.5, None)).map_err(|e| e.field), Err("pos.lon".into()));
        assert_eq!(check_position("pos", &p(f64::NAN, 0.0, None)).map_err(|e| e.field), Err("pos.lat".into()));
        assert_eq!(check_position("pos", &p(0.0, 0.0, Some(-1.0))).map_err(|e| e.field), Err("pos.accuracy_m".into()));
    }

    #[test]
    fn dates_outside_the_years_are_named() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(check_date("x", d(2025, 6, 2)), Ok(()));
        assert!(check_date("x", d(1999, 12, 31)).is_err());
        assert!(check_date("x", d(2100, 1, 1)).is_err());
        assert!(check_date("x", d(1970, 1, 1)).expect_err("1970 is out of range").to_string().contains("«x»"));
    }

    #[test]
    fn json_errors_name_the_field_in_spanish() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Q {
            surveys: u32,
            inner: Option<Vec<u8>>,
        }
        assert_eq!(explain::<Q>(br#"{"surveys": -3}"#), Some(("surveys".into(), "no puede ser negativo".into())));
        assert_eq!(explain::<Q>(br#"{"surveys": 1, "inner": [1, 300]}"#).map(|e| e.0), Some("inner[1]".into()));
        assert_eq!(explain::<Q>(br#"{"surveys": "x"}"#).map(|e| e.1.starts_with("tipo inválido")), Some(true));
        assert_eq!(explain::<Q>(br#"{}"#).map(|e| e.1), Some("falta el campo «surveys»".into()));
        assert_eq!(explain::<Q>(br#"{"surveys": 1, "z": 0}"#).map(|e| e.1), Some("campo desconocido «z»".into()));
        assert_eq!(explain::<Q>(br#"{"surveys": 1}"#), None);
        assert_eq!(explain::<Q>(br#"{"surveys": "x"}"#).map(|e| e.1), Some("tipo inválido: llegó texto; se esperaba un número entero".into()));
        assert_eq!(explain::<Q>(br#"{"surveys": 1, "inner": "x"}"#).map(|e| e.1), Some("tipo inválido: llegó texto; se esperaba una lista".into()));
        assert_eq!(explain::<Q>(br#"{"surveys": 1, "surveys": 2}"#).map(|e| e.1), Some("el campo «surveys» está repetido".into()));
        assert_eq!(explain::<Q>(br#"{"surveys": 99999999999}"#).map(|e| e.1), Some("número fuera de rango".into()));
        assert_eq!(explain::<Q>(br#"{"surveys": 1,"#).map(|e| e.1), Some("el JSON está incompleto".into()));
        assert!(explain::<Q>(br#"{"surveys": ]"#).is_some_and(|e| e.1.starts_with("el JSON está mal formado")));
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        enum Kind { #[serde(rename = "a")] A, #[serde(rename = "b")] B }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct K { kind: Kind, pair: (u8, u8) }
        assert_eq!(explain::<K>(br#"{"kind": "c", "pair": [1, 2]}"#).map(|e| e.1), Some("valor desconocido «c»; se admite «a», «b»".into()));
        assert_eq!(explain::<K>(br#"{"kind": "a", "pair": [1]}"#).map(|e| e.1), Some("número de elementos no válido (1)".into()));
        // Nothing of serde's English reaches people.
        for body in [&br#"{"kind": 1, "pair": [1, 2]}"#[..], br#"{"kind": "a", "pair": {}}"#, br#"[]"#] {
            let said = explain::<K>(body).map(|e| e.1).unwrap_or_default();
            assert!(!said.contains("expected") && !said.contains("invalid") && !said.is_empty(), "{said}");
        }
    }
}
