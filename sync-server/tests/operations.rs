//! The operators' tasks on the real binary: `migrate`, `backup` of a live database while
//! records keep arriving, a server started on the copy, and the health endpoint saying
//! when the database is not what the server expects.

mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use support::process::{Server, database_args, enrol, http_client};
use support::{push_body, survey};

/// Runs the binary with `args` on the data directory `data`: (success, stdout, stderr).
fn run(data: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sync-server")).args(database_args(data)).args(args).arg("--data-dir").arg(data).arg("--log").arg("warn").output().expect("the binary runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

async fn health(http: &reqwest::Client, server: &Server) -> (u16, serde_json::Value) {
    let res = http.get(server.url("/api/v1/health")).send().await.expect("health");
    (res.status().as_u16(), res.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_database_is_backed_up_consistently_and_a_server_runs_on_the_copy() {
    if support::on_postgres() {
        return postgres_is_migrated_reported_and_backed_up_by_pg_dump().await;
    }
    let data = tempfile::tempdir().expect("dir");
    let (ok, out, err) = run(data.path(), &["migrate"]);
    assert!(ok, "{err}");
    assert!(out.contains("migraciones aplicadas"), "{out}");
    let (ok, out, _) = run(data.path(), &["migrate"]);
    assert!(ok && out.contains("nada que aplicar"), "{out}");

    let server = Server::start(data.path());
    let http = http_client();
    let (status, h) = health(&http, &server).await;
    assert_eq!(status, 200, "{h}");
    assert_eq!((h["status"].as_str(), h["database"]["engine"].as_str(), h["database"]["ok"].as_bool()), (Some("ok"), Some("sqlite"), Some(true)), "{h}");
    assert_eq!(h["database"]["schema_version"], h["database"]["schema_expected"]);

    // 40 surveys acknowledged before the backup; more keep arriving while it runs.
    let token = enrol(&http, &server, "enc.ana").await;
    let before: Vec<_> = (0..40).map(|i| survey(7_000 + i, "GTO-E-T-01")).collect();
    let res = http.post(server.url("/api/v1/sync/push")).bearer_auth(&token).json(&push_body(before.clone())).send().await.expect("push");
    assert_eq!(res.status(), 200);
    let stop = Arc::new(AtomicBool::new(false));
    let pushed = Arc::new(AtomicU64::new(0));
    let writer = {
        let (http, url, token, stop, pushed) = (http.clone(), server.url("/api/v1/sync/push"), token.clone(), stop.clone(), pushed.clone());
        tokio::spawn(async move {
            let mut n = 0u128;
            while !stop.load(Ordering::Relaxed) {
                let batch: Vec<_> = (0..20).map(|i| survey(100_000 + n * 20 + i, "GTO-E-T-01")).collect();
                let _ = http.post(&url).bearer_auth(&token).json(&push_body(batch)).send().await;
                n += 1;
                pushed.store(n as u64, Ordering::Relaxed);
            }
        })
    };
    // The backup starts once the pushes are under way.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while pushed.load(Ordering::Relaxed) == 0 {
        assert!(std::time::Instant::now() < deadline, "no push went through");
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let copies = tempfile::tempdir().expect("dir");
    let target = copies.path().join("ventanilla.sqlite3");
    let target_arg = target.display().to_string();
    let (ok, out, err) = tokio::task::spawn_blocking({
        let (dir, t) = (data.path().to_path_buf(), target_arg.clone());
        move || run(&dir, &["backup", "--to", &t])
    })
    .await
    .expect("joined");
    stop.store(true, Ordering::Relaxed);
    writer.await.expect("joined");
    assert!(ok, "the backup: {out}{err}");
    assert!(out.contains("Revisada: integridad y referencias correctas."), "{out}");
    assert!(!copies.path().join("ventanilla.partial").exists());

    // Never over another copy.
    let (ok, _, err) = run(data.path(), &["backup", "--to", &target_arg]);
    assert!(!ok && err.contains("ya existe"), "{err}");

    // The copy holds every survey acknowledged before it was taken, and whole batches only.
    {
        let copy = rusqlite::Connection::open(&target).expect("the copy opens");
        for s in &before {
            let n: i64 = copy.query_row("SELECT COUNT(*) FROM submissions WHERE id = ?1", [s.id.to_string()], |r| r.get(0)).expect("count");
            assert_eq!(n, 1, "{} acknowledged before the backup", s.id);
        }
        let later: i64 = copy.query_row("SELECT COUNT(*) FROM submissions", [], |r| r.get(0)).expect("count");
        assert_eq!((later - 40) % 20, 0, "a push is in the copy whole or not at all: {later}");
    }
    assert!(server.terminate().success());

    // A server runs on the copy as on the original.
    let (ok, out, _) = run(copies.path(), &["migrate"]);
    assert!(ok && out.contains("nada que aplicar"), "{out}");
    let restored = Server::start(copies.path());
    let (status, h) = health(&http, &restored).await;
    assert_eq!((status, h["status"].as_str()), (200, Some("ok")), "{h}");
    let token = enrol(&http, &restored, "enc.ana").await;
    let again: serde_json::Value =
        http.post(restored.url("/api/v1/sync/push")).bearer_auth(&token).json(&push_body(before)).send().await.expect("push").json().await.expect("json");
    assert!(again["results"].as_array().expect("results").iter().all(|r| r["outcome"] == "duplicate"), "{again}");

    // A newer server migrated the database under this one: it says so, with 503.
    let conn = rusqlite::Connection::open(&target).expect("open");
    conn.pragma_update(None, "user_version", 999).expect("version");
    drop(conn);
    let (status, h) = health(&http, &restored).await;
    assert_eq!((status, h["status"].as_str(), h["database"]["ok"].as_bool()), (503, Some("degraded"), Some(false)), "{h}");
    assert!(h["database"]["message"].as_str().is_some_and(|m| m.contains("999")), "{h}");
    assert!(restored.terminate().success());
}

/// The same tasks on PostgreSQL: `migrate` creates the schema once, health names the
/// engine, `backup` says to use `pg_dump` (PostgreSQL's own consistent copy), and a schema
/// moved on by a newer server turns health to 503.
async fn postgres_is_migrated_reported_and_backed_up_by_pg_dump() {
    let data = tempfile::tempdir().expect("dir");
    let (ok, out, err) = run(data.path(), &["migrate"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("PostgreSQL: esquema de la versión 0 a la") && out.contains("migraciones aplicadas"), "{out}");
    let (ok, out, _) = run(data.path(), &["migrate"]);
    assert!(ok && out.contains("nada que aplicar"), "{out}");
    let (ok, _, err) = run(data.path(), &["backup", "--to", "/tmp/nunca.sqlite3"]);
    assert!(!ok && err.contains("pg_dump"), "{err}");

    let server = Server::start(data.path());
    let http = http_client();
    let (status, h) = health(&http, &server).await;
    assert_eq!((status, h["status"].as_str(), h["database"]["engine"].as_str(), h["database"]["ok"].as_bool()), (200, Some("ok"), Some("postgres"), Some(true)), "{h}");
    assert_eq!(h["database"]["schema_version"], h["database"]["schema_expected"]);
    assert!(h["database"]["file_bytes"].as_u64().is_some_and(|b| b > 0), "{h}");

    let url = database_args(data.path()).pop().expect("the database");
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connects");
    tokio::spawn(connection);
    client.batch_execute("UPDATE schema_version SET version = 999").await.expect("moved on");
    let (status, h) = health(&http, &server).await;
    assert_eq!((status, h["status"].as_str(), h["database"]["ok"].as_bool()), (503, Some("degraded"), Some(false)), "{h}");
    assert!(h["database"]["message"].as_str().is_some_and(|m| m.contains("999")), "{h}");
    assert!(server.terminate().success());
}
