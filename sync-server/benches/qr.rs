//! The citizen's QR survey pages (`cargo bench -p sync-server --bench qr`): the real server
//! on 127.0.0.1 (demo data, a period in course, one centro's code), citizens answering the
//! shipped survey page by page over HTTP as a browser does. Prints how long each page takes
//! to answer (p50 / p95 / p99 / max, as the client on loopback sees it) and how much each
//! question page weighs (HTML with its inline CSS; no scripts, no other files), plain and
//! gzip as sent. Figures go to BENCHMARKS.md.

#[path = "../../tests/benches/common/mod.rs"]
mod common;

use std::time::Instant;

use sync_server::{Application, Config};

/// The server binary's allocator (see `src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SURVEYS: usize = 60;
const CENTRO: &str = "GTO-E-T-01";

/// The value of the first `attr="…"` after `marker` in `html`.
fn attr_after(html: &str, marker: &str, attr: &str) -> Option<String> {
    let rest = &html[html.find(marker)?..];
    let at = rest.find(&format!("{attr}=\""))? + attr.len() + 2;
    Some(rest[at..].split('"').next()?.replace("&quot;", "\"").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))
}

fn encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The answer given to a page's question.
fn answer(question: &str, html: &str) -> Option<String> {
    let fixed = match question {
        "consentimiento" => "si",
        "P0" => "otro",
        "P0_otro" => "Pago de predial",
        "GL2" => "8",
        "GL3" => "Más personal en ventanilla",
        _ => "",
    };
    if !fixed.is_empty() {
        return Some(fixed.to_string());
    }
    attr_after(html, "name=\"valor\"", "value").filter(|v| !v.is_empty())
}

fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(bytes);
    e.finish().map(|v| v.len()).unwrap_or(0)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::for_tests(dir.path().to_path_buf());
    config.demo = true;
    // One client address answers every survey here: no per-address limit.
    config.qr_burst = 1_000_000;
    config.qr_per_minute = 1_000_000;
    let app = Application::build(&config).await.expect("server builds");
    let base = format!("http://{}", app.address());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().gzip(true).build().expect("client");
    let enrol = serde_json::json!({"username": "coordinacion", "password": sync_server::demo::DEMO_PASSWORD, "device_label": "bench"});
    let v: serde_json::Value = client.post(format!("{base}/api/v1/auth/enrol")).json(&enrol).send().await.expect("enrol").json().await.expect("json");
    let staff = v["token"].as_str().expect("token").to_string();
    let today = state.today();
    let period = serde_json::json!({"name": "En curso", "start": (today - chrono::Duration::days(30)).to_string(), "end": (today + chrono::Duration::days(30)).to_string()});
    client.put(format!("{base}/api/v1/periods/actual")).bearer_auth(&staff).json(&period).send().await.expect("period").error_for_status().expect("period saved");
    let by = state.db.user_id("coordinacion".into()).await.expect("staff id");
    let code = state.db.issue_qr_code(CENTRO.into(), "actual".into(), by).await.expect("code");
    let url = format!("{base}/encuesta/{CENTRO}/{}", state.qr_key.code_token(code.id, CENTRO, "actual"));

    let mut times = Vec::new();
    let (mut heaviest, mut heaviest_gz, mut pages) = (0usize, 0usize, 0usize);
    let begin = Instant::now();
    for _ in 0..SURVEYS {
        let t = Instant::now();
        let welcome = client.get(&url).send().await.expect("welcome").text().await.expect("page");
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        let nonce = attr_after(&welcome, "name=\"nonce\"", "value").expect("nonce");
        let mut form = vec![("nonce".to_string(), nonce), ("paso".into(), "0".into()), ("respuestas".into(), "{}".into()), ("accion".into(), "comenzar".into())];
        loop {
            let body = form.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
            let t = Instant::now();
            let html = client.post(&url).header("content-type", "application/x-www-form-urlencoded").body(body).send().await.expect("page").text().await.expect("page");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            if html.contains("data-done") {
                assert!(html.contains("Recibimos su encuesta"), "{html}");
                break;
            }
            let hidden = |name: &str| attr_after(&html, &format!("name=\"{name}\""), "value").unwrap_or_default();
            let mut next = vec![("nonce".to_string(), hidden("nonce")), ("paso".into(), hidden("paso")), ("respuestas".into(), hidden("respuestas"))];
            if html.contains("data-send") {
                next.push(("accion".into(), "enviar".into()));
            } else {
                let question = attr_after(&html, "<form", "data-question").unwrap_or_default();
                assert!(!html.contains("data-problem"), "refused at {question}: {html}");
                pages += 1;
                heaviest = heaviest.max(html.len());
                heaviest_gz = heaviest_gz.max(gzip_len(html.as_bytes()));
                if let Some(value) = answer(&question, &html) {
                    next.push(("valor".into(), value));
                }
                next.push(("accion".into(), "siguiente".into()));
            }
            form = next;
        }
    }
    let elapsed = begin.elapsed();
    times.sort_by(f64::total_cmp);
    let p = |q: f64| common::percentile(&times, q);
    println!("QR survey pages at commit {}, load average {}", common::commit(), common::load());
    println!("  {SURVEYS} surveys, {} requests ({pages} question pages) in {:.1} s", times.len(), elapsed.as_secs_f64());
    println!("  answer time: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms (goal < 20 ms)", p(0.5), p(0.95), p(0.99), times[times.len() - 1]);
    println!("  heaviest question page: {:.1} KB HTML with its CSS ({:.1} KB gzip as sent; goal < 30 KB)", heaviest as f64 / 1000.0, heaviest_gz as f64 / 1000.0);
}
