//! Route tests, in-process: the router answers without a socket.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use sync_server::{AppState, app};
use tower::ServiceExt;

async fn get(path: &str, gzip: bool) -> (StatusCode, Option<String>, Vec<u8>) {
    let state = AppState::with_default_forms().expect("default forms publish");
    let mut req = Request::get(path);
    if gzip {
        req = req.header(header::ACCEPT_ENCODING, "gzip");
    }
    let res = app(state).oneshot(req.body(Body::empty()).expect("request")).await.expect("answer");
    let status = res.status();
    let encoding = res.headers().get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).map(String::from);
    let body = res.into_body().collect().await.expect("body").to_bytes().to_vec();
    (status, encoding, body)
}

#[tokio::test]
async fn health_says_ok_with_the_protocol_version() {
    let (status, _, body) = get("/api/v1/health", false).await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(json["status"], "ok");
    assert_eq!(json["protocol_version"], 1);
}

#[tokio::test]
async fn forms_lists_the_published_default_instruments() {
    let (status, _, body) = get("/api/v1/forms", false).await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_slice(&body).expect("json");
    let titles: Vec<&str> = json["forms"].as_array().expect("array").iter().filter_map(|f| f["title"].as_str()).collect();
    assert_eq!(titles, ["Cédula de visita – Modelo de Gestión de Servicio", "Encuesta de opinión ciudadana"]);
}

#[tokio::test]
async fn unknown_paths_get_a_json_404_with_a_code() {
    let (status, _, body) = get("/api/v1/nada", false).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(String::from_utf8(body).expect("utf-8"), r#"{"code":"not_found","message":"La ruta no existe."}"#);
}

#[tokio::test]
async fn answers_are_gzipped_when_the_client_accepts_it() {
    let (status, encoding, _) = get("/api/v1/forms", true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding.as_deref(), Some("gzip"));
}
