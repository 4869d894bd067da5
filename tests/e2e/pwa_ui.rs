//! The field app as an installable offline web app (the same Dioxus screens compiled to
//! wasm, the store on OPFS in a Worker, a service worker for the shell), in headless
//! Chromium with a phone profile (360×800, touch, Android user agent), served by the real
//! sync-server at `/app/` through the fault-injecting proxy. Offline means both Chromium's
//! network emulation (`navigator.onLine` false, the page's requests fail) and the proxy refusing every
//! connection (nothing reaches the server). Needs the web build (`scripts/build-pwa.sh`, run
//! by `scripts/test.sh`). Screenshots: `target/screenshots/pwa/` and `pwa-visita/`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::app_ui::{advance_from, answer_survey, choose, current_path, moved_from};
use crate::browser::Browser;
use crate::helpers::spawn_server_with;
use crate::proxy::{Faults, spawn_proxy};

/// The web build the test serves; it must have been made first.
pub(crate) fn web_build() -> anyhow::Result<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/pwa/app");
    anyhow::ensure!(dir.join("index.html").is_file() && dir.join("ventanilla_bg.wasm").is_file(), "no web build in {}: run scripts/build-pwa.sh", dir.display());
    Ok(dir)
}

/// Copies the web build into `to` (the server serves the copy, which the test then
/// changes to publish a new version).
pub(crate) fn copy_build(from: &std::path::Path, to: &std::path::Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_build(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// The real server serving a copy of the web build (which a test may change), behind the
/// fault proxy (a clean link until told otherwise).
pub(crate) async fn serve_web_app() -> anyhow::Result<(tempfile::TempDir, crate::helpers::TestServer, crate::proxy::FaultProxy)> {
    let served = tempfile::tempdir()?;
    copy_build(&web_build()?, served.path())?;
    let app_dir = served.path().to_path_buf();
    let server = spawn_server_with(|c| c.app_dir = Some(app_dir)).await?;
    let proxy = spawn_proxy(server.address, Faults::none()).await?;
    Ok((served, server, proxy))
}

/// Publishes a new version of the served app: another build id for the service worker and
/// a page that says it is version 2.
fn publish_new_version(dir: &std::path::Path) -> anyhow::Result<()> {
    let sw = std::fs::read_to_string(dir.join("sw.js"))?;
    let (head, rest) = sw.split_once("const BUILD = \"").ok_or_else(|| anyhow::anyhow!("no build id in sw.js"))?;
    std::fs::write(dir.join("sw.js"), format!("{head}const BUILD = \"v2-{rest}"))?;
    let page = std::fs::read_to_string(dir.join("index.html"))?;
    std::fs::write(dir.join("index.html"), page.replace("<title>", "<meta name=\"version-de-prueba\" content=\"2\"><title>"))?;
    Ok(())
}

/// Takes the phone's network away (or gives it back) twice over: the browser's own network
/// emulation (`navigator.onLine`, every request of the page fails) and the proxy, which
/// then refuses every connection as a stopped server would.
async fn network(b: &Browser, proxy: &crate::proxy::FaultProxy, online: bool) -> anyhow::Result<()> {
    b.cdp("Network.enable", serde_json::json!({})).await?;
    b.cdp("Network.emulateNetworkConditions", serde_json::json!({ "offline": !online, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 })).await?;
    proxy.set_offline(!online);
    Ok(())
}

/// Waits until `script` (an expression) is true in the page.
async fn until(b: &Browser, what: &str, script: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let v = b.client.execute(&format!("return !!({script});"), vec![]).await?;
        if v == serde_json::json!(true) {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "{what}: never true ({script})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for a Promise-valued expression and returns what it resolved to.
pub(crate) async fn resolved(b: &Browser, script: &str) -> anyhow::Result<serde_json::Value> {
    Ok(b.client.execute_async(&format!("const done = arguments[arguments.length - 1]; Promise.resolve({script}).then(done, (e) => done('error: ' + e));"), vec![]).await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_app_installs_and_works_offline_through_a_reload_and_a_killed_browser() -> anyhow::Result<()> {
    let (served, server, proxy) = serve_web_app().await?;
    let url = format!("{}/app/", proxy.url());
    let profile = tempfile::tempdir()?;
    // The app's client sets up TLS for the test's own HTTP requests.
    mobile::sync_client::SyncClient::new(&server.url())?;

    // First visit: the shell, the wasm and the Worker load; the service worker keeps them.
    let b = Browser::phone("pwa", profile.path()).await?;
    b.client.goto(&url).await?;
    b.find("#registro").await?;
    until(&b, "the service worker controls the page", "navigator.serviceWorker && navigator.serviceWorker.controller").await?;
    let cached = resolved(&b, "caches.keys().then(async (ks) => { const c = await caches.open(ks.find((k) => k.startsWith('ventanilla-app-'))); return (await c.keys()).map((r) => new URL(r.url).pathname); })").await?;
    let cached: Vec<String> = serde_json::from_value(cached)?;
    for file in ["/app/", "/app/ventanilla_bg.wasm", "/app/ventanilla.js", "/app/worker.js", "/app/boot.js", "/app/manifest.webmanifest"] {
        assert!(cached.iter().any(|c| c == file), "{file} is kept for offline use; cached: {cached:?}");
    }
    // Installable («Agregar a la pantalla de inicio»): Chromium finds nothing missing.
    let errors = b.cdp("Page.getInstallabilityErrors", serde_json::json!({})).await?;
    assert_eq!(errors["installabilityErrors"], serde_json::json!([]), "installability: {errors}");
    let manifest: serde_json::Value = reqwest::get(format!("{url}manifest.webmanifest")).await?.json().await?;
    assert_eq!(manifest["display"], "standalone");
    assert_eq!(manifest["lang"], "es-MX");
    b.shot("01-registro").await?;

    // Enrol; the centros and the form arrive by sync.
    b.type_into("#usuario", "enc.ana").await?;
    b.type_into("#contrasena", sync_server::demo::DEMO_PASSWORD).await?;
    b.click("#registrar").await?;
    b.wait_text("Mis centros").await?;
    b.wait_text("Encuestar aquí").await?;
    b.find(".centro button.big:not([disabled])").await?;
    b.shot("02-inicio").await?;

    // The network goes: nothing reaches the server from here on.
    network(&b, &proxy, false).await?;
    b.click(".centro button.big").await?;
    b.find("#contador").await?;
    while !b.has("#iniciar").await {
        let before = b.find(".count").await?.text().await?;
        b.click("#contar").await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while b.has("#contar").await && b.find(".count").await?.text().await? == before {
            anyhow::ensure!(Instant::now() < deadline, "the counter did not count");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    b.click("#iniciar").await?;
    let mut answers: HashMap<&str, &str> = crate::field::SURVEY.iter().copied().collect();
    answers.insert("P0", "otro");
    answers.insert("P0_otro", "constancia de no adeudo");
    answer_survey(&b, &answers, Some("DE1")).await?;
    assert_eq!(current_path(&b).await?, "DE1");
    b.shot("03-sin-red-a-media-encuesta").await?;

    // Reloaded mid-survey with no network: the app opens from the service worker's copy,
    // and the draft is there, at the same question.
    b.client.refresh().await?;
    b.find("#borradores").await?;
    b.click("#borradores .row-button").await?;
    b.find(".question[data-path='DE1']").await?;
    b.shot("04-recargada-sin-red").await?;

    // An answer shown as saved survives the browser being killed at once.
    choose(&b, "DE1", "4").await?;
    assert_eq!(moved_from(&b, "DE1").await?, "DE2");
    b.kill();
    let b = Browser::phone("pwa", profile.path()).await?;
    network(&b, &proxy, false).await?;
    b.client.goto(&url).await?;
    b.find("#borradores").await?;
    b.click("#borradores .row-button").await?;
    b.find(".question[data-path='DE2']").await?;
    b.click("#anterior").await?;
    b.find(".question[data-path='DE1'] button[data-choice='4'][aria-pressed='true']").await?;
    b.shot("05-tras-matar-el-navegador").await?;
    advance_from(&b, "DE1").await?;

    // Finished and saved with no network: it waits in the outbox.
    answer_survey(&b, &answers, None).await?;
    b.click("#terminar").await?;
    b.find("#resumen").await?;
    b.click("#guardar").await?;
    b.find("#guardado").await?;
    b.click("#continuar").await?;
    b.click(".back").await?;
    b.wait_text("1 registro por enviar").await?;
    b.shot("06-por-enviar-sin-red").await?;
    // Enrolling again would not lose it, and the app says so before.
    b.click("#registrar-de-nuevo").await?;
    b.find("#confirmar-registro-nuevo").await?;
    b.wait_text("1 registro sin enviar").await?;
    b.shot("06b-aviso-antes-de-registrar").await?;
    b.click("#no-registro-nuevo").await?;
    b.wait_text("1 registro por enviar").await?;

    // A new version is published while the phone is offline with the record unsent: the
    // installed one keeps working offline, untouched.
    publish_new_version(served.path())?;
    b.client.refresh().await?;
    b.wait_text("1 registro por enviar").await?;
    assert!(!b.has("meta[name='version-de-prueba']").await, "offline, the installed version stays");

    // Back online, the new version arrives whole in the background and waits for the
    // person; «Actualizar» switches to it, and the record is still there to send.
    network(&b, &proxy, true).await?;
    b.client.refresh().await?;
    b.find("#version-nueva:not([hidden])").await?;
    b.shot("06c-version-nueva").await?;
    b.click("#actualizar").await?;
    b.find("meta[name='version-de-prueba']").await?;
    b.wait_text("Mis centros").await?;

    // The outbox drains, and the server holds the survey once.
    b.click("#estado").await?;
    b.click("#sincronizar").await?;
    b.wait_text("0 registros por enviar").await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    while b.find("#enviados td:nth-child(3)").await?.text().await? != "1" {
        anyhow::ensure!(Instant::now() < deadline, "the server's receipt never showed the survey");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.shot("07-sincronizada").await?;
    let stored = crate::field_sync::stored_ids(&server.url()).await?;
    assert_eq!(stored.len(), 1, "the survey reached the server exactly once: {stored:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspector_visits_offline_on_a_phone_with_a_camera_photo_and_the_browsers_location() -> anyhow::Result<()> {
    use crate::app_ui::{FIRST_VISIT, answer_plainly, next_page, visible_paths};
    let (_served, server, proxy) = serve_web_app().await?;
    let profile = tempfile::tempdir()?;
    mobile::sync_client::SyncClient::new(&server.url())?;

    // The phone knows where it is, and the person allowed the app to ask.
    let b = Browser::phone("pwa-visita", profile.path()).await?;
    b.cdp("Browser.grantPermissions", serde_json::json!({ "permissions": ["geolocation"], "origin": proxy.url() })).await?;
    b.cdp("Emulation.setGeolocationOverride", serde_json::json!({ "latitude": 21.12194, "longitude": -101.68306, "accuracy": 12 })).await?;
    b.client.goto(&format!("{}/app/", proxy.url())).await?;
    b.type_into("#usuario", "insp.carmen").await?;
    b.type_into("#contrasena", sync_server::demo::DEMO_PASSWORD).await?;
    b.click("#registrar").await?;
    b.wait_text("Iniciar visita").await?;
    b.find(".centro button.big:not([disabled])").await?;
    until(&b, "the service worker controls the page", "navigator.serviceWorker && navigator.serviceWorker.controller").await?;

    // No network from here until the end of the visit.
    network(&b, &proxy, false).await?;
    b.click(".centro button.big").await?;
    b.find("#formulario").await?;
    // The visit keeps where it was started: the browser's position, with its accuracy.
    let deadline = Instant::now() + Duration::from_secs(60);
    let position = loop {
        let p = resolved(&b, "window.ventanilla.call({ call: 'home' }).then((h) => window.ventanilla.call({ call: 'draft', id: h.drafts[0].id })).then((d) => d.draft.position)").await?;
        if let Some(p) = p.as_str() {
            break p.to_string();
        }
        anyhow::ensure!(Instant::now() < deadline, "the browser's position never reached the draft: {p}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(position.starts_with("21.121940 -101.683060") && position.ends_with(" 12.0"), "{position}");
    let photo = profile.path().join("camara.jpg");
    image::RgbImage::from_fn(3000, 2250, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])).save(&photo)?;
    let mut photo_taken = false;
    for _ in 0..150 {
        for path in visible_paths(&b).await? {
            let name = path.rsplit('/').next().unwrap_or_default().to_string();
            answer_plainly(&b, &path, &name, &FIRST_VISIT).await?;
        }
        if !photo_taken && b.has("#foto-AG-V1").await {
            // The camera's input: a picture chosen as the phone's camera would hand it over.
            assert_eq!(b.attr("#foto-AG-V1", "accept").await?.as_deref(), Some("image/*"));
            assert!(b.attr("#foto-AG-V1", "capture").await?.is_some(), "the input asks for the camera");
            b.find("#foto-AG-V1").await?.send_keys(&photo.display().to_string()).await?;
            b.wait_text("1 guardada)").await?;
            b.find(".photo-thumbs li img").await?;
            b.shot("01-visita-foto-sin-red").await?;
            photo_taken = true;
        }
        if b.has("#terminar").await {
            break;
        }
        next_page(&b).await?;
    }
    assert!(photo_taken, "the first pillar offers an evidence photo");
    b.click("#terminar").await?;
    b.find("#resumen").await?;
    b.click("#guardar").await?;
    b.find("#guardado").await?;
    b.click("#continuar").await?;
    b.wait_text("1 registro por enviar").await?;
    b.shot("02-visita-por-enviar").await?;

    // The photo, downscaled on the phone, waits in the Worker's store with the record.
    let view = resolved(&b, "window.ventanilla.call({ call: 'sync_view' })").await?;
    assert_eq!(view["photos_waiting"], 1, "{view}");
    let home = resolved(&b, "window.ventanilla.call({ call: 'home' })").await?;
    assert_eq!(home["outbox"]["pending"], 1, "{home}");

    // Back online: the visit and its photo reach the server.
    network(&b, &proxy, true).await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let view = resolved(&b, "window.ventanilla.call({ call: 'sync_now' }).then(() => window.ventanilla.call({ call: 'sync_view' }))").await?;
        if view["outbox"]["pending"] == 0 && view["photos_waiting"] == 0 {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "the visit never drained: {view}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    b.click("#estado").await?;
    b.wait_text("0 registros por enviar").await?;
    b.shot("03-visita-enviada").await?;
    let csv = crate::field_sync::export_csv(&server.url(), "cedula_visita", "2025010101").await?;
    assert_eq!(csv.lines().count(), 2, "one visit on the server: {csv}");

    // The app opened in a second tab cannot share the store (OPFS lets one Worker hold
    // it): that tab says so, and the first one keeps working.
    let first = b.client.window().await?;
    let second = b.client.new_window(true).await?;
    b.client.switch_to_window(second.handle).await?;
    b.client.goto(&format!("{}/app/", proxy.url())).await?;
    b.wait_text("La app ya está abierta en otra pestaña").await?;
    b.find("#reintentar").await?;
    b.shot("04-segunda-pestana").await?;
    b.client.close_window().await?;
    b.client.switch_to_window(first).await?;
    let home = resolved(&b, "window.ventanilla.call({ call: 'home' })").await?;
    assert_eq!(home["outbox"]["pending"], 0, "{home}");
    Ok(())
}
