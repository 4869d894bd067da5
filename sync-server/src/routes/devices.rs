//! `GET /api/v1/devices?date=…` (the day-end receipts as the server counted them) and
//! `POST /api/v1/devices/{id}/revoke` (a lost phone).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use serde::Deserialize;
use shared::protocol::{DeviceDay, Role};
use uuid::Uuid;

use crate::auth::AuthDevice;
use crate::db::{Device, Reviewer};
use crate::error::AppError;
use crate::state::AppState;

fn reviewer(device: &Device) -> Result<Reviewer, AppError> {
    match device.user.role {
        Role::Admin | Role::Staff | Role::Supervisor => Ok(Reviewer { user_id: device.user_id, role: device.user.role }),
        _ => Err(AppError::Forbidden("Los dispositivos del equipo los ve su supervisor.".into())),
    }
}

/// `?date=YYYY-MM-DD` (default: today at the centros).
#[derive(Debug, Deserialize)]
pub struct Day {
    date: Option<NaiveDate>,
}

pub async fn days(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    query: Result<Query<Day>, QueryRejection>,
) -> Result<Json<Vec<DeviceDay>>, AppError> {
    let who = reviewer(&device)?;
    let Query(day) = query.map_err(|e| AppError::BadRequest("bad_query", format!("Fecha inválida: {}", e.body_text())))?;
    let date = day.date.unwrap_or_else(|| state.today());
    Ok(Json(state.db.device_days(who, date).await?))
}

pub async fn revoke(State(state): State<AppState>, AuthDevice(device): AuthDevice, Path(id): Path<Uuid>) -> Result<Json<Vec<DeviceDay>>, AppError> {
    let who = reviewer(&device)?;
    state.db.revoke_scoped(who, id).await?;
    state.db.audit(device.user_id, "revoke_device", id.to_string()).await?;
    let today = state.today();
    Ok(Json(state.db.device_days(who, today).await?))
}
