//! The HTTP client of the sync-server API. Only this module (and the store) does I/O;
//! the UI calls it through [`SyncClient`] and shows [`SyncError`]s as they read.

use std::time::Duration;

use shared::protocol::{ApiError, FormList, Health, PROTOCOL_VERSION};

/// Why a request did not give an answer the app can use. Messages in Spanish.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The address is not a valid http(s) URL.
    #[error("La dirección del servidor no es válida: {0}")]
    BadAddress(String),
    /// No connection (no network, server down, timeout): try again later.
    #[error("Sin conexión con el servidor. Los datos quedan guardados en el teléfono.")]
    Offline(#[source] reqwest::Error),
    /// The server answered with an error.
    #[error("El servidor respondió: {message} ({code})")]
    Server { status: u16, code: String, message: String },
    /// The server speaks another protocol version: the app needs updating.
    #[error("El servidor usa la versión {server} del protocolo y la app la {app}: actualice la app.")]
    Protocol { server: u32, app: u32 },
    /// The answer could not be read.
    #[error("Respuesta ilegible del servidor.")]
    Decode(#[source] reqwest::Error),
}

/// A client for one server.
#[derive(Debug, Clone)]
pub struct SyncClient {
    base: String,
    http: reqwest::Client,
}

impl SyncClient {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Result<Self, SyncError> {
        let base = base.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() < 10 {
            return Err(SyncError::BadAddress(base));
        }
        // reqwest is built without a default TLS provider (no aws-lc build); use ring.
        // Installing twice is harmless: the second call is refused and ignored.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(SyncError::Offline)?;
        Ok(Self { base, http })
    }

    /// The server's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET /api/v1/health`; refuses a server of another protocol version.
    pub async fn health(&self) -> Result<Health, SyncError> {
        let health: Health = self.get("/api/v1/health").await?;
        if health.protocol_version != PROTOCOL_VERSION {
            return Err(SyncError::Protocol { server: health.protocol_version, app: PROTOCOL_VERSION });
        }
        Ok(health)
    }

    /// `GET /api/v1/forms`: the published form versions.
    pub async fn forms(&self) -> Result<FormList, SyncError> {
        self.get("/api/v1/forms").await
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, SyncError> {
        let url = format!("{}{path}", self.base);
        let response = self.http.get(url).send().await.map_err(SyncError::Offline)?;
        let status = response.status();
        if !status.is_success() {
            let body: Option<ApiError> = response.json().await.ok();
            let (code, message) = body.map_or_else(
                || ("http_error".to_string(), format!("error HTTP {}", status.as_u16())),
                |e| (e.code, e.message),
            );
            return Err(SyncError::Server { status: status.as_u16(), code, message });
        }
        response.json().await.map_err(SyncError::Decode)
    }
}
