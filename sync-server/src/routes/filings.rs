//! The centros' side: commitments in detail, their confirmation or return, extensions,
//! documentary evidence, and the citizens' suggestions.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::protocol::{
    CommitmentDetail, CommitmentInfo, ConfirmCommitment, EvidenceType, ExtensionDecision, ExtensionInfo, ExtensionRequest, Key, PhotoStatus,
    ReturnCommitment, Suggestions,
};

use crate::auth::AuthDevice;
use crate::error::{AppError, AppJson};
use crate::extract::{ApiPath, ApiQuery, page_limit};
use crate::service::filings::{self, MAX_SUGGESTIONS, Upload};
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/centros/{centro_id}/commitments/{commitment_id}",
    tag = "compromisos",
    summary = "Un compromiso con su estado, sus documentos de evidencia y sus prórrogas",
    description = "Roles: admin, staff, enlace de la institución del centro.",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro"), ("commitment_id" = String, Path, description = "Clave del compromiso")),
    responses((status = 200, body = CommitmentDetail))
)]
pub async fn commitment(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath((centro, id)): ApiPath<(Key, Key)>) -> Result<Json<CommitmentDetail>, AppError> {
    Ok(Json(filings::commitment_detail(&state, &device, centro.as_str(), id.as_str()).await?))
}

#[utoipa::path(
    post,
    path = "/centros/{centro_id}/commitments/{commitment_id}/confirm",
    tag = "compromisos",
    summary = "Confirmar el peso de impacto (1–3) de un compromiso propuesto: cuenta en el IACM",
    description = "Roles: admin, staff. Solo un compromiso propuesto (otro estado: 409).",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro"), ("commitment_id" = String, Path, description = "Clave del compromiso")),
    request_body = ConfirmCommitment,
    responses((status = 200, body = CommitmentInfo))
)]
pub async fn confirm(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((centro, id)): ApiPath<(Key, Key)>,
    AppJson(body): AppJson<ConfirmCommitment>,
) -> Result<Json<CommitmentInfo>, AppError> {
    Ok(Json(filings::confirm_commitment(&state, &device, centro.as_str(), id.as_str(), body.impact).await?))
}

#[utoipa::path(
    post,
    path = "/centros/{centro_id}/commitments/{commitment_id}/return",
    tag = "compromisos",
    summary = "Devolver un compromiso propuesto al enlace, con el motivo",
    description = "Roles: admin, staff. Solo un compromiso propuesto (otro estado: 409).",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro"), ("commitment_id" = String, Path, description = "Clave del compromiso")),
    request_body = ReturnCommitment,
    responses((status = 204, description = "Devuelto"))
)]
pub async fn send_back(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((centro, id)): ApiPath<(Key, Key)>,
    AppJson(body): AppJson<ReturnCommitment>,
) -> Result<StatusCode, AppError> {
    filings::return_commitment(&state, &device, centro.as_str(), id.as_str(), &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/centros/{centro_id}/commitments/{commitment_id}/milestones/{milestone_id}/extensions",
    tag = "compromisos",
    summary = "Pedir una prórroga de un hito, antes de su fecha compromiso y con el motivo",
    description = "Roles: enlace de la institución del centro, admin, staff. Un hito verificado, una fecha vencida o una prórroga ya en espera: 409.",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro"), ("commitment_id" = String, Path, description = "Clave del compromiso"), ("milestone_id" = String, Path, description = "Clave del hito")),
    request_body = ExtensionRequest,
    responses((status = 201, body = ExtensionInfo))
)]
pub async fn request_extension(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((centro, commitment, milestone)): ApiPath<(Key, Key, Key)>,
    AppJson(body): AppJson<ExtensionRequest>,
) -> Result<(StatusCode, Json<ExtensionInfo>), AppError> {
    let key = (centro.into_string(), commitment.into_string(), milestone.into_string());
    Ok((StatusCode::CREATED, Json(filings::request_extension(&state, &device, key, body).await?)))
}

#[utoipa::path(
    post,
    path = "/extensions/{extension_id}/decision",
    tag = "compromisos",
    summary = "Aprobar o negar una prórroga, con el motivo; aprobada, su fecha es la que cuenta para el IACM",
    description = "Roles: admin, staff. Una prórroga ya decidida: 409.",
    security(("deviceToken" = [])),
    params(("extension_id" = u64, Path, description = "Número de la prórroga", minimum = 1, maximum = 9223372036854775807_i64)),
    request_body = ExtensionDecision,
    responses((status = 204, description = "Decidida"))
)]
pub async fn decide_extension(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(id): ApiPath<u64>,
    AppJson(body): AppJson<ExtensionDecision>,
) -> Result<StatusCode, AppError> {
    if id == 0 || i64::try_from(id).is_err() {
        return Err(AppError::NotFound(format!("No existe la prórroga {id}.")));
    }
    filings::decide_extension(&state, &device, id, body.approve, &body.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?offset=N&total=T&type=application/pdf&name=oficio.pdf`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DocumentChunk {
    /// Where this chunk starts: the `received` of the last answer.
    #[param(minimum = 0)]
    offset: u64,
    /// The whole document's size in bytes.
    #[param(minimum = 1, maximum = 10485760)]
    total: u64,
    /// The document's type; its first bytes must show it.
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = EvidenceType)]
    kind: EvidenceType,
    /// The file's name, as shown to staff (1–200 characters).
    #[param(min_length = 1, max_length = 200)]
    name: String,
}

#[utoipa::path(
    put,
    path = "/centros/{centro_id}/commitments/{commitment_id}/milestones/{milestone_id}/evidence/{sha256}",
    tag = "compromisos",
    summary = "Subir (por trozos, reanudable) un documento de evidencia de un hito: PDF, JPEG o PNG",
    description = "Roles: enlace de la institución del centro, admin, staff. A lo más 10 MiB y 20 documentos por hito; tamaño, tipo y nombre se revisan antes de guardar nada, y el contenido debe ser del tipo declarado (otro: 422 wrong_type). Un trozo que no empieza donde el servidor va: 409.",
    security(("deviceToken" = [])),
    params(
        ("centro_id" = String, Path, description = "Clave del centro"),
        ("commitment_id" = String, Path, description = "Clave del compromiso"),
        ("milestone_id" = String, Path, description = "Clave del hito"),
        ("sha256" = String, Path, description = "SHA-256 del documento, en hexadecimal", pattern = "^[0-9a-f]{64}$"),
        DocumentChunk
    ),
    request_body(content = Option<Vec<u8>>, content_type = "application/octet-stream", description = "Los bytes desde `offset` (vacío: solo pregunta cuántos tiene)"),
    responses((status = 200, body = PhotoStatus))
)]
pub async fn upload_evidence(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((centro, commitment, milestone, sha)): ApiPath<(Key, Key, Key, String)>,
    ApiQuery(chunk): ApiQuery<DocumentChunk>,
    body: Body,
) -> Result<Json<PhotoStatus>, AppError> {
    let upload = Upload {
        key: (centro.into_string(), commitment.into_string(), milestone.into_string()),
        sha256: sha,
        file_name: chunk.name,
        kind: chunk.kind,
        offset: chunk.offset,
        total: chunk.total,
    };
    Ok(Json(filings::upload_evidence(&state, &device, upload, body).await?))
}

/// A document's bytes as a download that is never rendered or run as a page.
pub fn document_response(sha: &str, bytes: Vec<u8>, kind: EvidenceType) -> Response {
    let disposition = format!("attachment; filename=\"evidencia-{}.{}\"", &sha[..12], kind.extension());
    (
        [
            (header::CONTENT_TYPE, kind.media_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox".into()),
            (header::CACHE_CONTROL, "private, max-age=86400".into()),
        ],
        bytes,
    )
        .into_response()
}

#[utoipa::path(
    get,
    path = "/evidence/{sha256}",
    tag = "compromisos",
    summary = "Descargar un documento de evidencia (siempre como archivo adjunto)",
    description = "Roles: admin, staff, el inspector de un centro al que está adjunto, el enlace de su institución.",
    security(("deviceToken" = [])),
    params(("sha256" = String, Path, description = "SHA-256 del documento, en hexadecimal", pattern = "^[0-9a-f]{64}$")),
    responses((status = 200, description = "Los bytes del documento", content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))))
)]
pub async fn evidence(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(sha): ApiPath<String>) -> Result<Response, AppError> {
    let (bytes, kind) = filings::evidence_file(&state, &device, &sha).await?;
    Ok(document_response(&sha, bytes, kind))
}

/// `?period=2025&limit=100`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuggestionsQuery {
    /// The period.
    #[param(pattern = "^[A-Za-z0-9_.-]{1,64}$")]
    period: String,
    /// At most this many, newest first (1–500; default 500).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<usize>,
}

#[utoipa::path(
    get,
    path = "/centros/{centro_id}/suggestions",
    tag = "resultados",
    summary = "Las sugerencias de la ciudadanía (GL3) de un centro en un periodo, anónimas: texto y fecha",
    description = "Roles: admin, staff, enlace de la institución del centro. Las encuestas rechazadas en revisión no cuentan.",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro"), SuggestionsQuery),
    responses((status = 200, body = Suggestions))
)]
pub async fn suggestions(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(centro): ApiPath<Key>,
    ApiQuery(q): ApiQuery<SuggestionsQuery>,
) -> Result<Json<Suggestions>, AppError> {
    let limit = page_limit(q.limit, MAX_SUGGESTIONS)?;
    let period = Key::parse(&q.period).map_err(|_| AppError::BadRequest("bad_query", "Parámetros inválidos: «period» es una clave de periodo.".into()))?;
    Ok(Json(filings::suggestions(&state, &device, centro.as_str(), period.as_str(), limit).await?))
}
