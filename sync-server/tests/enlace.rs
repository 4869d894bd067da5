//! The centros' side (PROGRAM_CYCLE.md): an Enlace Institucional reaches its institution's
//! centros and nothing else, registers commitments that staff confirm or send back,
//! uploads documentary evidence that staff verify at the desk, asks for extensions that
//! staff decide; citizens' suggestions reach it anonymously.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sha2::{Digest, Sha256};
use shared::protocol::WireEntry;
use support::{TestApp, demo_app, push_body, survey};

/// Secretaría de Salud: GTO-E-S-01..03. Another institution's centro: GTO-E-T-01.
const OWN: &str = "GTO-E-S-01";
const OTHER: &str = "GTO-E-T-01";

fn commitment(due: &str) -> serde_json::Value {
    serde_json::json!({"description": "Señalizar requisitos", "impact": 2, "milestones": [
        {"milestone_id": "H1", "description": "Diseñar carteles", "due": due},
        {"milestone_id": "H2", "description": "Colocar carteles", "due": "2030-12-15"}
    ]})
}

async fn put_doc(app: &TestApp, token: &str, path: &str, query: &str, chunk: &[u8]) -> support::Answer {
    let req = Request::put(format!("{path}?{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(chunk.to_vec()))
        .expect("request");
    app.send(req).await
}

fn pdf(len: usize) -> (Vec<u8>, String) {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..len).map(|i| (i % 251) as u8));
    let sha = shared::digest::hex(&Sha256::digest(&bytes));
    (bytes, sha)
}

#[tokio::test]
async fn an_enlace_reaches_its_institution_and_nothing_else_through_the_api() {
    let app = demo_app().await;
    let enlace = app.enrol("enlace.salud").await;
    let staff = app.enrol("coordinacion").await;
    // Results: only its rows, never the program-wide inputs or late records.
    let table = app.get("/api/v1/periods/2025/scores", Some(&enlace)).await;
    assert_eq!(table.status, StatusCode::OK, "{}", table.json);
    let ids: Vec<&str> = table.json["centros"].as_array().expect("rows").iter().filter_map(|c| c["centro_id"].as_str()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.iter().all(|c| c.starts_with("GTO-E-S-0") && *c != "GTO-E-S-04" && *c != "GTO-E-S-05"), "{ids:?}");
    let everyone = app.get("/api/v1/periods/2025/scores", Some(&staff)).await;
    assert_eq!(everyone.json["centros"].as_array().map(Vec::len), Some(20));
    for (method, path) in [
        ("GET", "/api/v1/periods/2025/scoring-inputs"),
        ("GET", "/api/v1/periods/2025/late"),
        ("GET", "/api/v1/periods/2025/official/1/inputs"),
        ("GET", "/api/v1/review"),
        ("GET", "/api/v1/devices"),
        ("GET", "/api/v1/audit-log"),
        ("GET", "/api/v1/centros"),
        ("GET", "/api/v1/forms/encuesta_opinion/2025010102/submissions.csv"),
        ("GET", "/api/v1/centros/GTO-E-S-01/commitments"),
    ] {
        let req = Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {enlace}")).body(Body::empty()).expect("request");
        assert_eq!(app.send(req).await.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    // Pushing records is for the field.
    let push = app.post("/api/v1/sync/push", Some(&enlace), &push_body(vec![survey(1, OWN)])).await;
    assert_eq!(push.status, StatusCode::FORBIDDEN, "{}", push.json);
    // Commitments, suggestions, evidence: its centros only.
    assert_eq!(app.put(&format!("/api/v1/centros/{OTHER}/commitments/K1"), &enlace, &commitment("2030-06-30")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/centros/{OTHER}/suggestions?period=2025"), Some(&enlace)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get(&format!("/api/v1/centros/{OWN}/suggestions?period=2025"), Some(&enlace)).await.status, StatusCode::OK);
    let staff_k = app.put(&format!("/api/v1/centros/{OTHER}/commitments/K1"), &staff, &commitment("2030-06-30")).await;
    assert_eq!(staff_k.status, StatusCode::OK, "{}", staff_k.json);
    assert_eq!(app.get(&format!("/api/v1/centros/{OTHER}/commitments/K1"), Some(&enlace)).await.status, StatusCode::FORBIDDEN);
    let (bytes, sha) = pdf(100);
    let path = format!("/api/v1/centros/{OTHER}/commitments/K1/milestones/H1/evidence/{sha}");
    let query = format!("offset=0&total={}&type=application/pdf&name=oficio.pdf", bytes.len());
    assert_eq!(put_doc(&app, &enlace, &path, &query, &bytes).await.status, StatusCode::FORBIDDEN);
    let stored = put_doc(&app, &staff, &path, &query, &bytes).await;
    assert_eq!(stored.json["complete"], true, "{}", stored.json);
    assert_eq!(app.get(&format!("/api/v1/evidence/{sha}"), Some(&enlace)).await.status, StatusCode::FORBIDDEN);
    // Decisions are staff's.
    let own = app.put(&format!("/api/v1/centros/{OWN}/commitments/K1"), &enlace, &commitment("2030-06-30")).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.json);
    assert_eq!(app.post(&format!("/api/v1/centros/{OWN}/commitments/K1/confirm"), Some(&enlace), &serde_json::json!({"impact": 3})).await.status, StatusCode::FORBIDDEN);
    // An inspector not assigned to OWN reads none of its evidence; staff read all of it.
    let raul = app.enrol("insp.raul").await;
    assert_eq!(app.get(&format!("/api/v1/centros/{OWN}/commitments/K1"), Some(&raul)).await.status, StatusCode::FORBIDDEN);
    let (status, _) = app.get_bytes(&format!("/api/v1/evidence/{sha}"), &staff).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn users_with_the_enlace_role_need_a_known_institution() {
    let app = demo_app().await;
    let admin = app.enrol("admin").await;
    let user = |name: &str, role: &str, institution: Option<&str>| {
        serde_json::json!({"username": name, "display_name": "N", "role": role, "password": "12345678", "institution": institution})
    };
    assert_eq!(app.post("/api/v1/users", Some(&admin), &user("e1", "enlace", None)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.post("/api/v1/users", Some(&admin), &user("e2", "enlace", Some("Secretaría de Nada"))).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.post("/api/v1/users", Some(&admin), &user("e3", "surveyor", Some("Secretaría de Salud"))).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app.post("/api/v1/users", Some(&admin), &user("e4", "enlace", Some("Municipio de Celaya"))).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
}

#[tokio::test]
async fn a_proposal_counts_in_iacm_only_once_staff_confirm_it() {
    let app = demo_app().await;
    let enlace = app.enrol("enlace.salud").await;
    let staff = app.enrol("coordinacion").await;
    let commitments_of = |json: &serde_json::Value| {
        json["centros"].as_array().expect("rows").iter().find(|c| c["centro_id"] == OWN).map(|c| c["commitments"].as_u64().expect("count")).expect("row")
    };
    let before = commitments_of(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json);
    let put = app.put(&format!("/api/v1/centros/{OWN}/commitments/K1"), &enlace, &commitment("2025-06-30")).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.json);
    let detail = app.get(&format!("/api/v1/centros/{OWN}/commitments/K1"), Some(&enlace)).await;
    assert_eq!(detail.json["status"], "propuesto", "{}", detail.json);
    assert_eq!(commitments_of(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), before, "a proposal does not count");
    // Sent back with a reason, edited, proposed again.
    let empty = app.post(&format!("/api/v1/centros/{OWN}/commitments/K1/return"), Some(&staff), &serde_json::json!({"reason": "  "})).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "a return needs a reason");
    let back = app.post(&format!("/api/v1/centros/{OWN}/commitments/K1/return"), Some(&staff), &serde_json::json!({"reason": "Falta un hito medible"})).await;
    assert_eq!(back.status, StatusCode::NO_CONTENT, "{}", back.json);
    let detail = app.get(&format!("/api/v1/centros/{OWN}/commitments/K1"), Some(&enlace)).await;
    assert_eq!((detail.json["status"].as_str(), detail.json["return_reason"].as_str()), (Some("devuelto"), Some("Falta un hito medible")));
    assert_eq!(app.post(&format!("/api/v1/centros/{OWN}/commitments/K1/confirm"), Some(&staff), &serde_json::json!({"impact": 3})).await.status, StatusCode::CONFLICT);
    assert_eq!(app.put(&format!("/api/v1/centros/{OWN}/commitments/K1"), &enlace, &commitment("2025-06-30")).await.status, StatusCode::OK);
    // Confirmed with the impact staff choose: it counts, and the Enlace edits it no more.
    let confirmed = app.post(&format!("/api/v1/centros/{OWN}/commitments/K1/confirm"), Some(&staff), &serde_json::json!({"impact": 3})).await;
    assert_eq!((confirmed.status, confirmed.json["impact"].as_u64()), (StatusCode::OK, Some(3)), "{}", confirmed.json);
    assert_eq!(commitments_of(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), before + 1);
    let edit = app.put(&format!("/api/v1/centros/{OWN}/commitments/K1"), &enlace, &commitment("2031-01-01")).await;
    assert_eq!(edit.status, StatusCode::CONFLICT, "{}", edit.json);
    let log = app.get("/api/v1/audit-log", Some(&staff)).await;
    let actions: Vec<&str> = log.json.as_array().expect("log").iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["commitment_registered", "commitment_returned", "commitment_confirmed"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[tokio::test]
async fn evidence_is_checked_before_it_is_stored_resumes_and_is_served_as_an_attachment() {
    let app = demo_app().await;
    let enlace = app.enrol("enlace.salud").await;
    let staff = app.enrol("coordinacion").await;
    assert_eq!(app.put(&format!("/api/v1/centros/{OWN}/commitments/K1"), &staff, &commitment("2030-06-30")).await.status, StatusCode::OK);
    let base = format!("/api/v1/centros/{OWN}/commitments/K1/milestones/H1/evidence");
    // Desk verification needs a document.
    let early = app.post(&format!("/api/v1/centros/{OWN}/commitments/K1/milestones/H1/verify"), Some(&staff), &serde_json::json!({"base_version": 1, "verified_on": "2025-05-01"})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.json);
    // A page posing as a PDF: refused before any byte is kept.
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let html_sha = shared::digest::hex(&Sha256::digest(&html));
    let bad = put_doc(&app, &enlace, &format!("{base}/{html_sha}"), &format!("offset=0&total={}&type=application/pdf&name=x.pdf", html.len()), &html).await;
    assert_eq!((bad.status, bad.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_type")), "{}", bad.json);
    assert!(!app.state.evidence.is_complete(&html_sha));
    let again = put_doc(&app, &enlace, &format!("{base}/{html_sha}"), &format!("offset=0&total={}&type=application/pdf&name=x.pdf", html.len()), &[]).await;
    assert_eq!(again.json["received"], 0, "nothing of it was written: {}", again.json);
    // Too large, an unknown type, a long name: refused from the query alone.
    let (bytes, sha) = pdf(40_000);
    let too_big = put_doc(&app, &enlace, &format!("{base}/{sha}"), "offset=0&total=10485761&type=application/pdf&name=a.pdf", &[]).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", too_big.json);
    let gif = put_doc(&app, &enlace, &format!("{base}/{sha}"), &format!("offset=0&total={}&type=image/gif&name=a.gif", bytes.len()), &[]).await;
    assert_eq!(gif.status, StatusCode::BAD_REQUEST, "{}", gif.json);
    let long = "a".repeat(201);
    let named = put_doc(&app, &enlace, &format!("{base}/{sha}"), &format!("offset=0&total={}&type=application/pdf&name={long}", bytes.len()), &[]).await;
    assert_eq!(named.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", named.json);
    // In two pieces, the second from where the first stopped.
    let q = |offset: usize| format!("offset={offset}&total={}&type=application/pdf&name=Oficio%20de%20avance.pdf", bytes.len());
    let first = put_doc(&app, &enlace, &format!("{base}/{sha}"), &q(0), &bytes[..15_000]).await;
    assert_eq!((first.json["received"].as_u64(), first.json["complete"].as_bool()), (Some(15_000), Some(false)), "{}", first.json);
    let wrong_offset = put_doc(&app, &enlace, &format!("{base}/{sha}"), &q(10), &bytes[10..]).await;
    assert_eq!(wrong_offset.status, StatusCode::CONFLICT);
    let done = put_doc(&app, &enlace, &format!("{base}/{sha}"), &q(15_000), &bytes[15_000..]).await;
    assert_eq!(done.json["complete"], true, "{}", done.json);
    // Served only as a download, never as a page.
    let req = Request::get(format!("/api/v1/evidence/{sha}")).header(header::AUTHORIZATION, format!("Bearer {enlace}")).body(Body::empty()).expect("request");
    let (status, headers, body) = app.send_raw(req).await;
    assert_eq!((status, body), (StatusCode::OK, bytes.clone()));
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().expect("ascii").starts_with("attachment"));
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(headers[header::CONTENT_SECURITY_POLICY].to_str().expect("ascii").contains("sandbox"));
    let detail = app.get(&format!("/api/v1/centros/{OWN}/commitments/K1"), Some(&enlace)).await;
    let doc = &detail.json["milestones"][0]["documents"][0];
    assert_eq!((doc["file_name"].as_str(), doc["complete"].as_bool(), doc["media_type"].as_str()), (Some("Oficio de avance.pdf"), Some(true), Some("application/pdf")));
    // Now staff verify at the desk, with the date; it shows how.
    let version = detail.json["commitment"]["version"].as_u64().expect("version");
    let future = app.post(&format!("/api/v1/centros/{OWN}/commitments/K1/milestones/H1/verify"), Some(&staff), &serde_json::json!({"base_version": version, "verified_on": "2099-01-01"})).await;
    assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", future.json);
    let verified = app.post(&format!("/api/v1/centros/{OWN}/commitments/K1/milestones/H1/verify"), Some(&staff), &serde_json::json!({"base_version": version, "verified_on": "2025-05-01"})).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.json);
    let detail = app.get(&format!("/api/v1/centros/{OWN}/commitments/K1"), Some(&enlace)).await;
    assert_eq!(detail.json["milestones"][0]["verified_how"], "escritorio");
    assert_eq!(detail.json["commitment"]["milestones"][0]["verified_on"], "2025-05-01");
}

#[tokio::test]
async fn an_extension_asked_in_time_and_approved_moves_the_due_date_iacm_reads() {
    let app = demo_app().await;
    let enlace = app.enrol("enlace.salud").await;
    let staff = app.enrol("coordinacion").await;
    // H1 due in the past (2025), H2 in 2030.
    assert_eq!(app.put(&format!("/api/v1/centros/{OWN}/commitments/K1"), &staff, &commitment("2025-06-30")).await.status, StatusCode::OK);
    let ask = |m: &str, due: &str| {
        let body = serde_json::json!({"requested_due": due, "reason": "Licitación desierta"});
        (format!("/api/v1/centros/{OWN}/commitments/K1/milestones/{m}/extensions"), body)
    };
    let (path, body) = ask("H1", "2031-01-31");
    let late = app.post(&path, Some(&enlace), &body).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "after the due date: {}", late.json);
    let (path, body) = ask("H2", "2030-12-01");
    assert_eq!(app.post(&path, Some(&enlace), &body).await.status, StatusCode::UNPROCESSABLE_ENTITY, "an earlier date is no extension");
    let (path, body) = ask("H2", "2031-03-31");
    let asked = app.post(&path, Some(&enlace), &body).await;
    assert_eq!((asked.status, asked.json["state"].as_str()), (StatusCode::CREATED, Some("pendiente")), "{}", asked.json);
    assert_eq!(app.post(&path, Some(&enlace), &body).await.status, StatusCode::CONFLICT, "one waits at a time");
    let id = asked.json["extension_id"].as_u64().expect("id");
    let decision = format!("/api/v1/extensions/{id}/decision");
    assert_eq!(app.post(&decision, Some(&enlace), &serde_json::json!({"approve": true, "reason": "ok"})).await.status, StatusCode::FORBIDDEN);
    let approved = app.post(&decision, Some(&staff), &serde_json::json!({"approve": true, "reason": "Justificado con el acta"})).await;
    assert_eq!(approved.status, StatusCode::NO_CONTENT, "{}", approved.json);
    assert_eq!(app.post(&decision, Some(&staff), &serde_json::json!({"approve": false, "reason": "otra vez"})).await.status, StatusCode::CONFLICT);
    let detail = app.get(&format!("/api/v1/centros/{OWN}/commitments/K1"), Some(&enlace)).await;
    let h2 = detail.json["commitment"]["milestones"].as_array().expect("ms").iter().find(|m| m["milestone_id"] == "H2").cloned().expect("H2");
    assert_eq!(h2["due"], "2031-03-31");
    let filing = detail.json["milestones"].as_array().expect("ms").iter().find(|m| m["milestone_id"] == "H2").cloned().expect("H2");
    assert_eq!(filing["original_due"], "2030-12-15");
    assert_eq!(filing["extensions"][0]["state"], "aprobada");
    assert_eq!(filing["extensions"][0]["decision_reason"], "Justificado con el acta");
    // The scoring inputs carry the approved date.
    let inputs = app.get("/api/v1/periods/2025/scoring-inputs", Some(&staff)).await;
    let k = inputs.json["commitments"].as_array().expect("commitments").iter().find(|c| c["centro_id"] == OWN && c["commitment_id"] == "K1").cloned().expect("K1");
    assert!(k.to_string().contains("2031-03-31") && !k.to_string().contains("2030-12-15"), "{k}");
    // Denied requests leave the date alone.
    let (path, body) = ask("H2", "2031-06-30");
    let second = app.post(&path, Some(&enlace), &body).await;
    let id = second.json["extension_id"].as_u64().expect("id");
    assert_eq!(app.post(&format!("/api/v1/extensions/{id}/decision"), Some(&staff), &serde_json::json!({"approve": false, "reason": "Sin justificación"})).await.status, StatusCode::NO_CONTENT);
    let detail = app.get(&format!("/api/v1/centros/{OWN}/commitments/K1"), Some(&enlace)).await;
    assert!(detail.json.to_string().contains("\"due\":\"2031-03-31\""), "{}", detail.json);
}

#[tokio::test]
async fn suggestions_reach_the_enlace_anonymously_and_rejected_surveys_do_not() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let enlace = app.enrol("enlace.salud").await;
    let with_text = |id: u128, text: &str| {
        let mut s = survey(id, OWN);
        s.answers.insert("GL3".into(), WireEntry::Value(text.into()));
        s.seal()
    };
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![with_text(1, "Más sillas en la sala"), with_text(2, "   "), survey(3, OWN)])).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.json);
    let got = app.get(&format!("/api/v1/centros/{OWN}/suggestions?period=2025"), Some(&enlace)).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.json);
    assert_eq!(got.json["total"], 1, "{}", got.json);
    assert_eq!(got.json["suggestions"][0]["text"], "Más sillas en la sala");
    let keys: Vec<&String> = got.json["suggestions"][0].as_object().expect("object").keys().collect();
    assert_eq!(keys, ["date", "text"], "nothing that identifies the interview");
    assert_eq!(app.get(&format!("/api/v1/centros/{OWN}/suggestions?period=2025&limit=0"), Some(&enlace)).await.status, StatusCode::BAD_REQUEST);
    // A survey rejected in review takes its suggestion with it.
    let staff = app.enrol("coordinacion").await;
    let reject = serde_json::json!({"decision": "reject", "reason": "Entrevista fuera del centro"});
    assert_eq!(app.post("/api/v1/review/00000000-0000-0000-0000-000000000001", Some(&staff), &reject).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/centros/{OWN}/suggestions?period=2025"), Some(&enlace)).await.json["total"], 0);
    assert_eq!(app.get(&format!("/api/v1/centros/{OWN}/suggestions?period=1999"), Some(&enlace)).await.status, StatusCode::NOT_FOUND);
}

async fn console(app: &TestApp, username: &str, page: &str) -> (String, String) {
    support::console_session(app, username, page).await
}

async fn get_page(app: &TestApp, path: &str, token: &str) -> (StatusCode, Option<String>, String) {
    let req = Request::get(path).header(header::COOKIE, format!("ventanilla_sesion={token}")).body(Body::empty()).expect("request");
    let (status, headers, body) = app.send_raw(req).await;
    let location = headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).map(String::from);
    (status, location, String::from_utf8_lossy(&body).into_owned())
}

async fn post_form(app: &TestApp, path: &str, token: &str, form: &str) -> (StatusCode, Option<String>, String) {
    let req = Request::post(path)
        .header(header::COOKIE, format!("ventanilla_sesion={token}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "http://localhost")
        .header(header::HOST, "localhost")
        .body(Body::from(form.to_string()))
        .expect("request");
    let (status, headers, body) = app.send_raw(req).await;
    let location = headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).map(String::from);
    (status, location, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn the_enlace_console_shows_its_centros_and_what_waits_and_no_one_elses() {
    let app = demo_app().await;
    let (token, csrf) = console(&app, "enlace.salud", "/consola/institucion").await;
    let (status, location, _) = get_page(&app, "/consola", &token).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/consola/institucion")));
    let (_, location, _) = get_page(&app, "/consola/resultados", &token).await;
    assert_eq!(location.as_deref(), Some("/consola/institucion"), "the program-wide results are not its page");
    let (status, _, home) = get_page(&app, "/consola/institucion", &token).await;
    assert_eq!(status, StatusCode::OK);
    for own in ["GTO-E-S-01", "GTO-E-S-02", "GTO-E-S-03"] {
        assert!(home.contains(&format!("data-centro=\"{own}\"")), "{own} listed");
    }
    assert!(!home.contains("GTO-E-T-01") && !home.contains("GTO-M-S-01"), "another institution's centro leaked");
    assert!(home.contains("Mi institución") && !home.contains("Trabajo de campo"), "its own navigation");
    for (path, want) in [
        (format!("/consola/institucion/centros/{OTHER}"), StatusCode::FORBIDDEN),
        (format!("/consola/centros/{OTHER}/informe?periodo=2025"), StatusCode::FORBIDDEN),
        (format!("/consola/centros/{OWN}/informe?periodo=2025"), StatusCode::OK),
        (format!("/consola/institucion/centros/{OWN}"), StatusCode::OK),
        ("/consola/campo".to_string(), StatusCode::FORBIDDEN),
        ("/consola/revision".to_string(), StatusCode::FORBIDDEN),
        ("/consola/admin".to_string(), StatusCode::FORBIDDEN),
        ("/consola/periodos/2025".to_string(), StatusCode::FORBIDDEN),
    ] {
        assert_eq!(get_page(&app, &path, &token).await.0, want, "{path}");
    }
    // Registering from the console: a proposal, listed as waiting for staff on both homes.
    let form = format!("csrf={csrf}&commitment_id=K7&description=Turnos+digitales&impact=2&h0_clave=H1&h0_descripcion=Instalar+turnero&h0_vence=2030-05-31&h1_clave=&h1_descripcion=&h1_vence=");
    let (status, location, body) = post_form(&app, &format!("/consola/centros/{OWN}/compromisos"), &token, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.unwrap_or_default().starts_with(&format!("/consola/institucion/centros/{OWN}")));
    let other = format!("csrf={csrf}&commitment_id=K8&description=X&impact=2&h0_clave=H1&h0_descripcion=Y&h0_vence=2030-05-31");
    assert_eq!(post_form(&app, &format!("/consola/centros/{OTHER}/compromisos"), &token, &other).await.0, StatusCode::FORBIDDEN);
    let bad_line = format!("csrf={csrf}&commitment_id=K9&description=X&impact=2&h0_clave=H1&h0_descripcion=sin+fecha&h0_vence=");
    let (status, _, body) = post_form(&app, &format!("/consola/centros/{OWN}/compromisos"), &token, &bad_line).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Hito 1"), "the row is named");
    let (_, _, home) = get_page(&app, "/consola/institucion", &token).await;
    assert!(home.contains("data-waiting=\"propuesto\""), "its proposal waits on staff");
    let (staff, staff_csrf) = console(&app, "coordinacion", "/consola/resultados").await;
    let (_, _, results) = get_page(&app, "/consola/resultados", &staff).await;
    assert!(results.contains("id=\"pendientes\"") && results.contains("K7"), "staff see what waits on them");
    let (status, _, _) = post_form(&app, &format!("/consola/centros/{OWN}/compromisos/K7/confirmar"), &staff, &format!("csrf={staff_csrf}&impact=3")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = get_page(&app, &format!("/consola/institucion/centros/{OWN}"), &token).await;
    assert!(page.contains("data-status=\"confirmado\""), "confirmed");
}
