//! Ventanilla's field app: what surveyors and inspectors hold all day.
//!
//! # Brief overview
//! - [`store`]: the device's SQLite store (the only SQL of the app): drafts saved answer by
//!   answer, the outbox, acknowledged records, the per-day ledger, reference data, photos.
//! - [`record`]: a draft becomes a sealed record after validation with the `shared` form
//!   engine; [`layout`] lays a form out on screens; [`photo`] downscales evidence photos.
//! - [`sync`]: the engine (push, photo upload, pull) with backoff and automatic sync;
//!   [`sync_client::SyncClient`] is its HTTP client (reqwest, rustls, gzip).
//! - [`field::FieldApp`]: the handle the screens call; [`ui`] holds the Dioxus screens.
//! - The binary runs the same `App` in a desktop window or, without a display, in the
//!   browser through Dioxus liveview on 127.0.0.1.
//!
//! # Example
//! ```no_run
//! # async fn run() -> Result<(), mobile::sync_client::SyncError> {
//! let client = mobile::sync_client::SyncClient::new("http://127.0.0.1:8080")?;
//! let health = client.health().await?;
//! assert_eq!(health.status, "ok");
//! # Ok(())
//! # }
//! ```

pub mod capture;
pub mod client;
pub mod field;
pub mod layout;
pub mod photo;
#[cfg(target_arch = "wasm32")]
pub mod pwa;
pub mod record;
pub mod resume;
pub mod rt;
pub mod summary;
pub mod store;
pub mod sync;
pub mod sync_client;
pub mod ui;
#[cfg(feature = "liveview")]
pub mod web;
