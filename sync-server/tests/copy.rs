//! `copy-to-postgres` on the real binary: an SQLite deployment with surveys and a device
//! mid-way through its pulls moves to PostgreSQL; the copy is checked, never lands on a
//! database with data, and a server on PostgreSQL with the same files directory goes on
//! where the SQLite one stopped: the device's token works, its surveys are duplicates, its
//! pull cursor is still right, and new records get new change numbers.

mod support;

use std::path::Path;
use std::process::Command;

use support::process::{Server, enrol, http_client};
use support::{push_body, survey};

fn run(data: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sync-server")).args(args).arg("--data-dir").arg(data).arg("--log").arg("warn").output().expect("the binary runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqlite_deployment_moves_to_postgres_whole_and_goes_on() {
    // It needs both engines; it runs once, in the PostgreSQL run of the suite.
    if !support::on_postgres() {
        return;
    }
    let data = tempfile::tempdir().expect("dir");
    let http = http_client();
    let before: Vec<_> = (0..30).map(|i| survey(9_000 + i, "GTO-E-T-01")).collect();
    let (token, cursor) = {
        let server = Server::start_with(data.path(), Vec::new());
        let token = enrol(&http, &server, "enc.ana").await;
        let res: serde_json::Value =
            http.post(server.url("/api/v1/sync/push")).bearer_auth(&token).json(&push_body(before.clone())).send().await.expect("push").json().await.expect("json");
        assert!(res["results"].as_array().expect("results").iter().all(|r| r["outcome"] == "stored"), "{res}");
        let page: serde_json::Value = http.get(server.url("/api/v1/sync/pull")).bearer_auth(&token).send().await.expect("pull").json().await.expect("json");
        assert_eq!(page["more"], false);
        assert!(server.terminate().success());
        (token, page["cursor"].as_u64().expect("cursor"))
    };

    let url = support::fresh_postgres_database().await;
    let (ok, out, err) = run(data.path(), &["copy-to-postgres", "--to", &url]);
    assert!(ok, "{out}{err}");
    assert!(out.contains("Revisada: cada tabla tiene las mismas filas y el mismo resumen en ambas bases."), "{out}");
    assert!(out.contains("  submissions: 30 filas, sha256 "), "{out}");
    // Never onto a database with data.
    let (ok, _, err) = run(data.path(), &["copy-to-postgres", "--to", &url]);
    assert!(!ok && err.contains("ya tiene datos"), "{err}");

    let server = Server::start_with(data.path(), vec!["--database".into(), url]);
    let health: serde_json::Value = http.get(server.url("/api/v1/health")).send().await.expect("health").json().await.expect("json");
    assert_eq!((health["status"].as_str(), health["database"]["engine"].as_str()), (Some("ok"), Some("postgres")), "{health}");
    // The device goes on with its token: what it sent is known, its cursor still right.
    let again: serde_json::Value =
        http.post(server.url("/api/v1/sync/push")).bearer_auth(&token).json(&push_body(before)).send().await.expect("push").json().await.expect("json");
    assert!(again["results"].as_array().expect("results").iter().all(|r| r["outcome"] == "duplicate"), "{again}");
    let page: serde_json::Value =
        http.get(server.url(&format!("/api/v1/sync/pull?after={cursor}"))).bearer_auth(&token).send().await.expect("pull").json().await.expect("json");
    assert_eq!((page["changes"].as_array().map(Vec::len), page["cursor"].as_u64()), (Some(0), Some(cursor)), "{page}");
    // New records take numbers after the copied ones.
    let new: Vec<_> = (0..5).map(|i| survey(9_500 + i, "GTO-E-T-01")).collect();
    let res: serde_json::Value =
        http.post(server.url("/api/v1/sync/push")).bearer_auth(&token).json(&push_body(new)).send().await.expect("push").json().await.expect("json");
    let results = res["results"].as_array().expect("results");
    assert!(results.iter().all(|r| r["outcome"] == "stored" && r["seq"].as_u64().is_some_and(|s| s > cursor)), "{res}");
    // A second enrolment gets a new user-less row id too (identities moved on).
    let other = enrol(&http, &server, "enc.luis").await;
    assert!(!other.is_empty());
    assert!(server.terminate().success());
}
