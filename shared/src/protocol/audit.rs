//! `GET /api/v1/periods/{id}/scoring-inputs`: everything a period's score table is computed
//! from, in one document. [`ScoringInputs::recompute`] turns it back into the table, so
//! anyone can audit a ranking with the export alone (`sync-server recompute-scores`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::push::ReviewState;
use crate::scoring::{
    Category, Centro, CollectionMode, Commitment, Complaint, MethodSettings, Milestone, Period, PeriodScorer, ScoreTable, SurveyFacts,
    SurveyRecord, Visit, VisitItem,
};

/// The period and its pinned method settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PeriodInput {
    pub period_id: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub settings: MethodSettings,
}

/// A centro: its category and coordinates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CentroInput {
    pub centro_id: String,
    pub ambito: String,
    pub tipo: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// The day the centro was dado de baja (omitted when it was not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baja_on: Option<NaiveDate>,
}

fn interview() -> CollectionMode {
    CollectionMode::Entrevista
}

fn is_interview(mode: &CollectionMode) -> bool {
    *mode == CollectionMode::Entrevista
}

/// One survey's contribution (its dimension means and indicator answers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SurveyInput {
    pub submission_id: Uuid,
    pub centro_id: String,
    pub capture_date: NaiveDate,
    pub seq: u64,
    pub review: ReviewState,
    /// How it was collected; omitted for an interview (as in inputs exported before modes
    /// existed, whose canonical JSON this keeps).
    #[serde(default = "interview", skip_serializing_if = "is_interview")]
    pub mode: CollectionMode,
    pub dimensions: BTreeMap<String, f64>,
    pub satisfaction: Option<u8>,
    pub bribe: Option<bool>,
}

/// One checklist item of a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitItemInput {
    pub pillar: String,
    pub weight: f64,
    pub critical: bool,
    pub score: Option<u8>,
}

/// One visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VisitInput {
    pub submission_id: Uuid,
    pub centro_id: String,
    pub date: NaiveDate,
    pub seq: u64,
    pub items: Vec<VisitItemInput>,
}

/// A milestone's due and verification dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MilestoneDates {
    pub due: NaiveDate,
    pub verified_on: Option<NaiveDate>,
}

/// A commitment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommitmentScoreInput {
    pub centro_id: String,
    pub commitment_id: String,
    pub impact: f64,
    pub seq: u64,
    pub milestones: Vec<MilestoneDates>,
}

/// A complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ComplaintScoreInput {
    pub centro_id: String,
    pub folio: String,
    pub received: NaiveDate,
    pub responded: Option<NaiveDate>,
    pub corrective_action: bool,
    pub acknowledged: bool,
    pub seq: u64,
}

impl From<&crate::scoring::Complaint> for ComplaintScoreInput {
    fn from(c: &crate::scoring::Complaint) -> Self {
        Self {
            centro_id: c.centro_id.clone(),
            folio: c.folio.clone(),
            received: c.received,
            responded: c.responded,
            corrective_action: c.corrective_action,
            acknowledged: c.acknowledged,
            seq: c.seq,
        }
    }
}

/// Everything a period's table is computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoringInputs {
    pub period: PeriodInput,
    pub centros: Vec<CentroInput>,
    pub surveys: Vec<SurveyInput>,
    pub visits: Vec<VisitInput>,
    pub commitments: Vec<CommitmentScoreInput>,
    pub complaints: Vec<ComplaintScoreInput>,
    /// The highest sequence number of the data exported.
    pub watermark: u64,
}

impl ScoringInputs {
    /// Recomputes the score table from the inputs alone. Records naming unknown centros
    /// or categories are an error: the export is then not self-consistent.
    pub fn recompute(&self) -> Result<ScoreTable, String> {
        let p = &self.period;
        let period = Period { id: p.period_id.clone(), start: p.start, end: p.end, settings: p.settings.clone() };
        let mut centros = Vec::with_capacity(self.centros.len());
        for c in &self.centros {
            let category = Category::parse(&c.ambito, &c.tipo).ok_or_else(|| format!("categoría inválida en el centro «{}»", c.centro_id))?;
            centros.push(Centro { id: c.centro_id.clone(), category, coordinates: c.lat.zip(c.lon), baja_on: c.baja_on });
        }
        let mut scorer = PeriodScorer::new(&period, &centros);
        for s in &self.surveys {
            let facts = SurveyFacts { dimensions: s.dimensions.clone(), satisfaction: s.satisfaction, bribe: s.bribe };
            let respondent = facts.respondent(&period.settings);
            let record = SurveyRecord {
                centro_id: &s.centro_id,
                capture_date: s.capture_date,
                status: s.review.into(),
                mode: s.mode,
                seq: s.seq,
                respondent: &respondent,
            };
            scorer.add_survey(&record).map_err(|e| e.to_string())?;
        }
        for v in &self.visits {
            let items = v.items.iter().map(|i| VisitItem { pillar: i.pillar.clone(), weight: i.weight, critical: i.critical, score: i.score });
            let visit = Visit { centro_id: v.centro_id.clone(), date: v.date, seq: v.seq, items: items.collect() };
            scorer.add_visit(visit).map_err(|e| e.to_string())?;
        }
        for c in &self.commitments {
            let milestones = c.milestones.iter().map(|m| Milestone { due: m.due, verified_on: m.verified_on }).collect();
            let commitment = Commitment { centro_id: c.centro_id.clone(), id: c.commitment_id.clone(), impact: c.impact, seq: c.seq, milestones };
            scorer.add_commitment(commitment).map_err(|e| e.to_string())?;
        }
        for c in &self.complaints {
            let complaint = Complaint {
                centro_id: c.centro_id.clone(),
                folio: c.folio.clone(),
                received: c.received,
                responded: c.responded,
                corrective_action: c.corrective_action,
                acknowledged: c.acknowledged,
                seq: c.seq,
            };
            scorer.add_complaint(complaint).map_err(|e| e.to_string())?;
        }
        scorer.observe(self.watermark);
        Ok(scorer.finish())
    }
}
