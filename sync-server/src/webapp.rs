//! Serves the field app's web build (the installable offline web app, built by
//! `scripts/build-pwa.sh`) at `/app/`, from a directory (`--app-dir`). Every file is sent
//! with `Cache-Control: no-cache` (revalidated by its ETag): the app's service worker keeps
//! its own versioned copy for offline use, and a new version must reach it on its next
//! check. Without a build, `/app/` says so in Spanish.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use tower::ServiceExt as _;
use tower_http::services::ServeDir;

/// The app's routes, serving `dir` (`None`: the server was started without one).
pub fn router<S: Clone + Send + Sync + 'static>(dir: Option<PathBuf>) -> Router<S> {
    let dir = Arc::new(dir);
    let serve = move |req: Request<Body>| {
        let dir = dir.clone();
        async move { file(dir.as_ref().as_ref(), req).await }
    };
    Router::new()
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .route("/app/", get(serve.clone()))
        .route("/app/{*file}", get(serve))
}

async fn file(dir: Option<&PathBuf>, req: Request<Body>) -> Response {
    let Some(dir) = dir.filter(|d| d.join("index.html").is_file()) else { return not_built() };
    let (mut parts, body) = req.into_parts();
    let inner = parts.uri.path().strip_prefix("/app").unwrap_or("/").to_string();
    parts.uri = match Uri::builder().path_and_query(if inner.is_empty() { "/".to_string() } else { inner }).build() {
        Ok(u) => u,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let served = ServeDir::new(dir).append_index_html_on_directories(true).oneshot(Request::from_parts(parts, body)).await;
    let mut response = match served {
        Ok(r) => r.map(Body::new),
        Err(e) => match e {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        return (StatusCode::NOT_FOUND, Html(page("Archivo no encontrado", "La app web no tiene ese archivo."))).into_response();
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn not_built() -> Response {
    let text = "Este servidor no tiene construida la app web. Quien lo administra puede construirla con scripts/build-pwa.sh e iniciar el servidor con --app-dir.";
    (StatusCode::NOT_FOUND, Html(page("La app web no está disponible", text))).into_response()
}

fn page(title: &str, text: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"es-MX\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"
    )
}
