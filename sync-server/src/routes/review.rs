//! `GET /api/v1/review` and `POST /api/v1/review/{submission_id}`.

use axum::Json;
use axum::extract::State;
use shared::protocol::{ReviewDecision, ReviewItem, ReviewList};
use uuid::Uuid;

use crate::access::{self, Resource};
use crate::auth::AuthDevice;
use crate::extract::ApiPath;
use crate::error::{AppError, AppJson};
use crate::state::AppState;

#[utoipa::path(
    get,
    path = "/review",
    tag = "supervision",
    summary = "Encuestas en revisión, con sus alertas",
    description = "Roles: admin, staff, supervisor (su equipo).",
    security(("deviceToken" = [])),
    responses((status = 200, body = ReviewList))
)]
pub async fn queue(State(state): State<AppState>, AuthDevice(device): AuthDevice) -> Result<Json<ReviewList>, AppError> {
    let items: Vec<ReviewItem> = state.db.review_queue(access::reviewer(&device, Resource::Review)?).await?;
    Ok(Json(ReviewList { items }))
}

#[utoipa::path(
    post,
    path = "/review/{submission_id}",
    tag = "supervision",
    summary = "Aprobar o rechazar (con un motivo que llega al dispositivo)",
    description = "Roles: admin, staff, supervisor (su equipo). Rechazar sin motivo: 422 `reason_required`.",
    security(("deviceToken" = [])),
    params(("submission_id" = uuid::Uuid, Path, description = "Identificador del registro")),
    request_body = ReviewDecision,
    responses((status = 200, body = ReviewItem))
)]
pub async fn decide(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(id): ApiPath<Uuid>,
    AppJson(body): AppJson<ReviewDecision>,
) -> Result<Json<ReviewItem>, AppError> {
    Ok(Json(crate::service::review::apply_decision(&state, &device, id, body.decision, body.reason).await?))
}

