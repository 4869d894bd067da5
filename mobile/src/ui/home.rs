//! Home: the server connection and the forms available.

use dioxus::prelude::*;
use shared::protocol::{FormList, Health};

use crate::AppConfig;
use crate::sync_client::{SyncClient, SyncError};

async fn check_server(server: String) -> Result<(Health, FormList), SyncError> {
    let client = SyncClient::new(&server)?;
    let health = client.health().await?;
    let forms = client.forms().await?;
    Ok((health, forms))
}

/// The first screen.
#[component]
pub fn Home() -> Element {
    let config = use_context::<AppConfig>();
    let server = config.server.clone();
    let mut connection = use_resource(move || check_server(server.clone()));
    let built_in = built_in_forms();
    rsx! {
        header { class: "bar",
            h1 { "Ventanilla" }
            p { "Encuestas de calidad en la atención" }
        }
        section { class: "card", id: "servidor",
            h2 { "Servidor" }
            p { class: "muted", "{config.server}" }
            match &*connection.read() {
                None => rsx! { div { class: "status wait", span { class: "dot" } "Comprobando conexión…" } },
                Some(Ok((health, _))) => rsx! {
                    div { class: "status ok", span { class: "dot" } "Conectado · servidor {health.server_version}" }
                },
                Some(Err(e)) => rsx! { div { class: "status warn", span { class: "dot" } "{e}" } },
            }
            button { class: "big", onclick: move |_| connection.restart(), "Comprobar de nuevo" }
        }
        section { class: "card", id: "formularios",
            h2 { "Formularios publicados" }
            match &*connection.read() {
                Some(Ok((_, list))) if !list.forms.is_empty() => rsx! {
                    ul { class: "forms",
                        for f in list.forms.iter() {
                            li { key: "{f.form_id}-{f.version}",
                                strong { "{f.title}" }
                                div { class: "muted", "versión {f.version} · {f.questions} preguntas" }
                            }
                        }
                    }
                },
                Some(Ok(_)) => rsx! { p { class: "muted", "El servidor aún no publica formularios." } },
                _ => rsx! { p { class: "muted", "Se mostrarán al conectarse con el servidor." } },
            }
        }
        section { class: "card", id: "instrumentos",
            h2 { "Instrumentos incluidos en la app" }
            ul { class: "forms",
                for (title, version, questions) in built_in {
                    li { key: "{title}",
                        strong { "{title}" }
                        div { class: "muted", "versión {version} · {questions} preguntas" }
                    }
                }
            }
        }
    }
}

/// The MGS-1 instruments shipped inside the app: (title, version, questions).
fn built_in_forms() -> Vec<(String, String, usize)> {
    [shared::instruments::encuesta(), shared::instruments::cedula()]
        .into_iter()
        .filter_map(Result::ok)
        .map(|f| {
            let title = f.title.get(f.language()).unwrap_or(&f.id).to_string();
            (title, f.version.clone(), f.question_count())
        })
        .collect()
}
