//! `GET /api/v1/photos/{sha256}` and `PUT /api/v1/photos/{sha256}?offset=N&total=T`.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use serde::Deserialize;
use shared::protocol::PhotoStatus;

use crate::access::{self, Resource};
use crate::auth::AuthDevice;
use crate::db::PhotoClaim;
use crate::extract::{ApiPath, ApiQuery};
use crate::error::AppError;
use crate::state::AppState;

/// A photo's status: for the user who uploads it, reviewers of a submission naming it,
/// and staff.
pub async fn status(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(sha): ApiPath<String>) -> Result<Json<PhotoStatus>, AppError> {
    crate::photos::check_sha(&sha)?;
    access::require_photo(&state, &device, &sha).await?;
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
    ApiPath(sha): ApiPath<String>,
    ApiQuery(chunk): ApiQuery<Chunk>,
    body: Body,
) -> Result<Json<PhotoStatus>, AppError> {
    access::require(&device, Resource::PhotoUpload)?;
    crate::photos::check_sha(&sha)?;
    // A partial upload is continued only by the user whose device started it; the bytes
    // already received stay as they are.
    if state.db.claim_photo(sha.clone(), device.user_id, device.id).await? == PhotoClaim::Someone && !state.photos.status(&sha).await?.complete {
        return Err(AppError::Conflict("Otro dispositivo está subiendo esta foto; este no puede continuarla.".into()));
    }
    let status = state.photos.append(&sha, chunk.offset, chunk.total, body).await?;
    if status.complete {
        state.db.photo_arrived(sha).await?;
    }
    Ok(Json(status))
}
