//! Server benchmarks, side by side in one run (`cargo bench -p sync-server --bench server`):
//! 1. ingest over HTTP on 127.0.0.1 against a plain rusqlite insert of the same rows in the
//!    same number of transactions (the machine's limit), in rounds; then several phones
//!    sending at once;
//! 2. the live scores with 1,000,000 surveys: rebuild at start, then one score request;
//! 3. the CSV and XLSX exports of 1,000,000 submissions: time and peak memory; with
//!    `VENTANILLA_BENCH_DATABASE_URL`, 2 and 3 again on PostgreSQL after `copy-to-postgres`
//!    of the same database (timed);
//! 4. closing a period of 1,000,000 surveys over 600 centros (the official results frozen
//!    with their digests), then the public ranking page served from the frozen table.
//!
//! 5. pulls after the ingest: an inspector's first pull, the no-op pull, devices at once;
//! 6. on PostgreSQL (`VENTANILLA_BENCH_DATABASE_URL`, a cluster's admin URL; the bench makes
//!    its own databases in it: `scripts/bench-postgres.sh` starts a durable private one):
//!    the same ingest against plain tokio-postgres inserts of the same rows, then two
//!    servers on one database with phones sending to both; the pulls on one and two servers.
//!
//! Figures go to BENCHMARKS.md.

#[path = "../../tests/benches/common/mod.rs"]
mod common;

#[path = "../tests/support/mod.rs"]
#[allow(unused_imports)]
mod support;

use std::time::Instant;

use rusqlite::params;
use sync_server::{Application, Config};

/// The server binary's allocator (see `src/main.rs`), for both sides of the comparison.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const INGEST: usize = 20_000;
const ROUNDS: usize = 5;
const PHONES: usize = 4;
const BATCH: usize = 500;
const BIG: usize = 1_000_000;

fn rss_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Resets the peak RSS (Linux), so the next peak is the export's own.
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn server(dir: &std::path::Path) -> (String, Application) {
    let mut config = Config::for_tests(dir.to_path_buf());
    config.demo = true;
    let app = Application::build(&config).await.expect("server builds");
    (format!("http://{}", app.address()), app)
}

async fn token(client: &reqwest::Client, base: &str, user: &str) -> String {
    let body = serde_json::json!({"username": user, "password": support::PASSWORD, "device_label": "bench"});
    let res: serde_json::Value = client.post(format!("{base}/api/v1/auth/enrol")).json(&body).send().await.expect("enrol").json().await.expect("json");
    res["token"].as_str().expect("token").to_string()
}

/// The machine's limit: the same rows a push stores, in the server's own schema, inserted
/// by plain rusqlite in the same transactions: per survey its change (with its first review
/// state), the submission (flags included), its facts and its finalisation time (what the
/// burst check reads); per push the device's day counts and when it was last seen.
struct RawInsert {
    conn: rusqlite::Connection,
    _dir: tempfile::TempDir,
}

impl RawInsert {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("raw.sqlite3");
        drop(sync_server::db::Db::open(&path).expect("schema"));
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.pragma_update(None, "foreign_keys", "ON").expect("fk");
        conn.pragma_update(None, "synchronous", "FULL").expect("sync");
        conn.execute_batch(
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (1, 'u', 'U', 'surveyor', 'x', 'now');
             INSERT INTO devices (id, user_id, label, token_hash, created_at) VALUES ('d', 1, 'd', 'h', 'now');
             INSERT INTO centros (id, name, dependencia, ambito, tipo, municipio) VALUES ('GTO-E-T-01', 'c', 'd', 'estatal', 'tramites', 'm');
             INSERT INTO forms (form_id, version, title, fingerprint, xlsx, published_at) VALUES ('encuesta_opinion', '2025010102', 't', 'f', x'00', 'now');",
        )
        .expect("rows");
        Self { conn, _dir: dir }
    }

    /// Inserts `surveys` in batches, each with the server's `dimensions` text; surveys per
    /// second.
    fn insert(&mut self, surveys: &[shared::protocol::Submission], dimensions: &str) -> f64 {
        let start = Instant::now();
        for chunk in surveys.chunks(BATCH) {
            let tx = self.conn.transaction().expect("tx");
            for s in chunk {
                let body = serde_json::to_string(s).expect("json");
                let id = s.id.to_string();
                tx.prepare_cached("INSERT INTO changes (kind, key, user_id, review_to) VALUES ('submission', ?1, 1, 'accepted')")
                    .expect("stmt")
                    .execute([&id])
                    .expect("change");
                let seq = tx.last_insert_rowid();
                tx.prepare_cached(
                    "INSERT INTO submissions (id, seq, form_id, form_version, centro_id, user_id, device_id, content_hash, body, capture_date,
                     finalised_unix, received_at, clock_skew_seconds, review, flags, replaces)
                     VALUES (?1, ?2, 'encuesta_opinion', '2025010102', 'GTO-E-T-01', 1, 'd', ?3, ?4, '2025-06-02', ?5, 'now', 0, 'accepted', '[]', NULL)",
                )
                .expect("stmt")
                .execute(params![id, seq, s.content_hash, body, s.finalised_at.timestamp()])
                .expect("submission");
                tx.prepare_cached(
                    "INSERT INTO survey_facts (submission_id, centro_id, capture_date, seq, dimensions, satisfaction, bribe, mode)
                     VALUES (?1, 'GTO-E-T-01', '2025-06-02', ?2, ?3, 4, 0, 'entrevista')",
                )
                .expect("stmt")
                .execute(params![id, seq, dimensions])
                .expect("fact");
                tx.prepare_cached("INSERT INTO survey_finalisations (user_id, finalised_unix, submission_id, in_burst) VALUES (1, ?1, ?2, 0)")
                    .expect("stmt")
                    .execute(params![s.finalised_at.timestamp(), id])
                    .expect("finalisation");
            }
            tx.prepare_cached(
                "INSERT INTO device_days (device_id, date, received, stored, duplicates, conflicts, rejected) VALUES ('d', '2025-06-02', ?1, ?1, 0, 0, 0)
                 ON CONFLICT (device_id, date) DO UPDATE SET received = device_days.received + excluded.received, stored = device_days.stored + excluded.stored",
            )
            .expect("stmt")
            .execute([chunk.len() as i64])
            .expect("day");
            tx.prepare_cached("UPDATE devices SET last_seen_at = 'now' WHERE id = 'd'").expect("stmt").execute([]).expect("seen");
            tx.commit().expect("commit");
        }
        surveys.len() as f64 / start.elapsed().as_secs_f64()
    }
}

/// The dimensions text the server stored for its first survey (in its SQLite file under
/// `dir`): what the plain insert writes for each of its own.
fn stored_dimensions(dir: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open_with_flags(dir.join("ventanilla.sqlite3"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).expect("server file");
    conn.query_row("SELECT dimensions FROM survey_facts ORDER BY seq LIMIT 1", [], |r| r.get(0)).expect("a stored survey")
}

/// [`stored_dimensions`] from the server's PostgreSQL database at `url`.
async fn stored_dimensions_postgres(url: &str) -> String {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connects");
    tokio::spawn(connection);
    client.query_one("SELECT dimensions FROM survey_facts ORDER BY seq LIMIT 1", &[]).await.expect("a stored survey").get(0)
}

/// The same rows as [`RawInsert`] on PostgreSQL, through tokio-postgres, in the same
/// transactions, one statement at a time as the server's own storage sends them.
struct RawPostgres {
    client: tokio_postgres::Client,
}

impl RawPostgres {
    async fn new(url: &str) -> Self {
        let schema = sync_server::db::Db::connect(url).await.expect("schema");
        schema.close().await.expect("closed");
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.expect("connects");
        tokio::spawn(connection);
        client
            .batch_execute(
                "INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (1, 'u', 'U', 'surveyor', 'x', 'now');
                 INSERT INTO devices (id, user_id, label, token_hash, created_at) VALUES ('d', 1, 'd', 'h', 'now');
                 INSERT INTO centros (id, name, dependencia, ambito, tipo, municipio) VALUES ('GTO-E-T-01', 'c', 'd', 'estatal', 'tramites', 'm');
                 INSERT INTO forms (form_id, version, title, fingerprint, xlsx, published_at) VALUES ('encuesta_opinion', '2025010102', 't', 'f', '\\x00', 'now');",
            )
            .await
            .expect("rows");
        Self { client }
    }

    async fn insert(&mut self, surveys: &[shared::protocol::Submission], dimensions: &str) -> f64 {
        let start = Instant::now();
        let change = self
            .client
            .prepare("INSERT INTO changes (kind, key, user_id, review_to) VALUES ('submission', $1, 1, 'accepted') RETURNING seq")
            .await
            .expect("stmt");
        let submission = self
            .client
            .prepare(
                "INSERT INTO submissions (id, seq, form_id, form_version, centro_id, user_id, device_id, content_hash, body, capture_date,
                 finalised_unix, received_at, clock_skew_seconds, review, flags, replaces)
                 VALUES ($1, $2, 'encuesta_opinion', '2025010102', 'GTO-E-T-01', 1, 'd', $3, $4, '2025-06-02', $5, 'now', 0, 'accepted', '[]', NULL)",
            )
            .await
            .expect("stmt");
        let fact = self
            .client
            .prepare(
                "INSERT INTO survey_facts (submission_id, centro_id, capture_date, seq, dimensions, satisfaction, bribe, mode)
                 VALUES ($1, 'GTO-E-T-01', '2025-06-02', $2, $3, 4, 0, 'entrevista')",
            )
            .await
            .expect("stmt");
        let finalisation =
            self.client.prepare("INSERT INTO survey_finalisations (user_id, finalised_unix, submission_id, in_burst) VALUES (1, $1, $2, 0)").await.expect("stmt");
        let day = self
            .client
            .prepare(
                "INSERT INTO device_days (device_id, date, received, stored, duplicates, conflicts, rejected) VALUES ('d', '2025-06-02', $1, $1, 0, 0, 0)
                 ON CONFLICT (device_id, date) DO UPDATE SET received = device_days.received + excluded.received, stored = device_days.stored + excluded.stored",
            )
            .await
            .expect("stmt");
        for chunk in surveys.chunks(BATCH) {
            let tx = self.client.transaction().await.expect("tx");
            for s in chunk {
                let body = serde_json::to_string(s).expect("json");
                let id = s.id.to_string();
                let seq: i64 = tx.query_one(&change, &[&id]).await.expect("change").get(0);
                tx.execute(&submission, &[&id, &seq, &s.content_hash, &body, &s.finalised_at.timestamp()]).await.expect("submission");
                tx.execute(&fact, &[&id, &seq, &dimensions]).await.expect("fact");
                tx.execute(&finalisation, &[&s.finalised_at.timestamp(), &id]).await.expect("finalisation");
            }
            tx.execute(&day, &[&(chunk.len() as i64)]).await.expect("day");
            tx.execute("UPDATE devices SET last_seen_at = 'now' WHERE id = 'd'", &[]).await.expect("seen");
            tx.commit().await.expect("commit");
        }
        surveys.len() as f64 / start.elapsed().as_secs_f64()
    }
}

/// A new database in the cluster at `admin`; its URL.
async fn fresh_database(admin: &str, name: &str) -> String {
    let (client, connection) = tokio_postgres::connect(admin, tokio_postgres::NoTls).await.expect("the cluster answers");
    tokio::spawn(connection);
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).await.expect("drop");
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.expect("create");
    let base = admin.rsplit_once('/').map_or(admin, |(base, _)| base);
    format!("{base}/{name}")
}

async fn postgres_server(dir: &std::path::Path, url: &str, demo: bool) -> (String, Application) {
    let mut config = Config::for_tests(dir.to_path_buf());
    config.demo = demo;
    config.database_url = Some(url.to_string());
    let app = Application::build(&config).await.expect("server builds");
    (format!("http://{}", app.address()), app)
}

/// Ingest on PostgreSQL: rounds against plain inserts, then two servers on one database.
async fn ingest_postgres(admin: &str) {
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(admin, "bench_ingest").await;
    let (base, app) = postgres_server(dir.path(), &url, true).await;
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let mut raw = RawPostgres::new(&fresh_database(admin, "bench_raw").await).await;
    let mut ratios = Vec::new();
    println!("ingest on PostgreSQL: {ROUNDS} rounds of {INGEST} surveys in batches of {BATCH} over HTTP on 127.0.0.1");
    for round in 0..ROUNDS {
        let ana = token(&client, &base, "enc.ana").await;
        let surveys: Vec<_> = (round * INGEST..(round + 1) * INGEST).map(nth_survey).collect();
        let requests = bodies(&surveys);
        let start = Instant::now();
        push_all(&client, &base, &ana, requests).await;
        let http = INGEST as f64 / start.elapsed().as_secs_f64();
        let limit = raw.insert(&surveys, &stored_dimensions_postgres(&url).await).await;
        ratios.push(http / limit);
        println!("  round {}: server {http:.0} surveys/s; plain tokio-postgres {limit:.0} surveys/s; ratio {:.2}", round + 1, http / limit);
    }
    ratios.sort_by(f64::total_cmp);
    println!("  ratio, median round: {:.2}", ratios[ratios.len() / 2]);

    // Several phones at once on one server, then on two servers sharing the database.
    let per_phone = INGEST / PHONES;
    let mut first = ROUNDS * INGEST;
    let mut phones_on = |servers: &[String], tokens: Vec<String>| {
        let phones: Vec<_> = tokens
            .into_iter()
            .enumerate()
            .map(|(i, token)| {
                let surveys: Vec<_> = (first..first + per_phone).map(nth_survey).collect();
                first += per_phone;
                (servers[i % servers.len()].clone(), token, bodies(&surveys))
            })
            .collect();
        phones
    };
    let mut tokens = Vec::new();
    for _ in 0..PHONES {
        tokens.push(token(&client, &base, "enc.ana").await);
    }
    let seconds = at_once(&client, phones_on(std::slice::from_ref(&base), tokens.clone())).await;
    println!("  one server, {PHONES} phones at once, {per_phone} surveys each: {:.0} surveys/s", INGEST as f64 / seconds);
    let (second, app) = postgres_server(dir.path(), &url, false).await;
    tokio::spawn(app.run_until_stopped());
    let seconds = at_once(&client, phones_on(&[base.clone(), second.clone()], tokens)).await;
    println!("  two servers on one database, {PHONES} phones at once (half on each): {:.0} surveys/s", INGEST as f64 / seconds);
    pulls(&client, std::slice::from_ref(&base)).await;
    pulls(&client, &[base, second]).await;
}

/// Survey number `n` of the run: its own id, finalised two minutes after the previous one
/// (no burst of finalisations is flagged).
fn nth_survey(n: usize) -> shared::protocol::Submission {
    let mut s = support::survey(1_000_000 + n as u128, "GTO-E-T-01");
    let start = chrono::DateTime::parse_from_rfc3339("2025-03-01T08:00:00-06:00").expect("valid") + chrono::Duration::minutes(2 * n as i64);
    s.started_at = start;
    s.finalised_at = start + chrono::Duration::seconds(150);
    s.seal()
}

/// Rounds of ingest, each timed against the plain insert right after it, both stores
/// growing across rounds. The first round includes both sides' warm-up (fresh files,
/// first allocations); the median round is the steady state.
async fn ingest() {
    let dir = tempfile::tempdir().expect("dir");
    let (base, app) = server(dir.path()).await;
    tokio::spawn(app.run_until_stopped());
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let mut raw = RawInsert::new();
    let mut ratios = Vec::new();
    println!("ingest: {ROUNDS} rounds of {INGEST} surveys in batches of {BATCH} over HTTP on 127.0.0.1");
    for round in 0..ROUNDS {
        // Each round is another phone of the same surveyor (a phone may send 120 requests at
        // once, then 20 a second).
        let ana = token(&client, &base, "enc.ana").await;
        let surveys: Vec<_> = (round * INGEST..(round + 1) * INGEST).map(nth_survey).collect();
        let requests = bodies(&surveys);
        let start = Instant::now();
        push_all(&client, &base, &ana, requests).await;
        let http = INGEST as f64 / start.elapsed().as_secs_f64();
        let limit = raw.insert(&surveys, &stored_dimensions(dir.path()));
        ratios.push(http / limit);
        println!("  round {}: server (validate, flag, store, facts, live scores) {http:.0} surveys/s; plain rusqlite {limit:.0} surveys/s; ratio {:.2}", round + 1, http / limit);
    }
    ratios.sort_by(f64::total_cmp);
    println!("  ratio, median round: {:.2}", ratios[ratios.len() / 2]);
    // Day's end: several phones sending at once, so that the checking of one push runs
    // beside the storing of another. Informational (the plain insert has no counterpart).
    let per_phone = INGEST / PHONES;
    let mut phones = Vec::new();
    for phone in 0..PHONES {
        let first = ROUNDS * INGEST + phone * per_phone;
        let surveys: Vec<_> = (first..first + per_phone).map(nth_survey).collect();
        phones.push((base.clone(), token(&client, &base, "enc.ana").await, bodies(&surveys)));
    }
    let seconds = at_once(&client, phones).await;
    println!("  {PHONES} phones at once, {per_phone} surveys each: {:.0} surveys/s", INGEST as f64 / seconds);
    pulls(&client, &[base]).await;
}

/// Pulls on a change log holding the ingest's surveys (pulls skip them: a device receives
/// forms, centros and visits): an inspector's first pull from cursor 0 (every page), the
/// no-op pull of a device up to date, and devices pulling at once (spread over `servers`).
async fn pulls(client: &reqwest::Client, servers: &[String]) {
    async fn pull_all(client: &reqwest::Client, base: &str, token: &str, mut after: u64) -> (u64, usize, usize) {
        let (mut changes, mut requests) = (0, 0);
        loop {
            let res = client.get(format!("{base}/api/v1/sync/pull?after={after}")).bearer_auth(token).send().await.expect("pull");
            assert!(res.status().is_success(), "{}", res.status());
            let page: shared::protocol::PullResponse = res.json().await.expect("page");
            changes += page.changes.len();
            requests += 1;
            after = page.cursor;
            if !page.more {
                return (after, changes, requests);
            }
        }
    }
    fn median_ms(mut times: Vec<f64>) -> (f64, f64) {
        times.sort_by(f64::total_cmp);
        (times[times.len() / 2] * 1e3, times[times.len() * 99 / 100] * 1e3)
    }
    let base = &servers[0];
    let carmen = token(client, base, "insp.carmen").await;
    let mut firsts = Vec::new();
    let mut end = (0, 0, 0);
    for _ in 0..20 {
        let t = Instant::now();
        end = pull_all(client, base, &carmen, 0).await;
        firsts.push(t.elapsed().as_secs_f64());
    }
    let (p50, _) = median_ms(firsts);
    println!("pulls: an inspector's first pull from cursor 0 ({} changes, {} requests, change log at {}): median of 20 {p50:.1} ms", end.1, end.2, end.0);
    // Another device (a device may send 120 requests at once, then 20 a second).
    let carmen = token(client, base, "insp.carmen").await;
    let mut noops = Vec::new();
    for _ in 0..100 {
        let t = Instant::now();
        let (_, changes, _) = pull_all(client, base, &carmen, end.0).await;
        noops.push(t.elapsed().as_secs_f64());
        assert_eq!(changes, 0, "nothing new");
    }
    let (p50, p99) = median_ms(noops);
    println!("  no-op pull of a device up to date: p50 {p50:.2} ms, p99 {p99:.2} ms (100)");
    const DEVICES: usize = 16;
    const EACH: usize = 100;
    let mut devices = Vec::new();
    for i in 0..DEVICES {
        let server = servers[i % servers.len()].clone();
        devices.push((server.clone(), token(client, &server, "insp.carmen").await));
    }
    let start = Instant::now();
    let pulling: Vec<_> = devices
        .into_iter()
        .map(|(server, token)| {
            let client = client.clone();
            tokio::spawn(async move {
                pull_all(&client, &server, &token, 0).await;
                for _ in 1..EACH {
                    pull_all(&client, &server, &token, end.0).await;
                }
            })
        })
        .collect();
    for device in pulling {
        device.await.expect("a device's pulls");
    }
    println!(
        "  {DEVICES} devices at once on {} server(s), each a first pull then {} no-op pulls: {:.0} pulls/s",
        servers.len(),
        EACH - 1,
        (DEVICES * EACH) as f64 / start.elapsed().as_secs_f64()
    );
}

/// Phones (server, token, push bodies) sending at once; the seconds until all are answered.
async fn at_once(client: &reqwest::Client, phones: Vec<(String, String, Vec<Vec<u8>>)>) -> f64 {
    let start = Instant::now();
    let sending: Vec<_> = phones
        .into_iter()
        .map(|(server, token, requests)| {
            let client = client.clone();
            tokio::spawn(async move { push_all(&client, &server, &token, requests).await })
        })
        .collect();
    for phone in sending {
        phone.await.expect("a phone's pushes");
    }
    start.elapsed().as_secs_f64()
}

/// Push bodies of `BATCH` surveys, made before any clock starts: the client's JSON work is
/// not the server's.
fn bodies(surveys: &[shared::protocol::Submission]) -> Vec<Vec<u8>> {
    surveys.chunks(BATCH).map(|c| serde_json::to_vec(&support::push_body(c.to_vec())).expect("json")).collect()
}

/// Sends `requests` one after another as one phone does, checking every survey is stored.
async fn push_all(client: &reqwest::Client, base: &str, token: &str, requests: Vec<Vec<u8>>) {
    for body in requests {
        let res = client
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("push");
        assert!(res.status().is_success(), "{}", res.status());
        let answer: shared::protocol::PushResponse = res.json().await.expect("answer");
        assert!(answer.results.iter().all(|r| r.outcome == shared::protocol::Outcome::Stored), "every survey is stored");
    }
}

/// Writes `BIG` stored surveys straight into the database (the same rows a push stores).
fn bulk_load(path: &std::path::Path) {
    let mut conn = rusqlite::Connection::open(path).expect("open");
    conn.pragma_update(None, "foreign_keys", "OFF").expect("fk");
    conn.pragma_update(None, "synchronous", "OFF").expect("sync");
    let (user, device): (i64, String) = {
        conn.execute(
            "INSERT INTO devices (id, user_id, label, token_hash, created_at) SELECT '00000000-0000-7000-8000-00000000b001', id, 'bench', 'x', 'now' FROM users WHERE username = 'enc.ana'",
            [],
        )
        .expect("device");
        (conn.query_row("SELECT id FROM users WHERE username = 'enc.ana'", [], |r| r.get(0)).expect("user"), "00000000-0000-7000-8000-00000000b001".into())
    };
    let centros: Vec<String> = {
        let mut stmt = conn.prepare("SELECT id FROM centros ORDER BY id").expect("stmt");
        stmt.query_map([], |r| r.get(0)).expect("query").collect::<Result<_, _>>().expect("rows")
    };
    let template = support::survey(1, "GTO-E-T-01");
    let tx = conn.transaction().expect("tx");
    {
        let mut change = tx.prepare("INSERT INTO changes (kind, key, user_id) VALUES ('submission', ?1, ?2)").expect("stmt");
        let mut sub = tx
            .prepare(
                "INSERT INTO submissions (id, seq, form_id, form_version, centro_id, user_id, device_id, content_hash, body, capture_date,
                 finalised_unix, received_at, clock_skew_seconds, review) VALUES (?1, ?2, 'encuesta_opinion', '2025010102', ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'now', 0, 'accepted')",
            )
            .expect("stmt");
        let mut fact = tx
            .prepare("INSERT INTO survey_facts (submission_id, centro_id, capture_date, seq, dimensions, satisfaction, bribe) VALUES (?1, ?2, ?3, ?4, ?5, 4, 0)")
            .expect("stmt");
        for i in 0..BIG {
            let mut s = template.clone();
            s.id = uuid::Uuid::from_u128(0xB000_0000 + i as u128);
            s.centro_id = centros[i % centros.len()].clone();
            let body = serde_json::to_string(&s).expect("json");
            let id = s.id.to_string();
            change.execute(params![id, user]).expect("change");
            let seq = tx.last_insert_rowid();
            let date = format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            sub.execute(params![id, seq, s.centro_id, user, device, s.content_hash, body, date, i as i64]).expect("submission");
            let dims = format!("AG={};CI=62.5;DE=75;RE=100;TC=87.5", (i % 5) as f64 * 25.0);
            fact.execute(params![id, s.centro_id, date, seq, dims]).expect("fact");
        }
    }
    tx.commit().expect("commit");
}

async fn big() {
    let dir = tempfile::tempdir().expect("dir");
    {
        // Create the schema and the demo program, then load a million surveys.
        let (_, app) = server(dir.path()).await;
        drop(app);
    }
    let load = Instant::now();
    bulk_load(&dir.path().join("ventanilla.sqlite3"));
    println!("scores and export with {BIG} stored surveys (bulk-loaded in {:.1} s)", load.elapsed().as_secs_f64());
    let start = Instant::now();
    let (base, app) = server(dir.path()).await;
    println!("  server start, live scores rebuilt from survey_facts: {:.2} s", start.elapsed().as_secs_f64());
    let running = tokio::spawn(app.run_until_stopped());
    big_reads(&base).await;
    running.abort();
    // The same on PostgreSQL: the file copied there by `copy-to-postgres`, then a server on it.
    let Ok(admin) = std::env::var("VENTANILLA_BENCH_DATABASE_URL") else { return };
    let url = fresh_database(&admin, "bench_big").await;
    let copy = Instant::now();
    let copied = sync_server::db::copy::copy_to_postgres(&dir.path().join("ventanilla.sqlite3"), &url).await.expect("copied");
    let rows: u64 = copied.tables.iter().map(|t| t.rows).sum();
    println!("scores and export on PostgreSQL: copy-to-postgres of the same database ({rows} rows, checked) in {:.1} s", copy.elapsed().as_secs_f64());
    let start = Instant::now();
    let (base, app) = postgres_server(dir.path(), &url, false).await;
    println!("  server start, live scores rebuilt from survey_facts: {:.2} s", start.elapsed().as_secs_f64());
    let running = tokio::spawn(app.run_until_stopped());
    big_reads(&base).await;
    running.abort();
}

/// The score request and both exports on the server at `base` holding `BIG` surveys.
async fn big_reads(base: &str) {
    let client = reqwest::Client::new();
    let staff = token(&client, base, "coordinacion").await;
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let table: serde_json::Value = client.get(format!("{base}/api/v1/periods/2025/scores")).bearer_auth(&staff).send().await.expect("scores").json().await.expect("json");
        best = best.min(t.elapsed().as_secs_f64());
        assert!(table["centros"].as_array().is_some_and(|c| c.len() == 20));
    }
    println!("  GET scores (20 centros, {BIG} surveys): {:.1} ms (best of 5)", best * 1000.0);
    reset_peak();
    let before = rss_mib("VmRSS:");
    let t = Instant::now();
    let mut res = client
        .get(format!("{base}/api/v1/forms/encuesta_opinion/2025010102/submissions.csv"))
        .bearer_auth(&staff)
        .send()
        .await
        .expect("export");
    let mut bytes = 0usize;
    let mut lines = 0usize;
    while let Some(chunk) = res.chunk().await.expect("chunk") {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
    }
    println!(
        "  CSV export: {} rows, {:.0} MiB in {:.1} s; RSS before {before:.0} MiB, peak during {:.0} MiB",
        lines - 1,
        bytes as f64 / 1024.0 / 1024.0,
        t.elapsed().as_secs_f64(),
        rss_mib("VmHWM:")
    );
    reset_peak();
    let t = Instant::now();
    let mut res = client
        .get(format!("{base}/api/v1/forms/encuesta_opinion/2025010102/submissions.xlsx"))
        .bearer_auth(&staff)
        .send()
        .await
        .expect("export");
    let mut bytes = 0usize;
    while let Some(chunk) = res.chunk().await.expect("chunk") {
        bytes += chunk.len();
    }
    println!(
        "  XLSX export: {BIG} rows, {:.0} MiB in {:.1} s; peak RSS during {:.0} MiB",
        bytes as f64 / 1024.0 / 1024.0,
        t.elapsed().as_secs_f64(),
        rss_mib("VmHWM:")
    );
}

/// Adds centros until the program has `n`, spread over the four categories.
fn more_centros(path: &std::path::Path, n: usize) {
    let conn = rusqlite::Connection::open(path).expect("open");
    let have: usize = conn.query_row("SELECT COUNT(*) FROM centros", [], |r| r.get::<_, i64>(0)).expect("count") as usize;
    let mut stmt = conn
        .prepare("INSERT INTO centros (id, name, dependencia, ambito, tipo, municipio, lat, lon, sampling_interval) VALUES (?1, ?2, 'Bench', ?3, ?4, 'León', NULL, NULL, 3)")
        .expect("stmt");
    for i in have..n {
        let (ambito, tipo) = [("estatal", "tramites"), ("estatal", "servicios"), ("municipal", "tramites"), ("municipal", "servicios")][i % 4];
        stmt.execute(params![format!("BENCH-{i:04}"), format!("Centro {i}"), ambito, tipo]).expect("centro");
    }
}

async fn close() {
    const CENTROS: usize = 600;
    let dir = tempfile::tempdir().expect("dir");
    {
        let (_, app) = server(dir.path()).await;
        drop(app);
    }
    let db = dir.path().join("ventanilla.sqlite3");
    more_centros(&db, CENTROS);
    bulk_load(&db);
    let (base, app) = server(dir.path()).await;
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let (staff, admin) = (token(&client, &base, "coordinacion").await, token(&client, &base, "admin").await);
    let why = serde_json::json!({"reason": "bench"});
    let t = Instant::now();
    let closed: serde_json::Value = client.post(format!("{base}/api/v1/periods/2025/close")).bearer_auth(&staff).json(&why).send().await.expect("close").json().await.expect("json");
    let close_s = t.elapsed().as_secs_f64();
    assert_eq!(closed["state"], "cerrado", "{closed}");
    println!("closing a period of {BIG} surveys over {CENTROS} centros (official results frozen, digests): {close_s:.2} s");
    client.post(format!("{base}/api/v1/periods/2025/publication-request")).bearer_auth(&staff).json(&why).send().await.expect("ask");
    client.post(format!("{base}/api/v1/periods/2025/publish")).bearer_auth(&admin).json(&why).send().await.expect("publish");
    let mut best = f64::MAX;
    for _ in 0..20 {
        let t = Instant::now();
        let page = client.get(format!("{base}/resultados/2025")).send().await.expect("page").text().await.expect("text");
        best = best.min(t.elapsed().as_secs_f64());
        assert!(page.contains("Centros reconocidos"));
    }
    println!("  GET /resultados/2025 ({CENTROS} centros, from the frozen table): {:.1} ms (best of 20)", best * 1000.0);
}

#[tokio::main]
async fn main() {
    println!("commit {}, load average at start {}", common::commit(), common::load());
    // `VENTANILLA_BENCH=ingest` (or `big`, `close`, `postgres`) runs only that part.
    let only = std::env::var("VENTANILLA_BENCH").unwrap_or_default();
    let _ = rustls::crypto::ring::default_provider().install_default();
    if only.is_empty() || only == "ingest" {
        ingest().await;
    }
    if only.is_empty() || only == "big" {
        big().await;
    }
    if only.is_empty() || only == "close" {
        close().await;
    }
    match std::env::var("VENTANILLA_BENCH_DATABASE_URL") {
        Ok(admin) if only.is_empty() || only == "postgres" => ingest_postgres(&admin).await,
        _ => println!("PostgreSQL: not measured (set VENTANILLA_BENCH_DATABASE_URL, or run scripts/bench-postgres.sh)"),
    }
    println!("load average at end {}", common::load());
}
