//! The program's year, part 1: a period closes, its official results freeze with digests,
//! late records stay apart, reopening makes version 2, and publication needs an admin.

mod support;

use axum::http::StatusCode;
use shared::protocol::{OfficialResults, PeriodState, PeriodStatus, ScoreTableDto, VersionChanges};
use support::{demo_app, push_body, survey};

fn why(reason: &str) -> serde_json::Value {
    serde_json::json!({ "reason": reason })
}

fn status_of(answer: &support::Answer) -> PeriodStatus {
    serde_json::from_value(answer.json.clone()).unwrap_or_else(|e| panic!("{e}: {}", answer.json))
}

#[tokio::test]
async fn only_staff_close_and_reopen_and_only_an_admin_confirms_publication() {
    let app = demo_app().await;
    let (staff, admin, sup, ana) = (app.enrol("coordinacion").await, app.enrol("admin").await, app.enrol("sup.norte").await, app.enrol("enc.ana").await);
    let close = "/api/v1/periods/2025/close";
    for token in [&sup, &ana] {
        assert_eq!(app.post(close, Some(token), &why("fin")).await.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(app.post(close, Some(&staff), &why("  ")).await.status, StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
    let closed = app.post(close, Some(&staff), &why("Fin del trabajo de campo")).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.json);
    let s = status_of(&closed);
    assert_eq!((s.state, s.versions.len(), s.versions[0].version), (PeriodState::Cerrado, 1, 1));
    assert_eq!(app.post(close, Some(&staff), &why("otra vez")).await.status, StatusCode::CONFLICT);
    // Editing a closed period is refused; supervisors read the status.
    let edit = serde_json::json!({"name": "Otro", "start": "2025-01-01", "end": "2025-12-31"});
    assert_eq!(app.put("/api/v1/periods/2025", &staff, &edit).await.status, StatusCode::CONFLICT);
    assert_eq!(app.get("/api/v1/periods/2025/status", Some(&sup)).await.status, StatusCode::OK);
    // Publication: asked by staff, confirmed by an admin, never by staff.
    let publish = "/api/v1/periods/2025/publish";
    assert_eq!(app.post(publish, Some(&admin), &why("sin pedir")).await.status, StatusCode::CONFLICT);
    assert_eq!(app.post("/api/v1/periods/2025/publication-request", Some(&sup), &why("x")).await.status, StatusCode::FORBIDDEN);
    let asked = app.post("/api/v1/periods/2025/publication-request", Some(&staff), &why("Resultados revisados")).await;
    assert_eq!(status_of(&asked).publication_requested.as_deref(), Some("Resultados revisados"));
    assert_eq!(app.post(publish, Some(&staff), &why("yo mismo")).await.status, StatusCode::FORBIDDEN);
    let published = status_of(&app.post(publish, Some(&admin), &why("Aprobado por el comité")).await);
    assert_eq!(published.state, PeriodState::Publicado);
    assert!(published.versions[0].published_at.is_some());
    // Every change is in the audit log, with its reason.
    let log = app.get("/api/v1/audit-log", Some(&staff)).await.json.to_string();
    for text in ["Fin del trabajo de campo", "Resultados revisados", "Aprobado por el comité", "abierto → cerrado", "cerrado → publicado"] {
        assert!(log.contains(text), "audit log lacks «{text}»: {log}");
    }
    // The listing says the state.
    let periods = app.get("/api/v1/periods", Some(&staff)).await;
    assert_eq!(periods.json["items"][0]["state"], "publicado");
}

#[tokio::test]
async fn a_late_record_is_stored_apart_and_reopening_makes_version_two_with_the_change_listed() {
    let app = demo_app().await;
    let (staff, ana) = (app.enrol("coordinacion").await, app.enrol("enc.ana").await);
    let v1 = status_of(&app.post("/api/v1/periods/2025/close", Some(&staff), &why("Cierre")).await);
    let official: OfficialResults = serde_json::from_value(app.get("/api/v1/periods/2025/official/1", Some(&staff)).await.json).expect("official");
    assert_eq!(shared::protocol::canonical(&official.table).expect("json").1, v1.versions[0].table_sha256, "the digest is of the table's canonical JSON");
    let live: ScoreTableDto = serde_json::from_value(app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json).expect("live");
    assert_eq!(official.table.centros, live.centros, "at close, the official table is the live one");

    // A survey of the period arrives after the close: stored, the phone told, not official.
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![survey(77_001, "GTO-E-T-01")])).await;
    let result = &pushed.json["results"][0];
    assert_eq!((result["outcome"].as_str(), result["warning"]["code"].as_str()), (Some("stored"), Some("after_close")), "{}", pushed.json);
    assert!(result["warning"]["message"].as_str().is_some_and(|m| m.contains("ya cerró")));
    let after: OfficialResults = serde_json::from_value(app.get("/api/v1/periods/2025/official/1", Some(&staff)).await.json).expect("official");
    assert_eq!(after.table, official.table, "a late record does not move the official table");
    let late = app.get("/api/v1/periods/2025/late", Some(&staff)).await;
    assert_eq!(late.json.as_array().map(Vec::len), Some(1), "{}", late.json);
    assert_eq!(late.json[0]["submission_id"], uuid::Uuid::from_u128(77_001).to_string());
    assert_eq!(status_of(&app.get("/api/v1/periods/2025/status", Some(&staff)).await).late_records, 1);

    // Reopened with a reason and closed again: version 2 counts it, version 1 is kept.
    assert_eq!(app.post("/api/v1/periods/2025/reopen", Some(&staff), &why("Lote tardío aceptado")).await.status, StatusCode::OK);
    let v2 = status_of(&app.post("/api/v1/periods/2025/close", Some(&staff), &why("Cierre con el lote tardío")).await);
    assert_eq!(v2.versions.len(), 2);
    assert_eq!(v2.versions[1].reopen_reason.as_deref(), Some("Lote tardío aceptado"));
    assert_ne!(v2.versions[1].table_sha256, v2.versions[0].table_sha256);
    assert_eq!(v2.late_records, 0);
    let changes: VersionChanges = serde_json::from_value(app.get("/api/v1/periods/2025/official/2/changes", Some(&staff)).await.json).expect("changes");
    let changed = changes.centros.iter().find(|c| c.centro_id == "GTO-E-T-01").expect("the centro that got the survey changed");
    assert_eq!(changed.after.as_ref().map(|s| s.n), changed.before.as_ref().map(|s| s.n + 1));
    assert!(changes.centros.iter().all(|c| c.before != c.after));
    let again: OfficialResults = serde_json::from_value(app.get("/api/v1/periods/2025/official/1", Some(&staff)).await.json).expect("official");
    assert_eq!(again.table, official.table, "version 1 is kept as it was");
    assert_eq!(app.get("/api/v1/periods/2025/official/3", Some(&staff)).await.status, StatusCode::NOT_FOUND);
}

/// The published inputs recompute, through the real binary, to the same table digest.
#[tokio::test]
async fn the_frozen_inputs_recompute_to_the_same_digest_with_the_real_binary() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let s = status_of(&app.post("/api/v1/periods/2025/close", Some(&staff), &why("Cierre")).await);
    let (status, inputs) = app.get_bytes("/api/v1/periods/2025/official/1/inputs", &staff).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shared::digest::sha256_hex(&inputs), s.versions[0].inputs_sha256);
    let text = String::from_utf8_lossy(&inputs);
    assert!(!text.contains("enc.ana") && !text.contains("device"), "no people or devices in the inputs");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("insumos.json");
    std::fs::write(&file, &inputs).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sync-server")).arg("recompute-scores").arg(&file).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("sha256 de la tabla (JSON canónico): {}", s.versions[0].table_sha256)), "{stderr}");
    assert!(stderr.contains(&s.versions[0].inputs_sha256), "{stderr}");
    let printed: ScoreTableDto = serde_json::from_slice(&out.stdout).expect("table");
    let official: OfficialResults = serde_json::from_value(app.get("/api/v1/periods/2025/official/1", Some(&staff)).await.json).expect("official");
    assert_eq!(printed, official.table);
}

/// Two staff members closing at once make one version: the other is told it is closed.
#[tokio::test]
async fn two_closes_at_once_make_one_version() {
    let app = demo_app().await;
    let (a, b) = (app.enrol("coordinacion").await, app.enrol("admin").await);
    let (reason_a, reason_b) = (why("Cierre A"), why("Cierre B"));
    let (first, second) = tokio::join!(
        app.post("/api/v1/periods/2025/close", Some(&a), &reason_a),
        app.post("/api/v1/periods/2025/close", Some(&b), &reason_b),
    );
    let mut statuses = [first.status, second.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} / {}", first.json, second.json);
    let s = status_of(&app.get("/api/v1/periods/2025/status", Some(&a)).await);
    assert_eq!((s.state, s.versions.len()), (PeriodState::Cerrado, 1));
}
