//! `GET /api/v1/forms` (the published form versions) and `POST /api/v1/forms`.

use axum::Json;
use axum::extract::State;
use shared::protocol::{FormList, FormSummary, PublishResponse};

use crate::auth::AuthDevice;
use crate::error::AppError;
use crate::state::AppState;

#[utoipa::path(get, path = "/forms", tag = "formularios", summary = "Versiones publicadas de los formularios", responses((status = 200, body = FormList)))]
pub async fn list(State(state): State<AppState>) -> Result<Json<FormList>, AppError> {
    let cache = state.forms();
    let forms = state
        .db
        .forms()
        .await?
        .into_iter()
        .map(|f| {
            let questions = cache.get(&(f.form_id.clone(), f.version.clone())).map_or(0, |c| c.form.question_count());
            FormSummary {
                form_id: f.form_id,
                version: f.version,
                title: f.title,
                fingerprint: f.fingerprint,
                questions: u32::try_from(questions).unwrap_or(u32::MAX),
            }
        })
        .collect();
    Ok(Json(FormList { forms }))
}

/// `?file_name=Encuesta.xlsx`
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The workbook's file name: the form id when its settings sheet has none (as pyxform).
    #[param(max_length = 200)]
    file_name: Option<String>,
}

/// Publish an XLSForm workbook (the request body), staff and admin.
#[utoipa::path(
    post,
    path = "/forms",
    tag = "formularios",
    summary = "Publicar un XLSForm (errores por hoja, fila y columna)",
    description = "Roles: admin, staff. Un libro que no es un XLSForm válido: 422 `invalid_form` con cada problema en `details`.",
    security(("deviceToken" = [])),
    params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "Los bytes del libro XLSX (el tipo de contenido no se toma en cuenta)"),
    responses((status = 200, body = PublishResponse))
)]
pub async fn upload(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<UploadQuery>,
    body: axum::body::Bytes,
) -> Result<Json<PublishResponse>, AppError> {
    crate::access::require(&device, crate::access::Resource::Program)?;
    if q.file_name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err(AppError::BadRequest("bad_query", "Parámetros inválidos: «file_name» admite hasta 200 caracteres.".into()));
    }
    let outcome = crate::publish::publish_xlsx(&state, body.to_vec(), q.file_name).await?;
    tracing::info!(user = %device.user.username, form = %outcome.form_id, version = %outcome.version, "form published");
    let status = match outcome.published {
        shared::form::Published::New => "new",
        shared::form::Published::Unchanged => "unchanged",
    };
    Ok(Json(PublishResponse { form_id: outcome.form_id, version: outcome.version, status: status.into(), warnings: outcome.warnings }))
}
