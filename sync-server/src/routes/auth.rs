//! `POST /api/v1/auth/enrol` and `GET /api/v1/me`.

use axum::Json;
use axum::extract::State;
use shared::protocol::{EnrolRequest, EnrolResponse, MeResponse};

use crate::auth::{AuthDevice, new_token, verify_password};
use crate::error::{AppError, AppJson};
use crate::state::AppState;

const BAD_CREDENTIALS: &str = "Usuario o contraseña incorrectos.";

pub async fn enrol(State(state): State<AppState>, AppJson(req): AppJson<EnrolRequest>) -> Result<Json<EnrolResponse>, AppError> {
    Ok(Json(login(&state, &req.username, &req.password, &req.device_label).await?))
}

/// Checks a username and password (rate-limited per username) and issues a device token
/// labelled `label`: a phone's enrolment, or a web console session.
pub async fn login(state: &AppState, username: &str, password: &str, label: &str) -> Result<EnrolResponse, AppError> {
    let label = label.trim().to_string();
    if label.is_empty() || label.chars().count() > 100 || username.len() > 100 || password.len() > 200 {
        return Err(AppError::BadRequest("invalid_body", "Usuario, contraseña y nombre del dispositivo son obligatorios (máx. 100 caracteres).".into()));
    }
    if !state.login_limiter.allow(&username.trim().to_lowercase()) {
        return Err(AppError::TooMany("Demasiados intentos para este usuario; espere un minuto.".into()));
    }
    let record = state.db.login_record(username.trim().to_string()).await?;
    let Some((user_id, phc, user)) = record else {
        return Err(AppError::Unauthorized("bad_credentials", BAD_CREDENTIALS));
    };
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await.map_err(anyhow::Error::from)?;
    if !ok {
        return Err(AppError::Unauthorized("bad_credentials", BAD_CREDENTIALS));
    }
    let (token, hash) = new_token();
    let device_id = state.db.enrol_device(user_id, label, hash).await?;
    tracing::info!(user = %user.username, %device_id, "device enrolled");
    Ok(EnrolResponse { token, device_id, user })
}

pub async fn me(State(state): State<AppState>, AuthDevice(device): AuthDevice) -> Result<Json<MeResponse>, AppError> {
    let centros = state.db.assigned_centros(device.user_id).await?;
    Ok(Json(MeResponse { user: device.user, device_id: device.id, centros }))
}
