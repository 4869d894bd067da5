//! The app's dedicated Worker: owns the store (SQLite on OPFS), answers the page's calls,
//! syncs by itself and tells the page what sync is doing.

use std::path::Path;

use wasm_bindgen::JsCast as _;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::spawn_local;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::client::call::{Call, Numbered, ToPage};
use crate::field::FieldApp;
use crate::store::Store;

/// The store's file inside the OPFS pool.
const DATABASE: &str = "ventanilla.db";
/// The OPFS directory of the pool (one per origin).
const POOL_DIRECTORY: &str = "ventanilla";

/// Opens the store, then serves the page until the Worker ends.
pub fn run(scope: DedicatedWorkerGlobalScope) {
    spawn_local(async move {
        match open(&scope).await {
            Ok(app) => serve(scope, app),
            Err(message) => post(&scope, &ToPage::Failed { message }),
        }
    });
}

/// How long opening waits for the pool's files to be let go by another Worker.
const RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn open(scope: &DedicatedWorkerGlobalScope) -> Result<FieldApp, String> {
    let cfg = sqlite_wasm_vfs::sahpool::OpfsSAHPoolCfgBuilder::new().directory(POOL_DIRECTORY).build();
    // OPFS lets one Worker at a time hold the pool's files. After a reload the previous
    // page's Worker may still be ending (finishing a sync round) when this one starts, so a
    // refusal is retried for a while; only a Worker that keeps them (the app open in
    // another tab) makes opening fail.
    let started = crate::rt::Instant::now();
    loop {
        match sqlite_wasm_vfs::sahpool::install::<sqlite_wasm_rs::WasmOsCallback>(&cfg, true).await {
            Ok(_) => break,
            Err(e) if e.to_string().contains("NoModificationAllowedError") => {
                if started.elapsed() >= RELEASE_WAIT {
                    return Err("La app ya está abierta en otra pestaña o ventana de este navegador. Úsela ahí, o ciérrela y toque «Reintentar».".into());
                }
                crate::rt::sleep(std::time::Duration::from_millis(200)).await;
            }
            Err(e) => return Err(format!("Este navegador no permitió a la app guardar sus datos (detalle técnico: {e}).")),
        }
    }
    let store = Store::open(Path::new(DATABASE)).map_err(|e| e.to_string())?;
    let origin = scope.location().origin();
    Ok(FieldApp::new(store, origin))
}

fn serve(scope: DedicatedWorkerGlobalScope, app: FieldApp) {
    let mut status = app.status();
    post(&scope, &ToPage::Status { status: status.borrow().clone() });
    {
        let scope = scope.clone();
        spawn_local(async move {
            while status.changed().await.is_ok() {
                let now = status.borrow().clone();
                post(&scope, &ToPage::Status { status: now });
            }
        });
    }
    let on_call = {
        let (scope, app) = (scope.clone(), app.clone());
        Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else { return };
            let Ok(call) = serde_json::from_str::<Numbered<Call>>(&text) else { return };
            let (scope, app) = (scope.clone(), app.clone());
            spawn_local(async move {
                let reply = app.call(call.body).await;
                post(&scope, &ToPage::Reply { n: call.n, reply });
            });
        })
    };
    scope.set_onmessage(Some(on_call.as_ref().unchecked_ref()));
    on_call.forget();
    // The network is back: drain the outbox now rather than at the next retry.
    let on_online = {
        let app = app.clone();
        Closure::<dyn FnMut()>::new(move || app.sync_now())
    };
    let _ = scope.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    on_online.forget();
    app.start_sync();
    post(&scope, &ToPage::Ready);
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &ToPage) {
    if let Ok(text) = serde_json::to_string(message) {
        let _ = scope.post_message(&wasm_bindgen::JsValue::from_str(&text));
    }
}
