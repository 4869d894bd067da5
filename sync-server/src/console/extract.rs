//! The console's form, query and path extractors: axum's, with their refusals told as a
//! console page in Spanish (axum words them in English: «Failed to deserialize form
//! body: …»).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::page::error_page;
use crate::error::AppError;

fn refused(what: &str, text: &str) -> Response {
    error_page(None, AppError::Unprocessable("invalid_body", format!("{what}: {}.", crate::extract::spanish(text))))
}

/// A submitted form (`application/x-www-form-urlencoded`).
#[derive(Debug, Clone, Copy)]
pub struct Form<T>(pub T);

impl<S, T> FromRequest<S> for Form<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::Form::<T>::from_request(req, state).await.map(|axum::Form(t)| Form(t)).map_err(|e| refused("El formulario no se pudo leer", &e.body_text()))
    }
}

/// A page's query string.
#[derive(Debug, Clone, Copy)]
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(t)| Query(t))
            .map_err(|e| refused("La dirección de la página no es válida", &e.body_text()))
    }
}

/// A page's path parameters.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(t)| Path(t))
            .map_err(|e| error_page(None, AppError::NotFound(format!("La dirección no existe: {}.", crate::extract::spanish(&e.body_text())))))
    }
}
