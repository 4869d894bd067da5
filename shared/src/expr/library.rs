//! The ODK XPath functions that work on plain values: text, numbers, dates and geometry.
//! Each is total: a value of the wrong kind gives XPath's empty string or NaN.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use super::value::Value;

/// `uuid()`: a version-4 UUID made of two 64-bit draws.
pub(crate) fn uuid_v4(a: u64, b: u64) -> String {
    let a = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
    let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
    format!("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFFF, b >> 48, b & 0xFFFF_FFFF_FFFF)
}

/// `uuid(n)`: `n` letters and digits (at most 1,000).
pub(crate) fn random_chars(n: f64, draw: &mut dyn FnMut() -> u64) -> String {
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if !n.is_finite() || n < 1.0 {
        return String::new();
    }
    (0..(n.trunc() as usize).min(1000)).map(|_| ALPHABET[(draw() % ALPHABET.len() as u64) as usize] as char).collect()
}

/// `normalize-space`: trimmed, inner runs of whitespace as one space.
pub(crate) fn normalize_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `translate(s, from, to)`: each character of `from` becomes the one at the same place in
/// `to`, or is removed when `to` is shorter.
pub(crate) fn translate(s: &str, from: &str, to: &str) -> String {
    let (from, to): (Vec<char>, Vec<char>) = (from.chars().collect(), to.chars().collect());
    s.chars()
        .filter_map(|c| match from.iter().position(|f| *f == c) {
            Some(i) => to.get(i).copied(),
            None => Some(c),
        })
        .collect()
}

/// `boolean-from-string`: `true` and `1` are true, anything else false.
pub(crate) fn boolean_from_string(s: &str) -> bool {
    matches!(s.trim(), "true" | "1")
}

/// `substring-before` / `substring-after`.
pub(crate) fn substring_around(s: &str, sep: &str, after: bool) -> String {
    match s.find(sep) {
        Some(i) if after => s[i + sep.len()..].to_string(),
        Some(i) => s[..i].to_string(),
        None => String::new(),
    }
}

/// `selected-at(list, i)`: the i-th (0-based) space-separated choice.
pub(crate) fn selected_at(s: &str, i: f64) -> String {
    if !i.is_finite() || i < 0.0 {
        return String::new();
    }
    s.split_whitespace().nth(i.trunc() as usize).unwrap_or_default().to_string()
}

/// `decimal-time`: a time of day (or date-time) as a fraction of a day.
pub(crate) fn decimal_time(v: &Value) -> f64 {
    let time = match v {
        Value::DateTime(dt) => Some(dt.time()),
        other => {
            let text = other.to_text();
            let t = text.trim();
            let t = t.split(['+', 'Z']).next().unwrap_or(t);
            NaiveTime::parse_from_str(t, "%H:%M:%S%.f").or_else(|_| NaiveTime::parse_from_str(t, "%H:%M")).ok()
        }
    };
    time.map_or(f64::NAN, |t| f64::from(t.num_seconds_from_midnight()) / 86_400.0 + f64::from(t.nanosecond()) / 86_400e9)
}

/// The date-time a value stands for (a date at midnight; a number of days since 1970).
fn date_time_of(v: &Value) -> Option<NaiveDateTime> {
    match v {
        Value::Date(d) => Some(d.and_time(NaiveTime::MIN)),
        Value::DateTime(dt) => Some(*dt),
        Value::Str(s) if s.trim().is_empty() => None,
        Value::Str(s) => {
            let t = s.trim();
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map(|d| d.and_time(NaiveTime::MIN))
                .ok()
                .or_else(|| crate::form::parse_datetime(t))
                .or_else(|| super::value::parse_number(t).and_then(days_to_date_time))
        }
        Value::Num(n) => days_to_date_time(*n),
        Value::Bool(_) => None,
        Value::Nodes(n) => n.first().and_then(date_time_of),
    }
}

fn days_to_date_time(days: f64) -> Option<NaiveDateTime> {
    if !days.is_finite() || days.abs() > 3_000_000.0 {
        return None;
    }
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?.and_time(NaiveTime::MIN);
    epoch.checked_add_signed(chrono::Duration::milliseconds((days * 86_400_000.0).round() as i64))
}

const MONTHS: [&str; 12] = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"];
const DAYS: [&str; 7] = ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"];

/// `format-date` / `format-date-time` with ODK's codes: `%Y %y %m %n %b %d %e %a %H %h %M
/// %S %3`; names in Spanish (es-MX). An invalid date gives `''`.
pub(crate) fn format_date(v: &Value, pattern: &str) -> String {
    let Some(dt) = date_time_of(v) else { return String::new() };
    let mut out = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str(&format!("{:04}", dt.year())),
            Some('y') => out.push_str(&format!("{:02}", dt.year().rem_euclid(100))),
            Some('m') => out.push_str(&format!("{:02}", dt.month())),
            Some('n') => out.push_str(&dt.month().to_string()),
            Some('b') => out.push_str(MONTHS[dt.month0() as usize]),
            Some('d') => out.push_str(&format!("{:02}", dt.day())),
            Some('e') => out.push_str(&dt.day().to_string()),
            Some('a') => out.push_str(DAYS[dt.weekday().num_days_from_monday() as usize]),
            Some('H') => out.push_str(&format!("{:02}", dt.hour())),
            Some('h') => out.push_str(&dt.hour().to_string()),
            Some('M') => out.push_str(&format!("{:02}", dt.minute())),
            Some('S') => out.push_str(&format!("{:02}", dt.second())),
            Some('3') => out.push_str(&format!("{:03}", dt.nanosecond() / 1_000_000)),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

/// Mean Earth radius in metres (as ODK's `distance()` and `area()`).
const EARTH_RADIUS_M: f64 = 6_378_100.0;

/// Points of a geopoint, geotrace or geoshape value (`lat lon [alt acc]; …`), or of
/// several values each a geopoint; `None` when one does not read.
pub(crate) fn points(values: &[Value]) -> Option<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    for v in values {
        for part in v.to_text().split(';').map(str::trim).filter(|p| !p.is_empty()) {
            out.push(crate::answers::parse_geopoint(part)?);
        }
    }
    Some(out)
}

/// The length in metres of the path through `points` (great circles).
pub(crate) fn distance(points: &[(f64, f64)]) -> f64 {
    points
        .windows(2)
        .map(|w| {
            let ((la1, lo1), (la2, lo2)) = (w[0], w[1]);
            let (p1, p2) = (la1.to_radians(), la2.to_radians());
            let (dp, dl) = ((la2 - la1).to_radians(), (lo2 - lo1).to_radians());
            let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
            2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
        })
        .sum()
}

/// The area in square metres enclosed by `points` (a closed shape; spherical polygon).
pub(crate) fn area(points: &[(f64, f64)]) -> f64 {
    if points.len() < 3 {
        return 0.0;
    }
    let mut total = 0.0;
    for i in 0..points.len() {
        let (la1, lo1) = points[i];
        let (la2, lo2) = points[(i + 1) % points.len()];
        total += (lo2 - lo1).to_radians() * (2.0 + la1.to_radians().sin() + la2.to_radians().sin());
    }
    (total * EARTH_RADIUS_M * EARTH_RADIUS_M / 2.0).abs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_functions_follow_odk() {
        assert_eq!(normalize_space("  a   b \t c "), "a b c");
        assert_eq!(translate("ÁrBol", "ÁB", "ab"), "arbol");
        assert_eq!(translate("abc", "bc", "x"), "ax");
        assert!(boolean_from_string("true") && boolean_from_string("1") && !boolean_from_string("yes"));
        assert_eq!(substring_around("a-b-c", "-", false), "a");
        assert_eq!(substring_around("a-b-c", "-", true), "b-c");
        assert_eq!(selected_at("a b c", 1.0), "b");
        assert_eq!(selected_at("a b c", 7.0), "");
    }

    #[test]
    fn dates_format_with_odk_codes() {
        let d = Value::Str("2025-03-07".into());
        assert_eq!(format_date(&d, "%e/%n/%Y %b %a"), "7/3/2025 mar vie");
        let dt = Value::Str("2025-03-07T09:05:04.250-06:00".into());
        assert_eq!(format_date(&dt, "%H:%M:%S.%3 %h"), "09:05:04.250 9");
        assert_eq!(format_date(&Value::Str("x".into()), "%Y"), "");
        assert!((decimal_time(&Value::Str("12:00".into())) - 0.5).abs() < 1e-12);
        assert!(decimal_time(&Value::Str("x".into())).is_nan());
    }

    #[test]
    fn distance_and_area_on_the_sphere() {
        // One degree of latitude: about 111.3 km on ODK's radius.
        let d = distance(&[(0.0, 0.0), (1.0, 0.0)]);
        assert!((d - 111_318.0).abs() < 50.0, "{d}");
        // A square of about 1 km on the equator: about 1 km².
        let s = 1.0 / 111.318;
        let a = area(&[(0.0, 0.0), (0.0, s), (s, s), (s, 0.0)]);
        assert!((a - 1.0e6).abs() < 1.0e4, "{a}");
        assert_eq!(points(&[Value::Str("21.1 -101.6 1800 5; 21.2 -101.7".into())]).map(|p| p.len()), Some(2));
        assert_eq!(points(&[Value::Str("no".into())]), None);
    }
}
