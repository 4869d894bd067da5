//! `GET /api/v1/centros`, `/periods`, `/centros/{centro_id}/commitments` and
//! `/centros/{centro_id}/complaints`: the program as integrators read it (staff, admin), in
//! pages (`?after=<last id>&limit=N`, at most 500).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use shared::protocol::{Key, CentroListed, CommitmentListed, ComplaintListed, MAX_LIST_PAGE, Page, PeriodListed};

use crate::service::program::staff;
use crate::auth::AuthDevice;
use crate::error::AppError;
use crate::extract::{ApiPath, ApiQuery, page_limit};
use crate::state::AppState;

/// `?after=<id>&limit=N`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// The `cursor` of the last page: items after this id.
    #[param(max_length = 200)]
    after: Option<String>,
    /// At most this many items (1–500; default 500).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<usize>,
}

impl ListQuery {
    fn limit(&self) -> Result<usize, AppError> {
        page_limit(self.limit, MAX_LIST_PAGE)
    }

    /// `after`, at most [`MAX_AFTER`] characters.
    fn after(&self) -> Result<Option<String>, AppError> {
        match &self.after {
            Some(a) if a.chars().count() > MAX_AFTER => Err(AppError::BadRequest("bad_query", format!("Parámetros inválidos: «after» admite como máximo {MAX_AFTER} caracteres."))),
            other => Ok(other.clone()),
        }
    }
}

/// Longest `after` of a listing (ids are shorter).
const MAX_AFTER: usize = 200;


#[utoipa::path(
    get,
    path = "/centros",
    tag = "programa",
    summary = "Centros (ámbito, tipo, municipio, coordenadas, k, trámites), por clave, en páginas",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    params(ListQuery),
    responses((status = 200, body = Page<CentroListed>))
)]
pub async fn centros(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<CentroListed>>, AppError> {
    staff(&device)?;
    let limit = q.limit()?;
    Ok(Json(state.db.centros_page(q.after()?, limit).await?))
}

#[utoipa::path(
    get,
    path = "/periods",
    tag = "programa",
    summary = "Periodos con su método fijado, por clave, en páginas",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    params(ListQuery),
    responses((status = 200, body = Page<PeriodListed>))
)]
pub async fn periods(State(state): State<AppState>, AuthDevice(device): AuthDevice, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<PeriodListed>>, AppError> {
    staff(&device)?;
    let limit = q.limit()?;
    Ok(Json(state.db.periods_page(q.after()?, limit).await?))
}

#[utoipa::path(
    get,
    path = "/centros/{centro_id}/commitments",
    tag = "programa",
    summary = "Compromisos de un centro con sus hitos, por clave, en páginas",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro"), ListQuery),
    responses((status = 200, body = Page<CommitmentListed>))
)]
pub async fn commitments(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(centro): ApiPath<Key>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<CommitmentListed>>, AppError> {
    staff(&device)?;
    let limit = q.limit()?;
    Ok(Json(state.db.commitments_page(centro.into_string(), q.after()?, limit).await?))
}

#[utoipa::path(
    get,
    path = "/centros/{centro_id}/complaints",
    tag = "programa",
    summary = "Quejas de un centro, por folio, en páginas",
    description = "Roles: admin, staff.",
    security(("deviceToken" = [])),
    params(("centro_id" = String, Path, description = "Clave del centro"), ListQuery),
    responses((status = 200, body = Page<ComplaintListed>))
)]
pub async fn complaints(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(centro): ApiPath<Key>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<Page<ComplaintListed>>, AppError> {
    staff(&device)?;
    let limit = q.limit()?;
    Ok(Json(state.db.complaints_page(centro.into_string(), q.after()?, limit).await?))
}
