//! Push (per-record outcomes, one transaction per batch, answered after the commit) and
//! pull (scoped pages of the change log with a cursor).

use chrono::NaiveDate;
use rusqlite::{Transaction, params};
use shared::protocol::{ApiError, Change, ChangeBody, DeviceReceipt, Outcome, PullResponse, PushResult, ReviewState};
use shared::scoring::{IntegrityLimits, SurveyMeta, integrity_flags};
use uuid::Uuid;

use super::program::emit;
use super::{Db, DbError};
use crate::facts::{Reduced, SurveyFact, VisitFact, encode_dimensions, encode_items};
use crate::ingest::{Prepared, Valid};

/// A stored record's contribution, for the live scores.
#[derive(Debug, Clone)]
pub enum Fact {
    Survey(SurveyFact),
    Visit(VisitFact),
}

/// Who pushes, and the server's view of the moment.
#[derive(Debug, Clone)]
pub struct PushContext {
    pub device_id: Uuid,
    pub user_id: i64,
    /// Device clock minus server clock, in seconds.
    pub clock_skew_seconds: i64,
    /// The server's local date: the day of the receipt.
    pub today: NaiveDate,
    /// When the batch arrived (RFC 3339).
    pub received_at: String,
    pub integrity: IntegrityLimits,
    /// Of the photos the batch names, those the server already holds complete.
    pub photos_held: std::collections::HashSet<String>,
    /// The device's own counts for its day, if it reported them.
    pub ledger: Option<shared::protocol::DeviceLedger>,
}

fn rejected(id: Uuid, code: &str, message: String) -> PushResult {
    PushResult { id, outcome: Outcome::Rejected, seq: None, review: None, error: Some(ApiError::new(code, message)), missing_photos: vec![] }
}

/// The photos of a stored submission that have not arrived.
fn missing_photos(tx: &Transaction<'_>, id: &str) -> Result<Vec<String>, DbError> {
    let mut stmt = tx.prepare_cached("SELECT sha256 FROM submission_photos WHERE submission_id = ?1 AND arrived = 0 ORDER BY sha256")?;
    Ok(stmt.query_map([id], |r| r.get(0))?.collect::<Result<_, _>>()?)
}

#[derive(Default)]
struct Counts {
    stored: i64,
    duplicates: i64,
    conflicts: i64,
    rejected: i64,
}

impl Counts {
    fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Stored => self.stored += 1,
            Outcome::Duplicate => self.duplicates += 1,
            Outcome::Conflict => self.conflicts += 1,
            Outcome::Rejected => self.rejected += 1,
        }
    }
}

/// What a batch needs to know once: the user's centros (with coordinates) and their
/// finalisation times around the batch's, updated as surveys are stored.
struct Batch {
    centros: std::collections::HashMap<String, Option<(f64, f64)>>,
    finalisations: Vec<i64>,
    /// Submissions of the batch already stored: id → (seq, content hash, review).
    existing: std::collections::HashMap<String, (i64, String, String)>,
}

impl Batch {
    fn load(tx: &Transaction<'_>, ctx: &PushContext, items: &[Prepared]) -> Result<Self, DbError> {
        let mut stmt = tx.prepare_cached(
            "SELECT c.id, c.lat, c.lon FROM assignments a JOIN centros c ON c.id = a.centro_id WHERE a.user_id = ?1",
        )?;
        let centros = stmt
            .query_map([ctx.user_id], |r| {
                let (lat, lon): (Option<f64>, Option<f64>) = (r.get(1)?, r.get(2)?);
                Ok((r.get::<_, String>(0)?, lat.zip(lon)))
            })?
            .collect::<Result<_, _>>()?;
        let times = items.iter().filter_map(|p| match p {
            Prepared::Valid(v) => Some(v.finalised_unix),
            Prepared::Rejected { .. } => None,
        });
        let (lo, hi) = times.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
        let w = ctx.integrity.burst_window_seconds;
        let finalisations = if lo > hi {
            Vec::new()
        } else {
            let mut stmt = tx.prepare_cached("SELECT finalised_unix FROM submissions WHERE user_id = ?1 AND finalised_unix BETWEEN ?2 AND ?3")?;
            stmt.query_map(params![ctx.user_id, lo.saturating_sub(w), hi.saturating_add(w)], |r| r.get(0))?.collect::<Result<_, _>>()?
        };
        let mut existing = std::collections::HashMap::new();
        let ids: Vec<String> = items
            .iter()
            .filter_map(|p| match p {
                Prepared::Valid(v) => Some(v.submission.id.to_string()),
                Prepared::Rejected { .. } => None,
            })
            .collect();
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let mut stmt = tx.prepare(&format!("SELECT id, seq, content_hash, review FROM submissions WHERE id IN ({marks})"))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(chunk), |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?;
            for row in rows {
                let (id, found) = row?;
                existing.insert(id, found);
            }
        }
        Ok(Self { centros, finalisations, existing })
    }
}

/// Stores one valid submission, or says why not.
fn store(tx: &Transaction<'_>, ctx: &PushContext, batch: &mut Batch, v: &Valid, facts: &mut Vec<Fact>) -> Result<PushResult, DbError> {
    let s = &v.submission;
    let id = s.id;
    let Some(&centro_position) = batch.centros.get(&s.centro_id) else {
        return Ok(rejected(id, "centro_not_assigned", format!("El centro «{}» no está asignado a este usuario.", s.centro_id)));
    };
    let id_text = id.to_string();
    if let Some((seq, hash, review)) = batch.existing.get(&id_text).cloned() {
        if hash == s.content_hash {
            let review = Some(ReviewState::parse(&review).unwrap_or(ReviewState::InReview));
            let missing_photos = missing_photos(tx, &id_text)?;
            return Ok(PushResult { id, outcome: Outcome::Duplicate, seq: Some(seq as u64), review, error: None, missing_photos });
        }
        tx.execute(
            "INSERT OR IGNORE INTO conflicts (submission_id, device_id, content_hash, body, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id.to_string(), ctx.device_id.to_string(), s.content_hash, v.body, ctx.received_at],
        )?;
        let error = ApiError::new(
            "conflict",
            "Ya existe un registro con este identificador y otro contenido: se guardó aparte para que lo revise un supervisor.",
        );
        return Ok(PushResult { id, outcome: Outcome::Conflict, seq: None, review: None, error: Some(error), missing_photos: vec![] });
    }
    let flags = if v.is_survey { flags(ctx, centro_position, &batch.finalisations, v) } else { Vec::new() };
    batch.finalisations.push(v.finalised_unix);
    let review = if flags.is_empty() { ReviewState::Accepted } else { ReviewState::InReview };
    let flags_json = serde_json::to_string(&flags).map_err(|e| DbError::Other(e.into()))?;
    let seq = emit(tx, "submission", &id.to_string(), Some(ctx.user_id), None)?;
    tx.prepare_cached(
        "INSERT INTO submissions (id, seq, form_id, form_version, centro_id, user_id, device_id, content_hash, body,
         capture_date, finalised_unix, received_at, clock_skew_seconds, review, flags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
            id.to_string(),
            seq,
            s.form_id,
            s.form_version,
            s.centro_id,
            ctx.user_id,
            ctx.device_id.to_string(),
            s.content_hash,
            v.body,
            v.capture_date.to_string(),
            v.finalised_unix,
            ctx.received_at,
            ctx.clock_skew_seconds,
            review.code(),
            flags_json,
        ],
    )?;
    facts.push(store_fact(tx, v, id, seq, review)?);
    if !v.is_survey {
        super::program::emit_visit(tx, &s.centro_id, None, &visit_change(s, v.capture_date))?;
    }
    for sha in &s.meta.photos {
        tx.prepare_cached("INSERT OR IGNORE INTO submission_photos (submission_id, sha256, arrived) VALUES (?1, ?2, ?3)")?
            .execute(params![id_text, sha, ctx.photos_held.contains(sha)])?;
    }
    let missing_photos = if s.meta.photos.is_empty() { Vec::new() } else { missing_photos(tx, &id_text)? };
    // A later record of the same batch with this id is a duplicate or a conflict of this one.
    batch.existing.insert(id_text, (seq, s.content_hash.clone(), review.code().to_string()));
    Ok(PushResult { id, outcome: Outcome::Stored, seq: Some(seq as u64), review: Some(review), error: None, missing_photos })
}

fn store_fact(tx: &Transaction<'_>, v: &Valid, id: Uuid, seq: i64, review: ReviewState) -> Result<Fact, DbError> {
    let (sid, centro, date) = (id.to_string(), v.submission.centro_id.clone(), v.capture_date);
    match &v.reduced {
        Reduced::Survey(f) => {
            tx.prepare_cached(
                "INSERT INTO survey_facts (submission_id, centro_id, capture_date, seq, dimensions, satisfaction, bribe)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![sid, centro, date.to_string(), seq, encode_dimensions(f), f.satisfaction, f.bribe])?;
            let review = review.into();
            Ok(Fact::Survey(SurveyFact { submission_id: sid, centro_id: centro, capture_date: date, seq: seq as u64, review, facts: f.clone() }))
        }
        Reduced::Visit(items) => {
            tx.execute(
                "INSERT INTO visit_facts (submission_id, centro_id, visit_date, seq, items) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![sid, centro, date.to_string(), seq, encode_items(items)],
            )?;
            Ok(Fact::Visit(VisitFact { submission_id: sid, centro_id: centro, date, seq: seq as u64, items: items.clone() }))
        }
    }
}

/// The change that shows a stored visit to the centro's inspectors.
pub(crate) fn visit_change(s: &shared::protocol::Submission, visit_date: NaiveDate) -> ChangeBody {
    ChangeBody::Visit {
        centro_id: s.centro_id.clone(),
        submission_id: s.id,
        form_version: s.form_version.clone(),
        visit_date,
        answers: s.answers.clone(),
    }
}

/// The integrity flags of a survey, as (code, Spanish reason) pairs.
fn flags(ctx: &PushContext, centro_position: Option<(f64, f64)>, finalisations: &[i64], v: &Valid) -> Vec<(String, String)> {
    let window = ctx.integrity.burst_window_seconds;
    let others: Vec<i64> = finalisations.iter().copied().filter(|t| (t - v.finalised_unix).abs() <= window).collect();
    let meta = SurveyMeta {
        duration_seconds: Some(v.duration_seconds),
        scale5_answers: &v.scale5_answers,
        position: v.submission.meta.position.map(|p| (p.lat, p.lon)),
        centro_position,
        clock_skew_seconds: Some(ctx.clock_skew_seconds),
        finalised_at: v.finalised_unix,
        other_finalisations: &others,
    };
    integrity_flags(&meta, &ctx.integrity).iter().map(|f| (f.code().to_string(), f.to_string())).collect()
}

impl Db {
    /// A photo arrived complete: every submission naming it counts it as arrived.
    pub async fn photo_arrived(&self, sha256: String) -> Result<(), DbError> {
        self.write(move |conn| {
            conn.execute("UPDATE submission_photos SET arrived = 1 WHERE sha256 = ?1 AND arrived = 0", [sha256])?;
            Ok(())
        })
        .await
    }

    /// Handles one push batch in one transaction; answers per record, after the commit.
    pub async fn push(&self, ctx: PushContext, items: Vec<Prepared>) -> Result<(Vec<PushResult>, DeviceReceipt, Vec<Fact>), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let mut counts = Counts::default();
            let mut results = Vec::with_capacity(items.len());
            let mut facts = Vec::new();
            let mut batch = Batch::load(&tx, &ctx, &items)?;
            for item in &items {
                let result = match item {
                    Prepared::Rejected { id, code, message } => rejected(*id, code, message.clone()),
                    Prepared::Valid(v) => store(&tx, &ctx, &mut batch, v, &mut facts)?,
                };
                counts.add(result.outcome);
                results.push(result);
            }
            let received = results.len() as i64;
            tx.execute(
                "INSERT INTO device_days (device_id, date, received, stored, duplicates, conflicts, rejected)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (device_id, date) DO UPDATE SET received = received + excluded.received,
                 stored = stored + excluded.stored, duplicates = duplicates + excluded.duplicates,
                 conflicts = conflicts + excluded.conflicts, rejected = rejected + excluded.rejected",
                params![ctx.device_id.to_string(), ctx.today.to_string(), received, counts.stored, counts.duplicates, counts.conflicts, counts.rejected],
            )?;
            tx.execute("UPDATE devices SET last_seen_at = ?1 WHERE id = ?2", params![ctx.received_at, ctx.device_id.to_string()])?;
            if let Some(l) = &ctx.ledger {
                let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
                tx.execute(
                    "INSERT INTO device_ledgers (device_id, date, created, finalised, sent, acknowledged, reported_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (device_id, date) DO UPDATE SET created = excluded.created, finalised = excluded.finalised,
                     sent = excluded.sent, acknowledged = excluded.acknowledged, reported_at = excluded.reported_at",
                    params![ctx.device_id.to_string(), l.date.to_string(), n(l.created), n(l.finalised), n(l.sent), n(l.acknowledged), ctx.received_at],
                )?;
            }
            let receipt = tx.query_row(
                "SELECT received, stored, duplicates, conflicts, rejected FROM device_days WHERE device_id = ?1 AND date = ?2",
                params![ctx.device_id.to_string(), ctx.today.to_string()],
                |r| {
                    Ok(DeviceReceipt {
                        date: ctx.today,
                        received: r.get::<_, i64>(0)? as u64,
                        stored: r.get::<_, i64>(1)? as u64,
                        duplicates: r.get::<_, i64>(2)? as u64,
                        conflicts: r.get::<_, i64>(3)? as u64,
                        rejected: r.get::<_, i64>(4)? as u64,
                    })
                },
            )?;
            tx.commit()?;
            Ok((results, receipt, facts))
        })
        .await
    }

    /// The changes for `user_id` after `after`, at most `limit`, with the next cursor.
    pub async fn pull(&self, user_id: i64, after: u64, limit: usize) -> Result<PullResponse, DbError> {
        self.read(move |conn| {
            let tx = conn.unchecked_transaction()?;
            let after_i = i64::try_from(after).unwrap_or(i64::MAX);
            let mut stmt = tx.prepare_cached(
                "SELECT seq, data FROM changes WHERE seq > ?1 AND (user_id IS NULL OR user_id = ?2)
                 AND kind <> 'submission' AND data IS NOT NULL ORDER BY seq LIMIT ?3",
            )?;
            let rows: Vec<(i64, String)> = stmt
                .query_map(params![after_i, user_id, (limit + 1) as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let more = rows.len() > limit;
            let mut changes = Vec::with_capacity(rows.len().min(limit));
            for (seq, data) in rows.into_iter().take(limit) {
                let body: ChangeBody = serde_json::from_str(&data).map_err(|e| DbError::Other(e.into()))?;
                changes.push(Change { seq: seq as u64, body });
            }
            let cursor = if more {
                changes.last().map_or(after, |c| c.seq)
            } else {
                let max: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| r.get(0))?;
                after.max(max as u64)
            };
            drop(stmt);
            tx.finish()?;
            Ok(PullResponse { changes, cursor, more })
        })
        .await
    }
}
