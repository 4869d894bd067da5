//! The web console in headless Chromium against the real server: login, the ranking, the
//! review queue (a rejection whose reason the phone then pulls). Screenshots:
//! `target/screenshots/console/`.

use mobile::sync_client::SyncClient;
use shared::protocol::{ChangeBody, PushRequest};

use crate::browser::Browser;
use crate::helpers::spawn_server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_signs_in_reads_the_ranking_and_rejects_a_survey() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    // A phone sends surveys; one, answered in 20 seconds, waits in review.
    let phone = SyncClient::new(&server.url())?;
    let enrolled = phone.enrol("enc.ana", sync_server::demo::DEMO_PASSWORD, "Teléfono").await?;
    let phone = phone.with_token(enrolled.token);
    let mut surveys: Vec<_> = (0..40u128).map(|i| crate::field::sealed_survey(i, "GTO-E-T-01", 150)).collect();
    surveys.push(crate::field::sealed_survey(99, "GTO-E-T-01", 20));
    let flagged = surveys[40].id;
    let now = chrono::Utc::now().fixed_offset();
    phone.push(&PushRequest { device_time: now, submissions: surveys, ledger: None, sampling: vec![] }).await?;

    let b = Browser::start("console", 1280, 900).await?;
    b.client.goto(&format!("{}/consola", server.url())).await?;
    b.find("#usuario").await?;
    b.shot("01-entrar").await?;
    b.type_into("#usuario", "sup.norte").await?;
    b.type_into("#contrasena", "equivocada").await?;
    b.click("#entrar").await?;
    b.wait_text("Usuario o contraseña incorrectos.").await?;
    b.type_into("#usuario", "sup.norte").await?;
    b.type_into("#contrasena", sync_server::demo::DEMO_PASSWORD).await?;
    b.click("#entrar").await?;
    b.wait_text("Estatal · trámites").await?;
    b.wait_text("Recaudación León Centro").await?;
    b.shot("02-resultados").await?;

    b.click("nav a[href='/consola/revision']").await?;
    b.find(&format!("[data-submission='{flagged}']")).await?;
    b.shot("03-revision").await?;
    // The item opens to its answers, its flags with their figures and the surveyor's day.
    b.click(&format!("[data-submission='{flagged}'] a")).await?;
    b.wait_text("Otras encuestas de").await?;
    b.find("#alertas li[data-flag]").await?;
    b.find("#respuestas dd[data-answer='P0']").await?;
    b.shot("03b-encuesta-en-revision").await?;
    // Rejecting asks first: the reason and the final button are behind «Rechazar…».
    assert!(!b.find("#confirmar-rechazo").await?.is_displayed().await?, "the rejection is one step away");
    b.click("#rechazo summary").await?;
    b.type_into("#motivo", "Duró 20 segundos: repítala con la siguiente persona.").await?;
    b.shot("03c-confirmar-rechazo").await?;
    b.click("#confirmar-rechazo").await?;
    b.wait_text("Encuesta rechazada").await?;
    b.shot("04-rechazada").await?;

    b.click("nav a[href='/consola/campo']").await?;
    b.wait_text("Avance contra la cuota").await?;
    b.shot("05-trabajo-de-campo").await?;
    b.client.goto(&format!("{}/consola/resultados", server.url())).await?;
    b.click("tr[data-centro='GTO-E-T-01'] a").await?;
    b.wait_text("Satisfacción por dimensión").await?;
    b.shot("06-centro").await?;

    let page = phone.pull(0).await?;
    let reason = page.changes.iter().find_map(|c| match &c.body {
        ChangeBody::Review { submission_id, reason, .. } if *submission_id == flagged => reason.clone(),
        _ => None,
    });
    assert_eq!(reason.as_deref(), Some("Duró 20 segundos: repítala con la siguiente persona."));
    b.close().await?;
    Ok(())
}

/// Signs in to the console as program staff, and waits for the results page.
async fn staff_sign_in(b: &Browser, base: &str) -> anyhow::Result<()> {
    b.client.goto(&format!("{base}/consola/entrar")).await?;
    b.type_into("#usuario", "coordinacion").await?;
    b.type_into("#contrasena", sync_server::demo::DEMO_PASSWORD).await?;
    b.click("#entrar").await?;
    b.wait_text("Resultados").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_upload_an_xlsform_and_see_its_errors_by_row() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let dir = tempfile::tempdir()?;
    // A form with an unknown question type on row 3 of the survey sheet.
    let path = dir.path().join("formulario.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in [
        ("survey", vec![vec!["type", "name", "label"], vec!["text", "nombre", "Nombre"], vec!["texto_largo", "comentario", "Comentario"]]),
        ("settings", vec![vec!["form_id", "version"], vec!["piloto", "1"]]),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, *cell)?;
            }
        }
    }
    wb.save(&path)?;
    // A tablet in portrait.
    let b = Browser::start("console", 820, 1180).await?;
    staff_sign_in(&b, &server.url()).await?;
    b.click("nav a[href='/consola/admin']").await?;
    b.find("#xlsform").await?.send_keys(&path.display().to_string()).await?;
    b.click("#revisar-formulario").await?;
    b.find("#errores tr[data-row='3']").await?;
    b.wait_text("texto_largo").await?;
    b.shot("07-xlsform-con-errores-tableta").await?;
    b.close().await?;
    Ok(())
}

/// Ids in the first column of a downloaded export (CSV or XLSX), header left out.
fn exported_ids(name: &str, bytes: &[u8]) -> anyhow::Result<Vec<String>> {
    if name.ends_with(".csv") {
        let text = std::str::from_utf8(bytes)?.trim_start_matches('\u{feff}');
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        anyhow::ensure!(rows.headers()?.get(0) == Some("_id"), "unexpected header");
        return rows.records().map(|r| Ok(r?.get(0).unwrap_or_default().to_string())).collect();
    }
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec()))?;
    let sheet = book.sheet_names().first().cloned().ok_or_else(|| anyhow::anyhow!("no sheet"))?;
    let range = book.worksheet_range(&sheet)?;
    Ok(range.rows().skip(1).map(|r| r.first().map(|c| c.to_string()).unwrap_or_default()).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_download_every_export_in_the_browser() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let now = chrono::Utc::now().fixed_offset();
    let surveys: Vec<_> = (0..7u128).map(|i| crate::field::sealed_survey(700 + i, "GTO-E-T-01", 150)).collect();
    let visits = vec![crate::field::sealed_visit(71, "GTO-E-T-01"), crate::field::sealed_visit(72, "GTO-E-T-03")];
    let mut expected = std::collections::BTreeMap::new();
    expected.insert("encuesta_opinion-2025010102", surveys.iter().map(|s| s.id.to_string()).collect::<std::collections::BTreeSet<_>>());
    expected.insert("cedula_visita-2025010101", visits.iter().map(|s| s.id.to_string()).collect());
    for (user, submissions) in [("enc.ana", surveys), ("insp.carmen", visits)] {
        let phone = SyncClient::new(&server.url())?;
        let enrolled = phone.enrol(user, sync_server::demo::DEMO_PASSWORD, "Teléfono").await?;
        let answer = phone.with_token(enrolled.token).push(&PushRequest { device_time: now, submissions, ledger: None, sampling: vec![] }).await?;
        anyhow::ensure!(answer.results.iter().all(|r| r.error.is_none()), "{:?}", answer.results);
    }
    let b = Browser::start("console", 1280, 900).await?;
    staff_sign_in(&b, &server.url()).await?;
    for (form, ids) in &expected {
        for ext in ["csv", "xlsx"] {
            b.client.goto(&format!("{}/consola/admin", server.url())).await?;
            // The four buttons of Administración → Exportación, each through its progress page.
            b.click(&format!("[data-export='{form}-{ext}']")).await?;
            b.click("#descargar").await?;
            if ext == "xlsx" && form.starts_with("encuesta") {
                b.shot("08-exportacion-lista").await?;
            }
            let name = format!("{form}.{ext}");
            let bytes = b.downloaded(&name).await?;
            let got: std::collections::BTreeSet<_> = exported_ids(&name, &bytes)?.into_iter().collect();
            assert_eq!(&got, ids, "the rows of {name}");
        }
    }
    b.close().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_administer_on_a_tablet_without_raw_json() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let phone = SyncClient::new(&server.url())?;
    phone.enrol("enc.ana", sync_server::demo::DEMO_PASSWORD, "Teléfono de Ana").await?;
    let b = Browser::start("console-tablet", 820, 1180).await?;
    staff_sign_in(&b, &server.url()).await?;
    b.shot("01-resultados").await?;

    // Devices are found by their user and named by them; revoking asks first.
    b.client.goto(&format!("{}/consola/admin", server.url())).await?;
    b.type_into("#buscar-d", "ana").await?;
    b.click("#buscar-d-boton").await?;
    b.wait_text("Teléfono de Ana").await?;
    b.find("#lista-dispositivos tr[data-device]").await?;
    let listed = b.text().await?;
    assert!(listed.contains("Ana Torres (enc.ana)"), "the device is named by its user");
    b.click("#lista-dispositivos details summary").await?;
    b.shot("02-dar-de-baja-pregunta").await?;
    b.click("#lista-dispositivos button[data-revoke]").await?;
    b.wait_text("Dispositivo dado de baja").await?;

    // Users are listed and searched.
    b.type_into("#buscar-u", "sup").await?;
    b.click("#buscar-u-boton").await?;
    // The unfiltered list holds sup.norte too: the search's page is the one without enc.ana.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while b.has("#lista-usuarios tr[data-user='enc.ana']").await {
        anyhow::ensure!(std::time::Instant::now() < deadline, "the search leaves others out");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    b.find("#lista-usuarios tr[data-user='sup.norte']").await?;
    b.shot("03-usuarios").await?;

    // A centro's k and trámites are edited with today's values in the form.
    b.click("#editar-centro").await?;
    b.find("#ajustes").await?;
    let k = b.attr("#ce-k", "value").await?;
    assert!(k.as_deref().is_some_and(|k| k.parse::<u32>().is_ok()), "k is filled in: {k:?}");
    b.shot("04-centro-muestreo-y-tramites").await?;

    // The method is a form; a wrong value is said beside its field and kept.
    b.client.goto(&format!("{}/consola/periodos/2025#metodo", server.url())).await?;
    b.find("#m-z").await?.clear().await?;
    b.type_into("#m-z", "uno").await?;
    b.click("#guardar-metodo").await?;
    b.wait_text("Revise los campos marcados").await?;
    assert_eq!(b.attr("#m-z", "value").await?.as_deref(), Some("uno"));
    b.find("[data-setting='z'] .field-error").await?;
    b.shot("05-metodo-con-error").await?;

    // Every other screen of the console, checked at tablet size too.
    for (link, shot) in [("campo", "06-trabajo-de-campo"), ("revision", "07-revision"), ("incorporacion", "08-incorporacion"), ("capacitaciones", "09-capacitaciones")] {
        b.click(&format!("nav a[href='/consola/{link}']")).await?;
        b.find(&format!("nav a.on[href='/consola/{link}']")).await?;
        b.shot(shot).await?;
    }
    b.client.goto(&format!("{}/consola/centros/GTO-E-T-01", server.url())).await?;
    b.wait_text("Satisfacción por dimensión").await?;
    b.shot("10-centro").await?;
    b.client.goto(&format!("{}/consola/centros/GTO-E-T-01/informe", server.url())).await?;
    b.find("main").await?;
    b.shot("11-informe").await?;
    b.close().await?;
    Ok(())
}
