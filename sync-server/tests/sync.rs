//! Push and pull, in-process: every outcome, scope, receipts and cursors.

mod support;

use axum::http::StatusCode;
use shared::protocol::{PullResponse, PushResponse};
use support::{console_session, demo_app, push_body, survey, visit};

fn outcomes(a: &support::Answer) -> Vec<String> {
    let res: PushResponse = serde_json::from_value(a.json.clone()).expect("push response");
    res.results.iter().map(|r| format!("{:?}", r.outcome).to_lowercase()).collect()
}

#[tokio::test]
async fn a_survey_is_stored_then_duplicate_then_conflict_when_changed() {
    let app = demo_app().await;
    let token = app.enrol("enc.ana").await;
    let s = survey(1, "GTO-E-T-01");
    let first = app.post("/api/v1/sync/push", Some(&token), &push_body(vec![s.clone()])).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.json);
    assert_eq!(outcomes(&first), ["stored"]);
    assert_eq!(first.json["results"][0]["review"], "accepted");
    let seq = first.json["results"][0]["seq"].as_u64().expect("seq");
    let again = app.post("/api/v1/sync/push", Some(&token), &push_body(vec![s.clone()])).await;
    assert_eq!(outcomes(&again), ["duplicate"]);
    assert_eq!(again.json["results"][0]["seq"].as_u64(), Some(seq));
    let mut changed = s.clone();
    changed.answers.insert("GL2".into(), shared::protocol::WireEntry::Value("3".into()));
    let changed = changed.seal();
    let conflict = app.post("/api/v1/sync/push", Some(&token), &push_body(vec![changed])).await;
    assert_eq!(outcomes(&conflict), ["conflict"]);
    assert_eq!(conflict.json["results"][0]["error"]["code"], "conflict");
    // The day's receipt counts every outcome for this device.
    let r = &conflict.json["receipt"];
    assert_eq!((r["received"].as_u64(), r["stored"].as_u64(), r["duplicates"].as_u64(), r["conflicts"].as_u64()), (Some(3), Some(1), Some(1), Some(1)));
}

#[tokio::test]
async fn each_kind_of_refusal_has_a_code_and_a_spanish_reason() {
    let app = demo_app().await;
    let token = app.enrol("enc.ana").await;
    let not_assigned = survey(2, "GTO-E-T-02");
    let mut unknown_form = survey(3, "GTO-E-T-01");
    unknown_form.form_version = "1999".into();
    let unknown_form = unknown_form.seal();
    let mut invalid = survey(4, "GTO-E-T-01");
    invalid.answers.insert("GL2".into(), shared::protocol::WireEntry::Value("11".into()));
    invalid.answers.remove("AG2");
    let invalid = invalid.seal();
    let mut tampered = survey(5, "GTO-E-T-01");
    tampered.answers.insert("GL2".into(), shared::protocol::WireEntry::Value("1".into()));
    let a = app.post("/api/v1/sync/push", Some(&token), &push_body(vec![not_assigned, unknown_form, invalid, tampered])).await;
    assert_eq!(outcomes(&a), ["rejected", "rejected", "rejected", "rejected"]);
    let codes: Vec<&str> = a.json["results"].as_array().expect("results").iter().filter_map(|r| r["error"]["code"].as_str()).collect();
    assert_eq!(codes, ["centro_not_assigned", "unknown_form_version", "invalid_answers", "hash_mismatch"]);
    assert_eq!(
        a.json["results"][2]["error"]["message"],
        "Respuestas inválidas: AG2: Seleccione una respuesta (o «No aplica / No sé»).; GL2: La calificación debe ser un número entero del 0 al 10."
    );
    assert_eq!(a.json["receipt"]["rejected"], 4);
}

/// A push is stored chunk by chunk while the rest is still being read: a bad record late
/// in the batch must still leave nothing of it behind.
#[tokio::test]
async fn a_bad_record_late_in_a_batch_refuses_the_whole_batch_and_stores_nothing() {
    let app = demo_app().await;
    let token = app.enrol("enc.ana").await;
    let good: Vec<_> = (0..180).map(|i| survey(10_000 + i, "GTO-E-T-01")).collect();
    let mut body = push_body(good.clone());
    body["submissions"][170]["answers"]["GL2"] = 9.into();
    let a = app.post("/api/v1/sync/push", Some(&token), &body).await;
    assert_eq!((a.status, a.json["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_body")), "{}", a.json);
    let message = a.json["message"].as_str().expect("message");
    assert!(message.starts_with("Datos inválidos en el registro 171:"), "{message}");
    let mut truncated = serde_json::to_vec(&push_body(good.clone())).expect("json");
    truncated.truncate(truncated.len() - 500);
    let cut = app.post_raw("/api/v1/sync/push", Some(&token), truncated).await;
    assert_eq!((cut.status, cut.json["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_json")));
    // Nothing of either batch was kept: every survey is new, and counted once.
    let again = app.post("/api/v1/sync/push", Some(&token), &push_body(good)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.json);
    assert!(outcomes(&again).iter().all(|o| o == "stored"));
    assert_eq!((again.json["receipt"]["received"].as_u64(), again.json["receipt"]["stored"].as_u64()), (Some(180), Some(180)));
}

#[tokio::test]
async fn suspicious_surveys_wait_in_review() {
    let app = demo_app().await;
    let token = app.enrol("enc.ana").await;
    let mut fast = survey(6, "GTO-E-T-01");
    fast.finalised_at = fast.started_at + chrono::Duration::seconds(25);
    let a = app.post("/api/v1/sync/push", Some(&token), &push_body(vec![fast.seal()])).await;
    assert_eq!(outcomes(&a), ["stored"]);
    assert_eq!(a.json["results"][0]["review"], "in_review");
}

#[tokio::test]
async fn only_field_roles_push_and_batches_are_bounded() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let a = app.post("/api/v1/sync/push", Some(&staff), &push_body(vec![])).await;
    assert_eq!((a.status, a.json["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    let token = app.enrol("enc.ana").await;
    let many: Vec<_> = (0..501).map(|i| survey(1000 + i, "GTO-E-T-01")).collect();
    let a = app.post("/api/v1/sync/push", Some(&token), &push_body(many)).await;
    assert_eq!((a.status, a.json["code"].as_str()), (StatusCode::BAD_REQUEST, Some("too_many_records")));
    let no_token = app.post("/api/v1/sync/push", None, &push_body(vec![])).await;
    assert_eq!(no_token.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn pull_brings_the_scope_of_the_user_then_nothing_new() {
    let app = demo_app().await;
    let token = app.enrol("enc.marta").await;
    let a = app.get("/api/v1/sync/pull?after=0", Some(&token)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let page: PullResponse = serde_json::from_value(a.json.clone()).expect("pull response");
    assert!(!page.more);
    let kinds: Vec<String> = page.changes.iter().map(|c| serde_json::to_value(c).expect("json")["kind"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "form").count(), 2);
    assert_eq!(kinds.iter().filter(|k| *k == "period").count(), 1);
    let mut centros: Vec<String> = page
        .changes
        .iter()
        .filter_map(|c| match &c.body {
            shared::protocol::ChangeBody::Centro(info) => Some(info.centro_id.clone()),
            _ => None,
        })
        .collect();
    centros.sort();
    centros.dedup();
    // Marta's five centros, and no one else's.
    assert_eq!(centros, ["GTO-E-S-04", "GTO-E-T-02", "GTO-E-T-04", "GTO-M-S-02", "GTO-M-T-02"]);
    let again = app.get(&format!("/api/v1/sync/pull?after={}", page.cursor), Some(&token)).await;
    let next: PullResponse = serde_json::from_value(again.json).expect("pull response");
    assert!(next.changes.is_empty() && !next.more);
    assert_eq!(next.cursor, page.cursor);
}

#[tokio::test]
async fn pull_pages_resume_from_the_cursor_without_gaps() {
    let app = demo_app().await;
    let token = app.enrol("insp.raul").await;
    let all: PullResponse = serde_json::from_value(app.get("/api/v1/sync/pull?after=0", Some(&token)).await.json).expect("page");
    let mut seen = Vec::new();
    let mut cursor = 0;
    loop {
        let page: PullResponse =
            serde_json::from_value(app.get(&format!("/api/v1/sync/pull?after={cursor}&limit=3"), Some(&token)).await.json).expect("page");
        assert!(page.changes.len() <= 3);
        seen.extend(page.changes.iter().map(|c| c.seq));
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    assert_eq!(seen, all.changes.iter().map(|c| c.seq).collect::<Vec<_>>());
    let bad = app.get("/api/v1/sync/pull?after=-1", Some(&token)).await;
    assert_eq!((bad.status, bad.json["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")));
}

#[tokio::test]
async fn scores_move_when_a_survey_arrives_and_carry_method_and_watermark() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let before = app.get("/api/v1/periods/2025/scores", Some(&staff)).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.json);
    let row = |json: &serde_json::Value| json["centros"].as_array().expect("centros").iter().find(|c| c["centro_id"] == "GTO-E-T-01").cloned().expect("centro");
    assert_eq!(row(&before.json)["n"], 0);
    assert_eq!(before.json["method"], "MGS-1");
    let token = app.enrol("enc.ana").await;
    let pushed = app.post("/api/v1/sync/push", Some(&token), &push_body(vec![survey(7, "GTO-E-T-01")])).await;
    let seq = pushed.json["results"][0]["seq"].as_u64().expect("seq");
    let after = app.get("/api/v1/periods/2025/scores", Some(&staff)).await;
    let centro = row(&after.json);
    assert_eq!((centro["n"].as_u64(), centro["n_isc"].as_u64()), (Some(1), Some(1)));
    // The same answers scored by `shared` directly: AG (75+100)/2, DE (75+50+100)/3, TC (100+75)/2, CI (75+50)/2, RE 100.
    let expected = (0.25 * 87.5 + 0.15 * 75.0 + 0.25 * 87.5 + 0.25 * 62.5 + 0.10 * 100.0) / 1.0;
    assert!((centro["isc"].as_f64().expect("isc") - expected).abs() < 1e-9, "{centro}");
    assert_eq!(after.json["watermark"].as_u64(), Some(seq));
    assert_eq!(centro["tier"], "no_elegible");
    let csv = app.get("/api/v1/periods/2025/scores?format=csv", Some(&staff)).await;
    let text = csv.json.as_str().expect("csv text");
    assert!(text.starts_with("\u{feff}centro_id,ambito,tipo,n,"));
    assert!(text.lines().any(|l| l.starts_with("GTO-E-T-01,estatal,tramites,1,1,")), "{text}");
    let surveyor = app.get("/api/v1/periods/2025/scores", Some(&token)).await;
    assert_eq!(surveyor.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/periods/1999/scores", Some(&staff)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn review_decisions_reach_the_surveyor_and_the_scores() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let mut fast = survey(8, "GTO-E-T-01");
    fast.finalised_at = fast.started_at + chrono::Duration::seconds(20);
    let normal = survey(9, "GTO-E-T-01");
    let pushed = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![fast.seal(), normal])).await;
    assert_eq!(pushed.json["results"][0]["review"], "in_review");
    let staff = app.enrol("coordinacion").await;
    let n = |json: &serde_json::Value| json["centros"].as_array().expect("centros").iter().find(|c| c["centro_id"] == "GTO-E-T-01").expect("centro")["n"].as_u64();
    assert_eq!(n(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), Some(1));

    // Ana's supervisor sees the flagged survey with its reason; the other supervisor does not.
    let norte = app.enrol("sup.norte").await;
    let queue = app.get("/api/v1/review", Some(&norte)).await;
    assert_eq!(queue.json["items"].as_array().map(Vec::len), Some(1), "{}", queue.json);
    assert_eq!(queue.json["items"][0]["flags"][0]["code"], "too_fast");
    let sur = app.enrol("sup.sur").await;
    assert_eq!(app.get("/api/v1/review", Some(&sur)).await.json["items"].as_array().map(Vec::len), Some(0));
    let id = "00000000-0000-0000-0000-000000000008";
    let path = format!("/api/v1/review/{id}");
    let outside = app.post(&path, Some(&sur), &serde_json::json!({"decision": "approve"})).await;
    assert_eq!(outside.status, StatusCode::NOT_FOUND);
    let surveyor = app.post(&path, Some(&ana), &serde_json::json!({"decision": "approve"})).await;
    assert_eq!(surveyor.status, StatusCode::FORBIDDEN);

    // Approving puts it into the scores.
    let approve = app.post(&path, Some(&norte), &serde_json::json!({"decision": "approve"})).await;
    assert_eq!(approve.status, StatusCode::OK, "{}", approve.json);
    assert_eq!(n(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), Some(2));

    // Once decided it has left the supervisor's hands: reversing it is for staff.
    let reason = "La encuesta duró 20 segundos: repítala con otra persona.";
    let again = app.post(&path, Some(&norte), &serde_json::json!({"decision": "reject", "reason": reason})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.json);
    // Rejecting needs a reason, takes it out again, and the reason reaches Ana's device.
    let no_reason = app.post(&path, Some(&staff), &serde_json::json!({"decision": "reject"})).await;
    assert_eq!((no_reason.status, no_reason.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason_required")));
    let reject = app.post(&path, Some(&staff), &serde_json::json!({"decision": "reject", "reason": reason})).await;
    assert_eq!(reject.status, StatusCode::OK);
    let audit = app.get("/api/v1/audit-log", Some(&staff)).await;
    assert!(audit.json.as_array().expect("entries").iter().any(|e| e["action"] == "review_overruled"), "{}", audit.json);
    assert_eq!(n(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), Some(1));
    let page: PullResponse = serde_json::from_value(app.get("/api/v1/sync/pull?after=0", Some(&ana)).await.json).expect("page");
    let reviews: Vec<_> = page
        .changes
        .iter()
        .filter_map(|c| match &c.body {
            shared::protocol::ChangeBody::Review { state, reason, .. } => Some((*state, reason.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(reviews.last(), Some(&(shared::protocol::ReviewState::Rejected, Some(reason.to_string()))));
    // Another surveyor's device does not receive Ana's review decisions.
    let luis = app.enrol("enc.luis").await;
    let other: PullResponse = serde_json::from_value(app.get("/api/v1/sync/pull?after=0", Some(&luis)).await.json).expect("page");
    assert!(!other.changes.iter().any(|c| matches!(c.body, shared::protocol::ChangeBody::Review { .. })));
}

#[tokio::test]
async fn supervisors_see_their_devices_day_and_can_revoke_a_lost_phone() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let s = survey(11, "GTO-E-T-01");
    app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![s.clone(), s])).await;
    let norte = app.enrol("sup.norte").await;
    let today = chrono::Utc::now().with_timezone(&chrono::FixedOffset::west_opt(6 * 3600).expect("offset")).date_naive();
    let days = app.get(&format!("/api/v1/devices?date={today}"), Some(&norte)).await;
    assert_eq!(days.status, StatusCode::OK, "{}", days.json);
    let row = days.json.as_array().expect("rows").iter().find(|d| d["username"] == "enc.ana").cloned().expect("ana's device");
    assert_eq!((row["received"].as_u64(), row["stored"].as_u64(), row["duplicates"].as_u64()), (Some(2), Some(1), Some(1)));
    // The other supervisor's team is not listed, and cannot be revoked from here.
    let sur = app.enrol("sup.sur").await;
    assert!(!app.get("/api/v1/devices", Some(&sur)).await.json.as_array().expect("rows").iter().any(|d| d["username"] == "enc.ana"));
    let device = row["device_id"].as_str().expect("id").to_string();
    let path = format!("/api/v1/devices/{device}/revoke");
    assert_eq!(app.post(&path, Some(&sur), &serde_json::json!({})).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.post(&path, Some(&norte), &serde_json::json!({})).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/me", Some(&ana)).await.json["code"], "revoked_token");
    assert_eq!(app.get("/api/v1/devices?date=ayer", Some(&norte)).await.json["code"], "bad_query");
}

#[tokio::test]
async fn a_burst_of_finalisations_is_flagged_within_and_across_batches() {
    let app = demo_app().await;
    let token = app.enrol("enc.ana").await;
    let at = |id: u128, second: i64| {
        let mut s = survey(id, "GTO-E-T-01");
        s.started_at = chrono::DateTime::parse_from_rfc3339("2025-07-01T10:00:00-06:00").expect("valid");
        s.finalised_at = s.started_at + chrono::Duration::seconds(120 + second);
        s.seal()
    };
    let a = app.post("/api/v1/sync/push", Some(&token), &push_body(vec![at(20, 0), at(21, 20)])).await;
    let reviews = |json: &serde_json::Value| -> Vec<String> {
        json["results"].as_array().expect("results").iter().map(|r| r["review"].as_str().unwrap_or("").to_string()).collect()
    };
    assert_eq!(reviews(&a.json), ["accepted", "accepted"]);
    // The third within a minute, in another batch, is flagged.
    let b = app.post("/api/v1/sync/push", Some(&token), &push_body(vec![at(22, 45), at(23, 600)])).await;
    assert_eq!(reviews(&b.json), ["in_review", "accepted"]);
}

#[tokio::test]
async fn the_same_id_twice_in_one_batch_is_a_duplicate_or_a_conflict() {
    let app = demo_app().await;
    let token = app.enrol("enc.ana").await;
    let s = survey(30, "GTO-E-T-01");
    let mut changed = s.clone();
    changed.answers.insert("GL2".into(), shared::protocol::WireEntry::Value("1".into()));
    let many: Vec<_> = (0..70u128).map(|i| survey(3000 + i, "GTO-E-T-01")).chain([s.clone(), s, changed.seal()]).collect();
    let a = app.post("/api/v1/sync/push", Some(&token), &push_body(many)).await;
    let tail: Vec<String> = outcomes(&a).into_iter().skip(70).collect();
    assert_eq!(tail, ["stored", "duplicate", "conflict"]);
    assert_eq!(a.json["results"][71]["seq"], a.json["results"][70]["seq"]);
}

fn visits(page: &PullResponse) -> Vec<(String, String)> {
    page.changes
        .iter()
        .filter_map(|c| match &c.body {
            shared::protocol::ChangeBody::Visit { centro_id, submission_id, .. } => Some((centro_id.clone(), submission_id.to_string())),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn the_latest_visit_reaches_the_centros_inspectors_only() {
    let app = demo_app().await;
    let phone = app.enrol("insp.carmen").await;
    let tablet = app.enrol("insp.carmen").await;
    let v = support::visit(7, "GTO-E-T-01", &[]);
    let a = app.post("/api/v1/sync/push", Some(&phone), &push_body(vec![v.clone()])).await;
    assert_eq!(outcomes(&a), ["stored"], "{}", a.json);
    let page: PullResponse = serde_json::from_value(app.get("/api/v1/sync/pull?after=0", Some(&tablet)).await.json).expect("page");
    assert_eq!(visits(&page), [("GTO-E-T-01".to_string(), v.id.to_string())]);
    if let Some(shared::protocol::ChangeBody::Visit { answers, .. }) = page.changes.iter().map(|c| &c.body).find(|b| matches!(b, shared::protocol::ChangeBody::Visit { .. })) {
        assert_eq!(answers, &v.answers);
    }
    // A surveyor of the same centro does not receive checklists.
    let ana = app.enrol("enc.ana").await;
    let page: PullResponse = serde_json::from_value(app.get("/api/v1/sync/pull?after=0", Some(&ana)).await.json).expect("page");
    assert!(visits(&page).is_empty());
    // An inspector newly assigned to the centro receives its latest visit with it.
    let raul = app.enrol("insp.raul").await;
    let admin = app.enrol("admin").await;
    let req = axum::http::Request::put("/api/v1/users/insp.raul/centros/GTO-E-T-01")
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {admin}"))
        .body(axum::body::Body::empty())
        .expect("request");
    let assigned = app.send(req).await;
    assert!(assigned.status.is_success(), "{}", assigned.json);
    let page: PullResponse = serde_json::from_value(app.get("/api/v1/sync/pull?after=0", Some(&raul)).await.json).expect("page");
    assert_eq!(visits(&page), [("GTO-E-T-01".to_string(), v.id.to_string())]);
}

#[tokio::test]
async fn a_rejected_survey_corrected_on_the_phone_replaces_it_and_counts_once() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let staff = app.enrol("coordinacion").await;
    let n = |json: &serde_json::Value| json["centros"].as_array().expect("centros").iter().find(|c| c["centro_id"] == "GTO-E-T-01").expect("centro")["n"].as_u64();
    let original = survey(31, "GTO-E-T-01");
    let other = survey(32, "GTO-E-T-01");
    app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![original.clone(), other.clone()])).await;
    assert_eq!(n(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), Some(2));

    // A correction of a record that is not rejected is refused by itself.
    let correction = |id: u128, of: uuid::Uuid| {
        let mut c = survey(id, "GTO-E-T-01");
        c.answers.insert("AG2".into(), shared::protocol::WireEntry::Value("5".into()));
        c.meta.replaces = Some(of);
        c.seal()
    };
    let early = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![correction(33, original.id)])).await;
    assert_eq!(early.json["results"][0]["error"]["code"], "invalid_replaces", "{}", early.json);

    let reject = serde_json::json!({"decision": "reject", "reason": "Falta la pregunta de espera: repítala."});
    assert_eq!(app.post(&format!("/api/v1/review/{}", original.id), Some(&staff), &reject).await.status, StatusCode::OK);
    assert_eq!(n(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), Some(1));

    // Another user cannot correct Ana's record; Ana can, once.
    let luis = app.enrol("enc.luis").await;
    let foreign = app.post("/api/v1/sync/push", Some(&luis), &push_body(vec![correction(34, original.id)])).await;
    assert_eq!(foreign.json["results"][0]["outcome"], "rejected", "{}", foreign.json);
    let fixed = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![correction(35, original.id)])).await;
    assert_eq!(fixed.json["results"][0]["outcome"], "stored", "{}", fixed.json);
    assert_eq!(n(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), Some(2), "the correction counts");
    let twice = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![correction(36, original.id)])).await;
    assert_eq!(twice.json["results"][0]["error"]["code"], "invalid_replaces", "{}", twice.json);
    // The same correction sent again is a duplicate, not a second one.
    let again = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![correction(35, original.id)])).await;
    assert_eq!(again.json["results"][0]["outcome"], "duplicate");

    // The corrected record stays rejected: approving it would count the interview twice.
    let approve = serde_json::json!({"decision": "approve", "reason": "revisado"});
    let back = app.post(&format!("/api/v1/review/{}", original.id), Some(&staff), &approve).await;
    assert_eq!(back.status, StatusCode::CONFLICT, "{}", back.json);
    assert_eq!(n(&app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json), Some(2));

    // Both are kept; the export says which corrects which.
    let (status, csv) = app.get_bytes("/api/v1/forms/encuesta_opinion/2025010102/submissions.csv", &staff).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(csv).expect("utf-8");
    let header: Vec<&str> = text.lines().next().expect("header").trim_start_matches('\u{feff}').split(',').collect();
    let col = header.iter().position(|h| *h == "_corrige").expect("_corrige column");
    let fixed_id = uuid::Uuid::from_u128(35).to_string();
    let row = text.lines().find(|l| l.starts_with(&fixed_id)).expect("the correction's row");
    assert_eq!(row.split(',').nth(col), Some(original.id.to_string().as_str()));
    assert!(text.lines().any(|l| l.starts_with(&original.id.to_string())), "the original is kept");
}

#[tokio::test]
async fn a_photo_names_the_item_it_was_taken_for() {
    let app = demo_app().await;
    let carmen = app.enrol("insp.carmen").await;
    let sha = "ab".repeat(32);
    let mut v = visit(41, "GTO-E-T-01", &[]);
    v.meta.photos = vec![sha.clone()];
    v.meta.photo_items = vec![shared::protocol::PhotoItem { item: "AG-V1".into(), sha256: sha.clone() }];
    let stored = app.post("/api/v1/sync/push", Some(&carmen), &push_body(vec![v.seal()])).await;
    assert_eq!(stored.json["results"][0]["outcome"], "stored", "{}", stored.json);
    let mut bad = visit(42, "GTO-E-T-01", &[]);
    bad.meta.photo_items = vec![shared::protocol::PhotoItem { item: "AG-V1".into(), sha256: sha.clone() }];
    let refused = app.post("/api/v1/sync/push", Some(&carmen), &push_body(vec![bad.seal()])).await;
    assert_eq!(refused.json["results"][0]["error"]["code"], "bad_photo_item", "a photo not among the record's");
    let (token, _) = console_session(&app, "coordinacion", "/consola/centros/GTO-E-T-01").await;
    let req = axum::http::Request::get("/consola/centros/GTO-E-T-01").header("cookie", format!("ventanilla_sesion={token}")).body(axum::body::Body::empty()).expect("request");
    let (_, _, body) = app.send_raw(req).await;
    assert!(String::from_utf8_lossy(&body).contains("data-photo-item=\"AG-V1\""), "the console shows the photo's item");
}

#[tokio::test]
async fn a_survey_answers_the_centros_own_tramites_even_one_retired_since() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let with_p0 = |id: u128, p0: &str| {
        let mut s = survey(id, "GTO-E-T-01");
        s.answers.insert("P0".into(), shared::protocol::WireEntry::Value(p0.into()));
        s.seal()
    };
    // GTO-E-T-01 lists «Licencia de conducir» (demo): its choice is named by its words.
    let first = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![with_p0(21, "Licencia_de_conducir")])).await;
    assert_eq!(outcomes(&first), ["stored"], "{}", first.json);
    // Staff list other trámites; a record answered offline with the old one is still accepted.
    let staff = app.enrol("coordinacion").await;
    let centro = serde_json::json!({
        "name": "Recaudación León Centro", "dependencia": "Secretaría de Finanzas", "ambito": "estatal", "tipo": "tramites",
        "municipio": "León", "lat": 21.1221, "lon": -101.6842, "sampling_interval": 3, "tramites": ["Pago de tenencia"]
    });
    assert_eq!(app.put("/api/v1/centros/GTO-E-T-01", &staff, &centro).await.status, StatusCode::OK);
    // A centro's list is bounded like the console's editor bounds it.
    let mut too_many = centro.clone();
    too_many["tramites"] = serde_json::json!((0..=shared::form::centro_lists::MAX_TRAMITES).map(|i| format!("T{i}")).collect::<Vec<_>>());
    let refused = app.put("/api/v1/centros/GTO-E-T-01", &staff, &too_many).await;
    assert_eq!((refused.status, refused.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_centro")), "{}", refused.json);
    let pull = app.get("/api/v1/sync/pull?after=0", Some(&ana)).await;
    let info = pull.json["changes"].as_array().expect("changes").iter().rev().find(|c| c["kind"] == "centro" && c["centro_id"] == "GTO-E-T-01").cloned().expect("the centro");
    assert_eq!(info["tramites"], serde_json::json!(["Pago de tenencia"]), "phones get only the current list");
    let late = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![with_p0(22, "Licencia_de_conducir"), with_p0(23, "Pago_de_tenencia"), with_p0(24, "predial")])).await;
    assert_eq!(outcomes(&late), ["stored", "stored", "stored"], "{}", late.json);
    // A trámite the centro never listed is not a choice.
    let made_up = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![with_p0(25, "Inventado")])).await;
    assert_eq!(made_up.json["results"][0]["error"]["code"], "invalid_answers", "{}", made_up.json);
}
