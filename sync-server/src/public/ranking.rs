//! `/resultados`, `/resultados/{periodo}` and `/resultados/{periodo}/reconocidos`.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, html};

use super::{category, error, key, layout, page};
use crate::console::results::{CATEGORIES, category_table, ordered, tier_label};
use crate::service::publication::{self, PublicResults};
use crate::state::AppState;

/// `GET /resultados`: the periods with published results.
pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match publication::periods(&state).await {
        Ok(periods) => page(
            &headers,
            layout(
                "Resultados del Programa MAS",
                html! {
                    @if periods.is_empty() { p { "Aún no hay resultados publicados." } }
                    ul.periods {
                        @for p in &periods {
                            li data-period=(p.period_id) {
                                a href=(format!("/resultados/{}", p.period_id)) { strong { (p.name) } }
                                " · del " (shared::words::date(p.start)) " al " (shared::words::date(p.end))
                                " · versión " (p.version.version)
                            }
                        }
                    }
                },
            ),
        ),
        Err(e) => error(e),
    }
}

/// The recognised centros, by category.
fn recognised_block(r: &PublicResults, names: &std::collections::BTreeMap<String, (String, String)>) -> Markup {
    let period = &r.published.period_id;
    let rule = &r.settings.recognition;
    html! {
        div.card.recognised {
            h2 { "Centros reconocidos" }
            p.muted { "Por categoría, hasta " (rule.per_category) " centro(s) con nivel " (rule.tiers.iter().map(|t| tier_label(t)).collect::<Vec<_>>().join(" o ")) ", en orden; un empate estadístico en el corte se reconoce completo." }
            @if r.recognised.is_empty() { p { "Ningún centro cumplió los requisitos de reconocimiento en este periodo." } }
            @for (a, t, title) in CATEGORIES {
                @let in_category: Vec<_> = r.recognised.iter().filter(|x| x.ambito == a && x.tipo == t).collect();
                @if !in_category.is_empty() {
                    h3 { (title) }
                    ol {
                        @for x in in_category {
                            li data-recognised=(x.centro_id) {
                                a href=(format!("/resultados/{period}/{}", x.centro_id)) { (names.get(&x.centro_id).map_or(x.centro_id.as_str(), |n| n.0.as_str())) }
                                " · lugar " (x.rank) " · " (tier_label(&x.tier))
                                @if x.tied { " · " span.tie { "empate" } }
                                " · " a.no-print href=(format!("/resultados/{period}/{}/constancia", x.centro_id)) { "Constancia" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the page says about the version shown and the earlier ones.
fn versions_note(r: &PublicResults) -> Markup {
    let v = &r.published.version;
    html! {
        p.muted data-version=(v.version) {
            "Versión " (v.version) " de los resultados oficiales, publicada el " (v.published_at.as_deref().map_or_else(|| "—".to_string(), |a| shared::words::date_text(a.get(..10).unwrap_or(a))))
            ". Método " (v.method) "."
        }
        @if r.versions.len() > 1 {
            details { summary { "Versiones de estos resultados" }
                ul { @for o in &r.versions {
                    li { "Versión " (o.version) ": cerrada el " (shared::words::date_text(o.closed_at.get(..10).unwrap_or(&o.closed_at))) " — " (o.reason)
                        @if let Some(why) = &o.reopen_reason { " (reabierto por: " (why) ")" } }
                } }
            }
        }
    }
}

/// `GET /resultados/{periodo}`: the ranking per category and the recognised centros.
pub async fn period(State(state): State<AppState>, headers: HeaderMap, Path(period): Path<String>) -> Response {
    let result = async {
        let period = key(&period)?;
        let r = publication::results(&state, period.as_str()).await?;
        let names = state.db.centro_names().await?;
        let p = r.published.period_id.clone();
        let link = |centro: &str| format!("/resultados/{p}/{centro}");
        Ok(layout(
            &format!("Resultados {}", r.published.name),
            html! {
                (versions_note(&r))
                (recognised_block(&r, &names))
                p.no-print { a href=(format!("/resultados/{p}/reconocidos")) { "Lista imprimible de centros reconocidos" } }
                p.muted { "IGC* es el índice general ajustado por tamaño de muestra con el que se ordena; la barra muestra su intervalo de 95 %. Un centro sin lugar no fue elegible: se dice por qué." }
                @for (a, t, title) in CATEGORIES { (category_table(title, &ordered(&r.table, a, t), &names, &link)) }
                h2 { "Datos abiertos" }
                div.card {
                    p { "Bajo licencia " (super::LICENCE) ":" }
                    ul {
                        li { a href=(format!("/resultados/{p}/datos/tabla.csv")) { "Tabla oficial (CSV)" } " · " a href=(format!("/resultados/{p}/datos/tabla.json")) { "(JSON)" } }
                        li { a href=(format!("/resultados/{p}/datos/insumos.json")) { "Insumos anonimizados (JSON)" } }
                        li { a href=(format!("/resultados/{p}/datos/metodo.json")) { "Parámetros del método (JSON)" } }
                        li { a href=(format!("/resultados/{p}/datos/huellas.txt")) { "Huellas SHA-256" } }
                    }
                    p { "Huella de la tabla: " code data-table-sha256 { (r.published.version.table_sha256) } }
                    p.muted { "Recalcule la tabla con " code { "sync-server recompute-scores insumos.json" } ": debe imprimir la misma huella." }
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

/// `GET /resultados/{periodo}/reconocidos`: the printable list.
pub async fn recognised_list(State(state): State<AppState>, headers: HeaderMap, Path(period): Path<String>) -> Response {
    let result = async {
        let period = key(&period)?;
        let r = publication::results(&state, period.as_str()).await?;
        let names = state.db.centro_names().await?;
        Ok(layout(
            &format!("Centros reconocidos · {}", r.published.name),
            html! {
                (versions_note(&r))
                table.rank {
                    thead { tr { th { "Categoría" } th { "Lugar" } th { "Centro" } th { "Municipio" } th { "IGC*" } th { "Nivel" } } }
                    tbody {
                        @for x in &r.recognised {
                            tr data-recognised=(x.centro_id) {
                                td { (category(&x.ambito, &x.tipo)) }
                                td.num { (x.rank) @if x.tied { " " span.tie { "empate" } } }
                                td { (names.get(&x.centro_id).map_or(x.centro_id.as_str(), |n| n.0.as_str())) }
                                td { (names.get(&x.centro_id).map_or("", |n| n.1.as_str())) }
                                td.num { (crate::console::results::one(x.igc_star)) }
                                td { (tier_label(&x.tier)) }
                            }
                        }
                    }
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
