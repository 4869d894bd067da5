//! A period's state and official results: `GET /periods/{period_id}/status`, the state
//! changes (`close`, `reopen`, `publication-request`, `publish`), the official versions,
//! their frozen inputs and what changed, and the records that arrived after the close.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shared::protocol::{Key, LateRecord, OfficialResults, PeriodStatus, StateChange, VersionChanges};

use crate::auth::AuthDevice;
use crate::error::{AppError, AppJson};
use crate::extract::ApiPath;
use crate::service::cycle;
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/periods/{period_id}/status",
    tag = "resultados",
    summary = "Estado del periodo, versiones de los resultados oficiales y registros posteriores al cierre",
    description = "Roles: admin, staff, supervisor.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo")),
    responses((status = 200, body = PeriodStatus))
)]
pub async fn status(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(period): ApiPath<Key>) -> Result<Json<PeriodStatus>, AppError> {
    Ok(Json(cycle::status(&state, &device, period.as_str()).await?))
}

#[utoipa::path(
    post,
    path = "/periods/{period_id}/close",
    tag = "resultados",
    summary = "Cerrar el periodo: congela la siguiente versión de los resultados oficiales",
    description = "Roles: admin, staff. Solo un periodo abierto (si no, 409). Los registros que lleguen después se guardan como posteriores al cierre.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo")),
    request_body = StateChange,
    responses((status = 200, body = PeriodStatus))
)]
pub async fn close(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(period): ApiPath<Key>, AppJson(body): AppJson<StateChange>) -> Result<Json<PeriodStatus>, AppError> {
    Ok(Json(cycle::close(&state, &device, period.as_str(), &body.reason).await?))
}

#[utoipa::path(
    post,
    path = "/periods/{period_id}/reopen",
    tag = "resultados",
    summary = "Reabrir un periodo cerrado o publicado; el próximo cierre hace una nueva versión",
    description = "Roles: admin, staff. Las versiones anteriores se conservan.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo")),
    request_body = StateChange,
    responses((status = 200, body = PeriodStatus))
)]
pub async fn reopen(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(period): ApiPath<Key>, AppJson(body): AppJson<StateChange>) -> Result<Json<PeriodStatus>, AppError> {
    Ok(Json(cycle::reopen(&state, &device, period.as_str(), &body.reason).await?))
}

#[utoipa::path(
    post,
    path = "/periods/{period_id}/publication-request",
    tag = "resultados",
    summary = "Pedir la publicación de un periodo cerrado (la confirma administración)",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo")),
    request_body = StateChange,
    responses((status = 200, body = PeriodStatus))
)]
pub async fn request_publication(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(period): ApiPath<Key>,
    AppJson(body): AppJson<StateChange>,
) -> Result<Json<PeriodStatus>, AppError> {
    Ok(Json(cycle::request_publication(&state, &device, period.as_str(), &body.reason).await?))
}

#[utoipa::path(
    post,
    path = "/periods/{period_id}/publish",
    tag = "resultados",
    summary = "Confirmar la publicación pedida: la última versión oficial se hace pública",
    description = "Roles: admin.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo")),
    request_body = StateChange,
    responses((status = 200, body = PeriodStatus))
)]
pub async fn publish(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(period): ApiPath<Key>, AppJson(body): AppJson<StateChange>) -> Result<Json<PeriodStatus>, AppError> {
    Ok(Json(cycle::publish(&state, &device, period.as_str(), &body.reason).await?))
}

#[utoipa::path(
    get,
    path = "/periods/{period_id}/official/{version}",
    tag = "resultados",
    summary = "Una versión de los resultados oficiales: la tabla congelada con sus huellas SHA-256",
    description = "Roles: admin, staff, supervisor.",
    security(("deviceToken" = [])),
    params(
        ("period_id" = String, Path, description = "Clave del periodo"),
        ("version" = u32, Path, description = "Versión (1, 2, …)", minimum = 1, maximum = 1000000)
    ),
    responses((status = 200, body = OfficialResults))
)]
pub async fn official(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath((period, version)): ApiPath<(Key, u32)>) -> Result<Json<OfficialResults>, AppError> {
    Ok(Json(cycle::official(&state, &device, period.as_str(), version).await?))
}

#[utoipa::path(
    get,
    path = "/periods/{period_id}/official/{version}/inputs",
    tag = "resultados",
    summary = "Los insumos anonimizados de una versión: exactamente los bytes de su huella",
    description = "Roles: admin, staff, supervisor. `sync-server recompute-scores` sobre este archivo da la misma tabla y la misma huella.",
    security(("deviceToken" = [])),
    params(
        ("period_id" = String, Path, description = "Clave del periodo"),
        ("version" = u32, Path, description = "Versión (1, 2, …)", minimum = 1, maximum = 1000000)
    ),
    responses((status = 200, body = shared::protocol::ScoringInputs))
)]
pub async fn official_inputs(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath((period, version)): ApiPath<(Key, u32)>) -> Result<Response, AppError> {
    let bytes = cycle::official_inputs(&state, &device, period.as_str(), version).await?;
    let name = format!("attachment; filename=\"insumos-{period}-v{version}.json\"");
    Ok(([(header::CONTENT_TYPE, "application/json".to_string()), (header::CONTENT_DISPOSITION, name)], bytes).into_response())
}

#[utoipa::path(
    get,
    path = "/periods/{period_id}/official/{version}/changes",
    tag = "resultados",
    summary = "Qué cambió, por centro, respecto de la versión anterior",
    description = "Roles: admin, staff, supervisor. Para la versión 1, todos los centros (no había anterior).",
    security(("deviceToken" = [])),
    params(
        ("period_id" = String, Path, description = "Clave del periodo"),
        ("version" = u32, Path, description = "Versión (1, 2, …)", minimum = 1, maximum = 1000000)
    ),
    responses((status = 200, body = VersionChanges))
)]
pub async fn changes(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath((period, version)): ApiPath<(Key, u32)>) -> Result<Json<VersionChanges>, AppError> {
    Ok(Json(cycle::version_changes(&state, &device, period.as_str(), version).await?))
}

#[utoipa::path(
    get,
    path = "/periods/{period_id}/late",
    tag = "resultados",
    summary = "Registros posteriores al cierre: capturados en el periodo, guardados después de su último cierre",
    description = "Roles: admin, staff, supervisor. Los 200 más recientes; el total está en `/status`.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo")),
    responses((status = 200, body = Vec<LateRecord>))
)]
pub async fn late(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(period): ApiPath<Key>) -> Result<Json<Vec<LateRecord>>, AppError> {
    Ok(Json(cycle::late(&state, &device, period.as_str()).await?.1))
}
