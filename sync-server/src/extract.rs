//! Path and query extractors whose refusals are the API's JSON errors (`bad_path`,
//! `bad_query`) instead of axum's plain-text rejections: a malformed id in a path, a
//! duplicate or malformed query parameter, all answered `{code, message}`.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// [`Path`] answering 400 `bad_path`.
#[derive(Debug, Clone, Copy)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| ApiPath(t))
            .map_err(|e| AppError::BadRequest("bad_path", format!("Parámetro de ruta inválido: {}.", spanish(&e.body_text()))))
    }
}

/// [`Query`] answering 400 `bad_query` (malformed, unknown to the type, or repeated).
#[derive(Debug, Clone, Copy)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(t)| ApiQuery(t))
            .map_err(|e| AppError::BadRequest("bad_query", format!("Parámetros inválidos: {}.", spanish(&e.body_text()))))
    }
}

/// `limit`, 1 to `max` (default `max`); outside that range, 400 `bad_query`.
pub fn page_limit(limit: Option<usize>, max: usize) -> Result<usize, AppError> {
    match limit {
        None => Ok(max),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(AppError::BadRequest("bad_query", format!("Parámetros inválidos: «limit» va de 1 a {max} (llegó {n})."))),
    }
}

/// The reason of a path or query rejection in Spanish: axum and serde word it in English
/// («Failed to deserialize query string: missing field `offset`»); the parameter it names
/// is kept, the English is not passed on.
pub(crate) fn spanish(text: &str) -> String {
    let reason = text.rsplit(": ").next().unwrap_or(text);
    let named = |rest: &str| rest.split('`').nth(1).map(|f| format!("«{f}»")).unwrap_or_default();
    if let Some(rest) = reason.strip_prefix("missing field ") {
        format!("falta el parámetro {}", named(rest))
    } else if let Some(rest) = reason.strip_prefix("duplicate field ") {
        format!("el parámetro {} está repetido", named(rest))
    } else if let Some(rest) = reason.strip_prefix("unknown field ") {
        format!("parámetro desconocido {}", named(rest))
    } else if let Some(rest) = reason.strip_prefix("Cannot parse ") {
        format!("el valor {} no tiene el formato esperado", named(rest))
    } else {
        "un valor no tiene el formato esperado (número, fecha AAAA-MM-DD o identificador)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::spanish;

    #[test]
    fn rejections_are_told_in_spanish_with_the_parameter() {
        assert_eq!(spanish("Failed to deserialize query string: missing field `offset`"), "falta el parámetro «offset»");
        assert_eq!(spanish("Failed to deserialize query string: duplicate field `after`"), "el parámetro «after» está repetido");
        assert_eq!(spanish("Failed to deserialize query string: unknown field `x`, expected `after` or `limit`"), "parámetro desconocido «x»");
        assert_eq!(spanish("Invalid URL: Cannot parse `0` to a `UUID`"), "el valor «0» no tiene el formato esperado");
        assert!(!spanish("Failed to deserialize query string: invalid digit found in string").contains("invalid"));
    }
}
