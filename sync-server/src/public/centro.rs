//! `/resultados/{periodo}/{centro}` (a centro's public report) and
//! `/resultados/{periodo}/{centro}/constancia` (the certificate of a recognised centro).

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};
use shared::protocol::{CentroScoreDto, CommitmentInfo};

use super::{category, error, key, layout, page};
use crate::console::charts::interval;
use crate::console::results::{one, standing, tier_label};
use crate::error::AppError;
use crate::service::publication;
use crate::state::AppState;

/// A figure with its 95 % interval, as a row.
fn index_row(name: &str, value: Option<f64>, half_width: Option<f64>) -> Markup {
    html! {
        tr {
            th { (name) }
            td.num { (one(value)) }
            td { @if let (Some(v), Some(h)) = (value, half_width) {
                (interval(v, v - h, v + h, &format!("{name}: {v:.1}, intervalo de {:.1} a {:.1}", v - h, v + h)))
                " " span.muted { (format!("{:.1} – {:.1}", v - h, v + h)) }
            } }
        }
    }
}

/// A commitment's state, from its milestones' dates.
fn commitment_state(c: &CommitmentInfo, today: chrono::NaiveDate) -> &'static str {
    if c.milestones.iter().all(|m| m.verified_on.is_some()) {
        "Cumplido"
    } else if c.milestones.iter().any(|m| m.verified_on.is_none() && m.due < today) {
        "Con hitos vencidos"
    } else {
        "En curso"
    }
}

/// What the report shows beside the centro's figures.
struct Context<'a> {
    trend: &'a [(String, Option<f64>, String)],
    commitments: &'a [CommitmentInfo],
    pillars: &'a std::collections::BTreeMap<String, String>,
    today: chrono::NaiveDate,
}

fn report_body(period: &str, name: &str, c: &CentroScoreDto, z: f64, cx: &Context<'_>) -> Markup {
    let (trend, commitments, today) = (cx.trend, cx.commitments, cx.today);
    let isc_half = c.isc_ci.map(|[lo, hi]| (hi - lo) / 2.0);
    html! {
        p { (category(&c.ambito, &c.tipo)) " · " (standing(c))
            @if let Some(r) = c.rank { " · lugar " (r) " en su categoría" @if c.tied_with_next { " " span.tie { "empate" } } } }
        @if !c.reasons.is_empty() { ul.reasons { @for r in &c.reasons { li data-reason=(r.code) { (r.message) } } } }
        h2 { "Índices" }
        table.indices {
            thead { tr { th { "Índice" } th { "Valor (0–100)" } th { "Intervalo de 95 %" } } }
            tbody {
                (index_row("Satisfacción ciudadana (ISC)", c.isc, isc_half))
                (index_row("Cédula de verificación (ICV)", c.icv, c.icv_se.map(|s| z * s)))
                (index_row("Compromisos de mejora (IACM)", Some(c.iacm), None))
                (index_row("Gestión de quejas (IGQ)", c.igq, None))
                (index_row("Índice general (IGC)", c.igc, c.igc_se.map(|s| z * s)))
                (index_row("Índice general ajustado (IGC*)", c.igc_star, c.se_star.map(|s| z * s)))
            }
        }
        p.muted { (c.n) " encuestas en " (c.sampling_days) " días; " (c.visits) " visitas de verificación." }
        @if !c.dimension_means.is_empty() {
            h2 { "Percepción por dimensión" }
            table.indices { tbody { @for (d, v) in &c.dimension_means { tr { th { (d) } td.num { (format!("{v:.1}")) } } } } }
        }
        @if !c.pillar_means.is_empty() {
            h2 { "Cédula por pilar" }
            table.indices { tbody { @for (p, v) in &c.pillar_means { tr { th { (cx.pillars.get(p).map_or(p.as_str(), String::as_str)) } td.num { (format!("{v:.1}")) } } } } }
        }
        h2 { "Tendencia" }
        @if trend.len() < 2 { p.muted { "Es el primer periodo publicado de este centro." } }
        table.indices data-trend {
            thead { tr { th { "Periodo" } th { "IGC*" } th { "Nivel" } } }
            tbody { @for (p, v, tier) in trend { tr { td { (p) } td.num { (one(*v)) } td { (tier_label(tier)) } } } }
        }
        h2 { "Compromisos de mejora" }
        @if commitments.is_empty() { p.muted { "Sin compromisos registrados." } }
        @for k in commitments {
            div.card data-commitment=(k.commitment_id) {
                strong { (k.description) } " · " (commitment_state(k, today))
                ul { @for m in &k.milestones {
                    li { (m.description) " · vence el " (shared::words::date(m.due))
                        @if let Some(v) = m.verified_on { " · verificado el " (shared::words::date(v)) } @else { " · sin verificar" } }
                } }
            }
        }
        p.no-print { a href=(format!("/resultados/{period}")) { "← Resultados de " (name) } }
    }
}

/// The public report of `centro` in `period`'s published results.
pub async fn report_page(state: &AppState, period: &str, centro: &str) -> Result<Markup, AppError> {
    let r = publication::results(state, period).await?;
    let c = r.table.centros.iter().find(|c| c.centro_id == centro).ok_or_else(|| AppError::NotFound(format!("El centro «{centro}» no está en los resultados de este periodo.")))?;
    let names = state.db.centro_names().await?;
    let centro_name = names.get(centro).map_or(centro, |n| n.0.as_str());
    let trend: Vec<(String, Option<f64>, String)> =
        publication::trend(state, centro).await?.into_iter().map(|(p, c)| (p.name, c.igc_star, c.tier)).collect();
    let commitments = publication::commitments(state, centro).await?;
    Ok(layout(
        &format!("{centro_name} · {}", r.published.name),
        report_body(period, &r.published.name, c, r.settings.z, &Context { trend: &trend, commitments: &commitments, pillars: &publication::pillar_labels(state), today: state.today() }),
    ))
}

/// `GET /resultados/{periodo}/{centro}`.
pub async fn report(State(state): State<AppState>, headers: HeaderMap, Path((period, centro)): Path<(String, String)>) -> Response {
    let result = async { report_page(&state, key(&period)?.as_str(), key(&centro)?.as_str()).await }.await;
    match result {
        Ok(markup) => page(&headers, markup),
        Err(e) => error(e),
    }
}

/// `GET /resultados/{periodo}/{centro}/constancia`: only for a recognised centro.
pub async fn certificate(State(state): State<AppState>, headers: HeaderMap, Path((period, centro)): Path<(String, String)>) -> Response {
    let result = async {
        let (period, centro) = (key(&period)?, key(&centro)?);
        let r = publication::results(&state, period.as_str()).await?;
        let x = r.recognised.iter().find(|x| x.centro_id == centro.as_str()).ok_or_else(|| AppError::NotFound(format!("El centro «{centro}» no fue reconocido en este periodo.")))?;
        let names = state.db.centro_names().await?;
        let (name, municipio) = names.get(centro.as_str()).cloned().unwrap_or_else(|| (centro.to_string(), String::new()));
        Ok::<_, AppError>(layout(
            "Constancia de reconocimiento",
            html! {
                div.certificate data-certificate=(centro) {
                    p { "El Programa MAS otorga el presente" }
                    h2 { "Reconocimiento" }
                    p { "al centro de atención" }
                    p.centro { (name) }
                    p { (municipio) " · " (category(&x.ambito, &x.tipo)) }
                    p { "por ocupar el lugar " (x.rank) @if x.tied { " (en empate estadístico)" } " de su categoría, con nivel " (tier_label(&x.tier))
                        " e índice general ajustado IGC* de " (one(x.igc_star)) ", en la evaluación " (r.published.name) "." }
                    p.muted { "Resultados oficiales, versión " (r.published.version.version) "; huella SHA-256 de la tabla " code { (r.published.version.table_sha256) } "." }
                }
            },
        ))
    }
    .await;
    match result {
        Ok(markup) => page(&headers, markup),
        Err(e) => error(e),
    }
}
