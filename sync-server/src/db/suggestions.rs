//! The citizens' free-text suggestions (GL3), read anonymously: text and capture date.

use chrono::NaiveDate;
use rusqlite::params;
use shared::protocol::Suggestion;

use super::{Db, DbError, parsed};

impl Db {
    /// The non-empty answers to `field` of `centro`'s surveys captured between `start`
    /// and `end` (rejected ones left out): (how many in all, the newest `limit`).
    pub async fn suggestions(&self, centro: String, field: String, start: NaiveDate, end: NaiveDate, limit: usize) -> Result<(u64, Vec<Suggestion>), DbError> {
        self.read(move |conn| {
            // A field name is an XML name (no quotes), so it is safe inside a quoted JSON path.
            let path = format!("$.answers.\"{}\"", field.replace('"', ""));
            let filter = "FROM submissions WHERE centro_id = ?1 AND capture_date BETWEEN ?2 AND ?3 AND review <> 'rejected'
                 AND TRIM(COALESCE(json_extract(body, ?4), '')) <> ''";
            let total: i64 = conn.query_row(&format!("SELECT COUNT(*) {filter}"), params![centro, start.to_string(), end.to_string(), path], |r| r.get(0))?;
            let mut stmt = conn.prepare(&format!("SELECT capture_date, TRIM(json_extract(body, ?4)) {filter} ORDER BY capture_date DESC, seq DESC LIMIT ?5"))?;
            let rows = stmt.query_map(params![centro, start.to_string(), end.to_string(), path, limit as i64], |r| Ok(Suggestion { date: parsed(r, 0)?, text: r.get(1)? }))?;
            Ok((total as u64, rows.collect::<Result<_, _>>()?))
        })
        .await
    }
}
