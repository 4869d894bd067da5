//! The public results: nothing before publication, then the ranking, the recognised
//! centros, a centro's report, the certificate and the open data, without login, cached
//! by ETag, and nothing that is not public.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use shared::protocol::{PeriodStatus, ScoreTableDto, ScoringInputs};
use support::{TestApp, demo_app, push_body, survey, visit};

/// A period where two centros of one category are ranked: lowered eligibility and tier
/// thresholds, three surveys and a visit each; one centro recognised per category.
async fn ranked_program(app: &TestApp) -> (String, String) {
    let (staff, admin) = (app.enrol("coordinacion").await, app.enrol("admin").await);
    let mut settings = serde_json::to_value(shared::scoring::MethodSettings::default()).expect("json");
    settings["eligibility"]["min_surveys"] = 2.into();
    settings["eligibility"]["min_visits"] = 1.into();
    settings["commitments"]["min_commitments"] = 0.into();
    for t in ["outstanding_min", "outstanding_lower_min", "satisfactory_min"] {
        settings["tiers"][t] = 0.0.into();
    }
    settings["recognition"] = serde_json::json!({"per_category": 1, "tiers": ["destacado", "satisfactorio"]});
    let period = serde_json::json!({"name": "Evaluación MAS 2025", "start": "2025-01-01", "end": "2025-12-31", "settings": settings});
    assert_eq!(app.put("/api/v1/periods/2025", &staff, &period).await.status, StatusCode::OK);
    let (ana, carmen) = (app.enrol("enc.ana").await, app.enrol("insp.carmen").await);
    // Without a position: the helper's is at GTO-E-T-01, far from GTO-E-T-03.
    let unplaced = |id, centro| {
        let mut s = survey(id, centro);
        s.meta.position = None;
        s.seal()
    };
    let surveys = (0..3).flat_map(|i| [unplaced(500 + i, "GTO-E-T-01"), unplaced(600 + i, "GTO-E-T-03")]).collect();
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys)).await;
    assert!(pushed.json["results"].as_array().is_some_and(|r| r.iter().all(|x| x["outcome"] == "stored" && x["review"] == "accepted")), "{}", pushed.json);
    let visits = vec![visit(700, "GTO-E-T-01", &[]), visit(701, "GTO-E-T-03", &[])];
    assert_eq!(app.post("/api/v1/sync/push", Some(&carmen), &push_body(visits)).await.status, StatusCode::OK);
    let live: ScoreTableDto = serde_json::from_value(app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json).expect("table");
    let why: Vec<_> = live.centros.iter().filter(|c| c.n > 0 || c.visits > 0).map(|c| (c.centro_id.clone(), c.n, c.visits, c.rank, c.reasons.iter().map(|r| r.code.clone()).collect::<Vec<_>>())).collect();
    assert_eq!(live.centros.iter().filter(|c| c.rank.is_some()).count(), 2, "two centros ranked: {why:?}");
    (staff, admin)
}

async fn publish(app: &TestApp, staff: &str, admin: &str) -> PeriodStatus {
    let why = |r: &str| serde_json::json!({ "reason": r });
    assert_eq!(app.post("/api/v1/periods/2025/close", Some(staff), &why("Cierre")).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/v1/periods/2025/publication-request", Some(staff), &why("Revisado")).await.status, StatusCode::OK);
    serde_json::from_value(app.post("/api/v1/periods/2025/publish", Some(admin), &why("Comité")).await.json).expect("status")
}

/// A public GET (no token, no cookie): status, headers, body.
async fn public(app: &TestApp, path: &str, etag: Option<&str>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(path);
    if let Some(e) = etag {
        req = req.header(header::IF_NONE_MATCH, e);
    }
    app.send_raw(req.body(Body::empty()).expect("request")).await
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

#[tokio::test]
async fn nothing_is_public_before_publication_and_a_closed_period_is_not_published() {
    let app = demo_app().await;
    let (staff, _) = ranked_program(&app).await;
    let (status, _, body) = public(&app, "/resultados", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&body).contains("Aún no hay resultados publicados"));
    assert_eq!(public(&app, "/resultados/2025", None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.post("/api/v1/periods/2025/close", Some(&staff), &serde_json::json!({"reason": "Cierre"})).await.status, StatusCode::OK);
    assert_eq!(public(&app, "/resultados/2025", None).await.0, StatusCode::NOT_FOUND, "closed is not published");
    assert_eq!(public(&app, "/resultados/2025/datos/tabla.json", None).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_published_ranking_report_certificate_and_open_data_need_no_login() {
    let app = demo_app().await;
    let (staff, admin) = ranked_program(&app).await;
    let status = publish(&app, &staff, &admin).await;
    let v = &status.versions[0];

    let (code, headers, body) = public(&app, "/resultados", None).await;
    assert_eq!(code, StatusCode::OK);
    assert!(text(&body).contains("data-period=\"2025\""));
    let (code, headers2, ranking) = public(&app, "/resultados/2025", None).await;
    assert_eq!(code, StatusCode::OK);
    let html = text(&ranking);
    assert!(html.contains(&v.table_sha256) && html.contains("Centros reconocidos") && html.contains("CC BY 4.0"), "{html}");
    assert!(html.contains("href=\"/resultados/2025/GTO-E-T-01\""), "centros link to their public report");
    // Nothing that is not public: no people, devices, free text, photos, console links.
    for private in ["enc.ana", "Ana Torres", "insp.carmen", "Carmen", "/consola", "/fotos", "GL3", "device_id", "ispositivo"] {
        assert!(!html.contains(private), "the public ranking shows «{private}»");
    }
    // Cached by ETag.
    let etag = headers2.get(header::ETAG).and_then(|v| v.to_str().ok()).expect("an ETag").to_string();
    assert_eq!(public(&app, "/resultados/2025", Some(&etag)).await.0, StatusCode::NOT_MODIFIED);
    assert!(headers.get(header::CACHE_CONTROL).is_some());

    // The open data: the table and inputs are the bytes of their digests, and recompute.
    let (_, table_headers, table_json) = public(&app, "/resultados/2025/datos/tabla.json", None).await;
    assert_eq!(shared::digest::sha256_hex(&table_json), v.table_sha256);
    assert_eq!(table_headers.get(header::ETAG).and_then(|e| e.to_str().ok()), Some(format!("\"{}\"", v.table_sha256).as_str()));
    let (_, _, inputs) = public(&app, "/resultados/2025/datos/insumos.json", None).await;
    assert_eq!(shared::digest::sha256_hex(&inputs), v.inputs_sha256);
    let inputs: ScoringInputs = serde_json::from_slice(&inputs).expect("inputs");
    let recomputed = ScoreTableDto::from(&inputs.recompute().expect("recomputes"));
    assert_eq!(shared::protocol::canonical(&recomputed).expect("json").1, v.table_sha256);
    assert!(inputs.surveys.iter().all(|s| ![500u128, 501, 502, 600, 601, 602].contains(&s.submission_id.as_u128())), "survey ids are replaced");
    let (_, _, csv) = public(&app, "/resultados/2025/datos/tabla.csv", None).await;
    assert!(text(&csv).contains("GTO-E-T-01"));
    let (_, _, hashes) = public(&app, "/resultados/2025/datos/huellas.txt", None).await;
    assert!(text(&hashes).contains(&v.inputs_sha256) && text(&hashes).contains("CC BY 4.0"));
    assert_eq!(public(&app, "/resultados/2025/datos/otro.zip", None).await.0, StatusCode::NOT_FOUND);

    // Recognition follows the frozen settings: the same list computed from the open data.
    let table: ScoreTableDto = serde_json::from_slice(&table_json).expect("table");
    let rule = shared::scoring::Recognition { per_category: 1, tiers: vec!["destacado".into(), "satisfactorio".into()] };
    let expected = shared::protocol::recognised(&table, &rule);
    assert!(!expected.is_empty());
    for r in &expected {
        assert!(html.contains(&format!("data-recognised=\"{}\"", r.centro_id)), "{} recognised", r.centro_id);
        let (code, _, cert) = public(&app, &format!("/resultados/2025/{}/constancia", r.centro_id), None).await;
        assert_eq!(code, StatusCode::OK);
        assert!(text(&cert).contains("Reconocimiento") && text(&cert).contains(&v.table_sha256));
    }
    let (_, _, list) = public(&app, "/resultados/2025/reconocidos", None).await;
    assert_eq!(text(&list).matches("data-recognised=").count(), expected.len());
    assert_eq!(public(&app, "/resultados/2025/GTO-M-S-05/constancia", None).await.0, StatusCode::NOT_FOUND, "not recognised, no certificate");

    // A centro's public report: its indices with intervals, trend, commitments.
    let (code, _, report) = public(&app, "/resultados/2025/GTO-E-T-01", None).await;
    assert_eq!(code, StatusCode::OK);
    let report = text(&report);
    assert!(report.contains("Satisfacción ciudadana (ISC)") && report.contains("data-trend") && report.contains("Compromisos de mejora"), "{report}");
    assert!(!report.contains("enc.ana") && !report.contains("Ana Torres"));
    assert_eq!(public(&app, "/resultados/2025/NO-EXISTE", None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(public(&app, "/resultados/no%20vale", None).await.0, StatusCode::NOT_FOUND);
}
