//! The installable web app in headless Chromium with a phone profile
//! (`cargo bench -p tests --bench web`, after `scripts/build-pwa.sh`); figures in
//! BENCHMARKS.md.
//!
//! 1. First load to interactive with the CPU throttled 4× (Chromium's emulation of a cheap
//!    phone), the app served by the real server on loopback: a first visit (nothing cached:
//!    the shell, the wasm and the Worker load, the store is created; until the enrolment
//!    form can be used) and a return visit of an enrolled phone (from the service worker's
//!    copy; until the home screen's «Encuestar aquí» can be pressed).
//! 2. Saving an answer in the Worker's store on OPFS, as the screens do
//!    (`ventanilla.call`: page → Worker, one SQLite transaction flushed to OPFS, the reply
//!    back): p50 / p99 / max over 1,000 saves, unthrottled and throttled 4×.
//!
//! Every figure is printed with the load average and the commit it was taken at.

#[path = "common/mod.rs"]
mod common;
use common::{commit, load, percentile};

#[allow(dead_code)]
#[path = "../e2e/browser.rs"]
mod browser;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use browser::Browser;
use sync_server::{Application, Config};

const RUNS: usize = 3;
const SAVES: usize = 1_000;

/// Records when the first usable screen appears (set before any of the page's own scripts).
const WATCH: &str = "new MutationObserver(() => { if (window.__interactive === undefined && document.querySelector('#registrar, .centro button.big:not([disabled])')) window.__interactive = performance.now(); }).observe(document, { subtree: true, childList: true, attributes: true });";




async fn server() -> anyhow::Result<(String, tempfile::TempDir)> {
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/pwa/app");
    anyhow::ensure!(app.join("ventanilla_bg.wasm").is_file(), "no web build in {}: run scripts/build-pwa.sh", app.display());
    let data = tempfile::tempdir()?;
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.demo = true;
    config.app_dir = Some(app);
    let app = Application::build(&config).await?;
    let url = format!("http://{}/app/", app.address());
    tokio::spawn(app.run_until_stopped());
    Ok((url, data))
}

/// Waits until `script` (an expression) yields a value that is not null/undefined.
async fn value(b: &Browser, script: &str) -> anyhow::Result<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let v = b.client.execute(&format!("return ({script}) ?? null;"), vec![]).await?;
        if !v.is_null() {
            return Ok(v);
        }
        anyhow::ensure!(Instant::now() < deadline, "never ready: {script}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn throttle(b: &Browser, rate: f64) -> anyhow::Result<()> {
    b.cdp("Emulation.setCPUThrottlingRate", serde_json::json!({ "rate": rate })).await?;
    Ok(())
}

/// Opens `url` with the CPU throttled 4× and returns the milliseconds from navigation to
/// the first usable screen.
async fn first_screen(b: &Browser, url: &str) -> anyhow::Result<f64> {
    b.cdp("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": WATCH })).await?;
    throttle(b, 4.0).await?;
    b.client.goto(url).await?;
    let ms = value(b, "window.__interactive").await?;
    throttle(b, 1.0).await?;
    ms.as_f64().ok_or_else(|| anyhow::anyhow!("no time: {ms}"))
}

async fn enrol(b: &Browser) -> anyhow::Result<()> {
    b.type_into("#usuario", "enc.ana").await?;
    b.type_into("#contrasena", sync_server::demo::DEMO_PASSWORD).await?;
    b.click("#registrar").await?;
    b.find(".centro button.big:not([disabled])").await?;
    Ok(())
}

/// 1,000 answer saves through the app's calls, each timed in the page; sorted, in ms.
const SAVE: &str = r#"
const [n, done] = arguments;
(async () => {
  const call = (c) => window.ventanilla.call(c);
  const home = await call({ call: 'home' });
  const draft = await call({ call: 'start', centro: home.centros[0].info.centro_id, sampling_position: null });
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call({ call: 'answer', draft, path: 'GL2', value: String(i % 10) });
    times.push(performance.now() - t);
  }
  await call({ call: 'discard', draft });
  return times.sort((a, b) => a - b);
})().then(done, (e) => done({ error: String(e && (e.message || JSON.stringify(e))) }));
"#;

async fn saves(b: &Browser) -> anyhow::Result<Vec<f64>> {
    let times = b.client.execute_async(SAVE, vec![SAVES.into()]).await?;
    serde_json::from_value(times.clone()).map_err(|e| anyhow::anyhow!("{e}: {times}"))
}

fn ms(v: f64) -> String {
    format!("{v:.1} ms")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The app's client sets up TLS (the enrolment's HTTP goes through the page, not here).
    let (url, _data) = server().await?;
    println!("commit {}, load average at start {}", commit(), load());
    let mut first = Vec::new();
    let mut again = Vec::new();
    let mut save = Vec::new();
    let mut save_throttled = Vec::new();
    for run in 0..RUNS {
        let profile = tempfile::tempdir()?;
        let b = Browser::phone("bench-web", profile.path()).await?;
        b.client.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(600)), None, None)).await?;
        first.push(first_screen(&b, &url).await?);
        enrol(&b).await?;
        value(&b, "navigator.serviceWorker.controller").await?;
        again.push(first_screen(&b, &url).await?);
        let s = saves(&b).await?;
        save.push((percentile(&s, 0.5), percentile(&s, 0.99), s[s.len() - 1]));
        throttle(&b, 4.0).await?;
        let s = saves(&b).await?;
        throttle(&b, 1.0).await?;
        save_throttled.push((percentile(&s, 0.5), percentile(&s, 0.99), s[s.len() - 1]));
        b.close().await?;
        println!("run {}: first visit {}, return visit {}, save p99 {} (4× {}); load {}", run + 1, ms(first[run]), ms(again[run]), ms(save[run].1), ms(save_throttled[run].1), load());
    }
    let range = |v: Vec<f64>| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(0.0, f64::max);
        format!("{}–{}", ms(lo), ms(hi))
    };
    println!("first visit to the enrolment form, CPU 4× slower: {}", range(first));
    println!("return visit to the home screen (offline copy), CPU 4× slower: {}", range(again));
    for (label, runs) in [("answer save in OPFS", save), ("answer save in OPFS, CPU 4× slower", save_throttled)] {
        let p50 = range(runs.iter().map(|r| r.0).collect());
        let p99 = range(runs.iter().map(|r| r.1).collect());
        let max = range(runs.iter().map(|r| r.2).collect());
        println!("{label} ({SAVES} saves × {RUNS}): p50 {p50}, p99 {p99}, max {max}");
    }
    println!("load average at end {}", load());
    Ok(())
}
