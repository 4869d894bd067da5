//! Incorporation (API and console): the templates, the Enlace's cédula and plantilla for
//! an open period, staff's acceptance or refusal, and centros dados de baja.

use shared::protocol::{ApiError, BajaInfo, BajaRequest, FilingReceipt, Incorporation, IncorporationStatus, PeriodState};

use crate::access::{self, Grant, Resource};
use crate::service::filings::reason;
use crate::centros_import::{Refused, centro_row};
use crate::db::{CentroRow, Device};
use crate::error::AppError;
use crate::incorporation_sheets as sheets;
use crate::state::AppState;

/// Longest institution name taken from a query.
const MAX_INSTITUTION_CHARS: usize = 200;

/// Which template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    Cedula,
    Plantilla,
}

impl Template {
    /// Parses the template's file name (`cedula.xlsx`, `plantilla.xlsx`).
    pub fn from_file(name: &str) -> Option<Self> {
        match name {
            "cedula.xlsx" => Some(Template::Cedula),
            "plantilla.xlsx" => Some(Template::Plantilla),
            _ => None,
        }
    }
}

/// A refused spreadsheet as the API answers it: 413 past a size limit, else 422 with
/// every problem by row and column. `nothing` says what was not stored.
pub fn refusal(refused: Refused, nothing: &str) -> AppError {
    match refused {
        Refused::TooBig(limit) => AppError::TooLarge("spreadsheet_too_large", crate::error::too_big_message(&limit)),
        Refused::Rows(details) => {
            let message = format!("El archivo tiene {}; {nothing}.", shared::words::count(details.len() as u64, "problema", "problemas"));
            AppError::Detailed(ApiError { code: "invalid_file".into(), message, details })
        }
    }
}

/// The institution `device` files for: an Enlace's own; staff name one.
fn institution(device: &Device, asked: Option<String>) -> Result<String, AppError> {
    let grant = access::require(device, Resource::Incorporation)?;
    if grant == Grant::Institution {
        return device.institution.clone().ok_or_else(|| AppError::Forbidden("Su usuario no tiene institución asignada.".into()));
    }
    let name = asked.map(|s| s.trim().to_string()).unwrap_or_default();
    if name.is_empty() || name.chars().count() > MAX_INSTITUTION_CHARS {
        return Err(AppError::Unprocessable("missing_institution", format!("Indique la institución (1 a {MAX_INSTITUTION_CHARS} caracteres).")));
    }
    Ok(name)
}

async fn rows_of(state: &AppState, institution: &str) -> Result<Vec<CentroRow>, AppError> {
    let mut out = Vec::new();
    for id in state.db.institution_centros(institution.to_string()).await? {
        out.push(state.db.centro(id).await?);
    }
    Ok(out)
}

/// A template for `device`'s institution (staff: the one named): file name and bytes.
pub async fn template(state: &AppState, device: &Device, which: Template, asked: Option<String>) -> Result<(String, Vec<u8>), AppError> {
    let name = institution(device, asked)?;
    let centros = rows_of(state, &name).await?;
    let bytes = match which {
        Template::Cedula => sheets::cedula_template(&name, &centros),
        Template::Plantilla => {
            let mut listed: Vec<(String, String)> = centros.iter().map(|c| (c.id.clone(), c.name.clone())).collect();
            for request in state.db.incorporations(Some(name.clone()), Some(IncorporationStatus::Pendiente)).await? {
                if !listed.iter().any(|(id, _)| *id == request.centro_id) {
                    listed.push((request.centro_id.clone(), request.definition.name.clone()));
                }
            }
            listed.sort();
            sheets::plantilla_template(&name, &listed)
        }
    }
    .map_err(|e| AppError::Internal(anyhow::anyhow!("template workbook: {e}")))?;
    let file = match which {
        Template::Cedula => "cedula_de_incorporacion.xlsx",
        Template::Plantilla => "plantilla_de_personal.xlsx",
    };
    Ok((file.to_string(), bytes))
}

fn open_period(state: &AppState, period: &str) -> Result<(), AppError> {
    if state.period_settings().period(period).is_none() {
        return Err(AppError::NotFound(format!("No existe el periodo «{period}».")));
    }
    if state.period_settings().state(period) != PeriodState::Abierto {
        return Err(AppError::Conflict(format!("El periodo «{period}» está cerrado: la incorporación se solicita en un periodo abierto.")));
    }
    Ok(())
}

/// Files a cédula: every row valid (and of the institution) or nothing stored.
pub async fn file_cedula(state: &AppState, device: &Device, period: String, asked: Option<String>, bytes: Vec<u8>) -> Result<FilingReceipt, AppError> {
    let name = institution(device, asked)?;
    open_period(state, &period)?;
    let foreign: std::collections::BTreeSet<String> =
        state.db.centro_institutions().await?.into_iter().filter(|(_, owner)| *owner != name).map(|(id, _)| id).collect();
    let institution_name = name.clone();
    let parsed = tokio::task::spawn_blocking(move || sheets::parse_cedula(&bytes, &institution_name, |id| foreign.contains(id)))
        .await
        .map_err(anyhow::Error::from)?;
    let rows = parsed.map_err(|r| refusal(r, "no se registró ninguna cédula"))?;
    let centros = state.db.file_cedula(period.clone(), name, device.user_id, rows).await?;
    Ok(FilingReceipt { period_id: period, centros })
}

/// Files a plantilla: people for centros with a pending cédula in the period.
pub async fn file_plantilla(state: &AppState, device: &Device, period: String, asked: Option<String>, bytes: Vec<u8>) -> Result<FilingReceipt, AppError> {
    let name = institution(device, asked)?;
    open_period(state, &period)?;
    let pending = state.db.pending_incorporations(period.clone(), name.clone()).await?;
    if pending.is_empty() {
        return Err(AppError::Conflict(format!("Su institución no tiene cédulas pendientes en el periodo «{period}»: suba primero la Cédula de Incorporación.")));
    }
    let parsed = tokio::task::spawn_blocking(move || sheets::parse_plantilla(&bytes, &pending)).await.map_err(anyhow::Error::from)?;
    let staff = parsed.map_err(|r| refusal(r, "no se registró ninguna plantilla"))?;
    let centros = state.db.file_plantilla(period.clone(), name, device.user_id, staff).await?;
    Ok(FilingReceipt { period_id: period, centros })
}

/// The requests `device` reaches (an Enlace: its institution's), of one status or any.
pub async fn requests(state: &AppState, device: &Device, status: Option<IncorporationStatus>) -> Result<Vec<Incorporation>, AppError> {
    let only = match access::require(device, Resource::Incorporation)? {
        Grant::Institution => Some(device.institution.clone().ok_or_else(|| AppError::Forbidden("Su usuario no tiene institución asignada.".into()))?),
        _ => None,
    };
    Ok(state.db.incorporations(only, status).await?)
}

/// Accepts a request: the centro joins the catalog (keeping the sampling interval staff
/// set for it, if it was on record) and its plantilla becomes its staff.
pub async fn accept(state: &AppState, device: &Device, id: i64) -> Result<Incorporation, AppError> {
    access::require(device, Resource::IncorporationReview)?;
    let request = state.db.incorporation(id).await?;
    let mut row = centro_row(&request.centro_id, request.definition.clone())
        .map_err(|(_, message)| AppError::Unprocessable("invalid_centro", format!("La cédula del centro no es válida: {message}")))?;
    if let Ok(existing) = state.db.centro(request.centro_id.clone()).await {
        row.sampling_interval = existing.sampling_interval;
    }
    state.db.accept_incorporation(id, device.user_id, row).await?;
    crate::service::program::rebuild(state).await?;
    Ok(state.db.incorporation(id).await?)
}

/// Refuses a request with a reason.
pub async fn refuse(state: &AppState, device: &Device, id: i64, why: &str) -> Result<Incorporation, AppError> {
    access::require(device, Resource::IncorporationReview)?;
    state.db.refuse_incorporation(id, device.user_id, reason(why)?).await?;
    Ok(state.db.incorporation(id).await?)
}

/// Dar de baja: not in the future; the centro stays in history and leaves the ranking.
pub async fn baja(state: &AppState, device: &Device, centro: String, request: BajaRequest) -> Result<BajaInfo, AppError> {
    access::require(device, Resource::IncorporationReview)?;
    if request.date > state.today() {
        return Err(AppError::Unprocessable("future_date", "La fecha de baja no puede ser futura.".into()));
    }
    let why = reason(&request.reason)?;
    state.db.set_baja(centro.clone(), request.date, why.clone(), device.user_id).await?;
    crate::service::program::rebuild(state).await?;
    Ok(BajaInfo { date: request.date, reason: why })
}
