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
#[utoipa::path(
    get,
    path = "/photos/{sha256}",
    tag = "sincronizacion",
    summary = "Cuántos bytes de una foto tiene el servidor",
    description = "Para quien la sube, los revisores de un registro que la nombra y staff.",
    security(("deviceToken" = [])),
    params(("sha256" = String, Path, description = "SHA-256 de la foto, en hexadecimal", pattern = "^[0-9a-f]{64}$")),
    responses((status = 200, body = PhotoStatus))
)]
pub async fn status(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiPath(sha): ApiPath<String>) -> Result<Json<PhotoStatus>, AppError> {
    crate::photos::check_sha(&sha)?;
    access::require_photo(&state, &device, &sha).await?;
    Ok(Json(state.photos.status(&sha).await?))
}

/// `?offset=N&total=T`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Chunk {
    /// Where this chunk starts: the `received` of the last answer.
    #[param(minimum = 0)]
    offset: u64,
    /// The whole photo's size in bytes.
    #[param(minimum = 1, maximum = 20971520)]
    total: u64,
}

#[utoipa::path(
    put,
    path = "/photos/{sha256}",
    tag = "sincronizacion",
    summary = "Agregar un trozo de una foto; se verifica con su SHA-256 al completarse",
    description = "Roles: inspector, surveyor. Un trozo que no empieza donde el servidor va: 409; una foto que no coincide con su hash: 422.",
    security(("deviceToken" = [])),
    params(("sha256" = String, Path, description = "SHA-256 de la foto, en hexadecimal", pattern = "^[0-9a-f]{64}$"), Chunk),
    request_body(content = Option<Vec<u8>>, content_type = "application/octet-stream", description = "Los bytes desde `offset` (vacío: solo pregunta cuántos tiene)"),
    responses((status = 200, body = PhotoStatus))
)]
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
    let status = state.photos.append(&sha, chunk.offset, chunk.total, body.into_data_stream()).await?;
    if status.complete {
        state.db.photo_arrived(sha).await?;
    }
    Ok(Json(status))
}
