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
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Day {
    /// The day (`AAAA-MM-DD`).
    date: Option<NaiveDate>,
}

#[utoipa::path(
    get,
    path = "/devices",
    tag = "supervision",
    summary = "El día de cada dispositivo de campo, como lo contó el servidor",
    description = "Roles: admin, staff, supervisor (su equipo).",
    security(("deviceToken" = [])),
    params(Day),
    responses((status = 200, body = Vec<DeviceDay>))
)]
pub async fn days(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiQuery(day): ApiQuery<Day>,
) -> Result<Json<Vec<DeviceDay>>, AppError> {
    let who = access::reviewer(&device, Resource::Fieldwork)?;
    let date = day.date.unwrap_or_else(|| state.today());
    Ok(Json(state.db.device_days(who, date).await?))
}

#[utoipa::path(
    post,
    path = "/devices/{device_id}/revoke",
    tag = "supervision",
    summary = "Revocar un dispositivo perdido",
    description = "Roles: admin, staff, supervisor (su equipo). Responde los dispositivos del día.",
    security(("deviceToken" = [])),
    params(("device_id" = uuid::Uuid, Path, description = "Identificador del dispositivo")),
    responses((status = 200, body = Vec<DeviceDay>))
)]
pub async fn revoke(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(id): ApiPath<Uuid>) -> Result<Json<Vec<DeviceDay>>, AppError> {
    crate::service::devices::revoke_device(&state, &device, id).await?;
    let who = access::reviewer(&device, Resource::Fieldwork)?;
    let today = state.today();
    Ok(Json(state.db.device_days(who, today).await?))
}
