//! `GET /api/v1/forms` (the published form versions) and `POST /api/v1/forms`.

use axum::Json;
use axum::extract::State;
use axum::extract::{FromRequest, Multipart};
use shared::form::{Attachment, MAX_ATTACHMENTS};
use shared::protocol::{FormList, FormSummary, FormUpload, PublishResponse};

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
    request_body(
        description = "El libro XLSX solo (cualquier tipo de contenido salvo multipart), o `multipart/form-data` con el libro en `formulario` y cada archivo que el formulario usa en una parte `archivo` con su nombre (CSV o XML de listas y búsquedas, imágenes y audio; hasta 30 archivos, 5 MB cada uno, 20 MB juntos).",
        content((Vec<u8> = "application/octet-stream"), (FormUpload = "multipart/form-data"))
    ),
    responses((status = 200, body = PublishResponse))
)]
pub async fn upload(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<UploadQuery>,
    request: axum::extract::Request,
) -> Result<Json<PublishResponse>, AppError> {
    crate::access::require(&device, crate::access::Resource::Program)?;
    if q.file_name.as_ref().is_some_and(|n| n.chars().count() > 200) {
        return Err(AppError::BadRequest("bad_query", "Parámetros inválidos: «file_name» admite hasta 200 caracteres.".into()));
    }
    let (xlsx, files) = read_upload(request).await?;
    let outcome = crate::publish::publish_xlsx(&state, xlsx, q.file_name, files).await?;
    tracing::info!(user = %device.user.username, form = %outcome.form_id, version = %outcome.version, "form published");
    let status = match outcome.published {
        shared::form::Published::New => "new",
        shared::form::Published::Unchanged => "unchanged",
    };
    Ok(Json(PublishResponse { form_id: outcome.form_id, version: outcome.version, status: status.into(), warnings: outcome.warnings }))
}

/// The workbook and the files of an upload: `multipart/form-data` (`formulario`, then
/// `archivo` parts with file names), or the workbook alone as the body.
async fn read_upload(request: axum::extract::Request) -> Result<(Vec<u8>, Vec<Attachment>), AppError> {
    let cut = || AppError::BadRequest("bad_body", "El envío llegó incompleto o excede el tamaño permitido.".into());
    let is_multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        let body = axum::body::Bytes::from_request(request, &()).await.map_err(|_| cut())?;
        return Ok((body.to_vec(), Vec::new()));
    }
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|_| cut())?;
    let (mut xlsx, mut files) = (None, Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(|_| cut())? {
        match field.name() {
            Some("formulario") => xlsx = Some(field.bytes().await.map_err(|_| cut())?.to_vec()),
            Some("archivo") => {
                if files.len() >= MAX_ATTACHMENTS {
                    return Err(AppError::Unprocessable("too_many_files", format!("Adjunte como máximo {MAX_ATTACHMENTS} archivos.")));
                }
                let Some(name) = field.file_name().map(str::to_string).filter(|n| !n.is_empty()) else {
                    return Err(AppError::Unprocessable("bad_file", "Cada parte «archivo» lleva el nombre del archivo.".into()));
                };
                files.push(Attachment { name, bytes: field.bytes().await.map_err(|_| cut())?.to_vec() });
            }
            _ => return Err(AppError::BadRequest("bad_body", "Partes admitidas: «formulario» y «archivo».".into())),
        }
    }
    let xlsx = xlsx.ok_or_else(|| AppError::BadRequest("bad_body", "Falta la parte «formulario» con el libro XLSX.".into()))?;
    Ok((xlsx, files))
}
