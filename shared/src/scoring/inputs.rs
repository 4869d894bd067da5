//! What the scoring model reads: centros, the period, and per-record inputs already
//! reduced from forms (see [`super::plan`]).

use chrono::NaiveDate;

use super::settings::MethodSettings;

/// `estatal` or `municipal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ambito {
    Estatal,
    Municipal,
}

/// `tramites` or `servicios`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tipo {
    Tramites,
    Servicios,
}

impl Ambito {
    /// The code used in data and exports.
    pub fn code(self) -> &'static str {
        match self {
            Ambito::Estatal => "estatal",
            Ambito::Municipal => "municipal",
        }
    }

    /// Parses [`Ambito::code`] (case and surrounding spaces ignored).
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_lowercase().as_str() {
            "estatal" => Some(Ambito::Estatal),
            "municipal" => Some(Ambito::Municipal),
            _ => None,
        }
    }
}

impl Tipo {
    /// The code used in data and exports.
    pub fn code(self) -> &'static str {
        match self {
            Tipo::Tramites => "tramites",
            Tipo::Servicios => "servicios",
        }
    }

    /// Parses [`Tipo::code`] (also «trámites»; case and surrounding spaces ignored).
    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().to_lowercase().as_str() {
            "tramites" | "trámites" => Some(Tipo::Tramites),
            "servicios" => Some(Tipo::Servicios),
            _ => None,
        }
    }
}

impl Category {
    /// Parses the two codes of a category.
    pub fn parse(ambito: &str, tipo: &str) -> Option<Self> {
        Some(Category { ambito: Ambito::parse(ambito)?, tipo: Tipo::parse(tipo)? })
    }
}

/// A ranking category: (ámbito, tipo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Category {
    pub ambito: Ambito,
    pub tipo: Tipo,
}

/// A centro de atención as scoring sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Centro {
    /// Stable id; ties in the ranking are ordered by it.
    pub id: String,
    pub category: Category,
    /// (latitude, longitude) in degrees, when known.
    pub coordinates: Option<(f64, f64)>,
    /// The day it was dado de baja: from the period that holds it on, it is not ranked.
    pub baja_on: Option<NaiveDate>,
}

/// The evaluation period; both dates inclusive, with the method settings pinned to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub id: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The method version the period is scored with; fixed when the period is opened.
    pub settings: MethodSettings,
}

impl Period {
    /// True when `date` is inside the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }
}

/// Review status of a survey; only `Accepted` and `Approved` count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStatus {
    /// No integrity flag: counts.
    Accepted,
    /// Flagged, waiting for a supervisor: does not count yet.
    InReview,
    /// Flagged, then approved: counts.
    Approved,
    /// Rejected by a supervisor: never counts.
    Rejected,
}

impl ReviewStatus {
    /// True when the survey enters the scores.
    pub fn counts(self) -> bool {
        matches!(self, ReviewStatus::Accepted | ReviewStatus::Approved)
    }
}

/// One checklist item of one visit, reduced from the form.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitItem {
    pub pillar: String,
    pub weight: f64,
    pub critical: bool,
    /// 0, 1 or 2; `None` is N/A.
    pub score: Option<u8>,
}

/// One site visit.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub centro_id: String,
    pub date: NaiveDate,
    /// Server sequence number (for the data watermark).
    pub seq: u64,
    pub items: Vec<VisitItem>,
}

/// One milestone of a commitment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub due: NaiveDate,
    /// When a visit verified it, with evidence.
    pub verified_on: Option<NaiveDate>,
}

/// A compromiso de mejora.
#[derive(Debug, Clone, PartialEq)]
pub struct Commitment {
    pub centro_id: String,
    pub id: String,
    /// Impact weight v: 1, 2 or 3.
    pub impact: f64,
    pub seq: u64,
    pub milestones: Vec<Milestone>,
}

/// A queja.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    pub centro_id: String,
    pub folio: String,
    pub received: NaiveDate,
    pub responded: Option<NaiveDate>,
    pub corrective_action: bool,
    pub acknowledged: bool,
    pub seq: u64,
}
