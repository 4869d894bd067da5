//! The change log: what devices pull. Every write that a device must learn of appends its
//! change here, in the same transaction, and gets its sequence number.

use chrono::NaiveDate;
use super::sql::{Conn, params};
use shared::protocol::{ChangeBody, ReviewState};

use super::DbError;

macro_rules! insert_change {
    () => {
        "INSERT INTO changes (kind, key, user_id, data, review_from, review_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    };
}

/// Appends one change to the log and returns its sequence number.
pub(crate) fn emit(tx: &Conn<'_>, kind: &str, key: &str, user_id: Option<i64>, body: Option<&ChangeBody>) -> Result<i64, DbError> {
    emit_review(tx, kind, key, user_id, body, None, None)
}

/// [`emit`] for a change that puts a survey in review state `to` (from `from`, if it had
/// one): logged with the change, for the servers that follow the log (`follow.rs`).
pub(crate) fn emit_review(
    tx: &Conn<'_>,
    kind: &str,
    key: &str,
    user_id: Option<i64>,
    body: Option<&ChangeBody>,
    from: Option<ReviewState>,
    to: Option<ReviewState>,
) -> Result<i64, DbError> {
    let data = body.map(serde_json::to_string).transpose().map_err(|e| DbError::Other(e.into()))?;
    Ok(tx.insert_id(
        insert_change!(),
        concat!(insert_change!(), " RETURNING seq"),
        params![kind, key, user_id, data, from.map(ReviewState::code), to.map(ReviewState::code)],
    )?)
}

/// Sends a visit of `centro_id` to its inspectors (or only to `only_user`, if an inspector).
pub(crate) fn emit_visit(tx: &Conn<'_>, centro_id: &str, only_user: Option<i64>, body: &ChangeBody) -> Result<(), DbError> {
    let users: Vec<i64> = {
        let mut stmt = tx.prepare_cached(
            "SELECT a.user_id FROM assignments a JOIN users u ON u.id = a.user_id
             WHERE a.centro_id = ?1 AND u.role = 'inspector' AND (u.id = ?2 OR ?2 IS NULL)",
        )?;
        stmt.query_map(params![centro_id, only_user], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    for user in users {
        emit(tx, "visit", centro_id, Some(user), Some(body))?;
    }
    Ok(())
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


impl super::Db {
    /// Up to `limit` changes after `after`, in order: (sequence number, kind).
    pub async fn changes_since(&self, after: u64, limit: usize) -> Result<Vec<(u64, String)>, DbError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT seq, kind FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
            let rows = stmt.query_map(params![after, limit], |r| Ok((r.get::<u64>(0)?, r.get::<String>(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
