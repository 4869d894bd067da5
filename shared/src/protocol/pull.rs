//! `GET /api/v1/sync/pull?after=N`: the changes in the device's scope after its cursor.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::push::ReviewState;

/// Most changes in one page.
pub const MAX_PULL_PAGE: usize = 500;

/// A page of changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PullResponse {
    /// In sequence order.
    pub changes: Vec<Change>,
    /// Store it with the page (same transaction) and send it as `after` next time.
    pub cursor: u64,
    /// True when more changes wait: ask again right away.
    pub more: bool,
}

/// One change: an upsert or a tombstone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Change {
    pub seq: u64,
    #[serde(flatten)]
    pub body: ChangeBody,
}

/// What changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeBody {
    /// A published form version, as its XLSForm workbook (base64), parsed on the device
    /// with the same engine as on the server.
    Form {
        form_id: String,
        version: String,
        title: String,
        xlsx_base64: String,
        /// The files published with it (omitted when none: older devices read the rest).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<super::FormFile>,
    },
    /// A centro the device works at.
    Centro(CentroInfo),
    /// The centro is no longer in the device's scope.
    CentroRemoved { centro_id: String },
    /// A period.
    Period { period_id: String, name: String, start: NaiveDate, end: NaiveDate, method: String },
    /// An open commitment of a centro the device works at (with its milestones).
    Commitment(super::program::CommitmentInfo),
    /// A supervisor's decision on one of this user's submissions.
    Review { submission_id: Uuid, state: ReviewState, reason: Option<String> },
    /// The latest site visit of a centro (sent to its inspectors): each checklist item's
    /// result, shown beside the item on the next visit.
    Visit { centro_id: String, submission_id: Uuid, form_version: String, visit_date: NaiveDate, #[schema(value_type = super::push::WireAnswersSchema)] answers: super::push::WireAnswers },
}

/// A centro as the field app needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CentroInfo {
    pub centro_id: String,
    pub name: String,
    pub dependencia: String,
    pub municipio: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Survey every k-th person leaving.
    pub sampling_interval: u32,
    /// Surveys to reach in the latest period with a quota (older apps read this one).
    pub quota: u32,
    /// Surveys to reach, by period id: the app shows the quota of the period today falls
    /// in, and «sin cuota» where that period has none (omitted when no period has one).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub quotas: std::collections::BTreeMap<String, u32>,
    /// Trámites and servicios offered (for P0).
    pub tramites: Vec<String>,
    /// The trained share of its front-line staff in the latest period, for the checklist
    /// item that measures it (absent for older servers and centros with no plantilla period).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training: Option<super::TrainingShare>,
    /// Set once the centro is dado de baja.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baja: Option<super::BajaInfo>,
}
