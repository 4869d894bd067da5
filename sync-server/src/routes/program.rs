//! Commitments, milestone verification and complaints of a centro.

use axum::Json;
use axum::extract::State;
use shared::protocol::{Key, CommitmentInfo, CommitmentInput, ComplaintInput, ComplaintStored, VerifyMilestone};

use crate::auth::AuthDevice;
use crate::extract::ApiPath;
use crate::error::{AppError, AppJson};
use crate::state::AppState;
use crate::service::filings;

#[utoipa::path(
    put,
    path = "/centros/{centro_id}/commitments/{commitment_id}",
    tag = "compromisos",
    summary = "Crear o editar un compromiso de mejora con sus hitos",
    description = "Roles: admin, staff (confirmado), enlace de la institución del centro (propuesto: espera que coordinación confirme su impacto; el enlace edita solo propuestos y devueltos).",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro"), ("commitment_id" = String, Path, description = "Clave del compromiso")),
    request_body = CommitmentInput,
    responses((status = 200, body = CommitmentInfo))
)]
pub async fn put_commitment(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((centro, id)): ApiPath<(Key, Key)>,
    AppJson(input): AppJson<CommitmentInput>,
) -> Result<Json<CommitmentInfo>, AppError> {
    Ok(Json(filings::register_commitment(&state, &device, centro.as_str(), id.as_str(), input).await?))
}

#[utoipa::path(
    post,
    path = "/centros/{centro_id}/commitments/{commitment_id}/milestones/{milestone_id}/verify",
    tag = "compromisos",
    summary = "Verificar un hito sobre la versión vista (una versión vieja: 409)",
    description = "Roles: el inspector del centro (en visita), admin y staff (en escritorio: solo con un documento de evidencia completo). El compromiso debe estar confirmado.",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro"), ("commitment_id" = String, Path, description = "Clave del compromiso"), ("milestone_id" = String, Path, description = "Clave del hito")),
    request_body = VerifyMilestone,
    responses((status = 200, body = CommitmentInfo))
)]
pub async fn verify_milestone(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((centro, commitment, milestone)): ApiPath<(Key, Key, Key)>,
    AppJson(body): AppJson<VerifyMilestone>,
) -> Result<Json<CommitmentInfo>, AppError> {
    let centro = centro.into_string();
    if i64::try_from(body.base_version).is_err() {
        return Err(AppError::BadRequest("invalid_body", "«base_version» es la versión que el dispositivo vio (a lo más 2⁶³ − 1).".into()));
    }
    Ok(Json(filings::verify_milestone(&state, &device, (centro, commitment.into_string(), milestone.into_string()), body).await?))
}

#[utoipa::path(
    put,
    path = "/centros/{centro_id}/complaints/{folio}",
    tag = "compromisos",
    summary = "Registrar una queja de la bitácora del centro",
    description = "Roles: admin, staff, el inspector del centro.",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro"), ("folio" = String, Path, description = "Folio de la queja")),
    request_body = ComplaintInput,
    responses((status = 200, body = ComplaintStored))
)]
pub async fn put_complaint(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((centro, folio)): ApiPath<(Key, Key)>,
    AppJson(input): AppJson<ComplaintInput>,
) -> Result<Json<ComplaintStored>, AppError> {
    let (centro, folio) = (centro.into_string(), folio.into_string());
    let seq = filings::record_complaint(&state, &device, &centro, &folio, input).await?;
    Ok(Json(ComplaintStored { centro_id: centro, folio, seq }))
}
