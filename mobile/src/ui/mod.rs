//! The screens (Spanish, phone-sized, large touch targets). UI code never names SQL or
//! HTTP: it calls [`FieldClient`](crate::client::FieldClient), provided through context,
//! whose calls are async (in the browser the app runs in a Worker), and shows its errors
//! as they read. One file per screen.

mod capture;
mod counter;
mod enrol;
mod faces;
mod fill;
mod home;
mod kiosk;
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

use crate::client::FieldClient;
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
    let app = use_context::<FieldClient>();
    let start = app.clone();
    use_hook(move || {
        start.start_sync();
    });
    // Home shows the enrolment screen itself while the device is not enrolled.
    let screen = use_context_provider(|| Signal::new(Screen::Home));
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
    // Kiosk mode (asked again when it may have changed): which screens exist.
    let mut kiosk_view = use_signal(|| None::<crate::field::KioskView>);
    let kiosk_changed = use_signal(|| 0u32);
    let mut touched = use_signal(crate::rt::Instant::now);
    use_context_provider(|| kiosk::KioskMode { view: kiosk_view, changed: kiosk_changed, touched });
    let asked = app.clone();
    let kiosk_known = use_resource(move || {
        let _ = kiosk_changed();
        let app = asked.clone();
        async move {
            let view = app.kiosk().await.ok().flatten();
            kiosk_view.set(view.clone());
            view
        }
    });
    kiosk::use_idle_reset();
    if kiosk_known.read().is_none() {
        // Never a flash of the home screen on a kiosk.
        return rsx! { style { {style::CSS} } main { class: "app", Loading {} } };
    }
    let in_kiosk = kiosk_view.read().is_some();
    let mut touch = move || {
        if in_kiosk {
            touched.set(crate::rt::Instant::now());
        }
    };
    rsx! {
        style { {style::CSS} }
        main { class: if in_kiosk { "app kiosk" } else { "app" },
            onpointerdown: move |_| touch(), onkeydown: move |_| touch(), oninput: move |_| touch(),
            if in_kiosk {
                match screen() {
                    Screen::Fill(draft) => rsx! { fill::Fill { draft } },
                    Screen::Saved { .. } => rsx! { kiosk::Thanks {} },
                    _ => rsx! { kiosk::Welcome {} },
                }
            } else {
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
}

/// Shown while a screen's data is on its way from the app (a moment, the first time).
#[component]
pub(crate) fn Loading() -> Element {
    rsx! { p { class: "muted loading", role: "status", "Cargando…" } }
}

/// A boxed future, for callbacks whose work is a call to the app.
pub(crate) type Pending<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T>>>;

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
