//! `GET /api/v1/forms`: the published form versions.

use axum::Json;
use axum::extract::State;
use shared::protocol::{FormList, FormSummary};

use crate::error::AppError;
use crate::state::AppState;

pub async fn list(State(state): State<AppState>) -> Result<Json<FormList>, AppError> {
    let cache = state.forms();
    let forms = state
        .db
        .forms()
        .await?
        .into_iter()
        .map(|f| {
            let questions = cache.get(&(f.form_id.clone(), f.version.clone())).map_or(0, |form| form.question_count());
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
