//! Field app benchmarks (`cargo bench -p tests --bench field`); figures in BENCHMARKS.md.
//!
//! 1. Saving one answer durably (on-disk store, WAL, `synchronous=FULL`): p50 / p99.
//! 2. Cold start to the first screen's data (open + migrate + home view) with 10,000
//!    acknowledged records, and with 5,000 unsent surveys in the outbox.
//! 3. Bytes on the wire per survey (the app's zstd, and gzip as the browser app sends),
//!    alone and in a batch of 100.
//! 4. Draining 5,000 surveys to the real server through a link that adds 300 ms per
//!    request/response.
//! 5. An inspector's first pull of 50 centros with their previous visits, and a second
//!    pull with nothing new.

#[path = "common/mod.rs"]
mod common;
use common::{commit, load, percentile};
#[path = "common/survey.rs"]
mod survey;
use survey::{Answers, Filler, SURVEY};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mobile::field::FieldApp;
use mobile::record::{FormCache, Identity, finalise};
use mobile::store::Store;
use mobile::store::drafts::NewDraft;
use mobile::store::settings::Enrolment;
use mobile::sync::{SyncEngine, lock};
use mobile::sync_client::{SyncClient, compressed_json, gzip_json};
use shared::protocol::{CentroInfo, Change, ChangeBody, CollectionMode, PullResponse, PushRequest, Role};
use tokio::io::{AsyncReadExt, AsyncWriteExt};



fn bench_dir() -> tempfile::TempDir {
    // On the project's disk (not a tmpfs), as a phone's flash would be.
    let base = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-tmp");
    std::fs::create_dir_all(&base).expect("bench dir");
    tempfile::tempdir_in(base).expect("temp dir")
}

fn enrolment(server: &str, token: &str, device: &str, username: &str, role: Role) -> Enrolment {
    Enrolment { server: server.into(), token: token.into(), device_id: device.into(), username: username.into(), display_name: username.into(), role }
}

/// A store with the survey form and one centro, as after a first pull.
fn seeded_store(store: &mut Store) {
    use base64::Engine as _;
    let xlsx = base64::engine::general_purpose::STANDARD.encode(shared::instruments::ENCUESTA_XLSX);
    let centro = CentroInfo {
        centro_id: "GTO-E-T-01".into(),
        name: "Recaudación León Centro".into(),
        dependencia: "SF".into(),
        municipio: "León".into(),
        lat: None,
        lon: None,
        sampling_interval: 3,
        quota: 80,
        quotas: Default::default(),
        tramites: vec![],
        training: None,
        baja: None,
    };
    let page = PullResponse {
        changes: vec![
            Change { seq: 1, body: ChangeBody::Form { form_id: "encuesta_opinion".into(), version: "2025010102".into(), title: "Encuesta".into(), xlsx_base64: xlsx, files: vec![] } },
            Change { seq: 2, body: ChangeBody::Centro(centro) },
        ],
        cursor: 2,
        more: false,
    };
    store.apply_pull_page(&page).expect("seed");
}

/// `n` surveys, each with its own ratings (no two answer sets of a batch repeat).
fn fill(store: &mut Store, forms: &mut FormCache, who: &Identity, n: usize) -> Vec<shared::protocol::Submission> {
    let form = store.latest_form("encuesta_opinion").expect("forms").expect("survey form");
    let answers = Answers::new();
    (0..n)
        .map(|i| {
            let new = NewDraft { form_id: &form.form_id, form_version: &form.version, centro_id: "GTO-E-T-01", mode: CollectionMode::Entrevista, sampling_position: Some(i as u32) };
            let id = store.create_draft(&new).expect("draft");
            for (p, v) in answers.of(i) {
                store.save_answer(id, p, Some(v)).expect("answer");
            }
            finalise(store, forms, id, who).expect("finalise")
        })
        .collect()
}

fn answer_saves() {
    let dir = bench_dir();
    let mut store = Store::open(&dir.path().join("app.db")).expect("store");
    let new = NewDraft { form_id: "encuesta_opinion", form_version: "1", centro_id: "C1", mode: CollectionMode::Entrevista, sampling_position: None };
    let draft = store.create_draft(&new).expect("draft");
    let mut times = Vec::with_capacity(2_000);
    for i in 0..2_000u32 {
        let t = Instant::now();
        store.save_answer(draft, SURVEY[i as usize % SURVEY.len()].0, Some(&i.to_string())).expect("save");
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "answer save (on disk, synchronous=FULL, 2,000 saves): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
}

fn cold_starts() {
    let who = Identity { device_id: "d".into(), username: "enc.ana".into() };
    for (label, acknowledged) in [("10,000 acknowledged records", true), ("5,000 unsent surveys in the outbox", false)] {
        let dir = bench_dir();
        let path = dir.path().join("app.db");
        let n = if acknowledged { 10_000 } else { 5_000 };
        {
            // Prepared in memory, then copied to disk: filling 10,000 surveys answer by
            // answer with a sync per answer would take most of an hour here.
            let mut store = Store::open_in_memory().expect("store");
            store.set_enrolment(&enrolment("http://127.0.0.1:9", "t", "d", "enc.ana", Role::Surveyor)).expect("enrol");
            seeded_store(&mut store);
            let records = fill(&mut store, &mut FormCache::default(), &who, n);
            if acknowledged {
                let results: Vec<_> = records
                    .iter()
                    .map(|r| shared::protocol::PushResult { id: r.id, outcome: shared::protocol::Outcome::Stored, seq: Some(1), review: None, error: None, warning: None, missing_photos: vec![] })
                    .collect();
                store.apply_results(&results, None).expect("ack");
            }
            store.save_copy(&path).expect("copy to disk");
        }
        let t = Instant::now();
        let app = FieldApp::new(Store::open(&path).expect("reopen"), "http://127.0.0.1:9");
        let home = app.home().expect("home").expect("enrolled");
        let elapsed = t.elapsed();
        assert_eq!(home.outbox.pending, if acknowledged { 0 } else { 5_000 });
        println!("cold start to the home screen's data, {label}: {:.1} ms", elapsed.as_secs_f64() * 1e3);
    }
}

fn wire_bytes() {
    let mut store = Store::open_in_memory().expect("store");
    seeded_store(&mut store);
    let who = Identity { device_id: uuid::Uuid::now_v7().to_string(), username: "enc.ana".into() };
    let records = fill(&mut store, &mut FormCache::default(), &who, 100);
    let answers = records[0].answers.len();
    let now = store.now();
    // As the app sends them: with the day's counts.
    let ledger = Some(store.ledger_report().expect("ledger"));
    let one = PushRequest { device_time: now, submissions: vec![records[0].clone()], ledger, sampling: vec![] };
    let batch = PushRequest { device_time: now, submissions: records.clone(), ledger, sampling: vec![] };
    let plain = serde_json::to_vec(&one).expect("json").len();
    let (zstd_one, zstd_batch) = (compressed_json(&one).expect("zstd").0.len(), compressed_json(&batch).expect("zstd").0.len());
    let (gzip_one, gzip_batch) = (gzip_json(&one).expect("gzip").len(), gzip_json(&batch).expect("gzip").len());
    println!(
        "bytes per {answers}-answer survey: {plain} as JSON; zstd (the app) {zstd_one} alone, {:.0} in a batch of 100; gzip (the browser app) {gzip_one} alone, {:.0} in a batch of 100",
        zstd_batch as f64 / 100.0,
        gzip_batch as f64 / 100.0
    );
}

/// Copies `from` to `to`, holding each chunk `delay`.
async fn pump(mut from: tokio::net::tcp::OwnedReadHalf, mut to: tokio::net::tcp::OwnedWriteHalf, delay: Duration) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 {
            break;
        }
        tokio::time::sleep(delay).await;
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// A TCP proxy that holds each chunk `delay` in each direction (≈ 2·delay per exchange).
async fn latency_proxy(upstream: std::net::SocketAddr, delay: Duration) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else { return };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::join!(pump(cr, sw, delay), pump(sr, cw, delay));
            });
        }
    });
    addr
}

async fn start_server() -> (std::net::SocketAddr, tempfile::TempDir) {
    let data = bench_dir();
    let mut config = sync_server::Config::for_tests(data.path().to_path_buf());
    config.demo = true;
    let app = sync_server::Application::build(&config).await.expect("server");
    let address = app.address();
    tokio::spawn(app.run_until_stopped());
    (address, data)
}

async fn drain_through_latency() {
    let (server, _data) = start_server().await;
    let direct = format!("http://{server}");
    let slow = format!("http://{}", latency_proxy(server, Duration::from_millis(150)).await);
    let enrolled = SyncClient::new(&direct).expect("client").enrol("enc.ana", sync_server::demo::DEMO_PASSWORD, "bench").await.expect("enrol");
    let mut store = Store::open_in_memory().expect("store");
    store.set_enrolment(&enrolment(&slow, &enrolled.token, &enrolled.device_id.to_string(), "enc.ana", Role::Surveyor)).expect("enrol");
    let store = Arc::new(Mutex::new(store));
    let engine = SyncEngine::from_enrolment(store.clone()).expect("engine");
    let t = Instant::now();
    let first = engine.sync_once().await.expect("first pull");
    println!("first sync of a surveyor (forms, centros) through +300 ms: {:.2} s, {} pull requests", t.elapsed().as_secs_f64(), first.pull_requests);
    let who = Identity { device_id: enrolled.device_id.to_string(), username: "enc.ana".into() };
    {
        let mut s = lock(&store);
        let mut filler = Filler::new(&s, &who.device_id, &who.username);
        filler.finalise(&mut s, 5_000);
    }
    let t = Instant::now();
    let report = engine.sync_once().await.expect("drain");
    let elapsed = t.elapsed();
    assert_eq!(report.acknowledged, 5_000);
    println!(
        "drain 5,000 surveys through +300 ms per exchange ({} pushes, batches growing from {}): {:.2} s ({:.0} surveys/s)",
        report.pushed_requests,
        mobile::sync::batch::START,
        elapsed.as_secs_f64(),
        5_000.0 / elapsed.as_secs_f64()
    );
}

async fn inspector_pull() {
    let (server, _data) = start_server().await;
    let url = format!("http://{server}");
    let http = reqwest::Client::new();
    let admin = SyncClient::new(&url).expect("client").enrol("admin", sync_server::demo::DEMO_PASSWORD, "bench").await.expect("admin");
    let inspector = SyncClient::new(&url).expect("client").enrol("insp.carmen", sync_server::demo::DEMO_PASSWORD, "bench").await.expect("carmen");
    let client = SyncClient::new(&url).expect("client").with_token(inspector.token.clone());
    let form = shared::instruments::cedula().expect("cedula");
    for i in 0..50 {
        let id = format!("BENCH-{i:02}");
        let centro = serde_json::json!({"name": format!("Centro {i}"), "dependencia": "SF", "ambito": "estatal", "tipo": "tramites",
            "municipio": "León", "lat": null, "lon": null, "sampling_interval": 3, "tramites": ["Trámite A", "Trámite B"]});
        http.put(format!("{url}/api/v1/centros/{id}")).bearer_auth(&admin.token).json(&centro).send().await.expect("centro").error_for_status().expect("centro ok");
        http.put(format!("{url}/api/v1/users/insp.carmen/centros/{id}")).bearer_auth(&admin.token).send().await.expect("assign").error_for_status().expect("assign ok");
        let mut answers = shared::protocol::WireAnswers::new();
        for f in form.fields().iter().filter(|f| f.scoring.pillar.is_some()) {
            answers.insert(f.name.clone(), shared::protocol::WireEntry::Value("2".into()));
        }
        answers.insert("turno".into(), shared::protocol::WireEntry::Value("matutino".into()));
        answers.insert("aviso".into(), shared::protocol::WireEntry::Value("si".into()));
        let wait = |m: &str| {
            let mut w = shared::protocol::WireAnswers::new();
            w.insert("espera_min".into(), shared::protocol::WireEntry::Value(m.into()));
            w
        };
        answers.insert("espera".into(), shared::protocol::WireEntry::Repeat(["4", "6", "9", "3", "12"].map(wait).to_vec()));
        let start = chrono::DateTime::parse_from_rfc3339("2025-05-20T09:00:00-06:00").expect("time") + chrono::Duration::days(i);
        let visit = shared::protocol::Submission {
            id: uuid::Uuid::now_v7(),
            form_id: "cedula_visita".into(),
            form_version: "2025010101".into(),
            centro_id: id.clone(),
            started_at: start,
            finalised_at: start + chrono::Duration::minutes(70),
            answers,
            meta: shared::protocol::SubmissionMeta { mode: CollectionMode::Entrevista, position: None, sampling_position: None, photos: vec![], score_notes: vec![], photo_items: vec![], replaces: None },
            content_hash: String::new(),
        }
        .seal();
        let now = chrono::Utc::now().fixed_offset();
        let res = client.push(&PushRequest { device_time: now, submissions: vec![visit], ledger: None, sampling: vec![] }).await.expect("push");
        assert_eq!(res.results[0].outcome, shared::protocol::Outcome::Stored, "{:?}", res.results[0]);
    }
    let fresh = SyncClient::new(&url).expect("client").enrol("insp.carmen", sync_server::demo::DEMO_PASSWORD, "tablet").await.expect("enrol");
    let mut store = Store::open_in_memory().expect("store");
    store.set_enrolment(&enrolment(&url, &fresh.token, &fresh.device_id.to_string(), "insp.carmen", Role::Inspector)).expect("enrol");
    let store = Arc::new(Mutex::new(store));
    let engine = SyncEngine::from_enrolment(store.clone()).expect("engine");
    let t = Instant::now();
    let first = engine.sync_once().await.expect("pull");
    let first_time = t.elapsed();
    let (centros, with_visit) = {
        let s = lock(&store);
        let all = s.centros().expect("centros");
        let with_visit = all.iter().filter(|c| s.previous_visit(&c.centro_id).ok().flatten().is_some()).count();
        (all.len(), with_visit)
    };
    let t = Instant::now();
    let second = engine.sync_once().await.expect("pull again");
    let second_time = t.elapsed();
    let cursor = lock(&store).cursor().expect("cursor");
    let bytes = http
        .get(format!("{url}/api/v1/sync/pull?after={cursor}"))
        .bearer_auth(&fresh.token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("pull")
        .bytes()
        .await
        .expect("body")
        .len();
    println!(
        "inspector's first pull: {centros} centros ({with_visit} with their previous visit), {} changes in {} requests, {:.0} ms",
        first.pulled,
        first.pull_requests,
        first_time.as_secs_f64() * 1e3
    );
    println!(
        "second pull with nothing new: {} request, {} changes, {bytes} bytes of body, {:.1} ms",
        second.pull_requests,
        second.pulled,
        second_time.as_secs_f64() * 1e3
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("commit {}, load average at start {}", commit(), load());
    answer_saves();
    cold_starts();
    wire_bytes();
    drain_through_latency().await;
    inspector_pull().await;
    println!("load average at end {}", load());
}
