//! Self-administered surveys by QR code (issue 17): a code issued in the console opens the
//! centro's survey; a survey is stored once per nonce, as mode `qr`; forged, foreign,
//! revoked and closed-period codes are refused; a bot without the page's nonce stores
//! nothing; too many pages from one address get a Spanish 429; a burst goes to review.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use shared::protocol::{CollectionMode, ScoreTableDto, WireEntry};
use support::{TestApp, console_session, demo_app, survey};

const CENTRO: &str = "GTO-E-T-01";

/// A period around today (the demo's 2025 is over), without the answering-time rule so
/// that a test's instant surveys are not all flagged. Self-completed bursts count within
/// an hour, so that a burst a test makes is one however slow the machine.
async fn current_period(app: &TestApp) {
    period_around_today(app, 0.0).await;
}

async fn period_around_today(app: &TestApp, min_duration_seconds: f64) {
    let staff = app.enrol("coordinacion").await;
    let today = app.state.today();
    let mut settings = serde_json::to_value(shared::scoring::MethodSettings::default()).expect("json");
    settings["integrity"]["min_duration_seconds"] = min_duration_seconds.into();
    settings["integrity"]["self_burst_window_seconds"] = 3600.into();
    let period = serde_json::json!({
        "name": "Periodo en curso",
        "start": (today - chrono::Duration::days(30)).to_string(),
        "end": (today + chrono::Duration::days(30)).to_string(),
        "settings": settings,
    });
    let a = app.put("/api/v1/periods/actual", &staff, &period).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
}

async fn page(app: &TestApp, req: Request<Body>) -> (StatusCode, String) {
    let (status, _, body) = app.send_raw(req).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(path).header(header::HOST, "localhost");
    if let Some(token) = cookie {
        b = b.header(header::COOKIE, format!("ventanilla_sesion={token}"));
    }
    b.body(Body::empty()).expect("request")
}

fn post(path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Request<Body> {
    let body = form.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
    let mut b = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(token) = cookie {
        b = b.header(header::COOKIE, format!("ventanilla_sesion={token}")).header(header::ORIGIN, "http://localhost");
    }
    b.header(header::HOST, "localhost").body(Body::from(body)).expect("request")
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The value of the first `attr="…"` after `marker` in `html`.
fn attr_after(html: &str, marker: &str, attr: &str) -> Option<String> {
    let rest = &html[html.find(marker)?..];
    let at = rest.find(&format!("{attr}=\""))? + attr.len() + 2;
    Some(rest[at..].split('"').next()?.replace("&quot;", "\"").replace("&amp;", "&"))
}

/// Issues the centro's code in the console; its survey's path.
async fn issue(app: &TestApp) -> (String, String) {
    let (token, csrf) = console_session(app, "coordinacion", &format!("/consola/centros/{CENTRO}?periodo=actual")).await;
    let (status, _) = page(app, post(&format!("/consola/centros/{CENTRO}/qr"), Some(&token), &[("csrf", &csrf), ("periodo", "actual")])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, centro) = page(app, get(&format!("/consola/centros/{CENTRO}?periodo=actual"), Some(&token))).await;
    let at = centro.find("/cartel\"").unwrap_or_else(|| panic!("a poster link in {centro}"));
    let start = centro[..at].rfind('"').expect("quote") + 1;
    let poster = centro[start..at + "/cartel".len()].to_string();
    let (status, html) = page(app, get(&poster, Some(&token))).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<svg"), "the poster draws the code");
    let url = attr_after(&html, "class=\"qr\"", "data-url").expect("the poster's URL");
    let path = url.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string())).expect("a path");
    (path, token)
}

/// Every answer of a complete valid survey, as a page carries them.
fn answers(gl1: &str) -> String {
    let mut map = serde_json::Map::new();
    for (k, v) in survey(1, CENTRO).answers {
        if let WireEntry::Value(v) = v {
            map.insert(k, v.into());
        }
    }
    map.insert("GL1".into(), gl1.into());
    // The QR page offers the centro's own trámites (and «otro»), not the form's.
    map.insert("P0".into(), "otro".into());
    map.insert("P0_otro".into(), "Pago de predial".into());
    serde_json::Value::Object(map).to_string()
}

/// The nonce the survey's first page issues.
async fn first_page_nonce(app: &TestApp, path: &str) -> String {
    let (status, welcome) = page(app, get(path, None)).await;
    assert_eq!(status, StatusCode::OK, "{welcome}");
    attr_after(&welcome, "name=\"nonce\"", "value").expect("a nonce")
}

/// Opens the survey and sends it whole at once: (status, page, the nonce used).
async fn answer_whole(app: &TestApp, path: &str, gl1: &str) -> (StatusCode, String, String) {
    let nonce = first_page_nonce(app, path).await;
    let (status, html) = page(app, post(path, None, &[("nonce", &nonce), ("paso", "0"), ("respuestas", &answers(gl1)), ("accion", "enviar")])).await;
    (status, html, nonce)
}

async fn qr_surveys(app: &TestApp) -> Vec<(String, String)> {
    let staff = app.enrol("coordinacion").await;
    let csv = app.get("/api/v1/forms/encuesta_opinion/2025010102/submissions.csv", Some(&staff)).await;
    let text = csv.json.as_str().expect("text").to_string();
    text.lines().filter(|l| l.contains(",qr,")).map(|l| {
        let cells: Vec<&str> = l.split(',').collect();
        (cells[0].trim_start_matches('\u{feff}').to_string(), cells[6].to_string())
    }).collect()
}

#[tokio::test]
async fn a_scanned_code_stores_one_survey_per_nonce_as_mode_qr() {
    let app = demo_app().await;
    current_period(&app).await;
    let (path, _) = issue(&app).await;
    let (status, html, nonce) = answer_whole(&app, &path, "5").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Recibimos su encuesta"), "{html}");
    // The same page sent again (a double tap, a replay): one survey.
    let (status, again) = page(&app, post(&path, None, &[("nonce", &nonce), ("paso", "0"), ("respuestas", &answers("1")), ("accion", "enviar")])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(again.contains("no se registró dos veces"), "{again}");
    let stored = qr_surveys(&app).await;
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].1, "accepted");
    // Scored beside the interviews, never in the index.
    let staff = app.enrol("coordinacion").await;
    let table: ScoreTableDto = serde_json::from_value(app.get("/api/v1/periods/actual/scores", Some(&staff)).await.json).expect("table");
    let c = table.centros.iter().find(|c| c.centro_id == CENTRO).expect("centro");
    assert_eq!(c.n, 0);
    assert_eq!(c.other_modes.iter().map(|m| (m.mode, m.n)).collect::<Vec<_>>(), [(CollectionMode::Qr, 1)]);
    // Fieldwork shows the day's QR arrivals to staff; the centro page, its surveys by mode.
    let (cookie, _) = console_session(&app, "coordinacion", "/consola/resultados").await;
    let (_, campo) = page(&app, get("/consola/campo?periodo=actual", Some(&cookie))).await;
    let today = app.state.today().to_string();
    let row = campo.split(&format!("data-arrivals=\"{today}\"")).nth(1).unwrap_or_else(|| panic!("today's arrivals in {campo}"));
    assert!(row.starts_with(&format!("><td>{today}</td><td class=\"num\">1</td></tr>")), "{row}");
    assert!(campo.contains("<th>Código QR</th>"));
    let quota = campo.split(&format!("data-centro=\"{CENTRO}\"")).nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or_default();
    assert!(quota.contains("</a></td><td class=\"num\">0</td>"), "the field team's quota counts no QR survey: {quota}");
    let (_, centro) = page(&app, get(&format!("/consola/centros/{CENTRO}?periodo=actual"), Some(&cookie))).await;
    assert!(centro.contains("data-mode-total=\"qr\"><td>Código QR</td><td class=\"num\">1</td>"), "{centro}");
    // Declining consent stores nothing.
    let nonce = first_page_nonce(&app, &path).await;
    let declined = serde_json::json!({"consentimiento": "no"}).to_string();
    let (status, html) = page(&app, post(&path, None, &[("nonce", &nonce), ("paso", "0"), ("respuestas", &declined), ("accion", "enviar")])).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("No se guardó ninguna respuesta"), "{html}");
    assert_eq!(qr_surveys(&app).await.len(), 1);
    // Missing answers: back to the question, said in Spanish.
    let nonce = first_page_nonce(&app, &path).await;
    let partial = serde_json::json!({"consentimiento": "si"}).to_string();
    let (status, html) = page(&app, post(&path, None, &[("nonce", &nonce), ("paso", "0"), ("respuestas", &partial), ("accion", "enviar")])).await;
    assert_eq!(status, StatusCode::OK, "the first unanswered question, to answer: {html}");
    assert!(html.contains("¿Qué trámite o servicio vino a realizar hoy?"), "{html}");
}

#[tokio::test]
async fn forged_foreign_revoked_and_nonceless_surveys_store_nothing() {
    let app = demo_app().await;
    current_period(&app).await;
    let (path, cookie) = issue(&app).await;
    let token = path.rsplit('/').next().expect("token").to_string();
    // A forged signature, another centro's URL, garbage.
    let (id, mac) = token.split_once('.').expect("id.mac");
    let flipped: String = mac.chars().rev().collect();
    for bad in [format!("/encuesta/{CENTRO}/{id}.{flipped}"), format!("/encuesta/GTO-E-T-02/{token}"), format!("/encuesta/{CENTRO}/basura"), format!("/encuesta/{CENTRO}/{}", "9".repeat(500))] {
        let (status, html) = page(&app, get(&bad, None)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        assert!(html.contains("no es válido"), "{html}");
    }
    // A bot that posts the final page without the page's nonce, or with a made-up one.
    for nonce in ["", "1.1.00000000000000000000000000000000.00000000000000000000000000000000"] {
        let (status, html) = page(&app, post(&path, None, &[("nonce", nonce), ("paso", "0"), ("respuestas", &answers("5")), ("accion", "enviar")])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    }
    // Unreadable carried answers: refused, nothing stored.
    let nonce = first_page_nonce(&app, &path).await;
    let (status, _) = page(&app, post(&path, None, &[("nonce", &nonce), ("paso", "0"), ("respuestas", "[1,2"), ("accion", "enviar")])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(qr_surveys(&app).await.is_empty());
    // Re-issuing revokes the poster before: its URL says so.
    let (new_path, _) = issue(&app).await;
    assert_ne!(new_path, path);
    let (status, html) = page(&app, get(&path, None)).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("ya no está vigente"), "{html}");
    // A survey begun on the old code cannot be sent either.
    let (status, _) = page(&app, post(&path, None, &[("nonce", &nonce), ("paso", "0"), ("respuestas", &answers("5")), ("accion", "enviar")])).await;
    assert_eq!(status, StatusCode::GONE);
    // Revoking in the console stops the new one.
    let staff_html = page(&app, get(&format!("/consola/centros/{CENTRO}?periodo=actual"), Some(&cookie))).await.1;
    let at = staff_html.find("/revocar\"").expect("a revoke form");
    let start = staff_html[..at].rfind('"').expect("quote") + 1;
    let revoke = staff_html[start..at + "/revocar".len()].to_string();
    let csrf = attr_after(&staff_html, "name=\"csrf\"", "value").expect("csrf");
    assert_eq!(page(&app, post(&revoke, Some(&cookie), &[("csrf", &csrf)])).await.0, StatusCode::SEE_OTHER);
    assert_eq!(page(&app, get(&new_path, None)).await.0, StatusCode::GONE);
    assert!(qr_surveys(&app).await.is_empty());
    // A surveyor cannot issue codes.
    let (ana, ana_csrf) = console_session(&app, "sup.norte", "/consola/resultados").await;
    let (status, _) = page(&app, post(&format!("/consola/centros/{CENTRO}/qr"), Some(&ana), &[("csrf", &ana_csrf), ("periodo", "actual")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_code_of_a_closed_period_is_refused() {
    let app = demo_app().await;
    // The demo's 2025 period ended before today.
    let (token, csrf) = console_session(&app, "coordinacion", &format!("/consola/centros/{CENTRO}?periodo=2025")).await;
    assert_eq!(page(&app, post(&format!("/consola/centros/{CENTRO}/qr"), Some(&token), &[("csrf", &csrf), ("periodo", "2025")])).await.0, StatusCode::SEE_OTHER);
    let code = app.state.db.qr_codes(CENTRO.into()).await.expect("codes").remove(0);
    let path = format!("/encuesta/{CENTRO}/{}", app.state.qr_key.code_token(code.id, CENTRO, "2025"));
    let (status, html) = page(&app, get(&path, None)).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(html.contains("ya cerró"), "{html}");
}

/// Five surveys by QR at one centro within the window: all five go to review (`self_burst`).
#[tokio::test]
async fn a_burst_of_qr_surveys_goes_to_review() {
    let app = demo_app().await;
    current_period(&app).await;
    let (path, _) = issue(&app).await;
    for gl1 in ["5", "5", "4", "5"] {
        let (status, html, _) = answer_whole(&app, &path, gl1).await;
        assert_eq!(status, StatusCode::OK, "{html}");
    }
    assert!(qr_surveys(&app).await.iter().all(|(_, review)| review == "accepted"));
    answer_whole(&app, &path, "5").await;
    let stored = qr_surveys(&app).await;
    assert_eq!(stored.len(), 5);
    assert!(stored.iter().all(|(_, review)| review == "in_review"), "{stored:?}");
    let staff = app.enrol("coordinacion").await;
    let queue = app.get("/api/v1/review", Some(&staff)).await;
    let flagged = queue.json["items"].as_array().expect("items").iter().filter(|i| i["flags"].as_array().is_some_and(|f| f.iter().any(|f| f["code"] == "self_burst"))).count();
    assert_eq!(flagged, 5, "{}", queue.json);
}

/// A survey sent faster than the method's answering time (from the first page's nonce to
/// «Enviar», both timed by the server) goes to review like an interview. The limit here is
/// an hour, so the test holds on any machine.
#[tokio::test]
async fn a_survey_answered_too_fast_goes_to_review() {
    let app = demo_app().await;
    period_around_today(&app, 3600.0).await;
    let (path, _) = issue(&app).await;
    let (status, html, _) = answer_whole(&app, &path, "5").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(qr_surveys(&app).await.iter().map(|(_, r)| r.as_str()).collect::<Vec<_>>(), ["in_review"]);
    let staff = app.enrol("coordinacion").await;
    let queue = app.get("/api/v1/review", Some(&staff)).await;
    assert!(queue.json["items"][0]["flags"].as_array().is_some_and(|f| f.iter().any(|f| f["code"] == "too_fast")), "{}", queue.json);
}

/// Pages past the per-address limit: a Spanish 429 with `Retry-After`.
#[tokio::test]
async fn too_many_pages_from_one_address_are_slowed_in_spanish() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = support::test_config(dir.path()).await;
    config.demo = true;
    config.qr_burst = 3;
    config.qr_per_minute = 1;
    let state = sync_server::open_state(&config).await.expect("state opens");
    let app = TestApp::new(state, dir);
    let path = format!("/encuesta/{CENTRO}/1.{}", "0".repeat(32));
    for _ in 0..3 {
        assert_eq!(page(&app, get(&path, None)).await.0, StatusCode::NOT_FOUND);
    }
    let (status, headers, body) = app.send_raw(get(&path, None)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(headers.get(header::RETRY_AFTER).is_some());
    assert!(String::from_utf8_lossy(&body).contains("Intente de nuevo en"));
}

/// The same final page sent twice at once (a double tap on a slow connection): one survey,
/// and no conflict left for a supervisor, whichever arrives first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_sent_twice_at_once_is_one_survey_and_no_conflict() {
    let app = demo_app().await;
    current_period(&app).await;
    let (path, cookie) = issue(&app).await;
    let nonce = first_page_nonce(&app, &path).await;
    let send = |gl1: &'static str| post(&path, None, &[("nonce", &nonce), ("paso", "0"), ("respuestas", &answers(gl1)), ("accion", "enviar")]);
    let (a, b) = tokio::join!(page(&app, send("5")), page(&app, send("4")));
    assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK), "{} {}", a.1, b.1);
    assert_eq!(qr_surveys(&app).await.len(), 1);
    let (_, campo) = page(&app, get("/consola/campo?periodo=actual", Some(&cookie))).await;
    let conflicts = campo.split("Conflictos por decidir").nth(1).unwrap_or_default();
    assert!(conflicts.contains("Ninguno."), "{conflicts}");
}

/// What a page posts is bounded before it is read: an answer longer than the limit is said
/// beside its question, a body too large or not a form gets a Spanish page, nothing stored.
#[tokio::test]
async fn oversized_or_unreadable_pages_are_refused_in_spanish() {
    let app = demo_app().await;
    current_period(&app).await;
    let (path, _) = issue(&app).await;
    let nonce = first_page_nonce(&app, &path).await;
    let long = "a".repeat(2_001);
    let (status, html) = page(&app, post(&path, None, &[("nonce", &nonce), ("paso", "0"), ("respuestas", "{}"), ("valor", &long), ("accion", "siguiente")])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Escriba como máximo 2000 caracteres."), "{html}");
    let huge = "b".repeat(2 * 1024 * 1024);
    let (status, _) = page(&app, post(&path, None, &[("nonce", &nonce), ("respuestas", &huge), ("accion", "enviar")])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (_, html) = page(&app, post(&path, None, &[("nonce", &nonce), ("respuestas", &huge), ("accion", "enviar")])).await;
    assert!(html.contains("Respuestas demasiado largas"), "{html}");
    let json = Request::post(&path).header(header::CONTENT_TYPE, "application/json").header(header::HOST, "localhost").body(Body::from("{}")).expect("request");
    let (status, html) = page(&app, json).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("No pudimos leer sus respuestas"), "{html}");
    assert!(qr_surveys(&app).await.is_empty());
}
