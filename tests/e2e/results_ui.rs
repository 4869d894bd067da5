//! The program's year in headless Chromium: staff close the period and ask for its
//! publication, an admin confirms it, and anyone (no login) reads the public ranking and a
//! centro's public report, which prints to PDF. Screenshots and the PDF's first page:
//! `target/screenshots/results/`.

use mobile::sync_client::SyncClient;
use shared::protocol::PushRequest;

use crate::browser::Browser;
use crate::field::{sealed_survey, sealed_visit};
use crate::helpers::spawn_server;

const PASSWORD: &str = sync_server::demo::DEMO_PASSWORD;

/// Two ranked centros in estatal · trámites: lowered eligibility and tiers, surveys and a
/// visit each.
async fn ranked_program(base: &str) -> anyhow::Result<()> {
    // Building the app's client installs the TLS provider reqwest needs (ring).
    let _ = SyncClient::new(base)?;
    let http = reqwest::Client::new();
    let token = |user: &'static str| {
        let http = http.clone();
        async move {
            let body = serde_json::json!({"username": user, "password": PASSWORD, "device_label": "e2e"});
            let v: serde_json::Value = http.post(format!("{base}/api/v1/auth/enrol")).json(&body).send().await?.error_for_status()?.json().await?;
            anyhow::Ok(v["token"].as_str().unwrap_or_default().to_string())
        }
    };
    let staff = token("coordinacion").await?;
    let mut settings = serde_json::to_value(shared::scoring::MethodSettings::default())?;
    settings["eligibility"]["min_surveys"] = 2.into();
    settings["eligibility"]["min_visits"] = 1.into();
    settings["commitments"]["min_commitments"] = 0.into();
    for t in ["outstanding_min", "outstanding_lower_min", "satisfactory_min"] {
        settings["tiers"][t] = 0.0.into();
    }
    let period = serde_json::json!({"name": "Evaluación MAS 2025", "start": "2025-01-01", "end": "2025-12-31", "settings": settings});
    http.put(format!("{base}/api/v1/periods/2025")).bearer_auth(&staff).json(&period).send().await?.error_for_status()?;
    let now = chrono::Utc::now().fixed_offset();
    for (user, submissions) in [
        ("enc.ana", (0..3).flat_map(|i| [sealed_survey(300 + i, "GTO-E-T-01", 150), sealed_survey(400 + i, "GTO-E-T-03", 150)]).collect::<Vec<_>>()),
        ("insp.carmen", vec![sealed_visit(1, "GTO-E-T-01"), sealed_visit(2, "GTO-E-T-03")]),
    ] {
        let phone = SyncClient::new(base)?;
        let enrolled = phone.enrol(user, PASSWORD, "Teléfono").await?;
        let answer = phone.with_token(enrolled.token).push(&PushRequest { device_time: now, submissions, ledger: None, sampling: vec![] }).await?;
        anyhow::ensure!(answer.results.iter().all(|r| r.error.is_none()), "{:?}", answer.results);
    }
    Ok(())
}

async fn sign_in(b: &Browser, base: &str, user: &str) -> anyhow::Result<()> {
    b.client.goto(&format!("{base}/consola/entrar")).await?;
    b.type_into("#usuario", user).await?;
    b.type_into("#contrasena", PASSWORD).await?;
    b.click("#entrar").await?;
    b.wait_text("Resultados").await
}

async fn change_state(b: &Browser, action: &str, reason: &str, done: &str) -> anyhow::Result<()> {
    b.type_into(&format!("#motivo-{action}"), reason).await?;
    b.click(&format!("form.state-change:has(#motivo-{action}) button")).await?;
    b.wait_text(done).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_close_an_admin_publishes_and_anyone_reads_and_prints_the_results() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let base = server.url();
    ranked_program(&base).await?;

    let b = Browser::start("results", 1280, 900).await?;
    sign_in(&b, &base, "coordinacion").await?;
    b.client.goto(&format!("{base}/consola/admin")).await?;
    b.click("a[href='/consola/periodos/2025']").await?;
    b.find("[data-state='abierto']").await?;
    b.shot("01-periodo-abierto").await?;
    change_state(&b, "cerrar", "Terminó el trabajo de campo del semestre.", "Periodo cerrado: versión 1").await?;
    b.find("tr[data-version='1']").await?;
    b.shot("02-periodo-cerrado").await?;
    change_state(&b, "pedir", "Resultados revisados por coordinación.", "Publicación pedida").await?;
    b.click("form.logout button").await?;
    // Signed out when the sign-in form shows (not before: a navigation now would race it).
    b.find("#usuario").await?;

    sign_in(&b, &base, "admin").await?;
    b.client.goto(&format!("{base}/consola/periodos/2025")).await?;
    change_state(&b, "publicar", "Aprobado por el comité del programa.", "Resultados oficiales publicados").await?;
    b.find("[data-state='publicado']").await?;
    b.shot("03-publicado").await?;
    // Administrators see the server's latency per route over the last hour.
    b.client.goto(&format!("{base}/consola/admin#latencia")).await?;
    b.find("#tabla-latencia tr[data-route='POST /consola/periodos/{period}/estado']").await?;
    b.shot("03a-latencia").await?;
    // The centro report staff hand to the centro, printed by the browser (WebDriver's Print).
    b.client.goto(&format!("{base}/consola/centros/GTO-E-T-01/informe?periodo=2025")).await?;
    b.wait_text("Qué mejorar primero").await?;
    b.wait_text("Resultados oficiales, versión 1").await?;
    b.shot("03b-informe-del-centro").await?;
    let pdf = b.client.print(fantoccini::wd::PrintConfiguration::default()).await?;
    anyhow::ensure!(pdf.starts_with(b"%PDF") && pdf.len() > 2_000, "not a PDF ({} bytes)", pdf.len());
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots/results");
    std::fs::write(dir.join("03c-informe-del-centro.pdf"), &pdf)?;
    first_page_png(&dir.join("03c-informe-del-centro.pdf"), &dir.join("03c-informe-del-centro-pagina-1"))?;
    b.click("form.logout button").await?;
    // Signed out when the sign-in form shows (not before: a navigation now would race it).
    b.find("#usuario").await?;

    // The public side, signed out.
    b.client.goto(&format!("{base}/resultados")).await?;
    b.click("a[href='/resultados/2025']").await?;
    b.wait_text("Centros reconocidos").await?;
    b.find("[data-recognised]").await?;
    b.shot("04-ranking-publico").await?;
    b.click("[data-recognised] a").await?;
    b.wait_text("Satisfacción ciudadana (ISC)").await?;
    b.shot("05-informe-publico").await?;
    let report_url = b.client.current_url().await?.to_string();
    b.close().await?;

    // Printed as a person would: Chromium's own PDF of the public report.
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots/results");
    let pdf = dir.join("06-informe.pdf");
    let profile = tempfile::tempdir()?;
    let printed = tokio::task::spawn_blocking({
        let (pdf, profile) = (pdf.clone(), profile.path().to_path_buf());
        move || {
            std::process::Command::new("/usr/bin/chromium")
                .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"])
                .args(["--disable-component-update", "--disable-sync", "--no-pdf-header-footer"])
                .arg(format!("--user-data-dir={}", profile.display()))
                .arg(format!("--print-to-pdf={}", pdf.display()))
                .arg(&report_url)
                .output()
        }
    })
    .await??;
    anyhow::ensure!(printed.status.success(), "chromium --print-to-pdf failed: {}", String::from_utf8_lossy(&printed.stderr));
    let bytes = std::fs::read(&pdf)?;
    anyhow::ensure!(bytes.starts_with(b"%PDF") && bytes.len() > 2_000, "not a PDF ({} bytes)", bytes.len());
    first_page_png(&pdf, &dir.join("06-informe-pagina-1"))
}

/// The first page of a PDF as a PNG (`<stem>.png`), to look at.
fn first_page_png(pdf: &std::path::Path, stem: &std::path::Path) -> anyhow::Result<()> {
    let png = std::process::Command::new("pdftoppm").args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"]).arg(pdf).arg(stem).output()?;
    anyhow::ensure!(png.status.success(), "pdftoppm (scripts/setup.sh installs poppler-utils): {}", String::from_utf8_lossy(&png.stderr));
    Ok(())
}
