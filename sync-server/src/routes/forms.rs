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

/// `POST /api/v1/forms`: publish an XLSForm workbook (the request body), staff and admin.
pub async fn upload(
    State(state): State<AppState>,
    crate::auth::AuthDevice(device): crate::auth::AuthDevice,
    body: axum::body::Bytes,
) -> Result<Json<shared::protocol::PublishResponse>, AppError> {
    crate::access::require(&device, crate::access::Resource::Program)?;
    let outcome = crate::publish::publish_xlsx(&state, body.to_vec()).await?;
    tracing::info!(user = %device.user.username, form = %outcome.form_id, version = %outcome.version, "form published");
    let status = match outcome.published {
        shared::form::Published::New => "new",
        shared::form::Published::Unchanged => "unchanged",
    };
    Ok(Json(shared::protocol::PublishResponse {
        form_id: outcome.form_id,
        version: outcome.version,
        status: status.into(),
        warnings: outcome.warnings,
    }))
}
