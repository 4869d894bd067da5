//! The public results (no login, no scripts, printable): `/resultados` lists the periods
//! with published official results; `/resultados/{periodo}` the ranking per category with
//! the recognised centros; `/resultados/{periodo}/{centro}` a centro's public report; the
//! open data under `/resultados/{periodo}/datos/`. Every answer carries an ETag (the
//! digest of what it shows) and may be cached.

mod centro;
mod data;
mod encuesta;
mod ranking;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};

use crate::error::AppError;
use crate::state::AppState;

/// The licence the open data is published under.
pub const LICENCE: &str = "Creative Commons Atribución 4.0 Internacional (CC BY 4.0)";

/// The public pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/resultados", get(ranking::index))
        .route("/resultados/{period}", get(ranking::period))
        .route("/resultados/{period}/reconocidos", get(ranking::recognised_list))
        .route("/resultados/{period}/datos/{file}", get(data::file))
        .route("/resultados/{period}/{centro}", get(centro::report))
        .route("/resultados/{period}/{centro}/constancia", get(centro::certificate))
        .route(
            "/encuesta/{centro}/{token}",
            get(encuesta::welcome).post(encuesta::answer).layer(axum::extract::DefaultBodyLimit::max(crate::service::qr::MAX_PAGE_BYTES)),
        )
}

/// The frame of a public page: the program's header, the content, a footer saying what
/// the figures are.
fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="es-MX" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Resultados del Programa MAS" }
                style { (maud::PreEscaped(crate::console::style::CSS)) (maud::PreEscaped(PUBLIC_CSS)) }
            }
            body {
                header.top { div.brand { a href="/resultados" { "Programa MAS" } span { "Resultados oficiales" } } }
                main { h1 { (title) } (body) }
                footer.public {
                    p { "Resultados oficiales congelados al cierre de cada periodo; cada versión lleva la huella SHA-256 de su tabla y de sus insumos, que cualquiera puede recalcular con los datos abiertos." }
                }
            }
        }
    }
}

const PUBLIC_CSS: &str = r#"
.brand a { color: #fff; text-decoration: none; }
footer.public { max-width: 1180px; margin: 0 auto; padding: 0 20px 30px; color: #4b5563; font-size: 14px; }
.recognised { border-left: 6px solid #166534; }
.certificate { max-width: 760px; margin: 24px auto; padding: 48px; background: #fff; border: 3px double #0b3d91; text-align: center; }
.certificate h2 { font-size: 28px; margin: 16px 0; } .certificate .centro { font-size: 26px; font-weight: bold; margin: 18px 0; }
.indices td, .indices th { padding: 6px 10px; border-bottom: 1px solid #e5e7eb; text-align: left; }
@media print { footer.public { display: none; } a { color: inherit; text-decoration: none; } .no-print { display: none; } .certificate { border: 3px double #000; } }
"#;

/// An answer that may be cached: 304 when the client holds this `etag`.
fn cached(headers: &HeaderMap, etag: &str, content_type: &str, body: Vec<u8>) -> Response {
    let tag = format!("\"{etag}\"");
    let matches = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut response = if matches { StatusCode::NOT_MODIFIED.into_response() } else { (StatusCode::OK, body).into_response() };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    if !matches && let Ok(v) = HeaderValue::from_str(content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    response
}

/// A rendered page, cached by the digest of its bytes.
fn page(headers: &HeaderMap, markup: Markup) -> Response {
    let body = markup.into_string().into_bytes();
    let etag = shared::digest::sha256_hex(&body);
    cached(headers, &etag[..32], "text/html; charset=utf-8", body)
}

/// An error as a public page.
fn error(e: AppError) -> Response {
    let status = e.status();
    let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = ?e, "public page error");
        "Error interno del servidor; intente de nuevo más tarde.".to_string()
    } else {
        e.to_string()
    };
    let title = if status == StatusCode::NOT_FOUND { "No encontrado" } else { "No se pudo mostrar" };
    (status, Html(layout(title, html! { p.error role="alert" { (message) } p { a href="/resultados" { "Ver los periodos publicados" } } }).into_string())).into_response()
}

/// A key from a public path.
fn key(text: &str) -> Result<shared::protocol::Key, AppError> {
    shared::protocol::Key::parse(text).map_err(|e| AppError::NotFound(format!("No existe: {e}.")))
}

/// The category of a centro, for people.
fn category(ambito: &str, tipo: &str) -> String {
    crate::console::results::category_title(ambito, tipo)
}
