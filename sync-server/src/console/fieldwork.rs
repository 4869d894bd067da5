//! Trabajo de campo: progress against each centro's quota, surveys per surveyor and day,
//! today's receipt of every device, and conflicts waiting for a decision.

use super::extract::Query;
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use super::page::{Session, layout, period_select, respond};
use crate::access::{self, Resource};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct Filters {
    periodo: Option<String>,
}

/// Share of the quota done, 0–100; `None` for a centro without quota (nothing to reach).
pub fn progress(done: u64, quota: u32) -> Option<f64> {
    (quota > 0).then(|| (done as f64 / f64::from(quota) * 100.0).min(100.0))
}

fn bar(pct: f64) -> Markup {
    html! {
        svg.ci width="160" height="14" viewBox="0 0 160 14" role="img" aria-label=(format!("Avance: {pct:.0} %")) {
            rect x="0" y="2" width="160" height="10" rx="4" fill="#e5e7eb" {}
            rect x="0" y="2" width=(format!("{:.1}", pct * 1.6)) height="10" rx="4" fill=(if pct >= 100.0 { "#15803d" } else { "#0b3d91" }) {}
        }
    }
}

pub async fn page(State(state): State<AppState>, session: Session, Query(f): Query<Filters>) -> Response {
    respond(&session, build(&state, &session, f).await)
}

async fn build(state: &AppState, session: &Session, f: Filters) -> Result<Markup, AppError> {
    let who = access::reviewer(&session.device, Resource::Fieldwork)?;
    let periods = state.db.period_list().await?;
    let Some(period) = super::page::pick_period(&periods, f.periodo) else {
        return Ok(layout("Trabajo de campo", Some(session), "campo", html! { p { "Aún no hay periodos." } }));
    };
    let (start, end) = state.db.period_dates(period.clone()).await?.ok_or_else(|| AppError::NotFound(format!("No existe el periodo «{period}».")))?;
    let work = state.db.fieldwork(who, period.clone(), start, end).await?;
    let response = state.db.response_days(who, None, start, end).await?;
    let today = state.today();
    let devices = state.db.device_days(who, today).await?;
    let names = state.db.centro_names().await?;
    // Self-completed surveys have no surveyor in a supervisor's team: staff see them.
    let arrivals = if who.everyone { self_arrivals(&state.db.surveys_by_mode(None, start, end).await?) } else { SelfArrivals::default() };
    Ok(layout(
        "Trabajo de campo",
        Some(session),
        "campo",
        html! {
            form.toolbar method="get" action="/consola/campo" {
                (period_select(&periods, &period))
                button type="submit" { "Ver" }
            }
            h2 { "Avance contra la cuota" }
            table.rank {
                thead { tr { th { "Centro" } th { "Encuestas" } th { "Cuota" } th { "Avance" } th { "En revisión" } } }
                tbody { @for q in &work.quotas {
                    tr data-centro=(q.centro_id) {
                        td { a href=(format!("/consola/centros/{}?periodo={period}", q.centro_id)) { (names.get(&q.centro_id).map_or(q.centro_id.as_str(), |n| n.0.as_str())) } }
                        td.num { (q.surveys) }
                        @match progress(q.surveys, q.quota) {
                            Some(pct) => { td.num { (q.quota) } td { (bar(pct)) " " (format!("{pct:.0} %")) } }
                            None => { td.num.muted { "sin cuota" } td.muted { "—" } }
                        }
                        td.num { (q.in_review) }
                    }
                } }
            }
            h2 { "Recibo del día por dispositivo (" (shared::words::date(today)) ")" }
            p.muted { "Teléfono: lo que el dispositivo informó de su día (creados, terminados, enviados, confirmados). Servidor: lo que recibió y guardó. Se resalta lo que falta." }
            table.rank {
                thead { tr { th { "Dispositivo" } th { "Usuario" } th { "Teléfono: creados / terminados / enviados / confirmados" } th { "Servidor: recibidos / guardados / duplicados / conflictos / rechazados" } th { "Falta" } th { "Última conexión" } } }
                tbody { @for d in &devices {
                    @let gap = missing(d);
                    tr.attention[gap.is_some() || d.revoked] data-device=(d.device_id) {
                        td { (d.label) @if d.revoked { " " span.tier.tier-no_elegible { "dado de baja" } } }
                        td { (d.display_name) div.muted { (d.username) } }
                        td.num { @if let Some(l) = &d.ledger { (l.created) " / " (l.finalised) " / " (l.sent) " / " (l.acknowledged) } @else { "sin informe" } }
                        td.num { (d.received) " / " (d.stored) " / " (d.duplicates) " / " (d.conflicts) " / " (d.rejected) }
                        td { @if let Some(g) = gap { strong { (g) } } }
                        td { (d.last_seen_at.as_deref().map_or_else(|| "nunca".to_string(), |t| shared::words::date_text_at(t, state.local_offset))) }
                    }
                } }
            }
            h2 #tasa-respuesta { "Tasa de respuesta por centro y día" }
            (response_table(&response, Some(&names)))
            h2 { "Encuestas por encuestador y día" }
            table.rank {
                thead { tr { th { "Día" } th { "Encuestador" } th { "Encuestas" } } }
                tbody { @for d in &work.days { tr { td { (shared::words::date(d.date)) } td { (d.display_name) } td.num { (d.surveys) } } } }
            }
            @if who.everyone {
                h2 #autoaplicadas { "Encuestas autoaplicadas por día (kiosko y código QR)" }
                @if arrivals.days.is_empty() { p.muted { "Ninguna en el periodo." } }
                @else {
                    table.rank {
                        thead { tr { th { "Día" } @for m in &arrivals.modes { th { (m.label()) } } } }
                        tbody { @for (day, counts) in &arrivals.days {
                            tr data-arrivals=(day) { td { (day) } @for n in counts { td.num { (n) } } }
                        } }
                    }
                    p.muted { "Recibidas, cuenten o no; se informan aparte del índice. Una ráfaga en un centro pasa a revisión." }
                }
            }
            h2 #fuera-de-periodo { "Registros fuera de todo periodo" }
            @if work.outside.is_empty() { p.muted { "Ninguno: cada registro recibido cae en un periodo de evaluación." } }
            @else {
                p.notice {
                    (work.outside_total) " registros guardados con una fecha que ningún periodo incluye: no cuentan en ningún resultado. "
                    "Defina o amplíe un periodo que cubra esas fechas para que cuenten."
                    @if work.outside_total > work.outside.len() as u64 { " Se muestran los " (work.outside.len()) " más recientes." }
                }
                table.rank {
                    thead { tr { th { "Fecha" } th { "Centro" } th { "Usuario" } th { "Formulario" } th { "Registro" } } }
                    tbody { @for o in &work.outside {
                        tr.attention data-outside=(o.submission_id) {
                            td { (shared::words::date(o.capture_date)) } td { (o.centro_id) } td { (o.username) } td { (o.form_id) } td { (o.submission_id) }
                        }
                    } }
                }
            }
            h2 { "Conflictos por decidir" }
            @if work.conflicts.is_empty() { p.muted { "Ninguno." } }
            @else {
                table.rank {
                    thead { tr { th { "Registro" } th { "Centro" } th { "Usuario" } th { "Recibido" } } }
                    tbody { @for c in &work.conflicts { tr.attention { td { (c.submission_id) } td { (c.centro_id) } td { (c.username) } td { (shared::words::date_text_at(&c.received_at, state.local_offset)) } } } }
                }
            }
        },
    ))
}

/// Self-completed surveys per day, by mode: the modes that have some, and per day
/// (`AAAA-MM-DD`) the count of each.
#[derive(Default)]
struct SelfArrivals {
    modes: Vec<shared::protocol::CollectionMode>,
    days: std::collections::BTreeMap<String, Vec<u64>>,
}

fn self_arrivals(by_day: &[(String, String, u64)]) -> SelfArrivals {
    let modes: Vec<_> = shared::protocol::CollectionMode::ALL.into_iter().filter(|m| m.self_completed() && by_day.iter().any(|(_, code, _)| code == m.code())).collect();
    let mut days: std::collections::BTreeMap<String, Vec<u64>> = std::collections::BTreeMap::new();
    for (day, code, n) in by_day {
        if let Some(i) = modes.iter().position(|m| m.code() == code) {
            days.entry(day.clone()).or_insert_with(|| vec![0; modes.len()])[i] += n;
        }
    }
    SelfArrivals { modes, days }
}

/// The response rate per centro and day (completed / selected, AAPOR RR1) with the
/// counter's figures; `names` adds the centro column (the fieldwork page), without it the
/// table is one centro's (its page).
pub fn response_table(days: &[crate::db::ResponseDay], names: Option<&std::collections::BTreeMap<String, (String, String)>>) -> Markup {
    html! {
        @if days.is_empty() {
            p.muted { "Aún no hay conteos del contador de muestreo en este periodo." }
        } @else {
            p.muted { "Tasa de respuesta = encuestas completadas ÷ personas seleccionadas (cada k-ésima persona abordada), como la RR1 de AAPOR. Los rechazos incluyen a quien no aceptó en el aviso de privacidad: no cuentan como encuestas ni contra la cuota." }
            table.rank {
                thead { tr {
                    th { "Día" } @if names.is_some() { th { "Centro" } }
                    th { "Contadas" } th { "Seleccionadas" } th { "Rechazos" } th { "Completadas" } th { "Tasa de respuesta" }
                } }
                tbody { @for d in days {
                    tr data-response=(format!("{}/{}", d.centro_id, d.date)) {
                        td { (shared::words::date(d.date)) }
                        @if let Some(names) = names { td { (names.get(&d.centro_id).map_or(d.centro_id.as_str(), |n| n.0.as_str())) } }
                        td.num { (d.counted) } td.num { (d.selected) } td.num { (d.refused) } td.num { (d.completed) }
                        td.num { @match d.rate() { Some(r) => { (format!("{:.0} %", r * 100.0)) }, None => { "—" } } }
                    }
                } }
            }
        }
    }
}

/// What a device's day is missing, in words: records finished on the phone and not yet
/// confirmed, or confirmed counts that differ from the server's.
pub fn missing(d: &shared::protocol::DeviceDay) -> Option<String> {
    let l = d.ledger?;
    let mut parts = Vec::new();
    if l.finalised > l.acknowledged {
        parts.push(format!("{} terminados sin confirmar", l.finalised - l.acknowledged));
    }
    if l.acknowledged != d.stored {
        parts.push(format!("el teléfono cuenta {} confirmados y el servidor {} guardados", l.acknowledged, d.stored));
    }
    if d.conflicts > 0 {
        parts.push(format!("{} en conflicto", d.conflicts));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_a_capped_share_of_the_quota() {
        assert_eq!(progress(20, 80), Some(25.0));
        assert_eq!(progress(100, 80), Some(100.0));
        assert_eq!(progress(0, 0), None, "no quota is «sin cuota», not done");
        assert_eq!(progress(5, 0), None);
    }

    #[test]
    fn a_day_with_unconfirmed_records_says_what_is_missing() {
        let day = |finalised: u64, acknowledged: u64, stored: u64| shared::protocol::DeviceDay {
            device_id: uuid::Uuid::nil(),
            label: "T".into(),
            username: "u".into(),
            display_name: "U".into(),
            date: chrono::NaiveDate::from_ymd_opt(2025, 6, 2).expect("date"),
            received: stored,
            stored,
            duplicates: 0,
            conflicts: 0,
            rejected: 0,
            last_seen_at: None,
            revoked: false,
            ledger: Some(shared::protocol::DeviceLedger { date: chrono::NaiveDate::from_ymd_opt(2025, 6, 2).expect("date"), created: finalised, finalised, sent: finalised, acknowledged }),
        };
        assert_eq!(missing(&day(10, 10, 10)), None);
        assert_eq!(missing(&day(12, 10, 10)).as_deref(), Some("2 terminados sin confirmar"));
        assert!(missing(&day(10, 10, 9)).is_some_and(|m| m.contains("servidor 9")));
    }
}
