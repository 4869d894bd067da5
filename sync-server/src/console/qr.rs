//! The QR codes of a centro in the console (staff): issue, re-issue and revoke the code of
//! a period, print its poster; and the centro's surveys by collection mode.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use maud::{Markup, PreEscaped, html};
use serde::Deserialize;
use shared::protocol::CollectionMode;

use super::extract::{Form, Path};
use super::page::{Session, after_form, layout, respond};
use crate::access::{self, Resource};
use crate::db::QrCode;
use crate::error::AppError;
use crate::service::qr;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct IssueForm {
    csrf: String,
    periodo: String,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// `POST /consola/centros/{centro}/qr`: a new code for the period (the one before stops).
pub async fn issue(State(state): State<AppState>, session: Session, Path(centro): Path<String>, Form(f): Form<IssueForm>) -> Response {
    let result = async {
        session.check_csrf(&f.csrf)?;
        let key = super::filings::key(&centro)?;
        let code = qr::issue(&state, &session.device, key.as_str(), &f.periodo).await?;
        Ok(format!("Código QR {} emitido para el periodo {}: imprima su cartel.", code.id, code.period_id))
    }
    .await;
    after_form(&session, &format!("/consola/centros/{centro}?periodo={}#codigo-qr", f.periodo), result)
}

/// `POST /consola/centros/{centro}/qr/{id}/revocar`: the poster stops working.
pub async fn revoke(State(state): State<AppState>, session: Session, Path((centro, id)): Path<(String, i64)>, Form(f): Form<CsrfForm>) -> Response {
    let mut period = String::new();
    let result = async {
        session.check_csrf(&f.csrf)?;
        let code = qr::revoke(&state, &session.device, id).await?;
        period = code.period_id;
        Ok(format!("Código QR {id} revocado: su cartel ya no abre la encuesta."))
    }
    .await;
    after_form(&session, &format!("/consola/centros/{centro}?periodo={period}#codigo-qr"), result)
}

/// `GET /consola/centros/{centro}/qr/{id}/cartel`: the printable poster.
pub async fn poster(State(state): State<AppState>, session: Session, headers: HeaderMap, Path((centro, id)): Path<(String, i64)>) -> Response {
    respond(&session, poster_page(&state, &session, &headers, &centro, id).await)
}

async fn poster_page(state: &AppState, session: &Session, headers: &HeaderMap, centro: &str, id: i64) -> Result<Markup, AppError> {
    crate::service::program::staff(&session.device)?;
    let code = state.db.qr_code(id).await?.filter(|c| c.centro_id == centro).ok_or_else(|| AppError::NotFound(format!("No existe el código QR {id} de «{centro}».")))?;
    if code.revoked_at.is_some() {
        return Err(AppError::Conflict("Este código fue revocado: emita uno nuevo para imprimir su cartel.".into()));
    }
    let base = super::origin::link_base(headers, state).ok_or_else(|| AppError::BadRequest("bad_host", "No se pudo saber la dirección del servidor para el cartel.".into()))?;
    let url = qr::survey_url(state, &base, &code);
    let svg = crate::qr::poster::svg(&url, 420).ok_or_else(|| AppError::BadRequest("url_too_long", "La dirección del servidor es demasiado larga para un código QR.".into()))?;
    let name = state.db.centro(code.centro_id.clone()).await?.name;
    Ok(layout(
        "Cartel del código QR",
        Some(session),
        "resultados",
        html! {
            p.muted.no-print { a href=(format!("/consola/centros/{centro}?periodo={}#codigo-qr", code.period_id)) { "Volver al centro" } " · Imprima esta página (Ctrl+P): el cartel ocupa una hoja carta." }
            div.poster #cartel {
                h2 { "¿Cómo lo atendimos hoy?" }
                p.big { "Escanee el código con la cámara de su teléfono y conteste una encuesta breve y anónima." }
                div.qr data-url=(url) { (PreEscaped(svg)) }
                p.centro { (name) }
                p.muted { "Programa MAS · periodo " (code.period_id) " · código " (code.id) }
                p.url { (url) }
            }
        },
    ))
}

/// Each collection mode's surveys at a centro (every review state), between two dates.
fn totals(days: &[(String, String, u64)]) -> Vec<(CollectionMode, u64)> {
    CollectionMode::ALL
        .into_iter()
        .map(|m| (m, days.iter().filter(|(_, code, _)| code == m.code()).map(|(_, _, n)| n).sum()))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// The centro page's card: surveys by mode in the period, and (staff) its QR code.
pub async fn centro_card(state: &AppState, session: &Session, centro: &str, period: &str) -> Result<Markup, AppError> {
    let dates = state.db.period_dates(period.to_string()).await?;
    let by_day = match dates {
        Some((start, end)) => state.db.surveys_by_mode(Some(centro.to_string()), start, end).await?,
        None => Vec::new(),
    };
    let staff = access::grant(session.device.user.role, Resource::Program).is_some();
    let codes: Vec<QrCode> = if staff { state.db.qr_codes(centro.to_string()).await?.into_iter().filter(|c| c.period_id == period).collect() } else { Vec::new() };
    let active = codes.iter().find(|c| c.revoked_at.is_none());
    Ok(html! {
        h2 #por-modo { "Encuestas por modo de levantamiento" }
        div.card {
            @let totals = totals(&by_day);
            @if totals.is_empty() { p.muted { "Sin encuestas en el periodo." } }
            @else { table.rank { tr { th { "Modo" } th { "Encuestas recibidas" } } @for (m, n) in &totals { tr data-mode-total=(m.code()) { td { (m.label()) } td.num { (n) } } } } }
            p.muted { "Recibidas en el periodo, cuenten o no (incluye las que esperan revisión)." }
        }
        @if staff {
            h2 #codigo-qr { "Código QR para la ciudadanía" }
            div.card {
                @match active {
                    Some(code) => {
                        p { "Código " (code.id) " vigente desde " (code.created_at.get(..10).unwrap_or(&code.created_at)) ". "
                            a href=(format!("/consola/centros/{centro}/qr/{}/cartel", code.id)) data-poster { "Ver e imprimir el cartel" } }
                        form.inline method="post" action=(format!("/consola/centros/{centro}/qr/{}/revocar", code.id)) {
                            input type="hidden" name="csrf" value=(session.csrf);
                            button.secondary type="submit" { "Revocar (el cartel deja de funcionar)" }
                        }
                    }
                    None => p.muted { "Este centro no tiene código QR vigente en el periodo." },
                }
                form.inline method="post" action=(format!("/consola/centros/{centro}/qr")) {
                    input type="hidden" name="csrf" value=(session.csrf);
                    input type="hidden" name="periodo" value=(period);
                    button type="submit" data-issue { @if active.is_some() { "Emitir un código nuevo (reemplaza al vigente)" } @else { "Emitir código QR" } }
                }
                @let revoked = codes.iter().filter(|c| c.revoked_at.is_some()).count();
                @if revoked > 0 { p.muted { (revoked) " códigos anteriores revocados." } }
                p.muted { "Las encuestas por QR se informan aparte del índice (salvo que el método las incluya) y pasan por las mismas revisiones." }
            }
        }
    })
}
