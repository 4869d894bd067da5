//! `GET /api/v1/forms`: the published form versions.

use axum::Json;
use axum::extract::State;
use shared::protocol::{FormList, FormSummary};

use crate::error::AppError;
use crate::state::AppState;

pub async fn list(State(state): State<AppState>) -> Result<Json<FormList>, AppError> {
    let catalog = state.catalog.read().map_err(|_| anyhow::anyhow!("form catalog lock poisoned"))?;
    let forms = catalog
        .iter()
        .map(|(form, fingerprint)| FormSummary {
            form_id: form.id.clone(),
            version: form.version.clone(),
            title: form.title.get(form.language()).unwrap_or(&form.id).to_string(),
            fingerprint: fingerprint.to_string(),
            questions: u32::try_from(form.question_count()).unwrap_or(u32::MAX),
        })
        .collect();
    Ok(Json(FormList { forms }))
}
