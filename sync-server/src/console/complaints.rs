//! A centro's complaints log in the console: each complaint with its dates, corrective
//! action and acknowledgement, editable in place with today's values, and a form to record
//! one more (staff, admin; as `PUT /centros/{centro}/complaints/{folio}`).

use axum::extract::State;
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use shared::protocol::ComplaintInput;
use shared::scoring::Complaint;

use super::extract::{Form, Path};
use super::page::Session;
use crate::error::AppError;
use crate::state::AppState;

fn yes_no(name: &str, id: &str, value: Option<bool>) -> Markup {
    html! {
        select id=(id) name=(name) required {
            option value="" selected[value.is_none()] disabled { "Elija" }
            option value="si" selected[value == Some(true)] { "Sí" }
            option value="no" selected[value == Some(false)] { "No" }
        }
    }
}

/// The form of one complaint (`None`: a new one), filled with what is on record.
fn complaint_form(session: &Session, centro: &str, c: Option<&Complaint>) -> Markup {
    let suffix = c.map_or("nueva".to_string(), |c| c.folio.clone());
    let id = |f: &str| format!("q{f}-{suffix}");
    html! {
        form.toolbar method="post" action=(format!("/consola/centros/{centro}/quejas")) data-complaint-form=(suffix) {
            input type="hidden" name="csrf" value=(session.csrf);
            @match c {
                Some(c) => input type="hidden" name="folio" value=(c.folio);,
                None => div { label for=(id("folio")) { "Folio" } input id=(id("folio")) type="text" name="folio" required maxlength="64" pattern="[A-Za-z0-9_.\\-]{1,64}"; },
            }
            div { label for=(id("recibida")) { "Recibida el" } input id=(id("recibida")) type="date" name="received" required value=(c.map(|c| c.received.to_string()).unwrap_or_default()); }
            div { label for=(id("respondida")) { "Respondida el (vacío: sin respuesta)" } input id=(id("respondida")) type="date" name="responded" value=(c.and_then(|c| c.responded).map(|d| d.to_string()).unwrap_or_default()); }
            div { label for=(id("correctiva")) { "Acción correctiva" } (yes_no("corrective_action", &id("correctiva"), c.map(|c| c.corrective_action))) }
            div { label for=(id("acuse")) { "Acuse del ciudadano" } (yes_no("acknowledged", &id("acuse"), c.map(|c| c.acknowledged))) }
            button type="submit" { @if c.is_some() { "Guardar cambios" } @else { "Registrar queja" } }
        }
    }
}

/// The complaints card: the log, and (for who may record them) each complaint editable
/// and a form for a new one.
pub fn complaints_card(session: &Session, centro: &str, complaints: &[Complaint], editable: bool) -> Markup {
    html! {
        h2 #quejas { "Libro de quejas" }
        div.card {
            @if complaints.is_empty() { p.muted { "Sin quejas registradas." } }
            @if !complaints.is_empty() {
                table.rank {
                    thead { tr { th scope="col" { "Folio" } th scope="col" { "Recibida" } th scope="col" { "Respondida" } th scope="col" { "Acción correctiva" } th scope="col" { "Acuse" } } }
                    tbody { @for q in complaints {
                        tr data-complaint=(q.folio) {
                            td { (q.folio) } td { (shared::words::date(q.received)) }
                            td { @if let Some(r) = q.responded { (shared::words::date(r)) } @else { "sin respuesta" } }
                            td { @if q.corrective_action { "sí" } @else { "no" } } td { @if q.acknowledged { "sí" } @else { "no" } }
                        }
                    } }
                }
            }
            @if editable {
                @for q in complaints {
                    details.edit { summary.button-like { "Corregir la queja " (q.folio) } (complaint_form(session, centro, Some(q))) }
                }
                details.edit open[complaints.is_empty()] { summary.button-like { "Registrar una queja" } (complaint_form(session, centro, None)) }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ComplaintForm {
    csrf: String,
    folio: String,
    received: String,
    #[serde(default)]
    responded: String,
    corrective_action: String,
    acknowledged: String,
}

fn yes(text: &str, what: &str) -> Result<bool, AppError> {
    match text {
        "si" => Ok(true),
        "no" => Ok(false),
        _ => Err(AppError::Unprocessable("invalid", format!("Indique si hubo {what}."))),
    }
}

/// `POST /consola/centros/{centro}/quejas`.
pub async fn save(State(state): State<AppState>, session: Session, Path(centro): Path<String>, Form(f): Form<ComplaintForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let (c, folio) = (super::filings::key(&centro)?, super::filings::key(f.folio.trim())?);
        let date = |text: &str, what: &str| {
            chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| AppError::Unprocessable("invalid", format!("Escriba la fecha en que {what}.")))
        };
        let received = date(&f.received, "se recibió la queja")?;
        let responded = if f.responded.trim().is_empty() { None } else { Some(date(&f.responded, "se respondió")?) };
        let input = ComplaintInput { received, responded, corrective_action: yes(&f.corrective_action, "acción correctiva")?, acknowledged: yes(&f.acknowledged, "acuse")? };
        crate::service::filings::record_complaint(&state, &session.device, c.as_str(), folio.as_str(), input).await?;
        Ok::<_, AppError>(format!("Queja {folio} guardada."))
    }
    .await;
    super::page::after_form(&session, &format!("/consola/centros/{}#quejas", super::filings::key(&centro).map_or_else(|_| String::new(), |k| k.to_string())), result)
}
