//! Who reaches what (`docs/access.md`), cell by cell through the real endpoints and pages:
//! photos belong to their uploader, supervisors see their team, review cannot bury bad
//! news, console sessions expire and only same-origin posts are taken.

mod support;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use support::{PASSWORD, TestApp, demo_app, push_body, survey};
use tower::ServiceExt;

const USERS: [&str; 5] = ["admin", "coordinacion", "sup.norte", "insp.carmen", "enc.ana"];

fn photo(len: usize, seed: u8) -> (Vec<u8>, String) {
    let bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
    (bytes.clone(), shared::digest::hex(&Sha256::digest(&bytes)))
}

async fn put_chunk(app: &TestApp, token: &str, sha: &str, offset: usize, total: usize, chunk: &[u8]) -> support::Answer {
    let req = Request::put(format!("/api/v1/photos/{sha}?offset={offset}&total={total}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(chunk.to_vec()))
        .expect("request");
    app.send(req).await
}

async fn status_of(app: &TestApp, method: &str, path: &str, token: &str, body: Option<serde_json::Value>) -> StatusCode {
    let mut req = Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {token}"));
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(serde_json::to_vec(&b).expect("json")));
    app.send(req.body(body).expect("request")).await.status
}

/// (resource, method, path, body, who may: admin, staff, supervisor, inspector, surveyor)
type Case = (&'static str, &'static str, String, Option<serde_json::Value>, [bool; 5]);

/// Every role against one endpoint per resource: allowed (not 401/403) or 403, as the table says.
#[tokio::test]
async fn every_role_meets_the_table_at_every_api_resource() {
    let app = demo_app().await;
    let mut tokens = Vec::new();
    for u in USERS {
        tokens.push(app.enrol(u).await);
    }
    let period = serde_json::json!({"name": "MAS 2030", "start": "2030-01-01", "end": "2030-12-31"});
    let user = |n: usize| serde_json::json!({"username": format!("nuevo{n}"), "display_name": "N", "role": "surveyor", "password": "12345678"});
    let commitment = serde_json::json!({"description": "Turnos", "impact": 2, "milestones": [{"milestone_id": "h1", "description": "Compra", "due": "2030-09-30"}]});
    let complaint = serde_json::json!({"received": "2025-05-02", "responded": null, "corrective_action": false, "acknowledged": false});
    // (resource, method, path, body, who may: admin, staff, supervisor, inspector, surveyor)
    let cases: Vec<Case> = vec![
        ("Results", "GET", "/api/v1/periods/2025/scores".into(), None, [true, true, true, false, false]),
        ("Results", "GET", "/api/v1/periods/2025/scoring-inputs".into(), None, [true, true, true, false, false]),
        ("Review", "GET", "/api/v1/review".into(), None, [true, true, true, false, false]),
        ("Fieldwork", "GET", "/api/v1/devices".into(), None, [true, true, true, false, false]),
        ("Program", "PUT", "/api/v1/periods/2030".into(), Some(period), [true, true, false, false, false]),
        ("Users", "POST", "/api/v1/users".into(), Some(user(0)), [true, false, false, false, false]),
        ("Exports", "GET", "/api/v1/audit-log".into(), None, [true, true, false, false, false]),
        ("Exports", "GET", "/api/v1/forms/encuesta_opinion/2025010102/submissions.csv".into(), None, [true, true, false, false, false]),
        ("Commitments", "PUT", "/api/v1/centros/GTO-E-T-01/commitments/K9".into(), Some(commitment), [true, true, false, false, false]),
        ("SiteRecords", "PUT", "/api/v1/centros/GTO-E-T-01/complaints/Q-1".into(), Some(complaint), [true, true, false, true, false]),
    ];
    for (resource, method, path, body, allowed) in cases {
        for (i, token) in tokens.iter().enumerate() {
            let mut body = body.clone();
            if resource == "Users" {
                body = Some(user(i));
            }
            let status = status_of(&app, method, &path, token, body).await;
            if allowed[i] {
                assert!(status.is_success(), "{} on {resource} {path}: {status}", USERS[i]);
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "{} on {resource} {path}", USERS[i]);
            }
        }
    }
    // SiteRecords for an inspector: only their own centros (Carmen is not at GTO-E-T-02).
    let complaint = serde_json::json!({"received": "2025-05-02", "responded": null, "corrective_action": false, "acknowledged": false});
    assert_eq!(status_of(&app, "PUT", "/api/v1/centros/GTO-E-T-02/complaints/Q-2", &tokens[3], Some(complaint)).await, StatusCode::FORBIDDEN);
    // PhotoUpload: field roles only.
    let (bytes, sha) = photo(100, 1);
    for (i, token) in tokens.iter().enumerate() {
        let a = put_chunk(&app, token, &sha, 0, bytes.len(), &bytes).await;
        let field = i >= 3;
        assert_eq!(a.status == StatusCode::FORBIDDEN, !field, "{} uploading: {}", USERS[i], a.status);
    }
}

#[tokio::test]
async fn a_partial_upload_is_continued_only_by_its_owner_and_read_only_by_those_it_concerns() {
    let app = demo_app().await;
    let carmen = app.enrol("insp.carmen").await;
    let raul = app.enrol("insp.raul").await;
    let (bytes, sha) = photo(50_000, 7);
    let first = put_chunk(&app, &carmen, &sha, 0, bytes.len(), &bytes[..20_000]).await;
    assert_eq!(first.json["received"], 20_000, "{}", first.json);
    // Another inspector can neither continue with garbage nor restart it, nor read its status.
    let garbage = put_chunk(&app, &raul, &sha, 20_000, bytes.len(), &[0u8; 30_000]).await;
    assert_eq!(garbage.status, StatusCode::CONFLICT, "{}", garbage.json);
    assert_eq!(put_chunk(&app, &raul, &sha, 0, bytes.len(), &bytes).await.status, StatusCode::CONFLICT);
    assert_eq!(app.get(&format!("/api/v1/photos/{sha}"), Some(&raul)).await.status, StatusCode::FORBIDDEN);
    // The owner's bytes were kept: her last chunk completes the photo.
    let status = app.get(&format!("/api/v1/photos/{sha}"), Some(&carmen)).await;
    assert_eq!(status.json["received"], 20_000);
    let done = put_chunk(&app, &carmen, &sha, 20_000, bytes.len(), &bytes[20_000..]).await;
    assert_eq!(done.json["complete"], true, "{}", done.json);
    // Her supervisor reads it (she uploaded it); the other supervisor does not; staff do.
    let norte = app.enrol("sup.norte").await;
    let sur = app.enrol("sup.sur").await;
    let staff = app.enrol("coordinacion").await;
    assert_eq!(app.get(&format!("/api/v1/photos/{sha}"), Some(&norte)).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/photos/{sha}"), Some(&sur)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/photos/{sha}"), Some(&staff)).await.status, StatusCode::OK);
    // A photo nobody started tells nothing and may be asked about by a phone.
    let (_, fresh) = photo(10, 9);
    assert_eq!(app.get(&format!("/api/v1/photos/{fresh}"), Some(&raul)).await.json["received"], 0);
}

/// A console session for `username`: the token and a CSRF value.
async fn console(app: &TestApp, username: &str) -> (String, String) {
    support::console_session(app, username, "/consola/resultados").await
}

async fn page(app: &TestApp, path: &str, token: &str) -> (StatusCode, String) {
    let req = Request::get(path).header(header::COOKIE, format!("ventanilla_sesion={token}")).body(Body::empty()).expect("request");
    let res = app.router.clone().oneshot(req).await.expect("answer");
    let status = res.status();
    (status, String::from_utf8_lossy(&res.into_body().collect().await.expect("body").to_bytes()).into_owned())
}

#[tokio::test]
async fn a_supervisor_sees_figures_everywhere_but_records_and_photos_only_of_their_team() {
    let app = demo_app().await;
    let carmen = app.enrol("insp.carmen").await;
    let (bytes, sha) = photo(2_000, 3);
    let mut visit = support::visit(5, "GTO-E-T-01", &["AG-V1"]);
    visit.meta.photos = vec![sha.clone()];
    let pushed = app.post("/api/v1/sync/push", Some(&carmen), &push_body(vec![visit.seal()])).await;
    assert_eq!(pushed.json["results"][0]["outcome"], "stored", "{}", pushed.json);
    assert_eq!(put_chunk(&app, &carmen, &sha, 0, bytes.len(), &bytes).await.json["complete"], true);
    // GTO-E-T-01 is sup.norte's team's centro (Ana, Carmen), not sup.sur's.
    let (norte, _) = console(&app, "sup.norte").await;
    let (sur, _) = console(&app, "sup.sur").await;
    let (status, own) = page(&app, "/consola/centros/GTO-E-T-01", &norte).await;
    assert_eq!(status, StatusCode::OK);
    assert!(own.contains(&format!("/consola/fotos/{sha}")) && own.contains("Libro de quejas"));
    let (status, other) = page(&app, "/consola/centros/GTO-E-T-01", &sur).await;
    assert_eq!(status, StatusCode::OK, "figures are program-wide");
    assert!(!other.contains(&sha) && !other.contains("data-visit") && !other.contains("Libro de quejas"), "another team's records are hidden");
    assert!(other.contains("id=\"otro-equipo\""));
    assert_eq!(page(&app, &format!("/consola/fotos/{sha}"), &norte).await.0, StatusCode::OK);
    assert_eq!(page(&app, &format!("/consola/fotos/{sha}"), &sur).await.0, StatusCode::FORBIDDEN);
    // The review queue, fieldwork and devices of another team are not listed either.
    let sur_token = app.enrol("sup.sur").await;
    let devices = app.get("/api/v1/devices", Some(&sur_token)).await;
    assert!(!devices.json.as_array().expect("rows").iter().any(|d| d["username"] == "insp.carmen"), "{}", devices.json);
}

#[tokio::test]
async fn staff_cannot_revoke_an_admins_device_and_supervisors_only_their_teams() {
    let app = demo_app().await;
    let admin = app.enrol("admin").await;
    let admin_device = app.get("/api/v1/me", Some(&admin)).await.json["device_id"].as_str().expect("id").to_string();
    let ana = app.enrol("enc.ana").await;
    let ana_device = app.get("/api/v1/me", Some(&ana)).await.json["device_id"].as_str().expect("id").to_string();
    let staff = app.enrol("coordinacion").await;
    let sur = app.enrol("sup.sur").await;
    let revoke = |id: &str| format!("/api/v1/devices/{id}/revoke");
    assert_eq!(status_of(&app, "POST", &revoke(&admin_device), &staff, None).await, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/me", Some(&admin)).await.status, StatusCode::OK, "the admin's device still works");
    assert_eq!(status_of(&app, "POST", &revoke(&ana_device), &sur, None).await, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, "POST", &revoke(&ana_device), &staff, None).await, StatusCode::OK);
    assert_eq!(app.get("/api/v1/me", Some(&ana)).await.json["code"], "revoked_token");
}

#[tokio::test]
async fn an_accepted_survey_is_rejected_only_by_staff_with_a_reason_and_the_centro_page_says_so() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![survey(31, "GTO-E-T-01")])).await;
    assert_eq!(pushed.json["results"][0]["review"], "accepted", "{}", pushed.json);
    let id = "00000000-0000-0000-0000-00000000001f";
    let norte = app.enrol("sup.norte").await;
    let reject = serde_json::json!({"decision": "reject", "reason": "No me gusta el resultado"});
    assert_eq!(status_of(&app, "POST", &format!("/api/v1/review/{id}"), &norte, Some(reject.clone())).await, StatusCode::CONFLICT);
    let staff = app.enrol("coordinacion").await;
    let n = |json: &serde_json::Value| json["centros"].as_array().expect("centros").iter().find(|c| c["centro_id"] == "GTO-E-T-01").expect("centro")["n"].as_u64();
    assert_eq!(n(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), Some(1));
    let no_reason = serde_json::json!({"decision": "reject"});
    assert_eq!(status_of(&app, "POST", &format!("/api/v1/review/{id}"), &staff, Some(no_reason)).await, StatusCode::UNPROCESSABLE_ENTITY);
    let reason = serde_json::json!({"decision": "reject", "reason": "Encuestador no asignado ese día"});
    assert_eq!(status_of(&app, "POST", &format!("/api/v1/review/{id}"), &staff, Some(reason)).await, StatusCode::OK);
    assert_eq!(n(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), Some(0));
    let audit = app.get("/api/v1/audit-log", Some(&staff)).await;
    let entry = audit.json.as_array().expect("entries").iter().find(|e| e["action"] == "review_overruled").cloned().expect("audited");
    assert!(entry["detail"].as_str().expect("detail").contains("Encuestador no asignado"), "{entry}");
    let (token, _) = console(&app, "coordinacion").await;
    let html = page(&app, "/consola/centros/GTO-E-T-01", &token).await.1;
    assert!(html.contains("1 encuestas rechazadas en revisión"), "the centro page counts it");
}

fn form_post(path: &str, token: &str, body: String, headers: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::COOKIE, format!("ventanilla_sesion={token}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(Body::from(body)).expect("request")
}

#[tokio::test]
async fn posts_from_another_origin_are_refused_by_scheme_host_and_port() {
    let app = demo_app().await;
    let (token, csrf) = console(&app, "coordinacion").await;
    let quota = || format!("csrf={csrf}&period=2025&centro=GTO-E-T-02&surveys=50");
    let send = |headers: Vec<(&'static str, &'static str)>| {
        let req = form_post("/consola/admin/cuotas", &token, quota(), &headers);
        let router = app.router.clone();
        async move { router.oneshot(req).await.expect("answer").status() }
    };
    assert_eq!(send(vec![("origin", "http://127.0.0.1:8080")]).await, StatusCode::SEE_OTHER);
    assert_eq!(send(vec![]).await, StatusCode::SEE_OTHER, "no Origin, no fetch metadata: an old browser's own form");
    assert_eq!(send(vec![("origin", "http://127.0.0.1:9999")]).await, StatusCode::FORBIDDEN, "another port");
    assert_eq!(send(vec![("origin", "https://127.0.0.1:8080")]).await, StatusCode::FORBIDDEN, "another scheme");
    assert_eq!(send(vec![("origin", "http://127.0.0.1:8080.evil.mx")]).await, StatusCode::FORBIDDEN);
    assert_eq!(send(vec![("origin", "null")]).await, StatusCode::FORBIDDEN);
    assert_eq!(send(vec![("sec-fetch-site", "cross-site")]).await, StatusCode::FORBIDDEN);
    assert_eq!(send(vec![("referer", "http://evil.mx/pagina")]).await, StatusCode::FORBIDDEN);
    assert_eq!(send(vec![("sec-fetch-site", "same-origin"), ("referer", "http://127.0.0.1:8080/consola/admin")]).await, StatusCode::SEE_OTHER);
    // The login form too (login CSRF).
    let login = Request::post("/consola/entrar")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:8080")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(format!("username=coordinacion&password={PASSWORD}")))
        .expect("request");
    assert_eq!(app.router.clone().oneshot(login).await.expect("answer").status(), StatusCode::FORBIDDEN);
}

/// The demo app with other console settings.
async fn app_with(settings: sync_server::ConsoleSettings) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = support::test_config(dir.path()).await;
    config.demo = true;
    let mut state = sync_server::open_state(&config).await.expect("state opens");
    state.console = Arc::new(settings);
    TestApp::new(state, dir)
}

#[tokio::test]
async fn console_sessions_expire_on_the_server_when_idle_and_after_the_absolute_limit() {
    // Idle: a session last used 3 hours ago (limit 2 h) is over, and its token is dead.
    let app = demo_app().await;
    let (token, _) = console(&app, "coordinacion").await;
    let device = app.state.db.device_by_token(sync_server::auth::token_hash(&token)).await.expect("db").expect("device");
    app.state.db.start_session(device.id, chrono::Utc::now().timestamp() - 3 * 3600).await.expect("backdated");
    let (status, _) = page(&app, "/consola/resultados", &token).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "to the login form");
    let api = Request::get("/api/v1/periods/2025/scores").header(header::COOKIE, format!("ventanilla_sesion={token}")).body(Body::empty()).expect("req");
    assert_eq!(app.router.clone().oneshot(api).await.expect("answer").status(), StatusCode::UNAUTHORIZED);

    // Absolute: with a limit of 1 hour, a session signed in 61 minutes ago and used a
    // minute ago is over all the same.
    let settings = sync_server::ConsoleSettings { session: sync_server::db::SessionLimits { idle: 7200, absolute: 3600 }, ..Default::default() };
    let app = app_with(settings).await;
    let (token, _) = console(&app, "coordinacion").await;
    assert_eq!(page(&app, "/consola/resultados", &token).await.0, StatusCode::OK);
    let device = app.state.db.device_by_token(sync_server::auth::token_hash(&token)).await.expect("db").expect("device");
    app.state.db.start_session(device.id, chrono::Utc::now().timestamp() - 3630).await.expect("backdated");
    app.state.db.touch_session(device.id, chrono::Utc::now().timestamp() - 60, app.state.console.session).await.expect("db");
    assert_eq!(page(&app, "/consola/resultados", &token).await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_cookie_is_secure_over_https() {
    for (headers, secure) in [(vec![], false), (vec![("x-forwarded-proto", "https")], true)] {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = support::test_config(dir.path()).await;
        config.demo = true;
        config.trust_forwarded_for = true;
        let state = sync_server::open_state(&config).await.expect("state");
        let app = TestApp::new(state, dir);
        let mut req = Request::post("/consola/entrar").header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        for (k, v) in &headers {
            req = req.header(*k, *v);
        }
        let res = app.router.clone().oneshot(req.body(Body::from(format!("username=coordinacion&password={PASSWORD}"))).expect("req")).await.expect("answer");
        let cookie = res.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("cookie").to_string();
        assert_eq!(cookie.contains("; Secure"), secure, "{cookie}");
    }
}
