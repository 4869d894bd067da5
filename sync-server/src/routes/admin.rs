//! Program administration: periods, centros (one by one or imported), users, assignments
//! and quotas. Staff and admin; users are created by an admin.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use shared::protocol::{ApiError, CentroDefinition, ImportSummary, NewUserRequest, PeriodDefinition, QuotaInput, UserInfo};

use crate::auth::{AuthDevice, hash_password};
use crate::centros_import::{Refused, centro_row, parse};
use crate::db::{Device, NewUser, PeriodRow};
use crate::extract::ApiPath;
use crate::error::{AppError, AppJson};
use crate::state::AppState;

pub(crate) fn staff(device: &Device) -> Result<(), AppError> {
    crate::access::require(device, crate::access::Resource::Program).map(|_| ())
}

async fn rebuild(state: &AppState) -> Result<(), AppError> {
    state.rebuild_scores().await.map_err(AppError::Internal)
}

pub async fn put_period(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(id): ApiPath<String>,
    AppJson(p): AppJson<PeriodDefinition>,
) -> Result<Json<PeriodDefinition>, AppError> {
    Ok(Json(save_period(&state, &device, id, p).await?))
}

/// Creates or updates a period with its pinned method settings (MGS-1 when absent);
/// API and console.
pub async fn save_period(state: &AppState, device: &Device, id: String, p: PeriodDefinition) -> Result<PeriodDefinition, AppError> {
    staff(device)?;
    if id.trim().is_empty() || p.name.trim().is_empty() {
        return Err(AppError::BadRequest("invalid_body", "El periodo necesita clave y nombre.".into()));
    }
    let settings = p.settings.clone().unwrap_or_default();
    let row = PeriodRow { id, name: p.name.clone(), start: p.start, end: p.end, settings: settings.clone() };
    state.db.upsert_period(row).await?;
    rebuild(state).await?;
    Ok(PeriodDefinition { settings: Some(settings), ..p })
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

/// Imports centros from a CSV or XLSX file (API and console): all rows or none, every
/// problem by row.
pub async fn centros_from_file(state: &AppState, device: &Device, bytes: Vec<u8>) -> Result<ImportSummary, AppError> {
    staff(device)?;
    let parsed = tokio::task::spawn_blocking(move || parse(&bytes)).await.map_err(anyhow::Error::from)?;
    let centros = parsed.map_err(|refused| match refused {
        Refused::TooBig(limit) => AppError::TooLarge("spreadsheet_too_large", crate::error::too_big_message(&limit)),
        Refused::Rows(details) => {
            let message = format!("El archivo tiene {} problema(s); no se importó ningún centro.", details.len());
            AppError::Detailed(ApiError { code: "invalid_file".into(), message, details })
        }
    })?;
    let count = centros.len();
    state.db.upsert_centros(centros).await?;
    rebuild(state).await?;
    Ok(ImportSummary { centros: count })
}

pub async fn create_user(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    AppJson(u): AppJson<NewUserRequest>,
) -> Result<Json<UserInfo>, AppError> {
    Ok(Json(new_user(&state, &device, u).await?))
}

/// Creates a user (admin only; API and console).
pub async fn new_user(state: &AppState, device: &Device, u: NewUserRequest) -> Result<UserInfo, AppError> {
    crate::access::require(device, crate::access::Resource::Users)?;
    let valid_name = !u.username.is_empty() && u.username.len() <= 64 && u.username.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid_name || u.display_name.trim().is_empty() {
        return Err(AppError::BadRequest("invalid_body", "Usuario (letras, números, . _ -) y nombre son obligatorios.".into()));
    }
    if u.password.chars().count() < 8 {
        return Err(AppError::BadRequest("weak_password", "La contraseña debe tener al menos 8 caracteres.".into()));
    }
    let password = u.password.clone();
    let password_hash = tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(anyhow::Error::from)??;
    let new = NewUser { username: u.username.clone(), display_name: u.display_name.clone(), role: u.role, password_hash, supervisor: u.supervisor };
    state.db.create_user(new).await?;
    state.db.audit(device.user_id, "create_user", format!("{} ({})", u.username, u.role.code())).await?;
    Ok(UserInfo { username: u.username, display_name: u.display_name, role: u.role })
}

pub async fn assign(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath((username, centro)): ApiPath<(String, String)>) -> Result<Json<Vec<String>>, AppError> {
    Ok(Json(assign_centro(&state, &device, username, centro).await?))
}

/// Assigns a centro to a user (API and console); returns the user's centros.
pub async fn assign_centro(state: &AppState, device: &Device, username: String, centro: String) -> Result<Vec<String>, AppError> {
    staff(device)?;
    let user = state.db.user_id(username).await?;
    state.db.assign(user, centro).await?;
    Ok(state.db.assigned_centros(user).await?)
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

/// Sets a centro's quota of surveys for a period (API and console).
pub async fn set_quota(state: &AppState, device: &Device, period: String, centro: String, surveys: u32) -> Result<(), AppError> {
    staff(device)?;
    state.db.set_quota(period, centro, surveys).await?;
    Ok(())
}
