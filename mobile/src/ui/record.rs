//! A record the server acknowledged: its centro, date, review decision and answers; one a
//! supervisor rejected can be corrected and sent again («Corregir y reenviar»), as a new
//! record that names the one it replaces.

use dioxus::prelude::*;
use shared::protocol::ReviewState;
use uuid::Uuid;

use super::Screen;
use crate::client::FieldClient;

#[component]
pub fn Record(id: Uuid) -> Element {
    let app = use_context::<FieldClient>();
    let mut screen = use_context::<Signal<Screen>>();
    let mut error = use_signal(|| None::<String>);
    let asked = app.clone();
    let record = use_resource(use_reactive!(|id| {
        let app = asked.clone();
        async move { app.record(id).await }
    }));
    let view = match record.read().clone() {
        None => return rsx! { super::Loading {} },
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            return rsx! {
                super::Bar { title: "Registro", back: Some(Screen::Home) }
                p { class: "error", role: "alert", "{e}" }
            };
        }
    };
    let rejected = view.record.review == Some(ReviewState::Rejected);
    rsx! {
        super::Bar { title: view.form_title.clone(), subtitle: Some(view.centro_name.clone()), back: Some(Screen::Home) }
        section { class: if rejected { "card alert" } else { "card" }, id: "registro-enviado",
            h2 { if rejected { "Rechazado por su supervisor" } else { "Recibido por el servidor" } }
            p { "Capturado el " strong { {shared::words::date_text(&view.record.capture_day)} } " en " strong { "{view.centro_name}" } "." }
            if let Some(reason) = &view.record.reason { p { class: "reason", "Motivo: {reason}" } }
            if rejected {
                p { class: "muted", "Al corregirlo se envía un registro nuevo que reemplaza a este; el supervisor ve los dos." }
                button { id: "corregir", class: "big",
                    disabled: view.answers.is_none(),
                    onclick: {
                        let app = app.clone();
                        move |_| {
                            let app = app.clone();
                            async move {
                                match app.correct(id).await {
                                    Ok(draft) => screen.set(Screen::Fill(draft)),
                                    Err(e) => error.set(Some(e.to_string())),
                                }
                            }
                        }
                    },
                    if view.correcting.is_some() { "Seguir corrigiendo" } else { "Corregir y reenviar" }
                }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
        }
        section { class: "card", id: "respuestas",
            h2 { "Respuestas" }
            match &view.answers {
                None => rsx! { p { class: "muted", "Este registro se envió antes de que el teléfono guardara copias; no puede abrirse aquí." } },
                Some(sections) => rsx! {
                    for sec in sections.iter().cloned() {
                        h3 { class: "summary-section", "{sec.title}" }
                        dl { class: "summary",
                            for row in sec.rows.iter().cloned() {
                                dt { key: "{row.path}", "{row.label}" }
                                dd { {row.answer.clone().unwrap_or_else(|| "Sin respuesta".into())} }
                            }
                        }
                    }
                },
            }
        }
    }
}
