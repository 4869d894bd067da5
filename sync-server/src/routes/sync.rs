//! `POST /api/v1/sync/push` and `GET /api/v1/sync/pull`.

use axum::Json;
use axum::extract::State;
use chrono::Utc;
use serde::Deserialize;
use shared::protocol::{MAX_PULL_PAGE, PullResponse, PushRequest, PushResponse};

use crate::auth::AuthDevice;
use crate::db::{Committed, PushContext, Stored};
use crate::scores::Update;
use crate::error::{AppError, JsonBytes};
use crate::extract::ApiQuery;
use crate::ingest::{Channel, Envelope};
use crate::state::AppState;

#[utoipa::path(
    post,
    path = "/sync/push",
    tag = "sincronizacion",
    summary = "Enviar registros finalizados; cada uno stored/duplicate/conflict/rejected, respondido después del commit",
    description = "Roles: inspector, surveyor. A lo más 500 registros y 4 MiB (gzip o zstd admitidos). Un registro rechazado no detiene a los demás.",
    security(("deviceToken" = [])),
    request_body = PushRequest,
    responses((status = 200, body = PushResponse))
)]
/// Reads the envelope, then checks the submissions on one thread while the transaction
/// stores those already checked on another (both cores busy); answers after the commit.
pub async fn push(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    JsonBytes(body): JsonBytes,
) -> Result<Json<PushResponse>, AppError> {
    if !device.user.role.is_field() {
        return Err(AppError::Forbidden("Solo encuestadores e inspectores envían registros.".into()));
    }
    let envelope = tokio::task::spawn_blocking(move || Envelope::read(&body)).await.map_err(anyhow::Error::from)??;
    let now = Utc::now().with_timezone(&state.local_offset);
    let ctx = PushContext {
        device_id: device.id,
        user_id: device.user_id,
        clock_skew_seconds: (envelope.device_time - now).num_seconds(),
        today: now.date_naive(),
        received_at: now.to_rfc3339(),
        photos: state.photos.clone(),
        // A ledger for a day far from the server's is a wrong clock: not kept.
        ledger: envelope.ledger.filter(|l| (l.date - now.date_naive()).num_days().abs() <= 1),
        sampling: envelope.sampling.iter().filter(|c| (c.date - now.date_naive()).num_days().abs() <= 1).cloned().collect(),
        same_id_is_duplicate: false,
    };
    let (forms, periods, tramites, offset) = (state.forms(), state.period_settings(), state.tramites(), state.local_offset);
    let (sender, receiver) = std::sync::mpsc::channel();
    let channel = if device.kiosk_centro.is_some() { Channel::Kiosk } else { Channel::Device };
    let checking = tokio::task::spawn_blocking(move || envelope.check(&forms, &periods, &tramites, offset, channel, &sender));
    let live = state.scores.clone();
    let on_commit = move |c: Committed| live.update(Update::Push { facts: c.facts, reviews: c.reviews });
    let stored = state.db.push(ctx, receiver, on_commit).await;
    checking.await.map_err(anyhow::Error::from)??;
    let Stored { results, receipt } = stored?.ok_or_else(|| anyhow::anyhow!("checking ended without finishing the batch"))?;
    let wanted_photos = state.db.wanted_photos(device.id).await?;
    Ok(Json(PushResponse { results, receipt, server_time: Utc::now().with_timezone(&state.local_offset), wanted_photos }))
}

/// `?after=N&limit=M`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PullQuery {
    /// The cursor of the last page (0 or absent: from the start).
    #[serde(default)]
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    after: u64,
    /// At most this many changes (1–500; default 500).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<usize>,
}

#[utoipa::path(
    get,
    path = "/sync/pull",
    tag = "sincronizacion",
    summary = "Cambios en el alcance del usuario después de un cursor",
    security(("deviceToken" = [])),
    params(PullQuery),
    responses((status = 200, body = PullResponse))
)]
pub async fn pull(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiQuery(q): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, AppError> {
    let limit = crate::extract::page_limit(q.limit, MAX_PULL_PAGE)?;
    if i64::try_from(q.after).is_err() {
        return Err(AppError::BadRequest("bad_query", "Parámetros inválidos: «after» es un número de secuencia (a lo más 2⁶³ − 1).".into()));
    }
    Ok(Json(state.db.pull(device.user_id, q.after, limit).await?))
}
