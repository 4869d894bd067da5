//! Commitments, milestone verification and complaints of a centro.

use axum::Json;
use axum::extract::State;
use shared::protocol::{CommitmentInfo, CommitmentInput, ComplaintInput, ComplaintStored, VerifyMilestone};

use crate::access::{self, Resource};
use crate::auth::AuthDevice;
use crate::extract::ApiPath;
use crate::error::{AppError, AppJson};
use crate::state::AppState;


/// Brings the live scores up to date with a centro's commitments and complaints.
async fn refresh(state: &AppState, centro: &str, seq: u64) -> Result<(), AppError> {
    let (commitments, complaints) = state.db.centro_score_records(centro.to_string()).await?;
    state.scores.update(crate::scores::Update::CentroRecords { centro_id: centro.to_string(), commitments, complaints, seq });
    Ok(())
}

pub async fn put_commitment(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((centro, id)): ApiPath<(String, String)>,
    AppJson(input): AppJson<CommitmentInput>,
) -> Result<Json<CommitmentInfo>, AppError> {
    access::require(&device, Resource::Commitments)?;
    let (info, seq) = state.db.put_commitment(centro.clone(), id, input).await?;
    refresh(&state, &centro, seq).await?;
    Ok(Json(info))
}

pub async fn verify_milestone(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((centro, commitment, milestone)): ApiPath<(String, String, String)>,
    AppJson(body): AppJson<VerifyMilestone>,
) -> Result<Json<CommitmentInfo>, AppError> {
    access::require_site_records(&state, &device, &centro).await?;
    let (info, seq) = state.db.verify_milestone((device.user_id, device.user.role), (centro.clone(), commitment, milestone), body).await?;
    refresh(&state, &centro, seq).await?;
    Ok(Json(info))
}

pub async fn put_complaint(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((centro, folio)): ApiPath<(String, String)>,
    AppJson(input): AppJson<ComplaintInput>,
) -> Result<Json<ComplaintStored>, AppError> {
    access::require_site_records(&state, &device, &centro).await?;
    let seq = state.db.put_complaint(centro.clone(), folio.clone(), input).await?;
    refresh(&state, &centro, seq).await?;
    Ok(Json(ComplaintStored { centro_id: centro, folio, seq }))
}
