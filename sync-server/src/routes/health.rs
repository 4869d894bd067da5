//! `GET /api/v1/health`: is the server up, and which protocol does it speak; and
//! `GET /api/v1/openapi.json`, the document of this API.

use axum::Json;
use shared::protocol::{Health, PROTOCOL_VERSION};

#[utoipa::path(get, path = "/health", tag = "sistema", summary = "Estado del servidor y versión del protocolo", responses((status = 200, body = Health)))]
pub async fn get() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        server_version: env!("CARGO_PKG_VERSION").into(),
        protocol_version: PROTOCOL_VERSION,
    })
}

/// The document is generated from the code (see `crate::openapi`).
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "sistema",
    summary = "Este documento (OpenAPI 3.1, generado del código)",
    responses((status = 200, description = "El documento OpenAPI", content_type = "application/json", body = Object))
)]
pub async fn openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], crate::openapi::document_json())
}
