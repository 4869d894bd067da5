//! How the app and the console say numbers and dates to people, in Spanish (es-MX): a
//! count agrees with its noun («1 encuesta», «2 encuestas»), and every date is written one
//! way («1 dic 2026», «1 dic 2026, 19:03»), never RFC 3339.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

const MONTHS: [&str; 12] = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"];

/// `n` followed by its noun in the right number: `count(1, "encuesta", "encuestas")` is
/// «1 encuesta», `count(0, …)` «0 encuestas».
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// A whole number with thin grouping as Mexico writes it: «12,345».
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A date: «1 dic 2026».
pub fn date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// A date and time (local to whoever reads it): «1 dic 2026, 19:03».
pub fn date_time(t: NaiveDateTime) -> String {
    format!("{}, {:02}:{:02}", date(t.date()), t.hour(), t.minute())
}

/// A date given as text: an RFC 3339 time or `AAAA-MM-DD` in words, at the time's own
/// offset; anything else as it is.
pub fn date_text(text: &str) -> String {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return date_time(t.naive_local());
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) => date(d),
        Err(_) => text.to_string(),
    }
}

/// An instant given as RFC 3339 text, said at `offset` (where the reader is): «1 dic 2026,
/// 19:03»; anything else as [`date_text`] says it.
pub fn date_text_at(text: &str, offset: chrono::FixedOffset) -> String {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) => date_time(t.with_timezone(&offset).naive_local()),
        Err(_) => date_text(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(count(1u32, "encuesta", "encuestas"), "1 encuesta");
        assert_eq!(count(0u32, "encuesta", "encuestas"), "0 encuestas");
        assert_eq!(count(2u32, "registro", "registros"), "2 registros");
        assert_eq!(count(12_345u32, "registro", "registros"), "12,345 registros");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn dates_are_written_one_way() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        assert_eq!(date(d), "1 dic 2026");
        assert_eq!(date_time(d.and_hms_opt(19, 3, 0).expect("time")), "1 dic 2026, 19:03");
        assert_eq!(date_text("2026-12-01T19:03:44-06:00"), "1 dic 2026, 19:03");
        let mexico = chrono::FixedOffset::west_opt(6 * 3600).expect("offset");
        assert_eq!(date_text_at("2026-12-02T01:03:44Z", mexico), "1 dic 2026, 19:03");
        assert_eq!(date_text_at("nunca", mexico), "nunca");
        assert_eq!(date_text("2025-01-31"), "31 ene 2025");
        assert_eq!(date_text("ayer"), "ayer");
    }
}
