//! Errors as HTTP answers: a status, a machine code and a Spanish message. Never a 5xx for
//! bad input; a 500 is logged and answered with a generic message.

use axum::Json;
use axum::extract::FromRequest;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use shared::protocol::{ApiError, ErrorDetail};

use crate::db::DbError;
use crate::ingest::BodyError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed or its content invalid.
    #[error("{1}")]
    BadRequest(&'static str, String),
    /// The request has the documented shape but breaks a rule of the domain (code,
    /// message): 422.
    #[error("{1}")]
    Unprocessable(&'static str, String),
    /// The body's media type is not one the route takes: 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// No valid credentials.
    #[error("{1}")]
    Unauthorized(&'static str, &'static str),
    /// Valid credentials, but not for this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// It contradicts what is stored.
    #[error("{0}")]
    Conflict(String),
    /// Too many requests from one device, client or for one user: try again after
    /// `retry_after` seconds (sent as `Retry-After`).
    #[error("{message}")]
    TooMany { message: String, retry_after: u64 },
    /// The body, or what it inflates to, is larger than allowed (code, message).
    #[error("{1}")]
    TooLarge(&'static str, String),
    /// A refusal with located details (e.g. the rows of an imported file): 422.
    #[error("{}", .0.message)]
    Detailed(ApiError),
    /// An uploaded form was refused: every problem at its sheet, row and column (422).
    #[error("{0}")]
    InvalidForm(shared::form::ImportErrors),
    /// Temporarily unable to answer (e.g. the live scores are being rebuilt after damage):
    /// try again shortly (code, message).
    #[error("{1}")]
    Unavailable(&'static str, String),
    /// A bug or an outage: logged, answered with a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound(m) => AppError::NotFound(format!("No existe: {m}.")),
            DbError::Conflict(m) => AppError::Conflict(m),
            DbError::Invalid(m) => AppError::Unprocessable("invalid", m),
            DbError::Damaged(m) => AppError::Internal(anyhow::anyhow!(m)),
            DbError::Other(e) => AppError::Internal(e),
        }
    }
}

impl AppError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::InvalidForm(e) if e.too_big().is_some() => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::BadRequest(..) => StatusCode::BAD_REQUEST,
            AppError::Detailed(_) | AppError::InvalidForm(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unprocessable(..) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Unauthorized(..) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(..) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable(..) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Detailed(body) = self {
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
        }
        if let AppError::InvalidForm(errors) = &self {
            if let Some(limit) = errors.too_big() {
                return AppError::TooLarge("spreadsheet_too_large", too_big_message(limit)).into_response();
            }
            let details = errors
                .iter()
                .map(|e| ErrorDetail {
                    sheet: e.location.sheet.clone(),
                    row: e.location.row,
                    column: e.location.column.clone(),
                    message: e.kind.to_string(),
                })
                .collect();
            let message = format!("El formulario tiene {} problema(s); corríjalos en la hoja de cálculo.", errors.len());
            let body = ApiError { code: "invalid_form".into(), message, details };
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
        }
        if let AppError::TooMany { message, retry_after } = self {
            let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(ApiError::new("rate_limited", message))).into_response();
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(retry_after.max(1)));
            return response;
        }
        let (status, code, message) = match self {
            AppError::BadRequest(code, m) => (StatusCode::BAD_REQUEST, code, m),
            AppError::Unprocessable(code, m) => (StatusCode::UNPROCESSABLE_ENTITY, code, m),
            AppError::UnsupportedMediaType(m) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "bad_content_type", m),
            AppError::Unauthorized(code, m) => (StatusCode::UNAUTHORIZED, code, m.to_string()),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, "forbidden", m),
            AppError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m),
            AppError::Conflict(m) => (StatusCode::CONFLICT, "conflict", m),
            AppError::TooLarge(code, m) => (StatusCode::PAYLOAD_TOO_LARGE, code, m),
            AppError::Unavailable(code, m) => (StatusCode::SERVICE_UNAVAILABLE, code, m),
            AppError::TooMany { .. } => unreachable!("answered above"),
            AppError::InvalidForm(e) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_form", e.to_string()),
            AppError::Detailed(e) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.message),
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal", "Error interno del servidor; intente de nuevo más tarde.".into())
            }
        };
        (status, Json(ApiError::new(code, message))).into_response()
    }
}

/// The answer to a spreadsheet that crossed a size limit (forms, centros): the limit named.
pub fn too_big_message(limit: &shared::form::XlsxLimit) -> String {
    format!("El libro excede un límite y no se leyó: {limit}. Divida el archivo o quite el contenido sobrante.")
}

impl From<crate::photos::FileError> for AppError {
    fn from(e: crate::photos::FileError) -> Self {
        use crate::photos::FileError as F;
        let message = e.to_string();
        match e {
            F::BadName => AppError::BadRequest("bad_hash", message),
            F::TooLarge { photo: true, .. } => AppError::TooLarge("photo_too_large", message),
            F::TooLarge { photo: false, .. } => AppError::TooLarge("file_too_large", message),
            F::Busy | F::WrongOffset { .. } => AppError::Conflict(message),
            F::Truncated { .. } => AppError::BadRequest("truncated", message),
            F::TooManyBytes => AppError::Unprocessable("too_many_bytes", message),
            F::HashMismatch => AppError::Unprocessable("hash_mismatch", message),
            F::WrongType(_) => AppError::Unprocessable("wrong_type", message),
            F::Io(e) => AppError::Internal(e.into()),
            F::Task(e) => AppError::Internal(e.into()),
        }
    }
}

impl From<BodyError> for AppError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::Rule(..) => AppError::Unprocessable(e.code(), e.to_string()),
            e => AppError::BadRequest(e.code(), e.to_string()),
        }
    }
}

/// The answer for paths that exist nowhere.
pub async fn not_found() -> AppError {
    AppError::NotFound("La ruta no existe.".into())
}

/// The answer for a path that exists with another method.
pub async fn method_not_allowed() -> axum::response::Response {
    let body = ApiError::new("method_not_allowed", "Esta ruta no admite ese método HTTP.");
    (StatusCode::METHOD_NOT_ALLOWED, Json(body)).into_response()
}

/// A JSON body, read (within the route's limit) but not parsed, for handlers that parse
/// it themselves off the async runtime. Failures come back in the API's error format.
#[derive(Debug, Clone, Default)]
pub struct JsonBytes(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType("Se esperaba un cuerpo JSON (Content-Type: application/json).".into()));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge("body_too_large", "El cuerpo de la solicitud excede el límite permitido.".into())
            } else {
                AppError::BadRequest("bad_body", format!("No se pudo leer el cuerpo: {}", e.body_text()))
            }
        })?;
        Ok(JsonBytes(bytes))
    }
}

/// A JSON body extractor whose failures come back in the API's error format. It parses
/// the body in one pass, without path tracking.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        shared::protocol::read_json(&bytes).map(AppJson).map_err(|e| {
            let error = BodyError::json(e);
            // A body of the wrong shape is read again to name the field that is wrong.
            match (&error, shared::protocol::bounds::explain::<T>(&bytes)) {
                (BodyError::Data(_), Some((path, reason))) if !path.is_empty() => BodyError::Field(path, reason).into(),
                _ => error.into(),
            }
        })
    }
}
