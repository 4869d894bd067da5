//! `GET /api/v1/photos/{sha256}` and `PUT /api/v1/photos/{sha256}?offset=N&total=T`.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use shared::protocol::PhotoStatus;

use crate::auth::AuthDevice;
use crate::error::AppError;
use crate::state::AppState;

pub async fn status(State(state): State<AppState>, AuthDevice(_): AuthDevice, Path(sha): Path<String>) -> Result<Json<PhotoStatus>, AppError> {
    Ok(Json(state.photos.status(&sha).await?))
}

/// `?offset=N&total=T`
#[derive(Debug, Deserialize)]
pub struct Chunk {
    offset: u64,
    total: u64,
}

pub async fn upload(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    Path(sha): Path<String>,
    query: Result<Query<Chunk>, QueryRejection>,
    body: Body,
) -> Result<Json<PhotoStatus>, AppError> {
    if !device.user.role.is_field() {
        return Err(AppError::Forbidden("Las fotos de evidencia se suben desde la app de campo.".into()));
    }
    let Query(chunk) = query.map_err(|e| AppError::BadRequest("bad_query", format!("Indique offset y total: {}", e.body_text())))?;
    let status = state.photos.append(&sha, chunk.offset, chunk.total, body).await?;
    if status.complete {
        state.db.photo_arrived(sha).await?;
    }
    Ok(Json(status))
}
