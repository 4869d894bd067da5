//! Runtime values and the XPath 1.0 conversions between them.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A value during evaluation. An unanswered or non-relevant question is `Str("")`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Num(f64),
    Bool(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
    /// A node-set: a question's values at every instance of the repeats around it that the
    /// expression is outside of (or those a predicate kept), in document order.
    Nodes(Vec<Value>),
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a valid date"),
};

impl Value {
    /// An empty answer.
    pub fn empty() -> Self {
        Value::Str(String::new())
    }

    /// XPath `boolean()`.
    pub fn to_bool(&self) -> bool {
        match self {
            Value::Str(s) => !s.is_empty(),
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Bool(b) => *b,
            Value::Date(_) | Value::DateTime(_) => true,
            Value::Nodes(n) => !n.is_empty(),
        }
    }

    /// XPath `number()`; dates become days since 1970-01-01, as in ODK.
    pub fn to_num(&self) -> f64 {
        match self {
            Value::Str(s) => parse_number(s)
                .or_else(|| parse_date_or_datetime(s).map(|v| v.to_num()))
                .unwrap_or(f64::NAN),
            Value::Num(n) => *n,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Date(d) => (*d - EPOCH).num_days() as f64,
            Value::DateTime(dt) => {
                let secs = (*dt - EPOCH.and_time(NaiveTime::MIN)).num_milliseconds() as f64 / 1000.0;
                secs / 86_400.0
            }
            Value::Nodes(n) => n.first().map_or(f64::NAN, Value::to_num),
        }
    }

    /// XPath `string()`.
    pub fn to_text(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Num(n) => format_number(*n),
            Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::DateTime(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
            Value::Nodes(n) => n.first().map_or_else(String::new, Value::to_text),
        }
    }

    /// The values a node-set holds, or the value itself.
    pub fn items(&self) -> Vec<Value> {
        match self {
            Value::Nodes(n) => n.clone(),
            other => vec![other.clone()],
        }
    }

    fn is_temporal(&self) -> bool {
        matches!(self, Value::Date(_) | Value::DateTime(_))
    }
}

/// Parses an XPath number literal: optional sign, digits, optional fraction. No exponents,
/// no `inf`/`nan` words (XPath has none).
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix('-').unwrap_or(t);
    let valid = !body.is_empty()
        && body.chars().all(|c| c.is_ascii_digit() || c == '.')
        && body.chars().filter(|&c| c == '.').count() <= 1
        && body != ".";
    if valid { t.parse().ok() } else { None }
}

fn parse_date_or_datetime(s: &str) -> Option<Value> {
    let t = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some(Value::Date(d));
    }
    crate::form::parse_datetime(t).map(Value::DateTime)
}

/// Formats a number as XPath does: integers without a fraction, `NaN` and `Infinity` by name.
pub fn format_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity".into() } else { "-Infinity".into() }
    } else if n == n.trunc() && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// `=` and `!=` with XPath 1.0 rules: a node-set is equal when one of its values is;
/// then booleans win, then numbers, then dates, then strings.
pub(crate) fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nodes(_), Value::Bool(_)) | (Value::Bool(_), Value::Nodes(_)) => a.to_bool() == b.to_bool(),
        (Value::Nodes(n), other) | (other, Value::Nodes(n)) => n.iter().any(|x| equals(x, other)),
        (Value::Bool(_), _) | (_, Value::Bool(_)) => a.to_bool() == b.to_bool(),
        (Value::Num(_), _) | (_, Value::Num(_)) => a.to_num() == b.to_num(),
        _ if a.is_temporal() || b.is_temporal() => a.to_num() == b.to_num(),
        _ => a.to_text() == b.to_text(),
    }
}

/// The numeric comparison used by `<`, `<=`, `>`, `>=`; NaN compares false.
pub(crate) fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    a.to_num().partial_cmp(&b.to_num())
}

/// A relational test under XPath 1.0: with a node-set, true when one of its values passes.
pub(crate) fn relates(a: &Value, b: &Value, test: &dyn Fn(Option<std::cmp::Ordering>) -> bool) -> bool {
    match (a, b) {
        (Value::Nodes(n), other) => n.iter().any(|x| relates(x, other, test)),
        (other, Value::Nodes(n)) => n.iter().any(|y| relates(other, y, test)),
        _ => test(compare(a, b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_string_is_not_a_number() {
        assert!(Value::empty().to_num().is_nan());
        assert!(!Value::empty().to_bool());
    }

    #[test]
    fn numbers_print_without_trailing_fraction() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(f64::NAN), "NaN");
    }

    #[test]
    fn string_number_comparison_is_numeric() {
        assert!(equals(&Value::Str("5".into()), &Value::Num(5.0)));
        assert!(!equals(&Value::Str("05".into()), &Value::Str("5".into())));
    }

    #[test]
    fn dates_compare_with_date_strings() {
        let d = Value::Date(NaiveDate::from_ymd_opt(2025, 3, 1).expect("valid"));
        assert!(equals(&d, &Value::Str("2025-03-01".into())));
        assert_eq!(compare(&d, &Value::Str("2025-02-28".into())), Some(std::cmp::Ordering::Greater));
    }

    #[test]
    fn rejects_exponents_and_words_as_numbers() {
        assert_eq!(parse_number("1e3"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number(" -2.5 "), Some(-2.5));
    }
}
