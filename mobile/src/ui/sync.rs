//! Sincronizar: what waits, what the server acknowledged, the problems per record in plain
//! Spanish, the day's ledger next to the server's receipt, and a button.

use dioxus::prelude::*;
use shared::protocol::{Outcome, ReviewState};

use super::{Screen, status_line};
use crate::client::FieldClient;
use crate::sync::SyncStatus;

fn review_label(r: Option<ReviewState>) -> &'static str {
    r.unwrap_or(ReviewState::Accepted).label()
}

#[component]
pub fn SyncScreen() -> Element {
    let app = use_context::<FieldClient>();
    let mut screen = use_context::<Signal<Screen>>();
    let status = use_context::<Signal<SyncStatus>>();
    let mut refresh = use_signal(|| 0u32);
    let (tone, line) = status_line(&status());
    let asked = app.clone();
    let sync_view = use_resource(move || {
        let _ = (status(), refresh()); // asked again whenever sync reports
        let app = asked.clone();
        async move { app.sync_view().await }
    });
    let view = match sync_view.read().clone() {
        None => return rsx! { super::Loading {} },
        Some(Ok(v)) => v,
        Some(Err(e)) => return rsx! { p { class: "error", "{e}" } },
    };
    let revoked = matches!(status(), SyncStatus::Stopped { revoked: true, .. }) || view.revoked;
    let now = app.clone();
    rsx! {
        super::Bar { title: "Sincronizar", back: Some(Screen::Home) }
        div { id: "sync-estado", class: "status-strip {tone}", span { class: "dot" } span { "{line}" } }
        section { class: "card", id: "pendientes",
            h2 { "En el teléfono" }
            p { id: "por-enviar", {format!("{} por enviar", shared::words::count(view.outbox.pending, "registro", "registros"))} }
            if view.photos_waiting > 0 { p { {format!("{} por subir", shared::words::count(view.photos_waiting as u64, "foto", "fotos"))} } }
            p { class: "muted", "Última sincronización: " {view.last_sync.clone().unwrap_or_else(|| "nunca".into())} }
            if revoked {
                p { class: "error", "Este teléfono fue dado de baja en el servidor. Sus datos siguen guardados; regístrelo de nuevo." }
                button { class: "big", onclick: move |_| screen.set(Screen::Enrol), "Registrar de nuevo" }
            } else {
                button { id: "sincronizar", class: "big", disabled: status() == SyncStatus::Syncing, onclick: move |_| { let now = now.clone(); async move { let _ = now.sync_now().await; } }, "Sincronizar ahora" }
            }
        }
        section { class: "card", id: "recibo",
            h2 { "Hoy" }
            table { class: "ledger",
                tr { th { scope: "col", "Registros de hoy" } th { scope: "col", "Teléfono" } th { scope: "col", "Servidor (este teléfono)" } }
                tr { td { "Creados" } td { "{view.ledger.created}" } td { "—" } }
                tr { td { "Terminados" } td { "{view.ledger.finalised}" } td { "—" } }
                // What reached the server: acknowledged, as the phone and the server count it.
                tr { id: "enviados", td { "Enviados" } td { "{view.ledger.acknowledged}" } td { {view.receipt.as_ref().map_or_else(|| "—".to_string(), |r| r.stored.to_string())} } }
            }
            if view.ledger.sent > view.ledger.acknowledged {
                p { class: "muted", {format!("{} en camino: enviados sin confirmación del servidor.", shared::words::count(view.ledger.sent - view.ledger.acknowledged, "registro", "registros"))} }
            }
        }
        if !view.problems.is_empty() {
            section { class: "card alert", id: "problemas",
                h2 { "No aceptados por el servidor" }
                for p in view.problems.iter().cloned() {
                    div { class: "row", key: "{p.id}",
                        strong { "{p.centro_id} · " if p.outcome == Outcome::Conflict { "conflicto" } else { "rechazado" } }
                        p { class: "reason", "{p.message}" }
                        if p.outcome == Outcome::Rejected {
                            button { class: "secondary", "data-retry": "{p.id}",
                                onclick: {
                                    let app = app.clone();
                                    move |_| {
                                        let app = app.clone();
                                        async move {
                                            let _ = app.retry(p.id).await;
                                            refresh += 1;
                                        }
                                    }
                                },
                                "Reintentar el envío"
                            }
                        }
                    }
                }
            }
        }
        section { class: "card", id: "recibidos",
            h2 { "Recibidos por el servidor" }
            if view.recent.is_empty() { p { class: "muted", "Aún nada." } }
            for r in view.recent.iter() {
                div { class: "row", key: "{r.id}",
                    span { "{r.centro_id} · {shared::words::date_text(&r.capture_day)} · " }
                    strong { {review_label(r.review)} }
                    if let Some(reason) = &r.reason { p { class: "reason", "{reason}" } }
                    if let Some(warning) = &r.warning { p { class: "reason warning", "data-warning": "{r.id}", "{warning}" } }
                }
            }
        }
    }
}
