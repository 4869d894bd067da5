//! The answers of one submission, and how a raw answer is read as its question's type.
//!
//! Answers are kept as text by question name, as ODK's instance model keeps them
//! (`select_multiple` as space-separated choice names, dates as `YYYY-MM-DD`); a repeat
//! holds one [`Answers`] per instance.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use thiserror::Error;

use crate::expr::{Value, parse_number};
use crate::form::{FieldKind, MetaKind, parse_datetime};

/// One entry: a question's raw value, or a repeat's instances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The raw text of an answer. Empty means unanswered.
    Value(String),
    /// The instances of a repeat, in order.
    Repeat(Vec<Answers>),
}

/// Answers by question name (groups do not nest names; repeats do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    entries: BTreeMap<String, Entry>,
}

/// Answers from (name, entry) pairs; a name given twice keeps its last entry. Pairs in
/// name order (as a wire map gives them) are built in one pass, without a search per name.
impl FromIterator<(String, Entry)> for Answers {
    fn from_iter<I: IntoIterator<Item = (String, Entry)>>(pairs: I) -> Self {
        Answers { entries: pairs.into_iter().collect() }
    }
}

impl Answers {
    /// No answers.
    pub const EMPTY: Answers = Answers { entries: BTreeMap::new() };

    /// Sets the answer to question `name`.
    pub fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        self.entries.insert(name.to_string(), Entry::Value(value.into()));
        self
    }

    /// Sets the instances of repeat `name`.
    pub fn set_repeat(&mut self, name: &str, instances: Vec<Answers>) -> &mut Self {
        self.entries.insert(name.to_string(), Entry::Repeat(instances));
        self
    }

    /// Removes an answer (e.g. when its question stops being relevant).
    pub fn remove(&mut self, name: &str) -> Option<Entry> {
        self.entries.remove(name)
    }

    /// The entry for `name`.
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.get(name)
    }

    /// The raw text of `name`, `""` when unanswered or a repeat.
    pub fn value(&self, name: &str) -> &str {
        match self.entries.get(name) {
            Some(Entry::Value(v)) => v,
            _ => "",
        }
    }

    /// All entries in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Entry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Builds answers from flat `(path, value)` pairs, the form a device saves them in one
    /// by one: `name`, or `repeat[i]/name` inside a repeat (1-based, nesting allowed), as
    /// validation reports paths. Instances missing between two given ones are empty; a
    /// malformed path is kept as a plain name (validation then reports it as unknown).
    pub fn from_paths<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Answers {
        let mut answers = Answers::default();
        for (path, value) in pairs {
            answers.insert_path(path, value);
        }
        answers
    }

    fn insert_path(&mut self, path: &str, value: &str) {
        let Some((head, rest)) = path.split_once('/') else {
            self.set(path, value);
            return;
        };
        let Some((repeat, index)) = parse_instance(head) else {
            self.set(path, value);
            return;
        };
        let entry = self.entries.entry(repeat.to_string()).or_insert_with(|| Entry::Repeat(Vec::new()));
        if let Entry::Value(_) = entry {
            *entry = Entry::Repeat(Vec::new());
        }
        if let Entry::Repeat(instances) = entry {
            if instances.len() < index {
                instances.resize_with(index, Answers::default);
            }
            instances[index - 1].insert_path(rest, value);
        }
    }

    /// The flat `(path, value)` pairs of these answers (the inverse of [`Answers::from_paths`]).
    pub fn to_paths(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        self.collect_paths("", &mut out);
        out
    }

    fn collect_paths(&self, prefix: &str, out: &mut Vec<(String, String)>) {
        for (name, entry) in &self.entries {
            match entry {
                Entry::Value(v) => out.push((format!("{prefix}{name}"), v.clone())),
                Entry::Repeat(list) => {
                    for (i, instance) in list.iter().enumerate() {
                        instance.collect_paths(&format!("{prefix}{name}[{}]/", i + 1), out);
                    }
                }
            }
        }
    }
}

/// `name[i]` with `1 <= i <= 10_000` (a bound against absurd allocations).
fn parse_instance(head: &str) -> Option<(&str, usize)> {
    let (name, rest) = head.split_once('[')?;
    let index: usize = rest.strip_suffix(']')?.parse().ok()?;
    (!name.is_empty() && (1..=10_000).contains(&index)).then_some((name, index))
}

/// Why a raw answer is not of its question's type. Messages in Spanish.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TypeProblem {
    #[error("se esperaba un número entero")]
    Integer,
    #[error("se esperaba un número (con punto o coma decimal, sin separador de miles)")]
    Decimal,
    #[error("se esperaba una fecha AAAA-MM-DD")]
    Date,
    #[error("se esperaba una hora HH:MM")]
    Time,
    #[error("se esperaba fecha y hora AAAA-MM-DDTHH:MM")]
    DateTime,
    #[error("se esperaba una ubicación «latitud longitud [altitud precisión]»")]
    GeoPoint,
    #[error("se esperaba el nombre de un archivo")]
    File,
    #[error("se esperaba una línea de al menos 2 puntos «latitud longitud altitud precisión» separados por «;»")]
    GeoTrace,
    #[error("se esperaba un área de al menos 4 puntos separados por «;», el último igual al primero")]
    GeoShape,
    #[error("se esperaban todas las opciones, cada una una vez, en orden de preferencia")]
    Rank,
    #[error("se esperaba «OK»")]
    Acknowledge,
    #[error("un valor entre {start} y {end}, en pasos de {step}")]
    Range { start: String, end: String, step: String },
    #[error("la opción «{0}» aparece más de una vez")]
    RepeatedChoice(String),
}

/// A decimal number as a person types it on a phone: a decimal comma («4,5») is read as
/// the decimal point. A comma before exactly three digits («4,500») is left as typed, since
/// it may separate thousands: the validator then asks for the number again.
pub fn typed_decimal(raw: &str) -> String {
    let t = raw.trim();
    match t.split_once(',') {
        Some((whole, frac)) if !t.contains('.') && !frac.contains(',') && frac.len() != 3 && !frac.is_empty() => format!("{whole}.{frac}"),
        _ => t.to_string(),
    }
}

/// Reads a non-empty raw answer as a value of `kind`.
pub fn parse_value(kind: &FieldKind, raw: &str) -> Result<Value, TypeProblem> {
    let t = raw.trim();
    let text = || Ok(Value::Str(t.to_string()));
    match kind {
        FieldKind::Text | FieldKind::SelectOne { .. } | FieldKind::Note | FieldKind::Calculate => text(),
        FieldKind::Barcode | FieldKind::Hidden => text(),
        FieldKind::Meta(
            MetaKind::DeviceId | MetaKind::Username | MetaKind::PhoneNumber | MetaKind::Email | MetaKind::SimSerial | MetaKind::SubscriberId,
        ) => text(),
        FieldKind::Integer => {
            let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
            if digits.is_empty() || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
                return Err(TypeProblem::Integer);
            }
            t.parse::<i64>().map(|n| Value::Num(n as f64)).map_err(|_| TypeProblem::Integer)
        }
        FieldKind::Decimal => parse_number(t).map(Value::Num).ok_or(TypeProblem::Decimal),
        FieldKind::SelectMultiple { .. } | FieldKind::Rank { .. } => {
            let mut seen: Vec<&str> = Vec::new();
            for c in t.split_whitespace() {
                if seen.contains(&c) {
                    return Err(TypeProblem::RepeatedChoice(c.to_string()));
                }
                seen.push(c);
            }
            Ok(Value::Str(seen.join(" ")))
        }
        FieldKind::Date | FieldKind::Meta(MetaKind::Today) => {
            NaiveDate::parse_from_str(t, "%Y-%m-%d").map(Value::Date).map_err(|_| TypeProblem::Date)
        }
        FieldKind::Time => parse_time(t).map(|_| Value::Str(t.to_string())).ok_or(TypeProblem::Time),
        FieldKind::DateTime | FieldKind::Meta(MetaKind::Start | MetaKind::End) => {
            parse_datetime(t).map(Value::DateTime).ok_or(TypeProblem::DateTime)
        }
        FieldKind::GeoPoint | FieldKind::Meta(MetaKind::StartGeopoint) => {
            parse_geopoint(t).map(|_| Value::Str(t.to_string())).ok_or(TypeProblem::GeoPoint)
        }
        FieldKind::GeoTrace => parse_geo_points(t, 2, false).map(|_| Value::Str(t.to_string())).ok_or(TypeProblem::GeoTrace),
        FieldKind::GeoShape => parse_geo_points(t, 4, true).map(|_| Value::Str(t.to_string())).ok_or(TypeProblem::GeoShape),
        FieldKind::Image | FieldKind::Audio | FieldKind::Video | FieldKind::File | FieldKind::Meta(MetaKind::Audit) => {
            let ok = t.len() <= 255 && !t.contains(['/', '\\']) && !t.starts_with('.');
            if ok { text() } else { Err(TypeProblem::File) }
        }
        FieldKind::Acknowledge => match t {
            "OK" | "ok" | "1" | "true" => Ok(Value::Str("OK".into())),
            _ => Err(TypeProblem::Acknowledge),
        },
        FieldKind::Range { start, end, step } => parse_range(t, *start, *end, *step),
    }
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    let local = t.get(..8).filter(|s| s.chars().nth(5) == Some(':')).unwrap_or(t.get(..5).unwrap_or(t));
    ["%H:%M:%S", "%H:%M"].iter().find_map(|f| NaiveTime::parse_from_str(local, f).ok())
}

/// `lat lon [alt [accuracy]]`, in degrees and metres.
pub fn parse_geopoint(t: &str) -> Option<(f64, f64)> {
    let parts: Vec<f64> = t.split_whitespace().map(parse_number).collect::<Option<Vec<f64>>>()?;
    match parts.as_slice() {
        [lat, lon, rest @ ..] if rest.len() <= 2 && lat.abs() <= 90.0 && lon.abs() <= 180.0 && rest.get(1).is_none_or(|a| *a >= 0.0) => Some((*lat, *lon)),
        _ => None,
    }
}

/// The points of a `geotrace` (`closed` false, at least `min` points) or a `geoshape`
/// (`closed`: the last point repeats the first): `lat lon [alt [acc]]` separated by `;`.
pub fn parse_geo_points(t: &str, min: usize, closed: bool) -> Option<Vec<(f64, f64)>> {
    let points: Vec<(f64, f64)> = t.split(';').map(|p| parse_geopoint(p.trim())).collect::<Option<_>>()?;
    let ends_meet = points.first() == points.last();
    (points.len() >= min && (!closed || ends_meet)).then_some(points)
}

fn parse_range(t: &str, start: f64, end: f64, step: f64) -> Result<Value, TypeProblem> {
    let problem = || TypeProblem::Range {
        start: crate::expr::format_number(start),
        end: crate::expr::format_number(end),
        step: crate::expr::format_number(step),
    };
    let x = parse_number(t).ok_or_else(problem)?;
    let (lo, hi) = if start <= end { (start, end) } else { (end, start) };
    let steps = (x - start) / step;
    let on_step = (steps - steps.round()).abs() < 1e-9;
    if x < lo - 1e-9 || x > hi + 1e-9 || !on_step {
        return Err(problem());
    }
    Ok(Value::Num(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(kind: FieldKind, raw: &str) {
        assert!(parse_value(&kind, raw).is_ok(), "{kind:?} {raw}");
    }

    fn bad(kind: FieldKind, raw: &str) {
        assert!(parse_value(&kind, raw).is_err(), "{kind:?} {raw}");
    }

    #[test]
    fn reads_each_type_and_refuses_wrong_ones() {
        ok(FieldKind::Integer, "-12");
        bad(FieldKind::Integer, "12.5");
        bad(FieldKind::Integer, "doce");
        bad(FieldKind::Integer, "99999999999999999999");
        ok(FieldKind::Decimal, "3.25");
        bad(FieldKind::Decimal, "3,25");
        assert_eq!(typed_decimal(" 4,5 "), "4.5");
        assert_eq!(typed_decimal("3,25"), "3.25");
        assert_eq!(typed_decimal("4,500"), "4,500", "perhaps thousands: asked again");
        assert_eq!(typed_decimal("1,2,3"), "1,2,3");
        assert_eq!(typed_decimal("4.5"), "4.5");
        assert_eq!(typed_decimal("4,"), "4,");
        ok(FieldKind::Decimal, &typed_decimal("-0,75"));
        ok(FieldKind::Date, "2025-02-28");
        bad(FieldKind::Date, "2025-02-30");
        ok(FieldKind::Time, "09:45");
        ok(FieldKind::Time, "09:45:10.000-06:00");
        bad(FieldKind::Time, "25:00");
        ok(FieldKind::DateTime, "2025-02-28T09:45:00-06:00");
        bad(FieldKind::DateTime, "mañana");
        ok(FieldKind::GeoPoint, "21.0190 -101.2574 1800 5");
        bad(FieldKind::GeoPoint, "121 10");
        bad(FieldKind::GeoPoint, "21.0");
        ok(FieldKind::Image, "0a1b2c.jpg");
        bad(FieldKind::Image, "../etc/passwd");
        ok(FieldKind::Audio, "entrevista.m4a");
        bad(FieldKind::File, ".oculto");
        ok(FieldKind::GeoTrace, "21.01 -101.25 0 5; 21.02 -101.26 0 5");
        bad(FieldKind::GeoTrace, "21.01 -101.25 0 5");
        ok(FieldKind::GeoShape, "21.01 -101.25;21.02 -101.26;21.03 -101.25;21.01 -101.25");
        bad(FieldKind::GeoShape, "21.01 -101.25;21.02 -101.26;21.03 -101.25;21.04 -101.25");
        ok(FieldKind::Meta(MetaKind::StartGeopoint), "21.0 -101.2 0 12");
        ok(FieldKind::Barcode, "7501055300075");
        bad(FieldKind::Rank { list: "l".into() }, "a b a");
        ok(FieldKind::Acknowledge, "OK");
        bad(FieldKind::Acknowledge, "no");
        let range = FieldKind::Range { start: 0.0, end: 10.0, step: 2.0 };
        ok(range.clone(), "4");
        bad(range.clone(), "5");
        bad(range, "12");
        bad(FieldKind::SelectMultiple { list: "l".into() }, "a b a");
    }

    #[test]
    fn flat_paths_round_trip_with_repeats() {
        let pairs = [("turno", "matutino"), ("espera[2]/espera_min", "6"), ("espera[1]/espera_min", "4"), ("a[1]/b[2]/c", "x")];
        let answers = Answers::from_paths(pairs);
        assert_eq!(answers.value("turno"), "matutino");
        let Some(Entry::Repeat(espera)) = answers.get("espera") else { panic!("a repeat") };
        assert_eq!(espera.iter().map(|i| i.value("espera_min")).collect::<Vec<_>>(), ["4", "6"]);
        let Some(Entry::Repeat(a)) = answers.get("a") else { panic!("a repeat") };
        let Some(Entry::Repeat(b)) = a[0].get("b") else { panic!("nested") };
        assert_eq!((b.len(), b[0].value("c"), b[1].value("c")), (2, "", "x"));
        let back = Answers::from_paths(answers.to_paths().iter().map(|(p, v)| (p.as_str(), v.as_str())));
        assert_eq!(back, answers);
    }

    #[test]
    fn malformed_paths_stay_plain_names() {
        for path in ["x[0]/y", "x[a]/y", "[1]/y", "x[99999999]/y", "x/y"] {
            let a = Answers::from_paths([(path, "v")]);
            assert_eq!(a.value(path), "v", "{path}");
        }
    }
}
