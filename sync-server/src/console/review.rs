//! Revisión: flagged surveys with their reasons; approve, or reject with a reason that
//! reaches the surveyor's phone.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use shared::protocol::Decision;
use uuid::Uuid;

use super::page::{Session, error_page, layout, render};
use crate::access::{self, Resource};
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct Notice {
    hecho: Option<String>,
}

pub async fn page(State(state): State<AppState>, session: Session, Query(n): Query<Notice>) -> Response {
    let result = async {
        let who = access::reviewer(&session.device, Resource::Review)?;
        let items = state.db.review_queue(who).await?;
        let names = state.db.centro_names().await?;
        Ok::<_, AppError>(layout(
            "Revisión",
            Some(&session),
            "revision",
            html! {
                @if let Some(h) = &n.hecho { p.notice role="status" { (h) } }
                div.card {
                    @if items.is_empty() { p { "No hay encuestas en revisión." } }
                    @for item in &items {
                        div.item data-submission=(item.submission_id) {
                            strong { (names.get(&item.centro_id).map_or(item.centro_id.as_str(), |n| n.0.as_str())) }
                            span.muted { " · " (shared::words::date(item.capture_date)) " · " (item.username) }
                            ul.flags { @for f in &item.flags { li { (f.reason) } } }
                            form method="post" action=(format!("/consola/revision/{}", item.submission_id)) {
                                input type="hidden" name="csrf" value=(session.csrf);
                                div { label for=(format!("motivo-{}", item.submission_id)) { "Motivo (obligatorio para rechazar)" }
                                    textarea id=(format!("motivo-{}", item.submission_id)) name="reason" maxlength="500" {} }
                                button type="submit" name="decision" value="approve" { "Aprobar" }
                                button.danger type="submit" name="decision" value="reject" { "Rechazar" }
                            }
                        }
                    }
                }
            },
        ))
    }
    .await;
    match result {
        Ok(m) => render(m),
        Err(e) => error_page(Some(&session), e),
    }
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    reason: String,
}

pub async fn decide(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>, Form(f): Form<DecisionForm>) -> Response {
    let result = async {
        access::require(&session.device, Resource::Review)?;
        session.check_csrf(&f.csrf)?;
        let decision = match f.decision.as_str() {
            "approve" => Decision::Approve,
            "reject" => Decision::Reject,
            _ => return Err(AppError::BadRequest("invalid_body", "Elija aprobar o rechazar.".into())),
        };
        crate::service::review::apply_decision(&state, &session.device, id, decision, Some(f.reason.clone())).await?;
        Ok(if decision == Decision::Reject { "Encuesta rechazada; el motivo llegará al teléfono de quien la levantó." } else { "Encuesta aprobada." })
    }
    .await;
    match result {
        Ok(done) => super::page::redirect_with_notice("/consola/revision", done),
        Err(e) => error_page(Some(&session), e),
    }
}
