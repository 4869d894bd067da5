//! `GET /api/v1/periods/{id}/scores`: the score table, every figure unrounded (round only
//! to show), with the method version and the data watermark.

use serde::{Deserialize, Serialize};

use crate::scoring::{CentroScore, CollectionMode, ModeScore, Proportion, ScoreTable};

/// A proportion with its 95 % Wilson interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProportionDto {
    pub k: u64,
    pub n: u64,
    pub p: f64,
    pub lower: f64,
    pub upper: f64,
}

/// A reason a centro is not ranked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReasonDto {
    pub code: String,
    pub message: String,
}

/// One centro's figures (SCORING.md §9).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CentroScoreDto {
    pub centro_id: String,
    /// `estatal` or `municipal`.
    pub ambito: String,
    /// `tramites` or `servicios`.
    pub tipo: String,
    pub n: u64,
    pub n_isc: u64,
    pub sampling_days: u64,
    /// Effective sample size of the ISC; `null` when the centro has no ISC.
    pub n_eff: Option<f64>,
    /// Design effect of the ISC's clustering by day; `null` when the centro has no ISC.
    pub deff: Option<f64>,
    pub isc: Option<f64>,
    pub isc_se: Option<f64>,
    pub isc_ci: Option<[f64; 2]>,
    pub dimension_means: std::collections::BTreeMap<String, f64>,
    pub csat: Option<ProportionDto>,
    pub dissatisfied: Option<ProportionDto>,
    pub bribe: Option<ProportionDto>,
    pub visits: u64,
    pub icv: Option<f64>,
    pub icv_se: Option<f64>,
    pub pillar_means: std::collections::BTreeMap<String, f64>,
    pub critical_failure: bool,
    pub iacm: f64,
    pub commitments: usize,
    pub insufficient_commitments: bool,
    pub igq: Option<f64>,
    pub complaints: usize,
    pub igq_from_visits: bool,
    pub igc: Option<f64>,
    pub igc_se: Option<f64>,
    pub complete: bool,
    pub igc_star: Option<f64>,
    pub se_star: Option<f64>,
    pub shrinkage: Option<f64>,
    pub rank: Option<u32>,
    pub tied_with_next: bool,
    /// `destacado`, `satisfactorio`, `en_mejora` or `no_elegible`.
    pub tier: String,
    pub reasons: Vec<ReasonDto>,
    /// Each collection mode outside the method's `index_modes` that has surveys, with its
    /// own n, ISC, SE and interval; none of its surveys is in any figure above. Omitted
    /// when there are none, so that a table without them has the canonical JSON (and
    /// digest) it had before modes existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_modes: Vec<ModeScoreDto>,
}

/// The ISC of one collection mode outside the index (SCORING.md §2, modes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModeScoreDto {
    pub mode: CollectionMode,
    pub n: u64,
    pub n_isc: u64,
    pub sampling_days: u64,
    pub isc: Option<f64>,
    pub isc_se: Option<f64>,
    pub isc_ci: Option<[f64; 2]>,
}

impl From<&ModeScore> for ModeScoreDto {
    fn from(m: &ModeScore) -> Self {
        Self {
            mode: m.mode,
            n: m.n,
            n_isc: m.n_isc,
            sampling_days: m.sampling_days,
            isc: m.isc,
            isc_se: m.isc_se,
            isc_ci: m.isc_ci.map(|(a, b)| [a, b]),
        }
    }
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScoreTableDto {
    pub period_id: String,
    /// The method version every figure was computed with.
    pub method: String,
    /// The highest server sequence number included: the table reflects everything synced
    /// up to it.
    pub watermark: u64,
    /// The collection modes whose surveys are in the index; omitted when interviews only
    /// (the default, and every table frozen before modes existed).
    #[serde(default = "interview_only", skip_serializing_if = "is_interview_only")]
    pub index_modes: Vec<CollectionMode>,
    pub centros: Vec<CentroScoreDto>,
}

fn interview_only() -> Vec<CollectionMode> {
    vec![CollectionMode::Entrevista]
}

fn is_interview_only(modes: &[CollectionMode]) -> bool {
    modes == [CollectionMode::Entrevista]
}

fn proportion(p: &Option<Proportion>) -> Option<ProportionDto> {
    p.map(|p| ProportionDto { k: p.k, n: p.n, p: p.p, lower: p.lower, upper: p.upper })
}

impl From<&CentroScore> for CentroScoreDto {
    fn from(c: &CentroScore) -> Self {
        Self {
            centro_id: c.centro_id.clone(),
            ambito: c.category.ambito.code().into(),
            tipo: c.category.tipo.code().into(),
            n: c.n,
            n_isc: c.n_isc,
            sampling_days: c.sampling_days,
            n_eff: c.isc.map(|_| c.n_eff),
            deff: c.isc.map(|_| c.deff),
            isc: c.isc,
            isc_se: c.isc_se,
            isc_ci: c.isc_ci.map(|(a, b)| [a, b]),
            dimension_means: c.dimension_means.clone(),
            csat: proportion(&c.csat),
            dissatisfied: proportion(&c.dissatisfied),
            bribe: proportion(&c.bribe),
            visits: c.visits,
            icv: c.icv,
            icv_se: c.icv_se,
            pillar_means: c.pillar_means.clone(),
            critical_failure: c.critical_failure,
            iacm: c.iacm,
            commitments: c.commitments,
            insufficient_commitments: c.insufficient_commitments,
            igq: c.igq,
            complaints: c.complaints,
            igq_from_visits: c.igq_from_visits,
            igc: c.igc,
            igc_se: c.igc_se,
            complete: c.complete,
            igc_star: c.ranking.igc_star,
            se_star: c.ranking.se_star,
            shrinkage: c.ranking.shrinkage,
            rank: c.ranking.rank,
            tied_with_next: c.ranking.tied_with_next,
            tier: c.ranking.tier.code().into(),
            reasons: c.reasons.iter().map(|r| ReasonDto { code: r.code().into(), message: r.to_string() }).collect(),
            other_modes: c.other_modes.iter().filter(|m| m.n > 0).map(ModeScoreDto::from).collect(),
        }
    }
}

impl From<&ScoreTable> for ScoreTableDto {
    fn from(t: &ScoreTable) -> Self {
        Self {
            period_id: t.period_id.clone(),
            method: t.method.clone(),
            watermark: t.watermark,
            index_modes: t.index_modes.clone(),
            centros: t.centros.iter().map(CentroScoreDto::from).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::{Ambito, Category, Centro, MethodSettings, Period, PeriodScorer, ReviewStatus, Respondent, SurveyRecord, Tipo};

    fn table(index_modes: Vec<CollectionMode>, modes: &[CollectionMode]) -> ScoreTableDto {
        let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 3).expect("date");
        let settings = MethodSettings { index_modes, ..MethodSettings::default() };
        let period = Period { id: "p".into(), start: day, end: day, settings };
        let category = Category { ambito: Ambito::Estatal, tipo: Tipo::Tramites };
        let mut scorer = PeriodScorer::new(&period, &[Centro { id: "c1".into(), category, coordinates: None, baja_on: None }]);
        let r = Respondent { isc: Some(50.0), dimensions: vec![Some(50.0); 5], satisfaction: None, bribe: None };
        for (i, mode) in modes.iter().enumerate() {
            let rec = SurveyRecord { centro_id: "c1", capture_date: day, status: ReviewStatus::Accepted, mode: *mode, seq: i as u64, respondent: &r };
            scorer.add_survey(&rec).expect("known centro");
        }
        ScoreTableDto::from(&scorer.finish())
    }

    /// Interviews only, under the default method: the JSON is what it was before modes
    /// existed (so frozen tables keep their digests); a mode with surveys is listed.
    #[test]
    fn modes_appear_in_the_json_only_when_they_say_something() {
        let plain = serde_json::to_value(table(vec![CollectionMode::Entrevista], &[CollectionMode::Entrevista])).expect("json");
        assert!(plain.get("index_modes").is_none());
        assert!(plain["centros"][0].get("other_modes").is_none());
        let dto = table(vec![CollectionMode::Entrevista], &[CollectionMode::Entrevista, CollectionMode::Qr]);
        let listed: Vec<(CollectionMode, u64)> = dto.centros[0].other_modes.iter().map(|m| (m.mode, m.n)).collect();
        assert_eq!(listed, [(CollectionMode::Qr, 1)]);
        assert_eq!(dto.centros[0].n, 1);
        let pooled = serde_json::to_value(table(vec![CollectionMode::Entrevista, CollectionMode::Qr], &[CollectionMode::Qr])).expect("json");
        assert_eq!(pooled["index_modes"], serde_json::json!(["entrevista", "qr"]));
        let back: ScoreTableDto = serde_json::from_value(plain).expect("reads back");
        assert_eq!(back.index_modes, [CollectionMode::Entrevista]);
    }
}
