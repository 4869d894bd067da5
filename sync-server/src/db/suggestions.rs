//! The citizens' free-text suggestions (GL3), read anonymously: text and capture date.

use chrono::NaiveDate;
use super::sql::params;
use shared::protocol::Suggestion;

use super::{Db, DbError, Dialect, parsed};

/// The surveys of a centro and dates with a non-empty answer to field `?4`.
macro_rules! answered {
    ($answer:literal) => {
        concat!("FROM submissions WHERE centro_id = ?1 AND capture_date BETWEEN ?2 AND ?3 AND review <> 'rejected' AND TRIM(COALESCE(", $answer, ", '')) <> ''")
    };
}
const COUNT_SQLITE: &str = concat!("SELECT COUNT(*) ", answered!("json_extract(body, ?4)"));
const NEWEST_SQLITE: &str = concat!("SELECT capture_date, TRIM(json_extract(body, ?4)) ", answered!("json_extract(body, ?4)"), " ORDER BY capture_date DESC, seq DESC LIMIT ?5");
const COUNT_POSTGRES: &str = concat!("SELECT COUNT(*) ", answered!("CAST(body AS jsonb) -> 'answers' ->> CAST(?4 AS TEXT)"));
const NEWEST_POSTGRES: &str = concat!(
    "SELECT capture_date, TRIM(CAST(body AS jsonb) -> 'answers' ->> CAST(?4 AS TEXT)) ",
    answered!("CAST(body AS jsonb) -> 'answers' ->> CAST(?4 AS TEXT)"),
    " ORDER BY capture_date DESC, seq DESC LIMIT ?5"
);

impl Db {
    /// The non-empty answers to `field` of `centro`'s surveys captured between `start`
    /// and `end` (rejected ones left out): (how many in all, the newest `limit`).
    pub async fn suggestions(&self, centro: String, field: String, start: NaiveDate, end: NaiveDate, limit: usize) -> Result<(u64, Vec<Suggestion>), DbError> {
        self.read(move |conn| {
            // SQLite reads the answer by a JSON path (a field name is an XML name, no quotes,
            // so it is safe inside a quoted path); PostgreSQL by the key itself.
            let key = match conn.dialect() {
                Dialect::Sqlite => format!("$.answers.\"{}\"", field.replace('"', "")),
                Dialect::Postgres => field,
            };
            let (count, newest) = match conn.dialect() {
                Dialect::Sqlite => (COUNT_SQLITE, NEWEST_SQLITE),
                Dialect::Postgres => (COUNT_POSTGRES, NEWEST_POSTGRES),
            };
            let total: i64 = conn.query_row(count, params![centro, start.to_string(), end.to_string(), key], |r| r.get(0))?;
            let mut stmt = conn.prepare(newest)?;
            let rows = stmt.query_map(params![centro, start.to_string(), end.to_string(), key, limit as i64], |r| Ok(Suggestion { date: parsed(r, 0)?, text: r.get(1)? }))?;
            Ok((total as u64, rows.collect::<Result<_, _>>()?))
        })
        .await
    }
}
