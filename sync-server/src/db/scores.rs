//! Reading everything the live scores are built from, in one read transaction.

use chrono::NaiveDate;
use super::sql::{Conn, Row, SqlResult, params};
use shared::protocol::ReviewState;
use shared::scoring::{Category, Centro, Commitment, Complaint, MethodSettings, Period, SurveyFacts};

use super::commitments::{commitments_of, complaints_of};

use super::{Db, DbError, damaged_column, parsed};
use crate::facts::{SurveyFact, VisitFact, collection_mode, decode_dimensions, decode_items, review_status};

/// The inputs of every period's scores.
#[derive(Debug, Clone, Default)]
pub struct ScoreInputs {
    pub periods: Vec<Period>,
    pub centros: Vec<Centro>,
    pub surveys: Vec<SurveyFact>,
    pub visits: Vec<VisitFact>,
    pub commitments: Vec<Commitment>,
    pub complaints: Vec<Complaint>,
    /// The highest sequence number in the change log.
    pub watermark: u64,
}

fn periods(conn: &Conn<'_>) -> Result<Vec<Period>, DbError> {
    let mut stmt = conn.prepare("SELECT id, start_date, end_date, settings_json FROM periods ORDER BY start_date, id")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<String>(0)?, parsed::<NaiveDate>(r, 1)?, parsed::<NaiveDate>(r, 2)?, r.get::<String>(3)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, start, end, json) = row?;
        let settings: MethodSettings = serde_json::from_str(&json).map_err(|e| DbError::Other(e.into()))?;
        out.push(Period { id, start, end, settings });
    }
    Ok(out)
}

fn centros(conn: &Conn<'_>) -> Result<Vec<Centro>, DbError> {
    let mut stmt = conn.prepare("SELECT id, ambito, tipo, lat, lon, baja_on FROM centros ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        let (ambito, tipo): (String, String) = (r.get(1)?, r.get(2)?);
        let category = Category::parse(&ambito, &tipo)
            .ok_or_else(|| super::bad_code(1, format!("{ambito}/{tipo}")))?;
        let coords: (Option<f64>, Option<f64>) = (r.get(3)?, r.get(4)?);
        Ok(Centro { id: r.get(0)?, category, coordinates: coords.0.zip(coords.1), baja_on: r.get::<Option<String>>(5)?.map(|d| d.parse()).transpose().map_err(|e| damaged_column(5, e))? })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A survey's fact from columns submission_id, centro_id, capture_date, seq, dimensions,
/// satisfaction, bribe, review state, mode.
fn survey_fact(r: &Row<'_>) -> SqlResult<SurveyFact> {
    let facts = SurveyFacts {
        dimensions: decode_dimensions(&r.get::<String>(4)?).map_err(|e| damaged_column(4, e))?,
        satisfaction: r.get(5)?,
        bribe: r.get(6)?,
    };
    Ok(SurveyFact {
        submission_id: r.get(0)?,
        centro_id: r.get(1)?,
        capture_date: parsed(r, 2)?,
        seq: r.get::<i64>(3)? as u64,
        review: review_status(&r.get::<String>(7)?).map_err(|e| damaged_column(7, e))?,
        mode: collection_mode(&r.get::<String>(8)?).map_err(|e| damaged_column(8, e))?,
        facts,
    })
}

/// A visit's fact from columns submission_id, centro_id, visit_date, seq, items.
fn visit_fact(r: &Row<'_>) -> SqlResult<VisitFact> {
    Ok(VisitFact {
        submission_id: r.get(0)?,
        centro_id: r.get(1)?,
        date: parsed(r, 2)?,
        seq: r.get::<i64>(3)? as u64,
        items: decode_items(&r.get::<String>(4)?).map_err(|e| damaged_column(4, e))?,
    })
}

/// What the change log holds after a point, for a server following it (`follow.rs`): the
/// changes, and what the stored surveys, visits and review moves among them did to the
/// scores, each with its change number.
#[derive(Debug, Default)]
pub struct FollowedChanges {
    /// Every change read, as (number, kind), in order.
    pub seen: Vec<(u64, String)>,
    /// Surveys stored, each in the review state it was stored in.
    pub surveys: Vec<SurveyFact>,
    /// Visits stored.
    pub visits: Vec<VisitFact>,
    /// Surveys moved from one review state to another: (the fact in its new state, the
    /// state before, the change's number).
    pub reviews: Vec<(SurveyFact, ReviewState, u64)>,
    /// Changes of stored surveys or reviews logged without their review state (before
    /// migration 0022), as numbers: only a rebuild brings those in.
    pub untracked: Vec<u64>,
}

impl Db {
    /// The change log's next `limit` changes after `after`, with what they did to the
    /// scores, read in one snapshot.
    pub async fn followed_changes(&self, after: u64, limit: usize) -> Result<FollowedChanges, DbError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        self.read(move |conn| {
            let tx = conn.snapshot()?;
            let seen: Vec<(u64, String)> = {
                let mut stmt = tx.prepare_cached("SELECT seq, kind FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2")?;
                stmt.query_map(params![after, limit as i64], |r| Ok((r.get::<i64>(0)? as u64, r.get::<String>(1)?)))?.collect::<Result<_, _>>()?
            };
            let Some(&(last, _)) = seen.last() else { return Ok(FollowedChanges::default()) };
            let last = last as i64;
            let range = params![after, last];
            let untracked: Vec<u64> = {
                let mut stmt = tx.prepare_cached(
                    "SELECT seq FROM changes WHERE seq > ?1 AND seq <= ?2 AND kind IN ('submission', 'review') AND review_to IS NULL ORDER BY seq",
                )?;
                stmt.query_map(range, |r| Ok(r.get::<i64>(0)? as u64))?.collect::<Result<_, _>>()?
            };
            let surveys = {
                let mut stmt = tx.prepare_cached(
                    "SELECT f.submission_id, f.centro_id, f.capture_date, f.seq, f.dimensions, f.satisfaction, f.bribe, c.review_to, f.mode
                     FROM changes c JOIN survey_facts f ON f.submission_id = c.key
                     WHERE c.seq > ?1 AND c.seq <= ?2 AND c.kind = 'submission' AND c.review_to IS NOT NULL ORDER BY c.seq",
                )?;
                stmt.query_map(range, survey_fact)?.collect::<Result<Vec<_>, _>>()?
            };
            let visits = {
                let mut stmt = tx.prepare_cached(
                    "SELECT v.submission_id, v.centro_id, v.visit_date, v.seq, v.items
                     FROM changes c JOIN visit_facts v ON v.submission_id = c.key
                     WHERE c.seq > ?1 AND c.seq <= ?2 AND c.kind = 'submission' ORDER BY c.seq",
                )?;
                stmt.query_map(range, visit_fact)?.collect::<Result<Vec<_>, _>>()?
            };
            let reviews = {
                let mut stmt = tx.prepare_cached(
                    "SELECT f.submission_id, f.centro_id, f.capture_date, f.seq, f.dimensions, f.satisfaction, f.bribe, c.review_to, f.mode,
                            c.review_from, c.seq
                     FROM changes c JOIN survey_facts f ON f.submission_id = c.key
                     WHERE c.seq > ?1 AND c.seq <= ?2 AND c.kind = 'review' AND c.review_from IS NOT NULL ORDER BY c.seq",
                )?;
                let rows = stmt.query_map(range, |r| {
                    let before = r.get::<String>(9)?;
                    let before = ReviewState::parse(&before).ok_or_else(|| super::bad_code(9, before))?;
                    Ok((survey_fact(r)?, before, r.get::<i64>(10)? as u64))
                })?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            tx.commit()?;
            Ok(FollowedChanges { seen, surveys, visits, reviews, untracked })
        })
        .await
    }

    /// Everything needed to build the live scores.
    pub async fn score_inputs(&self) -> Result<ScoreInputs, DbError> {
        self.read(|conn| {
            let tx = conn.snapshot()?;
            let periods = periods(&tx)?;
            let centros = centros(&tx)?;
            let surveys = {
                let mut stmt = tx.prepare(
                    "SELECT f.submission_id, f.centro_id, f.capture_date, f.seq, f.dimensions, f.satisfaction, f.bribe, s.review, f.mode
                     FROM survey_facts f JOIN submissions s ON s.id = f.submission_id",
                )?;
                let rows = stmt.query_map([], survey_fact)?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            let visits = {
                let mut stmt = tx.prepare("SELECT submission_id, centro_id, visit_date, seq, items FROM visit_facts")?;
                let rows = stmt.query_map([], visit_fact)?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            let commitments = commitments_of(&tx, None)?;
            let complaints = complaints_of(&tx, None)?;
            let watermark: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| r.get(0))?;
            tx.commit()?;
            Ok(ScoreInputs { periods, centros, surveys, visits, commitments, complaints, watermark: watermark as u64 })
        })
        .await
    }
}

impl Db {
    /// The audit export of one period: every input of its table.
    pub async fn scoring_inputs(&self, period_id: String) -> Result<shared::protocol::ScoringInputs, DbError> {
        use shared::protocol as p;
        let inputs = self.score_inputs().await?;
        let period = inputs
            .periods
            .iter()
            .find(|x| x.id == period_id)
            .cloned()
            .ok_or_else(|| DbError::NotFound(format!("periodo «{period_id}»")))?;
        let code = |c: &Category| (c.ambito.code().to_string(), c.tipo.code().to_string());
        let uuid = |s: &str| s.parse::<uuid::Uuid>().map_err(|e| DbError::Other(anyhow::anyhow!("identificador almacenado dañado «{s}»: {e}")));
        Ok(p::ScoringInputs {
            period: p::PeriodInput { period_id: period.id.clone(), start: period.start, end: period.end, settings: period.settings.clone() },
            centros: inputs
                .centros
                .iter()
                .map(|c| {
                    let (ambito, tipo) = code(&c.category);
                    p::CentroInput { centro_id: c.id.clone(), ambito, tipo, lat: c.coordinates.map(|x| x.0), lon: c.coordinates.map(|x| x.1), baja_on: c.baja_on }
                })
                .collect(),
            surveys: inputs
                .surveys
                .iter()
                .map(|s| {
                    Ok(p::SurveyInput {
                    submission_id: uuid(&s.submission_id)?,
                    centro_id: s.centro_id.clone(),
                    capture_date: s.capture_date,
                    seq: s.seq,
                    review: s.review.into(),
                    mode: s.mode,
                    dimensions: s.facts.dimensions.clone(),
                    satisfaction: s.facts.satisfaction,
                    bribe: s.facts.bribe,
                    })
                })
                .collect::<Result<_, DbError>>()?,
            visits: inputs
                .visits
                .iter()
                .map(|v| {
                    Ok(p::VisitInput {
                    submission_id: uuid(&v.submission_id)?,
                    centro_id: v.centro_id.clone(),
                    date: v.date,
                    seq: v.seq,
                    items: v
                        .items
                        .iter()
                        .map(|i| p::VisitItemInput { pillar: i.pillar.clone(), weight: i.weight, critical: i.critical, score: i.score })
                        .collect(),
                    })
                })
                .collect::<Result<_, DbError>>()?,
            commitments: inputs
                .commitments
                .iter()
                .map(|c| p::CommitmentScoreInput {
                    centro_id: c.centro_id.clone(),
                    commitment_id: c.id.clone(),
                    impact: c.impact,
                    seq: c.seq,
                    milestones: c.milestones.iter().map(|m| p::MilestoneDates { due: m.due, verified_on: m.verified_on }).collect(),
                })
                .collect(),
            complaints: inputs
                .complaints
                .iter()
                .map(p::ComplaintScoreInput::from)
                .collect(),
            watermark: inputs.watermark,
        })
    }
}

/// A stored survey as reducing it again needs it.
#[derive(Debug, Clone)]
pub struct StoredSurvey {
    pub seq: i64,
    pub submission_id: String,
    pub capture_date: NaiveDate,
    /// The submission as stored (JSON).
    pub body: String,
    pub satisfaction: Option<u8>,
    pub bribe: Option<bool>,
}

/// A survey's indicator facts to set: (submission id, satisfaction, bribe).
pub type Indicators = (String, Option<u8>, Option<bool>);

impl Db {
    /// Surveys captured between two dates, after sequence number `after`, at most `limit`,
    /// in sequence order.
    pub async fn stored_surveys(&self, start: NaiveDate, end: NaiveDate, after: i64, limit: usize) -> Result<Vec<StoredSurvey>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT f.seq, f.submission_id, f.capture_date, s.body, f.satisfaction, f.bribe FROM survey_facts f
                 JOIN submissions s ON s.id = f.submission_id
                 WHERE f.capture_date BETWEEN ?1 AND ?2 AND f.seq > ?3 ORDER BY f.seq LIMIT ?4",
            )?;
            let rows = stmt.query_map(params![start.to_string(), end.to_string(), after, limit as i64], |r| {
                Ok(StoredSurvey { seq: r.get(0)?, submission_id: r.get(1)?, capture_date: parsed(r, 2)?, body: r.get(3)?, satisfaction: r.get(4)?, bribe: r.get(5)? })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Sets the indicator facts (satisfaction, bribe) of stored surveys, in one transaction.
    pub async fn set_indicators(&self, rows: Vec<Indicators>) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            for (id, satisfaction, bribe) in &rows {
                tx.prepare_cached("UPDATE survey_facts SET satisfaction = ?2, bribe = ?3 WHERE submission_id = ?1")?
                    .execute(params![id, satisfaction, bribe])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
