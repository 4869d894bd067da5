//! The web console, in-process: login and its cookie, role checks (403 for every page a
//! role may not see), CSRF, the ranking equal to the scores API, and review decisions.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use shared::protocol::{PushResponse, ScoreTableDto};
use support::{PASSWORD, TestApp, demo_app, push_body, survey};
use tower::ServiceExt;

/// Status, headers and HTML of a console request.
struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    html: String,
}

async fn request(app: &TestApp, req: Request<Body>) -> Page {
    let res = app.router.clone().oneshot(req).await.expect("answer");
    let (status, headers) = (res.status(), res.headers().clone());
    let html = String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes()).into_owned();
    Page { status, headers, html }
}

async fn get(app: &TestApp, path: &str, cookie: Option<&str>) -> Page {
    let mut req = Request::get(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, format!("ventanilla_sesion={c}"));
    }
    request(app, req.body(Body::empty()).expect("request")).await
}

async fn post_form(app: &TestApp, path: &str, cookie: Option<&str>, body: &str) -> Page {
    let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, format!("ventanilla_sesion={c}"));
    }
    request(app, req.body(Body::from(body.to_string())).expect("request")).await
}

/// Signs in through the login form; returns the session token from the cookie.
async fn login(app: &TestApp, username: &str) -> String {
    let page = post_form(app, "/consola/entrar", None, &format!("username={username}&password={PASSWORD}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    let cookie = page.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("a session cookie").to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    cookie.split(';').next().and_then(|kv| kv.split_once('=')).map(|(_, v)| v.to_string()).expect("token")
}

fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().expect("value").to_string()
}

const PAGES: [&str; 6] = [
    "/consola/resultados",
    "/consola/admin",
    "/consola/revision",
    "/consola/campo",
    "/consola/centros/GTO-E-T-01",
    "/consola/fotos/0000000000000000000000000000000000000000000000000000000000000000",
];

#[tokio::test]
async fn signing_in_sets_a_strict_cookie_and_bad_passwords_are_told_in_spanish() {
    let app = demo_app().await;
    let form = get(&app, "/consola/entrar", None).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.html.contains("Contraseña"));
    let bad = post_form(&app, "/consola/entrar", None, "username=coordinacion&password=nope").await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert!(bad.html.contains("Usuario o contraseña incorrectos."));
    for page in PAGES {
        let anon = get(&app, page, None).await;
        assert_eq!(anon.status, StatusCode::SEE_OTHER, "{page} without a session goes to the login");
    }
    let token = login(&app, "coordinacion").await;
    let results = get(&app, "/consola/resultados", Some(&token)).await;
    assert_eq!(results.status, StatusCode::OK);
    // Logging out needs the form's CSRF token, then the session is gone.
    let refused = post_form(&app, "/consola/salir", Some(&token), "csrf=forged").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let out = post_form(&app, "/consola/salir", Some(&token), &format!("csrf={}", csrf(&results.html))).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(get(&app, "/consola/resultados", Some(&token)).await.status, StatusCode::SEE_OTHER);
    // Another site cannot post a login.
    let req = Request::post("/consola/entrar")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://evil.example")
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::from(format!("username=coordinacion&password={PASSWORD}")))
        .expect("request");
    assert_eq!(request(&app, req).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn field_roles_get_a_403_for_every_console_page() {
    let app = demo_app().await;
    let refused = post_form(&app, "/consola/entrar", None, &format!("username=enc.ana&password={PASSWORD}")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.html.contains("use la app en campo"));
    // A field role's phone token as the cookie is no console session: every page sends
    // it to the login form.
    for user in ["enc.ana", "insp.carmen"] {
        let token = app.enrol(user).await;
        for page in PAGES {
            let p = get(&app, page, Some(&token)).await;
            assert_eq!(p.status, StatusCode::SEE_OTHER, "{user} on {page}");
            assert_eq!(p.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/consola/entrar"));
        }
    }
}

#[tokio::test]
async fn the_ranking_shows_the_scores_api_figures() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let surveys: Vec<_> = (0..30).map(|i| survey(9_000 + i, "GTO-E-T-01")).collect();
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys)).await;
    let _: PushResponse = serde_json::from_value(pushed.json).expect("push");
    let staff = app.enrol("coordinacion").await;
    let api: ScoreTableDto = serde_json::from_value(app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json).expect("scores");
    let token = login(&app, "sup.norte").await;
    let page = get(&app, "/consola/resultados?periodo=2025", Some(&token)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("Recaudación León Centro"));
    for c in &api.centros {
        let at = page.html.find(&format!("data-centro=\"{}\"", c.centro_id)).unwrap_or_else(|| panic!("{} is listed", c.centro_id));
        let row = &page.html[at..at + page.html[at..].find("</tr>").expect("row end")];
        let igc = c.igc.map_or("—".to_string(), |v| format!("{v:.1}"));
        assert!(row.contains(&format!("data-igc>{igc}<")), "{}: {igc} in {row}", c.centro_id);
        for r in &c.reasons {
            assert!(row.contains(&r.message), "{} shows why it is not eligible", c.centro_id);
        }
    }
    // The centro's page: each dimension's mean with an interval from its surveys.
    let centro = get(&app, "/consola/centros/GTO-E-T-01?periodo=2025", Some(&token)).await;
    let ag = api.centros.iter().find(|c| c.centro_id == "GTO-E-T-01").and_then(|c| c.dimension_means.get("AG").copied()).expect("AG mean");
    let at = centro.html.find("data-dimension=\"AG\"").expect("the AG row");
    let row = &centro.html[at..at + centro.html[at..].find("</tr>").expect("row end")];
    assert!(row.contains(&format!(">{ag:.1}<")) && row.contains("<svg"), "{row}");
    // The download buttons work with the session cookie (reads only).
    let csv = get(&app, "/api/v1/periods/2025/scores?format=csv", Some(&token)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let filtered = get(&app, "/consola/resultados?periodo=2025&categoria=municipal-servicios", Some(&token)).await;
    assert!(filtered.html.contains("Municipal · servicios") && !filtered.html.contains("<h2>Estatal · trámites</h2>"));
    assert_eq!(get(&app, "/consola/resultados?periodo=1999", Some(&token)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_rejection_from_the_console_needs_a_reason_and_reaches_the_phone() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    // A survey answered in 20 seconds is held in review.
    let mut a = survey(1, "GTO-E-T-01");
    a.finalised_at = a.started_at + chrono::Duration::seconds(20);
    let a = a.seal();
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![a.clone()])).await;
    assert_eq!(pushed.json["results"][0]["review"], "in_review", "{}", pushed.json);
    let token = login(&app, "sup.norte").await;
    // Another survey of Ana's that day, not flagged.
    let b = survey(2, "GTO-E-T-01").seal();
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![b.clone()])).await;
    assert_eq!(pushed.json["results"][0]["review"], "accepted", "{}", pushed.json);
    let queue = get(&app, "/consola/revision", Some(&token)).await;
    assert!(queue.html.contains(&a.id.to_string()), "{}", queue.html);
    let csrf = csrf(&queue.html);
    let path = format!("/consola/revision/{}", a.id);
    // The item opens to what is reviewed: the flag with its figure, the answers in words,
    // the surveyor's other surveys that day, and the decision.
    let detail = get(&app, &path, Some(&token)).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert!(detail.html.contains("contestada en 20 s"), "{}", detail.html);
    assert!(detail.html.contains("Pago de predial") && detail.html.contains("De 10 a 20 minutos"), "{}", detail.html);
    assert!(detail.html.contains(&format!("data-same-day=\"{}\"", b.id)), "{}", detail.html);
    assert!(detail.html.contains("id=\"confirmar-rechazo\""), "{}", detail.html);
    assert!(!detail.html.contains("2025-06-02T"), "dates in Spanish, never RFC 3339");
    // Out of scope, or unknown: not found.
    assert_eq!(get(&app, &path, Some(&login(&app, "sup.sur").await)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, &format!("/consola/revision/{}", uuid::Uuid::from_u128(999)), Some(&token)).await.status, StatusCode::NOT_FOUND);
    let forged = post_form(&app, &path, Some(&token), "csrf=x&decision=reject&reason=no").await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let no_reason = post_form(&app, &path, Some(&token), &format!("csrf={csrf}&decision=reject&reason=")).await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.html.contains("escriba el motivo"));
    let done = post_form(&app, &path, Some(&token), &format!("csrf={csrf}&decision=reject&reason=Duraci%C3%B3n+de+2+minutos")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let pull = app.get("/api/v1/sync/pull?after=0", Some(&ana)).await;
    let reason = pull.json["changes"].as_array().expect("changes").iter().find(|c| c["kind"] == "review").map(|c| c["reason"].clone());
    assert_eq!(reason, Some(serde_json::json!("Duración de 2 minutos")));
    // A supervisor of another team does not see it.
    let other = login(&app, "sup.sur").await;
    assert!(!get(&app, "/consola/revision", Some(&other)).await.html.contains(&a.id.to_string()));
}

#[tokio::test]
async fn a_centro_page_shows_its_visits_with_photos_commitments_and_complaints() {
    let app = demo_app().await;
    let carmen = app.enrol("insp.carmen").await;
    let photo = b"\xff\xd8\xff evidence jpeg".to_vec();
    let sha: String = sha2::Digest::finalize(<sha2::Sha256 as sha2::Digest>::new_with_prefix(&photo)).iter().map(|b| format!("{b:02x}")).collect();
    let mut visit = support::visit(5, "GTO-E-T-01", &["AG-V1"]);
    visit.meta.photos = vec![sha.clone()];
    let visit = visit.seal();
    let pushed = app.post("/api/v1/sync/push", Some(&carmen), &push_body(vec![visit.clone()])).await;
    assert_eq!(pushed.json["results"][0]["outcome"], "stored", "{}", pushed.json);
    let req = Request::put(format!("/api/v1/photos/{sha}?offset=0&total={}", photo.len()))
        .header(header::AUTHORIZATION, format!("Bearer {carmen}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(photo.clone()))
        .expect("request");
    assert!(app.send(req).await.status.is_success());
    let staff = app.enrol("coordinacion").await;
    let req = Request::put("/api/v1/centros/GTO-E-T-01/commitments/K1")
        .header(header::AUTHORIZATION, format!("Bearer {staff}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"description":"Sistema de turnos","impact":2,"milestones":[{"milestone_id":"h1","description":"Compra","due":"2025-09-30"}]}"#))
        .expect("request");
    assert!(app.send(req).await.status.is_success());
    let req = Request::put("/api/v1/centros/GTO-E-T-01/complaints/Q-9")
        .header(header::AUTHORIZATION, format!("Bearer {staff}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"received":"2025-05-02","responded":"2025-05-06","corrective_action":true,"acknowledged":false}"#))
        .expect("request");
    assert!(app.send(req).await.status.is_success());

    let token = login(&app, "coordinacion").await;
    let page = get(&app, "/consola/centros/GTO-E-T-01?periodo=2025", Some(&token)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    for text in ["Recaudación León Centro", "Sistema de turnos", "Q-9", "sin verificar", &format!("data-visit=\"{}\"", visit.id), &format!("/consola/fotos/{sha}")] {
        assert!(page.html.contains(text), "the centro page shows {text}");
    }
    // The complaints log is edited in place, with today's values in its form.
    assert!(page.html.contains("data-complaint-form=\"Q-9\"") && page.html.contains("value=\"2025-05-06\""), "{}", page.html);
    let csrf = csrf(&page.html);
    let fixed = post_form(&app, "/consola/centros/GTO-E-T-01/quejas", Some(&token), &format!("csrf={csrf}&folio=Q-9&received=2025-05-02&responded=2025-05-06&corrective_action=si&acknowledged=si")).await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.html);
    let added = post_form(&app, "/consola/centros/GTO-E-T-01/quejas", Some(&token), &format!("csrf={csrf}&folio=Q-10&received=2025-06-01&responded=&corrective_action=no&acknowledged=no")).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let backwards = post_form(&app, "/consola/centros/GTO-E-T-01/quejas", Some(&token), &format!("csrf={csrf}&folio=Q-11&received=2025-06-05&responded=2025-06-01&corrective_action=no&acknowledged=no")).await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY, "a response before the complaint");
    let not_a_date = post_form(&app, "/consola/centros/GTO-E-T-01/quejas", Some(&token), &format!("csrf={csrf}&folio=Q-12&received=ayer&corrective_action=no&acknowledged=no")).await;
    assert_eq!(not_a_date.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(not_a_date.html.contains("Escriba la fecha"), "{}", not_a_date.html);
    let page = get(&app, "/consola/centros/GTO-E-T-01?periodo=2025", Some(&token)).await;
    assert!(page.html.contains("data-complaint=\"Q-10\""), "the new complaint is listed");
    let img = get(&app, &format!("/consola/fotos/{sha}"), Some(&token)).await;
    assert_eq!(img.status, StatusCode::OK);
    assert_eq!(img.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), Some("image/jpeg"));
    assert_eq!(get(&app, "/consola/centros/NO-EXISTE", Some(&token)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/consola/fotos/zz", Some(&token)).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn fieldwork_shows_progress_against_quota_and_each_devices_day() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let surveys: Vec<_> = (0..12).map(|i| survey(500 + i, "GTO-E-T-01")).collect();
    app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys)).await;
    let token = login(&app, "sup.norte").await;
    let page = get(&app, "/consola/campo?periodo=2025", Some(&token)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let at = page.html.find("data-centro=\"GTO-E-T-01\"").expect("the centro's quota row");
    let row = &page.html[at..at + page.html[at..].find("</tr>").expect("row end")];
    assert!(row.contains("<td class=\"num\">12</td>"), "{row}");
    assert!(page.html.contains("Ana Torres"), "the surveyor's day and device are listed");
    // Another team's supervisor does not see Ana's device.
    let sur = login(&app, "sup.sur").await;
    assert!(!get(&app, "/consola/campo?periodo=2025", Some(&sur)).await.html.contains("Ana Torres"));
}

/// A survey whose date no period covers is listed, and said not to count anywhere.
#[tokio::test]
async fn fieldwork_lists_records_outside_every_period() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let mut s = survey(600, "GTO-E-T-01");
    s.started_at = chrono::DateTime::parse_from_rfc3339("2024-11-05T10:00:00-06:00").expect("valid");
    s.finalised_at = s.started_at + chrono::Duration::seconds(150);
    let s = s.seal();
    app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![s.clone(), survey(601, "GTO-E-T-01")])).await;
    let token = login(&app, "sup.norte").await;
    let page = get(&app, "/consola/campo?periodo=2025", Some(&token)).await;
    let at = page.html.find("id=\"fuera-de-periodo\"").expect("the section");
    let section = &page.html[at..];
    assert!(section.contains(&format!("data-outside=\"{}\"", s.id)), "{section}");
    assert!(section.contains("5 nov 2024") && section.contains("no cuentan en ningún resultado"), "{section}");
    assert!(!section.contains(&uuid::Uuid::from_u128(601).to_string()), "a survey inside the period is not listed");
    let sur = login(&app, "sup.sur").await;
    assert!(!get(&app, "/consola/campo?periodo=2025", Some(&sur)).await.html.contains(&s.id.to_string()), "another team's records are not listed");
}

/// A multipart body with the CSRF token and one file.
fn multipart(csrf: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "ventanillaLimite7";
    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").into_bytes();
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"archivo\"; filename=\"f.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_file(app: &TestApp, path: &str, cookie: &str, csrf: &str, file: &[u8]) -> Page {
    let (content_type, body) = multipart(csrf, file);
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, format!("ventanilla_sesion={cookie}"))
        .body(Body::from(body))
        .expect("request");
    request(app, req).await
}

#[tokio::test]
async fn administration_checks_an_xlsform_by_row_then_publishes_it_and_supervisors_get_a_403() {
    let app = demo_app().await;
    let sup = login(&app, "sup.norte").await;
    assert_eq!(get(&app, "/consola/admin", Some(&sup)).await.status, StatusCode::FORBIDDEN);
    let token = login(&app, "coordinacion").await;
    let admin = get(&app, "/consola/admin", Some(&token)).await;
    assert_eq!(admin.status, StatusCode::OK);
    let csrf = csrf(&admin.html);
    // A broken form: an unknown type on row 3 and a bad expression on row 4.
    let broken = support::xlsform(
        &[&["type", "name", "label", "relevant"], &["text", "nombre", "Nombre", ""], &["texto_largo", "nota", "Nota", ""], &["integer", "edad", "Edad", "${nombre = "]],
        "2",
    );
    let page = post_file(&app, "/consola/admin/formularios", &token, &csrf, &broken).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.html.contains("data-row=\"3\"") && page.html.contains("data-row=\"4\""), "{}", page.html);
    assert!(page.html.contains("texto_largo"));
    let forged = post_file(&app, "/consola/admin/formularios", &token, "nope", &broken).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // A good one: preview, then publish.
    let good = support::xlsform(&[&["type", "name", "label"], &["text", "nombre", "Nombre"], &["select_one sn", "acepta", "¿Acepta?"]], "3");
    let preview = post_file(&app, "/consola/admin/formularios", &token, &csrf, &good).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.html.contains("no tiene errores") && preview.html.contains("piloto versión 3"), "{}", preview.html);
    let at = preview.html.find("name=\"sha\" value=\"").expect("staged") + "name=\"sha\" value=\"".len();
    let sha = preview.html[at..].split('"').next().expect("sha").to_string();
    let done = post_form(&app, "/consola/admin/formularios/publicar", Some(&token), &format!("csrf={csrf}&sha={sha}")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let forms = app.get("/api/v1/forms", None).await;
    assert!(forms.json["forms"].as_array().expect("forms").iter().any(|f| f["form_id"] == "piloto" && f["version"] == "3"));
    let again = post_form(&app, "/consola/admin/formularios/publicar", Some(&token), &format!("csrf={csrf}&sha={sha}")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a staged upload publishes once");
}

/// Two servers on one PostgreSQL database: a form checked on one is published from the
/// other (the upload waits in the database), and the first then accepts records of it.
#[tokio::test]
async fn a_form_checked_on_one_server_is_published_from_another() {
    if !support::on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let mut config = support::test_config(dir.path()).await;
    config.demo = true;
    let a = TestApp::new(sync_server::open_state(&config).await.expect("server A"), dir);
    let b = TestApp::new(sync_server::open_state(&config).await.expect("server B"), tempfile::tempdir().expect("dir"));
    let token = login(&a, "coordinacion").await;
    let csrf = csrf(&get(&a, "/consola/admin", Some(&token)).await.html);
    let good = support::xlsform(&[&["type", "name", "label"], &["text", "nombre", "Nombre"], &["select_one sn", "acepta", "¿Acepta?"]], "3");
    let preview = post_file(&a, "/consola/admin/formularios", &token, &csrf, &good).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.html);
    let at = preview.html.find("name=\"sha\" value=\"").expect("staged") + "name=\"sha\" value=\"".len();
    let sha = preview.html[at..].split('"').next().expect("sha").to_string();
    let done = post_form(&b, "/consola/admin/formularios/publicar", Some(&token), &format!("csrf={csrf}&sha={sha}")).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let again = post_form(&a, "/consola/admin/formularios/publicar", Some(&token), &format!("csrf={csrf}&sha={sha}")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a staged upload publishes once, whichever server");
    // Server A learns of the new version from the change log.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !a.state.forms().contains_key(&("piloto".to_string(), "3".to_string())) {
        assert!(std::time::Instant::now() < deadline, "server A never parsed the version published on B");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn administration_sets_quotas_assigns_centros_and_revokes_devices() {
    let app = demo_app().await;
    let token = login(&app, "coordinacion").await;
    let token_csrf = csrf(&get(&app, "/consola/admin", Some(&token)).await.html);
    let q = post_form(&app, "/consola/admin/cuotas", Some(&token), &format!("csrf={token_csrf}&period=2025&centro=GTO-E-T-02&surveys=123")).await;
    assert_eq!(q.status, StatusCode::SEE_OTHER);
    let campo = get(&app, "/consola/campo?periodo=2025", Some(&token)).await;
    let at = campo.html.find("data-centro=\"GTO-E-T-02\"").expect("row");
    assert!(campo.html[at..at + 400].contains(">123<"), "the new quota shows in fieldwork");
    let a = post_form(&app, "/consola/admin/asignaciones", Some(&token), &format!("csrf={token_csrf}&username=enc.luis&centro=GTO-E-T-02")).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    let luis = app.enrol("enc.luis").await;
    let me = app.get("/api/v1/me", Some(&luis)).await;
    assert!(me.json["centros"].as_array().expect("centros").iter().any(|c| c == "GTO-E-T-02"));
    let device = me.json["device_id"].as_str().expect("device").to_string();
    // k and the trámites of a centro reach the phones assigned to it.
    let k = post_form(&app, "/consola/admin/centro", Some(&token), &format!("csrf={token_csrf}&centro=GTO-E-T-02&k=5&tramites=Placas%0ALicencias")).await;
    assert_eq!(k.status, StatusCode::SEE_OTHER, "{}", k.html);
    let bad_k = post_form(&app, "/consola/admin/centro", Some(&token), &format!("csrf={token_csrf}&centro=GTO-E-T-02&k=0&tramites=")).await;
    assert_eq!(bad_k.status, StatusCode::BAD_REQUEST);
    let pull = app.get("/api/v1/sync/pull?after=0", Some(&luis)).await;
    let info = pull.json["changes"].as_array().expect("changes").iter().rev().find(|c| c["kind"] == "centro" && c["centro_id"] == "GTO-E-T-02").cloned().expect("the centro");
    assert_eq!((info["sampling_interval"].as_u64(), info["tramites"].clone()), (Some(5), serde_json::json!(["Licencias", "Placas"])));
    // The centro's page shows today's k and trámites in its editor.
    let centro = get(&app, "/consola/centros/GTO-E-T-02", Some(&token)).await;
    assert!(centro.html.contains("id=\"ce-k\"") && centro.html.contains("value=\"5\""), "{}", centro.html);
    assert!(centro.html.contains("Licencias\nPlacas</textarea>"), "{}", centro.html);
    // Users and devices are listed with a search; a device is named by its user.
    let all = get(&app, "/consola/admin", Some(&token)).await;
    assert!(all.html.contains("data-user=\"enc.ana\"") && all.html.contains("data-user=\"enc.luis\""));
    let found = get(&app, "/consola/admin?u=LUIS", Some(&token)).await;
    assert!(found.html.contains("data-user=\"enc.luis\"") && !found.html.contains("data-user=\"enc.ana\""), "{}", found.html);
    let devices = get(&app, &format!("/consola/admin?d={}", "luis"), Some(&token)).await;
    let row = devices.html.find(&format!("data-device=\"{device}\"")).expect("luis's device listed");
    assert!(devices.html[row..row + 600].contains("enc.luis"), "{}", &devices.html[row..row + 600]);
    assert!(devices.html.contains("Sí, dar de baja el dispositivo de"), "revoking asks first");
    let r = post_form(&app, &format!("/consola/admin/dispositivos/{device}/revocar"), Some(&token), &format!("csrf={token_csrf}")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/v1/me", Some(&luis)).await.json["code"], "revoked_token");
    // A period's dates are checked; a good one appears.
    let reversed = post_form(&app, "/consola/admin/periodos", Some(&token), &format!("csrf={token_csrf}&id=2026&name=MAS+2026&start=2026-12-31&end=2026-01-01")).await;
    assert_eq!(reversed.status, StatusCode::BAD_REQUEST);
    // The problem shows beside the field, and what was typed stays in the form.
    assert!(reversed.html.contains("value=\"MAS 2026\"") && reversed.html.contains("value=\"2026-12-31\""), "{}", reversed.html);
    let at = reversed.html.find("id=\"pe-fin\"").expect("the end field");
    assert!(reversed.html[at..at + 400].contains("no puede ser anterior"), "{}", &reversed.html[at..at + 400]);
    let ok = post_form(&app, "/consola/admin/periodos", Some(&token), &format!("csrf={token_csrf}&id=2026&name=MAS+2026&start=2026-01-01&end=2026-12-31")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.html);
    assert!(get(&app, "/consola/resultados?periodo=2026", Some(&token)).await.html.contains("MAS 2026"));
    // Its method is a form: every setting with the default beside it.
    let page = get(&app, "/consola/periodos/2026", Some(&token)).await;
    assert!(page.html.contains("data-setting=\"component_weights.isc\"") && page.html.contains("MGS-1: 0.4"), "{}", page.html);
    assert!(!page.html.contains("JSON"), "no raw JSON to type");
    // A wrong value is said beside its field, what was typed stays, and nothing is saved.
    let bad = post_form(&app, "/consola/periodos/2026/metodo", Some(&token), &format!("csrf={token_csrf}&z=abc&component_weights.isc=0%2C5")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.html.contains("value=\"abc\"") && bad.html.contains("value=\"0,5\"") && bad.html.contains("Escriba un número"), "{}", bad.html);
    assert!(!bad.html.contains("expected"), "no library English");
    let good = post_form(&app, "/consola/periodos/2026/metodo", Some(&token), &format!("csrf={token_csrf}&component_weights.isc=0%2C5")).await;
    assert_eq!(good.status, StatusCode::SEE_OTHER, "{}", good.html);
    assert!(get(&app, "/consola/periodos/2026", Some(&token)).await.html.contains("value=\"0.5\""));
    // Saving the period again (a new name) keeps its method.
    let renamed = post_form(&app, "/consola/admin/periodos", Some(&token), &format!("csrf={token_csrf}&id=2026&name=MAS+2026+bis&start=2026-01-01&end=2026-12-31")).await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    assert!(get(&app, "/consola/periodos/2026", Some(&token)).await.html.contains("value=\"0.5\""));
    // Only an admin creates users.
    let u = post_form(&app, "/consola/admin/usuarios", Some(&token), &format!("csrf={token_csrf}&username=nuevo&display_name=Nuevo&role=surveyor&password=12345678&supervisor=")).await;
    assert_eq!(u.status, StatusCode::FORBIDDEN);
    let admin = login(&app, "admin").await;
    let admin_csrf = csrf(&get(&app, "/consola/admin", Some(&admin)).await.html);
    let u = post_form(&app, "/consola/admin/usuarios", Some(&admin), &format!("csrf={admin_csrf}&username=nuevo&display_name=Nuevo&role=surveyor&password=12345678&supervisor=sup.norte")).await;
    assert_eq!(u.status, StatusCode::SEE_OTHER, "{}", u.html);
    // A taken username: said beside it, the rest kept as typed, the password never echoed.
    let taken = post_form(&app, "/consola/admin/usuarios", Some(&admin), &format!("csrf={admin_csrf}&username=nuevo&display_name=Otra+Persona&role=inspector&password=secreto123&supervisor=sup.norte")).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.html);
    assert!(taken.html.contains("value=\"Otra Persona\"") && taken.html.contains("value=\"inspector\" selected"), "{}", taken.html);
    assert!(!taken.html.contains("secreto123"));
    // Administrators see how long each route took in the last hour.
    let page = get(&app, "/consola/admin", Some(&admin)).await;
    assert!(page.html.contains("data-route=\"GET /api/v1/sync/pull\"") && page.html.contains("data-route=\"POST /consola/admin/usuarios\""), "{}", page.html);
    assert!(!get(&app, "/consola/admin", Some(&token)).await.html.contains("tabla-latencia"), "staff do not");
    let at = taken.html.find("id=\"nu-usuario\"").expect("the username field");
    assert!(taken.html[at..at + 400].contains("field-error"), "{}", &taken.html[at..at + 400]);
}

#[tokio::test]
async fn an_export_runs_in_the_background_with_its_progress_then_downloads() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let surveys: Vec<_> = (0..25).map(|i| survey(700 + i, "GTO-E-T-01")).collect();
    app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys)).await;
    let token = login(&app, "coordinacion").await;
    let staff_csrf = csrf(&get(&app, "/consola/admin", Some(&token)).await.html);
    let body = format!("csrf={staff_csrf}&form_id=encuesta_opinion&version=2025010102&format=csv");
    let started = post_form(&app, "/consola/exportaciones", Some(&token), &body).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.html);
    let job = started.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).expect("the job's page").to_string();
    let mut page = get(&app, &job, Some(&token)).await;
    // Waits for the job's end (a generous bound, never a measure of speed).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::time::Instant::now() < deadline {
        if page.html.contains("id=\"descargar\"") {
            break;
        }
        assert!(page.html.contains("http-equiv=\"refresh\""), "a running job's page reloads itself");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = get(&app, &job, Some(&token)).await;
    }
    assert!(page.html.contains("25 de 25 registros"), "{}", page.html);
    let file = get(&app, &format!("{job}/archivo"), Some(&token)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.html.lines().count(), 26, "a header and one row per survey");
    // Someone else's job does not exist for them; supervisors cannot export answers.
    let other = login(&app, "admin").await;
    assert_eq!(get(&app, &job, Some(&other)).await.status, StatusCode::NOT_FOUND);
    let sup = login(&app, "sup.norte").await;
    let sup_csrf = csrf(&get(&app, "/consola/revision", Some(&sup)).await.html);
    let refused = post_form(&app, "/consola/exportaciones", Some(&sup), &body.replace(&staff_csrf, &sup_csrf)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// Two servers on one PostgreSQL database and files directory (behind a load balancer):
/// an export started on one is followed and downloaded on the other.
#[tokio::test]
async fn an_export_started_on_one_server_is_followed_and_downloaded_on_another() {
    if !support::on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let mut config = support::test_config(dir.path()).await;
    config.demo = true;
    let a = TestApp::new(sync_server::open_state(&config).await.expect("server A"), dir);
    let b = TestApp::new(sync_server::open_state(&config).await.expect("server B"), tempfile::tempdir().expect("dir"));
    let ana = a.enrol("enc.ana").await;
    let surveys: Vec<_> = (0..12).map(|i| survey(1_700 + i, "GTO-E-T-01")).collect();
    a.post("/api/v1/sync/push", Some(&ana), &push_body(surveys)).await;
    let token = login(&a, "coordinacion").await;
    let staff_csrf = csrf(&get(&a, "/consola/admin", Some(&token)).await.html);
    let body = format!("csrf={staff_csrf}&form_id=encuesta_opinion&version=2025010102&format=csv");
    let started = post_form(&a, "/consola/exportaciones", Some(&token), &body).await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.html);
    let job = started.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).expect("the job's page").to_string();
    // Followed on server B, with the same session.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut page = get(&b, &job, Some(&token)).await;
    while !page.html.contains("id=\"descargar\"") {
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        assert!(std::time::Instant::now() < deadline, "the job never ended: {}", page.html);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = get(&b, &job, Some(&token)).await;
    }
    assert!(page.html.contains("12 de 12 registros"), "{}", page.html);
    let file = get(&b, &format!("{job}/archivo"), Some(&token)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.html.lines().count(), 13, "a header and one row per survey");
}

/// An export job that meets a damaged record fails and says which.
#[tokio::test]
async fn an_export_job_with_a_damaged_record_fails_with_the_reason() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let surveys: Vec<_> = (0..3).map(|i| survey(900 + i, "GTO-E-T-01")).collect();
    app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys.clone())).await;
    let damaged = surveys[2].id.to_string();
    app.state.db.write(move |conn| Ok(conn.execute("UPDATE submissions SET body = 'x' WHERE id = ?1", [damaged])?)).await.expect("damage");
    let token = login(&app, "coordinacion").await;
    let staff_csrf = csrf(&get(&app, "/consola/admin", Some(&token)).await.html);
    let body = format!("csrf={staff_csrf}&form_id=encuesta_opinion&version=2025010102&format=xlsx");
    let started = post_form(&app, "/consola/exportaciones", Some(&token), &body).await;
    let job = started.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).expect("the job's page").to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut page = get(&app, &job, Some(&token)).await;
    while page.html.contains("http-equiv=\"refresh\"") && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = get(&app, &job, Some(&token)).await;
    }
    assert!(page.html.contains("La exportación falló") && page.html.contains(&surveys[2].id.to_string()), "{}", page.html);
    assert!(!page.html.contains("id=\"descargar\""), "no file to download");
}

/// The sampling counter's day travels with the push; fieldwork and the centro page show
/// the response rate (completed / selected) per centro and day.
#[tokio::test]
async fn the_response_rate_comes_from_the_counter_and_the_surveys() {
    let app = demo_app().await;
    let offset = chrono::FixedOffset::west_opt(6 * 3600).expect("offset");
    let now = chrono::Utc::now().with_timezone(&offset);
    let today = now.date_naive();
    let staff = app.enrol("coordinacion").await;
    let period = serde_json::json!({ "name": "En curso", "start": today - chrono::Duration::days(30), "end": today + chrono::Duration::days(30) });
    assert_eq!(app.put("/api/v1/periods/en-curso", &staff, &period).await.status, StatusCode::OK);
    let ana = app.enrol("enc.ana").await;
    let surveys: Vec<_> = (0..2i64)
        .map(|i| {
            let mut s = survey(950 + i as u128, "GTO-E-T-01");
            // Today just after midnight at the centros, whatever the hour the test runs.
            let midnight = today.and_hms_opt(0, 1, 0).expect("time").and_local_timezone(offset).single().expect("local");
            s.finalised_at = midnight + chrono::Duration::minutes(i);
            s.started_at = s.finalised_at - chrono::Duration::seconds(150);
            s.seal()
        })
        .collect();
    let mut body = push_body(surveys);
    body["sampling"] = serde_json::json!([{ "centro_id": "GTO-E-T-01", "date": today, "counted": 12, "selected": 4, "refused": 2 }]);
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &body).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.json);
    let token = login(&app, "sup.norte").await;
    let page = get(&app, "/consola/campo?periodo=en-curso", Some(&token)).await;
    let key = format!("data-response=\"GTO-E-T-01/{today}\"");
    let at = page.html.find(&key).unwrap_or_else(|| panic!("the centro's day: {}", page.html));
    let row = &page.html[at..at + page.html[at..].find("</tr>").expect("row end")];
    for cell in ["<td class=\"num\">12</td>", "<td class=\"num\">4</td>", "<td class=\"num\">2</td>", "50 %"] {
        assert!(row.contains(cell), "{cell} in {row}");
    }
    let centro = get(&app, "/consola/centros/GTO-E-T-01?periodo=en-curso", Some(&token)).await;
    assert!(centro.html.contains(&key) && centro.html.contains("50 %"), "{}", centro.html);
    // More refusals than selections is refused whole.
    let mut bad = push_body(vec![]);
    bad["sampling"] = serde_json::json!([{ "centro_id": "GTO-E-T-01", "date": today, "counted": 3, "selected": 1, "refused": 2 }]);
    let refused = app.post("/api/v1/sync/push", Some(&ana), &bad).await;
    assert_eq!((refused.status, refused.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("incoherent")), "{}", refused.json);
}

/// The program's year in the console: staff close with a reason, the version appears with
/// its digest, staff ask for publication and an admin confirms it; a supervisor sees the
/// state but no forms; after reopening and closing again, version 2 lists what changed.
#[tokio::test]
async fn a_period_closes_publishes_and_versions_through_the_console() {
    let app = demo_app().await;
    let (staff, admin, sup) = (login(&app, "coordinacion").await, login(&app, "admin").await, login(&app, "sup.norte").await);
    let page = get(&app, "/consola/periodos/2025", Some(&staff)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("data-state=\"abierto\"") && page.html.contains("Cerrar el periodo"), "{}", page.html);
    let token = csrf(&page.html);
    let empty = post_form(&app, "/consola/periodos/2025/estado", Some(&staff), &format!("csrf={token}&accion=cerrar&reason=+")).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
    let closed = post_form(&app, "/consola/periodos/2025/estado", Some(&staff), &format!("csrf={token}&accion=cerrar&reason=Fin+de+campo")).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.html);
    let page = get(&app, "/consola/periodos/2025", Some(&staff)).await;
    assert!(page.html.contains("data-state=\"cerrado\"") && page.html.contains("data-version=\"1\"") && page.html.contains("Fin de campo"), "{}", page.html);
    assert!(page.html.contains("Pedir la publicación") && !page.html.contains("Confirmar la publicación"));
    // The supervisor reads the state, without forms.
    let seen = get(&app, "/consola/periodos/2025", Some(&sup)).await;
    assert!(seen.html.contains("data-state=\"cerrado\"") && !seen.html.contains("<form class=\"state-change\""), "{}", seen.html);
    // The results page says the table is preliminary now.
    assert!(get(&app, "/consola/resultados?periodo=2025", Some(&staff)).await.html.contains("data-official"));
    // Asked by staff, confirmed by the admin.
    let asked = post_form(&app, "/consola/periodos/2025/estado", Some(&staff), &format!("csrf={token}&accion=pedir&reason=Revisado")).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let refused = post_form(&app, "/consola/periodos/2025/estado", Some(&staff), &format!("csrf={token}&accion=publicar&reason=yo")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let admin_page = get(&app, "/consola/periodos/2025", Some(&admin)).await;
    assert!(admin_page.html.contains("Confirmar la publicación") && admin_page.html.contains("data-publication-requested"));
    let admin_token = csrf(&admin_page.html);
    let published = post_form(&app, "/consola/periodos/2025/estado", Some(&admin), &format!("csrf={admin_token}&accion=publicar&reason=Comit%C3%A9")).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.html);
    assert!(get(&app, "/consola/periodos/2025", Some(&staff)).await.html.contains("data-state=\"publicado\""));
    // A late survey, reopen, close: version 2 lists the centro that changed.
    let ana = app.enrol("enc.ana").await;
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![survey(88_001, "GTO-E-T-01")])).await;
    assert_eq!(pushed.json["results"][0]["warning"]["code"], "after_close", "{}", pushed.json);
    let page = get(&app, "/consola/periodos/2025", Some(&staff)).await;
    assert!(page.html.contains("data-late=\"1\""), "{}", page.html);
    for (action, reason) in [("reabrir", "Lote+tard%C3%ADo"), ("cerrar", "Cierre+2")] {
        let r = post_form(&app, "/consola/periodos/2025/estado", Some(&staff), &format!("csrf={token}&accion={action}&reason={reason}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.html);
    }
    let v2 = get(&app, "/consola/periodos/2025/oficial/2", Some(&staff)).await;
    assert_eq!(v2.status, StatusCode::OK);
    assert!(v2.html.contains("data-changed=\"GTO-E-T-01\"") && v2.html.contains("Lote tardío"), "{}", v2.html);
    assert!(v2.html.contains("data-table-sha256"));
    assert_eq!(get(&app, "/consola/periodos/2025/oficial/9", Some(&staff)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/consola/periodos/no%20vale", Some(&staff)).await.status, StatusCode::BAD_REQUEST);
}

/// The centro report: preliminary while the period is open, official after the close,
/// with what to improve first (the lowest dimensions, the items the last visit found
/// unmet, by label).
#[tokio::test]
async fn the_centro_report_says_what_to_improve_first_from_live_then_official_results() {
    let app = demo_app().await;
    let staff = login(&app, "coordinacion").await;
    let (ana, carmen) = (app.enrol("enc.ana").await, app.enrol("insp.carmen").await);
    let surveys = (0..3).map(|i| survey(900 + i, "GTO-E-T-01")).collect();
    assert_eq!(app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys)).await.status, StatusCode::OK);
    let visit = support::visit(950, "GTO-E-T-01", &["AG-V2"]);
    assert_eq!(app.post("/api/v1/sync/push", Some(&carmen), &push_body(vec![visit])).await.status, StatusCode::OK);
    let path = "/consola/centros/GTO-E-T-01/informe?periodo=2025";
    let open = get(&app, path, Some(&staff)).await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.html);
    assert!(open.html.contains("Resultados preliminares"), "{}", open.html);
    assert!(open.html.contains("data-lowest=\"CI\""), "CI is the lowest dimension of the helper's answers: {}", open.html);
    assert_eq!(open.html.matches("data-unmet").count(), 1, "{}", open.html);
    assert!(open.html.contains("<strong>AG</strong>"));
    let token = app.enrol("coordinacion").await;
    assert_eq!(app.post("/api/v1/periods/2025/close", Some(&token), &serde_json::json!({"reason": "Cierre"})).await.status, StatusCode::OK);
    let closed = get(&app, path, Some(&staff)).await;
    assert!(closed.html.contains("Resultados oficiales, versión 1"), "{}", closed.html);
    assert_eq!(get(&app, "/consola/centros/NO-EXISTE/informe", Some(&staff)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, path, None).await.status, StatusCode::SEE_OTHER, "signed in only");
}
