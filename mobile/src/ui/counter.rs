//! The systematic-sampling counter: count the people leaving; every k-th one is asked.
//! A refusal is one tap. After a record is saved, back here.

use dioxus::prelude::*;

use super::Screen;
use crate::client::FieldClient;

#[component]
pub fn Counter(centro: String) -> Element {
    let app = use_context::<FieldClient>();
    let mut screen = use_context::<Signal<Screen>>();
    let mut refresh = use_signal(|| 0u32);
    let mut error = use_signal(|| None::<String>);
    let asked = app.clone();
    let home = use_resource(move || {
        let _ = refresh();
        let app = asked.clone();
        async move { app.home().await }
    });
    let Some(home) = home.read().clone() else { return rsx! { super::Loading {} } };
    let home = home.ok().flatten();
    let Some(c) = home.as_ref().and_then(|h| h.centros.iter().find(|c| c.info.centro_id == centro)).cloned() else {
        return rsx! { super::Bar { title: "Centro", back: Some(Screen::Home) } p { class: "error", "El centro ya no está asignado." } };
    };
    let k = c.info.sampling_interval.max(1);
    let counted = c.sampling.counted;
    let selected = c.sampling.selected(k);
    let until_next = c.sampling.until_next(k);
    let count = {
        let (app, centro) = (app.clone(), centro.clone());
        move |_| {
            let (app, centro) = (app.clone(), centro.clone());
            async move {
                match app.count_person(&centro).await {
                    Ok(_) => refresh += 1,
                    Err(e) => error.set(Some(e.to_string())),
                }
            }
        }
    };
    let refuse = {
        let (app, centro) = (app.clone(), centro.clone());
        move |_| {
            let (app, centro) = (app.clone(), centro.clone());
            async move {
                match app.record_refusal(&centro).await {
                    Ok(_) => refresh += 1,
                    Err(e) => error.set(Some(e.to_string())),
                }
            }
        }
    };
    let begin = {
        let (app, centro) = (app.clone(), centro.clone());
        move |_| {
            let (app, centro) = (app.clone(), centro.clone());
            async move {
                match app.start(&centro, Some(counted)).await {
                    Ok(id) => screen.set(Screen::Fill(id)),
                    Err(e) => error.set(Some(e.to_string())),
                }
            }
        }
    };
    rsx! {
        super::Bar { title: c.info.name.clone(), subtitle: Some(format!("Hoy: {} encuestas · {} rechazos", c.today, c.sampling.refused)), back: Some(Screen::Home) }
        section { class: "card counter", id: "contador",
            p { class: "muted", "Cuente a cada persona que sale de la oficina. Se encuesta a una de cada {k}." }
            div { class: "count", "{counted}" }
            div { class: "muted", "personas contadas hoy" }
            if selected {
                div { class: "select", role: "status",
                    strong { "Encuestar a esta persona" }
                    button { id: "iniciar", class: "big", onclick: begin, "Aceptó: iniciar encuesta" }
                    button { id: "rechazo", class: "big danger", onclick: refuse, "No aceptó (rechazo)" }
                }
            } else {
                p { class: "next", "Encuestar a la persona número {counted + until_next} (faltan {until_next})" }
                button { id: "contar", class: "huge", onclick: count, "+1 salió una persona" }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
        }
    }
}

/// After finalising: confirmation, then back to counting (an exit survey) or home.
#[component]
pub fn Saved(centro: String, refusal: bool, counting: bool) -> Element {
    let mut screen = use_context::<Signal<Screen>>();
    let next = if counting { Screen::Counter(centro.clone()) } else { Screen::Home };
    rsx! {
        super::Bar { title: "Guardado" }
        section { class: "card done", id: "guardado",
            h2 { if refusal { "Rechazo registrado" } else { "Registro guardado en el teléfono" } }
            p { "Se enviará al servidor en cuanto haya conexión." }
            button { id: "continuar", class: "big", onclick: move |_| screen.set(next.clone()),
                if counting { "Seguir contando" } else { "Volver al inicio" }
            }
        }
    }
}
