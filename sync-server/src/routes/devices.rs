//! `GET /api/v1/devices?date=…` (the day-end receipts as the server counted them) and
//! `POST /api/v1/devices/{id}/revoke` (a lost phone).

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use shared::protocol::DeviceDay;
use uuid::Uuid;

use crate::access::{self, Resource};
use crate::auth::AuthDevice;
use crate::extract::{ApiPath, ApiQuery};
use crate::error::AppError;
use crate::state::AppState;

/// `?date=YYYY-MM-DD` (default: today at the centros).
#[derive(Debug, Deserialize)]
pub struct Day {
    date: Option<NaiveDate>,
}

pub async fn days(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiQuery(day): ApiQuery<Day>,
) -> Result<Json<Vec<DeviceDay>>, AppError> {
    let who = access::reviewer(&device, Resource::Fieldwork)?;
    let date = day.date.unwrap_or_else(|| state.today());
    Ok(Json(state.db.device_days(who, date).await?))
}

/// Revokes a device within the caller's reach (API and console), written to the audit log.
pub async fn revoke_device(state: &AppState, device: &crate::db::Device, id: Uuid) -> Result<(), AppError> {
    state.db.revoke_scoped(access::reviewer(device, Resource::RevokeDevice)?, id).await?;
    state.db.audit(device.user_id, "revoke_device", id.to_string()).await?;
    Ok(())
}

pub async fn revoke(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(id): ApiPath<Uuid>) -> Result<Json<Vec<DeviceDay>>, AppError> {
    revoke_device(&state, &device, id).await?;
    let who = access::reviewer(&device, Resource::Fieldwork)?;
    let today = state.today();
    Ok(Json(state.db.device_days(who, today).await?))
}
