//! `POST /api/v1/auth/enrol` and `GET /api/v1/me`.

use axum::Json;
use axum::extract::State;
use shared::protocol::{EnrolRequest, EnrolResponse, MeResponse};

use crate::auth::{AuthDevice, ClientAddr};
use crate::error::{AppError, AppJson};
use crate::state::AppState;

pub async fn enrol(State(state): State<AppState>, client: ClientAddr, AppJson(req): AppJson<EnrolRequest>) -> Result<Json<EnrolResponse>, AppError> {
    Ok(Json(crate::service::login::login(&state, client, &req.username, &req.password, &req.device_label).await?))
}

pub async fn me(State(state): State<AppState>, AuthDevice(device): AuthDevice) -> Result<Json<MeResponse>, AppError> {
    let centros = state.db.assigned_centros(device.user_id).await?;
    Ok(Json(MeResponse { user: device.user, device_id: device.id, centros }))
}
