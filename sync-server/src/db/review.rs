//! The review queue and decisions.

use super::sql::{Conn, OptionalExt, params};
use shared::protocol::{ChangeBody, FlagDto, ReviewItem, ReviewState};
use uuid::Uuid;

use super::changes::emit_review;
use super::{Db, DbError, damaged_column, json, parsed};
use crate::facts::{SurveyFact, collection_mode, decode_dimensions};

/// Who asks, for scoping (decided by `access`): everyone, or the asker's team.
#[derive(Debug, Clone, Copy)]
pub struct Reviewer {
    pub user_id: i64,
    /// Everything, not only the team of `user_id`.
    pub everyone: bool,
    /// Administrators' devices are out of reach (staff revoking devices).
    pub spare_admins: bool,
}

/// The outcome of a decision: the survey's fact with its new state, and the state before.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The survey's scoring fact with its new state (`None` for a visit).
    pub fact: Option<SurveyFact>,
    pub centro_id: String,
    pub capture_date: chrono::NaiveDate,
    pub before: ReviewState,
    pub change_seq: u64,
}

/// The scoring fact of a stored survey, with review state `state`; `None` for a visit.
pub(super) fn survey_fact(conn: &Conn<'_>, id: &str, state: ReviewState) -> Result<Option<SurveyFact>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT centro_id, capture_date, seq, dimensions, satisfaction, bribe, mode FROM survey_facts WHERE submission_id = ?1",
    )?;
    let row = stmt
        .query_row([id], |r| {
            let mode = collection_mode(&r.get::<String>(6)?).map_err(|e| damaged_column(6, e))?;
            Ok((r.get::<String>(0)?, parsed(r, 1)?, r.get::<i64>(2)? as u64, r.get::<String>(3)?, r.get(4)?, r.get(5)?, mode))
        })
        .optional()?;
    let Some((centro_id, capture_date, seq, dimensions, satisfaction, bribe, mode)) = row else { return Ok(None) };
    let facts = shared::scoring::SurveyFacts { dimensions: decode_dimensions(&dimensions)?, satisfaction, bribe };
    Ok(Some(SurveyFact { submission_id: id.to_string(), centro_id, capture_date, seq, review: state.into(), mode, facts }))
}

const SCOPE: &str = "(?1 = 1 OR u.supervisor_id = ?2)";

impl Db {
    /// Surveys in review within the reviewer's scope, oldest first.
    pub async fn review_queue(&self, who: Reviewer) -> Result<Vec<ReviewItem>, DbError> {
        self.read(move |conn| {
            let sql = format!(
                "SELECT s.id, s.centro_id, u.username, s.capture_date, s.received_at, s.review, s.flags, s.review_reason
                 FROM submissions s JOIN users u ON u.id = s.user_id
                 WHERE s.review = 'in_review' AND {SCOPE} ORDER BY s.seq"
            );
            let everyone = who.everyone;
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(params![everyone, who.user_id], |r| {
                let pairs: Vec<(String, String)> = json(r, 6)?;
                Ok(ReviewItem {
                    submission_id: parsed(r, 0)?,
                    centro_id: r.get(1)?,
                    username: r.get(2)?,
                    capture_date: parsed(r, 3)?,
                    received_at: r.get(4)?,
                    state: super::review_state(r, 5)?,
                    flags: pairs.into_iter().map(|(code, reason)| FlagDto { code, reason }).collect(),
                    reason: r.get(7)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Records a decision on a survey in the reviewer's scope and tells the surveyor's devices.
    /// Only a survey in review is decided unless `overrule` (staff); a decision on any other
    /// survey is written to the audit log in the same transaction. `on_commit` sees the
    /// decision right after the commit, before the next write (commit order).
    pub async fn decide(
        &self,
        who: Reviewer,
        id: Uuid,
        decision: (ReviewState, Option<String>, bool),
        on_commit: impl FnOnce(&Decided) + Send + 'static,
    ) -> Result<Decided, DbError> {
        let (state, reason, overrule) = decision;
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let everyone = who.everyone;
            let sql = format!(
                "SELECT s.review, s.user_id FROM submissions s JOIN users u ON u.id = s.user_id WHERE s.id = ?3 AND {SCOPE}"
            );
            let row: Option<(String, i64)> =
                tx.query_row(&sql, params![everyone, who.user_id, id.to_string()], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            let Some((before, submitter)) = row else {
                return Err(DbError::NotFound(format!("registro {id} en su equipo")));
            };
            let before = ReviewState::parse(&before).ok_or_else(|| super::review_damaged(&id.to_string(), &before))?;
            // A corrected record stays rejected: the correction is the one that counts.
            let corrected_by: Option<String> =
                tx.query_row("SELECT id FROM submissions WHERE replaces = ?1", [id.to_string()], |r| r.get(0)).optional()?;
            if let Some(other) = corrected_by
                && state != ReviewState::Rejected
            {
                return Err(DbError::Conflict(format!("El registro {id} ya fue corregido por {other}: decida sobre la corrección.")));
            }
            if before != ReviewState::InReview {
                if !overrule {
                    return Err(DbError::Conflict(format!(
                        "La encuesta {id} no está en revisión ({}): solo coordinación puede cambiar su estado, con motivo.",
                        before.code()
                    )));
                }
                let detail = format!("{id}: {} → {}; motivo: {}", before.code(), state.code(), reason.as_deref().unwrap_or(""));
                tx.execute(
                    "INSERT INTO audit_log (at, user_id, action, detail) VALUES (?1, ?2, 'review_overruled', ?3)",
                    params![super::now_text(), who.user_id, detail],
                )?;
            }
            tx.execute(
                "UPDATE submissions SET review = ?1, review_reason = ?2 WHERE id = ?3",
                params![state.code(), reason, id.to_string()],
            )?;
            let body = ChangeBody::Review { submission_id: id, state, reason: reason.clone() };
            let change_seq = emit_review(&tx, "review", &id.to_string(), Some(submitter), Some(&body), Some(before), Some(state))?;
            let fact = survey_fact(&tx, &id.to_string(), state)?;
            let (centro_id, capture_date) =
                tx.query_row("SELECT centro_id, capture_date FROM submissions WHERE id = ?1", [id.to_string()], |r| Ok((r.get(0)?, parsed(r, 1)?)))?;
            tx.commit()?;
            let decided = Decided { fact, before, change_seq: change_seq as u64, centro_id, capture_date };
            on_commit(&decided);
            Ok(decided)
        })
        .await
    }
}

impl Db {
    /// The server's counts per field device for `date` (devices of the reviewer's scope).
    pub async fn device_days(&self, who: Reviewer, date: chrono::NaiveDate) -> Result<Vec<shared::protocol::DeviceDay>, DbError> {
        self.read(move |conn| {
            let everyone = who.everyone;
            let sql = format!(
                "SELECT d.id, d.label, u.username, u.display_name, COALESCE(dd.received, 0), COALESCE(dd.stored, 0),
                 COALESCE(dd.duplicates, 0), COALESCE(dd.conflicts, 0), COALESCE(dd.rejected, 0), d.last_seen_at,
                 d.revoked_at IS NOT NULL, l.created, l.finalised, l.sent, l.acknowledged
                 FROM devices d JOIN users u ON u.id = d.user_id
                 LEFT JOIN device_days dd ON dd.device_id = d.id AND dd.date = ?3
                 LEFT JOIN device_ledgers l ON l.device_id = d.id AND l.date = ?3
                 WHERE u.role IN ('surveyor', 'inspector') AND {SCOPE} ORDER BY u.username, d.created_at"
            );
            let mut stmt = conn.prepare(&sql)?;
            let rows = stmt.query_map(params![everyone, who.user_id, date.to_string()], |r| {
                Ok(shared::protocol::DeviceDay {
                    device_id: parsed(r, 0)?,
                    label: r.get(1)?,
                    username: r.get(2)?,
                    display_name: r.get(3)?,
                    date,
                    received: r.get::<i64>(4)? as u64,
                    stored: r.get::<i64>(5)? as u64,
                    duplicates: r.get::<i64>(6)? as u64,
                    conflicts: r.get::<i64>(7)? as u64,
                    rejected: r.get::<i64>(8)? as u64,
                    last_seen_at: r.get(9)?,
                    revoked: r.get(10)?,
                    ledger: match (r.get::<Option<i64>>(11)?, r.get::<Option<i64>>(12)?, r.get::<Option<i64>>(13)?, r.get::<Option<i64>>(14)?) {
                        (Some(c), Some(f), Some(s), Some(a)) => Some(shared::protocol::DeviceLedger {
                            date,
                            created: c as u64,
                            finalised: f as u64,
                            sent: s as u64,
                            acknowledged: a as u64,
                        }),
                        _ => None,
                    },
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Revokes a device of the reviewer's scope.
    pub async fn revoke_scoped(&self, who: Reviewer, device_id: Uuid) -> Result<(), DbError> {
        self.write(move |conn| {
            let everyone = who.everyone;
            let sql = format!(
                "UPDATE devices SET revoked_at = ?3 WHERE id = ?4 AND revoked_at IS NULL
                 AND user_id IN (SELECT u.id FROM users u WHERE {SCOPE} AND (?5 = 0 OR u.role != 'admin'))"
            );
            let n = conn.execute(&sql, params![everyone, who.user_id, super::now_text(), device_id.to_string(), who.spare_admins])?;
            if n == 0 { Err(DbError::NotFound(format!("dispositivo activo {device_id} en su equipo"))) } else { Ok(()) }
        })
        .await
    }
}
