//! Collection modes (SCORING.md §2): surveys of a mode outside the method's `index_modes`
//! are stored, exported and scored beside the index, never mixed into it.

mod support;

use axum::http::StatusCode;
use shared::protocol::{CollectionMode, ReviewState, ScoreTableDto, ScoringInputs, WireEntry};
use support::{demo_app, push_body, survey};

const CENTRO: &str = "GTO-E-T-01";

fn in_mode(id: u128, mode: CollectionMode, gl1: &str) -> shared::protocol::Submission {
    let mut s = survey(id, CENTRO);
    s.meta.mode = mode;
    s.answers.insert("GL1".into(), WireEntry::Value(gl1.into()));
    s.answers.insert("AG2".into(), WireEntry::Value(gl1.into()));
    s.seal()
}

#[tokio::test]
async fn kiosk_surveys_are_scored_beside_the_interviews_and_exported_with_their_mode() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let batch = vec![
        in_mode(1, CollectionMode::Entrevista, "4"),
        in_mode(2, CollectionMode::Entrevista, "5"),
        in_mode(3, CollectionMode::Entrevista, "3"),
        in_mode(6, CollectionMode::Qr, "5"),
        in_mode(7, CollectionMode::Kiosko, "5"),
    ];
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(batch)).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.json);
    let results = pushed.json["results"].as_array().expect("results");
    let outcomes: Vec<&str> = results.iter().filter_map(|r| r["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["stored", "stored", "stored", "rejected", "rejected"], "{}", pushed.json);
    assert_eq!(results[3]["error"]["code"], "mode_not_allowed", "a phone cannot claim a citizen's QR survey");
    assert_eq!(results[4]["error"]["code"], "mode_not_allowed", "nor a kiosk's");
    // The centro's kiosk tablet sends kiosk surveys, and only those.
    let kiosk = app.enrol_kiosk(CENTRO).await;
    let from_kiosk = vec![in_mode(4, CollectionMode::Kiosko, "1"), in_mode(5, CollectionMode::Kiosko, "2"), in_mode(8, CollectionMode::Entrevista, "5")];
    let pushed = app.post("/api/v1/sync/push", Some(&kiosk), &push_body(from_kiosk)).await;
    let outcomes: Vec<&str> = pushed.json["results"].as_array().expect("results").iter().filter_map(|r| r["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["stored", "stored", "rejected"], "{}", pushed.json);

    let staff = app.enrol("coordinacion").await;
    let table: ScoreTableDto = serde_json::from_value(app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json).expect("table");
    assert_eq!(table.index_modes, [CollectionMode::Entrevista]);
    let c = table.centros.iter().find(|c| c.centro_id == CENTRO).expect("centro");
    assert_eq!(c.n, 3, "only the interviews are in the index");
    assert_eq!(c.csat.as_ref().map(|p| (p.k, p.n)), Some((2, 3)), "the kiosk's 1 and 2 are not in CSAT");
    let listed: Vec<(CollectionMode, u64)> = c.other_modes.iter().map(|m| (m.mode, m.n)).collect();
    assert_eq!(listed, [(CollectionMode::Kiosko, 2)]);
    let kiosk = &c.other_modes[0];
    assert!(kiosk.isc.zip(c.isc).is_some_and(|(k, i)| k < i), "the kiosk's worse answers show in its own ISC: {kiosk:?} vs {:?}", c.isc);
    assert!(kiosk.isc_se.is_some() && kiosk.isc_ci.is_some());

    // The export has the index's modes and each mode's figures.
    let csv = app.get("/api/v1/periods/2025/scores?format=csv", Some(&staff)).await;
    assert_eq!(csv.status, StatusCode::OK);
    let text = csv.json.as_str().expect("text").trim_start_matches('\u{feff}').to_string();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(String::from).collect();
    let row = reader
        .records()
        .map(|r| r.expect("row"))
        .find(|r| r.get(0) == Some(CENTRO))
        .expect("the centro's row");
    let cell = |name: &str| row.get(header.iter().position(|h| h == name).unwrap_or_else(|| panic!("column {name} in {header:?}"))).unwrap_or_default().to_string();
    assert_eq!((cell("n"), cell("modos_indice")), ("3".into(), "entrevista".into()));
    assert_eq!((cell("n_kiosko"), cell("n_qr"), cell("n_entrevista")), ("2".into(), "0".into(), String::new()));
    assert_eq!(cell("isc_kiosko").parse::<f64>().ok(), kiosk.isc);

    // The scoring inputs carry each survey's mode and reproduce the table.
    let inputs: ScoringInputs = serde_json::from_value(app.get("/api/v1/periods/2025/scoring-inputs", Some(&staff)).await.json).expect("inputs");
    let kiosk_inputs = inputs.surveys.iter().filter(|s| s.mode == CollectionMode::Kiosko).count();
    assert_eq!(kiosk_inputs, 2);
    let recomputed = ScoreTableDto::from(&inputs.recompute().expect("recomputes"));
    assert_eq!(recomputed.centros, table.centros);

    // The console's centro page and printable report show the kiosk beside the index.
    let (token, _) = support::console_session(&app, "coordinacion", "/consola/resultados").await;
    for page in [format!("/consola/centros/{CENTRO}?periodo=2025"), format!("/consola/centros/{CENTRO}/informe?periodo=2025")] {
        let req = axum::http::Request::get(&page).header(axum::http::header::COOKIE, format!("ventanilla_sesion={token}")).body(axum::body::Body::empty()).expect("request");
        let (status, _, body) = app.send_raw(req).await;
        let html = String::from_utf8_lossy(&body);
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(html.contains("Cuentan en el índice las encuestas por entrevista."), "{page}: {html}");
        let row = html.split("data-mode=\"kiosko\"").nth(1).unwrap_or_else(|| panic!("{page}: no kiosk row in {html}"));
        assert!(row.contains("<td>Kiosko</td><td class=\"num\">2</td>"), "{page}: {row}");
        assert!(!html.contains("data-mode=\"qr\""), "{page}: a mode without surveys is not listed");
        let ag = html.split("data-dimension=\"AG\"").nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or_default();
        assert!(ag.ends_with("<td class=\"num\">3</td>"), "{page}: the dimension intervals use the index's three surveys: {ag}");
    }

    // The submissions export says the mode of each record.
    let subs = app.get("/api/v1/forms/encuesta_opinion/2025010102/submissions.csv", Some(&staff)).await;
    let text = subs.json.as_str().expect("text");
    assert_eq!(text.matches(",kiosko,").count(), 2, "{text}");
}

/// A survey stored before the server restarts keeps its mode: the live scores rebuilt
/// from the database report it in the same place.
#[tokio::test]
async fn modes_survive_a_rebuild_of_the_live_scores() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![in_mode(11, CollectionMode::Entrevista, "4")])).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.json);
    let kiosk = app.enrol_kiosk(CENTRO).await;
    let pushed = app.post("/api/v1/sync/push", Some(&kiosk), &push_body(vec![in_mode(12, CollectionMode::Kiosko, "2")])).await;
    assert_eq!(pushed.json["results"][0]["outcome"], "stored", "{}", pushed.json);
    let staff = app.enrol("coordinacion").await;
    let before = app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json;
    let inputs = app.state.db.score_inputs().await.expect("inputs");
    let rebuilt = sync_server::scores::LiveScores::build(&inputs);
    let table = ScoreTableDto::from(&rebuilt.table("2025").expect("period"));
    let before: ScoreTableDto = serde_json::from_value(before).expect("table");
    assert_eq!(table.centros, before.centros);
    let c = table.centros.iter().find(|c| c.centro_id == CENTRO).expect("centro");
    assert_eq!((c.n, c.other_modes.len()), (1, 1));
}

/// A kiosk survey finalised `seconds` after a fixed moment.
fn kiosk_at(id: u128, seconds: i64) -> shared::protocol::Submission {
    let mut s = survey(id, CENTRO);
    let base = chrono::DateTime::parse_from_rfc3339("2025-07-03T10:00:00-06:00").expect("valid");
    s.started_at = base + chrono::Duration::seconds(seconds - 150);
    s.finalised_at = base + chrono::Duration::seconds(seconds);
    s.meta.mode = CollectionMode::Kiosko;
    s.seal()
}

fn reviews(json: &serde_json::Value) -> Vec<String> {
    json["results"].as_array().expect("results").iter().map(|r| r["review"].as_str().unwrap_or("-").to_string()).collect()
}

/// SCORING.md §2: five self-completed surveys at one centro within 60 s go to review with
/// `self_burst`, whichever devices they came from, the earlier ones too; interviews and
/// the surveyor's own burst rule are another matter.
#[tokio::test]
async fn a_burst_of_self_completed_surveys_at_a_centro_goes_to_review() {
    let app = demo_app().await;
    let first_kiosk = app.enrol_kiosk(CENTRO).await;
    let second_kiosk = app.enrol_kiosk(CENTRO).await;
    // Three in 20 s on one device: no surveyor burst for self-completed surveys.
    let a = app.post("/api/v1/sync/push", Some(&first_kiosk), &push_body(vec![kiosk_at(31, 0), kiosk_at(32, 10), kiosk_at(33, 20)])).await;
    assert_eq!(reviews(&a.json), ["accepted", "accepted", "accepted"], "{}", a.json);
    let cursor = a.json["results"][2]["seq"].as_u64().expect("seq");
    // One more from another device, 55 s after the first: four within a minute, still nothing.
    let b = app.post("/api/v1/sync/push", Some(&second_kiosk), &push_body(vec![kiosk_at(34, 55)])).await;
    assert_eq!(reviews(&b.json), ["accepted"], "{}", b.json);
    // A fifth within that minute: all five go to review.
    let c = app.post("/api/v1/sync/push", Some(&second_kiosk), &push_body(vec![kiosk_at(35, 40)])).await;
    assert_eq!(reviews(&c.json), ["in_review"], "{}", c.json);
    let sup = app.enrol("sup.norte").await;
    let queue = app.get("/api/v1/review", Some(&sup)).await;
    // The supervisor who enrolled the kiosks reviews them.
    let mut flagged: Vec<u128> = queue.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["flags"].as_array().is_some_and(|f| f.iter().any(|f| f["code"] == "self_burst")))
        .map(|i| i["submission_id"].as_str().and_then(|s| s.parse::<uuid::Uuid>().ok()).expect("id").as_u128())
        .collect();
    flagged.sort_unstable();
    assert_eq!(flagged, [31, 32, 33, 34, 35], "{}", queue.json);
    let reason = queue.json["items"].as_array().expect("items").iter().flat_map(|i| i["flags"].as_array().into_iter().flatten()).find(|f| f["code"] == "self_burst").expect("flag")["reason"].clone();
    assert_eq!(reason, "5 encuestas autoaplicadas en 60 s en el mismo centro");
    // The user's devices learn that the earlier surveys went to review (the fifth's own
    // push answer said it).
    let told = support::told_reviews(&app, &first_kiosk, cursor).await;
    assert_eq!(told, [(31, ReviewState::InReview), (32, ReviewState::InReview), (33, ReviewState::InReview), (34, ReviewState::InReview)]);
    // Out of the kiosk's figures until a supervisor approves them.
    let staff = app.enrol("coordinacion").await;
    let table: ScoreTableDto = serde_json::from_value(app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json).expect("table");
    let c = table.centros.iter().find(|c| c.centro_id == CENTRO).expect("centro");
    assert!(c.other_modes.iter().all(|m| m.mode != CollectionMode::Kiosko), "no kiosk survey counts: {:?}", c.other_modes);
    // A sixth, two minutes later, is alone: accepted, and counts.
    let d = app.post("/api/v1/sync/push", Some(&first_kiosk), &push_body(vec![kiosk_at(36, 175)])).await;
    assert_eq!(reviews(&d.json), ["accepted"], "{}", d.json);
    let table: ScoreTableDto = serde_json::from_value(app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json).expect("table");
    let c = table.centros.iter().find(|c| c.centro_id == CENTRO).expect("centro");
    assert_eq!(c.other_modes.iter().find(|m| m.mode == CollectionMode::Kiosko).map(|m| m.n), Some(1));
    // The live scores, moved by the flags, equal a rebuild from the database.
    let rebuilt = sync_server::scores::LiveScores::build(&app.state.db.score_inputs().await.expect("inputs"));
    assert_eq!(ScoreTableDto::from(&rebuilt.table("2025").expect("period")).centros, table.centros);
}

/// A supervisor enrols a tablet as the kiosk of a centro of their team (staff, of any);
/// nobody else, and not for another team's centro. The token is the kiosk's.
#[tokio::test]
async fn a_supervisor_enrols_a_kiosk_for_a_centro_of_their_team() {
    let app = demo_app().await;
    let body = |user: &str, password: &str, centro: &str| serde_json::json!({ "username": user, "password": password, "centro_id": centro, "device_label": "Tableta" });
    let ok = app.post("/api/v1/auth/kiosk", None, &body("sup.norte", support::PASSWORD, CENTRO)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json);
    assert_eq!(ok.json["user"]["username"], "kiosko.gto-e-t-01");
    let kiosk = ok.json["token"].as_str().expect("token").to_string();
    let me = app.get("/api/v1/me", Some(&kiosk)).await;
    let centros: Vec<&str> = me.json["centros"].as_array().expect("centros").iter().filter_map(|c| c.as_str()).collect();
    assert_eq!(centros, [CENTRO], "{}", me.json);
    // A centro outside the supervisor's team (registered now, nobody assigned).
    let staff = app.enrol("coordinacion").await;
    let centro = serde_json::json!({"name": "Módulo Nuevo", "dependencia": "Secretaría de Finanzas", "ambito": "estatal", "tipo": "tramites", "municipio": "Irapuato", "lat": 20.7, "lon": -101.35, "sampling_interval": 4, "tramites": ["Placas"]});
    let made = app.put("/api/v1/centros/GTO-E-T-99", &staff, &centro).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.json);
    assert_eq!(app.post("/api/v1/auth/kiosk", None, &body("sup.norte", support::PASSWORD, "GTO-E-T-99")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post("/api/v1/auth/kiosk", None, &body("coordinacion", support::PASSWORD, "GTO-E-T-99")).await.status, StatusCode::OK);
    assert_eq!(app.post("/api/v1/auth/kiosk", None, &body("enc.ana", support::PASSWORD, CENTRO)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.post("/api/v1/auth/kiosk", None, &body("sup.norte", "otra", CENTRO)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.post("/api/v1/auth/kiosk", None, &body("coordinacion", support::PASSWORD, "GTO-NO-EXISTE")).await.status, StatusCode::NOT_FOUND);
    // Nobody signs in as the kiosk user.
    let login = serde_json::json!({"username": "kiosko.gto-e-t-01", "password": "!", "device_label": "x"});
    assert_eq!(app.post("/api/v1/auth/enrol", None, &login).await.status, StatusCode::UNAUTHORIZED);
}
