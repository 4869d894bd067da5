//! Publishing a form version from XLSForm bytes: import with the shared engine, refuse with
//! every row-precise error, store immutably, and add it to the parsed-form cache.

use std::sync::Arc;

use shared::form::{Attachment, Published, fingerprint, import_with_files};

use crate::db::PublishedForm;
use crate::ingest::CachedForm;
use crate::error::AppError;
use crate::state::AppState;

/// What was published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishOutcome {
    pub form_id: String,
    pub version: String,
    pub published: Published,
    /// Columns and settings the import ignored.
    pub warnings: Vec<String>,
}

/// Imports and publishes `xlsx` with the files published with it; `file_name` names the
/// form when its settings do not.
pub async fn publish_xlsx(state: &AppState, xlsx: Vec<u8>, file_name: Option<String>, files: Vec<Attachment>) -> Result<PublishOutcome, AppError> {
    let (bytes, given) = (xlsx.clone(), files.clone());
    let imported = tokio::task::spawn_blocking(move || import_with_files(&bytes, file_name.as_deref(), &given))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(AppError::InvalidForm)?;
    let form = imported.form;
    let title = form.title.get(form.language()).unwrap_or(&form.id).to_string();
    let mut files = files;
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let stored = PublishedForm { form_id: form.id.clone(), version: form.version.clone(), title, fingerprint: fingerprint(&form), xlsx, files };
    let published = state.db.publish_form(stored).await?;
    let (form_id, version) = (form.id.clone(), form.version.clone());
    // Entries are inserted whole: a lock poisoned elsewhere still guards whole forms.
    let mut cache = state.forms.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    cache.entry((form_id.clone(), version.clone())).or_insert_with(|| Arc::new(CachedForm::new(form)));
    drop(cache);
    Ok(PublishOutcome { form_id, version, published, warnings: imported.warnings })
}

/// Publishes the built-in MGS-1 instruments when they are missing.
pub async fn ensure_default_forms(state: &AppState) -> Result<(), AppError> {
    for xlsx in [shared::instruments::ENCUESTA_XLSX, shared::instruments::CEDULA_XLSX] {
        publish_xlsx(state, xlsx.to_vec(), None, Vec::new()).await?;
    }
    Ok(())
}
