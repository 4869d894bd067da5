//! Resumable, content-addressed photo uploads, in-process.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sha2::{Digest, Sha256};
use support::{TestApp, demo_app};

fn photo(len: usize) -> (Vec<u8>, String) {
    let bytes: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
    let sha = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    (bytes, sha)
}

async fn put(app: &TestApp, token: &str, sha: &str, offset: usize, total: usize, chunk: &[u8]) -> support::Answer {
    let req = Request::put(format!("/api/v1/photos/{sha}?offset={offset}&total={total}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(chunk.to_vec()))
        .expect("request");
    app.send(req).await
}

#[tokio::test]
async fn a_photo_arrives_in_chunks_and_is_verified() {
    let app = demo_app().await;
    let token = app.enrol("insp.carmen").await;
    let (bytes, sha) = photo(300_000);
    let status = app.get(&format!("/api/v1/photos/{sha}"), Some(&token)).await;
    assert_eq!((status.json["received"].as_u64(), status.json["complete"].as_bool()), (Some(0), Some(false)));
    let a = put(&app, &token, &sha, 0, bytes.len(), &bytes[..100_000]).await;
    assert_eq!((a.json["received"].as_u64(), a.json["complete"].as_bool()), (Some(100_000), Some(false)));
    // A chunk from the wrong place is refused: the device asks and continues from the server's count.
    let wrong = put(&app, &token, &sha, 50_000, bytes.len(), &bytes[50_000..]).await;
    assert_eq!((wrong.status, wrong.json["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
    let b = put(&app, &token, &sha, 100_000, bytes.len(), &bytes[100_000..]).await;
    assert_eq!((b.json["received"].as_u64(), b.json["complete"].as_bool()), (Some(300_000), Some(true)), "{}", b.json);
    // Sending it again costs nothing.
    let again = put(&app, &token, &sha, 0, bytes.len(), &bytes).await;
    assert_eq!(again.json["complete"], true);
}

#[tokio::test]
async fn damaged_oversized_and_misnamed_photos_are_refused() {
    let app = demo_app().await;
    let token = app.enrol("insp.carmen").await;
    let (mut bytes, sha) = photo(10_000);
    bytes[5] ^= 0xff;
    let damaged = put(&app, &token, &sha, 0, bytes.len(), &bytes).await;
    assert_eq!((damaged.status, damaged.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("hash_mismatch")));
    assert_eq!(app.get(&format!("/api/v1/photos/{sha}"), Some(&token)).await.json["received"], 0);
    let huge = put(&app, &token, &sha, 0, 30 * 1024 * 1024, b"x").await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let bad_name = put(&app, &token, "foto.jpg", 0, 1, b"x").await;
    assert_eq!((bad_name.status, bad_name.json["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_hash")));
    let more = put(&app, &token, &photo(10).1, 0, 10, &[0u8; 20]).await;
    assert_eq!(more.json["code"], "too_many_bytes");
    let no_query = app.send(
        Request::put(format!("/api/v1/photos/{sha}")).header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).expect("req"),
    ).await;
    assert_eq!(no_query.json["code"], "bad_query");
    let staff = app.enrol("coordinacion").await;
    assert_eq!(put(&app, &staff, &sha, 0, 1, b"x").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_submission_is_complete_when_every_photo_it_names_has_arrived() {
    let app = demo_app().await;
    let token = app.enrol("enc.ana").await;
    let (first, sha1) = photo(5_000);
    let (_, sha2) = photo(6_000);
    put(&app, &token, &sha1, 0, first.len(), &first).await;
    let mut s = support::survey(700, "GTO-E-T-01");
    s.meta.photos = vec![sha1.clone(), sha2.clone()];
    let s = s.seal();
    let a = app.post("/api/v1/sync/push", Some(&token), &support::push_body(vec![s.clone()])).await;
    assert_eq!(a.json["results"][0]["outcome"], "stored");
    assert_eq!(a.json["results"][0]["missing_photos"], serde_json::json!([sha2]));
    let (second, _) = photo(6_000);
    let done = put(&app, &token, &sha2, 0, second.len(), &second).await;
    assert_eq!(done.json["complete"], true);
    let again = app.post("/api/v1/sync/push", Some(&token), &support::push_body(vec![s])).await;
    assert_eq!(again.json["results"][0]["outcome"], "duplicate");
    assert!(again.json["results"][0].get("missing_photos").is_none(), "{}", again.json);
    let mut bad = support::survey(701, "GTO-E-T-01");
    bad.meta.photos = vec!["foto.jpg".into()];
    let refused = app.post("/api/v1/sync/push", Some(&token), &support::push_body(vec![bad.seal()])).await;
    assert_eq!(refused.json["results"][0]["error"]["code"], "bad_photo_hash");
}

#[tokio::test]
async fn a_photo_lost_from_disk_is_asked_for_again_after_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = support::test_config(dir.path()).await;
    config.demo = true;
    let app = {
        let state = sync_server::open_state(&config).await.expect("state");
        TestApp::new(state, tempfile::tempdir().expect("unused"))
    };
    let carmen = app.enrol("insp.carmen").await;
    let (bytes, sha) = photo(4_000);
    let mut visit = support::visit(7, "GTO-E-T-01", &[]);
    visit.meta.photos = vec![sha.clone()];
    let pushed = app.post("/api/v1/sync/push", Some(&carmen), &support::push_body(vec![visit.seal()])).await;
    assert_eq!(pushed.json["results"][0]["missing_photos"], serde_json::json!([sha]));
    assert_eq!(put(&app, &carmen, &sha, 0, bytes.len(), &bytes).await.json["complete"], true);
    let next = app.post("/api/v1/sync/push", Some(&carmen), &support::push_body(vec![])).await;
    assert!(next.json.get("wanted_photos").is_none(), "nothing wanted: {}", next.json);
    drop(app);

    // A power cut took the file (its rename was never made durable); the database says arrived.
    std::fs::remove_file(dir.path().join("photos").join(format!("{sha}.jpg"))).expect("the photo file");
    let state = sync_server::open_state(&config).await.expect("state reopens");
    let app = TestApp::new(state, tempfile::tempdir().expect("unused"));
    let next = app.post("/api/v1/sync/push", Some(&carmen), &support::push_body(vec![])).await;
    assert_eq!(next.json["wanted_photos"], serde_json::json!([sha]), "{}", next.json);
    assert_eq!(app.get(&format!("/api/v1/photos/{sha}"), Some(&carmen)).await.json["received"], 0);
    // Uploaded again, it is complete and no longer wanted.
    assert_eq!(put(&app, &carmen, &sha, 0, bytes.len(), &bytes).await.json["complete"], true);
    let next = app.post("/api/v1/sync/push", Some(&carmen), &support::push_body(vec![])).await;
    assert!(next.json.get("wanted_photos").is_none(), "{}", next.json);
}
