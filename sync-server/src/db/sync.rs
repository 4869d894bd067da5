//! Push (per-record outcomes, one transaction per batch, answered after the commit) and
//! pull (scoped pages of the change log with a cursor).

use std::sync::mpsc::Receiver;

use chrono::NaiveDate;
use super::sql::{Conn, OptionalExt, params};
use shared::protocol::{ApiError, Change, ChangeBody, DeviceReceipt, Outcome, PullResponse, PushResult, ReviewState};
use shared::scoring::{IntegrityFlag, SurveyMeta, burst_companions, integrity_flags};
use uuid::Uuid;

use super::changes::{emit_review, emit_visit, visit_change};
use super::review::{Decided, survey_fact};
use super::{Db, DbError};
use crate::facts::{Reduced, SurveyFact, VisitFact};
use crate::ingest::{CHUNK, Checked, Prepared, Valid};

/// A stored record's contribution, for the live scores.
#[derive(Debug, Clone)]
pub enum Fact {
    Survey(SurveyFact),
    Visit(VisitFact),
}

/// A committed push: each record's outcome and the device's day receipt.
#[derive(Debug)]
pub struct Stored {
    pub results: Vec<PushResult>,
    pub receipt: DeviceReceipt,
}

/// What a committed push changes in the scores: the records it stored, and the earlier
/// surveys it put in review (bursts), in commit order.
#[derive(Debug, Default)]
pub struct Committed {
    pub facts: Vec<Fact>,
    pub reviews: Vec<Decided>,
}

/// Who pushes, and the server's view of the moment.
#[derive(Clone)]
pub struct PushContext {
    pub device_id: Uuid,
    pub user_id: i64,
    /// Device clock minus server clock, in seconds.
    pub clock_skew_seconds: i64,
    /// The server's local date: the day of the receipt.
    pub today: NaiveDate,
    /// When the batch arrived (RFC 3339).
    pub received_at: String,
    /// The photo store: a photo a submission names may already be there.
    pub photos: crate::photos::Photos,
    /// The device's own counts for its day, if it reported them.
    pub ledger: Option<shared::protocol::DeviceLedger>,
    /// The device's sampling counters (kept for the user's assigned centros only).
    pub sampling: Vec<shared::protocol::SamplingCount>,
    /// A record whose id is stored with other content is the same record sent again (the
    /// QR page: one nonce, one record, whatever was re-sent), not a conflict to keep aside.
    pub same_id_is_duplicate: bool,
}

fn rejected(id: Uuid, code: &str, message: String) -> PushResult {
    PushResult { id, outcome: Outcome::Rejected, seq: None, review: None, error: Some(ApiError::new(code, message)), warning: None, missing_photos: vec![] }
}

/// The photos of a stored submission that have not arrived.
fn missing_photos(tx: &Conn<'_>, id: &str) -> Result<Vec<String>, DbError> {
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

/// What storing a batch needs to know: the user's centros (with coordinates), loaded once,
/// and for the chunk at hand the surveys finalised around its own and which of its ids
/// are already stored, both updated as surveys are stored.
struct Batch {
    /// The pushing device's id, as stored.
    device: String,
    centros: std::collections::HashMap<String, Option<(f64, f64)>>,
    /// When the user finalised the scored surveys around the push's, ascending (a span
    /// read once per push and extended as its chunks need).
    times: Vec<i64>,
    /// Of those, the ones not in a burst yet (the only ones a new burst changes): (time,
    /// submission id), ascending.
    unflagged: Vec<(i64, String)>,
    /// The span of times both lists hold everything of, once read.
    loaded: Option<(i64, i64)>,
    /// Submissions of the chunk already stored: id → (seq, content hash, review).
    existing: std::collections::HashMap<String, (i64, String, String)>,
}

impl Batch {
    fn new(tx: &Conn<'_>, ctx: &PushContext) -> Result<Self, DbError> {
        let mut stmt = tx.prepare_cached(
            "SELECT c.id, c.lat, c.lon FROM assignments a JOIN centros c ON c.id = a.centro_id WHERE a.user_id = ?1",
        )?;
        let centros = stmt
            .query_map([ctx.user_id], |r| {
                let (lat, lon): (Option<f64>, Option<f64>) = (r.get(1)?, r.get(2)?);
                Ok((r.get::<String>(0)?, lat.zip(lon)))
            })?
            .collect::<Result<_, _>>()?;
        Ok(Self { device: ctx.device_id.to_string(), centros, times: Vec::new(), unflagged: Vec::new(), loaded: None, existing: std::collections::HashMap::new() })
    }

    /// Loads what the next chunk needs (earlier chunks are in the transaction already).
    fn load_chunk(&mut self, tx: &Conn<'_>, ctx: &PushContext, items: &[Prepared]) -> Result<(), DbError> {
        let valid = || {
            items.iter().filter_map(|p| match p {
                Prepared::Valid(v) => Some(v),
                Prepared::Rejected { .. } => None,
            })
        };
        let (lo, hi) = valid().fold((i64::MAX, i64::MIN), |(lo, hi), v| (lo.min(v.finalised_unix), hi.max(v.finalised_unix)));
        let w = valid().map(|v| v.integrity.burst_window_seconds.max(0)).max().unwrap_or(0);
        if lo <= hi {
            // What memory holds stays exact as surveys are stored (each is inserted in
            // both lists); a later chunk reads only the times outside what was read.
            let (from, to) = (lo.saturating_sub(w), hi.saturating_add(w));
            match self.loaded {
                // Nothing read yet, or a chunk of another time (a backlog of other days):
                // read its span alone rather than everything in between.
                None => self.load_times(tx, ctx, from, to, false)?,
                Some((l, h)) if from > h || to < l => {
                    self.times.clear();
                    self.unflagged.clear();
                    self.loaded = None;
                    self.load_times(tx, ctx, from, to, false)?;
                }
                Some((l, h)) => {
                    if from < l {
                        self.load_times(tx, ctx, from, l - 1, true)?;
                    }
                    if to > h {
                        self.load_times(tx, ctx, h + 1, to, false)?;
                    }
                }
            }
            self.loaded = Some(self.loaded.map_or((from, to), |(l, h)| (l.min(from), h.max(to))));
        }
        self.existing.clear();
        let ids: Vec<String> = valid().map(|v| v.submission.id.to_string()).collect();
        if ids.is_empty() {
            return Ok(());
        }
        // One statement for a chunk's ids, given as a JSON array, prepared once: a join that
        // looks each id up by the primary key (`IN (SELECT …)` would build a temporary
        // table for every chunk).
        let mut stmt = tx.prepare_cached(tx.pick(
            "SELECT s.id, s.seq, s.content_hash, s.review FROM json_each(?1) j JOIN submissions s ON s.id = j.value",
            "SELECT s.id, s.seq, s.content_hash, s.review FROM jsonb_array_elements_text(CAST(?1 AS jsonb)) AS j(value) JOIN submissions s ON s.id = j.value",
        ))?;
        for group in ids.chunks(CHUNK) {
            let list = serde_json::to_string(group).map_err(|e| DbError::Other(e.into()))?;
            let rows = stmt.query_map([&list], |r| Ok((r.get::<String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))?;
            for row in rows {
                let (id, found) = row?;
                self.existing.insert(id, found);
            }
        }
        Ok(())
    }

    /// Reads the user's finalisation times in `from..=to`, which lies wholly before
    /// (`before`) or after what is in memory, into both lists, keeping them in order.
    fn load_times(&mut self, tx: &Conn<'_>, ctx: &PushContext, from: i64, to: i64, before: bool) -> Result<(), DbError> {
        let range = params![ctx.user_id, from, to];
        let mut times = Vec::new();
        let mut stmt = tx.prepare_cached(
            "SELECT finalised_unix FROM survey_finalisations WHERE user_id = ?1 AND finalised_unix BETWEEN ?2 AND ?3 ORDER BY finalised_unix",
        )?;
        for t in stmt.query_map(range, |r| r.get(0))? {
            times.push(t?);
        }
        let mut unflagged = Vec::new();
        let mut stmt = tx.prepare_cached(
            "SELECT finalised_unix, submission_id FROM survey_finalisations
             WHERE user_id = ?1 AND finalised_unix BETWEEN ?2 AND ?3 AND in_burst = 0 ORDER BY finalised_unix, submission_id",
        )?;
        for row in stmt.query_map(range, |r| Ok((r.get(0)?, r.get(1)?)))? {
            unflagged.push(row?);
        }
        if before {
            times.append(&mut self.times);
            unflagged.append(&mut self.unflagged);
            (self.times, self.unflagged) = (times, unflagged);
        } else {
            self.times.append(&mut times);
            self.unflagged.append(&mut unflagged);
        }
        Ok(())
    }
}


/// The warning of a record stored outside every period, or in a closed one.
fn outside_periods(v: &Valid) -> Option<ApiError> {
    let date = shared::words::date(v.capture_date);
    match &v.period_id {
        None => Some(ApiError::new(
            "outside_periods",
            format!("Se guardó, pero ningún periodo de evaluación incluye el {date}: no cuenta en los resultados hasta que coordinación defina un periodo con esa fecha."),
        )),
        Some(period) if v.after_close => Some(ApiError::new(
            "after_close",
            format!("Se guardó, pero el periodo «{period}» ya cerró: el registro del {date} queda como posterior al cierre y no cambia los resultados oficiales, salvo que coordinación reabra el periodo."),
        )),
        Some(_) => None,
    }
}

/// Stores one valid submission, or says why not.
fn store(tx: &Conn<'_>, ctx: &PushContext, batch: &mut Batch, v: &Valid, committed: &mut Committed) -> Result<PushResult, DbError> {
    let s = &v.submission;
    let id = s.id;
    let Some(&centro_position) = batch.centros.get(&s.centro_id) else {
        return Ok(rejected(id, "centro_not_assigned", format!("El centro «{}» no está asignado a este usuario.", s.centro_id)));
    };
    let id_text = v.stored_text.id.clone();
    if let Some((seq, hash, review)) = batch.existing.get(&id_text).cloned() {
        if hash == s.content_hash || ctx.same_id_is_duplicate {
            let review = Some(ReviewState::parse(&review).ok_or_else(|| super::review_damaged(&id_text, &review))?);
            let missing_photos = missing_photos(tx, &id_text)?;
            let warning = outside_periods(v);
            return Ok(PushResult { id, outcome: Outcome::Duplicate, seq: Some(seq as u64), review, error: None, warning, missing_photos });
        }
        tx.execute(
            "INSERT INTO conflicts (submission_id, device_id, content_hash, body, received_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            params![id_text, batch.device, s.content_hash, v.body, ctx.received_at],
        )?;
        let error = ApiError::new(
            "conflict",
            "Ya existe un registro con este identificador y otro contenido: se guardó aparte para que lo revise un supervisor.",
        );
        return Ok(PushResult { id, outcome: Outcome::Conflict, seq: None, review: None, error: Some(error), warning: None, missing_photos: vec![] });
    }
    if let Some(original) = s.meta.replaces
        && let Some(why) = bad_replacement(tx, ctx, s, &original.to_string())?
    {
        return Ok(rejected(id, "invalid_replaces", why));
    }
    // A self-completed scored survey is checked against the centro's others (SCORING.md §2).
    let self_completed = matches!(v.reduced, Reduced::Survey(_)) && s.meta.mode.self_completed();
    let near = if self_completed { centro_self_completions(tx, &s.centro_id, v.finalised_unix, v.integrity.self_burst_window_seconds.max(0))? } else { Vec::new() };
    let near_times: Vec<i64> = near.iter().map(|(t, _, _)| *t).collect();
    let (flags, companions) = if v.is_survey { flags(ctx, centro_position, &batch.times, &near_times, v) } else { (Vec::new(), 0..0) };
    let review = if flags.is_empty() { ReviewState::Accepted } else { ReviewState::InReview };
    let flags_json = if flags.is_empty() { "[]".to_string() } else { serde_json::to_string(&flags).map_err(|e| DbError::Other(e.into()))? };
    let seq = emit_review(tx, "submission", &id_text, Some(ctx.user_id), None, None, Some(review))?;
    let capture_date = &v.stored_text.capture_date;
    tx.prepare_cached(
        "INSERT INTO submissions (id, seq, form_id, form_version, centro_id, user_id, device_id, content_hash, body,
         capture_date, finalised_unix, received_at, clock_skew_seconds, review, flags, replaces)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
            id_text,
            seq,
            s.form_id,
            s.form_version,
            s.centro_id,
            ctx.user_id,
            batch.device,
            s.content_hash,
            v.body,
            capture_date,
            v.finalised_unix,
            ctx.received_at,
            ctx.clock_skew_seconds,
            review.code(),
            flags_json,
            s.meta.replaces.map(|r| r.to_string()),
        ],
    )?;
    if let Some(fact) = store_fact(tx, v, &id_text, capture_date, seq, review)? {
        committed.facts.push(fact);
    }
    if v.is_survey {
        let burst = flags.iter().find(|(code, _)| code == "burst").cloned();
        let in_burst = burst.is_some();
        if let Some(burst) = burst {
            flag_companions(tx, ctx, batch, companions, &burst, committed)?;
        }
        if self_completed {
            let self_burst = flags.iter().find(|(code, _)| code == "self_burst").cloned();
            if let Some(flag) = &self_burst {
                let limits = &v.integrity;
                let members = burst_companions(v.finalised_unix, &near_times, limits.self_burst_window_seconds, limits.self_burst_count);
                for (at, member, flagged) in &near[members] {
                    if !flagged {
                        flag_stored(tx, batch, member, flag, committed)?;
                        tx.prepare_cached("UPDATE self_completions SET in_burst = 1 WHERE centro_id = ?1 AND finalised_unix = ?2 AND submission_id = ?3")?
                            .execute(params![s.centro_id, at, member])?;
                    }
                }
            }
            tx.prepare_cached("INSERT INTO self_completions (centro_id, finalised_unix, submission_id, in_burst) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![s.centro_id, v.finalised_unix, id_text, self_burst.is_some()])?;
        }
        // A surveyor's scored interview counts in the bursts of the surveys after it.
        if matches!(v.reduced, Reduced::Survey(_)) && !self_completed {
            let at = v.finalised_unix;
            tx.prepare_cached("INSERT INTO survey_finalisations (user_id, finalised_unix, submission_id, in_burst) VALUES (?1, ?2, ?3, ?4)")?
                .execute(params![ctx.user_id, at, id_text, in_burst])?;
            let k = batch.times.partition_point(|t| *t < at);
            batch.times.insert(k, at);
            if !in_burst {
                let k = batch.unflagged.partition_point(|(t, id)| (*t, id.as_str()) < (at, id_text.as_str()));
                batch.unflagged.insert(k, (at, id_text.clone()));
            }
        }
    }
    if matches!(v.reduced, Reduced::Visit(_)) {
        emit_visit(tx, &s.centro_id, None, &visit_change(s, v.capture_date))?;
    }
    for sha in &s.meta.photos {
        tx.prepare_cached("INSERT INTO submission_photos (submission_id, sha256, arrived) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")?
            .execute(params![id_text, sha, ctx.photos.is_complete(sha)])?;
    }
    let missing_photos = if s.meta.photos.is_empty() { Vec::new() } else { missing_photos(tx, &id_text)? };
    // A later record of the same batch with this id is a duplicate or a conflict of this one.
    batch.existing.insert(id_text, (seq, s.content_hash.clone(), review.code().to_string()));
    let warning = outside_periods(v);
    Ok(PushResult { id, outcome: Outcome::Stored, seq: Some(seq as u64), review: Some(review), error: None, warning, missing_photos })
}

/// Why `s` cannot replace record `original`, if it cannot: a correction names a record of
/// the same user, form and centro that a supervisor rejected, and not yet corrected.
fn bad_replacement(tx: &Conn<'_>, ctx: &PushContext, s: &shared::protocol::Submission, original: &str) -> Result<Option<String>, DbError> {
    let row: Option<(i64, String, String, String)> = tx
        .prepare_cached("SELECT user_id, form_id, centro_id, review FROM submissions WHERE id = ?1")?
        .query_row([original], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((user_id, form_id, centro_id, review)) = row else {
        return Ok(Some(format!("El registro que corrige ({original}) no está en el servidor.")));
    };
    if user_id != ctx.user_id || form_id != s.form_id || centro_id != s.centro_id {
        return Ok(Some("Solo se corrige un registro propio, del mismo formulario y centro.".into()));
    }
    if review != ReviewState::Rejected.code() {
        return Ok(Some("Solo se corrige un registro rechazado por su supervisor.".into()));
    }
    let taken: Option<String> =
        tx.prepare_cached("SELECT id FROM submissions WHERE replaces = ?1")?.query_row([original], |r| r.get(0)).optional()?;
    Ok(taken.map(|other| format!("Ese registro ya fue corregido por {other}.")))
}

/// SCORING.md §8: every survey of a burst goes to review, not only the one that completes
/// it. The earlier ones (of this push or of earlier ones) get the burst flag
/// ([`flag_stored`]).
fn flag_companions(
    tx: &Conn<'_>,
    ctx: &PushContext,
    batch: &mut Batch,
    companions: std::ops::Range<usize>,
    burst: &(String, String),
    committed: &mut Committed,
) -> Result<(), DbError> {
    let (Some(&first), Some(&last)) = (batch.times.get(companions.start), companions.end.checked_sub(1).and_then(|i| batch.times.get(i))) else {
        return Ok(());
    };
    // The companions are a run of times that never splits equal ones: the unflagged among
    // them are those between its first and last time.
    let from = batch.unflagged.partition_point(|(t, _)| *t < first);
    let to = batch.unflagged.partition_point(|(t, _)| *t <= last);
    let members: Vec<(i64, String)> = batch.unflagged.drain(from..to).collect();
    for (at, id) in members {
        flag_stored(tx, batch, &id, burst, committed)?;
        tx.prepare_cached("UPDATE survey_finalisations SET in_burst = 1 WHERE user_id = ?1 AND finalised_unix = ?2 AND submission_id = ?3")?
            .execute(params![ctx.user_id, at, id])?;
    }
    Ok(())
}

/// Adds `flag` to stored survey `id`: an accepted one goes to review, and its surveyor's
/// devices learn it through pull like any review decision; one already decided by a
/// reviewer keeps its decision (the flag is added for the record).
fn flag_stored(tx: &Conn<'_>, batch: &mut Batch, id: &str, flag: &(String, String), committed: &mut Committed) -> Result<(), DbError> {
    let (flags_text, review, owner): (String, String, i64) =
        tx.prepare_cached("SELECT flags, review, user_id FROM submissions WHERE id = ?1")?.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let mut flags: Vec<(String, String)> =
        serde_json::from_str(&flags_text).map_err(|e| DbError::Other(anyhow::anyhow!("marcas almacenadas dañadas de la encuesta {id}: {e}")))?;
    flags.push(flag.clone());
    let before = ReviewState::parse(&review).ok_or_else(|| super::review_damaged(id, &review))?;
    let after = if before == ReviewState::Accepted { ReviewState::InReview } else { before };
    let flags_json = serde_json::to_string(&flags).map_err(|e| DbError::Other(e.into()))?;
    tx.prepare_cached("UPDATE submissions SET flags = ?1, review = ?2 WHERE id = ?3")?.execute(params![flags_json, after.code(), id])?;
    if after == before {
        return Ok(());
    }
    let submission_id: Uuid = id.parse().map_err(|e| DbError::Other(anyhow::anyhow!("identificador almacenado dañado «{id}»: {e}")))?;
    let body = ChangeBody::Review { submission_id, state: after, reason: None };
    let change_seq = emit_review(tx, "review", id, Some(owner), Some(&body), Some(before), Some(after))?;
    let fact = survey_fact(tx, id, after)?.ok_or_else(|| DbError::Other(anyhow::anyhow!("la encuesta {id} no tiene hechos almacenados")))?;
    let (centro_id, capture_date) = (fact.centro_id.clone(), fact.capture_date);
    committed.reviews.push(Decided { fact: Some(fact), before, change_seq: change_seq as u64, centro_id, capture_date });
    if let Some(existing) = batch.existing.get_mut(id) {
        existing.2 = after.code().to_string();
    }
    Ok(())
}

/// The self-completed surveys (kiosk, QR) stored at `centro` finalised within `window`
/// seconds of `at`, as (time, id, in a self burst), by time.
fn centro_self_completions(tx: &Conn<'_>, centro: &str, at: i64, window: i64) -> Result<Vec<(i64, String, bool)>, DbError> {
    let mut stmt = tx.prepare_cached(
        "SELECT finalised_unix, submission_id, in_burst FROM self_completions
         WHERE centro_id = ?1 AND finalised_unix BETWEEN ?2 AND ?3 ORDER BY finalised_unix, submission_id",
    )?;
    let rows = stmt.query_map(params![centro, at.saturating_sub(window), at.saturating_add(window)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn store_fact(tx: &Conn<'_>, v: &Valid, id: &str, capture_date: &str, seq: i64, review: ReviewState) -> Result<Option<Fact>, DbError> {
    let (sid, centro, date, mode) = (id.to_string(), v.submission.centro_id.clone(), v.capture_date, v.submission.meta.mode);
    match &v.reduced {
        Reduced::Survey(f) => {
            tx.prepare_cached(
                "INSERT INTO survey_facts (submission_id, centro_id, capture_date, seq, dimensions, satisfaction, bribe, mode)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![sid, centro, capture_date, seq, v.stored_text.facts, f.satisfaction, f.bribe, mode.code()])?;
            let review = review.into();
            Ok(Some(Fact::Survey(SurveyFact { submission_id: sid, centro_id: centro, capture_date: date, seq: seq as u64, review, mode, facts: f.clone() })))
        }
        Reduced::Visit(items) => {
            tx.execute(
                "INSERT INTO visit_facts (submission_id, centro_id, visit_date, seq, items) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![sid, centro, capture_date, seq, v.stored_text.facts],
            )?;
            Ok(Some(Fact::Visit(VisitFact { submission_id: sid, centro_id: centro, date, seq: seq as u64, items: items.clone() })))
        }
        Reduced::Unscored => Ok(None),
    }
}

/// The integrity flags of a survey, as (code, Spanish reason) pairs, under the limits of
/// its period; and when it is in a surveyor's burst, the indexes of the earlier surveys in
/// it. `times` are the user's other finalisations around this one, `centro_self` the
/// centro's self-completed ones, both ascending.
fn flags(ctx: &PushContext, centro_position: Option<(f64, f64)>, times: &[i64], centro_self: &[i64], v: &Valid) -> (Vec<(String, String)>, std::ops::Range<usize>) {
    let limits = &v.integrity;
    let window = limits.burst_window_seconds;
    let meta = SurveyMeta {
        duration_seconds: Some(v.duration_seconds),
        scale5_answers: &v.scale5_answers,
        position: v.submission.meta.position.map(|p| (p.lat, p.lon)),
        centro_position,
        clock_skew_seconds: Some(ctx.clock_skew_seconds),
        finalised_at: v.finalised_unix,
        other_finalisations: times,
        self_completed: v.submission.meta.mode.self_completed(),
        centro_self_finalisations: centro_self,
    };
    let found = integrity_flags(&meta, limits);
    let companions = if found.iter().any(|f| matches!(f, IntegrityFlag::Burst { .. })) {
        burst_companions(v.finalised_unix, times, window, limits.burst_count)
    } else {
        0..0
    };
    (found.iter().map(|f| (f.code().to_string(), f.to_string())).collect(), companions)
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

    /// Handles one push batch in one transaction, storing each chunk of checked
    /// submissions as it arrives from `checked`; answers per record, after the commit.
    /// `None` when checking stopped before [`Checked::Done`]: nothing is committed.
    /// `on_commit` receives what the push changed in the scores right after the commit,
    /// before the next write starts: changes reach it in commit order.
    pub async fn push(
        &self,
        ctx: PushContext,
        checked: Receiver<Checked>,
        on_commit: impl FnOnce(Committed) + Send + 'static,
    ) -> Result<Option<Stored>, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let mut counts = Counts::default();
            let mut results = Vec::new();
            let mut committed = Committed::default();
            let mut batch = Batch::new(&tx, &ctx)?;
            // The checked submissions, once stored: freed after this write, not in it.
            let mut spent = Vec::new();
            loop {
                match checked.recv() {
                    Ok(Checked::Chunk(items)) => {
                        batch.load_chunk(&tx, &ctx, &items)?;
                        for item in &items {
                            let result = match item {
                                Prepared::Rejected { id, code, message } => rejected(*id, code, message.clone()),
                                Prepared::Valid(v) => store(&tx, &ctx, &mut batch, v, &mut committed)?,
                            };
                            counts.add(result.outcome);
                            results.push(result);
                        }
                        spent.push(items);
                    }
                    Ok(Checked::Done) => break,
                    // Checking stopped early (a bad record): the transaction rolls back.
                    Err(_) => return Ok(None),
                }
            }
            // A survey of this push that a later one put in a burst is answered in review.
            for d in &committed.reviews {
                let Some(fact) = &d.fact else { continue };
                for r in results.iter_mut().filter(|r| r.outcome == Outcome::Stored && r.id.to_string() == fact.submission_id) {
                    r.review = Some(fact.review.into());
                }
            }
            let received = results.len() as i64;
            tx.execute(
                "INSERT INTO device_days (device_id, date, received, stored, duplicates, conflicts, rejected)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (device_id, date) DO UPDATE SET received = device_days.received + excluded.received,
                 stored = device_days.stored + excluded.stored, duplicates = device_days.duplicates + excluded.duplicates,
                 conflicts = device_days.conflicts + excluded.conflicts, rejected = device_days.rejected + excluded.rejected",
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
            for c in ctx.sampling.iter().filter(|c| batch.centros.contains_key(&c.centro_id)) {
                let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
                tx.prepare_cached(
                    "INSERT INTO sampling_counts (device_id, centro_id, date, counted, selected, refused, reported_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (device_id, centro_id, date) DO UPDATE SET counted = excluded.counted, selected = excluded.selected,
                     refused = excluded.refused, reported_at = excluded.reported_at",
                )?
                .execute(params![ctx.device_id.to_string(), c.centro_id, c.date.to_string(), n(c.counted), n(c.selected), n(c.refused), ctx.received_at])?;
            }
            let receipt = tx.query_row(
                "SELECT received, stored, duplicates, conflicts, rejected FROM device_days WHERE device_id = ?1 AND date = ?2",
                params![ctx.device_id.to_string(), ctx.today.to_string()],
                |r| {
                    Ok(DeviceReceipt {
                        date: ctx.today,
                        received: r.get::<i64>(0)? as u64,
                        stored: r.get::<i64>(1)? as u64,
                        duplicates: r.get::<i64>(2)? as u64,
                        conflicts: r.get::<i64>(3)? as u64,
                        rejected: r.get::<i64>(4)? as u64,
                    })
                },
            )?;
            tx.commit()?;
            on_commit(committed);
            crate::spent::free_later(spent);
            Ok(Some(Stored { results, receipt }))
        })
        .await
    }

    /// The changes for `user_id` after `after`, at most `limit`, with the next cursor.
    pub async fn pull(&self, user_id: i64, after: u64, limit: usize) -> Result<PullResponse, DbError> {
        self.read(move |conn| {
            let tx = conn.snapshot()?;
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
            tx.commit()?;
            Ok(PullResponse { changes, cursor, more })
        })
        .await
    }
}
