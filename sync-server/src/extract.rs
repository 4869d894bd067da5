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
            .map_err(|e| AppError::BadRequest("bad_path", format!("Parámetro de ruta inválido: {}", e.body_text())))
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
            .map_err(|e| AppError::BadRequest("bad_query", format!("Parámetros inválidos: {}", e.body_text())))
    }
}
