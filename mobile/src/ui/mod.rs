//! The screens (Spanish, phone-sized, large touch targets). UI code never names SQL or
//! HTTP: it calls [`FieldApp`](crate::field::FieldApp), provided through context, and
//! shows its errors as they read. One file per screen.

mod capture;
mod counter;
mod enrol;
mod faces;
mod fill;
mod home;
mod photo_input;
mod program;
mod record;
mod stopwatch;
mod style;
mod suggestion;
mod sync;
mod widgets;

use dioxus::prelude::*;
use uuid::Uuid;

use crate::field::FieldApp;
use crate::sync::SyncStatus;

/// Where the user is.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Enrol,
    Home,
    /// The sampling counter at a centro (surveyors).
    Counter(String),
    /// Filling a draft.
    Fill(Uuid),
    /// A centro's commitments and complaints log (inspectors); `back` returns to a visit.
    Program { centro: String, back: Option<Uuid> },
    /// A record was just finalised at this centro.
    /// `counting`: an exit survey, whose next step is the sampling counter.
    Saved { centro: String, refusal: bool, counting: bool },
    Sync,
    /// A record the server acknowledged (e.g. one a supervisor rejected).
    Record(Uuid),
}

/// The root component: styles, the sync status, and the current screen.
#[component]
pub fn App() -> Element {
    let app = use_context::<FieldApp>();
    let start = app.clone();
    use_hook(move || {
        start.start_sync();
    });
    let initial = if matches!(app.enrolment(), Ok(Some(_))) { Screen::Home } else { Screen::Enrol };
    let screen = use_context_provider(|| Signal::new(initial));
    let mut status = use_context_provider(|| Signal::new(app.status().borrow().clone()));
    let watch = app.clone();
    use_future(move || {
        let mut rx = watch.status();
        async move {
            while rx.changed().await.is_ok() {
                let now = rx.borrow().clone();
                status.set(now);
            }
        }
    });
    rsx! {
        style { {style::CSS} }
        main { class: "app",
            match screen() {
                Screen::Enrol => rsx! { enrol::Enrol {} },
                Screen::Home => rsx! { home::Home {} },
                Screen::Counter(centro) => rsx! { counter::Counter { centro } },
                Screen::Fill(draft) => rsx! { fill::Fill { draft } },
                Screen::Program { centro, back } => rsx! { program::Program { centro, back } },
                Screen::Saved { centro, refusal, counting } => rsx! { counter::Saved { centro, refusal, counting } },
                Screen::Sync => rsx! { sync::SyncScreen {} },
                Screen::Record(id) => rsx! { record::Record { id } },
            }
        }
    }
}

/// One line on what sync is doing, for headers.
pub(crate) fn status_line(status: &SyncStatus) -> (&'static str, String) {
    match status {
        SyncStatus::Syncing => ("wait", "Sincronizando…".to_string()),
        SyncStatus::Done(r) if r.acknowledged > 0 => ("ok", format!("Sincronizado: {}", shared::words::count(r.acknowledged, "enviado", "enviados"))),
        SyncStatus::Done(_) => ("ok", "Sincronizado".to_string()),
        SyncStatus::Waiting { retry_in, .. } => ("warn", format!("Sin conexión; se reintenta en {} s", retry_in.as_secs().max(1))),
        SyncStatus::Stopped { reason, .. } => ("warn", reason.clone()),
    }
}

/// The top bar with a back button.
#[component]
pub(crate) fn Bar(title: String, subtitle: Option<String>, back: Option<Screen>) -> Element {
    let mut screen = use_context::<Signal<Screen>>();
    rsx! {
        header { class: "bar",
            if let Some(target) = back {
                button { class: "back", "aria-label": "Regresar", onclick: move |_| screen.set(target.clone()), "‹" }
            }
            div {
                h1 { "{title}" }
                if let Some(s) = subtitle { p { "{s}" } }
            }
        }
    }
}
