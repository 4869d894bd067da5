//! A fault-injecting HTTP proxy between the app and the real server, on 127.0.0.1.
//!
//! Each request is read whole from the app, then, by chance: dropped before it reaches the
//! server; cut mid-body (the server sees a truncated request); or forwarded, after which
//! the server's complete answer may be dropped (the server committed, the app never
//! hears). The proxy can also be switched offline (every connection refused at once), and
//! its faults changed while it runs.
//! One request per connection (`Connection: close` upstream), so faults never straddle.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Probabilities of each fault, per request.
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    pub drop_request: f64,
    pub cut_request: f64,
    pub drop_response: f64,
    pub seed: u64,
}

impl Faults {
    /// A clean link.
    pub fn none() -> Self {
        Faults { drop_request: 0.0, cut_request: 0.0, drop_response: 0.0, seed: 1 }
    }
}

/// One fault forced on a request, whatever the dice say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The request never reaches the server.
    DropRequest,
    /// The server gets part of the body, then the connection ends.
    CutRequest,
    /// The server answers (and committed), the client never hears.
    DropResponse,
    /// A body in another encoding than gzip is refused with 415 before it reaches the
    /// server (a server from before zstd bodies, or a proxy that passes gzip only); a gzip
    /// or plain body goes through.
    RefuseEncoding,
}

/// What the proxy did.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub refused_encodings: AtomicU64,
    pub dropped_requests: AtomicU64,
    pub cut_requests: AtomicU64,
    pub dropped_responses: AtomicU64,
    pub delivered: AtomicU64,
}

/// A running proxy.
pub struct FaultProxy {
    pub address: SocketAddr,
    pub stats: Arc<Stats>,
    offline: Arc<AtomicBool>,
    faults: Arc<Mutex<Faults>>,
    forced: Arc<Mutex<Forced>>,
}

/// Faults queued for the next requests to a path.
#[derive(Debug, Default)]
struct Forced {
    path: String,
    queue: std::collections::VecDeque<Fault>,
}

impl FaultProxy {
    /// The base URL the app should use.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// While offline, every connection is closed at once (no network).
    pub fn set_offline(&self, offline: bool) {
        self.offline.store(offline, Ordering::SeqCst);
    }

    /// From the next connection on, faults happen with these probabilities.
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = faults;
    }

    /// The next requests to `path` (one each, in order) suffer `faults`, so that a test
    /// knows each kind happened where it matters; the dice decide the rest.
    pub fn force(&self, path: &str, faults: &[Fault]) {
        let mut forced = self.forced.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        forced.path = path.to_string();
        forced.queue = faults.iter().copied().collect();
    }

    pub fn count(&self, counter: impl Fn(&Stats) -> &AtomicU64) -> u64 {
        counter(&self.stats).load(Ordering::SeqCst)
    }
}

/// Starts a proxy to `upstream` on a free loopback port.
pub async fn spawn_proxy(upstream: SocketAddr, faults: Faults) -> anyhow::Result<FaultProxy> {
    spawn_balancer(vec![upstream], faults).await
}

/// A proxy that sends each request to one of `upstreams` chosen at random (servers behind
/// a load balancer), with the same faults.
pub async fn spawn_balancer(upstreams: Vec<SocketAddr>, faults: Faults) -> anyhow::Result<FaultProxy> {
    anyhow::ensure!(!upstreams.is_empty(), "a proxy needs a server");
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let stats = Arc::new(Stats::default());
    let offline = Arc::new(AtomicBool::new(false));
    let faults = Arc::new(Mutex::new(faults));
    let forced = Arc::new(Mutex::new(Forced::default()));
    let (s, o, f, q) = (stats.clone(), offline.clone(), faults.clone(), forced.clone());
    tokio::spawn(async move {
        let mut n = 0u64;
        while let Ok((client, _)) = listener.accept().await {
            n += 1;
            if o.load(Ordering::SeqCst) {
                drop(client);
                continue;
            }
            let faults = *f.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let mut rng = fastrand::Rng::with_seed(faults.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let upstream = upstreams[rng.usize(..upstreams.len())];
            tokio::spawn(handle(client, upstream, faults, q.clone(), rng, s.clone()));
        }
    });
    Ok(FaultProxy { address, stats, offline, faults, forced })
}

async fn handle(mut client: TcpStream, upstream: SocketAddr, faults: Faults, forced: Arc<Mutex<Forced>>, mut rng: fastrand::Rng, stats: Arc<Stats>) {
    let Ok(Some((head, body))) = read_request(&mut client).await else { return };
    stats.requests.fetch_add(1, Ordering::SeqCst);
    let path = head.split_whitespace().nth(1).unwrap_or_default();
    let forced = {
        let mut forced = forced.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !forced.path.is_empty() && path.starts_with(&forced.path) { forced.queue.pop_front() } else { None }
    };
    let fault = forced.or_else(|| {
        let roll = rng.f64();
        if roll < faults.drop_request {
            Some(Fault::DropRequest)
        } else if roll < faults.drop_request + faults.cut_request && !body.is_empty() {
            Some(Fault::CutRequest)
        } else {
            None
        }
    });
    if fault == Some(Fault::DropRequest) {
        stats.dropped_requests.fetch_add(1, Ordering::SeqCst);
        return;
    }
    let other_encoding = head.lines().map(str::to_ascii_lowercase).any(|l| l.starts_with("content-encoding:") && !l.contains("gzip"));
    if fault == Some(Fault::RefuseEncoding) && other_encoding {
        stats.refused_encodings.fetch_add(1, Ordering::SeqCst);
        let body = r#"{"code":"unsupported_encoding","message":"Codificación no admitida."}"#;
        let answer = format!("HTTP/1.1 415 Unsupported Media Type\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        let _ = client.write_all(answer.as_bytes()).await;
        let _ = client.shutdown().await;
        return;
    }
    let Ok(mut server) = TcpStream::connect(upstream).await else { return };
    let head = close_after(&head);
    if fault == Some(Fault::CutRequest) {
        stats.cut_requests.fetch_add(1, Ordering::SeqCst);
        let cut = rng.usize(0..body.len().max(1));
        let _ = server.write_all(head.as_bytes()).await;
        let _ = server.write_all(&body[..cut.min(body.len())]).await;
        let _ = server.shutdown().await;
        // Let the server read what arrived before the socket goes.
        let mut sink = Vec::new();
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), server.read_to_end(&mut sink)).await;
        return;
    }
    if server.write_all(head.as_bytes()).await.is_err() || server.write_all(&body).await.is_err() {
        return;
    }
    let mut response = Vec::new();
    if server.read_to_end(&mut response).await.is_err() {
        return;
    }
    if fault == Some(Fault::DropResponse) || (forced.is_none() && rng.f64() < faults.drop_response) {
        stats.dropped_responses.fetch_add(1, Ordering::SeqCst);
        return;
    }
    if client.write_all(&response).await.is_ok() {
        stats.delivered.fetch_add(1, Ordering::SeqCst);
    }
    let _ = client.shutdown().await;
}

/// Reads one request: the head (up to 64 KiB) and a `Content-Length` body.
async fn read_request(client: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut buf = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Ok(None);
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.trim().parse::<usize>().ok()))
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Ok(Some((head, body)))
}

/// The head with `Connection: close` instead of whatever the app asked.
fn close_after(head: &str) -> String {
    let mut out = String::with_capacity(head.len() + 20);
    for line in head.trim_end_matches("\r\n").split("\r\n") {
        if line.split_once(':').is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("connection")) {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    out
}
