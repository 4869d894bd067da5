//! Revisión: flagged surveys with their reasons. Each opens to what is reviewed (the
//! answers, the flags with their figures, the surveyor's other surveys that day); then
//! approve, or reject with a reason that reaches the surveyor's phone (asked twice).

use super::extract::{Form, Path, Query};
use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::{Decision, ReviewState};
use uuid::Uuid;

use super::page::{Session, layout, respond};
use crate::access::{self, Resource};
use crate::error::AppError;
use crate::state::AppState;

/// The most other surveys of the same day listed beside one.
const SAME_DAY_SHOWN: usize = 200;

#[derive(Debug, Deserialize)]
pub struct Notice {
    hecho: Option<String>,
}

fn centro_name<'a>(names: &'a std::collections::BTreeMap<String, (String, String)>, id: &'a str) -> &'a str {
    names.get(id).map_or(id, |n| n.0.as_str())
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
                    @else { p.muted { (shared::words::count(items.len() as u64, "encuesta espera", "encuestas esperan")) " revisión. Abra cada una para ver sus respuestas y decidir." } }
                    @for item in &items {
                        div.item data-submission=(item.submission_id) {
                            a href=(format!("/consola/revision/{}", item.submission_id)) {
                                strong { (centro_name(&names, &item.centro_id)) }
                            }
                            span.muted { " · " (shared::words::date(item.capture_date)) " · " (item.username) }
                            ul.flags { @for f in &item.flags { li data-flag=(f.code) { (f.reason) } } }
                        }
                    }
                }
            },
        ))
    }
    .await;
    respond(&session, result)
}

/// The decision forms: approve at once; reject only after a second, explicit step with
/// the reason.
fn decision_forms(session: &Session, id: Uuid) -> Markup {
    html! {
        div.card #decidir {
            h2 { "Decisión" }
            form method="post" action=(format!("/consola/revision/{id}")) {
                input type="hidden" name="csrf" value=(session.csrf);
                button #aprobar type="submit" name="decision" value="approve" { "Aprobar: cuenta en los resultados" }
            }
            details #rechazo {
                summary.button-like.danger-outline { "Rechazar…" }
                form method="post" action=(format!("/consola/revision/{id}")) {
                    input type="hidden" name="csrf" value=(session.csrf);
                    label for="motivo" { "Motivo (llega al teléfono de quien la levantó)" }
                    textarea #motivo name="reason" maxlength="500" required {}
                    p.muted { "La encuesta rechazada no cuenta en los resultados; quien la levantó puede corregirla y reenviarla." }
                    button.danger #confirmar-rechazo type="submit" name="decision" value="reject" { "Sí, rechazar la encuesta" }
                }
            }
        }
    }
}

/// `GET /consola/revision/{id}`: one survey as its reviewer needs to see it.
pub async fn record(State(state): State<AppState>, session: Session, Path(id): Path<Uuid>) -> Response {
    let result = async {
        let who = access::reviewer(&session.device, Resource::Review)?;
        let r = state.db.review_record(who, id).await?.ok_or_else(|| AppError::NotFound(format!("No hay una encuesta {id} en su equipo.")))?;
        let names = state.db.centro_names().await?;
        let s = &r.submission;
        let offset = state.local_offset;
        let started = s.started_at.with_timezone(&offset).naive_local();
        let seconds = (s.finalised_at - s.started_at).num_seconds().max(0) as u64;
        let answers = shared::protocol::answers_from_wire(&s.answers);
        let tramites = state.tramites();
        let sections = state.forms().get(&(s.form_id.clone(), s.form_version.clone())).map(|f| {
            // The centro's own trámites are said by their text, as its surveyors saw them.
            let known = tramites.get(&s.centro_id).into_iter().flatten().map(String::as_str);
            let at_centro = shared::form::centro_lists::accepting(&f.form, known);
            let clock = shared::expr::Clock::for_record(s.finalised_at.naive_local(), &s.id.to_string());
            shared::readable::read_record(at_centro.as_ref().unwrap_or(&f.form), &answers, clock, "Preguntas")
        });
        let day = state.db.surveyor_day(r.user_id, r.item.capture_date, id, SAME_DAY_SHOWN).await?;
        let item = &r.item;
        Ok::<_, AppError>(layout(
            &format!("Encuesta en {}", centro_name(&names, &item.centro_id)),
            Some(&session),
            "revision",
            html! {
                p { a href="/consola/revision" { "← Volver a la lista" } }
                div.card #datos {
                    dl.facts {
                        dt { "Estado" } dd data-state=(item.state.code()) { (item.state.label()) @if let Some(reason) = &item.reason { " · " (reason) } }
                        dt { "Levantó" } dd { (r.display_name) " (" (item.username) ")" }
                        dt { "Inicio" } dd { (shared::words::date_time(started)) }
                        dt { "Duración" } dd #duracion { (duration(seconds)) }
                        dt { "Recibida" } dd { (shared::words::date_text_at(&item.received_at, offset)) }
                        @if let Some(p) = s.meta.sampling_position { dt { "Posición de muestreo" } dd { (p) } }
                        @if let Some(old) = r.replaces { dt { "Corrige a" } dd { a href=(format!("/consola/revision/{old}")) { "la encuesta rechazada" } } }
                        @if let Some(new) = r.corrected_by { dt { "Corregida por" } dd { a href=(format!("/consola/revision/{new}")) { "otra encuesta" } } }
                    }
                    h2 { "Por qué está en revisión" }
                    @if item.flags.is_empty() { p.muted { "Sin alertas." } }
                    ul.flags #alertas { @for f in &item.flags { li data-flag=(f.code) { (f.reason) } } }
                }
                @if item.state == ReviewState::InReview && r.corrected_by.is_none() { (decision_forms(&session, id)) }
                div.card #respuestas {
                    h2 { "Respuestas" }
                    @match &sections {
                        None => p.error { "El formulario " (s.form_id) " " (s.form_version) " ya no está publicado en este servidor." },
                        Some(sections) => @for sec in sections {
                            h3 { (sec.title) }
                            dl.answers { @for row in &sec.rows {
                                dt { (row.label) }
                                dd data-answer=(row.path) { @match &row.answer { Some(a) => (a), None => span.muted { "Sin respuesta" } } }
                            } }
                        },
                    }
                }
                div.card #mismo-dia {
                    h2 { "Otras encuestas de " (r.display_name) " ese día" }
                    @if day.is_empty() { p.muted { "Ninguna otra." } } @else {
                        table.rank {
                            caption.muted { (shared::words::count(day.len() as u64, "encuesta más", "encuestas más")) " el " (shared::words::date(item.capture_date)) }
                            thead { tr { th scope="col" { "Hora" } th scope="col" { "Centro" } th scope="col" { "Estado" } th scope="col" { "Alertas" } } }
                            tbody { @for d in &day {
                                tr data-same-day=(d.submission_id) {
                                    td { a href=(format!("/consola/revision/{}", d.submission_id)) { (finalised_time(d.finalised_unix, offset)) } }
                                    td { (centro_name(&names, &d.centro_id)) }
                                    td { (d.state.label()) }
                                    td { (d.flags.iter().map(|f| f.reason.as_str()).collect::<Vec<_>>().join("; ")) }
                                }
                            } }
                        }
                    }
                }
            },
        ))
    }
    .await;
    respond(&session, result)
}

/// A survey's length: «11 s», «4 min 05 s».
fn duration(seconds: u64) -> String {
    if seconds < 60 { format!("{seconds} s") } else { format!("{} min {:02} s", seconds / 60, seconds % 60) }
}

/// The local time a survey was finalised: «10:42».
fn finalised_time(unix: i64, offset: chrono::FixedOffset) -> String {
    chrono::DateTime::from_timestamp(unix, 0).map_or_else(String::new, |t| t.with_timezone(&offset).format("%H:%M").to_string())
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
        Ok(if decision == Decision::Reject { "Encuesta rechazada; el motivo llegará al teléfono de quien la levantó." } else { "Encuesta aprobada." }.to_string())
    }
    .await;
    super::page::after_form(&session, "/consola/revision", result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_said_in_minutes_and_seconds() {
        assert_eq!(duration(11), "11 s");
        assert_eq!(duration(245), "4 min 05 s");
    }
}
