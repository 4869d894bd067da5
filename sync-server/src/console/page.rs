//! What every console page shares: the session extractor, CSRF tokens, the layout and
//! error pages.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use sha2::{Digest, Sha256};
use shared::protocol::Role;

use crate::auth::{session_cookie, token_hash};
use crate::db::Device;
use crate::error::AppError;
use crate::state::AppState;

/// A signed-in console user.
pub struct Session {
    pub device: Device,
    /// The token forms must echo (derived from the secret session token).
    pub csrf: String,
}

/// The CSRF token of a session token.
pub fn csrf_for(token: &str) -> String {
    shared::digest::hex(&Sha256::digest(format!("csrf:{token}").as_bytes())[..16])
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let to_login = || Redirect::to("/consola/entrar").into_response();
        let Some(token) = session_cookie(&parts.headers) else { return Err(to_login()) };
        match state.db.device_by_token(token_hash(&token)).await {
            Ok(Some(device)) if !device.revoked => match state.console_session_alive(device.id).await {
                Ok(true) => {
                    if let Some(seen) = parts.extensions.get::<crate::access_log::DeviceSeen>() {
                        seen.note(device.id);
                    }
                    Ok(Session { device, csrf: csrf_for(&token) })
                }
                Ok(false) => Err(to_login()),
                Err(e) => Err(error_page(None, AppError::from(e))),
            },
            Ok(_) => Err(to_login()),
            Err(e) => Err(error_page(None, AppError::from(e))),
        }
    }
}

impl Session {
    /// A form's CSRF token must match the session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), AppError> {
        let ok = sent.len() == self.csrf.len() && sent.bytes().zip(self.csrf.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if ok { Ok(()) } else { Err(AppError::Forbidden("El formulario caducó; recargue la página e intente de nuevo.".into())) }
    }
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Administración",
        Role::Staff => "Coordinación",
        Role::Supervisor => "Supervisión",
        Role::Inspector => "Inspección",
        Role::Surveyor => "Encuestas",
        Role::Enlace => "Enlace institucional",
    }
}

/// The page frame: header, navigation (when signed in), content.
pub fn layout(title: &str, session: Option<&Session>, active: &str, body: Markup) -> Markup {
    layout_refreshing(title, session, active, body, None)
}

/// A page that reloads itself every `refresh` seconds (progress of long work; no scripts).
pub fn layout_refreshing(title: &str, session: Option<&Session>, active: &str, body: Markup, refresh: Option<u32>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="es-MX" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(r) = refresh { meta http-equiv="refresh" content=(r); }
                title { (title) " · Ventanilla" }
                style { (maud::PreEscaped(super::style::CSS)) }
            }
            body {
                header.top {
                    div.brand { "Ventanilla" span { "Consola" } }
                    @if let Some(s) = session {
                        @if s.device.user.role == Role::Enlace { nav {
                            a href="/consola/institucion" class=[(active == "institucion").then_some("on")] { "Mi institución" }
                            a href="/consola/incorporacion" class=[(active == "incorporacion").then_some("on")] { "Incorporación" }
                        } } @else { nav {
                            a href="/consola/resultados" class=[(active == "resultados").then_some("on")] { "Resultados" }
                            a href="/consola/campo" class=[(active == "campo").then_some("on")] { "Trabajo de campo" }
                            a href="/consola/revision" class=[(active == "revision").then_some("on")] { "Revisión" }
                            @if crate::access::grant(s.device.user.role, crate::access::Resource::Program).is_some() {
                                a href="/consola/admin" class=[(active == "admin").then_some("on")] { "Administración" }
                            }
                            @if crate::access::grant(s.device.user.role, crate::access::Resource::IncorporationReview).is_some() {
                                a href="/consola/incorporacion" class=[(active == "incorporacion").then_some("on")] { "Incorporación" }
                            }
                            @if crate::access::grant(s.device.user.role, crate::access::Resource::Trainings).is_some() {
                                a href="/consola/capacitaciones" class=[(active == "capacitaciones").then_some("on")] { "Capacitaciones" }
                            }
                        } }
                        form.logout method="post" action="/consola/salir" {
                            input type="hidden" name="csrf" value=(s.csrf);
                            span.who { (s.device.user.display_name) " · " (role_label(s.device.user.role)) }
                            button type="submit" { "Salir" }
                        }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// An error as a page, with the error's status.
pub fn error_page(session: Option<&Session>, e: AppError) -> Response {
    let status = e.status();
    let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = ?e, "console error");
        "Error interno del servidor; intente de nuevo más tarde.".to_string()
    } else {
        e.to_string()
    };
    let title = match status {
        StatusCode::FORBIDDEN => "Sin acceso",
        StatusCode::NOT_FOUND => "No encontrado",
        _ => "No se pudo completar",
    };
    (status, Html(layout(title, session, "", html! { p.error role="alert" { (message) } }).into_string())).into_response()
}

/// `text` percent-encoded for a query string.
pub fn query_text(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// Back to `path` (which may carry a query already) with a notice of what was done
/// (shown by the page, `hecho=`).
pub fn redirect_with_notice(path: &str, done: &str) -> Response {
    // The notice goes in the query, before a `#fragment`.
    let (path, fragment) = path.split_once('#').map_or((path, String::new()), |(p, f)| (p, format!("#{f}")));
    let join = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{join}hecho={}{fragment}", query_text(done))).into_response()
}

/// After a console form: back to `path` with what was done, or the error as a page.
pub fn after_form(session: &Session, path: &str, result: Result<String, AppError>) -> Response {
    match result {
        Ok(done) => redirect_with_notice(path, &done),
        Err(e) => error_page(Some(session), e),
    }
}

/// The period a page shows: the one asked for, else the newest.
pub fn pick_period(periods: &[(String, String)], asked: Option<String>) -> Option<String> {
    asked.or_else(|| periods.first().map(|p| p.0.clone()))
}

/// The period picker of a filter form.
pub fn period_select(periods: &[(String, String)], period: &str) -> Markup {
    html! {
        div { label for="periodo" { "Periodo" }
            select #periodo name="periodo" { @for (id, name) in periods { option value=(id) selected[id == period] { (name) } } } }
    }
}

/// A page, or its error as a page.
pub fn respond(session: &Session, page: Result<Markup, AppError>) -> Response {
    match page {
        Ok(m) => render(m),
        Err(e) => error_page(Some(session), e),
    }
}

/// A page as a response.
pub fn render(markup: Markup) -> Response {
    Html(markup.into_string()).into_response()
}

/// Problems located in a file: (sheet, row, column, message).
pub type Located = Vec<(String, Option<u32>, Option<String>, String)>;

/// Problems of an uploaded file, by sheet, row and column.
pub fn problems_table(title: &str, problems: &Located) -> Markup {
    html! {
        div.card #errores {
            p.error role="alert" { (title) }
            table.rank {
                thead { tr { th { "Hoja" } th { "Fila" } th { "Columna" } th { "Problema" } } }
                tbody { @for (sheet, row, column, message) in problems {
                    tr.attention data-row=[row] { td { (sheet) } td.num { @if let Some(r) = row { (r) } } td { (column.clone().unwrap_or_default()) } td { (message) } }
                } }
            }
        }
    }
}

/// The located problems of a refusal with details.
pub fn located(e: &shared::protocol::ApiError) -> Located {
    e.details.iter().map(|d| (d.sheet.clone(), d.row, d.column.clone(), d.message.clone())).collect()
}

/// Most text fields read from a multipart console form, and their longest value.
const MAX_FORM_FIELDS: usize = 10;
const MAX_FORM_FIELD_BYTES: usize = 1_000;

/// A console form's file (field `archivo`) with its name, the form's CSRF token, and its
/// other short text fields.
pub struct UploadedFile {
    pub csrf: String,
    pub name: String,
    pub bytes: Vec<u8>,
    pub fields: std::collections::BTreeMap<String, String>,
    /// Files of the `adjuntos` input (the files an XLSForm uses), with their names.
    pub attachments: Vec<shared::form::Attachment>,
}

impl UploadedFile {
    /// A text field, trimmed ("" when absent).
    pub fn field(&self, name: &str) -> String {
        self.fields.get(name).map(|v| v.trim().to_string()).unwrap_or_default()
    }
}

/// Reads a multipart console form (its size is bounded by the route's body limit). What
/// the multipart reader says when a body is cut or too large is English: the answer is
/// Spanish.
pub async fn multipart_file(mut multipart: axum::extract::Multipart) -> Result<UploadedFile, AppError> {
    let cut = || AppError::BadRequest("bad_body", "El envío llegó incompleto o excede el tamaño permitido; intente de nuevo con un archivo más pequeño.".into());
    let (mut csrf, mut name, mut bytes, mut fields) = (String::new(), String::new(), Vec::new(), std::collections::BTreeMap::new());
    let mut attachments = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| cut())? {
        match field.name().map(str::to_string) {
            Some(n) if n == "csrf" => csrf = field.text().await.map_err(|_| cut())?,
            Some(n) if n == "archivo" => {
                name = field.file_name().unwrap_or_default().to_string();
                bytes = field.bytes().await.map_err(|_| cut())?.to_vec();
            }
            Some(n) if n == "adjuntos" => {
                if attachments.len() >= shared::form::MAX_ATTACHMENTS {
                    return Err(AppError::BadRequest("bad_body", format!("Adjunte como máximo {} archivos.", shared::form::MAX_ATTACHMENTS)));
                }
                let file = field.file_name().unwrap_or_default().to_string();
                let data = field.bytes().await.map_err(|_| cut())?.to_vec();
                // An empty file input still sends one part without a name.
                if !file.is_empty() {
                    attachments.push(shared::form::Attachment { name: file, bytes: data });
                }
            }
            Some(n) if fields.len() < MAX_FORM_FIELDS => {
                let value = field.text().await.map_err(|_| cut())?;
                if value.len() > MAX_FORM_FIELD_BYTES {
                    return Err(AppError::BadRequest("bad_body", format!("El campo «{n}» es demasiado largo.")));
                }
                fields.insert(n, value);
            }
            _ => {}
        }
    }
    if bytes.is_empty() {
        return Err(AppError::BadRequest("bad_body", "Elija un archivo.".into()));
    }
    Ok(UploadedFile { csrf, name, bytes, fields, attachments })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notice_goes_in_the_query_before_the_fragment() {
        let location = |r: Response| r.headers().get(axum::http::header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        assert_eq!(location(redirect_with_notice("/consola/x?periodo=1#qr", "Hecho")), "/consola/x?periodo=1&hecho=Hecho#qr");
        assert_eq!(location(redirect_with_notice("/consola/x", "Hecho")), "/consola/x?hecho=Hecho");
    }
}
