//! Commitments (versioned milestones), complaints, and how they move IACM and IGQ.

mod support;

use axum::http::{Request, StatusCode, header};
use axum::body::Body;
use shared::protocol::{ChangeBody, PullResponse};
use support::{TestApp, demo_app};

async fn put(app: &TestApp, path: &str, token: &str, body: serde_json::Value) -> support::Answer {
    let req = Request::put(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(serde_json::to_vec(&body).expect("json")))
        .expect("request");
    app.send(req).await
}

fn commitment(due: &str) -> serde_json::Value {
    serde_json::json!({
        "description": "Instalar sistema de turnos",
        "impact": 2,
        "milestones": [{"milestone_id": "h1", "description": "Compra del equipo", "due": due}]
    })
}

fn centro_row(json: &serde_json::Value, id: &str) -> serde_json::Value {
    json["centros"].as_array().expect("centros").iter().find(|c| c["centro_id"] == id).cloned().expect("centro")
}

#[tokio::test]
async fn commitments_reach_the_inspector_and_milestones_verify_with_versions() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let a = put(&app, "/api/v1/centros/GTO-E-T-02/commitments/K1", &staff, commitment("2025-03-31")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    assert_eq!(a.json["version"], 1);
    let raul = app.enrol("insp.raul").await;
    let page: PullResponse = serde_json::from_value(app.get("/api/v1/sync/pull?after=0", Some(&raul)).await.json).expect("page");
    assert!(page.changes.iter().any(|c| matches!(&c.body, ChangeBody::Commitment(info) if info.commitment_id == "K1")));

    let path = "/api/v1/centros/GTO-E-T-02/commitments/K1/milestones/h1/verify";
    let ok = app.post(path, Some(&raul), &serde_json::json!({"base_version": 1, "verified_on": "2025-03-20", "evidence": ["ab12"]})).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    assert_eq!((ok.json["version"].as_u64(), ok.json["milestones"][0]["verified_on"].as_str()), (Some(2), Some("2025-03-20")));
    // A device that had not seen version 2 is refused, and nothing is overwritten.
    let stale = app.post(path, Some(&raul), &serde_json::json!({"base_version": 1, "verified_on": "2025-04-30"})).await;
    assert_eq!((stale.status, stale.json["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
    let again = app.post(path, Some(&raul), &serde_json::json!({"base_version": 2, "verified_on": "2025-03-21"})).await;
    assert_eq!(again.json["milestones"][0]["verified_on"], "2025-03-21");

    // Not his centro, not his role.
    let carmen = app.enrol("insp.carmen").await;
    let foreign = app.post(path, Some(&carmen), &serde_json::json!({"base_version": 3, "verified_on": "2025-03-21"})).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    let ana = app.enrol("enc.ana").await;
    assert_eq!(app.post(path, Some(&ana), &serde_json::json!({"base_version": 3, "verified_on": "2025-03-21"})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(put(&app, "/api/v1/centros/GTO-E-T-02/commitments/K2", &raul, commitment("2025-05-01")).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn iacm_and_igq_follow_commitments_and_complaints() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let scores = || async { app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json };
    let before = centro_row(&scores().await, "GTO-E-T-02");
    assert_eq!((before["iacm"].as_f64(), before["insufficient_commitments"].as_bool()), (Some(0.0), Some(true)));
    put(&app, "/api/v1/centros/GTO-E-T-02/commitments/K1", &staff, commitment("2025-03-31")).await;
    put(&app, "/api/v1/centros/GTO-E-T-02/commitments/K2", &staff, commitment("2025-06-30")).await;
    let raul = app.enrol("insp.raul").await;
    for k in ["K1", "K2"] {
        let path = format!("/api/v1/centros/GTO-E-T-02/commitments/{k}/milestones/h1/verify");
        let a = app.post(&path, Some(&raul), &serde_json::json!({"base_version": 1, "verified_on": "2025-03-30"})).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    }
    // Both milestones verified by their due dates: IACM = 100.
    let after = centro_row(&scores().await, "GTO-E-T-02");
    assert_eq!((after["iacm"].as_f64(), after["commitments"].as_u64(), after["insufficient_commitments"].as_bool()), (Some(100.0), Some(2), Some(false)));

    // One complaint answered in term with corrective action, not acknowledged: IGQ = 40 + 30 = 70.
    let body = serde_json::json!({"received": "2025-04-01", "responded": "2025-04-08", "corrective_action": true, "acknowledged": false});
    let a = put(&app, "/api/v1/centros/GTO-E-T-02/complaints/Q-001", &raul, body).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let t = scores().await;
    assert_eq!((centro_row(&t, "GTO-E-T-02")["igq"].as_f64(), centro_row(&t, "GTO-E-T-02")["complaints"].as_u64()), (Some(70.0), Some(1)));
    assert!(t["watermark"].as_u64() >= a.json["seq"].as_u64());

    let backwards = serde_json::json!({"received": "2025-04-10", "responded": "2025-04-01", "corrective_action": false, "acknowledged": false});
    let bad = put(&app, "/api/v1/centros/GTO-E-T-02/complaints/Q-002", &raul, backwards).await;
    assert_eq!((bad.status, bad.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid")));
    let unknown = serde_json::json!({"received": "2025-04-10", "responded": null, "corrective_action": false, "acknowledged": false});
    assert_eq!(put(&app, "/api/v1/centros/NO-EXISTE/complaints/Q-1", &staff, unknown.clone()).await.status, StatusCode::NOT_FOUND);
    let ana = app.enrol("enc.ana").await;
    assert_eq!(put(&app, "/api/v1/centros/GTO-E-T-02/complaints/Q-3", &ana, unknown).await.status, StatusCode::FORBIDDEN);
}

/// Integrators read the program in pages: centros with everything the import takes,
/// periods with their pinned settings, each centro's commitments and complaints.
#[tokio::test]
async fn staff_read_the_program_in_pages() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    // Every centro once, in id order, across pages of 7.
    let (mut seen, mut after) = (Vec::<serde_json::Value>::new(), None::<String>);
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/centros?limit=7&after={a}"),
            None => "/api/v1/centros?limit=7".to_string(),
        };
        let page = app.get(&path, Some(&staff)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        let items = page.json["items"].as_array().expect("items").clone();
        assert!(items.len() <= 7);
        seen.extend(items);
        after = page.json["cursor"].as_str().map(String::from);
        if !page.json["more"].as_bool().expect("more") {
            break;
        }
    }
    let ids: Vec<&str> = seen.iter().map(|c| c["centro_id"].as_str().expect("id")).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!((ids.len(), &ids), (20, &sorted));
    let c = seen.iter().find(|c| c["centro_id"] == "GTO-E-T-01").expect("centro");
    for field in ["ambito", "tipo", "municipio", "lat", "lon", "sampling_interval", "tramites", "dependencia"] {
        assert!(!c[field].is_null(), "{field}: {c}");
    }
    let periods = app.get("/api/v1/periods", Some(&staff)).await;
    assert_eq!(periods.json["items"][0]["period_id"], "2025", "{}", periods.json);
    assert_eq!(periods.json["items"][0]["settings"]["method"], "MGS-1");
    // Commitments with milestones, complaints.
    assert_eq!(put(&app, "/api/v1/centros/GTO-E-T-02/commitments/K1", &staff, commitment("2025-03-31")).await.status, StatusCode::OK);
    let complaint = serde_json::json!({"received": "2025-02-03", "responded": "2025-02-05", "corrective_action": true, "acknowledged": false});
    assert_eq!(put(&app, "/api/v1/centros/GTO-E-T-02/complaints/Q-7", &staff, complaint).await.status, StatusCode::OK);
    let k = app.get("/api/v1/centros/GTO-E-T-02/commitments", Some(&staff)).await;
    assert_eq!((k.json["items"][0]["commitment_id"].as_str(), k.json["items"][0]["milestones"][0]["due"].as_str()), (Some("K1"), Some("2025-03-31")), "{}", k.json);
    let q = app.get("/api/v1/centros/GTO-E-T-02/complaints", Some(&staff)).await;
    assert_eq!((q.json["items"][0]["folio"].as_str(), q.json["items"][0]["responded"].as_str(), q.json["more"].as_bool()), (Some("Q-7"), Some("2025-02-05"), Some(false)));
    assert_eq!(app.get("/api/v1/centros/NO-EXISTE/complaints", Some(&staff)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/centros?limit=0&limit=3", Some(&staff)).await.json["code"], "bad_query");
    // Staff only.
    let ana = app.enrol("enc.ana").await;
    for path in ["/api/v1/centros", "/api/v1/periods", "/api/v1/centros/GTO-E-T-02/commitments", "/api/v1/centros/GTO-E-T-02/complaints"] {
        assert_eq!(app.get(path, Some(&ana)).await.status, StatusCode::FORBIDDEN, "{path}");
    }
}

/// A centro with no ISC has no effective sample size and no design effect: null, not 0 and 1.
#[tokio::test]
async fn a_centro_without_isc_reports_null_effective_size() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let table = app.get("/api/v1/periods/2025/scores", Some(&staff)).await;
    let c = centro_row(&table.json, "GTO-E-T-01");
    assert!(c["isc"].is_null() && c["n_eff"].is_null() && c["deff"].is_null(), "{c}");
}
