//! Taking an evidence photo: the device camera (or a file) through `<input type=file>`;
//! the bytes come to Rust through an `eval` bridge (works in the desktop webview and in
//! liveview), then are downscaled and stored.

use base64::Engine as _;
use dioxus::prelude::*;

/// A photo button: `on_photo` receives the chosen image's bytes and says whether it was
/// kept (or why not, in Spanish); the photos kept, `(sha256, data: URL)`, show as
/// thumbnails that `on_remove` takes off.
#[component]
pub fn PhotoInput(
    id: String,
    kept: Vec<(String, String)>,
    on_photo: Callback<Vec<u8>, super::Pending<Result<(), String>>>,
    on_remove: Callback<String, super::Pending<Result<(), String>>>,
) -> Element {
    let count = kept.len();
    let saved = shared::words::count(count as u64, "guardada", "guardadas");
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let input_id = id.clone();
    let changed = move |_| {
        let input_id = input_id.clone();
        async move {
            busy.set(true);
            error.set(None);
            let mut eval = document::eval(&super::capture::read_named_file_js(&input_id));
            let result = match eval.recv::<(String, String)>().await {
                Ok((_, b64)) if b64.is_empty() => Ok(()),
                Ok((_, b64)) => match base64::engine::general_purpose::STANDARD.decode(b64) {
                    Ok(bytes) => on_photo.call(bytes).await,
                    Err(_) => Err("No se pudo leer la foto.".to_string()),
                },
                Err(_) => Err("No se pudo leer la foto.".to_string()),
            };
            if let Err(e) = result {
                error.set(Some(e));
            }
            busy.set(false);
        }
    };
    rsx! {
        div { class: "photo",
            if !kept.is_empty() {
                ul { class: "photo-thumbs",
                    for (i, (sha, url)) in kept.iter().cloned().enumerate() {
                        li { key: "{sha}",
                            img { src: "{url}", alt: "Foto de evidencia {i + 1}", width: "96", height: "72" }
                            button { class: "secondary thumb-remove", "data-remove-photo": "{sha}",
                                onclick: move |_| {
                                    let removed = on_remove.call(sha.clone());
                                    async move {
                                        if let Err(e) = removed.await {
                                            error.set(Some(e));
                                        }
                                    }
                                },
                                "Quitar"
                            }
                        }
                    }
                }
            }
            label { class: "photo-button", r#for: "{id}",
                if busy() { "Guardando foto…" } else if count == 0 { "Tomar foto de evidencia" } else { "Otra foto ({saved})" }
            }
            input { id: "{id}", class: "photo-file", r#type: "file", accept: "image/*", capture: "environment", onchange: changed }
            if let Some(e) = error() { p { class: "error", "{e}" } }
        }
    }
}
