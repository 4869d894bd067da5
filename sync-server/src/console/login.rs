//! Signing in and out of the console.

use super::extract::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::page::{Session, error_page, layout, render};
use crate::auth::SESSION_COOKIE;
use crate::error::AppError;
use crate::state::AppState;


fn login_form(error: Option<&str>) -> Markup {
    layout(
        "Entrar",
        None,
        "",
        html! {
            div.card {
                p { "Consola de supervisión y coordinación del programa." }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/consola/entrar" {
                    label for="usuario" { "Usuario" }
                    input #usuario type="text" name="username" autocomplete="username" required maxlength="100";
                    label for="contrasena" { "Contraseña" }
                    input #contrasena type="password" name="password" autocomplete="current-password" required maxlength="200";
                    p { button #entrar type="submit" { "Entrar" } }
                }
            }
        },
    )
}

pub async fn form() -> Response {
    render(login_form(None))
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
}

pub async fn submit(State(state): State<AppState>, client: crate::auth::ClientAddr, headers: HeaderMap, Form(f): Form<LoginForm>) -> Response {
    match crate::service::login::login(&state, client, &f.username, &f.password, "Consola web").await {
        Ok(session) if crate::access::grant(session.user.role, crate::access::Resource::Console).is_none() => {
            let _ = state.db.revoke_device(session.device_id).await;
            (StatusCode::FORBIDDEN, render(login_form(Some("La consola es para supervisión y coordinación; use la app en campo.")))).into_response()
        }
        Ok(session) => {
            // Login CSRF is refused by the console's same-origin layer before this handler.
            if let Err(e) = state.db.start_session(session.device_id, chrono::Utc::now().timestamp()).await {
                return error_page(None, e.into());
            }
            let max_age = state.console.session.absolute;
            let secure = if super::origin::secure_cookie(&headers, &state) { "; Secure" } else { "" };
            let cookie = format!("{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}", session.token);
            let mut response = Redirect::to("/consola/resultados").into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            response
        }
        Err(e @ (AppError::Unauthorized(..) | AppError::BadRequest(..) | AppError::TooMany { .. })) => {
            let status = e.status();
            let mut response = (status, render(login_form(Some(&e.to_string())))).into_response();
            if let AppError::TooMany { retry_after, .. } = e {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after.max(1)));
            }
            response
        }
        Err(e) => error_page(None, e),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(State(state): State<AppState>, session: Session, Form(f): Form<CsrfForm>) -> Response {
    if let Err(e) = session.check_csrf(&f.csrf) {
        return error_page(Some(&session), e);
    }
    if let Err(e) = state.db.revoke_device(session.device.id).await {
        return error_page(Some(&session), e.into());
    }
    let mut response = Redirect::to("/consola/entrar").into_response();
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&clear) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
