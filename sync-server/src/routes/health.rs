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
