//! `GET /api/v1/forms/{form_id}/{version}/submissions.csv` (streamed) and
//! `GET /api/v1/audit-log`.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shared::protocol::AuditEntry;

use crate::auth::AuthDevice;
use crate::service::exports::{ExportStream, Format, staff, start_export};
use crate::extract::ApiPath;
use crate::error::AppError;
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/forms/{form_id}/{version}/submissions.csv",
    tag = "exportaciones",
    summary = "Registros de una versión de formulario en CSV, en flujo; queda en la bitácora",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    params(("form_id" = String, Path, description = "Identificador del formulario", max_length = 200), ("version" = String, Path, description = "Versión publicada", max_length = 200)),
    responses((status = 200, description = "CSV (UTF-8)", content_type = "text/csv", body = String))
)]
pub async fn submissions_csv(state: State<AppState>, device: AuthDevice, path: ApiPath<(String, String)>) -> Result<Response, AppError> {
    submissions(state, device, path, Format::Csv).await
}

#[utoipa::path(
    get,
    path = "/forms/{form_id}/{version}/submissions.xlsx",
    tag = "exportaciones",
    summary = "Registros de una versión de formulario en XLSX (memoria constante); queda en la bitácora",
    description = "Roles: admin, staff. Pasado el límite de filas de una hoja, sigue en otra.",
    security(("deviceToken" = [])),
    params(("form_id" = String, Path, description = "Identificador del formulario", max_length = 200), ("version" = String, Path, description = "Versión publicada", max_length = 200)),
    responses((status = 200, description = "Libro XLSX", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>))
)]
pub async fn submissions_xlsx(state: State<AppState>, device: AuthDevice, path: ApiPath<(String, String)>) -> Result<Response, AppError> {
    submissions(state, device, path, Format::Xlsx).await
}

async fn submissions(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((form_id, version)): ApiPath<(String, String)>,
    format: Format,
) -> Result<Response, AppError> {
    let ExportStream { filename, mime, mut chunks } = start_export(&state, &device, form_id, version, format, None).await?;
    // `poll_recv` keeps answering `None` once the export ended, however often it is polled.
    let stream = futures_util::stream::poll_fn(move |cx| chunks.poll_recv(cx));
    let name = format!("attachment; filename=\"{filename}\"");
    let headers = [(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, name)];
    Ok((headers, Body::from_stream(stream)).into_response())
}

#[utoipa::path(
    get,
    path = "/audit-log",
    tag = "exportaciones",
    summary = "Quién exportó qué y qué cambió (las 500 entradas más recientes)",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    responses((status = 200, body = Vec<AuditEntry>))
)]
pub async fn audit_log(State(state): State<AppState>, AuthDevice(device): AuthDevice) -> Result<Json<Vec<AuditEntry>>, AppError> {
    staff(&device)?;
    Ok(Json(state.db.audit_log(500).await?))
}
