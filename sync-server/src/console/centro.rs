//! Centro: its figures for a period (dimension means, CSAT, dissatisfied and bribe
//! incidence with Wilson intervals), each visit's pillars with the evidence photos, its
//! commitments and milestones, its complaints, and the trend over periods.

use super::extract::{Path, Query};
use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::{CentroScoreDto, CollectionMode, ProportionDto};
use shared::scoring::VisitItem;

use super::charts::interval;
use super::page::{Session, error_page, layout, respond};
use super::results::one;
use crate::access::{self, Resource};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct Filters {
    periodo: Option<String>,
    /// What was just done (after a form on this page).
    hecho: Option<String>,
}

/// Each pillar's compliance in one visit (0–100): the weighted share of the points of its
/// applicable items.
pub fn pillar_scores(items: &[VisitItem]) -> BTreeMap<String, f64> {
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for i in items {
        if let Some(s) = i.score {
            let e = sums.entry(i.pillar.clone()).or_default();
            e.0 += i.weight * f64::from(s);
            e.1 += i.weight * 2.0;
        }
    }
    sums.into_iter().filter(|(_, (_, max))| *max > 0.0).map(|(p, (got, max))| (p, got / max * 100.0)).collect()
}

fn proportion(label: &str, p: &Option<ProportionDto>) -> Markup {
    html! {
        tr {
            td { (label) }
            @if let Some(p) = p {
                td.num { (format!("{:.1} %", p.p * 100.0)) }
                td.num { (p.k) " de " (p.n) }
                td { (interval(p.p * 100.0, p.lower * 100.0, p.upper * 100.0, &format!("{label}: {:.1} %", p.p * 100.0))) }
            } @else {
                td.num { "—" } td {} td {}
            }
        }
    }
}

/// Each dimension's mean over the surveys with its approximate 95 % interval (mean ±
/// 1.96 standard errors, as if a simple random sample), from the per-survey means.
pub fn dimension_intervals(samples: &[BTreeMap<String, f64>]) -> BTreeMap<String, (f64, f64, f64, u64)> {
    let mut sums: BTreeMap<String, shared::scoring::ExactSum> = BTreeMap::new();
    for s in samples {
        for (d, v) in s {
            sums.entry(d.clone()).or_default().add(*v);
        }
    }
    sums.into_iter()
        .filter_map(|(d, sum)| {
            let mean = sum.mean()?;
            let se = sum.simple_se().unwrap_or(0.0);
            Some((d, (mean, (mean - 1.96 * se).max(0.0), (mean + 1.96 * se).min(100.0), sum.n())))
        })
        .collect()
}

/// The modes as words: «entrevista», «entrevista y kiosko», …
fn modes_in_words(modes: &[CollectionMode]) -> String {
    let names: Vec<String> = modes.iter().map(|m| m.label().to_lowercase()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} y {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

pub(super) fn figures(c: &CentroScoreDto, index_modes: &[CollectionMode], dimensions: &BTreeMap<String, (f64, f64, f64, u64)>) -> Markup {
    html! {
        div.card {
            table.rank {
                tr { th scope="col" { "Índice" } th scope="col" { "Valor" } th scope="col" { "Base" } th scope="col" { "Intervalo 95 %" (super::charts::axis()) } }
                tr { td { "IGC" } td.num data-igc { (one(c.igc)) } td {} td { @if let (Some(v), Some(se)) = (c.igc, c.igc_se) { (interval(v, v - 1.96 * se, v + 1.96 * se, "IGC")) } } }
                tr { td { "ISC (satisfacción)" } td.num { (one(c.isc)) } td {} td { @if let Some([lo, hi]) = c.isc_ci { (interval(c.isc.unwrap_or(0.0), lo, hi, "ISC")) } } }
                tr { td { "ICV (cédula)" } td.num { (one(c.icv)) } td {} td { @if let (Some(v), Some(se)) = (c.icv, c.icv_se) { (interval(v, v - 1.96 * se, v + 1.96 * se, "ICV")) } } }
                tr { td { "IACM (compromisos)" } td.num { (format!("{:.1}", c.iacm)) } td { (c.commitments) " compromisos" } td {} }
                tr { td { "IGQ (quejas)" } td.num { (one(c.igq)) } td { (c.complaints) " quejas" } td {} }
            }
            p.muted { (c.n) " encuestas en " (c.sampling_days) " días de levantamiento" @if let Some(n_eff) = c.n_eff { " · tamaño efectivo " (format!("{n_eff:.1}")) } " · " (c.visits) " visitas" }
            @if !c.reasons.is_empty() { ul.reasons { @for r in &c.reasons { li { (r.message) } } } }
            p.muted data-index-modes { "Cuentan en el índice las encuestas por " (modes_in_words(index_modes)) "." }
            @if !c.other_modes.is_empty() {
                h3 { "Otros modos de levantamiento (fuera del índice)" }
                table.rank #modos {
                    tr { th scope="col" { "Modo" } th scope="col" { "Encuestas" } th scope="col" { "ISC" } th scope="col" { "Intervalo 95 %" (super::charts::axis()) } }
                    @for m in &c.other_modes {
                        tr data-mode=(m.mode.code()) {
                            td { (m.mode.label()) } td.num { (m.n) } td.num { (one(m.isc)) }
                            td { @if let (Some(v), Some([lo, hi])) = (m.isc, m.isc_ci) { (interval(v, lo, hi, &format!("ISC por {}", m.mode.label().to_lowercase()))) } }
                        }
                    }
                }
                p.muted { "Se informan aparte para que el efecto del modo sea visible: no entran en el ISC, el IGC ni el ranking." }
            }
        }
        h2 { "Satisfacción por dimensión" }
        div.card {
            @if c.dimension_means.is_empty() { p.muted { "Sin encuestas válidas en el periodo." } }
            table.rank {
                @if !c.dimension_means.is_empty() { tr { th { "Dimensión" } th { "Media" } th { "Intervalo 95 % (aprox.)" (super::charts::axis()) } th { "Respuestas" } } }
                @for (d, v) in &c.dimension_means {
                    tr data-dimension=(d) {
                        td { (d) } td.num { (format!("{v:.1}")) }
                        @if let Some((_, lo, hi, n)) = dimensions.get(d) {
                            td { (interval(*v, *lo, *hi, &format!("{d}: {v:.1}, de {lo:.1} a {hi:.1}"))) } td.num { (n) }
                        } @else { td {} td {} }
                    }
                }
            }
            (super::charts::interval_legend())
            p.muted { "Intervalos aproximados con las medias por encuesta (como muestra aleatoria simple); el índice ISC usa el diseño por días." }
        }
        h2 { "Incidencias (intervalo de Wilson 95 %)" }
        div.card {
            table.rank {
                tr { th scope="col" { "Indicador" } th scope="col" { "Proporción" } th scope="col" { "Casos" } th scope="col" { "Intervalo 95 %" (super::charts::axis()) } }
                (proportion("Satisfechos (CSAT)", &c.csat))
                (proportion("Insatisfechos", &c.dissatisfied))
                (proportion("Les pidieron dinero o regalo", &c.bribe))
            }
        }
    }
}

pub async fn page(State(state): State<AppState>, session: Session, Path(centro): Path<String>, Query(f): Query<Filters>) -> Response {
    if super::institution::is_enlace(&session) {
        return axum::response::Redirect::to(&format!("/consola/institucion/centros/{centro}")).into_response();
    }
    respond(&session, build(&state, &session, centro, f).await)
}

/// What a centro page starts from: the reader may see results, the centro exists; its
/// name and municipio, the periods, and the period asked for (else the newest).
pub(super) struct CentroPage {
    pub name: String,
    pub municipio: String,
    pub periods: Vec<(String, String)>,
    pub period: Option<String>,
}

pub(super) async fn centro_page(state: &AppState, session: &Session, centro: &str, asked: Option<String>) -> Result<CentroPage, AppError> {
    access::require_centro(state, &session.device, Resource::Results, centro).await?;
    let names = state.db.centro_names().await?;
    let (name, municipio) = names.get(centro).cloned().ok_or_else(|| AppError::NotFound(format!("No existe el centro «{centro}».")))?;
    let periods = state.db.period_list().await?;
    let period = super::page::pick_period(&periods, asked);
    Ok(CentroPage { name, municipio, periods, period })
}

async fn build(state: &AppState, session: &Session, centro: String, f: Filters) -> Result<Markup, AppError> {
    let notice = f.hecho.clone();
    let CentroPage { name, municipio, periods, period } = centro_page(state, session, &centro, f.periodo).await?;
    let period = period.unwrap_or_default();
    let (current, trend): (Option<CentroScoreDto>, Vec<(String, Option<f64>)>) = state.read_scores(|live| {
        let find = |pid: &str| live.table(pid).and_then(|t| t.centros.iter().find(|c| c.centro_id == centro).map(CentroScoreDto::from));
        (find(&period), periods.iter().rev().map(|(pid, pname)| (pname.clone(), find(pid).and_then(|c| c.igc))).collect())
    })?;
    let index_modes = state.read_scores(|live| live.table(&period).map_or_else(|| vec![CollectionMode::Entrevista], |t| t.index_modes))?;
    let records = state.db.centro_records(centro.clone()).await?;
    // Who registers commitments sees them in detail, with the forms they may use.
    let details = match access::grant(session.device.user.role, Resource::Commitments) {
        Some(_) => Some(crate::service::filings::commitment_details(state, &session.device, &centro).await?),
        None => None,
    };
    // Figures and commitments are program-wide; visits, photos and complaints only for
    // the centro's own team (and staff).
    let own = access::sees_centro_records(state, &session.device, &centro).await?;
    let may_record_complaints = access::require_site_records(state, &session.device, &centro).await.is_ok();
    let dates = state.db.period_dates(period.clone()).await?;
    let dimensions = match dates {
        Some((start, end)) => dimension_intervals(&state.db.dimension_samples(centro.clone(), start, end, index_modes.clone()).await?),
        None => BTreeMap::new(),
    };
    let everyone = crate::db::Reviewer { user_id: session.device.user_id, everyone: true, spare_admins: false };
    let response = match dates {
        Some((start, end)) => state.db.response_days(everyone, Some(centro.clone()), start, end).await?,
        None => Vec::new(),
    };
    let baja = state.db.baja(centro.clone()).await?;
    let plantilla = super::incorporation::plantilla_card(state, session, &centro).await?;
    let modes_card = super::qr::centro_card(state, session, &centro, &period).await?;
    let settings = match crate::service::program::staff(&session.device) {
        Ok(()) => Some(super::admin::centro_settings_card(session, &state.db.centro(centro.clone()).await?)),
        Err(_) => None,
    };
    Ok(layout(
        &name,
        Some(session),
        "resultados",
        html! {
            @if let Some(n) = &notice { p.notice role="status" { (n) } }
            (super::incorporation::baja_banner(baja.as_ref()))
            p.muted { (municipio) " · " (centro) " · periodo " (period) " · " a href=(format!("/consola/resultados?periodo={period}")) { "volver a resultados" }
                " · " a href=(format!("/consola/centros/{centro}/informe?periodo={period}")) { "Informe imprimible del centro" } }
            @if let Some(c) = &current { (figures(c, &index_modes, &dimensions)) } @else { p { "Sin datos del centro en este periodo." } }
            @if records.rejected_in_review > 0 {
                p.notice #rechazadas { (records.rejected_in_review) " encuestas rechazadas en revisión (no cuentan en los resultados)." }
            }
            (modes_card)
            h2 #tasa-respuesta { "Tasa de respuesta por día" }
            (super::fieldwork::response_table(&response, None))
            h2 { "Tendencia (IGC por periodo)" }
            div.card { table.rank { @for (p, v) in &trend { tr { td { (p) } td.num { (one(*v)) } td { @if let Some(v) = v { (interval(*v, *v, *v, p)) } } } } } }
            @if !own { p.muted #otro-equipo { "Las visitas, fotos y quejas de este centro las ve su equipo de supervisión y coordinación." } }
            @if own { h2 { "Visitas (cumplimiento por pilar)" } }
            @if own { div.card {
                @if records.visits.is_empty() { p.muted { "Sin visitas registradas." } }
                @for v in &records.visits {
                    div.item data-visit=(v.submission_id) {
                        strong { "Visita del " (shared::words::date(v.date)) }
                        @for (n, answered) in &v.score_notes {
                            p.muted data-score-note=(n.item) { (n.item) ": sugerido " (n.suggested) " por los registros (" (n.basis) "); calificado " (answered)
                                @if let Some(r) = &n.reason { " — motivo: " (r) } }
                        }
                        table.rank { @for (p, s) in pillar_scores(&v.items) { tr { td { (p) } td.num { (format!("{s:.0}")) } td { (interval(s, s, s, &p)) } } } }
                        @if !v.photos.is_empty() {
                            div.photos {
                                @for (sha, arrived, item) in &v.photos {
                                    figure.photo data-photo-item=(item.as_deref().unwrap_or("")) {
                                        @if *arrived {
                                            a href=(format!("/consola/fotos/{sha}")) { img src=(format!("/consola/fotos/{sha}")) alt=(format!("Foto de evidencia{}", item.as_deref().map(|i| format!(" de {i}")).unwrap_or_default())) loading="lazy" width="160"; }
                                        } @else { span.muted { "Foto pendiente de subir" } }
                                        figcaption { @match item { Some(i) => { "Reactivo " (i) }, None => { "Sin reactivo" } } }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
            h2 #compromisos { "Compromisos de mejora" }
            @if let Some(details) = &details { (super::filings::commitments(session, &centro, details, state.today())) }
            @else { div.card {
                @if records.commitments.is_empty() { p.muted { "Sin compromisos." } }
                @for k in &records.commitments {
                    div.item {
                        strong { (k.description) } span.muted { " · impacto " (k.impact) " · versión " (k.version) }
                        ul { @for m in &k.milestones {
                            li { (m.description) " — vence " (shared::words::date(m.due)) " — "
                                @if let Some(d) = m.verified_on { strong { "verificado el " (shared::words::date(d)) } } @else { "sin verificar" } }
                        } }
                    }
                }
            } }
            (plantilla)
            @if own { (super::complaints::complaints_card(session, &centro, &records.complaints, may_record_complaints)) }
            @if let Some(card) = settings { (card) }
            @if baja.is_none() { (super::incorporation::baja_form(session, &centro)) }
        },
    ))
}

/// An evidence photo (staff, and the supervisors of a team whose submission names it).
pub async fn photo(State(state): State<AppState>, session: Session, Path(sha): Path<String>) -> Response {
    let result = async {
        access::require(&session.device, Resource::Console)?;
        crate::photos::check_sha(&sha)?;
        access::require_photo(&state, &session.device, &sha).await?;
        state.photos.read(&sha).await?.ok_or_else(|| AppError::NotFound("La foto aún no llega al servidor.".into()))
    }
    .await;
    match result {
        Ok(bytes) => ([(header::CONTENT_TYPE, "image/jpeg"), (header::CACHE_CONTROL, "private, max-age=86400")], bytes).into_response(),
        Err(e) => error_page(Some(&session), e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pillar_scores_weight_items_and_skip_not_applicable_ones() {
        let item = |pillar: &str, weight: f64, score: Option<u8>| VisitItem { pillar: pillar.into(), weight, critical: false, score };
        let scores = pillar_scores(&[item("AG", 2.0, Some(2)), item("AG", 1.0, Some(0)), item("AG", 5.0, None), item("DE", 1.0, None)]);
        assert_eq!(scores.len(), 1, "a pillar with only N/A items has no score");
        assert!((scores["AG"] - 200.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn dimension_intervals_surround_the_mean_and_stay_on_the_scale() {
        let sample = |v: f64| BTreeMap::from([("AG".to_string(), v)]);
        let d = dimension_intervals(&[sample(100.0), sample(50.0), sample(75.0), sample(75.0)]);
        let (mean, lo, hi, n) = d["AG"];
        assert_eq!((mean, n), (75.0, 4));
        assert!(lo < mean && mean < hi && hi <= 100.0 && lo >= 0.0);
        assert!(dimension_intervals(&[]).is_empty());
    }
}
