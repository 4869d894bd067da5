//! The audit path: the scoring-inputs export alone, fed to `sync-server recompute-scores`
//! (the real binary), reproduces the live score table figure for figure.

mod support;

use axum::http::StatusCode;
use shared::protocol::{ScoreTableDto, WireEntry};
use support::{demo_app, push_body, survey, visit};

#[tokio::test]
async fn the_export_alone_reproduces_the_published_table() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let mut surveys = Vec::new();
    for i in 0..12u128 {
        let mut s = survey(100 + i, ["GTO-E-T-01", "GTO-M-T-01", "GTO-E-S-01"][(i % 3) as usize]);
        s.answers.insert("AG2".into(), WireEntry::Value(["1", "2", "3", "4", "5", "na"][(i % 6) as usize].into()));
        s.answers.insert("IN1".into(), WireEntry::Value(if i == 5 { "si".into() } else { "no".into() }));
        surveys.push(s.seal());
    }
    let mut fast = survey(200, "GTO-E-T-01");
    fast.finalised_at = fast.started_at + chrono::Duration::seconds(10);
    surveys.push(fast.seal());
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys)).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.json);
    let carmen = app.enrol("insp.carmen").await;
    let visits = vec![visit(300, "GTO-E-T-01", &[]), visit(301, "GTO-E-T-01", &["DE-V2"]), visit(302, "GTO-M-T-01", &["PC-V3"])];
    let v = app.post("/api/v1/sync/push", Some(&carmen), &push_body(visits)).await;
    let outcomes: Vec<&str> = v.json["results"].as_array().expect("results").iter().filter_map(|r| r["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["stored", "stored", "stored"], "{}", v.json);

    let staff = app.enrol("coordinacion").await;
    let live: ScoreTableDto = serde_json::from_value(app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json).expect("table");
    let e_t_01 = live.centros.iter().find(|c| c.centro_id == "GTO-E-T-01").expect("centro");
    assert_eq!((e_t_01.n, e_t_01.visits), (4, 2));
    assert!(e_t_01.icv.is_some_and(|v| v < 100.0));
    assert!(live.centros.iter().find(|c| c.centro_id == "GTO-M-T-01").is_some_and(|c| c.critical_failure));

    let export = app.get("/api/v1/periods/2025/scoring-inputs", Some(&staff)).await;
    assert_eq!(export.status, StatusCode::OK);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("insumos.json");
    std::fs::write(&file, serde_json::to_vec(&export.json).expect("json")).expect("written");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sync-server"))
        .args(["recompute-scores", file.to_str().expect("utf-8 path")])
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let recomputed: ScoreTableDto = serde_json::from_slice(&out.stdout).expect("a score table");
    assert_eq!(recomputed.method, live.method);
    assert_eq!(recomputed.centros, live.centros);

    let surveyor = app.get("/api/v1/periods/2025/scoring-inputs", Some(&ana)).await;
    assert_eq!(surveyor.status, StatusCode::FORBIDDEN);
    let broken = dir.path().join("roto.json");
    std::fs::write(&broken, b"{\"period\": 3}").expect("written");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sync-server")).args(["recompute-scores", broken.to_str().expect("path")]).output().expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no es una exportación de insumos válida"));
}

#[tokio::test]
async fn submissions_export_as_csv_one_column_per_question_and_the_export_is_logged() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let surveys: Vec<_> = (0..30u128).map(|i| survey(400 + i, "GTO-E-T-01")).collect();
    app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys)).await;
    let carmen = app.enrol("insp.carmen").await;
    app.post("/api/v1/sync/push", Some(&carmen), &push_body(vec![visit(500, "GTO-E-T-01", &[])])).await;
    let staff = app.enrol("coordinacion").await;
    let csv = app.get("/api/v1/forms/encuesta_opinion/2025010102/submissions.csv", Some(&staff)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.json.as_str().expect("text").trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    assert!(header.starts_with("_id,_centro_id,_usuario,_fecha_captura,_inicio,_fin,_revision,_modo,_posicion_muestreo,_corrige,inicio,fin,fecha,dispositivo,encuestador,consentimiento,P0,P0_otro,AG1,AG2"), "{header}");
    assert_eq!(lines.clone().count(), 30);
    let first = lines.next().expect("a row");
    assert!(first.contains(",GTO-E-T-01,enc.ana,2025-06-05,") && first.contains(",accepted,entrevista,3,,"), "{first}");
    // The cédula export has its repeat as one JSON column.
    let visits = app.get("/api/v1/forms/cedula_visita/2025010101/submissions.csv", Some(&staff)).await;
    let vtext = visits.json.as_str().expect("text");
    assert!(vtext.contains("espera"), "{vtext}");
    assert!(vtext.contains(r#""[{""espera_min"":""4""}"#), "{vtext}");

    assert_eq!(app.get("/api/v1/forms/encuesta_opinion/1999/submissions.csv", Some(&staff)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/forms/encuesta_opinion/2025010102/submissions.csv", Some(&ana)).await.status, StatusCode::FORBIDDEN);
    let log = app.get("/api/v1/audit-log", Some(&staff)).await;
    let entries: Vec<(&str, &str)> = log.json.as_array().expect("entries").iter().map(|e| (e["username"].as_str().unwrap_or(""), e["action"].as_str().unwrap_or(""))).collect();
    // Newest first: the two exports, then what seeding the demo's plantilla recorded.
    assert_eq!(entries[..2], [("coordinacion", "export_submissions"), ("coordinacion", "export_submissions")]);
    assert!(entries[2..].iter().all(|(_, action)| action.starts_with("training.") || action.starts_with("incorporation.")), "{entries:?}");
    assert_eq!(app.get("/api/v1/audit-log", Some(&ana)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn submissions_and_scores_export_as_xlsx_workbooks() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let surveys: Vec<_> = (0..12u128).map(|i| survey(600 + i, "GTO-E-T-01")).collect();
    app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys)).await;
    let staff = app.enrol("coordinacion").await;
    let (status, bytes) = app.get_bytes("/api/v1/forms/encuesta_opinion/2025010102/submissions.xlsx", &staff).await;
    assert_eq!(status, StatusCode::OK);
    let (tables, problems) = shared::form::read_workbook(&bytes).expect("a workbook");
    assert!(problems.is_empty());
    let sheet = &tables[0];
    assert_eq!((sheet.name.as_str(), sheet.rows.len()), ("respuestas", 12));
    assert_eq!(sheet.rows[0].get("_usuario"), "enc.ana", "{:?} {:?}", sheet.headers, sheet.rows[0]);
    assert_eq!(sheet.rows[0].get("gl2"), "9"); // headers come back lower-cased
    let (status, bytes) = app.get_bytes("/api/v1/periods/2025/scores?format=xlsx", &staff).await;
    assert_eq!(status, StatusCode::OK);
    let (tables, _) = shared::form::read_workbook(&bytes).expect("a workbook");
    assert_eq!(tables[0].rows.len(), 20);
    let row = tables[0].rows.iter().find(|r| r.get("centro_id") == "GTO-E-T-01").expect("centro");
    assert_eq!((row.get("n"), row.get("metodo")), ("12", "MGS-1"));
}

/// Past the rows a worksheet holds (lowered here by configuration) an XLSX export goes on
/// in a new sheet with the header: every row is there, in order.
#[tokio::test]
async fn an_xlsx_export_past_the_sheet_limit_continues_on_a_new_sheet() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = support::test_config(dir.path()).await;
    config.demo = true;
    config.xlsx_sheet_rows = 5;
    let state = sync_server::open_state(&config).await.expect("state opens");
    let app = support::TestApp::new(state, dir);
    let ana = app.enrol("enc.ana").await;
    let surveys: Vec<_> = (0..11u128).map(|i| survey(700 + i, "GTO-E-T-01")).collect();
    app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys.clone())).await;
    let staff = app.enrol("coordinacion").await;
    let (status, bytes) = app.get_bytes("/api/v1/forms/encuesta_opinion/2025010102/submissions.xlsx", &staff).await;
    assert_eq!(status, StatusCode::OK);
    let (tables, _) = shared::form::read_workbook(&bytes).expect("a workbook");
    let sheets: Vec<(&str, usize)> = tables.iter().map(|t| (t.name.as_str(), t.rows.len())).collect();
    // 5 rows per sheet, header included: 4 + 4 + 3 records.
    assert_eq!(sheets, [("respuestas", 4), ("respuestas (2)", 4), ("respuestas (3)", 3)]);
    let ids: Vec<String> = tables.iter().flat_map(|t| t.rows.iter().map(|r| r.get("_id").to_string())).collect();
    assert_eq!(ids, surveys.iter().map(|s| s.id.to_string()).collect::<Vec<_>>());
}

/// A stored record that does not read stops the export with its reason: never a file
/// that silently lacks it.
#[tokio::test]
async fn an_export_with_a_damaged_row_fails_loudly() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let surveys: Vec<_> = (0..3u128).map(|i| survey(800 + i, "GTO-E-T-01")).collect();
    app.post("/api/v1/sync/push", Some(&ana), &push_body(surveys.clone())).await;
    let damaged = surveys[1].id.to_string();
    app.state
        .db
        .write(move |conn| Ok(conn.execute("UPDATE submissions SET body = '{roto' WHERE id = ?1", [damaged])?))
        .await
        .expect("damage");
    let staff = app.enrol("coordinacion").await;
    for format in ["csv", "xlsx"] {
        let req = axum::http::Request::get(format!("/api/v1/forms/encuesta_opinion/2025010102/submissions.{format}"))
            .header(axum::http::header::AUTHORIZATION, format!("Bearer {staff}"))
            .body(axum::body::Body::empty())
            .expect("request");
        let res = tower::ServiceExt::oneshot(app.router.clone(), req).await.expect("answer");
        let body = http_body_util::BodyExt::collect(res.into_body()).await;
        let error = body.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains(&surveys[1].id.to_string()), "{format}: the download must fail naming the record, got «{error}»");
    }
}
