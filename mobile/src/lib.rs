//! Ventanilla's field app: what surveyors and inspectors hold all day.
//!
//! # Brief overview
//! - [`sync_client::SyncClient`] talks to the sync-server over HTTP (reqwest, rustls),
//!   with errors the UI can explain in Spanish ([`sync_client::SyncError`]).
//! - [`ui::App`] is the Dioxus root component; screens live in [`ui`], one per file.
//! - [`AppConfig`] (the server address) is provided to the UI through context.
//! - The binary runs the same `App` in a desktop window or, without a display, in the
//!   browser through Dioxus liveview on 127.0.0.1 (feature `web`).
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

pub mod record;
pub mod store;
pub mod sync;
pub mod sync_client;
pub mod ui;

/// Settings the UI reads through context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// The sync-server's base URL, e.g. `http://127.0.0.1:8080`.
    pub server: String,
}
