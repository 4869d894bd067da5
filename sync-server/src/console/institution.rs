//! The Enlace Institucional's console: its institution's centros with their results
//! (live while the period is open, official after its close), what waits, and each
//! centro's page with its commitments and the citizens' suggestions.

use super::extract::{Path, Query};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::{PeriodState, ScoreTableDto};

use super::filings::{commitments, waiting_card};
use super::page::{Session, layout, respond};
use super::results::{category_title, one, standing};
use crate::access::{self, Grant, Resource};
use crate::error::AppError;
use crate::service::{filings, institution};
use crate::state::AppState;

/// How many suggestions a centro page lists.
const SUGGESTIONS_SHOWN: usize = 100;

#[derive(Debug, Deserialize)]
pub struct Filters {
    periodo: Option<String>,
    hecho: Option<String>,
}

/// The results of `period` as a reader of the centro sees them: the latest official
/// version once the period is closed, the live (preliminary) table while it is open.
pub async fn period_results(state: &AppState, period: &str) -> Result<(String, Option<ScoreTableDto>), AppError> {
    let closed = state.period_settings().state(period) != PeriodState::Abierto;
    let latest = if closed { state.db.official_versions(period.to_string()).await?.pop() } else { None };
    Ok(match latest {
        Some(v) => {
            let (_, json) = state.db.official_table(period.to_string(), v.version).await?;
            let table = serde_json::from_str(&json).map_err(|e| AppError::Internal(anyhow::anyhow!("stored official table damaged: {e}")))?;
            (format!("Resultados oficiales, versión {} (huella {}…)", v.version, v.table_sha256.get(..12).unwrap_or_default()), Some(table))
        }
        None => ("Resultados preliminares: el periodo sigue abierto".to_string(), state.read_scores(|live| live.table(period).map(|t| ScoreTableDto::from(&t)))?),
    })
}

/// Whether `session` is an Enlace (these pages are theirs; staff use the console's).
pub fn is_enlace(session: &Session) -> bool {
    access::grant(session.device.user.role, Resource::Commitments) == Some(Grant::Institution)
}

fn enlace_only(session: &Session) -> Result<String, AppError> {
    if !is_enlace(session) {
        return Err(AppError::Forbidden("Estas páginas son del enlace institucional; use Resultados y la página del centro.".into()));
    }
    session.device.institution.clone().ok_or_else(|| AppError::Forbidden("Su usuario no tiene institución asignada.".into()))
}

/// `GET /consola/institucion`.
pub async fn home(State(state): State<AppState>, session: Session, Query(f): Query<Filters>) -> Response {
    respond(&session, build_home(&state, &session, f).await)
}

async fn build_home(state: &AppState, session: &Session, f: Filters) -> Result<Markup, AppError> {
    let name = enlace_only(session)?;
    let ids = state.db.institution_centros(name.clone()).await?;
    let names = state.db.centro_names().await?;
    let periods = state.db.period_list().await?;
    let period = super::page::pick_period(&periods, f.periodo);
    let (source, table) = match &period {
        Some(p) => period_results(state, p).await?,
        None => (String::new(), None),
    };
    let table = match table {
        Some(t) => Some(institution::scoped_table(state, &session.device, t).await?),
        None => None,
    };
    let waiting = filings::waiting(state, &session.device).await?;
    Ok(layout(
        &name,
        Some(session),
        "institucion",
        html! {
            @if let Some(n) = &f.hecho { p.notice role="status" { (n) } }
            (waiting_card(session, &waiting))
            form.toolbar method="get" action="/consola/institucion" {
                (super::page::period_select(&periods, period.as_deref().unwrap_or_default()))
                button type="submit" { "Ver" }
            }
            p.muted data-source { (source) }
            div.card {
                table.rank #centros-institucion {
                    thead { tr { th { "Centro" } th { "Categoría" } th { "Encuestas" } th { "ISC" } th { "ICV" } th { "IACM" } th { "IGC" } th { "Lugar" } th { "Nivel" } th { "Informe" } } }
                    tbody { @for id in &ids {
                        @let row = table.as_ref().and_then(|t| t.centros.iter().find(|c| &c.centro_id == id));
                        tr data-centro=(id) {
                            td { a href=(format!("/consola/institucion/centros/{id}")) { (names.get(id).map_or(id.as_str(), |n| n.0.as_str())) } br; span.muted { (id) } }
                            @if let Some(c) = row {
                                td { (category_title(&c.ambito, &c.tipo)) } td.num { (c.n) } td.num { (one(c.isc)) } td.num { (one(c.icv)) }
                                td.num { (format!("{:.1}", c.iacm)) } td.num { (one(c.igc)) } td.num { (c.rank.map_or("—".to_string(), |r| r.to_string())) }
                                td { (standing(c)) }
                            } @else { td colspan="8" { span.muted { "Sin datos en este periodo." } } }
                            td { @if let Some(p) = &period { a href=(format!("/consola/centros/{id}/informe?periodo={p}")) { "Informe" } } }
                        }
                    } }
                }
            }
        },
    ))
}

/// `GET /consola/institucion/centros/{centro}`.
pub async fn centro(State(state): State<AppState>, session: Session, Path(centro): Path<String>, Query(f): Query<Filters>) -> Response {
    respond(&session, build_centro(&state, &session, centro, f).await)
}

async fn build_centro(state: &AppState, session: &Session, centro: String, f: Filters) -> Result<Markup, AppError> {
    enlace_only(session)?;
    access::require_centro(state, &session.device, Resource::Commitments, &centro).await?;
    let names = state.db.centro_names().await?;
    let (name, municipio) = names.get(&centro).cloned().ok_or_else(|| AppError::NotFound(format!("No existe el centro «{centro}».")))?;
    let periods = state.db.period_list().await?;
    let period = super::page::pick_period(&periods, f.periodo);
    let list = filings::commitment_details(state, &session.device, &centro).await?;
    let suggestions = match &period {
        Some(p) => Some(filings::suggestions(state, &session.device, &centro, p, SUGGESTIONS_SHOWN).await?),
        None => None,
    };
    let baja = state.db.baja(centro.clone()).await?;
    let plantilla = super::incorporation::plantilla_card(state, session, &centro).await?;
    Ok(layout(
        &name,
        Some(session),
        "institucion",
        html! {
            @if let Some(n) = &f.hecho { p.notice role="status" { (n) } }
            (super::incorporation::baja_banner(baja.as_ref()))
            p.muted { (municipio) " · " (centro) " · " a href="/consola/institucion" { "volver a mi institución" }
                @if let Some(p) = &period { " · " a href=(format!("/consola/centros/{centro}/informe?periodo={p}")) { "Informe imprimible del centro" } } }
            h2 { "Compromisos de mejora" }
            (commitments(session, &centro, &list, state.today()))
            (plantilla)
            h2 #sugerencias { "Sugerencias de la ciudadanía" }
            div.card {
                @match &suggestions {
                    Some(s) if !s.suggestions.is_empty() => {
                        p.muted { (s.total) " sugerencias en el periodo (anónimas; se muestran las " (s.suggestions.len()) " más recientes)." }
                        ul { @for x in &s.suggestions { li data-suggestion { span.muted { (shared::words::date(x.date)) " · " } (x.text) } } }
                    }
                    _ => { p.muted { "Sin sugerencias en el periodo." } }
                }
            }
        },
    ))
}

/// Where `/consola` takes a reader: an Enlace to its institution, the others to results.
pub async fn start(session: Session) -> Response {
    if is_enlace(&session) { Redirect::to("/consola/institucion") } else { Redirect::to("/consola/resultados") }.into_response()
}
