//! Ventanilla's sync-server.
//!
//! # Brief overview
//! - [`Config`] comes from flags and environment (`--help` explains each), with operator
//!   subcommands (create a user, reset a password, revoke a device, publish a form).
//! - [`db::Db`] is the storage boundary: embedded SQLite (WAL, foreign keys, append-only
//!   migrations); all SQL lives under `db/`.
//! - [`AppState`] holds the database and the parsed published forms.
//! - [`app`] builds the axum [`Router`]; tests drive it in-process with `oneshot`.
//! - [`Application`] opens the database, binds a listener and serves until stopped; tests
//!   bind port 0 with a temporary data directory.
//!
//! # Example
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! let config = sync_server::Config::for_tests(std::env::temp_dir().join("ventanilla-example"));
//! let app = sync_server::Application::build(&config).await?;
//! println!("http://{}", app.address());
//! app.run_until_stopped().await
//! # }
//! ```

pub mod access;
pub mod access_log;
pub mod auth;
pub mod centros_import;
mod config;
pub mod console;
pub mod db;
pub mod demo;
pub mod durable;
mod error;
mod extract;
pub mod export;
pub mod facts;
pub mod follow;
pub mod incorporation_sheets;
pub mod ingest;
pub mod jobs;
pub mod latency;
pub mod limits;
pub mod periods;
pub mod photos;
pub mod publish;
pub mod openapi;
pub mod public;
mod routes;
pub mod service;
pub mod qr;
pub mod scores;
pub mod spent;
mod state;
pub mod webapp;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;

pub use config::{Command, Config};
pub use error::AppError;
pub use state::{AppState, ConsoleSettings};

/// Largest JSON body accepted (SYNC.md: 4 MiB).
pub const MAX_JSON_BODY: usize = shared::protocol::MAX_PUSH_BYTES;
/// Largest XLSForm workbook accepted.
pub const MAX_FORM_BODY: usize = 10 * 1024 * 1024;
/// Largest form publication: the workbook and the files published with it.
pub const MAX_FORM_UPLOAD_BODY: usize = MAX_FORM_BODY + shared::form::MAX_ATTACHMENTS_TOTAL_BYTES + 64 * 1024;

/// The body limit of a path: photos and uploaded files get more than JSON.
fn body_limit(path: &str) -> usize {
    if path.starts_with("/api/v1/photos/") {
        photos::MAX_PHOTO_BYTES as usize
    } else if path == "/api/v1/forms" || path == "/consola/admin/formularios" {
        MAX_FORM_UPLOAD_BODY
    } else if path == "/api/v1/centros/import" {
        MAX_FORM_BODY
    } else if (path.starts_with("/api/v1/centros/") && path.contains("/evidence/")) || (path.starts_with("/consola/centros/") && path.ends_with("/evidencia")) {
        // A document, and the console form that carries one whole.
        shared::protocol::MAX_EVIDENCE_BYTES as usize + 64 * 1024
    } else {
        MAX_JSON_BODY
    }
}

/// Answers 413 from the `Content-Length` header alone, before any byte of the body is read.
async fn refuse_oversized(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let limit = body_limit(req.uri().path());
    match declared {
        Some(len) if len > limit as u64 => {
            let mib = limit / 1024 / 1024;
            AppError::TooLarge("body_too_large", format!("El cuerpo de la solicitud excede el límite de {mib} MiB.")).into_response()
        }
        _ => next.run(req).await,
    }
}

/// The API router over `state`.
pub fn app(state: AppState) -> Router {
    let (api, _doc) = openapi::api_routes().split_for_parts();
    let api = api        .method_not_allowed_fallback(error::method_not_allowed);
    Router::new()
        .nest("/api/v1", api)
        .merge(console::router(state.clone()))
        .merge(public::router())
        .merge(webapp::router(state.web_app.as_ref().map(|d| d.as_ref().clone())))
        .fallback(error::not_found)
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        // Gzip or zstd request bodies (the app compresses pushes); limits apply to the
        // inflated size.
        .layer(RequestDecompressionLayer::new().gzip(true).zstd(true))
        .layer(CompressionLayer::new().gzip(true))
        .layer(axum::middleware::from_fn(refuse_oversized))
        .layer(axum::middleware::from_fn_with_state(state.clone(), access_log::access_log))
        .with_state(state)
}

/// Opens the database of `config`, publishing the default forms (and the demo program
/// with `--demo`).
pub async fn open_state(config: &Config) -> anyhow::Result<AppState> {
    let db = match &config.database_url {
        Some(url) => db::Db::connect(url).await?,
        None => db::Db::open(&config.database_path())?,
    };
    let mut state = AppState::load(db, config.local_offset(), &config.data_dir).await?;
    state.trust_forwarded_for = config.trust_forwarded_for;
    state.web_app = config.app_dir.clone().map(std::sync::Arc::new);
    state.xlsx_sheet_rows = config.xlsx_sheet_rows;
    state.device_limiter = std::sync::Arc::new(limits::RateLimiter::new(config.device_burst, f64::from(config.device_rate)));
    state.qr_limiter = std::sync::Arc::new(limits::RateLimiter::new(config.qr_burst, f64::from(config.qr_per_minute) / 60.0));
    state.console = std::sync::Arc::new(state::ConsoleSettings {
        session: db::SessionLimits { idle: i64::from(config.session_idle_minutes) * 60, absolute: i64::from(config.session_max_hours) * 3600 },
        cookie_secure: config.cookie_secure,
        public_origin: config.public_origin.clone(),
    });
    let photos = state.photos.clone();
    let (lost, found) = state.db.reconcile_photos(move |sha| photos.is_complete(sha)).await?;
    if lost + found > 0 {
        tracing::warn!(lost, found, "photo records brought in line with the files");
    }
    let evidence = state.evidence.clone();
    let changed = state.db.reconcile_evidence(move |sha| evidence.is_complete(sha)).await?;
    if changed > 0 {
        tracing::warn!(changed, "evidence records brought in line with the files");
    }
    // The dummy password hash is made now, so the first unknown username is not slower.
    tokio::task::spawn_blocking(auth::dummy_hash).await?;
    publish::ensure_default_forms(&state).await.map_err(|e| anyhow::anyhow!("publishing the default forms: {e}"))?;
    if config.demo && demo::seed(&state.db).await? {
        tracing::info!("demo program seeded");
        state.rebuild_scores().await?;
    }
    // Other servers may share a PostgreSQL database: follow what they do.
    if config.database_url.is_some() {
        follow::spawn(state.clone());
    }
    Ok(state)
}

/// A bound, ready-to-serve server.
pub struct Application {
    listener: tokio::net::TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Opens the database and binds `config.bind`.
    pub async fn build(config: &Config) -> anyhow::Result<Self> {
        let state = open_state(config).await?;
        let listener = tokio::net::TcpListener::bind(config.bind).await?;
        Ok(Self { listener, router: app(state.clone()), state })
    }

    /// The address actually bound (with the real port when 0 was asked).
    pub fn address(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The state the server runs with (for tests and operators).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or Ctrl-C (or the task is dropped), then stops cleanly: no new
    /// connections, the requests in flight finish (each push commits or rolls back as a
    /// whole) for up to [`SHUTDOWN_GRACE`], and the database's log is copied back.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let stopping = std::sync::Arc::new(tokio::sync::Notify::new());
        let signal = {
            let stopping = stopping.clone();
            async move {
                stop_signal().await;
                tracing::info!("stopping: finishing the requests in flight");
                stopping.notify_one();
            }
        };
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let serve = axum::serve(self.listener, service).with_graceful_shutdown(signal).into_future();
        tokio::pin!(serve);
        tokio::select! {
            served = &mut serve => served?,
            () = async { stopping.notified().await; tokio::time::sleep(SHUTDOWN_GRACE).await } => {
                tracing::warn!("requests still open after {} s: stopping without them", SHUTDOWN_GRACE.as_secs());
            }
        }
        self.state.db.close().await?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// How long requests in flight may take to finish once the server is told to stop.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// SIGTERM (systemd, Docker, Kubernetes) or Ctrl-C.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM");
                    std::future::pending::<()>().await;
                }
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
