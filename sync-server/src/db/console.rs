//! What the web console's pages read that no API endpoint does: a centro's visits with
//! their photos, its commitments and complaints, fieldwork progress and open conflicts.

use chrono::NaiveDate;
use super::sql::{OptionalExt, params};
use shared::protocol::CommitmentInfo;
use shared::scoring::{Complaint, VisitItem};

use super::review::Reviewer;
use super::{Db, DbError, parsed};
use crate::facts::decode_items;

/// One stored visit of a centro.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitView {
    pub submission_id: String,
    pub date: NaiveDate,
    pub items: Vec<VisitItem>,
    /// Evidence photos: (sha256, arrived, the item it was taken for when the app said).
    pub photos: Vec<(String, bool, Option<String>)>,
    /// Scores suggested from the program's records, with the answer given: (note, answer).
    pub score_notes: Vec<(shared::protocol::ScoreNote, String)>,
}

/// A centro's program records.
#[derive(Debug, Clone, PartialEq)]
pub struct CentroRecords {
    pub visits: Vec<VisitView>,
    pub commitments: Vec<CommitmentInfo>,
    pub complaints: Vec<Complaint>,
    /// Surveys of the centro rejected in review (they do not count in its scores).
    pub rejected_in_review: u64,
}

/// Surveys of one centro in a period against its quota.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRow {
    pub centro_id: String,
    pub quota: u32,
    pub surveys: u64,
    pub in_review: u64,
}

/// Surveys of one surveyor on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyorDay {
    pub username: String,
    pub display_name: String,
    pub date: NaiveDate,
    pub surveys: u64,
}

/// A record sent twice with different content, waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenConflict {
    pub submission_id: String,
    pub centro_id: String,
    pub username: String,
    pub received_at: String,
}

/// One centro's day of fieldwork as the response rate needs it: the sampling counters of
/// every device summed, and the surveys completed (stored, not rejected).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseDay {
    pub centro_id: String,
    pub date: NaiveDate,
    pub counted: u64,
    pub selected: u64,
    pub refused: u64,
    pub completed: u64,
}

impl ResponseDay {
    /// Completed / selected (AAPOR RR1); `None` when nobody was selected.
    pub fn rate(&self) -> Option<f64> {
        (self.selected > 0).then(|| self.completed as f64 / self.selected as f64)
    }
}

/// A stored record whose capture date no period covers: it counts in no results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideRecord {
    pub submission_id: String,
    pub centro_id: String,
    pub username: String,
    pub capture_date: NaiveDate,
    pub form_id: String,
}

/// Fieldwork of a period within a reviewer's scope, and the records of the scope that no
/// period covers (at most [`OUTSIDE_SHOWN`], newest first).
#[derive(Debug, Clone, PartialEq)]
pub struct Fieldwork {
    pub quotas: Vec<QuotaRow>,
    pub days: Vec<SurveyorDay>,
    pub conflicts: Vec<OpenConflict>,
    pub outside: Vec<OutsideRecord>,
    /// How many such records there are in all.
    pub outside_total: u64,
}

/// How many records outside every period the fieldwork lists.
pub const OUTSIDE_SHOWN: usize = 200;

/// Records (of everyone when `?1` is 1, else of the team of supervisor `?2`) whose
/// capture date no period covers.
macro_rules! outside {
    () => {
        "FROM submissions s JOIN users u ON u.id = s.user_id
                 WHERE (?1 = 1 OR u.supervisor_id = ?2)
                 AND NOT EXISTS (SELECT 1 FROM periods p WHERE s.capture_date BETWEEN p.start_date AND p.end_date)"
    };
}

impl Db {
    /// A centro's visits (newest first, rejected ones left out), commitments and complaints.
    pub async fn centro_records(&self, centro: String) -> Result<CentroRecords, DbError> {
        self.read(move |conn| {
            // The body only of visits with score notes (read for them alone).
            let mut stmt = conn.prepare(conn.pick(
                "SELECT v.submission_id, v.visit_date, v.items, CASE WHEN json_extract(s.body, '$.meta.score_notes') IS NULL THEN NULL ELSE s.body END
                 FROM visit_facts v JOIN submissions s ON s.id = v.submission_id
                 WHERE v.centro_id = ?1 AND s.review <> 'rejected' ORDER BY v.visit_date DESC, v.seq DESC",
                "SELECT v.submission_id, v.visit_date, v.items,
                   CASE WHEN NULLIF(CAST(s.body AS jsonb) #> '{meta,score_notes}', 'null') IS NULL THEN NULL ELSE s.body END
                 FROM visit_facts v JOIN submissions s ON s.id = v.submission_id
                 WHERE v.centro_id = ?1 AND s.review <> 'rejected' ORDER BY v.visit_date DESC, v.seq DESC",
            ))?;
            let rows: Vec<(String, NaiveDate, String, Option<String>)> =
                stmt.query_map([&centro], |r| Ok((r.get(0)?, parsed(r, 1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
            // Each photo with the item it was taken for (the first that names it).
            let mut photos = conn.prepare(conn.pick(
                "SELECT p.sha256, p.arrived,
                   (SELECT json_extract(j.value, '$.item') FROM json_each(s.body, '$.meta.photo_items') j
                    WHERE json_extract(j.value, '$.sha256') = p.sha256 ORDER BY j.key LIMIT 1)
                 FROM submission_photos p JOIN submissions s ON s.id = p.submission_id
                 WHERE p.submission_id = ?1 ORDER BY 3 NULLS FIRST, p.sha256",
                "SELECT p.sha256, p.arrived,
                   (SELECT j.value ->> 'item' FROM jsonb_array_elements(CAST(s.body AS jsonb) #> '{meta,photo_items}') WITH ORDINALITY AS j(value, key)
                    WHERE j.value ->> 'sha256' = p.sha256 ORDER BY j.key LIMIT 1)
                 FROM submission_photos p JOIN submissions s ON s.id = p.submission_id
                 WHERE p.submission_id = ?1 ORDER BY 3 NULLS FIRST, p.sha256",
            ))?;
            let mut visits = Vec::with_capacity(rows.len());
            for (id, date, items, body) in rows {
                let p = photos.query_map([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<Result<_, _>>()?;
                let score_notes = match body {
                    Some(body) => {
                        let s: shared::protocol::Submission =
                            serde_json::from_str(&body).map_err(|e| DbError::Damaged(format!("el registro {id} está dañado: {e}")))?;
                        let answers = shared::protocol::answers_from_wire(&s.answers);
                        s.meta.score_notes.into_iter().map(|n| { let a = answers.value(&n.item).to_string(); (n, a) }).collect()
                    }
                    None => Vec::new(),
                };
                visits.push(VisitView { date, items: decode_items(&items)?, photos: p, submission_id: id, score_notes });
            }
            let ids: Vec<String> = conn
                .prepare("SELECT id FROM commitments WHERE centro_id = ?1 ORDER BY id")?
                .query_map([&centro], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut commitments = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(c) = super::commitments::load(conn, &centro, &id)? {
                    commitments.push(c);
                }
            }
            let complaints = super::commitments::complaints_of(conn, Some(&centro))?;
            let rejected: i64 = conn.query_row(
                "SELECT COUNT(*) FROM submissions s JOIN survey_facts f ON f.submission_id = s.id WHERE s.centro_id = ?1 AND s.review = 'rejected'",
                [&centro],
                |r| r.get(0),
            )?;
            Ok(CentroRecords { visits, commitments, complaints, rejected_in_review: rejected as u64 })
        })
        .await
    }

    /// Progress of a period's fieldwork in the reviewer's scope (a supervisor: the centros
    /// and surveyors of the team; staff and admin: everything). The quota counts what the
    /// field team collects: kiosk and QR surveys, which arrive unattended, are apart.
    pub async fn fieldwork(&self, who: Reviewer, period_id: String, start: NaiveDate, end: NaiveDate) -> Result<Fieldwork, DbError> {
        self.read(move |conn| {
            let everyone = who.everyone;
            let (start, end) = (start.to_string(), end.to_string());
            let mut stmt = conn.prepare(
                "SELECT c.id, COALESCE(q.surveys, 0),
                   (SELECT COUNT(*) FROM survey_facts f JOIN submissions s ON s.id = f.submission_id
                    WHERE f.centro_id = c.id AND f.capture_date BETWEEN ?4 AND ?5 AND s.review <> 'rejected' AND f.mode NOT IN ('kiosko', 'qr')),
                   (SELECT COUNT(*) FROM survey_facts f JOIN submissions s ON s.id = f.submission_id
                    WHERE f.centro_id = c.id AND f.capture_date BETWEEN ?4 AND ?5 AND s.review = 'in_review' AND f.mode NOT IN ('kiosko', 'qr'))
                 FROM centros c LEFT JOIN quotas q ON q.centro_id = c.id AND q.period_id = ?3
                 WHERE ?1 = 1 OR EXISTS (SELECT 1 FROM assignments a JOIN users u ON u.id = a.user_id
                                         WHERE a.centro_id = c.id AND u.supervisor_id = ?2)
                 ORDER BY c.id",
            )?;
            let quotas = stmt
                .query_map(params![everyone, who.user_id, period_id, start, end], |r| {
                    Ok(QuotaRow { centro_id: r.get(0)?, quota: r.get(1)?, surveys: r.get::<i64>(2)? as u64, in_review: r.get::<i64>(3)? as u64 })
                })?
                .collect::<Result<_, _>>()?;
            let mut stmt = conn.prepare(
                "SELECT u.username, u.display_name, f.capture_date, COUNT(*) FROM survey_facts f
                 JOIN submissions s ON s.id = f.submission_id JOIN users u ON u.id = s.user_id
                 WHERE f.capture_date BETWEEN ?3 AND ?4 AND (?1 = 1 OR u.supervisor_id = ?2)
                 GROUP BY u.username, u.display_name, f.capture_date ORDER BY f.capture_date DESC, u.username LIMIT 500",
            )?;
            let days = stmt
                .query_map(params![everyone, who.user_id, start, end], |r| {
                    Ok(SurveyorDay {
                        username: r.get(0)?,
                        display_name: r.get(1)?,
                        date: parsed(r, 2)?,
                        surveys: r.get::<i64>(3)? as u64,
                    })
                })?
                .collect::<Result<_, _>>()?;
            let mut stmt = conn.prepare(
                "SELECT c.submission_id, s.centro_id, u.username, c.received_at FROM conflicts c
                 JOIN submissions s ON s.id = c.submission_id JOIN devices d ON d.id = c.device_id JOIN users u ON u.id = d.user_id
                 WHERE c.resolved_at IS NULL AND (?1 = 1 OR u.supervisor_id = ?2) ORDER BY c.received_at",
            )?;
            let conflicts = stmt
                .query_map(params![everyone, who.user_id], |r| {
                    Ok(OpenConflict { submission_id: r.get(0)?, centro_id: r.get(1)?, username: r.get(2)?, received_at: r.get(3)? })
                })?
                .collect::<Result<_, _>>()?;
            let outside_total: i64 = conn.query_row(concat!("SELECT COUNT(*) ", outside!()), params![everyone, who.user_id], |r| r.get(0))?;
            let mut stmt =
                conn.prepare(concat!("SELECT s.id, s.centro_id, u.username, s.capture_date, s.form_id ", outside!(), " ORDER BY s.capture_date DESC, s.seq DESC LIMIT ?3"))?;
            let outside = stmt
                .query_map(params![everyone, who.user_id, OUTSIDE_SHOWN as i64], |r| {
                    Ok(OutsideRecord { submission_id: r.get(0)?, centro_id: r.get(1)?, username: r.get(2)?, capture_date: parsed(r, 3)?, form_id: r.get(4)? })
                })?
                .collect::<Result<_, _>>()?;
            Ok(Fieldwork { quotas, days, conflicts, outside, outside_total: outside_total as u64 })
        })
        .await
    }

    /// Response rates per centro and day between two dates (newest first, at most 500
    /// rows): every centro of the reviewer's scope, or one centro.
    pub async fn response_days(&self, who: Reviewer, centro: Option<String>, start: NaiveDate, end: NaiveDate) -> Result<Vec<ResponseDay>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT sc.centro_id, sc.date, SUM(sc.counted), SUM(sc.selected), SUM(sc.refused),
                   (SELECT COUNT(*) FROM survey_facts f JOIN submissions s ON s.id = f.submission_id
                    WHERE f.centro_id = sc.centro_id AND f.capture_date = sc.date AND s.review <> 'rejected')
                 FROM sampling_counts sc
                 WHERE sc.date BETWEEN ?3 AND ?4 AND (sc.centro_id = ?5 OR ?5 IS NULL)
                 AND (?1 = 1 OR EXISTS (SELECT 1 FROM assignments a JOIN users u ON u.id = a.user_id
                                        WHERE a.centro_id = sc.centro_id AND u.supervisor_id = ?2))
                 GROUP BY sc.centro_id, sc.date ORDER BY sc.date DESC, sc.centro_id LIMIT 500",
            )?;
            let rows = stmt.query_map(params![who.everyone, who.user_id, start.to_string(), end.to_string(), centro], |r| {
                Ok(ResponseDay {
                    centro_id: r.get(0)?,
                    date: parsed(r, 1)?,
                    counted: r.get::<i64>(2)? as u64,
                    selected: r.get::<i64>(3)? as u64,
                    refused: r.get::<i64>(4)? as u64,
                    completed: r.get::<i64>(5)? as u64,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// The dimension means of each survey of a centro counted in the scores (accepted or
    /// approved, of one of `modes`: the index's) between two dates.
    pub async fn dimension_samples(
        &self,
        centro: String,
        start: NaiveDate,
        end: NaiveDate,
        modes: Vec<shared::protocol::CollectionMode>,
    ) -> Result<Vec<std::collections::BTreeMap<String, f64>>, DbError> {
        let modes = serde_json::to_string(&modes).map_err(|e| DbError::Other(e.into()))?;
        self.read(move |conn| {
            // `?4` is the modes as a JSON array.
            let mut stmt = conn.prepare(conn.pick(
                "SELECT f.dimensions FROM survey_facts f JOIN submissions s ON s.id = f.submission_id
                 WHERE f.centro_id = ?1 AND f.capture_date BETWEEN ?2 AND ?3 AND s.review IN ('accepted', 'approved')
                   AND f.mode IN (SELECT value FROM json_each(?4))",
                "SELECT f.dimensions FROM survey_facts f JOIN submissions s ON s.id = f.submission_id
                 WHERE f.centro_id = ?1 AND f.capture_date BETWEEN ?2 AND ?3 AND s.review IN ('accepted', 'approved')
                   AND f.mode IN (SELECT jsonb_array_elements_text(CAST(?4 AS jsonb)))",
            ))?;
            let rows = stmt.query_map(params![centro, start.to_string(), end.to_string(), modes], |r| r.get::<String>(0))?;
            let mut out = Vec::new();
            for text in rows {
                out.push(crate::facts::decode_dimensions(&text?)?);
            }
            Ok(out)
        })
        .await
    }

    /// A period's dates.
    pub async fn period_dates(&self, period_id: String) -> Result<Option<(NaiveDate, NaiveDate)>, DbError> {
        self.read(move |conn| {
            Ok(OptionalExt::optional(conn.query_row(
                "SELECT start_date, end_date FROM periods WHERE id = ?1",
                [&period_id],
                |r| Ok((parsed(r, 0)?, parsed(r, 1)?)),
            ))?)
        })
        .await
    }
}
