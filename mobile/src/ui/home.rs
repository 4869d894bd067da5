//! Home: my centros for the period with today's records against the quota, drafts to
//! continue, the outbox, the last sync, and records a supervisor rejected (with why).

use dioxus::prelude::*;
use shared::protocol::Role;

use super::{Screen, status_line};
use crate::client::FieldClient;
use crate::sync::SyncStatus;

#[component]
pub fn Home() -> Element {
    let app = use_context::<FieldClient>();
    let mut screen = use_context::<Signal<Screen>>();
    let status = use_context::<Signal<SyncStatus>>();
    let mut error = use_signal(|| None::<String>);
    let mut confirm_enrol = use_signal(|| false);
    let asked = app.clone();
    let home = use_resource(move || {
        let _ = status(); // asked again whenever sync reports
        let app = asked.clone();
        async move { app.home().await }
    });
    let view = match home.read().clone() {
        None => return rsx! { super::Loading {} },
        Some(Ok(Some(v))) => v,
        Some(Ok(None)) => return rsx! { super::enrol::Enrol {} },
        Some(Err(e)) => return rsx! { Unavailable { message: e.to_string() } },
    };
    let inspector = view.enrolment.role == Role::Inspector;
    let unsent = view.outbox.pending > 0 || !view.drafts.is_empty();
    let names: std::collections::BTreeMap<String, String> = view.centros.iter().map(|c| (c.info.centro_id.clone(), c.info.name.clone())).collect();
    let centro_name = move |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let (tone, line) = status_line(&status());
    let role = if inspector { "Inspección" } else { "Encuestas" };
    rsx! {
        super::Bar { title: "Ventanilla", subtitle: Some(format!("{} · {role}", view.enrolment.display_name)) }
        button { id: "estado", class: "status-strip {tone}", onclick: move |_| screen.set(Screen::Sync),
            span { class: "dot" }
            span { "{line}" }
            span { class: "pill", {format!("{} por enviar", shared::words::count(view.outbox.pending, "registro", "registros"))} }
        }
        if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
        if !view.rejected.is_empty() {
            section { class: "card alert", id: "rechazadas",
                h2 { "Rechazadas por su supervisor" }
                for r in view.rejected.iter().cloned() {
                    button { class: "row-button", key: "{r.id}", "data-rejected": "{r.id}", onclick: move |_| screen.set(Screen::Record(r.id)),
                        strong { {centro_name(&r.centro_id)} }
                        span { class: "muted", " · {shared::words::date_text(&r.capture_day)}" }
                        p { class: "reason", {r.reason.clone().unwrap_or_else(|| "Sin motivo registrado.".into())} }
                        span { class: "muted", "Ver el registro ›" }
                    }
                }
            }
        }
        if !view.drafts.is_empty() {
            section { class: "card", id: "borradores",
                h2 { "Sin terminar" }
                for d in view.drafts.iter().cloned() {
                    button { class: "row-button", key: "{d.id}", onclick: move |_| screen.set(Screen::Fill(d.id)),
                        strong { {centro_name(&d.centro_id)} }
                        span { class: "muted", " · {shared::words::count(d.answered, \"respuesta\", \"respuestas\")} · continuar ›" }
                    }
                }
            }
        }
        if view.abandoned_today > 0 {
            section { class: "card", id: "abandonadas",
                h2 { "Kiosko: encuestas sin terminar hoy" }
                p { {format!("{} que la ciudadanía dejó a medias. Se quedan en la tableta y no se envían.", shared::words::count(view.abandoned_today, "encuesta", "encuestas"))} }
            }
        }
        if !view.discarded.is_empty() {
            section { class: "card", id: "descartados",
                h2 { "Descartados hoy" }
                p { class: "muted", "Se borran al terminar el día. Recupere el que haya descartado por error." }
                for d in view.discarded.iter().cloned() {
                    div { class: "row", key: "{d.id}",
                        span { strong { {centro_name(&d.centro_id)} } " · {shared::words::count(d.answered, \"respuesta\", \"respuestas\")}" }
                        button { class: "secondary", "data-restore": "{d.id}",
                            onclick: {
                                let app = app.clone();
                                move |_| {
                                    let app = app.clone();
                                    async move {
                                        match app.restore(d.id).await {
                                            Ok(()) => screen.set(Screen::Fill(d.id)),
                                            Err(e) => error.set(Some(e.to_string())),
                                        }
                                    }
                                }
                            },
                            "Recuperar"
                        }
                    }
                }
            }
        }
        section { class: "card", id: "centros",
            h2 { "Mis centros" }
            if let Some(p) = &view.period {
                p { class: "muted", "Periodo {p.name} · del {shared::words::date(p.start)} al {shared::words::date(p.end)}" }
            }
            if view.centros.is_empty() {
                p { class: "muted", "Aún no hay centros en el teléfono. Sincronice con conexión para recibirlos." }
            }
            if !view.has_forms && !view.centros.is_empty() {
                p { class: "muted", "Falta recibir el formulario: sincronice con conexión." }
            }
            for c in view.centros.iter().cloned() {
                div { class: "centro", key: "{c.info.centro_id}", "data-centro": "{c.info.centro_id}",
                    div { class: "centro-head",
                        strong { "{c.info.name}" }
                        div { class: "muted", "{c.info.municipio} · {c.info.centro_id}" }
                    }
                    if let Some(b) = &c.info.baja {
                        p { class: "error baja", "Dado de baja del programa el {shared::words::date(b.date)}: {b.reason}" }
                    }
                    if inspector {
                        div { class: "muted", {format!("Hoy: {}", shared::words::count(c.today, "visita", "visitas"))} }
                    } else {
                        div { class: "quota",
                            span { {format!("Hoy: {}", shared::words::count(c.today, "encuesta", "encuestas"))} }
                            span { class: "muted",
                                match c.quota {
                                    Some(q) => format!(" · cuota del periodo: {}", shared::words::count(q, "encuesta", "encuestas")),
                                    None => " · sin cuota en este periodo".to_string(),
                                }
                                " · cada {c.info.sampling_interval}.ª persona"
                            }
                        }
                    }
                    button { class: "big", disabled: !view.has_forms,
                        onclick: {
                            let app = app.clone();
                            let centro = c.info.centro_id.clone();
                            move |_| {
                                let (app, centro) = (app.clone(), centro.clone());
                                async move {
                                    if inspector {
                                        match app.start(&centro, None).await {
                                            Ok(id) => screen.set(Screen::Fill(id)),
                                            Err(e) => error.set(Some(e.to_string())),
                                        }
                                    } else {
                                        screen.set(Screen::Counter(centro));
                                    }
                                }
                            }
                        },
                        if inspector { "Iniciar visita" } else { "Encuestar aquí" }
                    }
                    if inspector {
                        button { class: "secondary",
                            onclick: {
                                let centro = c.info.centro_id.clone();
                                move |_| screen.set(Screen::Program { centro: centro.clone(), back: None })
                            },
                            "Compromisos y quejas"
                        }
                    }
                    for f in view.other_forms.iter().cloned() {
                        button { class: "secondary otro-formulario", key: "{f.form_id}", "data-form": "{f.form_id}",
                            onclick: {
                                let (app, centro) = (app.clone(), c.info.centro_id.clone());
                                move |_| {
                                    let (app, centro, form) = (app.clone(), centro.clone(), f.form_id.clone());
                                    async move {
                                        match app.start_form(&centro, &form).await {
                                            Ok(id) => screen.set(Screen::Fill(id)),
                                            Err(e) => error.set(Some(e.to_string())),
                                        }
                                    }
                                }
                            },
                            "Llenar «{f.title}»"
                        }
                    }
                }
            }
        }
        section { class: "card", id: "cuenta",
            p { class: "muted",
                "Última sincronización: "
                {view.last_sync.clone().unwrap_or_else(|| "nunca".into())}
            }
            button { class: "secondary", onclick: move |_| screen.set(Screen::Sync), "Sincronizar" }
            button { id: "registrar-de-nuevo", class: "secondary",
                onclick: move |_| if unsent { confirm_enrol.set(true) } else { screen.set(Screen::Enrol) },
                "Registrar de nuevo"
            }
        }
        // Enrolling again (another user, another server) keeps every draft and sends the
        // unsent records first under the user who finalised them; the person hears so
        // before, with the counts.
        if confirm_enrol() {
            super::widgets::Confirm {
                id: "registro-nuevo",
                title: "¿Registrar de nuevo este teléfono?",
                text: format!(
                    "En el teléfono hay {} y {}. Antes de registrar a otra persona, la app envía al servidor los registros terminados a nombre de {}; si no se puede (sin señal), el registro espera y nada cambia. Lo que está sin terminar se queda en el teléfono.",
                    shared::words::count(view.outbox.pending, "registro sin enviar", "registros sin enviar"),
                    shared::words::count(view.drafts.len() as u64, "sin terminar", "sin terminar"),
                    view.enrolment.display_name,
                ),
                no: "No, volver",
                yes: "Sí, registrar de nuevo",
                danger: false,
                on_no: move |_| confirm_enrol.set(false),
                on_yes: move |_| screen.set(Screen::Enrol),
            }
        }
    }
}

/// The app cannot reach its own data (in the browser: another tab holds the store, or the
/// browser refused its storage). Nothing was lost; trying again reloads the app.
#[component]
fn Unavailable(message: String) -> Element {
    rsx! {
        super::Bar { title: "Ventanilla", subtitle: Some("No se pudieron abrir los datos".to_string()) }
        section { class: "card", id: "sin-datos",
            p { class: "error", role: "alert", "{message}" }
            p { class: "muted", "Sus registros siguen guardados en este teléfono." }
            button { id: "reintentar", class: "big",
                onclick: move |_| {
                    document::eval("location.reload();");
                },
                "Reintentar"
            }
        }
    }
}
