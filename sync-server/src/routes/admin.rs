//! Program administration: periods, centros (one by one or imported), users, assignments
//! and quotas. Staff and admin; users are created by an admin.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use shared::protocol::{CentroDefinition, ImportSummary, Key, NewUserRequest, PeriodDefinition, QuotaInput, UserInfo};

use crate::auth::AuthDevice;
use crate::centros_import::centro_row;
use crate::error::{AppError, AppJson};
use crate::extract::ApiPath;
use crate::service::program::{assign_centro, centros_from_file, new_user, rebuild, save_period, set_quota, staff};
use crate::state::AppState;

#[utoipa::path(
    put,
    path = "/periods/{period_id}",
    tag = "administracion",
    summary = "Abrir o editar un periodo con su método fijado",
    description = "Roles: admin, staff. Sin `settings`, el método MGS-1. 422 `invalid_period` si termina antes de empezar o el método no se puede usar.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo")),
    request_body = PeriodDefinition,
    responses((status = 200, description = "El periodo guardado, con su método", body = PeriodDefinition))
)]
pub async fn put_period(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(id): ApiPath<Key>,
    AppJson(p): AppJson<PeriodDefinition>,
) -> Result<Json<PeriodDefinition>, AppError> {
    Ok(Json(save_period(&state, &device, id.into_string(), p).await?))
}

#[utoipa::path(
    put,
    path = "/centros/{centro_id}",
    tag = "administracion",
    summary = "Registrar o editar un centro",
    description = "Roles: admin, staff. 422 `invalid_centro` si da latitud sin longitud (o al revés).",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro")),
    request_body = CentroDefinition,
    responses((status = 200, body = CentroDefinition))
)]
pub async fn put_centro(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(id): ApiPath<Key>,
    AppJson(def): AppJson<CentroDefinition>,
) -> Result<Json<CentroDefinition>, AppError> {
    staff(&device)?;
    let row = centro_row(id.as_str(), def.clone()).map_err(|(column, m)| AppError::Unprocessable("invalid_centro", format!("{column}: {m}")))?;
    state.db.upsert_centro(row).await?;
    rebuild(&state).await?;
    Ok(Json(def))
}

/// A CSV or XLSX file in the body; all rows or none.
#[utoipa::path(
    post,
    path = "/centros/import",
    tag = "administracion",
    summary = "Importar centros de un CSV o XLSX: todas las filas o ninguna (errores por fila)",
    description = "Roles: admin, staff. Un archivo con filas inválidas: 422 con cada problema en `details`.",
    security(("deviceToken" = [])),
    request_body(
        description = "El archivo: CSV UTF-8 con encabezados, o los bytes de un XLSX (se reconoce por su contenido)",
        content((String = "text/csv"), (Vec<u8> = "application/octet-stream"))
    ),
    responses((status = 200, body = ImportSummary))
)]
pub async fn import_centros(State(state): State<AppState>, AuthDevice(device): AuthDevice, body: Bytes) -> Result<Json<ImportSummary>, AppError> {
    Ok(Json(centros_from_file(&state, &device, body.to_vec()).await?))
}

#[utoipa::path(
    post,
    path = "/users",
    tag = "administracion",
    summary = "Crear un usuario",
    description = "Roles: admin. 409 si el usuario ya existe; 422 `weak_password` o `invalid_user` (p. ej. un supervisor que no existe).",
    security(("deviceToken" = [])),
    request_body = NewUserRequest,
    responses((status = 200, body = UserInfo))
)]
pub async fn create_user(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    AppJson(u): AppJson<NewUserRequest>,
) -> Result<Json<UserInfo>, AppError> {
    Ok(Json(new_user(&state, &device, u).await?))
}

#[utoipa::path(
    put,
    path = "/users/{username}/centros/{centro_id}",
    tag = "administracion",
    summary = "Asignar un centro a un usuario",
    description = "Roles: admin, staff. Responde los centros asignados.",
    security(("deviceToken" = [])),
    params(
        ("username" = String, Path, description = "Usuario"),
        ("centro_id" = String, Path, description = "Clave del centro")
    ),
    responses((status = 200, body = Vec<String>))
)]
pub async fn assign(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath((username, centro)): ApiPath<(Key, Key)>) -> Result<Json<Vec<String>>, AppError> {
    Ok(Json(assign_centro(&state, &device, username.into_string(), centro.into_string()).await?))
}

#[utoipa::path(
    delete,
    path = "/users/{username}/centros/{centro_id}",
    tag = "administracion",
    summary = "Quitar una asignación",
    description = "Roles: admin, staff. Responde los centros que quedan asignados.",
    security(("deviceToken" = [])),
    params(
        ("username" = String, Path, description = "Usuario"),
        ("centro_id" = String, Path, description = "Clave del centro")
    ),
    responses((status = 200, body = Vec<String>))
)]
pub async fn unassign(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath((username, centro)): ApiPath<(Key, Key)>) -> Result<Json<Vec<String>>, AppError> {
    staff(&device)?;
    let user = state.db.user_id(username.into_string()).await?;
    state.db.unassign(user, centro.into_string()).await?;
    Ok(Json(state.db.assigned_centros(user).await?))
}

#[utoipa::path(
    put,
    path = "/periods/{period_id}/quotas/{centro_id}",
    tag = "administracion",
    summary = "Fijar la cuota de encuestas de un centro en un periodo",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    params(
        ("period_id" = String, Path, description = "Clave del periodo"),
        ("centro_id" = String, Path, description = "Clave del centro")
    ),
    request_body = QuotaInput,
    responses((status = 200, body = QuotaInput))
)]
pub async fn put_quota(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((period, centro)): ApiPath<(Key, Key)>,
    AppJson(q): AppJson<QuotaInput>,
) -> Result<Json<QuotaInput>, AppError> {
    set_quota(&state, &device, period.into_string(), centro.into_string(), q.surveys).await?;
    Ok(Json(q))
}
