//! `GET /api/v1/centros`, `/periods`, `/centros/{centro}/commitments` and
//! `/centros/{centro}/complaints`: the program as integrators read it (staff, admin), in
//! pages (`?after=<last id>&limit=N`, at most 500).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shared::protocol::{CentroListed, CommitmentListed, ComplaintListed, MAX_LIST_PAGE, Page, PeriodListed};

use crate::service::program::staff;
use crate::auth::AuthDevice;
use crate::error::AppError;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// `?after=<id>&limit=N`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    after: Option<String>,
    limit: Option<usize>,
}

impl ListQuery {
    fn limit(&self) -> usize {
        self.limit.unwrap_or(MAX_LIST_PAGE).clamp(1, MAX_LIST_PAGE)
    }
}

pub async fn centros(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<CentroListed>>, AppError> {
    staff(&device)?;
    let limit = q.limit();
    Ok(Json(state.db.centros_page(q.after, limit).await?))
}

pub async fn periods(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<PeriodListed>>, AppError> {
    staff(&device)?;
    let limit = q.limit();
    Ok(Json(state.db.periods_page(q.after, limit).await?))
}

pub async fn commitments(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(centro): ApiPath<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<CommitmentListed>>, AppError> {
    staff(&device)?;
    let limit = q.limit();
    Ok(Json(state.db.commitments_page(centro, q.after, limit).await?))
}

pub async fn complaints(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(centro): ApiPath<String>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<ComplaintListed>>, AppError> {
    staff(&device)?;
    let limit = q.limit();
    Ok(Json(state.db.complaints_page(centro, q.after, limit).await?))
}
