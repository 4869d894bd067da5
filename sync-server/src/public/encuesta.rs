//! The citizen's survey from a centro's QR code: `/encuesta/{centro}/{token}`. One question
//! per page, large text, no JavaScript, no login and no cookie: each page carries the
//! one-time nonce the first page issued and the answers given so far back to the server,
//! which walks the form (`service::qr`) and stores the survey once at «Enviar».

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use shared::answers::Answers;
use shared::form::{Field, FieldKind};
use shared::validate::Report;

use crate::auth::ClientAddr;
use crate::error::AppError;
use crate::service::qr::{self, Finished, Opened, QrRefusal};
use crate::state::AppState;

const CSS: &str = r#"
*{box-sizing:border-box}body{margin:0;font:20px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f3f4f6}
header{background:#0b3d91;color:#fff;padding:14px 18px}header p{margin:0;font-size:16px}header strong{display:block;font-size:19px}
main{max-width:640px;margin:0 auto;padding:18px}
h1{font-size:25px;line-height:1.3;margin:8px 0 18px}
progress{width:100%;height:12px}.paso{font-size:16px;color:#4b5563;margin:0}
fieldset{border:0;margin:0;padding:0}
.opcion{display:flex;align-items:center;gap:14px;background:#fff;border:2px solid #d1d5db;border-radius:12px;padding:14px 16px;margin:10px 0;min-height:56px;cursor:pointer}
.opcion input{width:28px;height:28px;flex:none;margin:0}
input[type=text],input[type=number],input[type=date],textarea{width:100%;font:inherit;padding:14px;border:2px solid #9ca3af;border-radius:12px;background:#fff}
textarea{min-height:140px}
.error{background:#fef2f2;border-left:6px solid #b91c1c;color:#7f1d1d;padding:12px 14px;border-radius:8px}
.botones{display:flex;flex-direction:row-reverse;gap:12px;margin-top:24px}
button{font:inherit;font-weight:600;border-radius:12px;padding:16px 18px;border:0;min-height:56px;flex:1}
.siguiente{background:#0b3d91;color:#fff}.anterior{background:#e5e7eb;color:#111827}
.aviso{background:#fff;border-radius:12px;padding:16px;border:1px solid #d1d5db}
footer{max-width:640px;margin:0 auto;padding:0 18px 24px;font-size:15px;color:#4b5563}
"#;

fn page(centro: &str, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="es-MX" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " · Encuesta ciudadana" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header { p { "Encuesta ciudadana · Programa MAS" } strong { (centro) } }
                main { (body) }
                footer { p { "Anónima: no pedimos su nombre, teléfono ni CURP, y esta página no guarda nada en su teléfono." } }
            }
        }
    }
}

/// A page that must not be cached nor tell other sites where it was (the URL holds the code).
fn respond(status: StatusCode, markup: Markup) -> Response {
    let mut r = (status, Html(markup.into_string())).into_response();
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    r
}

fn refused(why: QrRefusal) -> Response {
    let status = match why {
        QrRefusal::NotACode => StatusCode::NOT_FOUND,
        QrRefusal::Revoked | QrRefusal::PeriodClosed | QrRefusal::Expired => StatusCode::GONE,
        QrRefusal::BadNonce => StatusCode::FORBIDDEN,
        QrRefusal::NoForm => StatusCode::SERVICE_UNAVAILABLE,
    };
    respond(status, page("", "No disponible", html! { h1 { "No disponible" } p.aviso data-refusal { (why.message()) } }))
}

fn failed(e: AppError) -> Response {
    tracing::error!(error = %e, "QR survey page failed");
    respond(StatusCode::INTERNAL_SERVER_ERROR, page("", "Error", html! { h1 { "Algo salió mal" } p.aviso { "No pudimos continuar. Intente de nuevo en unos minutos." } }))
}

/// The per-address limit of the survey pages: the 429 page when it is reached.
fn limited(state: &AppState, client: &ClientAddr) -> Option<Response> {
    state.qr_limiter.take(&format!("qr:{}", client.key())).err().map(|seconds| {
        let mut r = respond(
            StatusCode::TOO_MANY_REQUESTS,
            page("", "Espere un momento", html! { h1 { "Espere un momento" } p.aviso { "Llegaron muchas respuestas desde esta conexión. Intente de nuevo en " (seconds) " segundos." } }),
        );
        if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    })
}

/// The code a page's URL names, within the per-address limit; else the page that says why not.
async fn opened(state: &AppState, client: &ClientAddr, centro: &str, token: &str) -> Result<Opened, Response> {
    if let Some(r) = limited(state, client) {
        return Err(r);
    }
    match qr::open(state, centro, token).await {
        Ok(Ok(o)) => Ok(o),
        Ok(Err(why)) => Err(refused(why)),
        Err(e) => Err(failed(e)),
    }
}

/// `GET /encuesta/{centro}/{token}`: what the code opens, and «Comenzar».
pub async fn welcome(State(state): State<AppState>, client: ClientAddr, Path((centro, token)): Path<(String, String)>) -> Response {
    let opened = match opened(&state, &client, &centro, &token).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let nonce = qr::start(&state, &opened);
    let title = opened.form.title.get(opened.form.language()).unwrap_or("Encuesta").to_string();
    respond(
        StatusCode::OK,
        page(
            &opened.centro_name,
            &title,
            html! {
                h1 { "Su opinión sobre la atención que recibió hoy" }
                p { "Son unas preguntas breves (unos 3 minutos). Sus respuestas ayudan a mejorar la atención de esta oficina." }
                form method="post" {
                    input type="hidden" name="nonce" value=(nonce);
                    input type="hidden" name="paso" value="0";
                    input type="hidden" name="respuestas" value="{}";
                    div.botones { button.siguiente type="submit" name="accion" value="comenzar" { "Comenzar" } }
                }
            },
        ),
    )
}

/// What a survey page sends.
#[derive(Default)]
struct Sent {
    nonce: String,
    step: usize,
    answers: String,
    action: String,
    values: Vec<String>,
}

fn read(pairs: Vec<(String, String)>) -> Sent {
    let mut sent = Sent::default();
    for (k, v) in pairs {
        match k.as_str() {
            "nonce" => sent.nonce = v,
            "paso" => sent.step = v.parse().unwrap_or(0),
            "respuestas" => sent.answers = v,
            "accion" => sent.action = v,
            "valor" if sent.values.len() < qr::MAX_ANSWERS => sent.values.push(v),
            _ => {}
        }
    }
    sent
}

/// `POST /encuesta/{centro}/{token}`: the next page, the one before, or «Enviar».
pub async fn answer(State(state): State<AppState>, client: ClientAddr, Path((centro, token)): Path<(String, String)>, body: Result<axum::Form<Vec<(String, String)>>, axum::extract::rejection::FormRejection>) -> Response {
    let opened = match opened(&state, &client, &centro, &token).await {
        Ok(o) => o,
        Err(r) => return r,
    };
    let unreadable = |centro: &str| {
        respond(
            StatusCode::UNPROCESSABLE_ENTITY,
            page(centro, "Respuestas ilegibles", html! { h1 { "No pudimos leer sus respuestas" } p.aviso { "Escanee el código otra vez para comenzar de nuevo." } }),
        )
    };
    // A body that is not a form, or too large (read no further than the limit), is said in
    // Spanish, never in axum's words.
    let pairs = match body {
        Ok(axum::Form(pairs)) => pairs,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let text = html! { h1 { "Respuestas demasiado largas" } p.aviso { "Lo que envió excede lo que esta encuesta admite. Escanee el código otra vez para comenzar de nuevo." } };
            return respond(StatusCode::PAYLOAD_TOO_LARGE, page(&opened.centro_name, "Demasiado largo", text));
        }
        Err(_) => return unreadable(&opened.centro_name),
    };
    let sent = read(pairs);
    let started = match qr::started(&state, &opened, &sent.nonce) {
        Ok(at) => at,
        Err(why) => return refused(why),
    };
    let Some(mut answers) = qr::carried(&sent.answers) else { return unreadable(&opened.centro_name) };
    let report = qr::walk(&state, &opened, started, &sent.nonce, &answers);
    let here = report.asked.get(sent.step).cloned();
    let value = sent.values.join(" ");
    let view = View { state: &state, opened: &opened, nonce: &sent.nonce, started };
    if value.chars().count() > qr::MAX_ANSWER_CHARS && sent.action == "siguiente" {
        return view.question(&answers, sent.step, Some(format!("Escriba como máximo {} caracteres.", qr::MAX_ANSWER_CHARS)));
    }
    // What a question's page answered is kept whatever its button (going back keeps it
    // too); the welcome and «Enviar» pages answer nothing.
    if let Some(path) = &here
        && matches!(sent.action.as_str(), "siguiente" | "anterior")
        && opened.form.field(path).is_some_and(|f| f.kind != FieldKind::Note)
        && value.chars().count() <= qr::MAX_ANSWER_CHARS
    {
        answers = with_answer(&answers, path, &value);
    }
    match sent.action.as_str() {
        "comenzar" => view.question(&answers, 0, None),
        "anterior" => view.question(&answers, sent.step.saturating_sub(1), None),
        "enviar" => match qr::finish(&state, &opened, &sent.nonce, started, &answers).await {
            Ok(Ok(done)) => thanks(&opened, &done),
            Ok(Err(report)) => {
                let asked = qr::walk(&state, &opened, started, &sent.nonce, &answers).asked;
                let first = report.errors.iter().find_map(|e| asked.iter().position(|p| *p == e.path)).unwrap_or(0);
                view.question(&answers, first, None)
            }
            Err(e) => failed(e),
        },
        _ => {
            let report = qr::walk(&state, &opened, started, &sent.nonce, &answers);
            let problem = here.as_ref().and_then(|p| report.errors.iter().find(|e| e.path == *p)).map(|e| e.message.clone());
            match problem {
                Some(message) => view.question(&answers, sent.step, Some(message)),
                None => view.question(&answers, sent.step + 1, None),
            }
        }
    }
}

/// `answers` with `path` answered `value` (empty: unanswered).
fn with_answer(answers: &Answers, path: &str, value: &str) -> Answers {
    let mut paths: Vec<(String, String)> = answers.to_paths().into_iter().filter(|(p, _)| p != path).collect();
    if !value.trim().is_empty() {
        paths.push((path.to_string(), value.trim().to_string()));
    }
    Answers::from_paths(paths.iter().map(|(p, v)| (p.as_str(), v.as_str())))
}

struct View<'a> {
    state: &'a AppState,
    opened: &'a Opened,
    nonce: &'a str,
    started: chrono::DateTime<chrono::FixedOffset>,
}

impl View<'_> {
    /// The page of question `step` (or «Enviar» past the last one), with `problem` beside it.
    fn question(&self, answers: &Answers, step: usize, problem: Option<String>) -> Response {
        let report: Report = qr::walk(self.state, self.opened, self.started, self.nonce, answers);
        let total = report.asked.len();
        let carried = qr::carry(answers);
        let hidden = |step: usize| {
            html! {
                input type="hidden" name="nonce" value=(self.nonce);
                input type="hidden" name="paso" value=(step);
                input type="hidden" name="respuestas" value=(carried);
            }
        };
        let centro = &self.opened.centro_name;
        let Some(path) = report.asked.get(step) else {
            return respond(
                StatusCode::OK,
                page(
                    centro,
                    "Enviar",
                    html! {
                        h1 { "Listo: ya respondió todas las preguntas" }
                        p { "Revise si quiere cambiar algo con «Anterior»; si no, envíe sus respuestas." }
                        form method="post" {
                            (hidden(total))
                            div.botones {
                                button.siguiente type="submit" name="accion" value="enviar" data-send { "Enviar mis respuestas" }
                                button.anterior type="submit" name="accion" value="anterior" { "Anterior" }
                            }
                        }
                    },
                ),
            );
        };
        let language = self.opened.form.language();
        let field = self.opened.form.field(path);
        let label = field.and_then(|f| f.label.get(language)).unwrap_or(path).to_string();
        let given = answers.value(path).to_string();
        let choices: Vec<(String, String)> = field
            .and_then(|f| f.list_name())
            .and_then(|list| self.opened.form.lists.get(list))
            .map(|list| {
                let names = report.choices.get(path).cloned().unwrap_or_else(|| list.choices.iter().map(|c| c.name.clone()).collect());
                names.into_iter().map(|n| (list.get(&n).and_then(|c| c.label.get(language)).unwrap_or(&n).to_string(), n)).collect()
            })
            .unwrap_or_default();
        respond(
            if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK },
            page(
                centro,
                &label,
                html! {
                    // Until consent opens the rest, the total is not known yet.
                    @if total > 1 {
                        p.paso { "Pregunta " (step + 1) " de " (total) }
                        progress max=(total) value=(step + 1) {}
                    } @else {
                        p.paso { "Pregunta " (step + 1) }
                    }
                    form method="post" data-question=(path) {
                        (hidden(step))
                        @if let Some(message) = &problem { p.error role="alert" data-problem { (message) } }
                        @match field {
                            Some(f) => (input(f, &label, &given, &choices)),
                            None => h1 { (label) },
                        }
                        div.botones {
                            button.siguiente type="submit" name="accion" value="siguiente" { "Siguiente" }
                            @if step > 0 { button.anterior type="submit" name="accion" value="anterior" { "Anterior" } }
                        }
                    }
                },
            ),
        )
    }
}

/// The question's label and its input, as large as a thumb needs.
fn input(field: &Field, label: &str, given: &str, choices: &[(String, String)]) -> Markup {
    let picked: Vec<&str> = given.split_whitespace().collect();
    html! {
        @match &field.kind {
            FieldKind::SelectOne { .. } => fieldset { legend { h1 { (label) } } @for (text, name) in choices { label.opcion { input type="radio" name="valor" value=(name) checked[given == name]; span { (text) } } } },
            FieldKind::SelectMultiple { .. } => fieldset { legend { h1 { (label) } } @for (text, name) in choices { label.opcion { input type="checkbox" name="valor" value=(name) checked[picked.contains(&name.as_str())]; span { (text) } } } },
            FieldKind::Integer => { label for="valor" { h1 { (label) } } input #valor type="number" name="valor" inputmode="numeric" step="1" value=(given); },
            FieldKind::Decimal => { label for="valor" { h1 { (label) } } input #valor type="text" name="valor" inputmode="decimal" value=(given); },
            FieldKind::Date => { label for="valor" { h1 { (label) } } input #valor type="date" name="valor" value=(given); },
            FieldKind::Text if field.appearance.as_deref().is_some_and(|a| a.contains("multiline")) => { label for="valor" { h1 { (label) } } textarea #valor name="valor" maxlength=(qr::MAX_ANSWER_CHARS) { (given) } },
            FieldKind::Text => { label for="valor" { h1 { (label) } } input #valor type="text" name="valor" maxlength=(qr::MAX_ANSWER_CHARS) value=(given); },
            FieldKind::Note => h1 { (label) },
            _ => { h1 { (label) } p.aviso { "Esta pregunta no puede contestarse en esta página; continúe con «Siguiente»." } },
        }
    }
}

fn thanks(opened: &Opened, done: &Finished) -> Response {
    let (title, text) = match done {
        Finished::Stored => ("¡Gracias!", "Recibimos su encuesta. Su opinión ayuda a mejorar la atención de esta oficina."),
        Finished::AlreadyReceived => ("¡Gracias!", "Su encuesta ya se había recibido; no se registró dos veces."),
        Finished::Declined => ("Gracias", "No se guardó ninguna respuesta."),
        Finished::Refused(_) => ("No se pudo guardar", "No pudimos guardar su encuesta."),
    };
    let detail = match done {
        Finished::Refused(message) => Some(message.clone()),
        _ => None,
    };
    let status = if detail.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    respond(status, page(&opened.centro_name, title, html! { h1 data-done { (title) } p.aviso { (text) } @if let Some(d) = detail { p.error { (d) } } }))
}
