//! `GET /api/v1/health`: is the server up, which protocol does it speak, and how is its
//! database; and `GET /api/v1/openapi.json`, the document of this API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use shared::protocol::Health;

use crate::AppState;

/// 200 when the database answers with the server's schema; 503 (status `degraded`) when it
/// does not, so that a load balancer stops sending requests to this server.
#[utoipa::path(
    get,
    path = "/health",
    tag = "sistema",
    summary = "Estado del servidor, de su base de datos y versión del protocolo",
    responses((status = 200, body = Health), (status = 503, description = "La base de datos no responde o su esquema no es el del servidor", body = Health))
)]
pub async fn get(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let health = crate::service::health::check(&state).await;
    let status = if health.status == "ok" { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(health))
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
