//! Errors as HTTP answers: a status, a machine code and a Spanish message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::protocol::ApiError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A bug or an outage: logged, answered with a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m),
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Error interno del servidor; intente de nuevo más tarde.".into())
            }
        };
        (status, Json(ApiError { code: code.into(), message })).into_response()
    }
}

/// The answer for paths that exist nowhere.
pub async fn not_found() -> AppError {
    AppError::NotFound("La ruta no existe.".into())
}
