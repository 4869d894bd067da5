//! `GET /api/v1/review` and `POST /api/v1/review/{submission_id}`.

use axum::Json;
use axum::extract::{Path, State};
use shared::protocol::{Decision, ReviewDecision, ReviewItem, ReviewList, ReviewState, Role};
use uuid::Uuid;

use crate::auth::AuthDevice;
use crate::db::{Device, Reviewer};
use crate::error::{AppError, AppJson};
use crate::state::AppState;

pub(crate) fn reviewer(device: &Device) -> Result<Reviewer, AppError> {
    match device.user.role {
        Role::Admin | Role::Staff | Role::Supervisor => Ok(Reviewer { user_id: device.user_id, role: device.user.role }),
        _ => Err(AppError::Forbidden("La revisión es para supervisores y coordinación.".into())),
    }
}

pub async fn queue(State(state): State<AppState>, AuthDevice(device): AuthDevice) -> Result<Json<ReviewList>, AppError> {
    let items: Vec<ReviewItem> = state.db.review_queue(reviewer(&device)?).await?;
    Ok(Json(ReviewList { items }))
}

pub async fn decide(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    Path(id): Path<Uuid>,
    AppJson(body): AppJson<ReviewDecision>,
) -> Result<Json<ReviewItem>, AppError> {
    Ok(Json(apply_decision(&state, &device, id, body.decision, body.reason).await?))
}

/// A reviewer's decision on a flagged survey (API and console): a rejection needs a reason,
/// which reaches the surveyor's phone; the live scores move exactly.
pub async fn apply_decision(state: &AppState, device: &crate::db::Device, id: Uuid, decision: Decision, reason: Option<String>) -> Result<ReviewItem, AppError> {
    let who = reviewer(device)?;
    let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    let new_state = match decision {
        Decision::Approve => ReviewState::Approved,
        Decision::Reject => ReviewState::Rejected,
    };
    if new_state == ReviewState::Rejected && reason.is_none() {
        return Err(AppError::BadRequest("reason_required", "Para rechazar escriba el motivo: le llegará a quien levantó la encuesta.".into()));
    }
    if reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(AppError::BadRequest("invalid_body", "El motivo admite como máximo 500 caracteres.".into()));
    }
    let decided = state.db.decide(who, id, new_state, reason.clone()).await?;
    if let (Some(fact), Ok(mut live)) = (&decided.fact, state.scores.write()) {
        live.review_changed(fact, decided.before.into(), decided.change_seq);
    }
    Ok(ReviewItem {
        submission_id: id,
        centro_id: decided.fact.as_ref().map(|f| f.centro_id.clone()).unwrap_or_default(),
        username: String::new(),
        capture_date: decided.fact.as_ref().map(|f| f.capture_date).unwrap_or_default(),
        received_at: String::new(),
        state: new_state,
        flags: Vec::new(),
        reason,
    })
}
