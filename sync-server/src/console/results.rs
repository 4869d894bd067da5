//! Resultados: the ranking of each category for a period, with IGC and IGC*, the 95 %
//! interval of each centro, the tier, ties, and why a centro is not eligible.

use super::extract::Query;
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::{CentroScoreDto, ScoreTableDto};

use super::charts::interval;
use super::page::{Session, layout, period_select, respond};
use crate::access::{self, Resource};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct Filters {
    periodo: Option<String>,
    categoria: Option<String>,
}

/// The four categories of MGS-1: (ámbito, tipo, title).
pub const CATEGORIES: [(&str, &str, &str); 4] = [
    ("estatal", "tramites", "Estatal · trámites"),
    ("estatal", "servicios", "Estatal · servicios"),
    ("municipal", "tramites", "Municipal · trámites"),
    ("municipal", "servicios", "Municipal · servicios"),
];

pub(crate) fn tier_label(code: &str) -> &str {
    match code {
        "destacado" => "Destacado",
        "satisfactorio" => "Satisfactorio",
        "en_mejora" => "En mejora",
        "no_elegible" => "No elegible",
        other => other,
    }
}

/// A centro's tier as a badge, or «Dado de baja» when it left the program.
pub(crate) fn standing(c: &CentroScoreDto) -> Markup {
    html! {
        @if c.reasons.iter().any(|r| r.code == "withdrawn") {
            span.tier.tier-baja data-baja { "Dado de baja" }
        } @else {
            span class=(format!("tier tier-{}", c.tier)) { (tier_label(&c.tier)) }
        }
    }
}

/// A score with one decimal (the table keeps every figure unrounded).
pub fn one(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}"))
}

/// Where a centro's name links to (the console's centro page, or the public report).
pub type CentroLink<'a> = &'a dyn Fn(&str) -> String;

fn row(c: &CentroScoreDto, names: &std::collections::BTreeMap<String, (String, String)>, link: CentroLink<'_>) -> Markup {
    let (name, municipio) = names.get(&c.centro_id).cloned().unwrap_or_else(|| (c.centro_id.clone(), String::new()));
    let (value, se) = match (c.igc_star, c.se_star) {
        (Some(v), Some(se)) => (Some(v), Some(se)),
        _ => (c.igc, c.igc_se),
    };
    html! {
        tr data-centro=(c.centro_id) {
            td.num { @if let Some(r) = c.rank { (r) @if c.tied_with_next { span.tie title="Empate estadístico con el siguiente" { "empate" } } } @else { "—" } }
            td { a href=(link(&c.centro_id)) { strong { (name) } } div.muted { (municipio) " · " (c.centro_id) } }
            td.num data-igc { (one(c.igc)) }
            td.num data-igc-star { (one(c.igc_star)) }
            td {
                @if let (true, Some(v), Some(se)) = (c.complete, value, se) {
                    (interval(v, v - 1.96 * se, v + 1.96 * se, &format!("{name}: {v:.1}, intervalo de {:.1} a {:.1}", v - 1.96 * se, v + 1.96 * se)))
                }
            }
            td.num { (c.n) }
            td {
                (standing(c))
                @if !c.reasons.is_empty() {
                    ul.reasons { @for r in &c.reasons { li data-reason=(r.code) { (r.message) } } }
                }
            }
        }
    }
}

/// The category's funnel plot: every centro with an IGC, at its effective sample size (its
/// number of surveys when it has none), drawn whenever two centros have one.
fn category_funnel(title: &str, rows: &[&CentroScoreDto], names: &std::collections::BTreeMap<String, (String, String)>) -> Markup {
    let scored: Vec<&&CentroScoreDto> = rows.iter().filter(|c| c.igc.is_some_and(f64::is_finite)).collect();
    if scored.len() < 2 {
        return html! { p.muted { "Embudo: se dibuja cuando dos o más centros de la categoría tienen IGC." } };
    }
    let size = |c: &CentroScoreDto| c.n_eff.filter(|n| n.is_finite() && *n > 0.0).unwrap_or(c.n as f64);
    let sigma = super::charts::pooled_sigma(&scored.iter().filter_map(|c| Some((size(c), c.igc_se?))).collect::<Vec<_>>());
    let target = scored.iter().filter_map(|c| c.igc).sum::<f64>() / scored.len() as f64;
    let points: Vec<super::charts::FunnelPoint> = scored
        .iter()
        .map(|c| super::charts::FunnelPoint {
            label: names.get(&c.centro_id).map_or_else(|| c.centro_id.clone(), |n| n.0.clone()),
            n: size(c),
            value: c.igc.unwrap_or_default(),
        })
        .collect();
    html! {
        div.funnel-box data-funnel=(title) {
            (super::charts::funnel(&points, target, sigma, &format!("Embudo {title}: IGC de {} contra su tamaño efectivo de muestra", shared::words::count(points.len() as u64, "centro", "centros"))))
        }
    }
}

pub(crate) fn category_table(title: &str, rows: &[&CentroScoreDto], names: &std::collections::BTreeMap<String, (String, String)>, link: CentroLink<'_>) -> Markup {
    html! {
        h2 { (title) }
        @if rows.is_empty() {
            p.muted { "Sin centros en esta categoría." }
        } @else {
            table.rank {
                thead { tr { th { "Lugar" } th { "Centro" } th { "IGC" } th { "IGC*" } th { "Intervalo 95 % (0–100)" (super::charts::axis()) } th { "Encuestas" } th { "Nivel" } } }
                tbody { @for c in rows { (row(c, names, link)) } }
            }
            (super::charts::interval_legend())
            (category_funnel(title, rows, names))
        }
    }
}

/// Ranked first (by rank), then the others by name.
pub(crate) fn ordered<'a>(table: &'a ScoreTableDto, ambito: &str, tipo: &str) -> Vec<&'a CentroScoreDto> {
    let mut rows: Vec<&CentroScoreDto> = table.centros.iter().filter(|c| c.ambito == ambito && c.tipo == tipo).collect();
    rows.sort_by(|a, b| a.rank.unwrap_or(u32::MAX).cmp(&b.rank.unwrap_or(u32::MAX)).then(a.centro_id.cmp(&b.centro_id)));
    rows
}

/// The console's page of a centro.
pub(crate) fn console_link(centro: &str) -> String {
    format!("/consola/centros/{centro}")
}

/// A category's title.
pub(crate) fn category_title(ambito: &str, tipo: &str) -> String {
    CATEGORIES.iter().find(|(a, t, _)| *a == ambito && *t == tipo).map_or_else(|| format!("{ambito} · {tipo}"), |c| c.2.to_string())
}

pub async fn page(State(state): State<AppState>, session: Session, Query(f): Query<Filters>) -> Response {
    if super::institution::is_enlace(&session) {
        return axum::response::IntoResponse::into_response(axum::response::Redirect::to("/consola/institucion"));
    }
    respond(&session, build(&state, &session, f).await)
}

async fn build(state: &AppState, session: &Session, f: Filters) -> Result<Markup, AppError> {
    access::require_program_wide(&session.device, Resource::Results)?;
    let waiting = crate::service::filings::waiting(state, &session.device).await?;
    let periods = state.db.period_list().await?;
    let Some(period) = super::page::pick_period(&periods, f.periodo) else {
        return Ok(layout("Resultados", Some(session), "resultados", html! { p { "Aún no hay periodos." } }));
    };
    let table = state
        .read_scores(|live| live.table(&period))?
        .ok_or_else(|| AppError::NotFound(format!("No existe el periodo «{period}».")))?;
    let dto = ScoreTableDto::from(&table);
    let names = state.db.centro_names().await?;
    let closed = state.period_settings().state(&period) != shared::protocol::PeriodState::Abierto;
    let chosen: Vec<_> = CATEGORIES.iter().filter(|(a, t, _)| f.categoria.as_deref().is_none_or(|c| c == format!("{a}-{t}"))).collect();
    Ok(layout(
        "Resultados",
        Some(session),
        "resultados",
        html! {
            (super::filings::waiting_card(session, &waiting))
            form.toolbar method="get" action="/consola/resultados" {
                (period_select(&periods, &period))
                div { label for="categoria" { "Categoría" }
                    select #categoria name="categoria" {
                        option value="" { "Todas" }
                        @for (a, t, title) in CATEGORIES { option value=(format!("{a}-{t}")) selected[f.categoria.as_deref() == Some(&format!("{a}-{t}"))] { (title) } }
                    } }
                button type="submit" { "Ver" }
                a.button.light href=(format!("/api/v1/periods/{period}/scores?format=csv")) { "Descargar CSV" }
                a.button.light href=(format!("/api/v1/periods/{period}/scores?format=xlsx")) { "Descargar XLSX" }
            }
            @if closed {
                p.notice data-official { "El periodo está cerrado: esta tabla es preliminar (incluye lo que llegó después del cierre). "
                    a href=(format!("/consola/periodos/{period}")) { "Ver los resultados oficiales" } }
            }
            p.muted { "Método " (dto.method) " · datos hasta la secuencia " (dto.watermark) ". IGC* es el índice ajustado por tamaño de muestra con el que se ordena; la barra muestra su intervalo de 95 % cuando el centro tiene todos los componentes." }
            @for (a, t, title) in chosen { (category_table(title, &ordered(&dto, a, t), &names, &console_link)) }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn centro(id: &str, igc: Option<f64>, n_eff: Option<f64>, igc_se: Option<f64>) -> CentroScoreDto {
        serde_json::from_value(serde_json::json!({
            "centro_id": id, "ambito": "estatal", "tipo": "tramites", "n": 12, "n_isc": 12, "sampling_days": 3,
            "n_eff": n_eff, "deff": null, "isc": null, "isc_se": null, "isc_ci": null, "dimension_means": {},
            "csat": null, "dissatisfied": null, "bribe": null, "visits": 1, "icv": null, "icv_se": null,
            "pillar_means": {}, "critical_failure": false, "iacm": 0.0, "commitments": 0, "insufficient_commitments": false,
            "igq": null, "complaints": 0, "igq_from_visits": false, "igc": igc, "igc_se": igc_se, "complete": false,
            "igc_star": null, "se_star": null, "shrinkage": null, "rank": null, "tied_with_next": false, "tier": "no_elegible", "reasons": []
        }))
        .expect("a centro's figures")
    }

    #[test]
    fn the_funnel_is_drawn_whenever_two_centros_have_an_igc() {
        let names = std::collections::BTreeMap::new();
        // Two centros with an IGC but no effective size or standard error yet: drawn at
        // their number of surveys, with the mean and without limits.
        let (a, b) = (centro("A", Some(70.0), None, None), centro("B", Some(80.0), None, None));
        let html = category_funnel("Estatal", &[&a, &b], &names).into_string();
        assert_eq!(html.matches("<circle").count(), 2 + 1, "two centros and the legend's dot: {html}");
        assert!(html.contains("media de la categoría (75.0)") && !html.contains("<polyline"), "{html}");
        // With standard errors, the limits too.
        let (a, b) = (centro("A", Some(70.0), Some(10.0), Some(3.0)), centro("B", Some(80.0), Some(40.0), Some(1.5)));
        assert_eq!(category_funnel("Estatal", &[&a, &b], &names).into_string().matches("<polyline").count(), 4);
        // One centro with an IGC is not a funnel.
        let lone = centro("C", None, None, None);
        assert!(!category_funnel("Estatal", &[&a, &lone], &names).into_string().contains("<svg"));
    }
}
