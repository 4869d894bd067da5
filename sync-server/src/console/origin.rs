//! Same-origin checks for everything the console receives by POST (login included), and
//! whether its cookie must be `Secure`.
//!
//! A request is the console's own when its `Origin` (scheme, host and port) is the
//! server's; with no `Origin`, when `Sec-Fetch-Site` does not say it came from another site
//! and its `Referer`, if any, is of the server's origin. The server's origin is
//! `--public-origin` when set, else the request's `Host` with `http`, or with the scheme a
//! trusted reverse proxy reports in `X-Forwarded-Proto`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::AppError;
use crate::state::AppState;

/// When the session cookie gets the `Secure` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CookieSecure {
    /// When the request reached the server over HTTPS (a trusted proxy's
    /// `X-Forwarded-Proto: https`, or an `https` public origin).
    #[default]
    Auto,
    Always,
    Never,
}

/// An origin as `scheme://host:port`, lower-case, with the scheme's default port written.
fn normalise(origin: &str) -> Option<String> {
    let (scheme, rest) = origin.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        _ => return None,
    };
    let has_port = authority.rsplit_once(':').is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !authority.ends_with(']'));
    Some(if has_port { format!("{scheme}://{authority}") } else { format!("{scheme}://{authority}:{default_port}") })
}

/// The scheme the client used.
fn scheme(headers: &HeaderMap, state: &AppState) -> &'static str {
    if let Some(origin) = &state.console.public_origin {
        return if origin.starts_with("https://") { "https" } else { "http" };
    }
    let forwarded = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).map(|v| v.trim().eq_ignore_ascii_case("https"));
    if state.trust_forwarded_for && forwarded == Some(true) { "https" } else { "http" }
}

/// The base of the links the server prints (posters): the configured public origin, else
/// the scheme and host this request came with (`http://host:port`, no trailing slash).
pub fn link_base(headers: &HeaderMap, state: &AppState) -> Option<String> {
    if let Some(origin) = &state.console.public_origin {
        return Some(origin.trim_end_matches('/').to_string());
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).filter(|h| !h.is_empty() && !h.contains(['/', '@', ' ']))?;
    Some(format!("{}://{host}", scheme(headers, state)))
}

/// The server's own origin as this request reached it.
fn own_origin(headers: &HeaderMap, state: &AppState) -> Option<String> {
    if let Some(origin) = &state.console.public_origin {
        return normalise(origin);
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok())?;
    normalise(&format!("{}://{host}", scheme(headers, state)))
}

/// Whether a state-changing request comes from the console's own pages.
pub fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    let own = own_origin(headers, state);
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = text(header::ORIGIN) {
        return own.is_some() && normalise(origin) == own;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match text(header::REFERER) {
        Some(referer) => own.is_some() && normalise(referer) == own,
        None => true,
    }
}

/// Whether the session cookie of this request's answer must be `Secure`.
pub fn secure_cookie(headers: &HeaderMap, state: &AppState) -> bool {
    match state.console.cookie_secure {
        CookieSecure::Always => true,
        CookieSecure::Never => false,
        CookieSecure::Auto => scheme(headers, state) == "https",
    }
}

/// Refuses every console request other than GET/HEAD that does not come from the console.
pub async fn refuse_cross_site(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD && !same_origin(req.headers(), &state) {
        return super::page::error_page(None, AppError::Forbidden("Solicitud enviada desde otro sitio: rechazada.".into()));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert_eq!(normalise("http://127.0.0.1:8080"), Some("http://127.0.0.1:8080".into()));
        assert_eq!(normalise("HTTPS://Ejemplo.mx"), Some("https://ejemplo.mx:443".into()));
        assert_eq!(normalise("https://ejemplo.mx/consola/entrar?x=1"), Some("https://ejemplo.mx:443".into()));
        assert_eq!(normalise("http://ejemplo.mx:80"), normalise("http://ejemplo.mx"));
        assert_ne!(normalise("http://ejemplo.mx:8080"), normalise("http://ejemplo.mx"));
        assert_ne!(normalise("https://ejemplo.mx"), normalise("http://ejemplo.mx"));
        assert_eq!(normalise("null"), None);
        assert_eq!(normalise("http://user@ejemplo.mx"), None);
        assert_eq!(normalise("ftp://ejemplo.mx"), None);
    }
}
