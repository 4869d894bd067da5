//! `POST /api/v1/sync/push` and `GET /api/v1/sync/pull`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::Utc;
use serde::Deserialize;
use shared::protocol::{MAX_PULL_PAGE, MAX_PUSH_RECORDS, PullResponse, PushRequest, PushResponse};

use crate::auth::AuthDevice;
use crate::db::PushContext;
use crate::error::{AppError, AppJson};
use crate::ingest::prepare;
use crate::state::AppState;

pub async fn push(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    AppJson(req): AppJson<PushRequest>,
) -> Result<Json<PushResponse>, AppError> {
    if !device.user.role.is_field() {
        return Err(AppError::Forbidden("Solo encuestadores e inspectores envían registros.".into()));
    }
    if req.submissions.len() > MAX_PUSH_RECORDS {
        return Err(AppError::BadRequest("too_many_records", format!("Envíe como máximo {MAX_PUSH_RECORDS} registros por lote.")));
    }
    let now = Utc::now().with_timezone(&state.local_offset);
    // A ledger for a day far from the server's is a wrong clock: not kept.
    let ledger = req.ledger.filter(|l| (l.date - now.date_naive()).num_days().abs() <= 1);
    let req_photos: std::collections::BTreeSet<String> = req.submissions.iter().flat_map(|s| s.meta.photos.iter().cloned()).collect();
    let forms = state.forms();
    let offset = state.local_offset;
    let prepared = tokio::task::spawn_blocking(move || prepare_all(req.submissions, &forms, offset))
        .await
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| anyhow::anyhow!("a thread checking the batch died"))?;
    let mut photos_held = std::collections::HashSet::new();
    for sha in req_photos {
        if state.photos.status(&sha).await.is_ok_and(|p| p.complete) {
            photos_held.insert(sha);
        }
    }
    let ctx = PushContext {
        device_id: device.id,
        user_id: device.user_id,
        clock_skew_seconds: (req.device_time - now).num_seconds(),
        today: now.date_naive(),
        received_at: now.to_rfc3339(),
        integrity: state.settings.integrity.clone(),
        photos_held,
        ledger,
    };
    let (results, receipt, facts) = state.db.push(ctx, prepared).await?;
    if let Ok(mut live) = state.scores.write() {
        live.apply(&facts);
    }
    Ok(Json(PushResponse { results, receipt, server_time: Utc::now().with_timezone(&state.local_offset) }))
}

/// Checks a batch on two threads (each submission is independent), keeping request order.
/// `None` only if a checking thread died (a bug): the push then fails as a whole.
fn prepare_all(submissions: Vec<shared::protocol::Submission>, forms: &crate::ingest::FormCache, offset: chrono::FixedOffset) -> Option<Vec<crate::ingest::Prepared>> {
    if submissions.len() < 64 || std::thread::available_parallelism().map_or(1, usize::from) < 2 {
        return Some(submissions.into_iter().map(|s| prepare(s, forms, offset)).collect());
    }
    let mut first = submissions;
    let second = first.split_off(first.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(move || second.into_iter().map(|s| prepare(s, forms, offset)).collect::<Vec<_>>());
        let mut all: Vec<_> = first.into_iter().map(|s| prepare(s, forms, offset)).collect();
        all.extend(other.join().ok()?);
        Some(all)
    })
}

/// `?after=N&limit=M`
#[derive(Debug, Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    after: u64,
    limit: Option<usize>,
}

pub async fn pull(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>, AppError> {
    let Query(q) = query.map_err(|e| AppError::BadRequest("bad_query", format!("Parámetros inválidos: {}", e.body_text())))?;
    let limit = q.limit.unwrap_or(MAX_PULL_PAGE).clamp(1, MAX_PULL_PAGE);
    Ok(Json(state.db.pull(device.user_id, q.after, limit).await?))
}
