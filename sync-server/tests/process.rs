//! The real `sync-server` binary as an operator runs it: stopped with SIGTERM in the middle
//! of pushes, and fed spreadsheet bombs while its memory is watched.

mod support;

use std::time::Instant;

use support::process::{Server, enrol, http_client, wait_line};
use support::{bombs, push_body, survey};

#[tokio::test]
async fn sigterm_during_pushes_answers_completely_or_not_at_all_and_exits_zero() {
    let data = tempfile::tempdir().expect("dir");
    let http = http_client();
    for round in 0..3u128 {
        let server = Server::start(data.path());
        let token = enrol(&http, &server, "enc.ana").await;
        let batch: Vec<_> = (0..400).map(|i| survey(round * 1_000 + i, "GTO-E-T-01")).collect();
        let body = push_body(batch.clone());
        let push = {
            let (http, url, token, body) = (http.clone(), server.url("/api/v1/sync/push"), token.clone(), body.clone());
            tokio::spawn(async move { http.post(url).bearer_auth(token).json(&body).send().await })
        };
        // Stop the server while the push is on its way or being stored.
        tokio::task::yield_now().await;
        let status = tokio::task::spawn_blocking(move || server.terminate()).await.expect("joined");
        assert!(status.success(), "round {round}: exit status {status}");
        let answered = match push.await.expect("joined") {
            Ok(res) => match res.json::<serde_json::Value>().await {
                Ok(json) => {
                    let results = json["results"].as_array().expect("a complete answer has every result");
                    assert_eq!(results.len(), 400);
                    assert!(results.iter().all(|r| r["outcome"] == "stored"), "round {round}: {json}");
                    true
                }
                Err(_) => false,
            },
            Err(_) => false,
        };
        // The log was copied back and emptied at exit.
        let wal = data.path().join("ventanilla.sqlite3-wal");
        assert!(!wal.exists() || std::fs::metadata(&wal).expect("wal").len() == 0, "round {round}: the WAL is left with data");
        // After a restart the batch is there entirely (answered) or entirely absent or
        // entirely there (not answered: the commit may have happened before the answer).
        let server = Server::start(data.path());
        let token = enrol(&http, &server, "enc.ana").await;
        let again: serde_json::Value = http.post(server.url("/api/v1/sync/push")).bearer_auth(&token).json(&body).send().await.expect("push").json().await.expect("json");
        let outcomes: Vec<&str> = again["results"].as_array().expect("results").iter().map(|r| r["outcome"].as_str().unwrap_or("")).collect();
        let duplicates = outcomes.iter().filter(|o| **o == "duplicate").count();
        if answered {
            assert_eq!(duplicates, 400, "round {round}: an answered batch is stored whole");
        } else {
            assert!(duplicates == 0 || duplicates == 400, "round {round}: a batch is all or nothing, {duplicates} of 400");
        }
        assert!(outcomes.iter().all(|o| *o == "duplicate" || *o == "stored"));
        assert!(server.terminate().success());
    }
}

#[tokio::test]
async fn spreadsheet_bombs_cost_the_server_little_memory_and_it_keeps_serving() {
    let data = tempfile::tempdir().expect("dir");
    let server = Server::start(data.path());
    let http = http_client();
    let admin = enrol(&http, &server, "admin").await;
    // Warm up: one harmless upload, so the baseline includes the import machinery.
    let _ = http.post(server.url("/api/v1/forms")).bearer_auth(&admin).body(bombs::harmless()).send().await.expect("upload");
    let before = server.peak_rss_kib();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Meanwhile someone else keeps asking the server for its health: every answer is a 200.
    let watcher = {
        let (http, url, stop) = (http.clone(), server.url("/api/v1/health"), stop.clone());
        tokio::spawn(async move {
            let mut answered = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let res = http.get(&url).send().await.expect("health answers");
                assert!(res.status().is_success());
                answered += 1;
            }
            answered
        })
    };
    for (name, bytes) in bombs::all() {
        for path in ["/api/v1/forms", "/api/v1/centros/import"] {
            let started = Instant::now();
            let res = http.post(server.url(path)).bearer_auth(&admin).body(bytes.clone()).send().await.expect("answer");
            let status = res.status().as_u16();
            let json: serde_json::Value = res.json().await.expect("json");
            assert!(status == 413 || (status == 422 && name == "lying sizes"), "{name} {path}: {status} {json}");
            eprintln!("{name} ({} KiB) at {path}: {status} in {:?}, peak {} MiB", bytes.len() / 1024, started.elapsed(), server.peak_rss_kib() / 1024);
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(watcher.await.expect("joined") > 0);
    let grown_mib = server.peak_rss_kib().saturating_sub(before) / 1024;
    eprintln!("peak resident memory: {} MiB before the bombs, grew by {grown_mib} MiB", before / 1024);
    assert!(grown_mib < 100, "peak resident memory grew by {grown_mib} MiB");
    assert!(server.terminate().success());
}

#[tokio::test]
async fn every_request_is_logged_with_its_route_status_time_and_device_but_no_token_or_answer() {
    let data = tempfile::tempdir().expect("dir");
    let http = http_client();
    let server = Server::start(data.path());
    let token = enrol(&http, &server, "enc.ana").await;
    let me: serde_json::Value = http.get(server.url("/api/v1/me")).bearer_auth(&token).send().await.expect("me").json().await.expect("json");
    let device = me["device_id"].as_str().expect("device").to_string();
    let pushed = http.post(server.url("/api/v1/sync/push")).bearer_auth(&token).json(&push_body(vec![survey(1, "GTO-E-T-01")])).send().await.expect("push");
    assert!(pushed.status().is_success());
    let missing = http.get(server.url("/api/v1/centros/GTO-E-T-01/nada")).send().await.expect("404");
    assert_eq!(missing.status(), 404);
    let lines = server.lines.clone();
    let push_line = tokio::task::spawn_blocking(move || wait_line(&lines, |l| l.contains("route=POST /api/v1/sync/push"))).await.expect("joined");
    let lines = server.lines.clone();
    tokio::task::spawn_blocking(move || wait_line(&lines, |l| l.contains("route=GET (sin ruta)") && l.contains("status=404"))).await.expect("joined");
    for field in ["status=200", "ms=", "bytes=", &format!("device={device}")] {
        assert!(push_line.contains(field), "{field} in {push_line}");
    }
    let all = server.lines.lock().expect("lines").join("\n");
    assert!(!all.contains(&token), "a token never reaches the log");
    assert!(!all.contains("predial"), "an answer never reaches the log");
    assert!(server.terminate().success());
}
