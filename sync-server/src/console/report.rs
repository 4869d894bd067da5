//! Informe del centro: one printable page per centro and period, the document the
//! convocatoria promises each centro — citizen perception with intervals, the checklist by
//! pillar, commitments, complaints, and what to improve first (the lowest dimensions and
//! the checklist items the latest visit found unmet). From the official results once the
//! period is closed, the live (preliminary) ones before.

use super::extract::{Path, Query};
use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::{CentroScoreDto, CollectionMode, CommitmentStatus, ScoreTableDto};

use super::centro::{dimension_intervals, figures};
use super::page::{Session, layout, respond};
use super::results::{category_title, one, standing};
use crate::access;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct Filters {
    periodo: Option<String>,
}

/// How many dimensions «what to improve first» names.
const LOWEST_DIMENSIONS: usize = 2;

/// The labels of the checklist items a visit found unmet («No cumple»), by pillar.
fn unmet_items(state: &AppState, visit: &shared::protocol::Submission) -> Vec<(String, String, bool)> {
    let forms = state.forms();
    let Some(cached) = forms.get(&(visit.form_id.clone(), visit.form_version.clone())) else { return Vec::new() };
    let form = &cached.form;
    let language = form.language().to_string();
    form.fields()
        .into_iter()
        .filter_map(|f| {
            let pillar = f.scoring.pillar.clone()?;
            let answered_zero = matches!(visit.answers.get(&f.name), Some(shared::protocol::WireEntry::Value(v)) if v == "0");
            answered_zero.then(|| (pillar, f.label.get(&language).unwrap_or(&f.name).to_string(), f.scoring.critical))
        })
        .collect()
}

/// `GET /consola/centros/{centro}/informe?periodo=…`.
pub async fn page(State(state): State<AppState>, session: Session, Path(centro): Path<String>, Query(f): Query<Filters>) -> Response {
    respond(&session, build(&state, &session, centro, f).await)
}

async fn build(state: &AppState, session: &Session, centro: String, f: Filters) -> Result<Markup, AppError> {
    let super::centro::CentroPage { name, municipio, periods, period } = super::centro::centro_page(state, session, &centro, f.periodo).await?;
    let period = period.ok_or_else(|| AppError::NotFound("Aún no hay periodos.".into()))?;
    let period_name = periods.iter().find(|(id, _)| *id == period).map(|p| p.1.clone()).ok_or_else(|| AppError::NotFound(format!("No existe el periodo «{period}».")))?;
    // Official once closed: the latest version; live (preliminary) while open.
    let (source, table): (String, Option<ScoreTableDto>) = super::institution::period_results(state, &period).await?;
    let index_modes = table.as_ref().map_or_else(|| vec![CollectionMode::Entrevista], |t| t.index_modes.clone());
    let c: Option<CentroScoreDto> = table.and_then(|t| t.centros.into_iter().find(|c| c.centro_id == centro));
    let dates = state.db.period_dates(period.clone()).await?;
    let dimensions = match dates {
        Some((start, end)) => dimension_intervals(&state.db.dimension_samples(centro.clone(), start, end, index_modes.clone()).await?),
        None => BTreeMap::new(),
    };
    let visit = match dates {
        Some((start, end)) => state.db.latest_visit_between(centro.clone(), start, end).await?,
        None => None,
    };
    let unmet = visit.as_ref().map(|v| unmet_items(state, v)).unwrap_or_default();
    let records = state.db.centro_records(centro.clone()).await?;
    // Commitments with their state and extensions (access to the report was checked).
    let commitments = state.db.commitment_details(centro.clone()).await?;
    let own = access::sees_centro_records(state, &session.device, &centro).await?;
    let pillars = crate::service::publication::pillar_labels(state);
    let pillar_name = |p: &str| pillars.get(p).map_or_else(|| p.to_string(), Clone::clone);
    let mut lowest: Vec<(&String, &f64)> = c.as_ref().map(|c| c.dimension_means.iter().collect()).unwrap_or_default();
    lowest.sort_by(|a, b| a.1.total_cmp(b.1));
    Ok(layout(
        &format!("Informe de resultados · {name}"),
        Some(session),
        "resultados",
        html! {
            div.report data-report=(centro) {
                p { strong { (name) } " · " (municipio) " · " (centro) }
                p { "Periodo " (period_name) " · " span data-source { (source) } }
                p.no-print { a href=(format!("{}?periodo={period}", super::filings::centro_home(session, &centro))) { "Ver el centro en la consola" } " · Imprima esta página para entregarla al centro." }
                @if let Some(c) = &c {
                    p { (category_title(&c.ambito, &c.tipo)) " · " (standing(c))
                        @if let Some(r) = c.rank { " · lugar " (r) " de su categoría" } " · IGC* " (one(c.igc_star)) }
                    h2 { "Qué mejorar primero" }
                    div.card data-improve {
                        @if lowest.is_empty() && unmet.is_empty() { p.muted { "Sin datos suficientes para señalar prioridades." } }
                        @if !lowest.is_empty() {
                            p { "Las dimensiones con la percepción más baja:" }
                            ol { @for (d, v) in lowest.iter().take(LOWEST_DIMENSIONS) { li data-lowest=(d) { (d) ": " (format!("{v:.1}")) " de 100" } } }
                        }
                        @if let Some(v) = &visit {
                            @if unmet.is_empty() { p { "La última visita (" (shared::words::date(v.finalised_at.date_naive())) ") encontró cumplidos todos los reactivos." } }
                            @else {
                                p { "Reactivos que la última visita (" (shared::words::date(v.finalised_at.date_naive())) ") encontró sin cumplir:" }
                                ul { @for (pillar, label, critical) in &unmet { li data-unmet { strong { (pillar) } " (" (pillar_name(pillar)) "): " (label) @if *critical { " " span.tie { "crítico" } } } } }
                            }
                        }
                    }
                    h2 { "Percepción ciudadana" }
                    (figures(c, &index_modes, &dimensions))
                    h2 { "Cédula de verificación por pilar" }
                    div.card {
                        @if c.pillar_means.is_empty() { p.muted { "Sin visitas en el periodo." } }
                        table.rank { @for (p, v) in &c.pillar_means { tr data-pillar=(p) { td { (pillar_name(p)) } td.num { (format!("{v:.1}")) } } } }
                        @if c.critical_failure { p.error { "Un reactivo crítico no se cumplió." } }
                    }
                } @else { p { "Sin datos del centro en este periodo." } }
                h2 { "Compromisos de mejora" }
                div.card {
                    @if commitments.is_empty() { p.muted { "Sin compromisos." } }
                    @for d in &commitments {
                        @let k = &d.commitment;
                        div.item data-report-commitment=(k.commitment_id) { strong { (k.description) } span.muted { " · impacto " (k.impact) }
                            @if d.status != CommitmentStatus::Confirmado { " · " span.tie { (match d.status { CommitmentStatus::Devuelto => "devuelto al enlace", _ => "por confirmar" }) } }
                            ul { @for (m, f) in k.milestones.iter().zip(&d.milestones) { li { (m.description) " — vence " (shared::words::date(m.due))
                                @if let Some(o) = f.original_due { " (prórroga aprobada; fecha original " (shared::words::date(o)) ")" }
                                " — "
                                @if let Some(v) = m.verified_on { "verificado el " (shared::words::date(v)) } @else { "sin verificar" } } } } }
                    }
                }
                @if own {
                    h2 { "Quejas" }
                    div.card {
                        @if records.complaints.is_empty() { p.muted { "Sin quejas registradas." } }
                        @let answered = records.complaints.iter().filter(|q| q.responded.is_some()).count();
                        @if !records.complaints.is_empty() { p { (records.complaints.len()) " quejas; " (answered) " respondidas; IGQ " (c.as_ref().map_or("—".to_string(), |c| one(c.igq))) "." } }
                    }
                }
            }
        },
    ))
}
