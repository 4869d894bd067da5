//! Security and robustness (issue «no upload can take the server down, no one reaches what
//! is not theirs»): bounded spreadsheets, logins that tell nothing and lock out no one.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use shared::form::{ImportErrorKind, XlsxLimit};
use support::{PASSWORD, bombs, demo_app};

#[test]
fn every_bomb_is_refused_by_the_limit_it_crosses() {
    let (tables, _) = shared::form::read_workbook(&bombs::harmless()).expect("the harmless base reads");
    assert_eq!(tables[0].headers.len(), 2);
    for (name, bytes) in bombs::all() {
        assert!(bytes.len() < 4 * 1024 * 1024, "{name}: {} bytes", bytes.len());
        let err = shared::form::import_xlsx(&bytes).expect_err(name);
        if name == "lying sizes" {
            // The ZIP reader itself stops where a part passes its declared size.
            assert!(matches!(&err.0[0].kind, ImportErrorKind::NotXlsx(m) if m.contains("la parte «xl/")), "{err}");
            continue;
        }
        let limit = err.too_big().unwrap_or_else(|| panic!("{name}: not refused by a limit: {err}"));
        let expected = match name {
            "shared strings" | "inline string" | "huge tag" => matches!(limit, XlsxLimit::EventBytes { .. }),
            "long texts" => matches!(limit, XlsxLimit::TextBytes(_)),
            "many shared strings" => matches!(limit, XlsxLimit::SharedStrings(_)),
            "empty cells" => matches!(limit, XlsxLimit::Cells(_)),
            "rows" => matches!(limit, XlsxLimit::Rows(_)),
            "deep styles" => matches!(limit, XlsxLimit::Depth { .. }),
            "many sheets" => matches!(limit, XlsxLimit::Sheets(_)),
            "many parts" => matches!(limit, XlsxLimit::Entries(_)),
            _ => false,
        };
        assert!(expected, "{name}: refused by {limit:?}");
        assert!(matches!(err.0[0].kind, ImportErrorKind::TooBig(_)));
        // The centros import reads the same way.
        assert!(matches!(sync_server::centros_import::parse(&bytes), Err(sync_server::centros_import::Refused::TooBig(_))), "{name}");
    }
}

#[tokio::test]
async fn bombs_posted_as_forms_or_centros_get_413_naming_the_limit() {
    let app = demo_app().await;
    let admin = app.enrol("admin").await;
    for (name, bytes) in bombs::all() {
        for path in ["/api/v1/forms", "/api/v1/centros/import"] {
            let req = Request::post(path).header(header::AUTHORIZATION, format!("Bearer {admin}")).body(Body::from(bytes.clone())).expect("request");
            let a = app.send(req).await;
            if name == "lying sizes" {
                assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{name} {path}: {}", a.json);
                continue;
            }
            assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{name} {path}: {}", a.json);
            assert_eq!(a.json["code"], "spreadsheet_too_large", "{name} {path}");
            let message = a.json["message"].as_str().unwrap_or_default();
            assert!(message.contains("límite") && message.contains("más de"), "{name}: {message}");
        }
    }
    // The server still answers.
    assert_eq!(app.get("/api/v1/health", None).await.status, StatusCode::OK);
}

fn enrol_from(client: [u8; 4], username: &str, password: &str) -> Request<Body> {
    let body = serde_json::json!({ "username": username, "password": password, "device_label": "prueba" });
    let mut req = Request::post("/api/v1/auth/enrol")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(&body).expect("json")))
        .expect("request");
    req.extensions_mut().insert(ConnectInfo(SocketAddr::from((client, 40_000))));
    req
}

#[tokio::test]
async fn wrong_passwords_from_one_place_do_not_lock_the_user_out_elsewhere() {
    // Without refill: a slow, loaded machine would refill the buckets mid-test.
    let app = support::demo_app_without_refill().await;
    let attacker = [10, 0, 0, 66];
    let mut limited = None;
    for i in 0..200 {
        let a = app.send(enrol_from(attacker, "enc.ana", &format!("adivina-{i}"))).await;
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some((i, a));
            break;
        }
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.json);
    }
    let (tries, answer) = limited.expect("the attacker is limited");
    assert!(tries <= 30, "limited only after {tries} tries");
    assert_eq!(answer.json["code"], "rate_limited");
    // Another username from the same place is limited too (the address is).
    // Thirty distinct usernames (a repeated one would be stopped by its own per-username
    // limit before spending the address's budget).
    let mut seen = Vec::new();
    for i in 0..30 {
        let name = format!("otro.{i}");
        let a = app.send(enrol_from(attacker, &name, "x")).await;
        seen.push((name, a.status.as_u16()));
    }
    let a = app.send(enrol_from(attacker, "sup.norte", PASSWORD)).await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{} after {tries} tries, then {seen:?}", a.json);
    // The real user, from their own phone, still gets in.
    let a = app.send(enrol_from([10, 0, 0, 7], "enc.ana", PASSWORD)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
}


#[tokio::test]
async fn a_limited_login_says_when_to_come_back() {
    let app = demo_app().await;
    let mut last = None;
    // The bucket refills one try every 10 s: on any machine faster than that per try, the
    // tries outrun it (bounded by count, not time).
    for i in 0..400 {
        let req = enrol_from([10, 9, 9, 9], "sup.norte", &format!("mala-{i}"));
        let res = tower::ServiceExt::oneshot(app.router.clone(), req).await.expect("answer");
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            last = res.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
            break;
        }
    }
    let after = last.expect("a 429 with Retry-After");
    assert!((1..=3600).contains(&after), "Retry-After: {after}");
}

/// The median time of `tries` logins of `username` with a wrong password, each from its
/// own address (so no limit is reached).
async fn median_login(app: &support::TestApp, username: &str, tries: u8, first: u8) -> Duration {
    let mut times = Vec::new();
    for i in 0..tries {
        let req = enrol_from([10, 20, first, i], username, "no-es-la-contraseña");
        let start = Instant::now();
        let a = app.send(req).await;
        times.push(start.elapsed());
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.json);
        assert_eq!(a.json["code"], "bad_credentials");
    }
    times.sort();
    times[times.len() / 2]
}

#[tokio::test]
async fn an_unknown_user_takes_as_long_as_a_wrong_password() {
    let app = demo_app().await;
    // Interleaved rounds, so a machine that slows down mid-test slows both sides.
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for round in 0..5u8 {
        known.push(median_login(&app, "enc.ana", 10, round).await);
        unknown.push(median_login(&app, "nadie.existe", 10, 100 + round).await);
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[2].as_secs_f64(), unknown[2].as_secs_f64());
    let ratio = k.max(u) / k.min(u);
    assert!(ratio < 1.5, "wrong password {k:.4} s, unknown user {u:.4} s: ratio {ratio:.2}");
}

#[tokio::test]
async fn values_out_of_range_are_refused_by_field_and_never_stored() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let mut far = support::survey(41, "GTO-E-T-01");
    far.meta.position = Some(shared::protocol::GeoPosition { lat: 300.0, lon: -101.6, accuracy_m: Some(5.0) });
    let mut old = support::survey(42, "GTO-E-T-01");
    old.started_at = chrono::DateTime::parse_from_rfc3339("1970-01-01T00:00:00-06:00").expect("date");
    old.finalised_at = old.started_at + chrono::Duration::minutes(3);
    let mut vague = support::survey(43, "GTO-E-T-01");
    vague.meta.position = Some(shared::protocol::GeoPosition { lat: 21.0, lon: -101.6, accuracy_m: Some(-4.0) });
    let good = support::survey(44, "GTO-E-T-01");
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &support::push_body(vec![far.seal(), old.seal(), vague.seal(), good])).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.json);
    let results = pushed.json["results"].as_array().expect("results");
    for (r, field) in results.iter().zip(["meta.position.lat", "started_at", "meta.position.accuracy_m"]) {
        assert_eq!(r["outcome"], "rejected", "{r}");
        assert_eq!(r["error"]["code"], "out_of_range");
        assert!(r["error"]["message"].as_str().expect("message").contains(field), "{r}");
    }
    assert_eq!(results[3]["outcome"], "stored");
    let staff = app.enrol("coordinacion").await;
    let scores = app.get("/api/v1/periods/2025/scores", Some(&staff)).await;
    let n = scores.json["centros"].as_array().expect("centros").iter().find(|c| c["centro_id"] == "GTO-E-T-01").expect("centro")["n"].as_u64();
    assert_eq!(n, Some(1), "only the good survey is stored");

    // Negative counts and coordinates off the Earth in the program's API, named by field.
    let quota = Request::put("/api/v1/periods/2025/quotas/GTO-E-T-01")
        .header(header::AUTHORIZATION, format!("Bearer {staff}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(r#"{"surveys": -5}"#))
        .expect("request");
    let a = app.send(quota).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let message = a.json["message"].as_str().expect("message");
    assert!(message.contains("«surveys»") && message.contains("negativo"), "{message}");
    let centro = serde_json::json!({"name": "X", "dependencia": "D", "ambito": "estatal", "tipo": "tramites", "municipio": "León", "lat": 95.0, "lon": -101.0, "sampling_interval": 5, "tramites": []});
    let req = Request::put("/api/v1/centros/GTO-X-01")
        .header(header::AUTHORIZATION, format!("Bearer {staff}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(&centro).expect("json")))
        .expect("request");
    let a = app.send(req).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.json);
    assert_eq!(app.get("/api/v1/sync/pull?after=0", Some(&staff)).await.json["changes"].as_array().map(|c| c.iter().any(|x| x["centro_id"] == "GTO-X-01")), Some(false));
}

#[tokio::test]
async fn a_device_name_of_only_spaces_is_a_rule_not_a_malformed_body() {
    let app = support::demo_app().await;
    // U+0085 matches the document's `\S` (ECMA regular expressions) but is a space to Rust.
    for label in ["\u{85}", "  \u{a0} "] {
        let body = serde_json::json!({ "username": "enc.ana", "password": support::PASSWORD, "device_label": label });
        let a = app.post("/api/v1/auth/enrol", None, &body).await;
        assert_eq!((a.status, a.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("blank_label")), "{label:?}: {}", a.json);
    }
    let empty = serde_json::json!({ "username": "enc.ana", "password": support::PASSWORD, "device_label": "" });
    assert_eq!(app.post("/api/v1/auth/enrol", None, &empty).await.status, StatusCode::BAD_REQUEST);
}
