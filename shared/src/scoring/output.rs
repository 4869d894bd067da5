//! The score table: every figure of SCORING.md §9 per centro, with the ranking.

use std::collections::BTreeMap;

use super::inputs::Category;
use super::stats::Proportion;

/// Why a centro is not ranked.
#[derive(Debug, Clone, PartialEq)]
pub enum Ineligibility {
    /// n_isc below the minimum.
    TooFewSurveys { n_isc: u64, min: u64 },
    /// Fewer visits than the minimum.
    TooFewVisits { visits: u64, min: u64 },
    /// A critical checklist item scored 0.
    CriticalFailure,
    /// The bribe incidence's lower Wilson bound is above the limit.
    BribeIncidence { lower: f64, max: f64 },
    /// A component of the composite is missing.
    Incomplete { missing: Vec<&'static str> },
    /// The centro was dado de baja on or before the period's end.
    Withdrawn { on: chrono::NaiveDate },
}

impl Ineligibility {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Ineligibility::TooFewSurveys { .. } => "too_few_surveys",
            Ineligibility::TooFewVisits { .. } => "too_few_visits",
            Ineligibility::CriticalFailure => "critical_failure",
            Ineligibility::BribeIncidence { .. } => "bribe_incidence",
            Ineligibility::Incomplete { .. } => "incomplete",
            Ineligibility::Withdrawn { .. } => "withdrawn",
        }
    }
}

impl std::fmt::Display for Ineligibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ineligibility::TooFewSurveys { n_isc, min } => write!(f, "{n_isc} encuestas válidas; se requieren {min}"),
            Ineligibility::TooFewVisits { visits, min } => write!(f, "{visits} visitas; se requieren {min}"),
            Ineligibility::CriticalFailure => f.write_str("incumplimiento de un criterio crítico en una visita"),
            Ineligibility::BribeIncidence { lower, max } => write!(
                f,
                "incidencia de soborno: límite inferior {:.2} % mayor que {:.2} %",
                lower * 100.0,
                max * 100.0
            ),
            Ineligibility::Incomplete { missing } => write!(f, "faltan componentes: {}", missing.join(", ")),
            Ineligibility::Withdrawn { on } => write!(f, "dado de baja del programa el {}", crate::words::date(*on)),
        }
    }
}

/// The tier of a centro.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Destacado,
    Satisfactorio,
    EnMejora,
    NoElegible,
}

impl Tier {
    /// The code used in exports.
    pub fn code(self) -> &'static str {
        match self {
            Tier::Destacado => "destacado",
            Tier::Satisfactorio => "satisfactorio",
            Tier::EnMejora => "en_mejora",
            Tier::NoElegible => "no_elegible",
        }
    }
}

/// All figures of one centro for one period. Values are unrounded f64; round only to show.
#[derive(Debug, Clone, PartialEq)]
pub struct CentroScore {
    pub centro_id: String,
    pub category: Category,
    /// Surveys counted (accepted or approved, captured in the period).
    pub n: u64,
    /// Of those, respondents with at least one scored dimension.
    pub n_isc: u64,
    /// Distinct sampling days of the ISC respondents (clusters).
    pub sampling_days: u64,
    pub isc: Option<f64>,
    /// The SE used: clustered by day when there are 2 or more days, else simple.
    pub isc_se: Option<f64>,
    pub isc_ci: Option<(f64, f64)>,
    pub deff: f64,
    pub n_eff: f64,
    /// Mean d(i,k) per dimension of the method.
    pub dimension_means: BTreeMap<String, f64>,
    pub csat: Option<Proportion>,
    pub dissatisfied: Option<Proportion>,
    pub bribe: Option<Proportion>,
    /// Visits with an ICV in the period.
    pub visits: u64,
    pub icv: Option<f64>,
    pub icv_se: Option<f64>,
    pub pillar_means: BTreeMap<String, f64>,
    pub critical_failure: bool,
    pub iacm: f64,
    /// Commitments with a milestone due by the period's end.
    pub commitments: usize,
    pub insufficient_commitments: bool,
    pub igq: Option<f64>,
    /// Complaints received in the period.
    pub complaints: usize,
    /// IGQ came from the visits' complaints pillar (no complaints in the period).
    pub igq_from_visits: bool,
    pub igc: Option<f64>,
    pub igc_se: Option<f64>,
    /// All four components exist.
    pub complete: bool,
    /// Each collection mode outside the method's `index_modes`, with its own figures:
    /// none of its surveys is in any figure above.
    pub other_modes: Vec<ModeScore>,
    /// Shrinkage, rank, ties and tier.
    pub ranking: Ranking,
    /// Empty when eligible.
    pub reasons: Vec<Ineligibility>,
}

/// The ISC of one collection mode outside the index, computed with the same formulas on
/// that mode's surveys alone (SCORING.md §2, modes).
#[derive(Debug, Clone, PartialEq)]
pub struct ModeScore {
    pub mode: super::modes::CollectionMode,
    /// Surveys of the mode counted (accepted or approved, captured in the period).
    pub n: u64,
    /// Of those, respondents with at least one scored dimension.
    pub n_isc: u64,
    pub sampling_days: u64,
    pub isc: Option<f64>,
    pub isc_se: Option<f64>,
    pub isc_ci: Option<(f64, f64)>,
}

/// Where a centro stands in its category.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Shrunk IGC (eligible centros only).
    pub igc_star: Option<f64>,
    pub se_star: Option<f64>,
    /// B of the shrinkage (`None` when the category was not shrunk or the centro is not eligible).
    pub shrinkage: Option<f64>,
    /// 1-based rank in its category (eligible centros only).
    pub rank: Option<u32>,
    pub tied_with_next: bool,
    pub tier: Tier,
}

impl Default for Ranking {
    /// Not ranked (yet): tier `no_elegible`.
    fn default() -> Self {
        Self { igc_star: None, se_star: None, shrinkage: None, rank: None, tied_with_next: false, tier: Tier::NoElegible }
    }
}

impl CentroScore {
    /// True when the centro is ranked.
    pub fn eligible(&self) -> bool {
        self.reasons.is_empty()
    }
}

/// The ranking figures of one category.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryStats {
    pub eligible: usize,
    /// μ: mean IGC of the eligible (when shrunk).
    pub mean: Option<f64>,
    /// τ² (when shrunk).
    pub tau2: Option<f64>,
}

/// The score table of one period.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreTable {
    pub period_id: String,
    /// The method version the table was computed with.
    pub method: String,
    /// The highest server sequence number among the records included.
    pub watermark: u64,
    /// The collection modes whose surveys are in the index (the method's `index_modes`).
    pub index_modes: Vec<super::modes::CollectionMode>,
    /// One row per centro, by centro id.
    pub centros: Vec<CentroScore>,
    pub categories: BTreeMap<Category, CategoryStats>,
}
