//! An in-process server over a temporary database with the demo program, and requests
//! against its router without sockets.

#![allow(dead_code)]

pub mod bombs;
pub mod process;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::DateTime;
use http_body_util::BodyExt;
use shared::protocol::{CollectionMode, GeoPosition, Submission, SubmissionMeta, WireAnswers, WireEntry};
use sync_server::{AppState, Config, app};
use tower::ServiceExt;

pub const PASSWORD: &str = sync_server::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    _dir: tempfile::TempDir,
}

/// The engine these tests run on: the embedded SQLite file, or with
/// `VENTANILLA_TEST_ENGINE=postgres` a fresh database of its own in the PostgreSQL cluster at
/// `VENTANILLA_TEST_DATABASE_URL` (`scripts/test.sh` starts one and runs the suite on both).
pub fn on_postgres() -> bool {
    std::env::var("VENTANILLA_TEST_ENGINE").is_ok_and(|e| e == "postgres")
}

/// A test configuration over `dir` on the engine of [`on_postgres`]: opening it again
/// reaches the same database.
pub async fn test_config(dir: &std::path::Path) -> Config {
    // The server's errors in a failing test's output.
    let _ = tracing_subscriber::fmt().with_env_filter("error").with_test_writer().try_init();
    let mut config = Config::for_tests(dir.to_path_buf());
    if on_postgres() {
        config.database_url = Some(fresh_postgres_database().await);
    }
    config
}

/// A new, empty database in the tests' PostgreSQL cluster; its URL.
pub async fn fresh_postgres_database() -> String {
    let admin = std::env::var("VENTANILLA_TEST_DATABASE_URL")
        .expect("VENTANILLA_TEST_DATABASE_URL names the tests' PostgreSQL cluster (scripts/test.sh starts one: scripts/pg-cluster.sh)");
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.expect("the tests' PostgreSQL cluster answers");
    tokio::spawn(connection);
    let name = format!("t_{}", uuid::Uuid::now_v7().simple());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("a test database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    format!("{base}/{name}")
}

/// A fresh server with the demo program.
pub async fn demo_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path()).await;
    config.demo = true;
    let state = sync_server::open_state(&config).await.expect("state opens");
    TestApp { router: app(state.clone()), state, _dir: dir }
}

/// A demo server whose rate limits have the default sizes but never refill: a test of
/// the limits then depends on how many requests it makes, never on how fast the machine
/// makes them.
pub async fn demo_app_without_refill() -> TestApp {
    use sync_server::limits::{LoginLimits, RateLimiter};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path()).await;
    config.demo = true;
    let mut state = sync_server::open_state(&config).await.expect("state opens");
    state.device_limiter = std::sync::Arc::new(RateLimiter::new(120, 0.0));
    state.login_limits = std::sync::Arc::new(LoginLimits {
        per_client: RateLimiter::new(30, 0.0),
        per_client_user: RateLimiter::new(10, 0.0),
        per_user: RateLimiter::new(60, 0.0),
    });
    TestApp::new(state, dir)
}

/// An answer: status and JSON body (or the raw text as a JSON string).
pub struct Answer {
    pub status: StatusCode,
    pub json: serde_json::Value,
}

impl TestApp {
    /// A test app over `state`, keeping its data directory alive.
    pub fn new(state: AppState, dir: tempfile::TempDir) -> Self {
        TestApp { router: app(state.clone()), state, _dir: dir }
    }

    pub async fn send(&self, req: Request<Body>) -> Answer {
        let res = self.router.clone().oneshot(req).await.expect("answer");
        let status = res.status();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()));
        Answer { status, json }
    }

    /// Any request, answered with its status, headers and raw body.
    pub async fn send_raw(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let res = self.router.clone().oneshot(req).await.expect("answer");
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// A GET whose raw body is wanted (files).
    pub async fn get_bytes(&self, path: &str, token: &str) -> (StatusCode, Vec<u8>) {
        let req = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).expect("request");
        let res = self.router.clone().oneshot(req).await.expect("answer");
        let status = res.status();
        (status, res.into_body().collect().await.expect("body").to_bytes().to_vec())
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Answer {
        let mut req = Request::get(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(Body::empty()).expect("request")).await
    }

    pub async fn post_raw(&self, path: &str, token: Option<&str>, body: impl Into<Body>) -> Answer {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        self.send(req.body(body.into()).expect("request")).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &impl serde::Serialize) -> Answer {
        self.post_raw(path, token, serde_json::to_vec(body).expect("serializes")).await
    }

    pub async fn put(&self, path: &str, token: &str, body: &impl serde::Serialize) -> Answer {
        let req = Request::put(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(serde_json::to_vec(body).expect("serializes")))
            .expect("request");
        self.send(req).await
    }

    /// Enrols a device for a demo user and returns its token.
    pub async fn enrol(&self, username: &str) -> String {
        let body = serde_json::json!({ "username": username, "password": PASSWORD, "device_label": "prueba" });
        let a = self.post("/api/v1/auth/enrol", None, &body).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
        a.json["token"].as_str().expect("token").to_string()
    }

    /// Enrols a kiosk tablet of `centro` (by its demo supervisor) and returns its token.
    #[allow(dead_code)]
    pub async fn enrol_kiosk(&self, centro: &str) -> String {
        let body = serde_json::json!({ "username": "sup.norte", "password": PASSWORD, "centro_id": centro, "device_label": "Tableta de la entrada" });
        let a = self.post("/api/v1/auth/kiosk", None, &body).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
        a.json["token"].as_str().expect("token").to_string()
    }
}

/// A complete, valid exit survey for `centro`, sealed.
pub fn survey(id: u128, centro: &str) -> Submission {
    let mut a = WireAnswers::new();
    let mut set = |k: &str, v: &str| {
        a.insert(k.into(), WireEntry::Value(v.into()));
    };
    for (k, v) in [
        ("consentimiento", "si"), ("P0", "predial"), ("AG1", "10a20"), ("AG2", "4"), ("AG3", "5"), ("AG4", "1"),
        ("DE1", "4"), ("DE2", "3"), ("DE3", "si"), ("TC1", "5"), ("TC2", "4"), ("TC3", "si"), ("CI1", "4"),
        ("CI2", "parcial"), ("CI3", "no"), ("IN1", "no"), ("IN2", "no"), ("QJ1", "si"), ("RE1", "si"), ("GL1", "4"),
        ("GL2", "9"),
    ] {
        set(k, v);
    }
    // Ten minutes apart per id, so that no burst of finalisations is flagged.
    let base = DateTime::parse_from_rfc3339("2025-06-02T08:00:00-06:00").expect("valid");
    let start = base + chrono::Duration::minutes((id % 10_000) as i64 * 10);
    Submission {
        id: uuid::Uuid::from_u128(id),
        form_id: "encuesta_opinion".into(),
        form_version: "2025010102".into(),
        centro_id: centro.into(),
        started_at: start,
        finalised_at: start + chrono::Duration::seconds(150),
        answers: a,
        meta: SubmissionMeta {
            mode: CollectionMode::Entrevista,
            position: Some(GeoPosition { lat: 21.1221, lon: -101.6841, accuracy_m: Some(8.0) }),
            sampling_position: Some(3),
            photos: vec![],
            score_notes: vec![],
            photo_items: vec![],
            replaces: None,
        },
        content_hash: String::new(),
    }
    .seal()
}

/// A push body with the device clock right now.
pub fn push_body(submissions: Vec<Submission>) -> serde_json::Value {
    let now = chrono::Utc::now().with_timezone(&chrono::FixedOffset::west_opt(6 * 3600).expect("offset"));
    serde_json::json!({ "device_time": now.to_rfc3339(), "submissions": submissions })
}

/// A complete, valid site visit (cédula) for `centro`: every item «Cumple» but `zero`
/// items «No cumple», sealed.
pub fn visit(id: u128, centro: &str, zero: &[&str]) -> Submission {
    let form = shared::instruments::cedula().expect("cedula imports");
    let mut a = WireAnswers::new();
    for f in form.fields() {
        if f.scoring.pillar.is_some() {
            let v = if zero.contains(&f.name.as_str()) { "0" } else { "2" };
            a.insert(f.name.clone(), WireEntry::Value(v.into()));
        }
    }
    a.insert("turno".into(), WireEntry::Value("matutino".into()));
    a.insert("aviso".into(), WireEntry::Value("si".into()));
    let wait = |m: &str| {
        let mut i = WireAnswers::new();
        i.insert("espera_min".into(), WireEntry::Value(m.into()));
        i
    };
    a.insert("espera".into(), WireEntry::Repeat(["4", "6", "9", "3", "12"].map(wait).to_vec()));
    let start = DateTime::parse_from_rfc3339("2025-05-20T09:00:00-06:00").expect("valid") + chrono::Duration::days((id % 100) as i64);
    Submission {
        id: uuid::Uuid::from_u128(id),
        form_id: "cedula_visita".into(),
        form_version: "2025010101".into(),
        centro_id: centro.into(),
        started_at: start,
        finalised_at: start + chrono::Duration::minutes(70),
        answers: a,
        meta: SubmissionMeta { mode: CollectionMode::Entrevista, position: None, sampling_position: None, photos: vec![], score_notes: vec![], photo_items: vec![], replaces: None },
        content_hash: String::new(),
    }
    .seal()
}

/// An XLSForm workbook «piloto» with these survey rows (first row: headers), a yes/no list
/// and the given version.
pub fn xlsform(survey: &[&[&str]], version: &str) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheets: [(&str, Vec<Vec<&str>>); 3] = [
        ("survey", survey.iter().map(|r| r.to_vec()).collect()),
        ("choices", vec![vec!["list_name", "name", "label"], vec!["sn", "si", "Sí"], vec!["sn", "no", "No"]]),
        ("settings", vec![vec!["form_id", "version", "form_title"], vec!["piloto", version, "Piloto"]]),
    ];
    for (name, rows) in sheets {
        sheet(&mut wb, name, &rows.iter().map(Vec::as_slice).collect::<Vec<_>>());
    }
    wb.save_to_buffer().expect("xlsx")
}

/// Adds a sheet `name` of text rows to a workbook.
pub fn sheet(wb: &mut rust_xlsxwriter::Workbook, name: &str, rows: &[&[&str]]) {
    let ws = wb.add_worksheet();
    ws.set_name(name).expect("name");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *cell).expect("cell");
        }
    }
}

/// A console session for a demo user: the cookie's token and the CSRF value of `page`.
#[allow(dead_code)]
pub async fn console_session(app: &TestApp, username: &str, page: &str) -> (String, String) {
    let req = Request::post("/consola/entrar")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!("username={username}&password={PASSWORD}")))
        .expect("request");
    let res = app.router.clone().oneshot(req).await.expect("answer");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("cookie").to_string();
    let token = cookie.split(';').next().and_then(|kv| kv.split_once('=')).map(|(_, v)| v.to_string()).expect("token");
    let req = Request::get(page).header(header::COOKIE, format!("ventanilla_sesion={token}")).body(Body::empty()).expect("request");
    let (_, _, body) = app.send_raw(req).await;
    let html = String::from_utf8_lossy(&body);
    let at = html.find("name=\"csrf\" value=\"").expect("csrf") + "name=\"csrf\" value=\"".len();
    (token, html[at..].split('"').next().expect("value").to_string())
}

/// The review decisions a device pulls after `cursor`: (record id as a number, state), by id.
#[allow(dead_code)]
pub async fn told_reviews(app: &TestApp, token: &str, cursor: u64) -> Vec<(u128, shared::protocol::ReviewState)> {
    let page: shared::protocol::PullResponse = serde_json::from_value(app.get(&format!("/api/v1/sync/pull?after={cursor}"), Some(token)).await.json).expect("page");
    let mut told: Vec<(u128, shared::protocol::ReviewState)> = page
        .changes
        .iter()
        .filter_map(|c| match &c.body {
            shared::protocol::ChangeBody::Review { submission_id, state, .. } => Some((submission_id.as_u128(), *state)),
            _ => None,
        })
        .collect();
    told.sort_unstable_by_key(|t| t.0);
    told
}
