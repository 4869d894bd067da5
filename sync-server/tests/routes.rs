//! Route tests, in-process over a temporary database: health, forms, errors, enrolment,
//! tokens and bad input.

mod support;

use axum::http::StatusCode;
use support::{PASSWORD, demo_app};

#[tokio::test]
async fn health_says_ok_with_the_protocol_version() {
    let app = demo_app().await;
    let a = app.get("/api/v1/health", None).await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!((a.json["status"].as_str(), a.json["protocol_version"].as_u64()), (Some("ok"), Some(u64::from(shared::protocol::PROTOCOL_VERSION))));
}

#[tokio::test]
async fn forms_lists_the_published_default_instruments() {
    let app = demo_app().await;
    let a = app.get("/api/v1/forms", None).await;
    let titles: Vec<&str> = a.json["forms"].as_array().expect("array").iter().filter_map(|f| f["title"].as_str()).collect();
    assert_eq!(titles, ["Cédula de visita – Modelo de Gestión de Servicio", "Encuesta de opinión ciudadana"]);
    assert_eq!(a.json["forms"][1]["questions"], 27);
}

#[tokio::test]
async fn unknown_paths_get_a_json_404_with_a_code() {
    let app = demo_app().await;
    let a = app.get("/api/v1/nada", None).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    assert_eq!(a.json, serde_json::json!({"code": "not_found", "message": "La ruta no existe."}));
}

#[tokio::test]
async fn enrolment_gives_a_token_that_identifies_the_device() {
    let app = demo_app().await;
    let token = app.enrol("enc.ana").await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json["user"]["role"], "surveyor");
    let centros: Vec<&str> = me.json["centros"].as_array().expect("array").iter().filter_map(|c| c.as_str()).collect();
    assert_eq!(centros, ["GTO-E-S-01", "GTO-E-T-01", "GTO-E-T-03", "GTO-M-S-01", "GTO-M-T-01"]);
}

#[tokio::test]
async fn wrong_credentials_are_refused_alike() {
    let app = demo_app().await;
    for (user, password) in [("enc.ana", "otra-cosa"), ("nadie", PASSWORD)] {
        let body = serde_json::json!({"username": user, "password": password, "device_label": "x"});
        let a = app.post("/api/v1/auth/enrol", None, &body).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED);
        assert_eq!(a.json["code"], "bad_credentials");
        assert_eq!(a.json["message"], "Usuario o contraseña incorrectos.");
    }
}

#[tokio::test]
async fn missing_unknown_and_revoked_tokens_get_401_with_their_code() {
    let app = demo_app().await;
    assert_eq!(app.get("/api/v1/me", None).await.json["code"], "missing_token");
    let unknown = app.get("/api/v1/me", Some("abc")).await;
    assert_eq!((unknown.status, unknown.json["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unknown_token")));
    let token = app.enrol("enc.luis").await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    let device: uuid::Uuid = me.json["device_id"].as_str().expect("id").parse().expect("uuid");
    app.state.db.revoke_device(device).await.expect("revoked");
    let revoked = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!((revoked.status, revoked.json["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("revoked_token")));
    assert!(revoked.json["message"].as_str().is_some_and(|m| m.contains("sus datos pendientes se conservan")));
}

#[tokio::test]
async fn bad_bodies_get_a_4xx_with_a_code_never_a_5xx() {
    let app = demo_app().await;
    let cases: [(&[u8], &str); 5] = [
        (b"{not json", "bad_json"),
        (br#"{"username": 5, "password": "x", "device_label": "y"}"#, "invalid_body"),
        (br#"{"username": "a", "password": "b"}"#, "invalid_body"),
        (br#"{"username": "a", "password": "b", "device_label": "c", "extra": 1}"#, "invalid_body"),
        (br#"{"username": "a", "password": "b", "device_label": ""}"#, "invalid_body"),
    ];
    for (body, code) in cases {
        let a = app.post_raw("/api/v1/auth/enrol", None, body.to_vec()).await;
        assert_eq!((a.status, a.json["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{}", String::from_utf8_lossy(body));
    }
    let huge = format!(r#"{{"username": "{}", "password": "x", "device_label": "y"}}"#, "a".repeat(5 * 1024 * 1024));
    let a = app.post_raw("/api/v1/auth/enrol", None, huge).await;
    assert_eq!((a.status, a.json["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large")));
    let long_name = serde_json::json!({"username": "a".repeat(1000), "password": "x", "device_label": "y"});
    assert_eq!(app.post("/api/v1/auth/enrol", None, &long_name).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn floods_and_password_guessing_are_slowed_with_429() {
    // Without refill: the outcome depends on the count of requests, not on their speed.
    let app = support::demo_app_without_refill().await;
    let token = app.enrol("enc.jose").await;
    let mut limited = 0;
    for _ in 0..200 {
        let a = app.get("/api/v1/me", Some(&token)).await;
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(a.json["code"], "rate_limited");
            limited += 1;
        }
    }
    assert!(limited > 0, "200 requests at once must hit the limit");
    let other = app.enrol("enc.marta").await;
    assert_eq!(app.get("/api/v1/me", Some(&other)).await.status, StatusCode::OK);
    let guess = serde_json::json!({"username": "sup.sur", "password": "adivina", "device_label": "x"});
    let mut codes = Vec::new();
    for _ in 0..12 {
        codes.push(app.post("/api/v1/auth/enrol", None, &guess).await.status);
    }
    assert_eq!(codes.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count(), 10);
    assert_eq!(codes.last(), Some(&StatusCode::TOO_MANY_REQUESTS));
}

fn compress(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    match encoding {
        "zstd" => zstd::bulk::compress(bytes, 3).expect("zstd"),
        _ => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(bytes).expect("gzip");
            e.finish().expect("gzip")
        }
    }
}

async fn post_compressed(app: &support::TestApp, encoding: &str, body: Vec<u8>) -> support::Answer {
    use axum::http::{Request, header};
    let req = Request::post("/api/v1/auth/enrol")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_ENCODING, encoding)
        .body(axum::body::Body::from(body))
        .expect("request");
    app.send(req).await
}

/// Request bodies compressed with gzip (the browser app) or zstd (the native app) are read;
/// a broken stream is a 400 and a bomb a 413, whichever the encoding.
#[tokio::test]
async fn compressed_bodies_are_accepted_and_broken_or_bombed_ones_are_a_4xx() {
    let app = demo_app().await;
    for encoding in ["gzip", "zstd"] {
        let good = serde_json::json!({"username": "enc.ana", "password": PASSWORD, "device_label": encoding});
        let a = post_compressed(&app, encoding, compress(encoding, &serde_json::to_vec(&good).expect("json"))).await;
        assert_eq!(a.status, StatusCode::OK, "{encoding}: {}", a.json);
        let mut broken = compress(encoding, &serde_json::to_vec(&good).expect("json"));
        broken.truncate(broken.len() / 2);
        let b = post_compressed(&app, encoding, broken).await;
        assert_eq!(b.status, StatusCode::BAD_REQUEST, "{encoding}: {}", b.json);
        // 50 MiB of spaces compress to a few KiB; inflated they exceed the 4 MiB limit.
        let mut bomb = b"{\"username\": \"a\", \"password\": \"b\", \"device_label\": \"c\"".to_vec();
        bomb.extend(std::iter::repeat_n(b' ', 50 * 1024 * 1024));
        bomb.push(b'}');
        let c = post_compressed(&app, encoding, compress(encoding, &bomb)).await;
        assert_eq!((c.status, c.json["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large")), "{encoding}");
    }
}

/// The served OpenAPI document is the one generated from the handlers, and every
/// operation it lists is routed (the router and the document come from one list).
#[tokio::test]
async fn the_served_openapi_document_is_generated_and_routed() {
    let app = demo_app().await;
    let doc = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let generated: serde_json::Value = serde_json::from_str(sync_server::openapi::document_json()).expect("json");
    assert_eq!(doc.json, generated);
    let paths = doc.json["paths"].as_object().expect("paths");
    assert!(paths.len() >= 29, "{} paths", paths.len());
    for (path, item) in paths {
        let concrete = path.split('/').map(|s| if s.starts_with('{') { "x" } else { s }).collect::<Vec<_>>().join("/");
        for method in item.as_object().expect("methods").keys() {
            let method = axum::http::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let req = axum::http::Request::builder().method(method.clone()).uri(format!("/api/v1{concrete}")).body(axum::body::Body::empty()).expect("request");
            let answer = app.send(req).await;
            assert_ne!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            assert_ne!(answer.json["message"], "La ruta no existe.", "{method} {path}");
        }
    }
}

/// Every error of the API is JSON with a code: malformed path parameters, malformed or
/// repeated query parameters, a method a path does not take, a path that does not exist.
#[tokio::test]
async fn every_error_is_json_with_a_code() {
    let app = demo_app().await;
    let sup = app.enrol("sup.norte").await;
    let ana = app.enrol("enc.ana").await;
    let staff = app.enrol("coordinacion").await;
    let cases: Vec<(support::Answer, StatusCode, &str)> = vec![
        (app.post("/api/v1/review/0", Some(&sup), &serde_json::json!({"decision": "approve"})).await, StatusCode::BAD_REQUEST, "bad_path"),
        (app.post("/api/v1/devices/no-es-uuid/revoke", Some(&sup), &serde_json::json!({})).await, StatusCode::BAD_REQUEST, "bad_path"),
        (app.get("/api/v1/sync/pull?after=1&after=2", Some(&ana)).await, StatusCode::BAD_REQUEST, "bad_query"),
        (app.get("/api/v1/sync/pull?after=-1", Some(&ana)).await, StatusCode::BAD_REQUEST, "bad_query"),
        (app.get("/api/v1/periods/2025/scores?format=csv&format=json", Some(&staff)).await, StatusCode::BAD_REQUEST, "bad_query"),
        (app.get("/api/v1/devices?date=2025-13-01", Some(&sup)).await, StatusCode::BAD_REQUEST, "bad_query"),
        (app.get("/api/v1/sync/push", Some(&ana)).await, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        (app.post("/api/v1/health", None, &serde_json::json!({})).await, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        (app.get("/api/v1/periods/2025/nada", Some(&staff)).await, StatusCode::NOT_FOUND, "not_found"),
    ];
    for (i, (answer, status, code)) in cases.into_iter().enumerate() {
        assert_eq!(answer.status, status, "case {i}: {}", answer.json);
        assert_eq!(answer.json["code"], code, "case {i}: {}", answer.json);
        assert!(answer.json["message"].as_str().is_some_and(|m| !m.is_empty()), "case {i}: {}", answer.json);
        let message = answer.json["message"].as_str().unwrap_or_default();
        assert!(!["Failed", "deserialize", "Invalid", "invalid", "parse"].iter().any(|w| message.contains(w)), "case {i}: English reached the user: {message}");
    }
}

/// The device limit is configuration: a smaller burst is reached sooner.
#[tokio::test]
async fn the_device_limit_is_configurable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = support::test_config(dir.path()).await;
    config.demo = true;
    config.device_burst = 5;
    config.device_rate = 1;
    let app = support::TestApp::new(sync_server::open_state(&config).await.expect("state opens"), dir);
    let token = app.enrol("enc.jose").await;
    let mut statuses = Vec::new();
    for _ in 0..200 {
        statuses.push(app.get("/api/v1/me", Some(&token)).await.status);
    }
    // The burst of 5 passes; then only what refills (one a second) does: 200 requests
    // would have to take over three minutes to all pass.
    assert!(statuses[..5].iter().all(|s| *s == StatusCode::OK), "{statuses:?}");
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
}
