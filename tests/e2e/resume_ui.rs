//! Picking work up on the phone (360×800) in headless Chromium: a survey reopened after a
//! reload comes back at its question; a discard asks first and can be undone the same day;
//! the summary before saving jumps to a question and back; a survey the supervisor rejects
//! shows the centro, the date in Spanish and the reason, and «Corregir y reenviar» sends a
//! new record naming it. Screenshots: `target/screenshots/resume/`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use mobile::sync::lock;

use crate::app_ui::{answer_survey, choose, current_path, enrol, moved_from, spawn_app};
use crate::browser::Browser;
use crate::helpers::spawn_server;

/// Waits until `css`'s text is `want`.
async fn wait_for_text_of(b: &Browser, css: &str, want: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let got = b.find(css).await?.text().await.unwrap_or_default();
        if got == want {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "«{css}» shows «{got}», not «{want}»");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_surveyor_resumes_discards_reviews_and_corrects_a_rejected_survey() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let dir = tempfile::tempdir()?;
    let (url, app) = spawn_app(&server.url(), dir.path()).await?;
    let b = Browser::start("resume", 360, 800).await?;
    b.client.goto(&url).await?;
    enrol(&b, "enc.ana").await?;
    b.wait_text("Encuestar aquí").await?;
    let centro = b.find(".centro .centro-head strong").await?.text().await?;
    b.click(".centro button.big").await?;
    b.find("#contador").await?;
    while !b.has("#iniciar").await {
        b.click("#contar").await?;
        tokio::time::sleep(Duration::from_millis(80)).await;
    }
    b.click("#iniciar").await?;

    // The progress bar starts empty on the consent screen.
    assert_eq!(current_path(&b).await?, "consentimiento");
    assert_eq!(b.attr(".progress", "aria-valuenow").await?.as_deref(), Some("0"));
    choose(&b, "consentimiento", "si").await?;
    moved_from(&b, "consentimiento").await?;
    // The trámite question offers the centro's own trámites (set in the console), then «Otro».
    let first = b.find(".question[data-path='P0'] button[data-choice]").await?;
    let tramite = first.attr("data-choice").await?.unwrap_or_default();
    let tramite_label = first.text().await?;
    assert!(tramite != "otro" && !tramite.is_empty() && tramite_label.trim() == tramite.replace('_', " "), "{tramite} «{tramite_label}»");
    b.find(".question[data-path='P0'] button[data-choice='otro']").await?;
    assert!(!b.has(".question[data-path='P0'] button[data-choice='predial']").await, "not the form's fixed list");
    b.shot("02a-tramites-del-centro").await?;
    choose(&b, "P0", &tramite).await?;
    moved_from(&b, "P0").await?;
    choose(&b, "AG1", "10a20").await?;
    let left_at = moved_from(&b, "AG1").await?;

    // A reload (the browser or the app restarted): the draft reopens at the same question.
    b.client.refresh().await?;
    b.find("#borradores").await?;
    b.wait_text("3 respuestas").await?;
    b.shot("01-inicio-con-borrador").await?;
    b.click("#borradores .row-button").await?;
    b.find(&format!(".question[data-path='{left_at}']")).await?;
    b.shot("02-retoma-en-la-pregunta").await?;

    // Discarding asks first; «No» keeps everything.
    b.click("#descartar").await?;
    b.find("#confirmar-descarte").await?;
    b.shot("03-confirmar-descarte").await?;
    b.click("#no-descarte").await?;
    b.find(&format!(".question[data-path='{left_at}']")).await?;
    // Discarded, it waits in «Descartados hoy» and comes back whole.
    b.click("#descartar").await?;
    b.click("#si-descarte").await?;
    b.find("#descartados").await?;
    anyhow::ensure!(!b.has("#borradores").await, "a discarded draft left the list");
    b.shot("04-descartados-hoy").await?;
    b.click("#descartados [data-restore]").await?;
    b.find(&format!(".question[data-path='{left_at}']")).await?;

    // The rest of the survey, then the summary: a row jumps to its question and back.
    let answers: HashMap<&str, &str> = crate::field::SURVEY.iter().copied().collect();
    answer_survey(&b, &answers, None).await?;
    b.click("#terminar").await?;
    b.find("#resumen").await?;
    b.wait_text(tramite_label.trim()).await?;
    b.shot("05-resumen").await?;
    b.click("[data-summary='AG2']").await?;
    b.find(".question[data-path='AG2']").await?;
    b.find("#volver-resumen").await?;
    b.shot("06-desde-el-resumen").await?;
    b.click("#volver-resumen").await?;
    b.find("#resumen").await?;
    b.click("#guardar").await?;
    b.find("#guardado").await?;

    // Sent; the supervisor's coordinator rejects it with a reason.
    let deadline = Instant::now() + Duration::from_secs(120);
    let original = loop {
        if let Some(r) = lock(app.store()).sent_records(1)?.into_iter().next() {
            break r.id;
        }
        anyhow::ensure!(Instant::now() < deadline, "the survey was not sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let staff = mobile::sync_client::SyncClient::new(&server.url())?.enrol("coordinacion", sync_server::demo::DEMO_PASSWORD, "Escritorio").await?;
    let reason = "AG2 quedó mal anotada: confírmela con la persona.";
    reqwest::Client::new()
        .post(format!("{}/api/v1/review/{original}", server.url()))
        .bearer_auth(&staff.token)
        .json(&serde_json::json!({"decision": "reject", "reason": reason}))
        .send()
        .await?
        .error_for_status()?;
    app.sync_now();
    b.click("#continuar").await?;
    b.click(".back").await?;
    b.find("#rechazadas").await?;
    b.wait_text(reason).await?;
    let row = b.find(&format!("[data-rejected='{original}']")).await?.text().await?;
    anyhow::ensure!(row.contains(&centro), "the centro's name: {row}");
    let today = lock(app.store()).today();
    anyhow::ensure!(row.contains(&shared::words::date(today)), "the date in Spanish: {row}");
    b.shot("07-rechazada-en-inicio").await?;

    // Opened, it shows its answers; corrected, it is a new record naming the rejected one.
    b.click(&format!("[data-rejected='{original}']")).await?;
    b.find("#registro-enviado").await?;
    b.wait_text(tramite_label.trim()).await?;
    b.shot("08-registro-rechazado").await?;
    b.click("#corregir").await?;
    b.find("#resumen").await?;
    b.click("[data-summary='AG2']").await?;
    choose(&b, "AG2", "5").await?;
    b.click("#volver-resumen").await?;
    b.find("#resumen").await?;
    b.shot("09-correccion-resumen").await?;
    b.click("#guardar").await?;
    b.find("#guardado").await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    let correction = loop {
        let sent = lock(app.store()).sent_records(5)?;
        if let Some(r) = sent.into_iter().find(|r| r.id != original) {
            break r.id;
        }
        anyhow::ensure!(Instant::now() < deadline, "the correction was not sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let sent = lock(app.store()).sent_submission(correction)?.ok_or_else(|| anyhow::anyhow!("no copy of the correction"))?;
    assert_eq!(sent.meta.replaces, Some(original));
    assert_eq!(shared::protocol::answers_from_wire(&sent.answers).value("AG2"), "5");
    b.click("#continuar").await?;
    b.click(".back").await?;
    b.find("#centros").await?;
    anyhow::ensure!(!b.has("#rechazadas").await, "a corrected record leaves the rejected list");
    wait_for_text_of(&b, "#estado .pill", "0 registros por enviar").await?;
    b.shot("10-inicio-tras-corregir").await?;
    b.close().await?;
    Ok(())
}
