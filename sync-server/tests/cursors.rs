//! Pull cursors under concurrent writers: a change number handed out to a transaction that
//! has not committed yet must never be passed by a device's cursor, or that device would
//! never receive it. The test forces the interleaving: writer 1 takes a number and holds
//! its transaction open, writer 2 comes after it, a device pulls in between.
//!
//! The engines keep writers in order (SQLite's one writer; PostgreSQL's writers' lock, taken
//! first in every writing transaction), so writer 2 cannot commit a higher number first.
//! On PostgreSQL the test also shows what that lock prevents: two raw transactions without
//! it commit out of order, and a pull between the commits passes the lower number.

mod support;

use std::time::{Duration, Instant};

use shared::protocol::{ChangeBody, PullResponse};
use sync_server::db::{Db, DbError};
use sync_server::db::sql::params;

/// A change every device pulls (no user: broadcast), of a period named `name`.
fn broadcast(name: &str) -> String {
    let body = ChangeBody::Period {
        period_id: format!("p-{name}"),
        name: name.into(),
        start: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        end: chrono::NaiveDate::from_ymd_opt(2026, 12, 31).expect("date"),
        method: "mas".into(),
    };
    serde_json::to_string(&body).expect("json")
}

fn names(page: &PullResponse) -> Vec<String> {
    page.changes
        .iter()
        .filter_map(|c| match &c.body {
            ChangeBody::Period { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect()
}

async fn pull_all(db: &Db, user: i64, after: u64) -> PullResponse {
    db.pull(user, after, 500).await.expect("pull")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cursor_never_passes_a_change_still_to_commit() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = support::test_config(dir.path()).await;
    config.demo = true;
    let state = sync_server::open_state(&config).await.expect("state opens");
    let db = state.db.clone();
    let user = db.user_id("enc.ana".into()).await.expect("a surveyor");
    let start = pull_all(&db, user, 0).await.cursor;

    // Writer 1 takes a number and holds its transaction open until told.
    let (took, number) = tokio::sync::oneshot::channel::<i64>();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let first = {
        let db = db.clone();
        tokio::spawn(async move {
            db.write(move |conn| {
                let tx = conn.transaction()?;
                let seq: i64 = tx.query_row("INSERT INTO changes (kind, key, data) VALUES ('period', 'uno', ?1) RETURNING seq", params![broadcast("uno")], |r| r.get(0))?;
                let _ = took.send(seq);
                released.recv().map_err(|e| DbError::Other(e.into()))?;
                tx.commit()?;
                Ok(seq)
            })
            .await
        })
    };
    let first_seq = number.await.expect("writer 1 took a number") as u64;

    // Writer 2 starts while writer 1 is open.
    let second = {
        let db = db.clone();
        tokio::spawn(async move {
            db.write(move |conn| Ok(conn.query_row("INSERT INTO changes (kind, key, data) VALUES ('period', 'dos', ?1) RETURNING seq", params![broadcast("dos")], |r| r.get::<i64>(0))?))
                .await
        })
    };
    if support::on_postgres() {
        // Writer 2 is waiting for the writers' lock (seen in PostgreSQL's own lock table),
        // or, were there no such lock, has committed.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let waiting = db
                .read(|conn| Ok(conn.query_row("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", params![], |r| r.get::<i64>(0))?))
                .await
                .expect("locks");
            if waiting > 0 || second.is_finished() {
                break;
            }
            assert!(Instant::now() < deadline, "writer 2 neither waited nor committed");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    // A device pulls between: it gets neither, and its cursor stays below writer 1's number.
    let between = pull_all(&db, user, start).await;
    assert!(names(&between).is_empty(), "{:?}", names(&between));
    assert!(between.cursor < first_seq, "the cursor {} passed the open change {first_seq}", between.cursor);
    assert!(!second.is_finished(), "writer 2 committed while writer 1 was open");

    release.send(()).expect("release writer 1");
    let first_seq_done = first.await.expect("joined").expect("writer 1 commits") as u64;
    let second_seq = second.await.expect("joined").expect("writer 2 commits") as u64;
    assert_eq!(first_seq_done, first_seq);
    assert!(second_seq > first_seq);
    // The device's next pull, from where it stood, brings both, in order.
    let after = pull_all(&db, user, between.cursor).await;
    assert_eq!(names(&after), ["uno", "dos"]);
    assert!(after.cursor >= second_seq);
}

/// Without the writers' lock, PostgreSQL commits numbers out of order: what the lock is for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_writers_lock_a_pull_would_pass_an_open_change() {
    if !support::on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let mut config = support::test_config(dir.path()).await;
    config.demo = true;
    let url = config.database_url.clone().expect("a database");
    let state = sync_server::open_state(&config).await.expect("state opens");
    let user = state.db.user_id("enc.ana".into()).await.expect("a surveyor");
    let start = pull_all(&state.db, user, 0).await.cursor;

    let connect = || async {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connects");
        tokio::spawn(connection);
        client
    };
    let (one, two) = (connect().await, connect().await);
    one.batch_execute("BEGIN").await.expect("begin");
    let low: i64 = one.query_one("INSERT INTO changes (kind, key, data) VALUES ('period', 'uno', $1) RETURNING seq", &[&broadcast("uno")]).await.expect("insert").get(0);
    two.batch_execute("BEGIN").await.expect("begin");
    let high: i64 = two.query_one("INSERT INTO changes (kind, key, data) VALUES ('period', 'dos', $1) RETURNING seq", &[&broadcast("dos")]).await.expect("insert").get(0);
    two.batch_execute("COMMIT").await.expect("commit");
    assert!(high > low);

    let between = pull_all(&state.db, user, start).await;
    assert_eq!(names(&between), ["dos"]);
    assert!(between.cursor >= high as u64 && (low as u64) < between.cursor, "the hazard: the cursor passed {low}, still open");
    one.batch_execute("COMMIT").await.expect("commit");
    let after = pull_all(&state.db, user, between.cursor).await;
    assert!(names(&after).is_empty(), "the late change is below the cursor: this device never gets it");
}
