//! Enrolment: server, user and password, once; afterwards the phone works offline. Or, by
//! a supervisor, a tablet enrolled as one centro's kiosk (centro, PIN to leave, the wait
//! before the welcome comes back).

use dioxus::prelude::*;

use super::Screen;
use super::kiosk::KioskMode;
use crate::client::FieldClient;
use crate::field::KioskSetup;
use crate::store::settings::KIOSK_IDLE_SECONDS;

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
    // Enrolling a kiosk tablet instead (a supervisor).
    let mut as_kiosk = use_signal(|| false);
    let mut centro = use_signal(String::new);
    let mut pin = use_signal(String::new);
    let mut idle = use_signal(|| KIOSK_IDLE_SECONDS.to_string());
    let mut mode = use_context::<KioskMode>();
    let enrol = move |_| {
        let app = app.clone();
        async move {
            busy.set(true);
            error.set(None);
            let done = if as_kiosk() {
                match idle().trim().parse::<u32>() {
                    Ok(idle_seconds) => {
                        let setup = KioskSetup { centro_id: centro(), pin: pin(), idle_seconds };
                        app.enrol_kiosk(&server(), &username(), &password(), setup).await.map(|_| ())
                    }
                    Err(_) => Err(crate::client::CallError::Failed("Escriba los segundos sin uso como un número entero.".into())),
                }
            } else {
                app.enrol(&server(), &username(), &password()).await.map(|_| ())
            };
            match done {
                Ok(()) => {
                    mode.changed += 1;
                    screen.set(Screen::Home);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        }
    };
    if enrolled.read().is_none() {
        return rsx! { super::Loading {} };
    }
    let (subtitle, user_label, action, busy_text) = if as_kiosk() {
        ("Registrar como kiosko de un centro", "Usuario del supervisor", "Registrar como kiosko", "Registrando el kiosko…")
    } else {
        ("Registrar este teléfono", "Usuario", "Registrar este teléfono", "Registrando…")
    };
    rsx! {
        super::Bar { title: "Ventanilla", subtitle: Some(subtitle.to_string()) }
        section { class: "card", id: "registro",
            if as_kiosk() {
                p { "La tableta queda en el centro para que la ciudadanía conteste sola. Solo un supervisor la registra; para salir del modo kiosko se pide su PIN." }
            } else {
                p { "Hágalo una sola vez, con conexión. Después la app funciona sin internet." }
            }
            label { r#for: "servidor", "Servidor" }
            input { id: "servidor", class: "field", r#type: "url", initial_value: "{server}", oninput: move |e| server.set(e.value()) }
            label { r#for: "usuario", "{user_label}" }
            input { id: "usuario", class: "field", autocomplete: "username", initial_value: "{username}", oninput: move |e| username.set(e.value()) }
            label { r#for: "contrasena", "Contraseña" }
            input { id: "contrasena", class: "field", r#type: "password", autocomplete: "current-password", initial_value: "{password}", oninput: move |e| password.set(e.value()) }
            if as_kiosk() {
                label { r#for: "kiosko-centro", "Clave del centro" }
                input { id: "kiosko-centro", class: "field", autocomplete: "off", placeholder: "GTO-E-T-01", initial_value: "{centro}", oninput: move |e| centro.set(e.value()) }
                label { r#for: "kiosko-pin-nuevo", "PIN para salir del modo kiosko (4 a 8 dígitos)" }
                input { id: "kiosko-pin-nuevo", class: "field", r#type: "password", inputmode: "numeric", autocomplete: "new-password", maxlength: "8", oninput: move |e| pin.set(e.value()) }
                label { r#for: "kiosko-espera", "Volver a la bienvenida tras (segundos sin uso)" }
                input { id: "kiosko-espera", class: "field", r#type: "number", inputmode: "numeric", min: "10", max: "3600", initial_value: "{idle}", oninput: move |e| idle.set(e.value()) }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            button { id: if as_kiosk() { "registrar-kiosko" } else { "registrar" }, class: "big", disabled: busy(), onclick: enrol,
                if busy() { "{busy_text}" } else { "{action}" }
            }
            button { id: "cambiar-modo", class: "secondary", onclick: move |_| { as_kiosk.toggle(); error.set(None); },
                if as_kiosk() { "Registrar un teléfono de encuestador" } else { "Registrar como kiosko (supervisor)" }
            }
        }
    }
}
