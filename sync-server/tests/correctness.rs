//! Every number honest: bursts flag all their surveys, a period's own settings rule its
//! records at ingest, records outside every period say so, and the live scores equal a
//! rebuild from the database whatever happened in between (bursts, pushes racing a
//! rebuild).

mod support;

use axum::http::StatusCode;
use shared::protocol::{ReviewState, Submission};
use support::{TestApp, demo_app, push_body, survey};

const CENTRO: &str = "GTO-E-T-01";

/// A survey finalised `second` seconds after 10:02 on `day` (centro time).
fn at(id: u128, day: &str, second: i64) -> Submission {
    let mut s = survey(id, CENTRO);
    s.started_at = chrono::DateTime::parse_from_rfc3339(&format!("{day}T10:00:00-06:00")).expect("valid");
    s.finalised_at = s.started_at + chrono::Duration::seconds(120 + second);
    s.seal()
}

fn reviews(json: &serde_json::Value) -> Vec<String> {
    json["results"].as_array().expect("results").iter().map(|r| r["review"].as_str().unwrap_or("").to_string()).collect()
}

/// The centros of a period's live table.
async fn live_centros(app: &TestApp, token: &str, period: &str) -> serde_json::Value {
    let a = app.get(&format!("/api/v1/periods/{period}/scores"), Some(token)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    a.json["centros"].clone()
}

/// The live table equals the one rebuilt from the database, figure for figure.
async fn assert_live_equals_rebuilt(app: &TestApp, token: &str, period: &str) {
    let live = live_centros(app, token, period).await;
    app.state.rebuild_scores().await.expect("rebuild");
    assert_eq!(live, live_centros(app, token, period).await, "the live scores drifted from the database");
}

fn n_of(centros: &serde_json::Value, id: &str) -> u64 {
    centros.as_array().expect("centros").iter().find(|c| c["centro_id"] == id).and_then(|c| c["n"].as_u64()).expect("centro")
}

/// SCORING.md §8: every survey of a burst goes to review, the earlier ones too, whether
/// they came in the same push or before; the device learns it through pull and the live
/// scores move exactly.
#[tokio::test]
async fn every_survey_of_a_burst_goes_to_review() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let staff = app.enrol("coordinacion").await;
    let before = n_of(&live_centros(&app, &staff, "2025").await, CENTRO);
    let a = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![at(20, "2025-07-01", 0), at(21, "2025-07-01", 20)])).await;
    assert_eq!(reviews(&a.json), ["accepted", "accepted"]);
    assert_eq!(n_of(&live_centros(&app, &staff, "2025").await, CENTRO), before + 2);
    let cursor = a.json["results"][1]["seq"].as_u64().expect("seq");
    // The third within a minute, in another push: all three go to review.
    let b = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![at(22, "2025-07-01", 45), at(23, "2025-07-01", 600)])).await;
    assert_eq!(reviews(&b.json), ["in_review", "accepted"]);
    assert_eq!(n_of(&live_centros(&app, &staff, "2025").await, CENTRO), before + 1, "only the survey outside the burst counts");
    assert_live_equals_rebuilt(&app, &staff, "2025").await;
    // The phone learns the earlier two are in review.
    let told = support::told_reviews(&app, &ana, cursor).await;
    assert_eq!(told, [(20, ReviewState::InReview), (21, ReviewState::InReview)]);
    // The review queue shows all three with the burst flag; a re-sent one says in review.
    let sup = app.enrol("sup.norte").await;
    let queue = app.get("/api/v1/review", Some(&sup)).await;
    let flagged: Vec<String> = queue.json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| i["flags"].as_array().is_some_and(|f| f.iter().any(|f| f["code"] == "burst")))
        .map(|i| i["submission_id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(flagged.len(), 3, "{}", queue.json);
    let again = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![at(20, "2025-07-01", 0)])).await;
    assert_eq!(reviews(&again.json), ["in_review"]);
    // Approving one puts it back in the scores, exactly.
    let approve = app.post(&format!("/api/v1/review/{}", uuid::Uuid::from_u128(20)), Some(&sup), &serde_json::json!({"decision": "approve"})).await;
    assert_eq!(approve.status, StatusCode::OK, "{}", approve.json);
    assert_eq!(n_of(&live_centros(&app, &staff, "2025").await, CENTRO), before + 2);
    assert_live_equals_rebuilt(&app, &staff, "2025").await;
}

#[tokio::test]
async fn a_burst_inside_one_push_flags_all_its_surveys() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let staff = app.enrol("coordinacion").await;
    let burst: Vec<Submission> = (0..4).map(|i| at(40 + i, "2025-07-02", i as i64 * 15)).chain([at(44, "2025-07-02", 900)]).collect();
    let a = app.post("/api/v1/sync/push", Some(&ana), &push_body(burst)).await;
    assert_eq!(reviews(&a.json), ["in_review", "in_review", "in_review", "in_review", "accepted"], "{}", a.json);
    assert_live_equals_rebuilt(&app, &staff, "2025").await;
}

/// Bursts found across chunks and pushes, with the surveys in no time order and spread over
/// several days, are exactly the window-by-window definition (SCORING.md §8: every survey
/// in some 60 s window holding 3 or more of the surveyor's) once everything has arrived.
#[tokio::test]
async fn bursts_across_chunks_pushes_and_days_match_the_definition() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let staff = app.enrol("coordinacion").await;
    let days = ["2025-07-02", "2025-07-03", "2025-07-08"];
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |m: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % m
    };
    // Clusters of a few surveys, some dense, some sparse, in no particular order.
    let mut layout: Vec<(u128, usize, i64)> = Vec::new();
    while layout.len() < 600 {
        let (day, start, size, gap) = (next(3) as usize, next(30_000) as i64, 1 + next(5), 5 + next(60) as i64);
        for k in 0..size as i64 {
            layout.push((2_000 + layout.len() as u128, day, start + k * gap + next(20) as i64));
        }
    }
    layout.truncate(600);
    let flagged = |&(_, day, t): &(u128, usize, i64)| {
        let same: Vec<i64> = layout.iter().filter(|o| o.1 == day).map(|o| o.2).collect();
        same.iter().filter(|x| (t - 60..=t).contains(*x)).any(|x| same.iter().filter(|y| (*x..=x + 60).contains(*y)).count() >= 3)
    };
    let expected: Vec<&str> = layout.iter().map(|l| if flagged(l) { "in_review" } else { "accepted" }).collect();
    assert!(expected.contains(&"in_review") && expected.contains(&"accepted"), "the layout has both");
    let subs: Vec<Submission> = layout.iter().map(|&(id, day, t)| at(id, days[day], t)).collect();
    // In time order as a phone sends them (chunks of one push follow each other and jump
    // from day to day), every other one in each push; then all of them in no order.
    let mut by_time: Vec<usize> = (0..subs.len()).collect();
    by_time.sort_by_key(|&i| (layout[i].1, layout[i].2));
    for parity in 0..2 {
        let half: Vec<Submission> = by_time.iter().skip(parity).step_by(2).map(|&i| subs[i].clone()).collect();
        let a = app.post("/api/v1/sync/push", Some(&ana), &push_body(half)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    }
    // Sent again, each comes back as a duplicate with its stored review state.
    let mut stored = Vec::new();
    for half in subs.chunks(300) {
        let a = app.post("/api/v1/sync/push", Some(&ana), &push_body(half.to_vec())).await;
        stored.extend(reviews(&a.json));
    }
    assert_eq!(stored, expected);
    assert_live_equals_rebuilt(&app, &staff, "2025").await;
}

/// A period's own settings: its integrity limits flag its records and its indicator items
/// are the ones read, from the push on (not the method's defaults).
#[tokio::test]
async fn a_periods_own_settings_rule_its_records_at_ingest() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let mut settings = shared::scoring::MethodSettings::default();
    settings.integrity.min_duration_seconds = 200.0;
    settings.items.satisfaction = "AG3".into();
    settings.dimension_weights.insert("AG".into(), 5.0);
    let period = serde_json::json!({ "name": "Piloto 2026", "start": "2026-01-01", "end": "2026-06-30", "settings": settings });
    let put = app.put("/api/v1/periods/2026", &staff, &period).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.json);
    let ana = app.enrol("enc.ana").await;
    // 150 s: too fast under the 2026 limit, not under the default (90 s) of 2025.
    let a = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![at(60, "2026-02-03", 0), at(61, "2025-07-03", 0)])).await;
    assert_eq!(reviews(&a.json), ["in_review", "accepted"], "{}", a.json);
    let sup = app.enrol("sup.norte").await;
    let queue = app.get("/api/v1/review", Some(&sup)).await;
    let item = queue.json["items"].as_array().expect("items").iter().find(|i| i["submission_id"] == uuid::Uuid::from_u128(60).to_string()).cloned().expect("in review");
    assert_eq!(item["flags"][0]["code"], "too_fast");
    let approve = app.post(&format!("/api/v1/review/{}", uuid::Uuid::from_u128(60)), Some(&sup), &serde_json::json!({"decision": "approve"})).await;
    assert_eq!(approve.status, StatusCode::OK, "{}", approve.json);
    // The satisfaction item of 2026 is AG3 (answered 5), not GL1 (answered 4).
    let inputs = app.get("/api/v1/periods/2026/scoring-inputs", Some(&staff)).await;
    let stored = inputs.json["surveys"].as_array().expect("surveys").iter().find(|s| s["submission_id"] == uuid::Uuid::from_u128(60).to_string()).cloned().expect("survey");
    assert_eq!(stored["satisfaction"], 5, "{stored}");
    let centros = live_centros(&app, &staff, "2026").await;
    let row = centros.as_array().expect("centros").iter().find(|c| c["centro_id"] == CENTRO).cloned().expect("centro");
    assert_eq!((row["csat"]["k"].as_u64(), row["csat"]["n"].as_u64()), (Some(1), Some(1)), "{row}");
    // The weights of 2026 give the ISC that the audit recomputation gives.
    let recomputed: shared::protocol::ScoringInputs = serde_json::from_value(inputs.json).expect("inputs");
    let table = recomputed.recompute().expect("recompute");
    let isc = table.centros.iter().find(|c| c.centro_id == CENTRO).and_then(|c| c.isc);
    assert_eq!(row["isc"].as_f64(), isc);
    assert_live_equals_rebuilt(&app, &staff, "2026").await;
}

/// A survey captured on a day no period covers is stored, and the push says it counts in
/// no results.
#[tokio::test]
async fn a_record_outside_every_period_is_stored_with_a_warning() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let a = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![at(70, "2024-11-05", 0), at(71, "2025-07-04", 0)])).await;
    assert_eq!(a.json["results"][0]["outcome"], "stored", "{}", a.json);
    assert_eq!(a.json["results"][0]["warning"]["code"], "outside_periods");
    assert!(a.json["results"][0]["warning"]["message"].as_str().expect("message").contains("5 nov 2024"));
    assert!(a.json["results"][1].get("warning").is_none(), "{}", a.json);
    let again = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![at(70, "2024-11-05", 0)])).await;
    assert_eq!(again.json["results"][0]["outcome"], "duplicate");
    assert_eq!(again.json["results"][0]["warning"]["code"], "outside_periods");
}

/// Pushes committed while the scores are rebuilt are neither lost nor counted twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushes_racing_a_rebuild_are_counted_once() {
    let app = std::sync::Arc::new(demo_app().await);
    let staff = app.enrol("coordinacion").await;
    let ana = app.enrol("enc.ana").await;
    let before = n_of(&live_centros(&app, &staff, "2025").await, CENTRO);
    let pushes = {
        let app = app.clone();
        tokio::spawn(async move {
            for i in 0..40u128 {
                // One a day apart: no burst, all accepted.
                let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).expect("date") + chrono::Duration::days(i as i64);
                let s = at(1000 + i, &day.to_string(), 0);
                let a = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![s])).await;
                assert_eq!(reviews(&a.json), ["accepted"], "{}", a.json);
            }
        })
    };
    let rebuilds = {
        let app = app.clone();
        tokio::spawn(async move {
            for _ in 0..40 {
                app.state.rebuild_scores().await.expect("rebuild");
            }
        })
    };
    pushes.await.expect("pushes");
    rebuilds.await.expect("rebuilds");
    assert_eq!(n_of(&live_centros(&app, &staff, "2025").await, CENTRO), before + 40);
    assert_live_equals_rebuilt(&app, &staff, "2025").await;
}

/// The interleaving forced: a push commits after the rebuild read its snapshot and before
/// the rebuilt table is swapped in. It must be in the new table.
#[tokio::test]
async fn a_push_between_snapshot_and_swap_is_kept() {
    let app = std::sync::Arc::new(demo_app().await);
    let staff = app.enrol("coordinacion").await;
    let ana = app.enrol("enc.ana").await;
    let before = n_of(&live_centros(&app, &staff, "2025").await, CENTRO);
    let (db, pusher) = (app.state.db.clone(), app.clone());
    app.state
        .scores
        .rebuild(|| async move {
            let snapshot = db.score_inputs().await?;
            let a = pusher.post("/api/v1/sync/push", Some(&ana), &push_body(vec![at(90, "2025-08-01", 0)])).await;
            assert_eq!(reviews(&a.json), ["accepted"], "{}", a.json);
            Ok(snapshot)
        })
        .await
        .expect("rebuild");
    assert_eq!(n_of(&live_centros(&app, &staff, "2025").await, CENTRO), before + 1, "the push was lost by the rebuild");
    assert_live_equals_rebuilt(&app, &staff, "2025").await;
}

/// A client that hashed a zero offset as `+00:00` is told the canonical form it should
/// have hashed (with `Z`) and the hash the server computed, not that the record is damaged.
#[tokio::test]
async fn a_hash_over_another_form_is_answered_with_the_canonical_one() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let mut s = survey(80, CENTRO);
    let utc = chrono::FixedOffset::east_opt(0).expect("offset");
    s.started_at = s.started_at.with_timezone(&utc);
    s.finalised_at = s.finalised_at.with_timezone(&utc);
    let canonical = String::from_utf8(s.canonical_content()).expect("utf-8");
    assert!(canonical.contains("Z\""), "{canonical}");
    let theirs = canonical.replace("Z\"", "+00:00\"");
    s.content_hash = shared::digest::sha256_hex(theirs.as_bytes());
    let a = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![s.clone()])).await;
    let error = &a.json["results"][0]["error"];
    assert_eq!(error["code"], "hash_mismatch", "{}", a.json);
    let message = error["message"].as_str().expect("message");
    assert!(message.contains(&shared::digest::sha256_hex(canonical.as_bytes())), "{message}");
    let expected = format!("\"finalised_at\":\"{}\"", s.finalised_at.format("%Y-%m-%dT%H:%M:%SZ"));
    assert!(message.contains(&expected), "{message}");
    assert!(!message.contains("dañado"), "{message}");
}

/// Damage in stored data is an error that is logged and answered, never a made-up value
/// (an empty flag list, a nil id, 1970-01-01, a skipped dimension).
#[tokio::test]
async fn damaged_stored_values_are_errors_not_defaults() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let sup = app.enrol("sup.norte").await;
    let staff = app.enrol("coordinacion").await;
    let mut fast = at(100, "2025-07-05", 0);
    fast.finalised_at = fast.started_at + chrono::Duration::seconds(10);
    let fast = fast.seal();
    app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![fast.clone()])).await;
    assert_eq!(app.get("/api/v1/review", Some(&sup)).await.status, StatusCode::OK);
    let damage = |sql: &'static str| {
        let db = app.state.db.clone();
        async move { db.write(move |conn| Ok(conn.execute_batch(sql)?)).await.expect("damage") }
    };
    damage("UPDATE submissions SET flags = 'no es JSON'").await;
    let queue = app.get("/api/v1/review", Some(&sup)).await;
    assert_eq!((queue.status, queue.json["code"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("internal")), "{}", queue.json);
    damage("UPDATE submissions SET flags = '[]'; UPDATE submissions SET capture_date = 'ayer'").await;
    assert_eq!(app.get("/api/v1/review", Some(&sup)).await.status, StatusCode::INTERNAL_SERVER_ERROR);
    damage("UPDATE submissions SET capture_date = '2025-07-05'; UPDATE survey_facts SET dimensions = 'AG=x'").await;
    assert!(app.state.rebuild_scores().await.is_err(), "a damaged fact stops the rebuild instead of being skipped");
    let inputs = app.get("/api/v1/periods/2025/scoring-inputs", Some(&staff)).await;
    assert_eq!(inputs.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", inputs.json);
}

/// A period created (or changed) after its surveys arrived is honoured for them too: their
/// indicator answers are read again under its items.
#[tokio::test]
async fn a_period_defined_after_its_surveys_reads_them_with_its_items() {
    let app = demo_app().await;
    let ana = app.enrol("enc.ana").await;
    let staff = app.enrol("coordinacion").await;
    let a = app.post("/api/v1/sync/push", Some(&ana), &push_body(vec![at(110, "2026-03-03", 0)])).await;
    assert_eq!(a.json["results"][0]["warning"]["code"], "outside_periods", "{}", a.json);
    let mut settings = shared::scoring::MethodSettings::default();
    settings.items.satisfaction = "AG3".into();
    let period = serde_json::json!({ "name": "Piloto 2026", "start": "2026-01-01", "end": "2026-06-30", "settings": settings });
    assert_eq!(app.put("/api/v1/periods/2026", &staff, &period).await.status, StatusCode::OK);
    let inputs = app.get("/api/v1/periods/2026/scoring-inputs", Some(&staff)).await;
    let stored = inputs.json["surveys"].as_array().expect("surveys").iter().find(|s| s["submission_id"] == uuid::Uuid::from_u128(110).to_string()).cloned().expect("survey");
    assert_eq!(stored["satisfaction"], 5, "AG3 (5), not GL1 (4): {stored}");
    assert_live_equals_rebuilt(&app, &staff, "2026").await;
    // The period moves past the survey's date: it belongs to no period again and is read
    // with the default items (GL1).
    let moved = serde_json::json!({ "name": "Piloto 2026", "start": "2026-04-01", "end": "2026-06-30", "settings": settings });
    assert_eq!(app.put("/api/v1/periods/2026", &staff, &moved).await.status, StatusCode::OK);
    let inputs = app.get("/api/v1/periods/2026/scoring-inputs", Some(&staff)).await;
    assert_eq!(inputs.json["surveys"][0]["satisfaction"], 4, "{}", inputs.json["surveys"]);
    // Back over the date with AG3, then to the default items: read again each time.
    let back = serde_json::json!({ "name": "Piloto 2026", "start": "2026-01-01", "end": "2026-06-30", "settings": settings });
    assert_eq!(app.put("/api/v1/periods/2026", &staff, &back).await.status, StatusCode::OK);
    let inputs = app.get("/api/v1/periods/2026/scoring-inputs", Some(&staff)).await;
    assert_eq!(inputs.json["surveys"][0]["satisfaction"], 5, "{}", inputs.json["surveys"]);
    let period = serde_json::json!({ "name": "Piloto 2026", "start": "2026-01-01", "end": "2026-06-30" });
    assert_eq!(app.put("/api/v1/periods/2026", &staff, &period).await.status, StatusCode::OK);
    let inputs = app.get("/api/v1/periods/2026/scoring-inputs", Some(&staff)).await;
    assert_eq!(inputs.json["surveys"][0]["satisfaction"], 4, "{}", inputs.json["surveys"]);
}
