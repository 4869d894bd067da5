//! A tablet enrolled as a centro's kiosk: citizens answer by themselves. It shows a
//! welcome, the survey, a thank-you, and the welcome again; never the home screen. With
//! no touch for the time the supervisor chose it goes back to the welcome, and the survey
//! left open is kept on the tablet as abandoned (never sent). Leaving kiosk mode asks for
//! the supervisor's PIN.

use std::time::Duration;

use dioxus::prelude::*;

use super::Screen;
use crate::client::FieldClient;
use crate::field::{KioskView, LeaveKiosk};
use crate::rt::Instant;
use crate::store::settings::KIOSK_IDLE_SECONDS;

/// The kiosk mode the screens are in (`None`: a person's phone), and a counter bumped
/// when it may have changed (enrolled as a kiosk, left).
#[derive(Clone, Copy)]
pub(crate) struct KioskMode {
    pub view: Signal<Option<KioskView>>,
    pub changed: Signal<u32>,
    /// The last touch anywhere on the screen.
    pub touched: Signal<Instant>,
}

/// Seconds the thank-you stays before the welcome comes back (or sooner, when the
/// supervisor chose a shorter wait).
const THANKS_SECONDS: u32 = 15;

/// When the screen on show goes back to the welcome, counted from the last touch
/// (`None`: it waits for ever, as the welcome itself does).
pub(crate) fn idle_limit(screen: &Screen, idle_seconds: u32) -> Option<Duration> {
    match screen {
        Screen::Home => None,
        Screen::Saved { .. } => Some(Duration::from_secs(u64::from(idle_seconds.min(THANKS_SECONDS)))),
        _ => Some(Duration::from_secs(u64::from(idle_seconds))),
    }
}

/// Watches for a screen left untouched and takes it back to the welcome (which keeps
/// the survey that was open as abandoned).
pub(crate) fn use_idle_reset() {
    let mode = use_context::<KioskMode>();
    let touched = mode.touched;
    let mut screen = use_context::<Signal<Screen>>();
    use_future(move || async move {
        loop {
            // A phone that is not a kiosk looks seldom (it may become one).
            let kiosk = mode.view.peek().is_some();
            crate::rt::sleep(Duration::from_millis(if kiosk { 500 } else { 5_000 })).await;
            let Some(view) = mode.view.peek().clone() else { continue };
            let now = screen.peek().clone();
            if let Some(limit) = idle_limit(&now, view.idle_seconds)
                && touched.peek().elapsed() >= limit
            {
                screen.set(Screen::Home);
            }
        }
    });
}

/// The welcome: the centro, an invitation, «Comenzar»; and, small, leaving kiosk mode.
#[component]
pub fn Welcome() -> Element {
    let app = use_context::<FieldClient>();
    let mut screen = use_context::<Signal<Screen>>();
    let mut mode = use_context::<KioskMode>();
    let status = use_context::<Signal<crate::sync::SyncStatus>>();
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let mut leaving = use_signal(|| false);
    // The PIN prompt left open closes after the same wait (the next citizen sees the
    // welcome alone).
    use_future(move || async move {
        loop {
            crate::rt::sleep(Duration::from_millis(500)).await;
            let idle = mode.view.peek().as_ref().map_or(KIOSK_IDLE_SECONDS, |v| v.idle_seconds);
            if *leaving.peek() && mode.touched.peek().elapsed() >= Duration::from_secs(u64::from(idle)) {
                leaving.set(false);
            }
        }
    });
    // Back at the welcome: a survey left open is abandoned, once, before anything else is
    // asked of the app (calls are answered in order).
    let first = app.clone();
    use_hook(move || {
        spawn(async move {
            let _ = first.kiosk_welcome().await;
        });
    });
    // Asked again whenever sync reports, while the survey has not arrived yet.
    let asked = app.clone();
    let welcome = use_resource(move || {
        let _ = status();
        let app = asked.clone();
        async move { app.kiosk().await }
    });
    let view = match welcome.read().clone() {
        None => return rsx! { super::Loading {} },
        Some(Ok(Some(v))) => v,
        Some(Ok(None)) => {
            // No longer a kiosk (left from another window): the home screen, asked for
            // outside the render.
            spawn(async move {
                mode.changed += 1;
            });
            return rsx! { super::Loading {} };
        }
        Some(Err(e)) => return rsx! { p { class: "error", role: "alert", "{e}" } },
    };
    let begin = {
        let (app, centro) = (app.clone(), view.centro_id.clone());
        move |_| {
            let (app, centro) = (app.clone(), centro.clone());
            async move {
                busy.set(true);
                error.set(None);
                match app.start(&centro, None).await {
                    Ok(id) => screen.set(Screen::Fill(id)),
                    Err(e) => error.set(Some(e.to_string())),
                }
                busy.set(false);
            }
        }
    };
    rsx! {
        header { class: "bar", div { h1 { "{view.centro_name}" } p { "Encuesta de satisfacción" } } }
        section { class: "card kiosk-welcome", id: "kiosko-bienvenida",
            h2 { "¿Cómo lo atendimos hoy?" }
            p { "Cuéntenos cómo fue el trámite que acaba de hacer. Son unas preguntas breves; sus respuestas son anónimas y sirven para mejorar la atención." }
            if !view.ready {
                p { class: "muted", role: "status", "Preparando la encuesta… la tableta la recibe en cuanto tiene conexión." }
            }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            button { id: "kiosko-comenzar", class: "huge", disabled: busy() || !view.ready, onclick: begin, "Comenzar la encuesta" }
        }
        if leaving() {
            Leave { on_close: move |_| leaving.set(false) }
        } else {
            button { id: "kiosko-salir", class: "link quiet", onclick: move |_| leaving.set(true), "Salir del modo kiosko (supervisor)" }
        }
    }
}

/// The supervisor's PIN, to leave kiosk mode.
#[component]
fn Leave(on_close: EventHandler<()>) -> Element {
    let app = use_context::<FieldClient>();
    let mut screen = use_context::<Signal<Screen>>();
    let mut mode = use_context::<KioskMode>();
    let mut pin = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let leave = move |_| {
        let app = app.clone();
        async move {
            match app.leave_kiosk(&pin()).await {
                Ok(LeaveKiosk::Left) => {
                    mode.changed += 1;
                    screen.set(Screen::Home);
                }
                Ok(LeaveKiosk::WrongPin { tries_left }) => {
                    error.set(Some(format!("PIN incorrecto. {}.", shared::words::count(u64::from(tries_left), "intento más", "intentos más"))))
                }
                Ok(LeaveKiosk::Locked { minutes }) => {
                    error.set(Some(format!("Demasiados intentos. Espere {} para volver a intentar.", shared::words::count(u64::from(minutes), "minuto", "minutos"))))
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        }
    };
    rsx! {
        section { class: "card", id: "kiosko-salida",
            h2 { "Salir del modo kiosko" }
            label { r#for: "kiosko-pin", "PIN del supervisor" }
            input { id: "kiosko-pin", class: "field", r#type: "password", inputmode: "numeric", autocomplete: "off", maxlength: "8",
                oninput: move |e| pin.set(e.value()) }
            if let Some(e) = error() { p { class: "error", role: "alert", "{e}" } }
            div { class: "steps",
                button { id: "kiosko-cancelar-salida", class: "secondary", onclick: move |_| on_close.call(()), "Cancelar" }
                button { id: "kiosko-confirmar-salida", class: "big", onclick: leave, "Salir" }
            }
        }
    }
}

/// After a citizen's survey: thanks, and the welcome again (by touch, or by itself).
#[component]
pub fn Thanks() -> Element {
    let mut screen = use_context::<Signal<Screen>>();
    rsx! {
        header { class: "bar", div { h1 { "¡Gracias!" } } }
        section { class: "card done kiosk-welcome", id: "kiosko-gracias",
            h2 { "Gracias por su opinión" }
            p { "Sus respuestas quedaron guardadas. Con ellas se evalúa y mejora la atención de este centro." }
            button { id: "kiosko-terminar", class: "big", onclick: move |_| screen.set(Screen::Home), "Terminar" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_welcome_waits_and_the_thanks_goes_back_sooner() {
        assert_eq!(idle_limit(&Screen::Home, 120), None);
        assert_eq!(idle_limit(&Screen::Fill(uuid::Uuid::nil()), 120), Some(Duration::from_secs(120)));
        let saved = Screen::Saved { centro: "C1".into(), refusal: false, counting: false };
        assert_eq!(idle_limit(&saved, 120), Some(Duration::from_secs(15)));
        assert_eq!(idle_limit(&saved, 10), Some(Duration::from_secs(10)));
    }
}
