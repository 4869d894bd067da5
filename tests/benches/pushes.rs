//! Consecutive pushes from the app's real sync engine to the real server
//! (`cargo bench -p tests --bench pushes`; `scripts/bench-under-load.sh` runs it with both
//! cores loaded by `stress-ng --cpu 2`); figures in BENCHMARKS.md.
//!
//! 1,000 times: 100 surveys (varied answers) are finalised on the phone (not timed), then
//! one sync round of the engine sends them. Each push is timed between the engine and the
//! server (a loopback relay: from the request fully received to the answer fully back), and
//! each round (push, pull, the store's bookkeeping) on the phone's side. The server runs on
//! its own runtime and threads, as another process would. Both sides keep their data in
//! memory-backed or temporary stores; the per-device request limit is lifted (see below).
//! The pushes are timed twice per round: the batch and then the day's counts, which the
//! engine reports in a second, empty push once the batch was acknowledged.

#[path = "common/mod.rs"]
mod common;
use common::{commit, load, percentile};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mobile::record::{FormCache, Identity, finalise};
use mobile::store::Store;
use mobile::store::drafts::NewDraft;
use mobile::store::settings::Enrolment;
use mobile::sync::{SyncEngine, lock};
use mobile::sync_client::SyncClient;
use shared::protocol::{CollectionMode, Role};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ROUNDS: usize = 1_000;
const BATCH: usize = 100;




fn summary(mut times: Vec<Duration>) -> String {
    if times.is_empty() {
        return "not measured".into();
    }
    times.sort();
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
    format!("p50 {}, p99 {}, max {} (n = {})", ms(percentile(&times, 0.5)), ms(percentile(&times, 0.99)), ms(times[times.len() - 1]), times.len())
}

/// The shipped survey's answers (`field::SURVEY` of the end-to-end tests, as a phone
/// records them), with every rating varied by `i` over its own list (1–5, 0–10), so that
/// no two batches repeat: the other answers open no follow-up question.
struct Answers {
    /// Per question: its answer, or the ratings to pick from.
    questions: Vec<(&'static str, Result<String, Vec<String>>)>,
}

impl Answers {
    fn new() -> Self {
        let form = shared::instruments::encuesta().expect("the shipped survey");
        let questions = SURVEY
            .iter()
            .map(|(path, value)| {
                let ratings: Vec<String> = form
                    .fields()
                    .iter()
                    .find(|f| f.name == *path)
                    .and_then(|f| f.list_name())
                    .and_then(|l| form.lists.get(l))
                    .map(|l| l.choices.iter().map(|c| c.name.clone()).filter(|c| c.parse::<u8>().is_ok()).collect())
                    .unwrap_or_default();
                (*path, if value.parse::<u8>().is_ok() && ratings.len() > 1 { Err(ratings) } else { Ok(value.to_string()) })
            })
            .collect();
        Answers { questions }
    }

    fn of(&self, i: usize) -> impl Iterator<Item = (&'static str, &str)> {
        self.questions.iter().enumerate().map(move |(k, (path, a))| {
            let value = match a {
                Ok(v) => v.as_str(),
                Err(ratings) => &ratings[(i.wrapping_mul(2_654_435_761) >> (k % 16)).wrapping_add(k * 7) % ratings.len()],
            };
            (*path, value)
        })
    }
}

const SURVEY: &[(&str, &str)] = &[
    ("consentimiento", "si"), ("P0", "predial"), ("AG1", "10a20"), ("AG2", "4"), ("AG3", "5"), ("AG4", "1"), ("DE1", "4"),
    ("DE2", "3"), ("DE3", "si"), ("TC1", "5"), ("TC2", "4"), ("TC3", "si"), ("CI1", "4"), ("CI2", "parcial"), ("CI3", "no"),
    ("IN1", "no"), ("IN2", "no"), ("QJ1", "si"), ("RE1", "si"), ("GL1", "4"), ("GL2", "9"),
];

/// Relays one request per connection to `upstream`, timing each push.
async fn timing_relay(upstream: std::net::SocketAddr, pushes: Arc<Mutex<Vec<Duration>>>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("relay");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let pushes = pushes.clone();
            tokio::spawn(async move {
                let Some((head, body)) = read_request(&mut client).await else { return };
                let started = Instant::now();
                let Ok(mut server) = tokio::net::TcpStream::connect(upstream).await else { return };
                let head = head.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n").replacen("Connection: keep-alive\r\n", "", 1);
                if server.write_all(head.as_bytes()).await.is_err() || server.write_all(&body).await.is_err() {
                    return;
                }
                let mut response = Vec::new();
                if server.read_to_end(&mut response).await.is_err() {
                    return;
                }
                if head.starts_with("POST /api/v1/sync/push") {
                    pushes.lock().expect("times").push(started.elapsed());
                }
                // The answer goes back as the server closed it: one request per connection.
                let _ = client.write_all(&response).await;
                let _ = client.shutdown().await;
            });
        }
    });
    addr
}

async fn read_request(client: &mut tokio::net::TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut chunk = [0u8; 16 * 1024];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.trim().parse::<usize>().ok()))
        .unwrap_or(0);
    let mut body = buf[end..].to_vec();
    while body.len() < length {
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((head, body))
}

fn main() {
    // The server on its own runtime and threads.
    let (tx, rx) = std::sync::mpsc::channel();
    let data = tempfile::tempdir_in(std::env::temp_dir()).expect("data dir");
    let data_path = data.path().to_path_buf();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("server runtime");
        rt.block_on(async move {
            let mut config = sync_server::Config::for_tests(data_path);
            config.demo = true;
            // A phone does not finalise 100 surveys every few milliseconds: the per-device
            // limit (20 requests/s after a burst of 120) would pace this bench, not measure it.
            config.device_burst = 1_000_000;
            config.device_rate = 1_000_000;
            let app = sync_server::Application::build(&config).await.expect("server");
            tx.send(app.address()).expect("address");
            app.run_until_stopped().await.expect("server runs");
        });
    });
    let server = rx.recv().expect("server address");
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("phone runtime");
    rt.block_on(async move {
        println!("commit {}, load average at start {}", commit(), load());
        let pushes = Arc::new(Mutex::new(Vec::with_capacity(ROUNDS)));
        let relay = timing_relay(server, pushes.clone()).await;
        let direct = format!("http://{server}");
        let enrolled = SyncClient::new(&direct).expect("client").enrol("enc.ana", sync_server::demo::DEMO_PASSWORD, "bench").await.expect("enrol");
        let mut store = Store::open_in_memory().expect("store");
        let enrolment = Enrolment {
            server: format!("http://{relay}"),
            token: enrolled.token.clone(),
            device_id: enrolled.device_id.to_string(),
            username: "enc.ana".into(),
            display_name: "Ana".into(),
            role: Role::Surveyor,
        };
        store.set_enrolment(&enrolment).expect("enrolment");
        let store = Arc::new(Mutex::new(store));
        let engine = SyncEngine::from_enrolment(store.clone()).expect("engine");
        engine.sync_once().await.expect("first sync");
        pushes.lock().expect("times").clear();
        let who = Identity { device_id: enrolled.device_id.to_string(), username: "enc.ana".into() };
        let (centro, tramite, form) = {
            let s = lock(&store);
            let info = s.centros().expect("centros").remove(0);
            // The trámite question offers the centro's own trámites when it lists some.
            let tramite = info.tramites.first().map_or_else(|| "predial".to_string(), |t| shared::form::centro_lists::tramite_name(t));
            (info.centro_id, tramite, s.latest_form("encuesta_opinion").expect("forms").expect("form"))
        };
        let mut forms = FormCache::default();
        let varied = Answers::new();
        let mut rounds = Vec::with_capacity(ROUNDS);
        let mut n = 0usize;
        for round in 0..ROUNDS {
            {
                let mut s = lock(&store);
                for _ in 0..BATCH {
                    let new = NewDraft { form_id: &form.form_id, form_version: &form.version, centro_id: &centro, mode: CollectionMode::Entrevista, sampling_position: Some(n as u32 + 1) };
                    let id = s.create_draft(&new).expect("draft");
                    for (p, v) in varied.of(n) {
                        s.save_answer(id, p, Some(if p == "P0" { &tramite } else { v })).expect("answer");
                    }
                    finalise(&mut s, &mut forms, id, &who).expect("finalise");
                    n += 1;
                }
            }
            let t = Instant::now();
            let report = engine.sync_once().await.expect("sync");
            rounds.push(t.elapsed());
            assert_eq!(report.acknowledged, BATCH as u64, "round {round}: {report:?} {:?}", lock(&store).problems());
        }
        // How a round's time grows with what the server already holds of the day.
        let growth: Vec<String> = [0, 10, 100, 300, 600, 999].iter().map(|&i| format!("#{i} {:.1} ms", rounds[i].as_secs_f64() * 1e3)).collect();
        println!("rounds by position: {}", growth.join(", "));
        let pushes = pushes.lock().expect("times").clone();
        println!("{ROUNDS} pushes of {BATCH} surveys, timed at the server's door: {}", summary(pushes));
        println!("the same rounds on the phone (push, pull, bookkeeping): {}", summary(rounds));
        println!("load average at end {}", load());
    });
}
