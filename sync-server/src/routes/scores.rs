//! `GET /api/v1/periods/{period_id}/scores[?format=csv]`: the live score table.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use shared::protocol::ScoreTableDto;

use crate::auth::AuthDevice;
use crate::extract::{ApiPath, ApiQuery};
use crate::error::AppError;
use crate::state::AppState;

/// `?format=json|csv`
#[derive(Debug, Deserialize)]
pub struct Format {
    format: Option<String>,
}

fn results_reader(device: &crate::db::Device) -> Result<(), AppError> {
    crate::access::require(device, crate::access::Resource::Results).map(|_| ())
}

/// `GET /api/v1/periods/{period_id}/scoring-inputs`: the audit export.
pub async fn inputs(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(period_id): ApiPath<String>,
) -> Result<Json<shared::protocol::ScoringInputs>, AppError> {
    results_reader(&device)?;
    let inputs = state.db.scoring_inputs(period_id.clone()).await?;
    state.db.audit(device.user_id, "export_scoring_inputs", format!("periodo {period_id}")).await?;
    Ok(Json(inputs))
}

pub async fn get(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath(period_id): ApiPath<String>,
    ApiQuery(format): ApiQuery<Format>,
) -> Result<Response, AppError> {
    results_reader(&device)?;
    let table = state
        .read_scores(|live| live.table(&period_id))?
        .ok_or_else(|| AppError::NotFound(format!("No existe el periodo «{period_id}».")))?;
    let dto = ScoreTableDto::from(&table);
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
