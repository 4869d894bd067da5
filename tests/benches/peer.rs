//! Ventanilla's sync beside the peer a team would otherwise pick: PouchDB 9 (`pouchdb-node`)
//! replicating to pouchdb-server 4.2, in the same run, on the same 10,000 surveys with varied
//! answers of the shipped survey (`cargo bench -p tests --bench peer`;
//! `scripts/bench-under-load.sh tests peer` with both cores loaded). Figures in BENCHMARKS.md.
//!
//! The npm packages are installed from the npm registry into a scratch folder,
//! `target/bench-tmp/pouchdb-peer` (or `PEER_DIR`), on the first run; nothing of them is in
//! the repository. `PEER_RUNS` (default 3) runs the whole comparison that many times.
//!
//! Each run, for each side, from a phone with 10,000 finalised surveys on disk to a server
//! that stores them on disk, both over loopback through the same byte-counting relay:
//! - Ventanilla: the app's real store and sync engine (`sync_until_drained`: adaptive
//!   batches, zstd, the pull at the end) to the real server (the per-device limits as
//!   shipped);
//! - PouchDB: the same surveys, as the app would send them (one JSON document each, the
//!   survey's id as `_id`), loaded into a local PouchDB (LevelDB; not timed), then one
//!   `replicate.to` of pouchdb-server's database (LevelDB, request log off).
//!
//! Then a second sync with nothing new, counted in requests and bytes.
//! Records/s is the 10,000 over the sync's wall time; bytes are both directions on the
//! wire (headers included); requests are HTTP requests seen by the relay.

#[path = "common/mod.rs"]
mod common;
#[path = "common/survey.rs"]
mod survey;
#[path = "common/server.rs"]
mod server;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{commit, load};
use mobile::store::Store;
use mobile::sync::{Backoff, lock};
use server::{enrolled_phone, start_server};
use survey::Filler;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const RECORDS: usize = 10_000;
const POUCHDB: &str = "pouchdb-node@9.0.0";
const POUCHDB_SERVER: &str = "pouchdb-server@4.2.0";

/// What crossed the relay.
#[derive(Default)]
struct Wire {
    requests: AtomicU64,
    up: AtomicU64,
    down: AtomicU64,
}

impl Wire {
    /// (requests, bytes both ways), and counting starts again.
    fn take(&self) -> (u64, u64) {
        let requests = self.requests.swap(0, Ordering::SeqCst);
        (requests, self.up.swap(0, Ordering::SeqCst) + self.down.swap(0, Ordering::SeqCst))
    }
}

/// A TCP relay to `upstream` that counts bytes each way and HTTP/1.1 requests (their
/// request lines: bodies here are JSON, gzip or zstd, which never hold a bare ` HTTP/1.1\r\n`).
/// Connections stay open as the client keeps them (both clients reuse connections).
async fn counting_relay(upstream: SocketAddr, wire: Arc<Wire>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("relay");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let wire = wire.clone();
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else { return };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (mut client_read, mut client_write) = client.into_split();
                let (mut server_read, mut server_write) = server.into_split();
                let up_wire = wire.clone();
                let up = tokio::spawn(async move {
                    const LINE_END: &[u8] = b" HTTP/1.1\r\n";
                    let mut buf = vec![0u8; 64 * 1024];
                    let mut tail: Vec<u8> = Vec::new();
                    loop {
                        let n = match client_read.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        up_wire.up.fetch_add(n as u64, Ordering::SeqCst);
                        // Request lines, including one split across two reads.
                        let mut joined = std::mem::take(&mut tail);
                        let before = joined.len();
                        joined.extend_from_slice(&buf[..n]);
                        let found = joined.windows(LINE_END.len()).enumerate().filter(|(i, w)| *w == LINE_END && i + LINE_END.len() > before).count();
                        up_wire.requests.fetch_add(found as u64, Ordering::SeqCst);
                        tail = joined[joined.len().saturating_sub(LINE_END.len() - 1)..].to_vec();
                        if server_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = server_write.shutdown().await;
                });
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match server_read.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    wire.down.fetch_add(n as u64, Ordering::SeqCst);
                    if client_write.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
                let _ = client_write.shutdown().await;
                let _ = up.await;
            });
        }
    });
    addr
}

/// One side's figures in one run.
#[derive(Debug, Clone, Copy)]
struct Side {
    seconds: f64,
    requests: u64,
    bytes: u64,
    noop_requests: u64,
    noop_bytes: u64,
}

impl Side {
    fn per_second(&self) -> f64 {
        RECORDS as f64 / self.seconds
    }

    fn bytes_per_record(&self) -> f64 {
        self.bytes as f64 / RECORDS as f64
    }

    fn line(&self, who: &str) -> String {
        format!(
            "{who}: {RECORDS} records in {:.2} s = {:.0} records/s; {} requests, {:.0} bytes/record; no-op sync: {} requests, {} bytes",
            self.seconds,
            self.per_second(),
            self.requests,
            self.bytes_per_record(),
            self.noop_requests,
            self.noop_bytes
        )
    }
}

/// The scratch folder with the peer's npm packages, installed on first use.
fn peer_dir() -> PathBuf {
    let dir = std::env::var_os("PEER_DIR").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-tmp/pouchdb-peer"));
    let installed = ["pouchdb-node", "pouchdb-server"].iter().all(|p| dir.join("node_modules").join(p).join("package.json").exists());
    if !installed {
        std::fs::create_dir_all(&dir).expect("peer folder");
        std::fs::write(dir.join("package.json"), "{\"name\": \"ventanilla-bench-peer\", \"private\": true}\n").expect("package.json");
        println!("installing {POUCHDB} and {POUCHDB_SERVER} from the npm registry into {}", dir.display());
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error", POUCHDB, POUCHDB_SERVER])
            .current_dir(&dir)
            .status()
            .expect("npm (Node.js) is needed for the peer benchmark");
        assert!(status.success(), "npm install failed");
    }
    dir
}

/// A loopback port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port()
}

/// The surveys as PouchDB documents: each submission as the app sends it, `_id` its id.
fn write_docs(store: &Store, path: &Path) {
    let pending = store.pending_sized(RECORDS).expect("pending");
    assert_eq!(pending.len(), RECORDS);
    let mut out = String::new();
    for (submission, _) in pending {
        let mut doc = serde_json::to_value(&submission).expect("json");
        doc["_id"] = serde_json::Value::String(submission.id.to_string());
        out.push_str(&doc.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).expect("docs");
}

/// Ventanilla: the app's engine drains 10,000 surveys to the real server through the relay.
/// Leaves the surveys as documents in `docs` for the peer.
async fn ventanilla(scratch: &Path, docs: &Path) -> Side {
    let server = start_server(scratch.join("server"), false);
    let wire = Arc::new(Wire::default());
    let relay = counting_relay(server, wire.clone()).await;
    let (store, engine, device_id) = enrolled_phone(server, relay, Store::open(&scratch.join("phone.db")).expect("store")).await;
    engine.sync_once().await.expect("first sync (forms, centros)");
    let mut filler = Filler::new(&lock(&store), &device_id, "enc.ana");
    filler.finalise(&mut lock(&store), RECORDS);
    write_docs(&lock(&store), docs);
    wire.take();
    profiler("enable");
    let started = Instant::now();
    let report = engine.sync_until_drained(&mut Backoff::field(), 0).await.expect("drained");
    let seconds = started.elapsed().as_secs_f64();
    profiler("disable");
    assert_eq!(report.acknowledged, RECORDS as u64, "{report:?}");
    let (requests, bytes) = wire.take();
    engine.sync_once().await.expect("no-op sync");
    let (noop_requests, noop_bytes) = wire.take();
    Side { seconds, requests, bytes, noop_requests, noop_bytes }
}

/// With `PEER_PERF_CONTROL` set to a `perf record --control=fifo:…` FIFO, turns the
/// profiler on or off, so that a profile holds only Ventanilla's sync:
/// `mkfifo ctl; perf record -D -1 --control=fifo:ctl -g -- <bench binary> --bench`.
fn profiler(command: &str) {
    if let Ok(fifo) = std::env::var("PEER_PERF_CONTROL") {
        let _ = std::fs::OpenOptions::new().write(true).open(fifo).and_then(|mut f| std::io::Write::write_all(&mut f, format!("{command}\n").as_bytes()));
    }
}

/// Runs `node replicate.js …` and reads its JSON line.
fn replicate(peer: &Path, args: &[&str]) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer/replicate.js");
    let out = Command::new("node").arg(script).args(args).env("NODE_PATH", peer.join("node_modules")).stderr(Stdio::inherit()).output().expect("node");
    assert!(out.status.success(), "replicate.js {args:?} failed");
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().unwrap_or_default()).unwrap_or_else(|e| panic!("replicate.js said {text:?}: {e}"))
}

/// PouchDB: the same documents replicated to pouchdb-server through the relay.
async fn pouchdb(peer: &Path, scratch: &Path, docs: &Path) -> Side {
    let data = scratch.join("pouchdb-server");
    std::fs::create_dir_all(&data).expect("server dir");
    let port = free_port();
    let bin = peer.join("node_modules/pouchdb-server/bin/pouchdb-server");
    let mut child = Command::new("node")
        .arg(bin)
        .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--dir"])
        .arg(&data)
        .arg("--config")
        .arg(data.join("config.json"))
        .arg("--no-stdout-logs")
        .current_dir(&data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pouchdb-server");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while http.get(&base).send().await.is_err() {
        assert!(Instant::now() < deadline, "pouchdb-server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let created = http.put(format!("{base}/surveys")).send().await.expect("create database");
    assert!(created.status().is_success(), "create database: {}", created.status());
    let wire = Arc::new(Wire::default());
    let relay = counting_relay(format!("127.0.0.1:{port}").parse().expect("addr"), wire.clone()).await;
    let remote = format!("http://{relay}/surveys");
    let local = scratch.join("pouchdb-phone");
    let (local_s, docs_s) = (local.to_string_lossy().into_owned(), docs.to_string_lossy().into_owned());
    let first = {
        let (peer, args) = (peer.to_path_buf(), vec!["first".to_string(), docs_s, local_s.clone(), remote.clone()]);
        tokio::task::spawn_blocking(move || replicate(&peer, &args.iter().map(String::as_str).collect::<Vec<_>>())).await.expect("replicate")
    };
    assert_eq!(first["written"].as_u64(), Some(RECORDS as u64), "{first}");
    let (requests, bytes) = wire.take();
    let again = {
        let (peer, args) = (peer.to_path_buf(), vec!["again".to_string(), local_s, remote]);
        tokio::task::spawn_blocking(move || replicate(&peer, &args.iter().map(String::as_str).collect::<Vec<_>>())).await.expect("replicate")
    };
    assert_eq!(again["written"].as_u64(), Some(0), "{again}");
    let (noop_requests, noop_bytes) = wire.take();
    let _ = child.kill();
    let _ = child.wait();
    Side { seconds: first["ms"].as_f64().expect("ms") / 1e3, requests, bytes, noop_requests, noop_bytes }
}

fn range(values: impl Iterator<Item = f64>, digits: usize) -> String {
    let v: Vec<f64> = values.collect();
    let (lo, hi) = v.iter().fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
    format!("{lo:.digits$}–{hi:.digits$}")
}

fn main() {
    let runs: usize = std::env::var("PEER_RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(3);
    let peer = peer_dir();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    println!("commit {}, load average at start {}", commit(), load());
    let mut results = Vec::new();
    for run in 1..=runs {
        let scratch = tempfile::tempdir_in(Path::new(env!("CARGO_MANIFEST_DIR")).join("../target")).expect("scratch");
        let docs = scratch.path().join("surveys.jsonl");
        let ours = rt.block_on(ventanilla(scratch.path(), &docs));
        let theirs = rt.block_on(pouchdb(&peer, scratch.path(), &docs));
        println!("run {run} (load {})", load());
        println!("  {}", ours.line("Ventanilla"));
        println!("  {}", theirs.line("PouchDB   "));
        println!(
            "  ratio: {:.1}× records/s, {:.1}× fewer bytes, {:.1}× fewer requests",
            ours.per_second() / theirs.per_second(),
            theirs.bytes_per_record() / ours.bytes_per_record(),
            theirs.requests as f64 / ours.requests as f64
        );
        results.push((ours, theirs));
    }
    println!("over {runs} runs (load average at end {}):", load());
    println!("  Ventanilla records/s {}, PouchDB records/s {}", range(results.iter().map(|r| r.0.per_second()), 0), range(results.iter().map(|r| r.1.per_second()), 0));
    println!("  ratio of records/s {}×", range(results.iter().map(|r| r.0.per_second() / r.1.per_second()), 1));
    println!(
        "  bytes/record: Ventanilla {}, PouchDB {}; requests: Ventanilla {}, PouchDB {}; no-op sync requests: Ventanilla {}, PouchDB {}",
        range(results.iter().map(|r| r.0.bytes_per_record()), 0),
        range(results.iter().map(|r| r.1.bytes_per_record()), 0),
        range(results.iter().map(|r| r.0.requests as f64), 0),
        range(results.iter().map(|r| r.1.requests as f64), 0),
        range(results.iter().map(|r| r.0.noop_requests as f64), 0),
        range(results.iter().map(|r| r.1.noop_requests as f64), 0)
    );
}
