//! Exports of submissions (API downloads and console jobs): who may, which columns, the
//! stream of the file.

use shared::form::{FieldKind, Item};

use crate::db::{Device, ExportColumns};
pub use crate::jobs::ExportStream;
use crate::error::AppError;
use crate::state::AppState;

pub(crate) fn staff(device: &Device) -> Result<(), AppError> {
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

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
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
