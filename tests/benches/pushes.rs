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
#[path = "common/survey.rs"]
mod survey;
use common::{commit, load, percentile};
use survey::Filler;
#[path = "common/server.rs"]
mod server;
use server::{enrolled_phone, start_server};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mobile::store::Store;
use mobile::sync::lock;
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
    let data = tempfile::tempdir_in(std::env::temp_dir()).expect("data dir");
    // A phone does not finalise 100 surveys every few milliseconds: the per-device limit
    // (20 requests/s after a burst of 120) would pace this bench, not measure it.
    let server = start_server(data.path().to_path_buf(), true);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("phone runtime");
    rt.block_on(async move {
        println!("commit {}, load average at start {}", commit(), load());
        let pushes = Arc::new(Mutex::new(Vec::with_capacity(ROUNDS)));
        let relay = timing_relay(server, pushes.clone()).await;
        let (store, engine, device_id) = enrolled_phone(server, relay, Store::open_in_memory().expect("store")).await;
        engine.sync_once().await.expect("first sync");
        pushes.lock().expect("times").clear();
        let mut filler = Filler::new(&lock(&store), &device_id, "enc.ana");
        let mut rounds = Vec::with_capacity(ROUNDS);
        for round in 0..ROUNDS {
            // Finalised on the phone, not timed.
            filler.finalise(&mut lock(&store), BATCH);
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
