//! `GET /api/v1/forms/{form_id}/{version}/submissions.csv` (streamed) and
//! `GET /api/v1/audit-log`.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use shared::form::{FieldKind, Item};
use shared::protocol::AuditEntry;

use crate::auth::AuthDevice;
use crate::db::{Device, ExportColumns};
use crate::extract::ApiPath;
use crate::error::AppError;
use crate::state::AppState;

fn staff(device: &Device) -> Result<(), AppError> {
    crate::access::require(device, crate::access::Resource::Exports).map(|_| ())
}

/// One column per question outside repeats (notes excluded); one per repeat.
fn columns(items: &[Item], out: &mut Vec<String>) {
    for item in items {
        match item {
            Item::Field(f) if f.kind != FieldKind::Note => out.push(f.name.clone()),
            Item::Field(_) => {}
            Item::Group(g) => columns(&g.children, out),
            Item::Repeat(g) => out.push(g.name.clone()),
        }
    }
}

pub async fn submissions_csv(state: State<AppState>, device: AuthDevice, path: ApiPath<(String, String)>) -> Result<Response, AppError> {
    submissions(state, device, path, Format::Csv).await
}

pub async fn submissions_xlsx(state: State<AppState>, device: AuthDevice, path: ApiPath<(String, String)>) -> Result<Response, AppError> {
    submissions(state, device, path, Format::Xlsx).await
}

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// A started export: the file name, its MIME type and the chunks as they are written.
pub struct ExportStream {
    pub filename: String,
    pub mime: &'static str,
    pub chunks: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
}

/// Starts exporting the submissions of a form version (staff and admin; audited); API and
/// console. `progress` counts the rows written.
pub async fn start_export(
    state: &AppState,
    device: &Device,
    form_id: String,
    version: String,
    format: Format,
    progress: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
) -> Result<ExportStream, AppError> {
    staff(device)?;
    let form = state
        .forms()
        .get(&(form_id.clone(), version.clone()))
        .cloned()
        .ok_or_else(|| AppError::NotFound(format!("El formulario «{form_id}» versión {version} no está publicado.")))?;
    let mut questions = Vec::new();
    columns(&form.form.items, &mut questions);
    let (ext, mime) = match format {
        Format::Csv => ("csv", "text/csv; charset=utf-8"),
        Format::Xlsx => ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    };
    state.db.audit(device.user_id, "export_submissions", format!("{form_id} versión {version} ({ext})")).await?;
    let (tx, chunks) = tokio::sync::mpsc::channel(8);
    let key = (form_id.clone(), version.clone());
    let cols = ExportColumns { questions, progress, sheet_rows: state.xlsx_sheet_rows };
    match format {
        Format::Csv => state.db.stream_submissions_csv(key, cols, tx),
        Format::Xlsx => state.db.stream_submissions_xlsx(key, cols, tx),
    }
    Ok(ExportStream { filename: format!("{form_id}-{version}.{ext}"), mime, chunks })
}

async fn submissions(
    State(state): State<AppState>,
    AuthDevice(device): AuthDevice,
    ApiPath((form_id, version)): ApiPath<(String, String)>,
    format: Format,
) -> Result<Response, AppError> {
    let ExportStream { filename, mime, mut chunks } = start_export(&state, &device, form_id, version, format, None).await?;
    // `poll_recv` keeps answering `None` once the export ended, however often it is polled.
    let stream = futures_util::stream::poll_fn(move |cx| chunks.poll_recv(cx));
    let name = format!("attachment; filename=\"{filename}\"");
    let headers = [(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, name)];
    Ok((headers, Body::from_stream(stream)).into_response())
}

pub async fn audit_log(State(state): State<AppState>, AuthDevice(device): AuthDevice) -> Result<Json<Vec<AuditEntry>>, AppError> {
    staff(&device)?;
    Ok(Json(state.db.audit_log(500).await?))
}
