//! The systematic-sampling counter: the surveyor counts the people leaving the centro and
//! approaches every k-th one; refusals are recorded in one tap.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// Today's counter at one centro.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SamplingDay {
    /// People counted leaving.
    pub counted: u32,
    /// People selected and approached (surveyed or refused).
    pub selected: u32,
    /// Selected people who declined (at the counter or at the consent question).
    pub refused: u32,
    /// The count at which the last selected person was surveyed or declined.
    pub handled: u32,
}

impl SamplingDay {
    /// The person just counted is the k-th and has not been approached yet.
    pub fn selected(&self, k: u32) -> bool {
        let k = k.max(1);
        self.counted > 0 && self.counted.is_multiple_of(k) && self.handled < self.counted
    }

    /// People still to count before the next selected one.
    pub fn until_next(&self, k: u32) -> u32 {
        let k = k.max(1);
        k - self.counted % k
    }
}

impl Store {
    /// The counter of a centro on a day.
    pub fn sampling(&self, centro_id: &str, day: NaiveDate) -> Result<SamplingDay, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT counted, selected, refused, handled FROM sampling WHERE centro_id = ?1 AND day = ?2",
                params![centro_id, day.to_string()],
                |r| Ok(SamplingDay { counted: r.get(0)?, selected: r.get(1)?, refused: r.get(2)?, handled: r.get(3)? }),
            )
            .optional()?;
        Ok(row.unwrap_or_default())
    }

    /// One more person counted leaving today; returns the new count.
    pub fn count_person(&mut self, centro_id: &str) -> Result<SamplingDay, StoreError> {
        self.bump_sampling(centro_id, "INSERT INTO sampling (centro_id, day, counted) VALUES (?1, ?2, 1) ON CONFLICT (centro_id, day) DO UPDATE SET counted = counted + 1")
    }

    /// The selected person declined (counted once per selection).
    pub fn record_refusal(&mut self, centro_id: &str) -> Result<SamplingDay, StoreError> {
        self.bump_sampling(
            centro_id,
            "INSERT INTO sampling (centro_id, day, refused, selected) VALUES (?1, ?2, 1, 1) ON CONFLICT (centro_id, day)
             DO UPDATE SET refused = refused + (handled < counted), selected = selected + (handled < counted), handled = counted",
        )
    }

    /// The selected person agreed: their survey has begun.
    pub fn selection_surveyed(&mut self, centro_id: &str) -> Result<SamplingDay, StoreError> {
        self.bump_sampling(
            centro_id,
            "INSERT INTO sampling (centro_id, day, selected) VALUES (?1, ?2, 1) ON CONFLICT (centro_id, day)
             DO UPDATE SET selected = selected + (handled < counted), handled = counted",
        )
    }

    /// The person declined at the consent question: the draft is dropped (nothing of it is
    /// kept or sent) and the day's counter records a refusal, in one transaction. A survey
    /// begun from the counter was counted as selected then; one begun without it is
    /// counted as selected now.
    pub fn consent_refused(&mut self, draft: uuid::Uuid, centro_id: &str, from_counter: bool) -> Result<SamplingDay, StoreError> {
        let day = self.today();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO sampling (centro_id, day, refused, selected) VALUES (?1, ?2, 1, 1) ON CONFLICT (centro_id, day)
             DO UPDATE SET refused = refused + 1, selected = selected + ?3",
            params![centro_id, day.to_string(), i64::from(!from_counter)],
        )?;
        tx.execute("DELETE FROM drafts WHERE id = ?1", [draft.to_string()])?;
        tx.commit()?;
        self.sampling(centro_id, day)
    }

    /// Today's counters at every centro, as reported to the server with each push.
    pub fn sampling_report(&self) -> Result<Vec<shared::protocol::SamplingCount>, StoreError> {
        let date = self.today();
        let mut stmt = self.conn.prepare_cached(
            "SELECT centro_id, counted, selected, refused FROM sampling WHERE day = ?1 AND (counted > 0 OR selected > 0) ORDER BY centro_id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![date.to_string(), shared::protocol::MAX_SAMPLING_COUNTS as i64], |r| {
            Ok(shared::protocol::SamplingCount {
                centro_id: r.get(0)?,
                date,
                counted: r.get::<_, i64>(1)? as u64,
                selected: r.get::<_, i64>(2)? as u64,
                refused: r.get::<_, i64>(3)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn bump_sampling(&mut self, centro_id: &str, sql: &str) -> Result<SamplingDay, StoreError> {
        let day = self.today();
        let tx = self.conn.transaction()?;
        tx.execute(sql, params![centro_id, day.to_string()])?;
        tx.commit()?;
        self.sampling(centro_id, day)
    }
}
