//! Read endpoints for integrators (staff): the program's centros, periods with their
//! pinned settings, and each centro's commitments and complaints, in pages with a cursor
//! (keyset by id, like pull: ask again with `after=cursor` while `more`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::CommitmentInfo;
use crate::scoring::MethodSettings;

/// Most items in one page of a listing.
pub const MAX_LIST_PAGE: usize = 500;

/// One page of a listing, in id order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The id of the last item given (send it back as `after`); the `after` asked when
    /// the page is empty.
    pub cursor: Option<String>,
    /// More items follow.
    pub more: bool,
}

/// A centro as registered, with its trámites.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CentroListed {
    pub centro_id: String,
    pub name: String,
    pub dependencia: String,
    /// `estatal` or `municipal`.
    pub ambito: String,
    /// `tramites` or `servicios`.
    pub tipo: String,
    pub municipio: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Systematic sampling interval k.
    pub sampling_interval: u32,
    pub tramites: Vec<String>,
}

/// A period with the method settings pinned to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodListed {
    pub period_id: String,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub settings: MethodSettings,
}

/// A complaint of a centro, as the scores read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintListed {
    pub centro_id: String,
    pub folio: String,
    pub received: NaiveDate,
    pub responded: Option<NaiveDate>,
    pub corrective_action: bool,
    pub acknowledged: bool,
    /// The sequence number of its last change.
    pub seq: u64,
}

/// A commitment, with its milestones (the same shape devices receive).
pub type CommitmentListed = CommitmentInfo;
