//! Picking a draft up where it was left: the page on screen, the stopwatches running in
//! it, and drafts discarded by mistake (kept out of the list until the day is over).

use chrono::{DateTime, FixedOffset};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::drafts::DraftSummary;
use super::{Store, StoreError, corrupt};

/// Days a kiosk's abandoned drafts stay on the tablet.
pub const ABANDONED_KEPT_DAYS: u64 = 30;

impl Store {
    /// Remembers the first question of the page on screen (the draft reopens there).
    pub fn save_place(&mut self, draft: Uuid, path: &str) -> Result<(), StoreError> {
        self.conn.execute("UPDATE drafts SET at_path = ?2 WHERE id = ?1", params![draft.to_string(), path])?;
        Ok(())
    }

    /// Where a draft was left, if anywhere.
    pub fn place(&self, draft: Uuid) -> Result<Option<String>, StoreError> {
        Ok(self.conn.query_row("SELECT at_path FROM drafts WHERE id = ?1", [draft.to_string()], |r| r.get(0)).optional()?.flatten())
    }

    /// Starts (or, `None`, stops) the stopwatch of a question of a draft.
    pub fn set_timer(&mut self, draft: Uuid, path: &str, started: Option<DateTime<FixedOffset>>) -> Result<(), StoreError> {
        let key = draft.to_string();
        match started {
            Some(t) => self.conn.execute(
                "INSERT INTO draft_timers (draft_id, path, started_at) SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM drafts WHERE id = ?1)
                 ON CONFLICT (draft_id, path) DO UPDATE SET started_at = excluded.started_at",
                params![key, path, t.to_rfc3339()],
            )?,
            None => self.conn.execute("DELETE FROM draft_timers WHERE draft_id = ?1 AND path = ?2", params![key, path])?,
        };
        Ok(())
    }

    /// The stopwatches running in a draft: (question path, started at).
    pub fn timers(&self, draft: Uuid) -> Result<Vec<(String, DateTime<FixedOffset>)>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT path, started_at FROM draft_timers WHERE draft_id = ?1 ORDER BY path")?;
        let rows: Vec<(String, String)> = stmt.query_map([draft.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
        rows.into_iter().map(|(p, t)| Ok((p, DateTime::parse_from_rfc3339(&t).map_err(corrupt)?))).collect()
    }

    /// Sets a draft aside (the person left, the visit was cancelled): out of the list, and
    /// recoverable until the day is over.
    pub fn discard_draft(&mut self, id: Uuid) -> Result<(), StoreError> {
        let now = self.now().to_rfc3339();
        let n = self.conn.execute("UPDATE drafts SET discarded_at = ?2 WHERE id = ?1", params![id.to_string(), now])?;
        if n == 0 {
            return Err(StoreError::NotFound("el borrador".into()));
        }
        Ok(())
    }

    /// Keeps a kiosk survey the citizen walked away from as abandoned: never sent, in no
    /// list, not recoverable (the next citizen must not see it); deleted after 30 days.
    pub fn abandon_draft(&mut self, id: Uuid) -> Result<(), StoreError> {
        let now = self.now().to_rfc3339();
        let n = self.conn.execute("UPDATE drafts SET abandoned_at = ?2 WHERE id = ?1 AND abandoned_at IS NULL", params![id.to_string(), now])?;
        if n == 0 {
            return Err(StoreError::NotFound("el borrador".into()));
        }
        Ok(())
    }

    /// Abandons every draft still open (a kiosk back at its welcome: whatever was begun
    /// was walked away from, also across a restart); returns how many.
    pub fn abandon_open_drafts(&mut self) -> Result<usize, StoreError> {
        let now = self.now().to_rfc3339();
        Ok(self.conn.execute("UPDATE drafts SET abandoned_at = ?1 WHERE abandoned_at IS NULL AND discarded_at IS NULL", [now])?)
    }

    /// How many drafts were abandoned at a kiosk since `since` (a day's start, say).
    pub fn abandoned_since(&self, since: DateTime<FixedOffset>) -> Result<u64, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT abandoned_at FROM drafts WHERE abandoned_at IS NOT NULL")?;
        let rows: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        Ok(rows.iter().filter(|t| DateTime::parse_from_rfc3339(t).is_ok_and(|t| t >= since)).count() as u64)
    }

    /// Brings a discarded draft back to the list.
    pub fn restore_draft(&mut self, id: Uuid) -> Result<(), StoreError> {
        let n = self.conn.execute("UPDATE drafts SET discarded_at = NULL WHERE id = ?1 AND discarded_at IS NOT NULL AND abandoned_at IS NULL", [id.to_string()])?;
        if n == 0 {
            return Err(StoreError::NotFound("el registro descartado".into()));
        }
        Ok(())
    }

    /// The draft (kept or set aside) that corrects record `original`, if any.
    pub fn correction_of(&self, original: Uuid) -> Result<Option<Uuid>, StoreError> {
        let id: Option<String> = self.conn.query_row("SELECT id FROM drafts WHERE replaces = ?1", [original.to_string()], |r| r.get(0)).optional()?;
        id.map(|i| i.parse().map_err(corrupt)).transpose()
    }

    /// Drafts discarded today, most recent first.
    pub fn discarded_drafts(&self) -> Result<Vec<DraftSummary>, StoreError> {
        super::drafts::summaries(&self.conn, true)
    }

    /// Deletes for good the drafts discarded before today and those abandoned at a kiosk
    /// more than [`ABANDONED_KEPT_DAYS`] ago; returns how many.
    pub fn purge_discarded(&mut self) -> Result<usize, StoreError> {
        let today = self.today();
        let oldest_abandoned = today - chrono::Days::new(ABANDONED_KEPT_DAYS);
        let mut stmt = self.conn.prepare_cached("SELECT id, discarded_at, abandoned_at FROM drafts WHERE discarded_at IS NOT NULL OR abandoned_at IS NOT NULL")?;
        // Few rows: only drafts set aside, and old ones go on the first call.
        let rows: Vec<(String, Option<String>, Option<String>)> = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
        drop(stmt);
        let before = |at: &str, day: chrono::NaiveDate| DateTime::parse_from_rfc3339(at).map_or(true, |t| t.date_naive() < day);
        let old: Vec<String> = rows
            .into_iter()
            .filter(|(_, discarded, abandoned)| match abandoned {
                Some(at) => before(at, oldest_abandoned),
                None => discarded.as_deref().is_some_and(|at| before(at, today)),
            })
            .map(|(id, _, _)| id)
            .collect();
        // Called with every home screen: no write (and no fsync) when nothing is old.
        if old.is_empty() {
            return Ok(0);
        }
        let tx = self.conn.transaction()?;
        for id in &old {
            tx.execute("DELETE FROM drafts WHERE id = ?1", [id])?;
        }
        tx.commit()?;
        Ok(old.len())
    }
}
