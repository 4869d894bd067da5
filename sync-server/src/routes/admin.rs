//! Program administration: periods, centros (one by one or imported), users, assignments
//! and quotas. Staff and admin; users are created by an admin.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use shared::protocol::{CentroDefinition, ImportSummary, NewUserRequest, PeriodDefinition, QuotaInput, UserInfo};

use crate::auth::AuthDevice;
use crate::centros_import::centro_row;
use crate::service::program::{assign_centro, centros_from_file, new_user, rebuild, save_period, set_quota, staff};
use crate::extract::ApiPath;
use crate::error::{AppError, AppJson};
use crate::state::AppState;

pub async fn put_period(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(id): ApiPath<String>,
    AppJson(p): AppJson<PeriodDefinition>,
) -> Result<Json<PeriodDefinition>, AppError> {
    Ok(Json(save_period(&state, &device, id, p).await?))
}

pub async fn put_centro(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(id): ApiPath<String>,
    AppJson(def): AppJson<CentroDefinition>,
) -> Result<Json<CentroDefinition>, AppError> {
    staff(&device)?;
    let row = centro_row(&id, def.clone()).map_err(|(column, m)| AppError::BadRequest("invalid_body", format!("{column}: {m}")))?;
    state.db.upsert_centro(row).await?;
    rebuild(&state).await?;
    Ok(Json(def))
}

/// `POST /api/v1/centros/import`: a CSV or XLSX file in the body; all rows or none.
pub async fn import_centros(State(state): State<AppState>, AuthDevice(device): AuthDevice, body: Bytes) -> Result<Json<ImportSummary>, AppError> {
    Ok(Json(centros_from_file(&state, &device, body.to_vec()).await?))
}

pub async fn create_user(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    AppJson(u): AppJson<NewUserRequest>,
) -> Result<Json<UserInfo>, AppError> {
    Ok(Json(new_user(&state, &device, u).await?))
}

pub async fn assign(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath((username, centro)): ApiPath<(String, String)>) -> Result<Json<Vec<String>>, AppError> {
    Ok(Json(assign_centro(&state, &device, username, centro).await?))
}

pub async fn unassign(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath((username, centro)): ApiPath<(String, String)>) -> Result<Json<Vec<String>>, AppError> {
    staff(&device)?;
    let user = state.db.user_id(username).await?;
    state.db.unassign(user, centro).await?;
    Ok(Json(state.db.assigned_centros(user).await?))
}

pub async fn put_quota(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((period, centro)): ApiPath<(String, String)>,
    AppJson(q): AppJson<QuotaInput>,
) -> Result<Json<QuotaInput>, AppError> {
    set_quota(&state, &device, period, centro, q.surveys).await?;
    Ok(Json(q))
}
