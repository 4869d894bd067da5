//! The access log: one line per request at `info` (target `access`) with the method, the
//! route's template (never the path itself, which may carry ids), the status, the bytes of
//! the answer when known, the duration and the device that made it (never answers, never
//! tokens); and each duration counted in the route's latency histograms
//! ([`crate::latency`]).

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::body::HttpBody;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use uuid::Uuid;

use crate::state::AppState;

/// Where the authentication of a request writes the device it found, for the log line.
#[derive(Debug, Clone, Default)]
pub struct DeviceSeen(Arc<OnceLock<Uuid>>);

impl DeviceSeen {
    /// Notes the device that made the request (the first one noted stays).
    pub fn note(&self, id: Uuid) {
        let _ = self.0.set(id);
    }
}

/// The route a request matched, as a template (`GET /api/v1/centros/{centro_id}`); a path
/// that matched none is one route, `(sin ruta)`, so that the histograms stay bounded.
pub fn route_of(req: &Request) -> String {
    let template = req.extensions().get::<MatchedPath>().map_or("(sin ruta)", MatchedPath::as_str);
    format!("{} {template}", req.method())
}

/// Logs and times every request.
pub async fn access_log(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_of(&req);
    let seen = DeviceSeen::default();
    req.extensions_mut().insert(seen.clone());
    let response = next.run(req).await;
    let took = started.elapsed();
    // The answer's size when it is known before it is sent (a streamed export's is not).
    let bytes = response
        .body()
        .size_hint()
        .exact()
        .or_else(|| response.headers().get(axum::http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok()))
        .map_or_else(|| "-".to_string(), |b: u64| b.to_string());
    let device = seen.0.get().map_or_else(|| "-".to_string(), ToString::to_string);
    tracing::info!(
        target: "access",
        route = %route,
        status = response.status().as_u16(),
        bytes = %bytes,
        ms = (took.as_secs_f64() * 1000.0 * 10.0).round() / 10.0,
        device = %device,
    );
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    state.latencies.record(&route, took, now);
    response
}
