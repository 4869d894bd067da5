//! Incorporation and staff: the templates, the Enlace's filings, staff's decisions, bajas,
//! a centro's plantilla, trainings and attendance.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use shared::protocol::{
    AttendanceUpdate, BajaInfo, BajaRequest, FilingReceipt, Incorporation, IncorporationStatus, Key, NewTraining, Plantilla, RefuseIncorporation, Training,
};

use crate::auth::AuthDevice;
use crate::error::{AppError, AppJson};
use crate::extract::{ApiPath, ApiQuery};
use crate::service::incorporation::{self, Template};
use crate::service::staff;
use crate::state::AppState;

/// `?institution=…` (staff only: an Enlace always files for its own institution).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InstitutionQuery {
    /// The institution (staff; ignored for an Enlace).
    #[param(max_length = 200)]
    institution: Option<String>,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[utoipa::path(
    get,
    path = "/incorporation/templates/{file}",
    tag = "incorporacion",
    summary = "La plantilla XLSX de la Cédula de Incorporación (`cedula.xlsx`) o de la Plantilla de Personal (`plantilla.xlsx`), con listas desplegables",
    description = "Roles: admin, staff (con `institution`), enlace (su institución). La cédula trae los centros ya registrados de la institución.",
    security(("deviceToken" = [])),
    params(("file" = String, Path, description = "`cedula.xlsx` o `plantilla.xlsx`"), InstitutionQuery),
    responses((status = 200, description = "El libro", content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))))
)]
pub async fn template(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(file): ApiPath<String>,
    ApiQuery(q): ApiQuery<InstitutionQuery>,
) -> Result<Response, AppError> {
    let which = Template::from_file(&file).ok_or_else(|| AppError::NotFound(format!("No hay una plantilla «{file}»: use cedula.xlsx o plantilla.xlsx.")))?;
    let (name, bytes) = incorporation::template(&state, &device, which, q.institution).await?;
    Ok(xlsx_response(&name, bytes))
}

/// An XLSX workbook as a download.
pub fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    ([(header::CONTENT_TYPE, XLSX.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

#[utoipa::path(
    post,
    path = "/periods/{period_id}/incorporation/cedula",
    tag = "incorporacion",
    summary = "Subir la Cédula de Incorporación llena (XLSX): una solicitud pendiente por centro, todas las filas o ninguna",
    description = "Roles: admin, staff (con `institution`), enlace. Solo en un periodo abierto (cerrado: 409). Filas inválidas: 422 con cada problema en `details`.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo"), InstitutionQuery),
    request_body(description = "Los bytes del libro XLSX", content((Vec<u8> = "application/octet-stream"))),
    responses((status = 200, body = FilingReceipt))
)]
pub async fn file_cedula(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(period): ApiPath<Key>,
    ApiQuery(q): ApiQuery<InstitutionQuery>,
    body: Bytes,
) -> Result<Json<FilingReceipt>, AppError> {
    Ok(Json(incorporation::file_cedula(&state, &device, period.as_str().to_string(), q.institution, body.to_vec()).await?))
}

#[utoipa::path(
    post,
    path = "/periods/{period_id}/incorporation/plantilla",
    tag = "incorporacion",
    summary = "Subir la Plantilla de Personal llena (XLSX) de los centros con cédula pendiente",
    description = "Roles: admin, staff (con `institution`), enlace. Filas inválidas (p. ej. un centro sin cédula pendiente): 422 con cada problema en `details`.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo"), InstitutionQuery),
    request_body(description = "Los bytes del libro XLSX", content((Vec<u8> = "application/octet-stream"))),
    responses((status = 200, body = FilingReceipt))
)]
pub async fn file_plantilla(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(period): ApiPath<Key>,
    ApiQuery(q): ApiQuery<InstitutionQuery>,
    body: Bytes,
) -> Result<Json<FilingReceipt>, AppError> {
    Ok(Json(incorporation::file_plantilla(&state, &device, period.as_str().to_string(), q.institution, body.to_vec()).await?))
}

/// `?status=pendiente`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StatusQuery {
    /// Only requests in this state.
    status: Option<IncorporationStatus>,
}

#[utoipa::path(
    get,
    path = "/incorporations",
    tag = "incorporacion",
    summary = "Las solicitudes de incorporación (las más recientes primero, hasta 1,000)",
    description = "Roles: admin, staff (todas), enlace (las de su institución).",
    security(("deviceToken" = [])),
    params(StatusQuery),
    responses((status = 200, body = Vec<Incorporation>))
)]
pub async fn list(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiQuery(q): ApiQuery<StatusQuery>) -> Result<Json<Vec<Incorporation>>, AppError> {
    Ok(Json(incorporation::requests(&state, &device, q.status).await?))
}

#[utoipa::path(
    post,
    path = "/incorporations/{id}/accept",
    tag = "incorporacion",
    summary = "Aceptar una solicitud: el centro entra al catálogo y su plantilla queda como su personal",
    description = "Roles: admin, staff. Solo una solicitud pendiente con su plantilla (si no: 409).",
    security(("deviceToken" = [])),
    params(("id" = i64, Path, description = "Número de la solicitud")),
    responses((status = 200, body = Incorporation))
)]
pub async fn accept(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(id): ApiPath<i64>) -> Result<Json<Incorporation>, AppError> {
    Ok(Json(incorporation::accept(&state, &device, id).await?))
}

#[utoipa::path(
    post,
    path = "/incorporations/{id}/refuse",
    tag = "incorporacion",
    summary = "Rechazar una solicitud pendiente, con el motivo",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    params(("id" = i64, Path, description = "Número de la solicitud")),
    request_body = RefuseIncorporation,
    responses((status = 200, body = Incorporation))
)]
pub async fn refuse(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(id): ApiPath<i64>,
    AppJson(body): AppJson<RefuseIncorporation>,
) -> Result<Json<Incorporation>, AppError> {
    Ok(Json(incorporation::refuse(&state, &device, id, &body.reason).await?))
}

#[utoipa::path(
    post,
    path = "/centros/{centro_id}/baja",
    tag = "incorporacion",
    summary = "Dar de baja un centro: se conserva en el historial y deja de clasificarse desde el periodo de la fecha",
    description = "Roles: admin, staff. Fecha no futura; motivo obligatorio.",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro")),
    request_body = BajaRequest,
    responses((status = 200, body = BajaInfo))
)]
pub async fn baja(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(centro): ApiPath<Key>,
    AppJson(body): AppJson<BajaRequest>,
) -> Result<Json<BajaInfo>, AppError> {
    Ok(Json(incorporation::baja(&state, &device, centro.as_str().to_string(), body).await?))
}

#[utoipa::path(
    get,
    path = "/centros/{centro_id}/staff",
    tag = "incorporacion",
    summary = "La plantilla de un centro y el porcentaje de su personal de atención directa capacitado en el periodo",
    description = "Roles: admin, staff, enlace de la institución del centro.",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro")),
    responses((status = 200, body = Plantilla))
)]
pub async fn plantilla(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(centro): ApiPath<Key>) -> Result<Json<Plantilla>, AppError> {
    let (people, training) = staff::plantilla(&state, &device, centro.as_str().to_string()).await?;
    Ok(Json(Plantilla { centro_id: centro.as_str().to_string(), people, training }))
}

#[utoipa::path(
    get,
    path = "/trainings",
    tag = "incorporacion",
    summary = "Las capacitaciones registradas, las más recientes primero",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    responses((status = 200, body = Vec<Training>))
)]
pub async fn trainings(State(state): State<AppState>, AuthDevice(device): AuthDevice) -> Result<Json<Vec<Training>>, AppError> {
    Ok(Json(staff::trainings(&state, &device).await?))
}

#[utoipa::path(
    post,
    path = "/trainings",
    tag = "incorporacion",
    summary = "Registrar una capacitación (nombre, fecha, modalidad, estándar como EC0105 o EC1268)",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    request_body = NewTraining,
    responses((status = 200, body = Training))
)]
pub async fn create_training(State(state): State<AppState>, AuthDevice(device): AuthDevice, AppJson(body): AppJson<NewTraining>) -> Result<Json<Training>, AppError> {
    Ok(Json(staff::create_training(&state, &device, body).await?))
}

#[utoipa::path(
    put,
    path = "/trainings/{id}/attendance",
    tag = "incorporacion",
    summary = "Registrar quién asistió o se certificó en una capacitación (`outcome: null` lo quita)",
    description = "Roles: admin, staff. Personas de la plantilla de algún centro; hasta 2,000 registros por envío.",
    security(("deviceToken" = [])),
    params(("id" = i64, Path, description = "Número de la capacitación")),
    request_body = AttendanceUpdate,
    responses((status = 200, body = Training))
)]
pub async fn attendance(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(id): ApiPath<i64>,
    AppJson(body): AppJson<AttendanceUpdate>,
) -> Result<Json<Training>, AppError> {
    Ok(Json(staff::set_attendance(&state, &device, id, body).await?))
}
