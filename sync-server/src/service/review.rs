//! Review decisions (API and console).

use shared::protocol::{Decision, ReviewItem, ReviewState};
use uuid::Uuid;

use crate::access::{self, Resource};
use crate::error::AppError;
use crate::state::AppState;

/// A reviewer's decision on a flagged survey (API and console): a rejection needs a reason,
/// which reaches the surveyor's phone; the live scores move exactly. A survey that is not
/// in review (accepted, or decided already) can be changed only by staff, and that is
/// written to the audit log.
pub async fn apply_decision(state: &AppState, device: &crate::db::Device, id: Uuid, decision: Decision, reason: Option<String>) -> Result<ReviewItem, AppError> {
    let who = access::reviewer(device, Resource::Review)?;
    let overrule = access::grant(device.user.role, Resource::RejectAccepted).is_some();
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::BadRequest("invalid_body", "El motivo admite como máximo 500 caracteres.".into()));
    }
    let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    let new_state = match decision {
        Decision::Approve => ReviewState::Approved,
        Decision::Reject => ReviewState::Rejected,
    };
    if new_state == ReviewState::Rejected && reason.is_none() {
        return Err(AppError::Unprocessable("reason_required", "Para rechazar escriba el motivo: le llegará a quien levantó la encuesta.".into()));
    }
    let live = state.scores.clone();
    let on_commit = move |d: &crate::db::Decided| live.update(crate::scores::Update::Review(d.clone()));
    let decided = state.db.decide(who, id, (new_state, reason.clone(), overrule), on_commit).await?;
    Ok(ReviewItem {
        submission_id: id,
        centro_id: decided.centro_id,
        username: String::new(),
        capture_date: decided.capture_date,
        received_at: String::new(),
        state: new_state,
        flags: Vec::new(),
        reason,
    })
}
