//! The screens. UI code never names rusqlite or reqwest: it calls the sync client and
//! the store through context and shows their errors in Spanish.

mod home;
mod style;

use dioxus::prelude::*;

pub use home::Home;

/// The root component: the app's styles and its first screen.
#[component]
pub fn App() -> Element {
    rsx! {
        style { {style::CSS} }
        main { class: "app", Home {} }
    }
}
