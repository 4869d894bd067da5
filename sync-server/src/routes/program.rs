//! Commitments, milestone verification and complaints of a centro.

use axum::Json;
use axum::extract::{Path, State};
use shared::protocol::{CommitmentInfo, CommitmentInput, ComplaintInput, ComplaintStored, Role, VerifyMilestone};

use crate::auth::AuthDevice;
use crate::db::Device;
use crate::error::{AppError, AppJson};
use crate::state::AppState;

fn staff_only(device: &Device) -> Result<(), AppError> {
    match device.user.role {
        Role::Admin | Role::Staff => Ok(()),
        _ => Err(AppError::Forbidden("Solo coordinación registra compromisos.".into())),
    }
}

/// Staff and admin, or an inspector assigned to the centro.
async fn staff_or_inspector_of(state: &AppState, device: &Device, centro: &str) -> Result<(), AppError> {
    match device.user.role {
        Role::Admin | Role::Staff => Ok(()),
        Role::Inspector if state.db.assigned_centros(device.user_id).await?.iter().any(|c| c == centro) => Ok(()),
        _ => Err(AppError::Forbidden("Solo coordinación o el inspector del centro registran esto.".into())),
    }
}

/// Brings the live scores up to date with a centro's commitments and complaints.
async fn refresh(state: &AppState, centro: &str, seq: u64) -> Result<(), AppError> {
    let (commitments, complaints) = state.db.centro_score_records(centro.to_string()).await?;
    if let Ok(mut live) = state.scores.write() {
        live.centro_records_changed(centro, &commitments, &complaints, seq);
    }
    Ok(())
}

pub async fn put_commitment(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    Path((centro, id)): Path<(String, String)>,
    AppJson(input): AppJson<CommitmentInput>,
) -> Result<Json<CommitmentInfo>, AppError> {
    staff_only(&device)?;
    let (info, seq) = state.db.put_commitment(centro.clone(), id, input).await?;
    refresh(&state, &centro, seq).await?;
    Ok(Json(info))
}

pub async fn verify_milestone(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    Path((centro, commitment, milestone)): Path<(String, String, String)>,
    AppJson(body): AppJson<VerifyMilestone>,
) -> Result<Json<CommitmentInfo>, AppError> {
    if device.user.role == Role::Surveyor || device.user.role == Role::Supervisor {
        return Err(AppError::Forbidden("Los hitos los verifica un inspector en su visita.".into()));
    }
    let (info, seq) = state.db.verify_milestone((device.user_id, device.user.role), (centro.clone(), commitment, milestone), body).await?;
    refresh(&state, &centro, seq).await?;
    Ok(Json(info))
}

pub async fn put_complaint(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    Path((centro, folio)): Path<(String, String)>,
    AppJson(input): AppJson<ComplaintInput>,
) -> Result<Json<ComplaintStored>, AppError> {
    staff_or_inspector_of(&state, &device, &centro).await?;
    let seq = state.db.put_complaint(centro.clone(), folio.clone(), input).await?;
    refresh(&state, &centro, seq).await?;
    Ok(Json(ComplaintStored { centro_id: centro, folio, seq }))
}
