//! The web app's own sync engine (wasm, in the app's Worker, the browser's fetch and
//! timers) through the fault-injecting proxy, as `field_sync` does for the native engine:
//! 1,000 surveys filled offline on a phone profile, then drained through a link that drops
//! requests, cuts bodies and drops answers after the server committed. The surveys are
//! filled through `ventanilla.call`, the same calls the screens put to the Worker (filling
//! 1,000 by tapping would take the test an hour and prove nothing more about sync).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::browser::Browser;
use crate::proxy::{Fault, Faults};
use crate::pwa_ui::{resolved, serve_web_app};

const SURVEYS: usize = 1_000;
/// Surveys filled per script run (each run stays well inside WebDriver's script timeout).
const CHUNK: usize = 50;

/// Fills and finalises `n` surveys at `centro` through the app's calls; their ids.
const FILL: &str = r#"
const [centro, n, answers] = arguments;
const call = (c) => window.ventanilla.call(c);
const ids = [];
for (let i = 0; i < n; i++) {
  const draft = await call({ call: 'start', centro, sampling_position: null });
  for (const [path, value] of answers) await call({ call: 'answer', draft, path, value });
  await call({ call: 'finalise', draft });
  ids.push(draft);
}
return ids;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_apps_engine_sends_a_thousand_surveys_through_a_lossy_link_exactly_once() -> anyhow::Result<()> {
    let (_served, server, proxy) = serve_web_app().await?;
    let profile = tempfile::tempdir()?;
    mobile::sync_client::SyncClient::new(&server.url())?;

    // The app loads and enrols over a clean link; the forms and centros arrive.
    let b = Browser::phone("pwa-sync", profile.path()).await?;
    b.client.goto(&format!("{}/app/", proxy.url())).await?;
    b.type_into("#usuario", "enc.ana").await?;
    b.type_into("#contrasena", sync_server::demo::DEMO_PASSWORD).await?;
    b.click("#registrar").await?;
    b.find(".centro button.big:not([disabled])").await?;
    let centro = resolved(&b, "window.ventanilla.call({ call: 'home' }).then((h) => h.centros[0].info.centro_id)").await?;
    let centro = centro.as_str().ok_or_else(|| anyhow::anyhow!("no centro: {centro}"))?.to_string();

    // Offline, the surveyor fills 1,000 surveys.
    proxy.set_offline(true);
    let mut answers: Vec<(&str, &str)> = crate::field::SURVEY.iter().copied().filter(|(p, _)| *p != "P0").collect();
    answers.insert(1, ("P0", "otro"));
    answers.insert(2, ("P0_otro", "constancia de no adeudo"));
    let answers = serde_json::to_value(&answers)?;
    let mut ids = HashSet::new();
    b.client.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(Some(Duration::from_secs(600)), None, None)).await?;
    for _ in 0..SURVEYS / CHUNK {
        let chunk = b.client.execute_async(&async_body(FILL), vec![centro.clone().into(), CHUNK.into(), answers.clone()]).await?;
        let chunk: Vec<String> = serde_json::from_value(chunk.clone()).map_err(|e| anyhow::anyhow!("{e}: {chunk}"))?;
        ids.extend(chunk);
    }
    assert_eq!(ids.len(), SURVEYS);
    b.client.refresh().await?;
    b.wait_text("1,000 registros por enviar").await?;
    b.shot("01-mil-por-enviar").await?;

    // The link comes back lossy: requests dropped, bodies cut, answers lost after commit.
    // Sync is asked for as a surveyor would press «Sincronizar» (the engine's own backoff
    // would wait up to five minutes between rounds).
    // The first pushes meet each fault for certain; the dice decide the rest.
    proxy.set_faults(Faults { drop_request: 0.3, cut_request: 0.1, drop_response: 0.3, seed: 0x3A5 });
    proxy.force("/api/v1/sync/push", &[Fault::DropResponse, Fault::CutRequest, Fault::DropRequest, Fault::DropResponse]);
    proxy.set_offline(false);
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let view = resolved(&b, "window.ventanilla.call({ call: 'sync_now' }).then(() => window.ventanilla.call({ call: 'sync_view' }))").await?;
        let (pending, problems) = (view["outbox"]["pending"].as_u64(), view["outbox"]["problems"].as_u64());
        anyhow::ensure!(problems == Some(0), "no survey refused: {view}");
        if pending == Some(0) {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "the outbox never drained: {view}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let faults = format!(
        "{} requests, {} dropped, {} cut, {} answers dropped after commit",
        proxy.count(|s| &s.requests),
        proxy.count(|s| &s.dropped_requests),
        proxy.count(|s| &s.cut_requests),
        proxy.count(|s| &s.dropped_responses)
    );
    eprintln!("proxy: {faults}");
    assert!(proxy.count(|s| &s.dropped_requests) > 0 && proxy.count(|s| &s.dropped_responses) > 0 && proxy.count(|s| &s.cut_requests) > 0, "every kind of fault happened: {faults}");

    // The server holds exactly those 1,000 surveys, each once.
    let stored = crate::field_sync::stored_ids(&server.url()).await?;
    assert_eq!(stored.len(), SURVEYS, "no survey lost, none stored twice");
    assert_eq!(stored.into_iter().collect::<HashSet<_>>(), ids);
    proxy.set_faults(Faults::none());
    b.client.refresh().await?;
    b.wait_text("0 registros por enviar").await?;
    b.shot("02-enviados").await?;
    Ok(())
}

/// An async script body for WebDriver's execute-async: `body` may `await` and `return`.
fn async_body(body: &str) -> String {
    format!("const done = arguments[arguments.length - 1]; (async () => {{ {body} }})().then(done, (e) => done({{ error: String(e && (e.message || JSON.stringify(e))) }}));")
}
