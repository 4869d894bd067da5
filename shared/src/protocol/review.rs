//! The review queue: flagged surveys wait for a supervisor, whose decision (and reason)
//! reaches the surveyor's device on its next pull.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::push::ReviewState;

/// One integrity flag, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FlagDto {
    pub code: String,
    pub reason: String,
}

/// A survey waiting in review (or reviewed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub submission_id: Uuid,
    pub centro_id: String,
    pub username: String,
    pub capture_date: NaiveDate,
    pub received_at: String,
    pub state: ReviewState,
    pub flags: Vec<FlagDto>,
    pub reason: Option<String>,
}

/// `GET /api/v1/review`: the queue of the caller's scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ReviewList {
    pub items: Vec<ReviewItem>,
}

/// What a supervisor decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
}

/// `POST /api/v1/review/{submission_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecision {
    pub decision: Decision,
    #[schema(max_length = 500)]
    /// Required to reject: it reaches the surveyor.
    pub reason: Option<String>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub at: String,
    pub username: String,
    pub action: String,
    pub detail: String,
}

/// A device's day as the server counted it: the server side of the day-end receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeviceDay {
    pub device_id: Uuid,
    pub label: String,
    pub username: String,
    pub display_name: String,
    pub date: NaiveDate,
    pub received: u64,
    pub stored: u64,
    pub duplicates: u64,
    pub conflicts: u64,
    pub rejected: u64,
    pub last_seen_at: Option<String>,
    pub revoked: bool,
    /// The device's own counts for the day, as it last reported them.
    #[serde(default)]
    pub ledger: Option<super::push::DeviceLedger>,
}
