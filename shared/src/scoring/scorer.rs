//! One pass over a period's records: accumulate per centro (and per sampling day), then
//! compute every figure and the ranking. Memory is bounded by centros × sampling days,
//! not by the number of surveys.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::components::{composite, iacm, icv, igq};
use super::inputs::{Centro, Commitment, Complaint, Period, ReviewStatus, Visit};
use super::modes::CollectionMode;
use super::output::{CentroScore, Ineligibility, ModeScore, Ranking, ScoreTable};
use super::plan::Respondent;
use super::ranking::rank;
use super::settings::MethodSettings;
use super::stats::{ExactSum, interval, quantize, unquantize, wilson};

/// Why a record could not be scored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// The record names a centro the scorer was not given.
    #[error("el centro «{0}» no está registrado")]
    UnknownCentro(String),
    /// The respondent was reduced with settings of another shape.
    #[error("el encuestado tiene {got} dimensiones y el método {expected}")]
    DimensionMismatch { expected: usize, got: usize },
}

/// One survey, as the scorer needs it.
#[derive(Debug, Clone, Copy)]
pub struct SurveyRecord<'a> {
    pub centro_id: &'a str,
    /// Capture date in the centro's local time.
    pub capture_date: NaiveDate,
    pub status: ReviewStatus,
    /// How it was collected: in the index when one of the method's `index_modes`,
    /// else reported beside it.
    pub mode: CollectionMode,
    /// Server sequence number.
    pub seq: u64,
    pub respondent: &'a Respondent,
}

/// The surveys behind one ISC: counted surveys, respondents' ISC, and per sampling day.
#[derive(Default, Clone)]
struct SampleAcc {
    n: u64,
    isc: ExactSum,
    /// Per sampling day: (respondents, fixed-point sum of their ISC).
    days: BTreeMap<NaiveDate, (u64, i128)>,
}

impl SampleAcc {
    /// Adds (`sign` > 0) or removes one survey with respondent ISC `isc`.
    fn apply(&mut self, date: NaiveDate, isc: Option<f64>, sign: i8) {
        self.n = if sign > 0 { self.n + 1 } else { self.n.saturating_sub(1) };
        let Some(y) = isc else { return };
        let q = i128::from(quantize(y));
        let day = self.days.entry(date).or_default();
        if sign > 0 {
            self.isc.add(y);
            day.0 += 1;
            day.1 += q;
        } else {
            self.isc.remove(y);
            day.0 = day.0.saturating_sub(1);
            day.1 -= q;
            if day.0 == 0 {
                self.days.remove(&date);
            }
        }
    }
}

#[derive(Default, Clone)]
struct CentroAcc {
    /// The surveys of the index modes.
    sample: SampleAcc,
    /// The surveys of each mode outside the index, reported beside it.
    other_modes: BTreeMap<CollectionMode, SampleAcc>,
    dims: Vec<ExactSum>,
    satisfaction: [u64; 5],
    bribe: (u64, u64),
    visits: Vec<Visit>,
    commitments: Vec<Commitment>,
    complaints: Vec<Complaint>,
}

/// Scores one period. Add (and remove) records in any order; [`PeriodScorer::table`]
/// computes the figures at any moment. Because sums are exact integers, removing a survey
/// (a supervisor rejects it) leaves exactly the state as if it had never been added.
#[derive(Clone)]
pub struct PeriodScorer {
    period: Period,
    centros: BTreeMap<String, (Centro, CentroAcc)>,
    watermark: u64,
}

impl PeriodScorer {
    /// A scorer for `period` over `centros`, with the period's pinned settings.
    pub fn new(period: &Period, centros: &[Centro]) -> Self {
        let mut scorer = Self { period: period.clone(), centros: BTreeMap::new(), watermark: 0 };
        for c in centros {
            scorer.add_centro(c.clone());
        }
        scorer
    }

    /// The period being scored.
    pub fn period(&self) -> &Period {
        &self.period
    }

    /// Adds a centro (or updates its category and coordinates, keeping its records).
    pub fn add_centro(&mut self, centro: Centro) {
        let dims = self.period.settings.dimension_weights.len();
        match self.centros.get_mut(&centro.id) {
            Some((existing, _)) => *existing = centro,
            None => {
                let acc = CentroAcc { dims: vec![ExactSum::default(); dims], ..CentroAcc::default() };
                self.centros.insert(centro.id.clone(), (centro, acc));
            }
        }
    }

    fn centro(&mut self, id: &str) -> Result<&mut CentroAcc, ScoreError> {
        self.centros.get_mut(id).map(|(_, acc)| acc).ok_or_else(|| ScoreError::UnknownCentro(id.to_string()))
    }

    /// Adds one survey; it counts when its status counts and it was captured in the period.
    pub fn add_survey(&mut self, s: &SurveyRecord<'_>) -> Result<(), ScoreError> {
        self.apply_survey(s, 1)
    }

    /// Removes a survey added before with the same record (e.g. when a supervisor rejects
    /// it): the state is exactly as if it had never been added.
    pub fn remove_survey(&mut self, s: &SurveyRecord<'_>) -> Result<(), ScoreError> {
        self.apply_survey(s, -1)
    }

    fn apply_survey(&mut self, s: &SurveyRecord<'_>, sign: i8) -> Result<(), ScoreError> {
        let expected = self.period.settings.dimension_weights.len();
        if s.respondent.dimensions.len() != expected {
            return Err(ScoreError::DimensionMismatch { expected, got: s.respondent.dimensions.len() });
        }
        if !s.status.counts() || !self.period.contains(s.capture_date) {
            // Still an unknown centro is an error, whatever the status.
            self.centro(s.centro_id)?;
            return Ok(());
        }
        let in_index = self.period.settings.index_modes.contains(&s.mode);
        let acc = self.centro(s.centro_id)?;
        let r = s.respondent;
        if !in_index {
            // Reported beside the index, never mixed into it (SCORING.md §2, modes).
            acc.other_modes.entry(s.mode).or_default().apply(s.capture_date, r.isc, sign);
            self.watermark = self.watermark.max(s.seq);
            return Ok(());
        }
        let step = |v: &mut u64| *v = if sign > 0 { *v + 1 } else { v.saturating_sub(1) };
        acc.sample.apply(s.capture_date, r.isc, sign);
        for (sum, d) in acc.dims.iter_mut().zip(&r.dimensions) {
            match (d, sign > 0) {
                (Some(d), true) => sum.add(*d),
                (Some(d), false) => sum.remove(*d),
                (None, _) => {}
            }
        }
        if let Some(x @ 1..=5) = r.satisfaction {
            step(&mut acc.satisfaction[usize::from(x - 1)]);
        }
        if let Some(yes) = r.bribe {
            step(&mut acc.bribe.0);
            if yes {
                step(&mut acc.bribe.1);
            }
        }
        self.watermark = self.watermark.max(s.seq);
        Ok(())
    }

    /// Raises the data watermark to `seq` (a change seen that altered no figure).
    pub fn observe(&mut self, seq: u64) {
        self.watermark = self.watermark.max(seq);
    }

    /// Keeps a record of centro `id` when `included`, raising the watermark to `seq`.
    fn keep(&mut self, id: &str, included: bool, seq: u64, push: impl FnOnce(&mut CentroAcc)) -> Result<(), ScoreError> {
        let acc = self.centro(id)?;
        if included {
            push(acc);
            self.watermark = self.watermark.max(seq);
        }
        Ok(())
    }

    /// Adds one visit; it counts when made in the period.
    pub fn add_visit(&mut self, v: Visit) -> Result<(), ScoreError> {
        let included = self.period.contains(v.date);
        self.keep(&v.centro_id.clone(), included, v.seq, |acc| acc.visits.push(v))
    }

    /// Adds one commitment (its milestones due by the period's end count).
    pub fn add_commitment(&mut self, c: Commitment) -> Result<(), ScoreError> {
        self.keep(&c.centro_id.clone(), true, c.seq, |acc| acc.commitments.push(c))
    }

    /// Replaces every commitment of a centro (after one was created, edited or verified).
    pub fn replace_commitments(&mut self, centro_id: &str, commitments: Vec<Commitment>, seq: u64) -> Result<(), ScoreError> {
        self.centro(centro_id)?.commitments = commitments;
        self.watermark = self.watermark.max(seq);
        Ok(())
    }

    /// Replaces every complaint of a centro; those received in the period count.
    pub fn replace_complaints(&mut self, centro_id: &str, complaints: Vec<Complaint>, seq: u64) -> Result<(), ScoreError> {
        let period = self.period.clone();
        self.centro(centro_id)?.complaints = complaints.into_iter().filter(|c| period.contains(c.received)).collect();
        self.watermark = self.watermark.max(seq);
        Ok(())
    }

    /// Adds one complaint; it counts when received in the period.
    pub fn add_complaint(&mut self, c: Complaint) -> Result<(), ScoreError> {
        let included = self.period.contains(c.received);
        self.keep(&c.centro_id.clone(), included, c.seq, |acc| acc.complaints.push(c))
    }

    /// Computes every figure and the ranking (consumes the scorer).
    pub fn finish(self) -> ScoreTable {
        self.table()
    }

    /// Computes every figure and the ranking from the current state.
    pub fn table(&self) -> ScoreTable {
        let period = &self.period;
        let settings = &period.settings;
        let mut centros: Vec<CentroScore> =
            self.centros.values().map(|(centro, acc)| score_centro(centro, acc, period, settings)).collect();
        let categories = rank(&mut centros, settings);
        ScoreTable {
            period_id: period.id.clone(),
            method: settings.method.clone(),
            watermark: self.watermark,
            index_modes: settings.index_modes.clone(),
            centros,
            categories,
        }
    }
}

/// ISC figures: (ISC, SE, CI, deff, n_eff, sampling days).
struct Isc {
    mean: Option<f64>,
    se: Option<f64>,
    ci: Option<(f64, f64)>,
    deff: f64,
    n_eff: f64,
    days: u64,
}

fn isc(acc: &SampleAcc, z: f64) -> Isc {
    let n = acc.isc.n();
    let mean = acc.isc.mean();
    let simple = acc.isc.simple_se();
    let g = acc.days.len() as u64;
    let clustered = match (mean, n >= 2 && g >= 2) {
        (Some(ybar), true) => {
            let total: f64 = acc
                .days
                .values()
                .map(|&(n_g, sum_g)| {
                    let e = unquantize(sum_g) - n_g as f64 * ybar;
                    e * e
                })
                .sum();
            let gf = g as f64;
            Some((gf / (gf - 1.0) * total).sqrt() / n as f64)
        }
        _ => None,
    };
    let se = clustered.or(simple);
    let deff = match (clustered, simple) {
        (Some(c), Some(s)) if c > 0.0 && s > 0.0 => (c * c / (s * s)).max(1.0),
        _ => 1.0,
    };
    Isc {
        mean,
        se,
        ci: mean.zip(se).map(|(m, s)| interval(m, s, z)),
        deff,
        n_eff: n as f64 / deff,
        days: g,
    }
}

fn score_centro(centro: &Centro, acc: &CentroAcc, period: &Period, settings: &MethodSettings) -> CentroScore {
    let z = settings.z;
    let isc_figures = isc(&acc.sample, z);
    let mut visits: Vec<&Visit> = acc.visits.iter().collect();
    visits.sort_by_key(|v| (v.date, v.seq));
    let mut commitments: Vec<&Commitment> = acc.commitments.iter().collect();
    commitments.sort_by(|a, b| (&a.id, a.seq).cmp(&(&b.id, b.seq)));
    let mut complaints: Vec<&Complaint> = acc.complaints.iter().collect();
    complaints.sort_by(|a, b| (&a.folio, a.seq).cmp(&(&b.folio, b.seq)));
    let visit_items: Vec<&[_]> = visits.iter().map(|v| v.items.as_slice()).collect();
    let icv_r = icv(&visit_items, settings);
    let iacm_r = iacm(&commitments, period, settings);
    let fallback = icv_r.pillar_means.get(&settings.complaints.fallback_pillar).copied();
    let igq_r = igq(&complaints, period, fallback, settings);
    let components = [
        isc_figures.mean.map(|m| (m, isc_figures.se.unwrap_or(0.0))),
        icv_r.icv.map(|v| (v, icv_r.se.unwrap_or(0.0))),
        Some((iacm_r.value, 0.0)),
        igq_r.value.map(|v| (v, 0.0)),
    ];
    let igc = composite(components, settings);
    let [s1, s2, s3, s4, s5] = acc.satisfaction;
    let answered = s1 + s2 + s3 + s4 + s5;
    let csat = wilson(s4 + s5, answered, z);
    let dissatisfied = wilson(s1 + s2, answered, z);
    let bribe = wilson(acc.bribe.1, acc.bribe.0, z);
    let dimension_means = settings
        .dimension_weights
        .keys()
        .zip(&acc.dims)
        .filter_map(|(k, s)| s.mean().map(|m| (k.clone(), m)))
        .collect();
    let mut score = CentroScore {
        centro_id: centro.id.clone(),
        category: centro.category,
        n: acc.sample.n,
        n_isc: acc.sample.isc.n(),
        sampling_days: isc_figures.days,
        isc: isc_figures.mean,
        isc_se: isc_figures.se,
        isc_ci: isc_figures.ci,
        deff: isc_figures.deff,
        n_eff: isc_figures.n_eff,
        dimension_means,
        csat,
        dissatisfied,
        bribe,
        visits: icv_r.visits,
        icv: icv_r.icv,
        icv_se: icv_r.se,
        pillar_means: icv_r.pillar_means,
        critical_failure: icv_r.critical_failure,
        iacm: iacm_r.value,
        commitments: iacm_r.commitments,
        insufficient_commitments: iacm_r.insufficient,
        igq: igq_r.value,
        complaints: igq_r.complaints,
        igq_from_visits: igq_r.from_visits,
        igc: igc.map(|c| c.0),
        igc_se: igc.map(|c| c.1),
        complete: igc.is_some_and(|c| c.2),
        other_modes: other_modes(acc, settings),
        ranking: Ranking::default(),
        reasons: Vec::new(),
    };
    score.reasons = reasons(&score, components, settings);
    if let Some(on) = centro.baja_on.filter(|on| *on <= period.end) {
        score.reasons.insert(0, Ineligibility::Withdrawn { on });
    }
    score
}

/// The figures of each mode outside the index, in [`CollectionMode::ALL`]'s order (a mode
/// with no surveys too, so that its absence is visible).
fn other_modes(acc: &CentroAcc, settings: &MethodSettings) -> Vec<ModeScore> {
    let empty = SampleAcc::default();
    CollectionMode::ALL
        .into_iter()
        .filter(|m| !settings.index_modes.contains(m))
        .map(|mode| {
            let sample = acc.other_modes.get(&mode).unwrap_or(&empty);
            let f = isc(sample, settings.z);
            ModeScore { mode, n: sample.n, n_isc: sample.isc.n(), sampling_days: f.days, isc: f.mean, isc_se: f.se, isc_ci: f.ci }
        })
        .collect()
}

fn reasons(s: &CentroScore, components: [Option<(f64, f64)>; 4], settings: &MethodSettings) -> Vec<Ineligibility> {
    let e = &settings.eligibility;
    let mut out = Vec::new();
    if s.n_isc < e.min_surveys {
        out.push(Ineligibility::TooFewSurveys { n_isc: s.n_isc, min: e.min_surveys });
    }
    if s.visits < e.min_visits {
        out.push(Ineligibility::TooFewVisits { visits: s.visits, min: e.min_visits });
    }
    if s.critical_failure {
        out.push(Ineligibility::CriticalFailure);
    }
    if let Some(b) = s.bribe.filter(|b| b.lower > e.max_bribe_lower_bound) {
        out.push(Ineligibility::BribeIncidence { lower: b.lower, max: e.max_bribe_lower_bound });
    }
    let names = ["ISC", "ICV", "IACM", "IGQ"];
    let missing: Vec<&'static str> =
        components.iter().zip(names).filter(|(c, _)| c.is_none()).map(|(_, n)| n).collect();
    if !missing.is_empty() {
        out.push(Ineligibility::Incomplete { missing });
    }
    out
}
