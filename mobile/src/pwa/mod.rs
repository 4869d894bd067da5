//! The installable web app (wasm32): the same screens rendered by Dioxus's web renderer in
//! the page, the app itself (store, sync engine) in a dedicated Worker, because the
//! browser's durable file system for SQLite (OPFS sync access handles) exists only there.
//! One wasm module serves both: [`start`] looks at where it runs.
//!
//! - [`page`]: launches the screens with a [`FieldClient`](crate::client::FieldClient)
//!   whose calls are posted to the Worker and answered by number.
//! - [`worker`]: opens the store on the OPFS "sahpool" VFS (the same migrations and
//!   transactions as on the phone; `synchronous=FULL` flushes each commit to OPFS before
//!   the answer is posted back), answers calls, runs automatic sync and posts its status.
//!
//! The files around it (the HTML page, the Worker's bootstrap, the service worker that
//! keeps the app available offline, the web app manifest) are in `mobile/pwa/`; the
//! build is `scripts/build-pwa.sh`, and the sync-server serves the result at `/app/`.

pub mod page;
pub mod worker;

use wasm_bindgen::JsCast as _;

/// Runs the part of the app that belongs where this module was loaded.
pub fn start() {
    match js_sys::global().dyn_into::<web_sys::DedicatedWorkerGlobalScope>() {
        Ok(scope) => worker::run(scope),
        Err(_) => page::run(),
    }
}
