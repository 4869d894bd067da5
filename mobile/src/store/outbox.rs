//! The outbox (finalised records until the server acknowledges them) and what the server
//! acknowledged. Finalising moves a draft into the outbox in one transaction; an
//! acknowledgement moves a record out of it in one transaction, with the ledger.

use rusqlite::{OptionalExtension, params};
use shared::protocol::{ApiError, DeviceReceipt, Outcome, PushResponse, PushResult, ReviewState, Submission};
use uuid::Uuid;

use super::ledger::{Event, bump};
use super::settings::Reported;
use super::{Store, StoreError, from_json, to_json};

/// A record the server did not take, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub id: Uuid,
    pub form_id: String,
    pub centro_id: String,
    pub outcome: Outcome,
    pub code: String,
    pub message: String,
}

/// A record the server acknowledged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SentRecord {
    pub id: Uuid,
    pub form_id: String,
    pub centro_id: String,
    pub capture_day: String,
    pub review: Option<ReviewState>,
    /// The supervisor's reason, when the record was rejected in review.
    pub reason: Option<String>,
    /// What the server said when it stored the record, in Spanish (e.g. no period covers
    /// its date, so it counts in no results).
    pub warning: Option<String>,
}

/// A record waiting to be sent, as stored.
#[derive(Debug)]
pub struct Pending {
    pub id: Uuid,
    /// Its JSON, as finalised.
    pub body: Box<serde_json::value::RawValue>,
    /// Its position in the outbox.
    pub n: i64,
}

/// How many records wait, and how many the server refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OutboxCounts {
    pub pending: u64,
    pub problems: u64,
}

/// What a push result did to the outbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Applied {
    pub acknowledged: u64,
    pub problems: u64,
}

impl Store {
    /// Moves a finalised draft into the outbox (and its photos into the upload queue), in
    /// one transaction. `submission.id` is the draft's id.
    pub fn finalise(&mut self, submission: &Submission) -> Result<(), StoreError> {
        let day = submission.finalised_at.date_naive();
        let tx = self.conn.transaction()?;
        let id = submission.id.to_string();
        tx.execute(
            "INSERT INTO outbox (id, form_id, centro_id, capture_day) VALUES (?1, ?2, ?3, ?4)",
            params![id, submission.form_id, submission.centro_id, day.to_string()],
        )?;
        // The body is written once and stays while the record is on the phone.
        tx.execute("INSERT INTO bodies (id, body) VALUES (?1, ?2)", params![id, to_json(submission)?])?;
        for sha in &submission.meta.photos {
            tx.execute("INSERT OR IGNORE INTO photo_queue (sha256) SELECT sha256 FROM photos WHERE sha256 = ?1", [sha])?;
        }
        tx.execute("DELETE FROM drafts WHERE id = ?1", [submission.id.to_string()])?;
        bump(&tx, day, Event::Finalised, 1)?;
        tx.commit()?;
        Ok(())
    }

    /// Up to `limit` records waiting to be sent, oldest first.
    pub fn pending(&self, limit: usize) -> Result<Vec<Submission>, StoreError> {
        Ok(self.pending_sized(limit)?.into_iter().map(|(s, _)| s).collect())
    }

    /// [`Store::pending`] with each record's size as JSON (what it adds to a push body).
    pub fn pending_sized(&self, limit: usize) -> Result<Vec<(Submission, usize)>, StoreError> {
        Ok(self.pending_after(None, limit)?.into_iter().map(|(s, size, _)| (s, size)).collect())
    }

    /// Up to `limit` records waiting to be sent that come after outbox position `after`
    /// (those of a push still in flight are before it), oldest first, each with its size
    /// as JSON and its position.
    pub fn pending_after(&self, after: Option<i64>, limit: usize) -> Result<Vec<(Submission, usize, i64)>, StoreError> {
        self.pending_raw_after(after, limit)?.into_iter().map(|p| Ok((from_json(p.body.get())?, p.body.get().len(), p.n))).collect()
    }

    /// [`Store::pending_after`] with each record as the JSON it was stored as (what a push
    /// carries), checked to be JSON but not read.
    pub fn pending_raw_after(&self, after: Option<i64>, limit: usize) -> Result<Vec<Pending>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT o.id, b.body, o.n FROM outbox o JOIN bodies b ON b.id = o.id WHERE o.status = 'pending' AND o.n > ?2 ORDER BY o.n LIMIT ?1")?;
        let rows = stmt.query_map(rusqlite::params![limit as i64, after.unwrap_or(i64::MIN)], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
        rows.map(|row| {
            let (id, body, n) = row?;
            Ok(Pending { id: id.parse().map_err(super::corrupt)?, body: serde_json::value::RawValue::from_string(body).map_err(super::corrupt)?, n })
        })
        .collect()
    }

    /// Counts, for the home screen.
    pub fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(SUM(status = 'pending'), 0), COALESCE(SUM(status <> 'pending'), 0) FROM outbox",
            [],
            |r| Ok(OutboxCounts { pending: r.get::<_, i64>(0)? as u64, problems: r.get::<_, i64>(1)? as u64 }),
        )?)
    }

    /// Records about to be sent: those sent for the first time are counted in the ledger.
    pub fn mark_sent(&mut self, ids: &[Uuid]) -> Result<(), StoreError> {
        let day = self.today();
        let tx = self.conn.transaction()?;
        // One statement for the batch, its ids given as a JSON array.
        let first = tx
            .prepare_cached("INSERT OR IGNORE INTO outbox_sent (n) SELECT o.n FROM json_each(?1) j JOIN outbox o ON o.id = j.value")?
            .execute([to_json(ids)?])? as u64;
        bump(&tx, day, Event::Sent, first)?;
        tx.commit()?;
        Ok(())
    }

    /// Applies the server's answer to a push, in one transaction: stored and duplicate
    /// leave the outbox (counted once as acknowledged); conflict and rejected stay, with
    /// the reason; the server's day receipt is kept.
    pub fn apply_push(&mut self, response: &PushResponse) -> Result<Applied, StoreError> {
        self.apply_answer(response, None)
    }

    /// [`Store::apply_push`], and with it, in the same transaction, what the push reported
    /// (`reported`): one commit per answer.
    pub fn apply_answer(&mut self, response: &PushResponse, reported: Option<Reported<'_>>) -> Result<Applied, StoreError> {
        let now = self.now();
        let tx = self.conn.transaction()?;
        let applied = apply_results_in(&tx, now, &response.results, Some(&response.receipt))?;
        // The server lost photos it had: upload again those this phone still holds.
        for sha in &response.wanted_photos {
            tx.execute("UPDATE photos SET uploaded = 0 WHERE sha256 = ?1", [sha])?;
            tx.execute("INSERT OR IGNORE INTO photo_queue (sha256) SELECT sha256 FROM photos WHERE sha256 = ?1", [sha])?;
        }
        if let Some(reported) = &reported {
            Store::record_reported(&tx, reported)?;
        }
        tx.commit()?;
        Ok(applied)
    }

    /// [`Store::apply_push`] for results alone (and an optional receipt).
    pub fn apply_results(&mut self, results: &[PushResult], receipt: Option<&DeviceReceipt>) -> Result<Applied, StoreError> {
        let now = self.now();
        let tx = self.conn.transaction()?;
        let applied = apply_results_in(&tx, now, results, receipt)?;
        tx.commit()?;
        Ok(applied)
    }

    /// The records the server refused, with the reasons.
    pub fn problems(&self) -> Result<Vec<Problem>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, form_id, centro_id, status, COALESCE(problem_code, ''), COALESCE(problem_message, '')
             FROM outbox WHERE status <> 'pending' ORDER BY n",
        )?;
        let rows: Vec<(String, String, String, String, String, String)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?.collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, form_id, centro_id, status, code, message)| {
                let outcome = if status == "conflict" { Outcome::Conflict } else { Outcome::Rejected };
                Ok(Problem { id: id.parse().map_err(super::corrupt)?, form_id, centro_id, outcome, code, message })
            })
            .collect()
    }

    /// Puts a refused record back in line (e.g. once the form version is published).
    pub fn retry_problem(&mut self, id: Uuid) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE outbox SET status = 'pending', problem_code = NULL, problem_message = NULL WHERE id = ?1 AND status <> 'pending'",
            [id.to_string()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Acknowledged records, newest first, with review decisions.
    pub fn sent_records(&self, limit: usize) -> Result<Vec<SentRecord>, StoreError> {
        self.sent_where("?2 = ''", "", limit)
    }

    /// Acknowledged records a supervisor rejected and not yet corrected, newest first, with
    /// the reasons.
    pub fn rejected_records(&self) -> Result<Vec<SentRecord>, StoreError> {
        const SHOWN: usize = 500;
        let rejected = self.sent_where("?2 = '' AND COALESCE(d.state, s.review) = 'rejected'", "", 10 * SHOWN)?;
        if rejected.is_empty() {
            return Ok(rejected);
        }
        // Those corrected already (a correction waiting or sent names them) are done. The
        // records that correct another are read once, only when some record was rejected:
        // asked per acknowledged record, this was one pass over every body for each of them
        // (minutes with 10,000 on the phone).
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT json_extract(body, '$.meta.replaces') FROM bodies WHERE json_extract(body, '$.meta.replaces') IS NOT NULL",
        )?;
        let corrected: std::collections::HashSet<String> = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<Result<_, _>>()?;
        Ok(rejected.into_iter().filter(|r| !corrected.contains(&r.id.to_string())).take(SHOWN).collect())
    }

    /// Acknowledged records matching `condition` (a constant, which may use `?2` = `arg`).
    fn sent_where(&self, condition: &str, arg: &str, limit: usize) -> Result<Vec<SentRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT s.id, s.form_id, s.centro_id, s.capture_day, COALESCE(d.state, s.review), d.reason, s.warning_message
             FROM sent s LEFT JOIN decisions d ON d.submission_id = s.id WHERE {condition}
             ORDER BY s.acknowledged_at DESC, s.id DESC LIMIT ?1"
        ))?;
        type Row = (String, String, String, String, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = stmt
            .query_map(params![limit as i64, arg], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, form_id, centro_id, capture_day, review, reason, warning)| {
                Ok(SentRecord {
                    id: id.parse().map_err(super::corrupt)?,
                    form_id,
                    centro_id,
                    capture_day,
                    review: review.as_deref().and_then(ReviewState::parse),
                    reason,
                    warning,
                })
            })
            .collect()
    }

    /// An acknowledged record as it was sent (`None` when acknowledged before copies were kept).
    pub fn sent_submission(&self, id: Uuid) -> Result<Option<Submission>, StoreError> {
        let body: Option<Option<String>> = self.conn.query_row("SELECT b.body FROM sent s LEFT JOIN bodies b ON b.id = s.id WHERE s.id = ?1", [id.to_string()], |r| r.get(0)).optional()?;
        body.flatten().map(|b| from_json(&b)).transpose()
    }

    /// One acknowledged record with its review decision.
    pub fn sent_record(&self, id: Uuid) -> Result<Option<SentRecord>, StoreError> {
        Ok(self.sent_where("s.id = ?2", &id.to_string(), 1)?.into_iter().next())
    }

    /// Records finalised today at a centro (sent or not): progress against the quota.
    pub fn finalised_on(&self, centro_id: &str, form_id: &str, day: chrono::NaiveDate) -> Result<u64, StoreError> {
        let day = day.to_string();
        let n: i64 = self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM outbox WHERE centro_id = ?1 AND form_id = ?2 AND capture_day = ?3)
                  + (SELECT COUNT(*) FROM sent WHERE centro_id = ?1 AND form_id = ?2 AND capture_day = ?3)",
            params![centro_id, form_id, day],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}

/// Applies `results` (and `receipt`) in `tx`, as of `now`.
fn apply_results_in(
    tx: &rusqlite::Transaction<'_>,
    now: chrono::DateTime<chrono::FixedOffset>,
    results: &[PushResult],
    receipt: Option<&DeviceReceipt>,
) -> Result<Applied, StoreError> {
    let acknowledged_at = now.to_rfc3339();
    let mut applied = Applied::default();
    for r in results {
        let id = r.id.to_string();
        match r.outcome {
            Outcome::Stored | Outcome::Duplicate => {
                let review = r.review.map(ReviewState::code);
                let (warning_code, warning_message) = match &r.warning {
                    Some(w) => (Some(w.code.as_str()), Some(w.message.as_str())),
                    None => (None, None),
                };
                let moved = tx
                    .prepare_cached(
                        "INSERT OR IGNORE INTO sent (id, form_id, centro_id, capture_day, seq, review, acknowledged_at, warning_code, warning_message)
                         SELECT id, form_id, centro_id, capture_day, ?2, ?3, ?4, ?5, ?6 FROM outbox WHERE id = ?1",
                    )?
                    .execute(params![id, r.seq.map(|s| s as i64), review, acknowledged_at, warning_code, warning_message])?;
                tx.prepare_cached("DELETE FROM outbox WHERE id = ?1")?.execute([&id])?;
                applied.acknowledged += moved as u64;
            }
            Outcome::Conflict | Outcome::Rejected => {
                let status = if r.outcome == Outcome::Conflict { "conflict" } else { "rejected" };
                let e = r.error.clone().unwrap_or_else(|| ApiError::new("unknown", "El servidor no aceptó el registro."));
                applied.problems += tx
                    .prepare_cached("UPDATE outbox SET status = ?2, problem_code = ?3, problem_message = ?4 WHERE id = ?1")?
                    .execute(params![id, status, e.code, e.message])? as u64;
            }
        }
    }
    bump(tx, now.date_naive(), Event::Acknowledged, applied.acknowledged)?;
    if let Some(r) = receipt {
        super::settings::set(tx, super::settings::RECEIPT_KEY, &to_json(r)?)?;
    }
    Ok(applied)
}
