//! Enrolment: server, user and password, once; afterwards the phone works offline.

use dioxus::prelude::*;

use super::Screen;
use crate::client::FieldClient;

#[component]
pub fn Enrol() -> Element {
    let app = use_context::<FieldClient>();
    let mut screen = use_context::<Signal<Screen>>();
    let mut server = use_signal(|| app.default_server.clone());
    // Enrolling again offers the server the phone is enrolled with.
    let asked = app.clone();
    let enrolled = use_resource(move || {
        let app = asked.clone();
        async move {
            if let Ok(Some(e)) = app.enrolment().await {
                server.set(e.server);
            }
        }
    });
    let mut username = use_signal(String::new);
    let mut password = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let enrol = move |_| {
        let app = app.clone();
        async move {
            busy.set(true);
            error.set(None);
            match app.enrol(&server(), &username(), &password()).await {
                Ok(_) => screen.set(Screen::Home),
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        }
    };
    if enrolled.read().is_none() {
        return rsx! { super::Loading {} };
    }
    rsx! {
        super::Bar { title: "Ventanilla", subtitle: Some("Registrar este teléfono".to_string()) }
        section { class: "card", id: "registro",
            p { "Hágalo una sola vez, con conexión. Después la app funciona sin internet." }
            label { r#for: "servidor", "Servidor" }
            input { id: "servidor", class: "field", r#type: "url", initial_value: "{server}", oninput: move |e| server.set(e.value()) }
            label { r#for: "usuario", "Usuario" }
            input { id: "usuario", class: "field", autocomplete: "username", initial_value: "{username}", oninput: move |e| username.set(e.value()) }
            label { r#for: "contrasena", "Contraseña" }
            input { id: "contrasena", class: "field", r#type: "password", autocomplete: "current-password", initial_value: "{password}", oninput: move |e| password.set(e.value()) }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            button { id: "registrar", class: "big", disabled: busy(), onclick: enrol,
                if busy() { "Registrando…" } else { "Registrar este teléfono" }
            }
        }
    }
}
