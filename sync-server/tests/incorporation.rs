//! Incorporation, bajas, staff and training (PROGRAM_CYCLE.md): the Enlace files the two
//! workbooks the server makes, errors by row; staff accept or refuse; a centro dado de
//! baja stays in history but leaves the ranking; trainings give the trained share the
//! inspector sees at TC-V7, and a correction of its suggestion needs a reason.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use shared::protocol::{ScoreNote, WireEntry};
use support::{TestApp, demo_app, push_body, visit};

const SALUD: &str = "Secretaría de Salud";

/// A workbook with one sheet `name` of these rows (first: headers).
fn book(name: &str, rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    support::sheet(&mut wb, name, rows);
    wb.save_to_buffer().expect("xlsx")
}

const CEDULA_HEADERS: &[&str] = &["Clave", "Nombre", "Dependencia", "Ámbito", "Tipo", "Municipio", "Latitud", "Longitud", "Trámites"];
const PLANTILLA_HEADERS: &[&str] = &["Clave del centro", "Nombre", "Puesto", "Atención directa"];

fn cedula(rows: &[&[&str]]) -> Vec<u8> {
    let mut all = vec![CEDULA_HEADERS];
    all.extend_from_slice(rows);
    book("Cédula", &all)
}

fn plantilla(rows: &[&[&str]]) -> Vec<u8> {
    let mut all = vec![PLANTILLA_HEADERS];
    all.extend_from_slice(rows);
    book("Plantilla", &all)
}

async fn upload(app: &TestApp, path: &str, token: &str, bytes: Vec<u8>) -> support::Answer {
    let req = Request::post(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes))
        .expect("request");
    app.send(req).await
}

fn located(a: &support::Answer) -> Vec<(u64, String)> {
    a.json["details"].as_array().expect("details").iter().map(|d| (d["row"].as_u64().unwrap_or(0), d["column"].as_str().unwrap_or("").to_string())).collect()
}

const NEW: &[&str] = &["GTO-E-S-09", "Centro de Salud Irapuato Sur", SALUD, "estatal", "servicios", "Irapuato", "20.66", "-101.35", "Consulta general; Vacunación"];

#[tokio::test]
async fn an_enlace_files_both_workbooks_errors_by_row_and_staff_accept_the_centro() {
    let app = demo_app().await;
    let enlace = app.enrol("enlace.salud").await;
    let leon = app.enrol("enlace.leon").await;
    let staff = app.enrol("coordinacion").await;
    let ana = app.enrol("enc.ana").await;
    // The templates: the Enlace's own institution (its three centros listed); staff name one.
    let (status, bytes) = app.get_bytes("/api/v1/incorporation/templates/cedula.xlsx", &enlace).await;
    assert_eq!(status, StatusCode::OK);
    let listed = sync_server::incorporation_sheets::parse_cedula(&bytes, SALUD, |_| false).expect("the template reads back");
    assert_eq!(listed.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), ["GTO-E-S-01", "GTO-E-S-02", "GTO-E-S-03"]);
    assert_eq!(app.get("/api/v1/incorporation/templates/plantilla.xlsx", Some(&enlace)).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/incorporation/templates/cedula.xlsx", Some(&staff)).await.json["code"], "missing_institution");
    let named = format!("/api/v1/incorporation/templates/cedula.xlsx?institution={}", "Municipio%20de%20Le%C3%B3n");
    assert_eq!(app.get(&named, Some(&staff)).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/incorporation/templates/cedula.xlsx", Some(&ana)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/incorporation/templates/otra.xlsx", Some(&enlace)).await.status, StatusCode::NOT_FOUND);

    // A cédula with a bad row, another institution's centro and a foreign clave: every
    // problem by row, nothing stored.
    let bad = cedula(&[
        NEW,
        &["GTO-E-S-10", "Otro", SALUD, "federal", "servicios", "León", "", "", ""],
        &["GTO-E-T-01", "Recaudación", SALUD, "estatal", "tramites", "León", "", "", ""],
        &["GTO-E-S-11", "Ajeno", "Municipio de León", "municipal", "servicios", "León", "", "", ""],
    ]);
    let refused = upload(&app, "/api/v1/periods/2025/incorporation/cedula", &enlace, bad).await;
    assert_eq!((refused.status, refused.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_file")), "{}", refused.json);
    assert_eq!(located(&refused), [(3, "ambito".into()), (4, "clave".into()), (5, "dependencia".into())], "{}", refused.json);
    let pending = app.get("/api/v1/incorporations?status=pendiente", Some(&enlace)).await;
    assert_eq!(pending.json.as_array().map(Vec::len), Some(0), "nothing stored: {}", pending.json);
    // The plantilla needs a pending cédula first.
    let early = upload(&app, "/api/v1/periods/2025/incorporation/plantilla", &enlace, plantilla(&[&["GTO-E-S-09", "Ana", "Caja", "Sí"]])).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.json);
    // Fixed: filed, pending.
    let filed = upload(&app, "/api/v1/periods/2025/incorporation/cedula", &enlace, cedula(&[NEW])).await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.json);
    assert_eq!(filed.json["centros"], serde_json::json!(["GTO-E-S-09"]));
    assert_eq!(upload(&app, "/api/v1/periods/1999/incorporation/cedula", &enlace, cedula(&[NEW])).await.status, StatusCode::NOT_FOUND);
    // A plantilla with errors by row, then fixed.
    let people_bad = plantilla(&[&["GTO-E-S-09", "Lucía Mora", "Recepción", "tal vez"], &["GTO-E-S-02", "Pedro Gil", "Caja", "Sí"], &["GTO-E-S-09", "", "Caja", "No"]]);
    let refused = upload(&app, "/api/v1/periods/2025/incorporation/plantilla", &enlace, people_bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.json);
    assert_eq!(located(&refused), [(2, "atención directa".into()), (3, "clave del centro".into()), (4, "nombre".into())], "{}", refused.json);
    let people = plantilla(&[&["GTO-E-S-09", "Lucía Mora", "Recepción", "Sí"], &["GTO-E-S-09", "Pedro Gil", "Caja", "Sí"], &["GTO-E-S-09", "Elena Paz", "Dirección", "No"]]);
    let ok = upload(&app, "/api/v1/periods/2025/incorporation/plantilla", &enlace, people).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);

    // Each institution sees its own requests; only staff decide.
    let mine = app.get("/api/v1/incorporations?status=pendiente", Some(&enlace)).await;
    let request = mine.json[0].clone();
    assert_eq!((request["centro_id"].as_str(), request["staff"].as_array().map(Vec::len)), (Some("GTO-E-S-09"), Some(3)), "{}", mine.json);
    assert_eq!(app.get("/api/v1/incorporations", Some(&leon)).await.json.as_array().map(Vec::len), Some(0));
    assert_eq!(app.get("/api/v1/incorporations", Some(&ana)).await.status, StatusCode::FORBIDDEN);
    let id = request["id"].as_i64().expect("id");
    assert_eq!(app.post(&format!("/api/v1/incorporations/{id}/accept"), Some(&enlace), &serde_json::json!({})).await.status, StatusCode::FORBIDDEN);
    let accepted = app.post(&format!("/api/v1/incorporations/{id}/accept"), Some(&staff), &serde_json::json!({})).await;
    assert_eq!((accepted.status, accepted.json["status"].as_str()), (StatusCode::OK, Some("aceptado")), "{}", accepted.json);
    assert_eq!(app.post(&format!("/api/v1/incorporations/{id}/accept"), Some(&staff), &serde_json::json!({})).await.status, StatusCode::CONFLICT);
    // In the catalog, in the scores, with its plantilla; the Enlace reaches it, León does not.
    let scores = app.get("/api/v1/periods/2025/scores", Some(&staff)).await;
    assert!(scores.json["centros"].as_array().expect("rows").iter().any(|c| c["centro_id"] == "GTO-E-S-09"));
    let mine = app.get("/api/v1/periods/2025/scores", Some(&enlace)).await;
    assert_eq!(mine.json["centros"].as_array().map(Vec::len), Some(4));
    let staff_of = app.get("/api/v1/centros/GTO-E-S-09/staff", Some(&enlace)).await;
    assert_eq!(staff_of.status, StatusCode::OK, "{}", staff_of.json);
    assert_eq!(staff_of.json["people"].as_array().map(Vec::len), Some(3));
    assert_eq!(staff_of.json["training"]["front_line"], 2);
    assert_eq!(staff_of.json["training"]["trained"], 0);
    assert_eq!(staff_of.json["training"]["suggested"], "0");
    assert_eq!(app.get("/api/v1/centros/GTO-E-S-09/staff", Some(&leon)).await.status, StatusCode::FORBIDDEN);

    // A refusal needs its reason and ends the request.
    let other: &[&str] = &["GTO-E-S-12", "Módulo de Salud Móvil", SALUD, "estatal", "servicios", "León", "", "", ""];
    assert_eq!(upload(&app, "/api/v1/periods/2025/incorporation/cedula", &enlace, cedula(&[other])).await.status, StatusCode::OK);
    let id = app.get("/api/v1/incorporations?status=pendiente", Some(&staff)).await.json[0]["id"].as_i64().expect("id");
    let empty = app.post(&format!("/api/v1/incorporations/{id}/refuse"), Some(&staff), &serde_json::json!({"reason": "  "})).await;
    assert_eq!((empty.status, empty.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required")));
    let no_plantilla = app.post(&format!("/api/v1/incorporations/{id}/accept"), Some(&staff), &serde_json::json!({})).await;
    assert_eq!(no_plantilla.status, StatusCode::CONFLICT, "no plantilla yet: {}", no_plantilla.json);
    let refused = app.post(&format!("/api/v1/incorporations/{id}/refuse"), Some(&staff), &serde_json::json!({"reason": "No atiende trámites al público"})).await;
    assert_eq!((refused.json["status"].as_str(), refused.json["reason"].as_str()), (Some("rechazado"), Some("No atiende trámites al público")));
    let names = app.get("/api/v1/periods/2025/scores", Some(&staff)).await;
    assert!(!names.json["centros"].as_array().expect("rows").iter().any(|c| c["centro_id"] == "GTO-E-S-12"), "a refused centro is not in the catalog");
    // The audit log has every step.
    let log = app.get("/api/v1/audit-log", Some(&staff)).await;
    let actions: Vec<&str> = log.json.as_array().expect("log").iter().filter_map(|e| e["action"].as_str()).collect();
    for a in ["incorporation.cedula", "incorporation.plantilla", "incorporation.accept", "incorporation.refuse"] {
        assert!(actions.contains(&a), "{a}: {actions:?}");
    }
}

#[tokio::test]
async fn a_centro_dado_de_baja_stays_in_history_and_leaves_the_ranking() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let enlace = app.enrol("enlace.salud").await;
    let ana = app.enrol("enc.ana").await;
    let body = |date: &str| serde_json::json!({"date": date, "reason": "Cierre de la oficina por remodelación"});
    assert_eq!(app.post("/api/v1/centros/GTO-E-T-01/baja", Some(&enlace), &body("2025-06-30")).await.status, StatusCode::FORBIDDEN);
    let future = app.post("/api/v1/centros/GTO-E-T-01/baja", Some(&staff), &body("2099-01-01")).await;
    assert_eq!((future.status, future.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("future_date")));
    let no_reason = app.post("/api/v1/centros/GTO-E-T-01/baja", Some(&staff), &serde_json::json!({"date": "2025-06-30", "reason": ""})).await;
    assert_eq!(no_reason.json["code"], "reason_required");
    assert_eq!(app.post("/api/v1/centros/NO-EXISTE/baja", Some(&staff), &body("2025-06-30")).await.status, StatusCode::NOT_FOUND);
    let done = app.post("/api/v1/centros/GTO-E-T-01/baja", Some(&staff), &body("2025-06-30")).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.json);
    // Kept in the table, not ranked, with the reason.
    let scores = app.get("/api/v1/periods/2025/scores", Some(&staff)).await;
    let row = scores.json["centros"].as_array().expect("rows").iter().find(|c| c["centro_id"] == "GTO-E-T-01").cloned().expect("kept");
    assert!(row["rank"].is_null());
    assert_eq!(row["reasons"][0]["code"], "withdrawn", "{row}");
    assert!(row["reasons"][0]["message"].as_str().unwrap_or("").contains("30 jun 2025"));
    // The scoring inputs carry it, and recompute to the same table.
    let inputs = app.get("/api/v1/periods/2025/scoring-inputs", Some(&staff)).await;
    let centro = inputs.json["centros"].as_array().expect("centros").iter().find(|c| c["centro_id"] == "GTO-E-T-01").cloned().expect("in inputs");
    assert_eq!(centro["baja_on"], "2025-06-30");
    assert!(inputs.json["centros"].as_array().expect("centros").iter().filter(|c| c["centro_id"] != "GTO-E-T-01").all(|c| c.get("baja_on").is_none()));
    let parsed: shared::protocol::ScoringInputs = serde_json::from_value(inputs.json.clone()).expect("inputs");
    let recomputed = parsed.recompute().expect("recomputes");
    assert!(recomputed.centros.iter().any(|c| c.centro_id == "GTO-E-T-01" && c.reasons.iter().any(|r| r.code() == "withdrawn")));
    // The surveyor's phone learns it on its next pull.
    let pull = app.get("/api/v1/sync/pull?after=0", Some(&ana)).await;
    let last = pull.json["changes"].as_array().expect("changes").iter().rev().find(|c| c["centro_id"] == "GTO-E-T-01" && c.get("name").is_some()).cloned().expect("pulled");
    assert_eq!(last["baja"]["date"], "2025-06-30", "{last}");
    // Published: the public ranking and the centro's public report say so.
    let admin = app.enrol("admin").await;
    let why = |r: &str| serde_json::json!({ "reason": r });
    assert_eq!(app.post("/api/v1/periods/2025/close", Some(&staff), &why("Cierre")).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/v1/periods/2025/publication-request", Some(&staff), &why("Revisado")).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/v1/periods/2025/publish", Some(&admin), &why("Comité")).await.status, StatusCode::OK);
    for path in ["/resultados/2025", "/resultados/2025/GTO-E-T-01"] {
        let (status, _, body) = app.send_raw(Request::get(path).body(Body::empty()).expect("request")).await;
        let html = String::from_utf8_lossy(&body);
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains("Dado de baja") && html.contains("dado de baja del programa el 30 jun 2025"), "{path}: {html}");
    }
}

#[tokio::test]
async fn trainings_give_the_trained_share_the_inspector_sees_and_a_correction_needs_its_reason() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let enlace = app.enrol("enlace.salud").await;
    let carmen = app.enrol("insp.carmen").await;
    let centro = "GTO-E-S-01";
    // The demo: 3 of the 4 front-line people attended an EC0105 training in 2025.
    let share = |pull: &serde_json::Value| {
        pull["changes"].as_array().expect("changes").iter().rev().find(|c| c["centro_id"] == centro && c.get("name").is_some()).cloned().expect("centro")["training"].clone()
    };
    let pulled = app.get("/api/v1/sync/pull?after=0", Some(&carmen)).await;
    let training = share(&pulled.json);
    assert_eq!((training["item"].as_str(), training["front_line"].as_u64(), training["trained"].as_u64()), (Some("TC-V7"), Some(4), Some(3)), "{training}");
    assert_eq!((training["target"].as_f64(), training["suggested"].as_str()), (Some(0.8), Some("1")));
    assert_eq!(pulled.json["more"], false, "one page holds the demo");
    let cursor = pulled.json["cursor"].as_u64().expect("cursor");

    // Only staff record trainings; checked sizes and references.
    let new = serde_json::json!({"name": "Lenguaje incluyente", "held_on": "2025-04-02", "modality": "en_linea", "standard": "ec1268"});
    assert_eq!(app.post("/api/v1/trainings", Some(&enlace), &new).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post("/api/v1/trainings", Some(&carmen), &new).await.status, StatusCode::FORBIDDEN);
    let blank = serde_json::json!({"name": " ", "held_on": "2025-04-02", "modality": "mixta"});
    assert_eq!(app.post("/api/v1/trainings", Some(&staff), &blank).await.json["code"], "invalid_training");
    let made = app.post("/api/v1/trainings", Some(&staff), &new).await;
    assert_eq!((made.status, made.json["standard"].as_str()), (StatusCode::OK, Some("EC1268")), "{}", made.json);
    let id = made.json["id"].as_i64().expect("id");
    let people = app.get(&format!("/api/v1/centros/{centro}/staff"), Some(&staff)).await;
    let untrained = people.json["people"].as_array().expect("people").iter().find(|p| p["front_line"] == true && p["name"] == "Rosa Elena Vázquez").cloned().expect("person");
    let unknown = serde_json::json!({"entries": [{"staff_id": 99999, "outcome": "asistio"}]});
    assert_eq!(app.put(&format!("/api/v1/trainings/{id}/attendance"), &staff, &unknown).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.put("/api/v1/trainings/99999/attendance", &staff, &unknown).await.status, StatusCode::NOT_FOUND);
    let too_many: Vec<_> = (0..2001).map(|_| serde_json::json!({"staff_id": untrained["id"], "outcome": "asistio"})).collect();
    assert_eq!(app.put(&format!("/api/v1/trainings/{id}/attendance"), &staff, &serde_json::json!({"entries": too_many})).await.status, StatusCode::PAYLOAD_TOO_LARGE);
    let certified = serde_json::json!({"entries": [{"staff_id": untrained["id"], "outcome": "certificado"}]});
    let set = app.put(&format!("/api/v1/trainings/{id}/attendance"), &staff, &certified).await;
    assert_eq!((set.status, set.json["attendees"].as_u64()), (StatusCode::OK, Some(1)), "{}", set.json);
    // 4 of 4: the inspector's next pull suggests «Cumple».
    let next = app.get(&format!("/api/v1/sync/pull?after={cursor}"), Some(&carmen)).await;
    let training = share(&next.json);
    assert_eq!((training["trained"].as_u64(), training["suggested"].as_str()), (Some(4), Some("2")), "{training}");
    // A training outside the period does not count; removing an attendance undoes it.
    let undo = serde_json::json!({"entries": [{"staff_id": untrained["id"], "outcome": null}]});
    assert_eq!(app.put(&format!("/api/v1/trainings/{id}/attendance"), &staff, &undo).await.json["attendees"], 0);
    let old = app.post("/api/v1/trainings", Some(&staff), &serde_json::json!({"name": "Curso 2024", "held_on": "2024-11-20", "modality": "presencial"})).await;
    let old_id = old.json["id"].as_i64().expect("id");
    assert_eq!(app.put(&format!("/api/v1/trainings/{old_id}/attendance"), &staff, &certified).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/centros/{centro}/staff"), Some(&staff)).await.json["training"]["trained"], 3);

    // The visit keeps what was suggested; scoring it otherwise needs the reason.
    let with_note = |id: u128, reason: Option<&str>| {
        let mut v = visit(id, centro, &[]);
        v.answers.insert("TC-V7".into(), WireEntry::Value("2".into()));
        v.meta.score_notes = vec![ScoreNote { item: "TC-V7".into(), basis: "3 de 4 (75 %)".into(), suggested: "1".into(), reason: reason.map(String::from) }];
        v.seal()
    };
    let refused = app.post("/api/v1/sync/push", Some(&carmen), &push_body(vec![with_note(901, None)])).await;
    assert_eq!(refused.json["results"][0]["outcome"], "rejected", "{}", refused.json);
    assert_eq!(refused.json["results"][0]["error"]["code"], "invalid_score_note");
    let kept = app.post("/api/v1/sync/push", Some(&carmen), &push_body(vec![with_note(902, Some("Constancias de la cuarta persona vistas en la visita"))])).await;
    assert_eq!(kept.json["results"][0]["outcome"], "stored", "{}", kept.json);
    // Staff read the suggestion and the correction beside the visit.
    let (cookie, _) = support::console_session(&app, "coordinacion", "/consola/resultados").await;
    let (_, page) = cookie_get(&app, &format!("/consola/centros/{centro}"), &cookie).await;
    assert!(page.contains("data-score-note=\"TC-V7\"") && page.contains("calificado 2 — motivo: Constancias de la cuarta persona"), "{page}");
}

async fn cookie_get(app: &TestApp, path: &str, token: &str) -> (StatusCode, String) {
    let req = Request::get(path).header(header::COOKIE, format!("ventanilla_sesion={token}")).body(Body::empty()).expect("request");
    let (status, _, body) = app.send_raw(req).await;
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn multipart(app: &TestApp, path: &str, token: &str, fields: &[(&str, &str)], file: &[u8]) -> (StatusCode, Option<String>, String) {
    let boundary = "ventanillaLimite9";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"archivo\"; filename=\"f.xlsx\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = Request::post(path)
        .header(header::COOKIE, format!("ventanilla_sesion={token}"))
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .header(header::ORIGIN, "http://localhost")
        .header(header::HOST, "localhost")
        .body(Body::from(body))
        .expect("request");
    let (status, headers, body) = app.send_raw(req).await;
    let location = headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).map(String::from);
    (status, location, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn the_console_pages_of_incorporation_and_trainings_follow_the_roles() {
    let app = demo_app().await;
    let (enlace, csrf) = support::console_session(&app, "enlace.salud", "/consola/incorporacion").await;
    let (page_status, page) = cookie_get(&app, "/consola/incorporacion", &enlace).await;
    assert_eq!(page_status, StatusCode::OK);
    assert!(page.contains("Descargue las plantillas") && page.contains("GTO-E-S-01"), "the demo's accepted request is listed");
    let (status, _) = cookie_get(&app, "/consola/incorporacion/plantillas/cedula.xlsx", &enlace).await;
    assert_eq!(status, StatusCode::OK);
    // An upload with errors shows them by row on the page; nothing is stored.
    let bad = cedula(&[&["GTO-E-S-09", "", SALUD, "estatal", "servicios", "Irapuato", "", "", ""]]);
    let (status, _, html) = multipart(&app, "/consola/incorporacion/envio/cedula", &enlace, &[("csrf", &csrf), ("periodo", "2025")], &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("data-row=\"2\"") && html.contains("falta el nombre"), "{html}");
    let (status, location, _) = multipart(&app, "/consola/incorporacion/envio/cedula", &enlace, &[("csrf", &csrf), ("periodo", "2025")], &cedula(&[NEW])).await;
    assert_eq!((status, location.as_deref().map(|l| l.starts_with("/consola/incorporacion?hecho="))), (StatusCode::SEE_OTHER, Some(true)));
    // A wrong CSRF token stores nothing.
    let (status, _, _) = multipart(&app, "/consola/incorporacion/envio/plantilla", &enlace, &[("csrf", "x"), ("periodo", "2025")], &plantilla(&[&["GTO-E-S-09", "Ana", "Caja", "Sí"]])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Staff see the pending request with its buttons (accept disabled until the plantilla).
    let (staff, _) = support::console_session(&app, "coordinacion", "/consola/incorporacion").await;
    let (_, page) = cookie_get(&app, "/consola/incorporacion", &staff).await;
    assert!(page.contains("data-centro=\"GTO-E-S-09\"") && page.contains("Rechazar") && page.contains("disabled"), "{page}");
    // Trainings: staff only; the enlace's nav has no such link.
    assert_eq!(cookie_get(&app, "/consola/capacitaciones", &staff).await.0, StatusCode::OK);
    assert_eq!(cookie_get(&app, "/consola/capacitaciones", &enlace).await.0, StatusCode::FORBIDDEN);
    let (_, centro) = cookie_get(&app, "/consola/centros/GTO-E-S-01", &staff).await;
    assert!(centro.contains("id=\"capacitado\"") && centro.contains("3 de 4 (75 %)") && centro.contains("Dar de baja"), "plantilla and share on the centro page");
    let (_, own) = cookie_get(&app, "/consola/institucion/centros/GTO-E-S-01", &enlace).await;
    assert!(own.contains("3 de 4 (75 %)") && !own.contains("Dar de baja"), "the enlace reads its plantilla but cannot dar de baja");
    let (supervisor, _) = support::console_session(&app, "sup.norte", "/consola/resultados").await;
    let (_, sup) = cookie_get(&app, "/consola/centros/GTO-E-S-01", &supervisor).await;
    assert!(!sup.contains("id=\"capacitado\""), "supervisors do not read the plantilla");
    assert_eq!(cookie_get(&app, "/consola/incorporacion", &supervisor).await.0, StatusCode::FORBIDDEN);
}
