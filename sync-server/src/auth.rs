//! Passwords (Argon2id) and device tokens (random, stored as SHA-256), and the extractor
//! that turns `Authorization: Bearer …` into the calling device.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::db::Device;
use crate::error::AppError;
use crate::state::AppState;

/// The PHC string of an Argon2id hash of `password`. CPU-heavy: call off the async threads.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// True when `password` matches the stored PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// An Argon2id hash with the same parameters as real ones, of a password nobody has: an
/// unknown username is verified against it, so that it costs what a wrong password costs
/// and the answer time does not tell which usernames exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        hash_password(&shared::digest::hex(&secret)).unwrap_or_default()
    })
}

/// Where a request comes from, for the per-client limits: the peer's address, or with
/// `--trust-forwarded-for` (behind a reverse proxy) the last address of
/// `X-Forwarded-For`, the one the proxy itself appended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl ClientAddr {
    /// The key of this client in a rate limiter.
    pub fn key(&self) -> String {
        self.0.map_or_else(|| "desconocido".to_string(), |ip| ip.to_string())
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                // The proxy appends the address it saw: only the last entry is trusted, and an
                // unreadable one falls back to the peer address rather than an earlier entry.
                .next_back()
                .and_then(|a| a.trim().parse::<std::net::IpAddr>().ok());
            if forwarded.is_some() {
                return Ok(ClientAddr(forwarded));
            }
        }
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientAddr(peer))
    }
}

/// A new random device token (256 bits, hex) and the hash the server keeps.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = shared::digest::hex(&bytes);
    let hash = token_hash(&token);
    (token, hash)
}

/// What the server stores of a token.
pub fn token_hash(token: &str) -> String {
    shared::digest::sha256_hex(token.as_bytes())
}

/// The device making the request, authenticated by its bearer token.
pub struct AuthDevice(pub Device);

/// The web console's session cookie.
pub const SESSION_COOKIE: &str = "ventanilla_sesion";

/// The session token in a request's cookies, if any.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 200)
}

impl FromRequestParts<AppState> for AuthDevice {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts.headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
        let bearer = header.strip_prefix("Bearer ").map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
        // The web console's session cookie also reads the API (downloads), never writes it:
        // a write needs the header, which another site cannot make a browser send.
        let safe = parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD;
        let cookie = if safe && bearer.is_none() { session_cookie(&parts.headers) } else { None };
        let by_cookie = cookie.is_some();
        let Some(token) = bearer.or(cookie) else {
            return Err(AppError::Unauthorized("missing_token", "Falta el token del dispositivo: inicie sesión en la app."));
        };
        let token = token.as_str();
        let device = state.db.device_by_token(token_hash(token)).await?;
        match device {
            None => Err(AppError::Unauthorized("unknown_token", "Token desconocido: inicie sesión de nuevo en este dispositivo.")),
            Some(d) if d.revoked => Err(AppError::Unauthorized(
                "revoked_token",
                "Este dispositivo fue dado de baja. Inicie sesión de nuevo; sus datos pendientes se conservan.",
            )),
            Some(d) if by_cookie && !state.console_session_alive(d.id).await? => {
                Err(AppError::Unauthorized("session_expired", "La sesión de la consola caducó: inicie sesión de nuevo."))
            }
            Some(d) => match state.device_limiter.take(&d.id.to_string()) {
                Ok(()) => {
                    if let Some(seen) = parts.extensions.get::<crate::access_log::DeviceSeen>() {
                        seen.note(d.id);
                    }
                    Ok(AuthDevice(d))
                }
                Err(retry_after) => Err(AppError::TooMany {
                    message: "Demasiadas solicitudes desde este dispositivo; espere unos segundos.".into(),
                    retry_after,
                }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_password() {
        let phc = hash_password("correcta-123").expect("hash");
        assert!(phc.starts_with("$argon2id$"));
        assert!(verify_password("correcta-123", &phc));
        assert!(!verify_password("otra", &phc));
        assert!(!verify_password("correcta-123", "no es un hash"));
        assert!(dummy_hash().starts_with("$argon2id$"));
        assert_eq!(PasswordHash::new(dummy_hash()).map(|h| h.params.to_string()).ok(), PasswordHash::new(phc.as_str()).map(|h| h.params.to_string()).ok());
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), ha);
        assert_ne!(ha, a);
    }
}
