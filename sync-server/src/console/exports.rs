//! Exports of submissions from the console: started as background jobs whose page shows the
//! rows written so far (it reloads itself) and then offers the file.

use super::extract::{Form, Path};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Session, error_page, layout_refreshing, respond};
use crate::error::AppError;
use crate::db::ExportJobRow;
use crate::jobs::{JobState, file_of, percent, spawn_export, state_of};
use crate::service::exports::{Format, start_export};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct StartForm {
    csrf: String,
    form_id: String,
    version: String,
    format: String,
}

pub async fn start(State(state): State<AppState>, session: Session, Form(f): Form<StartForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let format = match f.format.as_str() {
            "csv" => Format::Csv,
            "xlsx" => Format::Xlsx,
            _ => return Err(AppError::BadRequest("invalid_body", "Formato desconocido.".into())),
        };
        let total = state.db.count_submissions(f.form_id.clone(), f.version.clone()).await?;
        let rows = Arc::new(AtomicU64::new(0));
        let export = start_export(&state, &session.device, f.form_id.clone(), f.version.clone(), format, Some(rows.clone())).await?;
        Ok(spawn_export(&state.db, &state.exports_dir, session.device.user_id, total, rows, export).await?)
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/consola/exportaciones/{id}")).into_response(),
        Err(e) => error_page(Some(&session), e),
    }
}

/// The job, if it is this user's.
async fn job_of(state: &AppState, session: &Session, id: Uuid) -> Result<ExportJobRow, AppError> {
    state
        .db
        .export_job(id.to_string())
        .await?
        .filter(|j| j.user_id == session.device.user_id)
        .ok_or_else(|| AppError::NotFound("Esa exportación ya no existe; iníciela de nuevo.".into()))
}

pub async fn progress(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>) -> Response {
    let page = job_of(&state, &session, id).await.map(|job| {
        let rows = job.rows;
        let state = state_of(&job, chrono::Utc::now().timestamp());
        let (done, failed) = match &state {
            JobState::Done => (true, None),
            JobState::Failed(m) => (false, Some(m.clone())),
            JobState::Running => (false, None),
        };
        let running = !done && failed.is_none();
        let pct = percent(&job, &state);
        layout_refreshing(
            "Exportación",
            Some(&session),
            "admin",
            html! {
                div.card #exportacion {
                    p { strong { (job.filename) } }
                    svg.ci width="420" height="18" viewBox="0 0 420 18" role="progressbar" aria-valuenow=(format!("{pct:.0}")) {
                        rect x="0" y="3" width="420" height="12" rx="5" fill="#e5e7eb" {}
                        rect x="0" y="3" width=(format!("{:.1}", pct * 4.2)) height="12" rx="5" fill="#0b3d91" {}
                    }
                    p { (rows) " de " (job.total) " registros escritos (" (format!("{pct:.0}")) " %)" }
                    @if running { p.muted { "Esta página se actualiza sola cada segundo." } }
                    @if let Some(m) = failed { p.error role="alert" { (m) } }
                    @if done { p { a.button #descargar href=(format!("/consola/exportaciones/{id}/archivo")) { "Descargar" } } }
                }
            },
            running.then_some(1),
        )
    });
    respond(&session, page)
}

pub async fn file(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>) -> Response {
    let result = async {
        let job = job_of(&state, &session, id).await?;
        if state_of(&job, chrono::Utc::now().timestamp()) != JobState::Done {
            return Err(AppError::Conflict("La exportación aún no termina.".into()));
        }
        let path = file_of(&state.exports_dir, &job.id);
        let file = tokio::fs::File::open(&path)
            .await
            .map_err(|_| AppError::NotFound("El archivo de esa exportación ya no está en el servidor; iníciela de nuevo.".into()))?;
        Ok((job, file))
    }
    .await;
    match result {
        Ok((job, file)) => {
            // A fused stream: the compression layer may poll again after the end.
            let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024);
            let disposition = format!("attachment; filename=\"{}\"", job.filename);
            ([(header::CONTENT_TYPE, job.mime), (header::CONTENT_DISPOSITION, disposition)], Body::from_stream(stream)).into_response()
        }
        Err(e) => error_page(Some(&session), e),
    }
}
