//! One survey as its reviewer sees it: the stored record with its flags, and the other
//! surveys its surveyor finalised that day.

use super::sql::{OptionalExt, params};
use shared::protocol::{FlagDto, ReviewItem, ReviewState, Submission};
use uuid::Uuid;

use super::review::Reviewer;
use super::review_state;
use super::{Db, DbError, json, parsed};

/// A stored survey with its review item.
#[derive(Debug, Clone)]
pub struct ReviewRecord {
    pub item: ReviewItem,
    pub user_id: i64,
    pub display_name: String,
    pub submission: Submission,
    /// The record this one corrects, and the one that corrects it.
    pub replaces: Option<Uuid>,
    pub corrected_by: Option<Uuid>,
}

/// Another survey of the same surveyor on the same day.
#[derive(Debug, Clone)]
pub struct DaySurvey {
    pub submission_id: Uuid,
    pub centro_id: String,
    pub finalised_unix: i64,
    pub state: ReviewState,
    pub flags: Vec<FlagDto>,
}

impl Db {
    /// The survey `id` within the reviewer's scope, whatever its state; `None` if there is no
    /// such survey in scope.
    pub async fn review_record(&self, who: Reviewer, id: Uuid) -> Result<Option<ReviewRecord>, DbError> {
        self.read(move |conn| {
            let row = conn
                .query_row(
                    "SELECT s.id, s.centro_id, u.username, s.capture_date, s.received_at, s.review, s.flags, s.review_reason,
                            s.user_id, u.display_name, s.body, s.replaces,
                            (SELECT c.id FROM submissions c WHERE c.replaces = s.id)
                     FROM submissions s JOIN users u ON u.id = s.user_id
                     WHERE s.id = ?3 AND (?1 = 1 OR u.supervisor_id = ?2)",
                    params![who.everyone, who.user_id, id.to_string()],
                    |r| {
                        let pairs: Vec<(String, String)> = json(r, 6)?;
                        let item = ReviewItem {
                            submission_id: parsed(r, 0)?,
                            centro_id: r.get(1)?,
                            username: r.get(2)?,
                            capture_date: parsed(r, 3)?,
                            received_at: r.get(4)?,
                            state: review_state(r, 5)?,
                            flags: pairs.into_iter().map(|(code, reason)| FlagDto { code, reason }).collect(),
                            reason: r.get(7)?,
                        };
                        Ok(ReviewRecord {
                            item,
                            user_id: r.get(8)?,
                            display_name: r.get(9)?,
                            submission: json(r, 10)?,
                            replaces: super::parsed_opt(r, 11)?,
                            corrected_by: super::parsed_opt(r, 12)?,
                        })
                    },
                )
                .optional()?;
            Ok(row)
        })
        .await
    }

    /// The surveys `user_id` captured on `date` other than `except`, in the order they were
    /// finalised (at most `limit`).
    pub async fn surveyor_day(&self, user_id: i64, date: chrono::NaiveDate, except: Uuid, limit: usize) -> Result<Vec<DaySurvey>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT s.id, s.centro_id, s.finalised_unix, s.review, s.flags
                 FROM submissions s JOIN survey_facts f ON f.submission_id = s.id
                 WHERE s.user_id = ?1 AND s.capture_date = ?2 AND s.id <> ?3
                 ORDER BY s.finalised_unix, s.id LIMIT ?4",
            )?;
            let rows = stmt.query_map(params![user_id, date.to_string(), except.to_string(), limit as i64], |r| {
                let pairs: Vec<(String, String)> = json(r, 4)?;
                Ok(DaySurvey {
                    submission_id: parsed(r, 0)?,
                    centro_id: r.get(1)?,
                    finalised_unix: r.get(2)?,
                    state: review_state(r, 3)?,
                    flags: pairs.into_iter().map(|(code, reason)| FlagDto { code, reason }).collect(),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
