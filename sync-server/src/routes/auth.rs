//! `POST /api/v1/auth/enrol`, `POST /api/v1/auth/kiosk` and `GET /api/v1/me`.

use axum::Json;
use axum::extract::State;
use shared::protocol::{EnrolRequest, EnrolResponse, KioskEnrolRequest, MeResponse};

use crate::auth::{AuthDevice, ClientAddr};
use crate::error::{AppError, AppJson};
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/auth/enrol",
    tag = "identidad",
    summary = "Enrolar un dispositivo con usuario y contraseña; el token se entrega una sola vez",
    description = "Sin token. Limitado por cliente y por usuario (429 con Retry-After).",
    request_body = EnrolRequest,
    responses(
        (status = 200, body = EnrolResponse),
        (status = 401, description = "Usuario o contraseña incorrectos (`bad_credentials`), o usuario desactivado", body = shared::protocol::ApiError)
    )
)]
pub async fn enrol(State(state): State<AppState>, client: ClientAddr, AppJson(req): AppJson<EnrolRequest>) -> Result<Json<EnrolResponse>, AppError> {
    Ok(Json(crate::service::login::login(&state, client, &req.username, &req.password, &req.device_label).await?))
}

#[utoipa::path(
    post,
    path = "/auth/kiosk",
    tag = "identidad",
    summary = "Registrar una tableta como kiosko de un centro (un supervisor o coordinación, con su usuario y contraseña)",
    description = "Sin token. El token entregado es del kiosko (usuario `kiosko.<centro>`), no de quien lo registra; sus registros son encuestas de modo `kiosko` de ese centro. Limitado como el enrolamiento (429 con Retry-After).",
    request_body = KioskEnrolRequest,
    responses(
        (status = 200, body = EnrolResponse),
        (status = 401, description = "Usuario o contraseña incorrectos (`bad_credentials`)", body = shared::protocol::ApiError),
        (status = 403, description = "Quien registra no es supervisor del centro ni de coordinación", body = shared::protocol::ApiError),
        (status = 404, description = "El centro no existe", body = shared::protocol::ApiError)
    )
)]
pub async fn kiosk(State(state): State<AppState>, client: ClientAddr, AppJson(req): AppJson<KioskEnrolRequest>) -> Result<Json<EnrolResponse>, AppError> {
    Ok(Json(crate::service::kiosk::enrol(&state, client, &req).await?))
}

#[utoipa::path(
    get,
    path = "/me",
    tag = "identidad",
    summary = "Quién es el usuario del dispositivo y sus centros",
    security(("deviceToken" = [])),
    responses((status = 200, body = MeResponse))
)]
pub async fn me(State(state): State<AppState>, AuthDevice(device): AuthDevice) -> Result<Json<MeResponse>, AppError> {
    let centros = state.db.assigned_centros(device.user_id).await?;
    Ok(Json(MeResponse { user: device.user, device_id: device.id, centros }))
}
