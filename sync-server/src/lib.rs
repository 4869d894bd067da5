//! Ventanilla's sync-server.
//!
//! # Brief overview
//! - [`Config`] comes from flags and environment (`--help` explains each).
//! - [`AppState`] holds what handlers share: for now the catalog of published forms,
//!   with the default MGS-1 instruments published at start.
//! - [`app`] builds the axum [`Router`]; tests drive it in-process with `oneshot`.
//! - [`Application`] binds a listener and serves until stopped; tests bind port 0.
//!
//! # Example
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let app = sync_server::Application::build(&sync_server::Config::for_tests()).await?;
//! println!("http://{}", app.address());
//! app.run_until_stopped().await
//! # }
//! ```

mod config;
mod error;
mod routes;
mod state;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use tower_http::compression::CompressionLayer;

pub use config::Config;
pub use state::AppState;

/// The API router over `state`.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(routes::health::get))
        .route("/forms", get(routes::forms::list));
    Router::new()
        .nest("/api/v1", api)
        .fallback(error::not_found)
        .layer(CompressionLayer::new().gzip(true))
        .with_state(state)
}

/// A bound, ready-to-serve server.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
}

impl Application {
    /// Binds `config.bind` and prepares the state.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let state = AppState::with_default_forms()?;
        let listener = tokio::net::TcpListener::bind(config.bind).await?;
        Ok(Self { listener, router: app(state) })
    }

    /// The address actually bound (with the real port when 0 was asked).
    pub fn address(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Serves until Ctrl-C (or the task is dropped).
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    }
}
