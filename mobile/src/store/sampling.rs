//! The systematic-sampling counter: the surveyor counts the people leaving the centro and
//! approaches every k-th one; refusals are recorded in one tap.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// Today's counter at one centro.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SamplingDay {
    /// People counted leaving.
    pub counted: u32,
    /// Selected people who declined.
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
            .query_row("SELECT counted, refused, handled FROM sampling WHERE centro_id = ?1 AND day = ?2", params![centro_id, day.to_string()], |r| {
                Ok(SamplingDay { counted: r.get(0)?, refused: r.get(1)?, handled: r.get(2)? })
            })
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
            "INSERT INTO sampling (centro_id, day, refused) VALUES (?1, ?2, 1) ON CONFLICT (centro_id, day)
             DO UPDATE SET refused = refused + (handled < counted), handled = counted",
        )
    }

    /// The selected person agreed: their survey has begun.
    pub fn selection_surveyed(&mut self, centro_id: &str) -> Result<SamplingDay, StoreError> {
        self.bump_sampling(centro_id, "INSERT INTO sampling (centro_id, day) VALUES (?1, ?2) ON CONFLICT (centro_id, day) DO UPDATE SET handled = counted")
    }

    fn bump_sampling(&mut self, centro_id: &str, sql: &str) -> Result<SamplingDay, StoreError> {
        let day = self.today();
        let tx = self.conn.transaction()?;
        tx.execute(sql, params![centro_id, day.to_string()])?;
        tx.commit()?;
        self.sampling(centro_id, day)
    }
}
