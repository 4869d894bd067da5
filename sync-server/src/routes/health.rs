//! `GET /api/v1/health`: is the server up, and which protocol does it speak.

use axum::Json;
use shared::protocol::{Health, PROTOCOL_VERSION};

pub async fn get() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        server_version: env!("CARGO_PKG_VERSION").into(),
        protocol_version: PROTOCOL_VERSION,
    })
}

/// `GET /api/v1/openapi.json`: the OpenAPI document of this API.
pub async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], include_str!("../../openapi.json"))
}
