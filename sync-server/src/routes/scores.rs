//! `GET /api/v1/periods/{period_id}/scores[?format=csv]`: the live score table.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use shared::protocol::{Key, ScoreTableDto};

use crate::auth::AuthDevice;
use crate::extract::{ApiPath, ApiQuery};
use crate::error::AppError;
use crate::state::AppState;

/// `?format=json|csv|xlsx`
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Format {
    /// `json` (default), `csv` or `xlsx`.
    #[param(pattern = "^(json|csv|xlsx)$")]
    format: Option<String>,
}

fn results_reader(device: &crate::db::Device) -> Result<(), AppError> {
    crate::access::require(device, crate::access::Resource::Results).map(|_| ())
}

/// `GET /api/v1/periods/{period_id}/scoring-inputs`: the audit export.
#[utoipa::path(
    get,
    path = "/periods/{period_id}/scoring-inputs",
    tag = "resultados",
    summary = "Todo aquello de lo que se calcula la tabla (exportación de auditoría; queda en la bitácora)",
    description = "Roles: admin, staff, supervisor.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo")),
    responses((status = 200, body = shared::protocol::ScoringInputs))
)]
pub async fn inputs(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(period_id): ApiPath<Key>,
) -> Result<Json<shared::protocol::ScoringInputs>, AppError> {
    crate::access::require_program_wide(&device, crate::access::Resource::Results)?;
    let period_id = period_id.into_string();
    let inputs = state.db.scoring_inputs(period_id.clone()).await?;
    state.db.audit(device.user_id, "export_scoring_inputs", format!("periodo {period_id}")).await?;
    Ok(Json(inputs))
}

#[utoipa::path(
    get,
    path = "/periods/{period_id}/scores",
    tag = "resultados",
    summary = "Tabla de resultados en vivo, con método y marca de agua",
    description = "Roles: admin, staff, supervisor; el enlace ve solo las filas de los centros de su institución (con el lugar que ocupan en todo el programa). CSV y XLSX quedan en la bitácora.",
    security(("deviceToken" = [])),
    params(("period_id" = String, Path, description = "Clave del periodo"), Format),
    responses((
        status = 200,
        description = "La tabla, en el formato pedido",
        content(
            (ScoreTableDto = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        )
    ))
)]
pub async fn get(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(period_id): ApiPath<Key>,
    ApiQuery(format): ApiQuery<Format>,
) -> Result<Response, AppError> {
    results_reader(&device)?;
    let period_id = period_id.into_string();
    let table = state
        .read_scores(|live| live.table(&period_id))?
        .ok_or_else(|| AppError::NotFound(format!("No existe el periodo «{period_id}».")))?;
    let dto = crate::service::institution::scoped_table(&state, &device, ScoreTableDto::from(&table)).await?;
    match format.format.as_deref() {
        None | Some("json") => Ok(Json(dto).into_response()),
        Some("csv") => {
            let body = crate::export::scores_csv(&dto)?;
            state.db.audit(device.user_id, "export_scores", format!("periodo {period_id} (CSV)")).await?;
            let name = format!("attachment; filename=\"resultados-{period_id}.csv\"");
            Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], body).into_response())
        }
        Some("xlsx") => {
            let body = crate::export::scores_xlsx(&dto)?;
            state.db.audit(device.user_id, "export_scores", format!("periodo {period_id} (XLSX)")).await?;
            let name = format!("attachment; filename=\"resultados-{period_id}.xlsx\"");
            let mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string();
            Ok(([(header::CONTENT_TYPE, mime), (header::CONTENT_DISPOSITION, name)], body).into_response())
        }
        Some(other) => Err(AppError::BadRequest("bad_query", format!("Formato «{other}» desconocido: use json, csv o xlsx."))),
    }
}
