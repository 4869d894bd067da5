//! Commitments (with milestones verified at visits) and complaints.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A milestone as staff define it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    /// Unique within the commitment; a key (it appears in paths).
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$")]
    pub milestone_id: String,
    pub description: String,
    pub due: NaiveDate,
}

/// `PUT /api/v1/centros/{centro}/commitments/{id}`: create or edit a commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    #[schema(pattern = "\\S")]
    pub description: String,
    /// 1, 2 or 3.
    #[schema(minimum = 1, maximum = 3)]
    pub impact: u8,
    /// At least one; their ids differ.
    #[schema(min_items = 1)]
    pub milestones: Vec<MilestoneInput>,
}

/// A milestone with its verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MilestoneInfo {
    pub milestone_id: String,
    pub description: String,
    pub due: NaiveDate,
    pub verified_on: Option<NaiveDate>,
    /// SHA-256 of the evidence photos.
    pub evidence: Vec<String>,
}

/// A commitment as stored; `version` grows with every change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommitmentInfo {
    pub centro_id: String,
    pub commitment_id: String,
    pub description: String,
    pub impact: u8,
    pub version: u64,
    pub milestones: Vec<MilestoneInfo>,
}

/// `POST …/milestones/{milestone}/verify`: an inspector verifies a milestone at a visit.
/// Based on the version the device saw; an older base is a conflict, never a silent overwrite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyMilestone {
    #[schema(maximum = 9223372036854775807_i64)]
    pub base_version: u64,
    pub verified_on: NaiveDate,
    /// SHA-256 (hex) of each evidence photo.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// `PUT /api/v1/centros/{centro}/complaints/{folio}`: a complaint from the centro's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    pub received: NaiveDate,
    pub responded: Option<NaiveDate>,
    pub corrective_action: bool,
    /// Closed with the citizen's acknowledgement.
    pub acknowledged: bool,
}

/// The answer to a stored complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ComplaintStored {
    pub centro_id: String,
    pub folio: String,
    /// The change's sequence number (the scores' watermark reaches it).
    pub seq: u64,
}

/// `GET /api/v1/photos/{sha256}` and the answer to each uploaded chunk: how much of the
/// photo the server holds. Photos are content-addressed and uploaded in resumable chunks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PhotoStatus {
    pub sha256: String,
    /// Bytes the server has; the next chunk starts here.
    pub received: u64,
    /// The whole photo arrived and matched its hash.
    pub complete: bool,
}

/// `PUT /api/v1/periods/{id}`: open or edit a period. Its method settings are pinned to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodDefinition {
    #[schema(pattern = "\\S")]
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// Method MGS-1 when absent.
    #[serde(default)]
    pub settings: Option<crate::scoring::MethodSettings>,
}

/// `PUT /api/v1/centros/{id}`: register or edit a centro.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CentroDefinition {
    #[schema(pattern = "\\S")]
    pub name: String,
    pub dependencia: String,
    /// `estatal` or `municipal`.
    #[schema(pattern = "^(estatal|municipal)$")]
    pub ambito: String,
    /// `tramites` or `servicios`.
    #[schema(pattern = "^(tramites|servicios)$")]
    pub tipo: String,
    pub municipio: String,
    /// With `lon`, or neither.
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub lat: Option<f64>,
    /// With `lat`, or neither.
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub lon: Option<f64>,
    /// Survey every k-th person (1–100).
    #[schema(minimum = 1, maximum = 100)]
    pub sampling_interval: u32,
    #[serde(default)]
    pub tramites: Vec<String>,
}

/// `POST /api/v1/centros/import` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ImportSummary {
    /// Centros created or updated.
    pub centros: usize,
}

/// `POST /api/v1/users` (admin): a new user with a first password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$")]
    pub username: String,
    #[schema(pattern = "\\S")]
    pub display_name: String,
    pub role: super::Role,
    /// 8 to 200 characters.
    #[schema(min_length = 8, max_length = 200)]
    pub password: String,
    /// The supervisor's username, for field users.
    pub supervisor: Option<String>,
    /// The institution an `enlace` speaks for: a centros' `dependencia` (required for
    /// that role, refused for the others).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub institution: Option<String>,
}

/// `PUT /api/v1/periods/{period}/quotas/{centro}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuotaInput {
    /// 0 to 100,000 surveys.
    #[schema(maximum = 100000)]
    pub surveys: u32,
}
