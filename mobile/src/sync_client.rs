//! The HTTP client of the sync-server API. Only this module (and the store) does I/O;
//! the UI calls it through [`SyncClient`] and shows [`SyncError`]s as they read.

use std::time::Duration;

use shared::protocol::{
    ApiError, CommitmentInfo, ComplaintInput, ComplaintStored, EnrolRequest, VerifyMilestone, EnrolResponse, KioskEnrolRequest, FormList, Health, MeResponse, PROTOCOL_VERSION, PhotoStatus, PullResponse, PushEnvelope, PushRequest,
    PushResponse, ScoreTableDto,
};

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
    /// The request could not be written.
    #[error("No se pudo preparar el envío: {0}")]
    Encode(String),
    /// The request's task ended without an answer (the app closing): nothing was lost,
    /// it is sent again.
    #[error("El envío se interrumpió; se intentará de nuevo.")]
    Interrupted,
}

impl SyncError {
    /// The server no longer accepts this device's token (revoked, or unknown after a
    /// server reset): the user must enrol again.
    pub fn is_token_refused(&self) -> bool {
        matches!(self, SyncError::Server { status: 401, code, .. } if code == "revoked_token" || code == "unknown_token")
    }

    /// Worth trying again later by itself (no network, server busy or failing).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Offline(_) | SyncError::Decode(_) | SyncError::Interrupted => true,
            SyncError::Server { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }
}

/// A client for one server, optionally holding a device token.
#[derive(Debug, Clone)]
pub struct SyncClient {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
    /// Set once a zstd push was refused as an unsupported encoding (415: a server from
    /// before zstd bodies, or a proxy on the way): pushes go in gzip, which every server
    /// reads, from then on.
    gzip_only: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl SyncClient {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:8080`).
    pub fn new(base: &str) -> Result<Self, SyncError> {
        let base = base.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() < 10 {
            return Err(SyncError::BadAddress(base));
        }
        Ok(Self { base, http: http_client()?, token: None, gzip_only: Default::default() })
    }

    /// The same client, sending `token` as the device's credential.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
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

    /// `POST /api/v1/auth/enrol`: enrols this device; keep the token it returns.
    pub async fn enrol(&self, username: &str, password: &str, device_label: &str) -> Result<EnrolResponse, SyncError> {
        let body = EnrolRequest { username: username.into(), password: password.into(), device_label: device_label.into() };
        self.send(self.http.post(self.url("/api/v1/auth/enrol")).json(&body)).await
    }

    /// `POST /api/v1/auth/kiosk`: a supervisor enrols this tablet as `centro_id`'s kiosk;
    /// the token answered is the kiosk's.
    pub async fn enrol_kiosk(&self, username: &str, password: &str, centro_id: &str, device_label: &str) -> Result<EnrolResponse, SyncError> {
        let body = KioskEnrolRequest { username: username.into(), password: password.into(), centro_id: centro_id.into(), device_label: device_label.into() };
        self.send(self.http.post(self.url("/api/v1/auth/kiosk")).json(&body)).await
    }

    /// `GET /api/v1/me`.
    pub async fn me(&self) -> Result<MeResponse, SyncError> {
        self.get("/api/v1/me").await
    }

    /// `POST /api/v1/sync/push`: answered per record, after the server committed. The
    /// body is sent compressed ([`compressed_json`]).
    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse, SyncError> {
        self.push_encoded(request).await
    }

    /// [`SyncClient::push`] of submissions as the outbox stores them (the same body).
    pub async fn push_stored(&self, request: &PushEnvelope) -> Result<PushResponse, SyncError> {
        self.push_encoded(request).await
    }

    /// A push in the app's encoding, sent again in gzip when that encoding is refused (a
    /// 415 comes before the body is read: nothing was stored).
    async fn push_encoded<T: serde::Serialize>(&self, request: &T) -> Result<PushResponse, SyncError> {
        use std::sync::atomic::Ordering;
        if !self.gzip_only.load(Ordering::Relaxed) {
            let (body, encoding) = compressed_json(request)?;
            match self.push_body((body, encoding)).await {
                Err(SyncError::Server { status: 415, .. }) if encoding != "gzip" => self.gzip_only.store(true, Ordering::Relaxed),
                answered => return answered,
            }
        }
        self.push_body((gzip_json(request)?, "gzip")).await
    }

    async fn push_body(&self, (body, encoding): (Vec<u8>, &'static str)) -> Result<PushResponse, SyncError> {
        let req = self
            .http
            .post(self.url("/api/v1/sync/push"))
            .header("content-type", "application/json")
            .header("content-encoding", encoding)
            .body(body);
        self.send(req).await
    }

    /// `GET /api/v1/sync/pull?after=…`: one page of changes.
    pub async fn pull(&self, after: u64) -> Result<PullResponse, SyncError> {
        self.get(&format!("/api/v1/sync/pull?after={after}")).await
    }

    /// `GET /api/v1/periods/{id}/scores` (supervisors and staff).
    pub async fn scores(&self, period_id: &str) -> Result<ScoreTableDto, SyncError> {
        self.get(&format!("/api/v1/periods/{period_id}/scores")).await
    }

    /// `GET /api/v1/photos/{sha256}`: how much of a photo the server holds.
    pub async fn photo_status(&self, sha256: &str) -> Result<PhotoStatus, SyncError> {
        self.get(&format!("/api/v1/photos/{sha256}")).await
    }

    /// `PUT /api/v1/photos/{sha256}`: sends `chunk`, which starts at `offset` of a photo of
    /// `total` bytes.
    pub async fn upload_photo_chunk(&self, sha256: &str, offset: u64, total: u64, chunk: Vec<u8>) -> Result<PhotoStatus, SyncError> {
        let url = self.url(&format!("/api/v1/photos/{sha256}?offset={offset}&total={total}"));
        self.send(self.http.put(url).header("content-type", "application/octet-stream").body(chunk)).await
    }

    /// `POST /api/v1/centros/{c}/commitments/{k}/milestones/{m}/verify`: the commitment as
    /// it stands after the edit (409 `conflict` when based on an old version).
    pub async fn verify_milestone(&self, centro: &str, commitment: &str, milestone: &str, body: &VerifyMilestone) -> Result<CommitmentInfo, SyncError> {
        let path = format!("/api/v1/centros/{}/commitments/{}/milestones/{}/verify", seg(centro), seg(commitment), seg(milestone));
        self.send(self.http.post(self.url(&path)).json(body)).await
    }

    /// `PUT /api/v1/centros/{c}/complaints/{folio}`: one complaint of the centro's log.
    pub async fn put_complaint(&self, centro: &str, folio: &str, body: &ComplaintInput) -> Result<ComplaintStored, SyncError> {
        let path = format!("/api/v1/centros/{}/complaints/{}", seg(centro), seg(folio));
        self.send(self.http.put(self.url(&path)).json(body)).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, SyncError> {
        self.send(self.http.get(self.url(path))).await
    }

    async fn send<T: serde::de::DeserializeOwned>(&self, request: reqwest::RequestBuilder) -> Result<T, SyncError> {
        let request = match &self.token {
            Some(t) => request.bearer_auth(t),
            None => request,
        };
        #[cfg(target_arch = "wasm32")]
        let request = request.timeout(REQUEST_TIMEOUT);
        let response = request.send().await.map_err(SyncError::Offline)?;
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

/// The HTTP client: reqwest over rustls (ring) natively, with connect and request timeouts.
#[cfg(not(target_arch = "wasm32"))]
fn http_client() -> Result<reqwest::Client, SyncError> {
    // reqwest is built without a default TLS provider (no aws-lc build); use ring.
    // Installing twice is harmless: the second call is refused and ignored.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(SyncError::Offline)
}

/// The HTTP client in the browser: the page's (or Worker's) fetch; each request carries the
/// timeout ([`REQUEST_TIMEOUT`]) itself.
#[cfg(target_arch = "wasm32")]
fn http_client() -> Result<reqwest::Client, SyncError> {
    reqwest::Client::builder().build().map_err(SyncError::Offline)
}

/// How long a request may take before it counts as no connection.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// A path segment, percent-encoded (ids and folios are typed by people).
fn seg(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// `value` as JSON compressed for a request body, with its `Content-Encoding`: zstd in the
/// native app (several times faster than gzip, and smaller), gzip in the browser (where the
/// zstd C library does not build).
pub fn compressed_json<T: serde::Serialize>(value: &T) -> Result<(Vec<u8>, &'static str), SyncError> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let json = serde_json::to_vec(value).map_err(|e| SyncError::Encode(e.to_string()))?;
        let body = zstd::bulk::compress(&json, zstd::DEFAULT_COMPRESSION_LEVEL).map_err(|e| SyncError::Encode(e.to_string()))?;
        Ok((body, "zstd"))
    }
    #[cfg(target_arch = "wasm32")]
    {
        Ok((gzip_json(value)?, "gzip"))
    }
}

/// `value` as JSON, gzip-compressed.
pub fn gzip_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, SyncError> {
    use std::io::Write as _;
    let json = serde_json::to_vec(value).map_err(|e| SyncError::Encode(e.to_string()))?;
    let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(json.len() / 4), flate2::Compression::default());
    gz.write_all(&json).and_then(|()| gz.finish()).map_err(|e| SyncError::Encode(e.to_string()))
}
