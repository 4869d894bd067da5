//! The field app's screens in a real browser engine: the same `App` served through Dioxus
//! liveview on 127.0.0.1 with its own store, the real server beside it, driven by Debian's
//! headless Chromium through WebDriver. Screenshots: `target/screenshots/app/`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use mobile::field::FieldApp;
use mobile::store::Store;
use mobile::sync::lock;

use crate::browser::Browser;
use crate::helpers::spawn_server;

/// Serves the app (liveview) on a free loopback port; returns its URL and handle.
pub(crate) async fn spawn_app(server: &str, dir: &std::path::Path) -> anyhow::Result<(String, FieldApp)> {
    let app = FieldApp::new(Store::open(&dir.join("app.db"))?, server);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(mobile::web::serve_on(app.clone(), listener));
    Ok((url, app))
}

pub(crate) async fn enrol(b: &Browser, username: &str) -> anyhow::Result<()> {
    b.find("#registro").await?;
    b.type_into("#usuario", username).await?;
    b.type_into("#contrasena", sync_server::demo::DEMO_PASSWORD).await?;
    b.click("#registrar").await?;
    b.wait_text("Mis centros").await?;
    Ok(())
}

/// The current question path (the first on the page).
pub(crate) async fn current_path(b: &Browser) -> anyhow::Result<String> {
    Ok(b.attr(".question", "data-path").await?.unwrap_or_default())
}

/// Clicks a choice of a question and waits until the app shows it chosen (or moved on).
pub(crate) async fn choose(b: &Browser, path: &str, value: &str) -> anyhow::Result<()> {
    let css = format!(".question[data-path='{path}'] button[data-choice='{value}']");
    b.click(&css).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        match b.client.find(Locator::Css(&css)).await {
            Ok(e) if e.attr("aria-pressed").await.ok().flatten().as_deref() == Some("true") => return Ok(()),
            Err(_) => return Ok(()), // the survey moved to the next question
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    anyhow::bail!("choosing {value} for {path} did not register")
}

/// Waits until the page shows another first question than `path`.
pub(crate) async fn moved_from(b: &Browser, path: &str) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let now = current_path(b).await?;
        if now != path {
            return Ok(now);
        }
        anyhow::ensure!(Instant::now() < deadline, "still at {path}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Presses «Siguiente» exactly once (a script click cannot land twice).
async fn press_next(b: &Browser) -> anyhow::Result<()> {
    b.find("#siguiente").await?;
    b.client.execute("document.getElementById('siguiente').click();", vec![]).await?;
    Ok(())
}

/// Presses «Siguiente» until the step indicator moves: again only while it has not (the
/// last answers may still be on their way to the app when it is first pressed).
pub(crate) async fn next_page(b: &Browser) -> anyhow::Result<()> {
    let before = b.find("#paso").await?.text().await.unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        press_next(b).await?;
        let pressed = Instant::now();
        while pressed.elapsed() < Duration::from_secs(2) {
            if !b.text().await?.contains(&before) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::ensure!(Instant::now() < deadline, "«Siguiente» did not move on from «{before}»");
    }
}

/// Presses «Siguiente» until the survey shows another question than `path`.
pub(crate) async fn advance_from(b: &Browser, path: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        press_next(b).await?;
        let pressed = Instant::now();
        while pressed.elapsed() < Duration::from_secs(2) {
            if current_path(b).await? != path {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::ensure!(Instant::now() < deadline, "«Siguiente» did not move on from {path}");
    }
}

/// Answers the survey from the question on screen, stopping before `stop_at` (if given)
/// or at the last question.
pub(crate) async fn answer_survey(b: &Browser, answers: &HashMap<&str, &str>, stop_at: Option<&str>) -> anyhow::Result<()> {
    for _ in 0..80 {
        let path = current_path(b).await?;
        if Some(path.as_str()) == stop_at {
            return Ok(());
        }
        let last = b.has("#terminar").await;
        let choices = b.has(&format!(".question[data-path='{path}'] button[data-choice]")).await;
        match answers.get(path.as_str()) {
            Some(value) if choices => choose(b, &path, value).await?,
            Some(value) => {
                b.type_into(&input_css(&path), value).await?;
                if !last {
                    advance_from(b, &path).await?;
                }
            }
            None if !last => advance_from(b, &path).await?,
            None => {}
        }
        if last {
            return Ok(());
        }
        moved_from(b, &path).await?;
    }
    anyhow::bail!("the survey never ended")
}

/// How a visit's questions are answered when nothing special is asked of them.
pub(crate) struct PlainAnswers {
    turno: &'static str,
    aviso: &'static str,
    minutes: &'static str,
    note: &'static str,
}

pub(crate) const FIRST_VISIT: PlainAnswers = PlainAnswers { turno: "matutino", aviso: "si", minutes: "7", note: "Visita sin contratiempos." };
/// Minutes typed with a decimal comma, as a Spanish keyboard offers it.
const SECOND_VISIT: PlainAnswers = PlainAnswers { turno: "vespertino", aviso: "no", minutes: "4,5", note: "Segunda visita." };

/// Answers one question of a visit page: its shift, notice, minutes or notes, and every
/// checklist item «Cumple».
pub(crate) async fn answer_plainly(b: &Browser, path: &str, name: &str, with: &PlainAnswers) -> anyhow::Result<()> {
    match name {
        "turno" => choose(b, path, with.turno).await,
        "aviso" => choose(b, path, with.aviso).await,
        "espera_min" => b.type_into(&input_css(path), with.minutes).await,
        "observaciones" => b.type_into(&input_css(path), with.note).await,
        _ if b.has(&format!(".question[data-path='{path}'] button[data-choice='2']")).await => choose(b, path, "2").await,
        _ => Ok(()),
    }
}

/// The paths of the questions on the current page of the form.
pub(crate) async fn visible_paths(b: &Browser) -> anyhow::Result<Vec<String>> {
    b.find("#formulario").await?;
    let found = b.client.execute("return Array.from(document.querySelectorAll('.question')).map(e => e.dataset.path);", vec![]).await?;
    Ok(serde_json::from_value(found)?)
}

pub(crate) fn input_css(path: &str) -> String {
    format!(".question[data-path='{path}'] input, .question[data-path='{path}'] textarea")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_surveyor_and_an_inspector_work_through_the_app_in_chromium() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let dir = tempfile::tempdir()?;
    let (url, app) = spawn_app(&server.url(), dir.path()).await?;
    let b = Browser::start("app", 420, 900).await?;
    b.client.goto(&url).await?;
    b.find("#registro").await?;
    b.shot("01-registro").await?;

    // Enrol, then the centros arrive by sync.
    enrol(&b, "enc.ana").await?;
    b.wait_text("Encuestar aquí").await?;
    b.shot("02-inicio-encuestador").await?;

    // The sampling counter: every k-th person leaving is selected.
    b.click(".centro button.big").await?;
    b.find("#contador").await?;
    while !b.has("#iniciar").await {
        b.click("#contar").await?;
        tokio::time::sleep(Duration::from_millis(80)).await;
    }
    b.shot("03-contador-seleccion").await?;
    b.click("#iniciar").await?;

    // The survey: consent first, one question per screen, a relevance jump and a constraint.
    let mut answers: HashMap<&str, &str> = crate::field::SURVEY.iter().copied().collect();
    answers.insert("P0", "otro");
    assert_eq!(current_path(&b).await?, "consentimiento");
    b.shot("04-aviso-de-privacidad").await?;
    choose(&b, "consentimiento", "si").await?;
    assert_eq!(moved_from(&b, "consentimiento").await?, "P0");
    choose(&b, "P0", "otro").await?;
    assert_eq!(moved_from(&b, "P0").await?, "P0_otro", "choosing «otro» brings its follow-up question");
    b.type_into(&input_css("P0_otro"), "ab").await?;
    b.wait_text("Escriba entre 3 y 120 caracteres.").await?;
    b.shot("05-error-de-restriccion").await?;
    b.click("#siguiente").await?;
    assert_eq!(current_path(&b).await?, "P0_otro", "a wrong answer does not let the survey move on");
    b.type_into(&input_css("P0_otro"), "c de no adeudo").await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while b.text().await?.contains("Escriba entre 3 y 120") {
        anyhow::ensure!(Instant::now() < deadline, "the constraint error stayed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    advance_from(&b, "P0_otro").await?;
    let mut faces_shot = false;
    for _ in 0..80 {
        let path = current_path(&b).await?;
        let last = b.has("#terminar").await;
        let choices = b.has(&format!(".question[data-path='{path}'] button[data-choice]")).await;
        if !faces_shot && b.has(".choices.faces").await {
            b.shot("06-caritas").await?;
            faces_shot = true;
        }
        match answers.get(path.as_str()) {
            Some(value) if choices => choose(&b, &path, value).await?,
            Some(value) => {
                b.type_into(&input_css(&path), value).await?;
                if !last {
                    advance_from(&b, &path).await?;
                }
            }
            None if !last => advance_from(&b, &path).await?, // optional, left blank
            None => {}
        }
        if last {
            break;
        }
        moved_from(&b, &path).await?;
    }
    assert!(faces_shot, "the 5-point questions show faces");
    b.shot("07-ultima-pregunta").await?;
    // A summary of every answer comes before saving.
    b.click("#terminar").await?;
    b.find("#resumen").await?;
    b.wait_text("c de no adeudo").await?;
    b.shot("07b-resumen").await?;
    b.click("#guardar").await?;
    b.find("#guardado").await?;
    b.shot("08-guardada").await?;

    // Sync: the record reaches the server by itself.
    b.click("#continuar").await?;
    b.click(".back").await?;
    b.click("#estado").await?;
    b.wait_text("0 registros por enviar").await?;
    // «Enviados» counts what reached the server.
    let deadline = Instant::now() + Duration::from_secs(120);
    while b.find("#enviados td:nth-child(2)").await?.text().await? != "1" {
        anyhow::ensure!(Instant::now() < deadline, "«Enviados» never reached 1");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.shot("09-sincronizar").await?;
    {
        let store = lock(app.store());
        assert_eq!(store.ledger(store.today())?.acknowledged, 1);
    }

    // An inspector on the same phone: a visit by pillar with an evidence photo.
    b.click(".back").await?;
    b.click("#cuenta button.secondary:last-child").await?;
    let staff = mobile::sync_client::SyncClient::new(&server.url())?.enrol("coordinacion", sync_server::demo::DEMO_PASSWORD, "Escritorio").await?;
    let commitment = serde_json::json!({
        "description": "Instalar sistema de turnos", "impact": 2,
        "milestones": [{"milestone_id": "h1", "description": "Compra del equipo", "due": "2025-09-30"}]
    });
    reqwest::Client::new()
        .put(format!("{}/api/v1/centros/GTO-M-S-01/commitments/K1", server.url()))
        .bearer_auth(&staff.token)
        .json(&commitment)
        .send()
        .await?
        .error_for_status()?;
    enrol(&b, "insp.carmen").await?;
    b.wait_text("Iniciar visita").await?;
    b.shot("10-inicio-inspector").await?;
    b.click(".centro button.big").await?;

    // The centro's commitments and complaints log, from the visit.
    b.click("#compromisos").await?;
    b.wait_text("Instalar sistema de turnos").await?;
    // A milestone is verified only with a photo of its evidence, and only after saying yes.
    assert_eq!(b.attr("[data-verify='K1/h1']", "disabled").await?.as_deref(), Some("true"), "no evidence, no verification");
    let evidence = dir.path().join("hito.png");
    image::RgbImage::from_fn(2000, 1500, |x, y| image::Rgb([(x % 199) as u8, 120, (y % 181) as u8])).save(&evidence)?;
    b.find("#evidencia-K1-h1").await?.send_keys(&evidence.display().to_string()).await?;
    b.find("[data-verify='K1/h1']:not([disabled])").await?;
    b.click("[data-verify='K1/h1']").await?;
    b.find("#confirmar-verificacion").await?;
    b.shot("10b-confirmar-hito").await?;
    b.click("#si-verificacion").await?;
    b.wait_text("Verificación").await?;
    b.type_into("#folio", "Q-0042").await?;
    for (id, value) in [("recibida", "2025-06-02"), ("respondida", "2025-06-05")] {
        let script = format!("const e = document.getElementById('{id}'); e.value = '{value}'; e.dispatchEvent(new Event('input', {{ bubbles: true }}));");
        b.client.execute(&script, vec![]).await?;
    }
    b.click("#correctiva-si").await?;
    b.click("#acuse-si").await?;
    // The app took both answers when it shows them chosen (a condition, not a pause).
    b.find("#correctiva-si.on").await?;
    b.find("#acuse-si.on").await?;
    b.click("#registrar-queja").await?;
    b.wait_text("Queja Q-0042 registrada.").await?;
    b.shot("11-compromisos-y-quejas").await?;
    b.click(".back").await?;
    b.find("#formulario").await?;
    let photo = dir.path().join("evidencia.png");
    image::RgbImage::from_fn(2400, 1800, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])).save(&photo)?;
    let second = dir.path().join("otra.png");
    image::RgbImage::from_fn(2400, 1800, |x, y| image::Rgb([90, (x % 233) as u8, (y % 227) as u8])).save(&second)?;
    let second_sha = {
        let small = mobile::photo::downscale(&std::fs::read(&second)?)?;
        shared::digest::sha256_hex(&small)
    };
    let mut photo_taken = false;
    for _ in 0..150 {
        for path in visible_paths(&b).await? {
            let name = path.rsplit('/').next().unwrap_or_default().to_string();
            match name.as_str() {
                "espera_min" if path.starts_with("espera[1]") => {
                    // The first waiting time is taken with the stopwatch.
                    b.click(&format!(".question[data-path='{path}'] ~ .stopwatch [data-stopwatch='start'], [data-path='{path}'] + .stopwatch [data-stopwatch='start']")).await?;
                    b.find("[data-stopwatch='stop']").await?;
                    // It keeps running while the inspector looks at the centro's program,
                    // and the visit comes back to this item.
                    b.click("#compromisos").await?;
                    b.wait_text("Instalar sistema de turnos").await?;
                    b.click(".back").await?;
                    b.find(&format!(".question[data-path='{path}']")).await?;
                    b.find("[data-stopwatch='stop']").await?;
                    let deadline = Instant::now() + Duration::from_secs(60);
                    while b.find(".stopwatch .clock").await?.text().await.unwrap_or_default() == "00:00" {
                        anyhow::ensure!(Instant::now() < deadline, "the stopwatch stopped running");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    b.shot("12a-cronometro").await?;
                    b.click("[data-stopwatch='stop']").await?;
                    let deadline = Instant::now() + Duration::from_secs(60);
                    while b.attr(&input_css(&path), "value").await?.unwrap_or_default().is_empty() {
                        anyhow::ensure!(Instant::now() < deadline, "the stopwatch did not fill the minutes");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
                _ => answer_plainly(&b, &path, &name, &FIRST_VISIT).await?,
            }
        }
        if !photo_taken && b.has("#foto-AG-V1").await {
            b.find("#foto-AG-V1").await?.send_keys(&photo.display().to_string()).await?;
            b.wait_text("1 guardada)").await?;
            // A second photo, taken by mistake, shows as a thumbnail and is taken off.
            b.find("#foto-AG-V1").await?.send_keys(&second.display().to_string()).await?;
            b.wait_text("2 guardadas").await?;
            b.find(".photo-thumbs li:nth-child(2) img").await?;
            b.shot("12-visita-pilar-con-foto").await?;
            let mine = lock(app.store()).photos()?.into_iter().map(|(sha, _)| sha).collect::<Vec<_>>();
            let extra = second_sha.clone();
            anyhow::ensure!(mine.contains(&extra), "{mine:?}");
            b.click(&format!("[data-remove-photo='{extra}']")).await?;
            b.wait_text("1 guardada)").await?;
            photo_taken = true;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        if b.has("#terminar").await {
            break;
        }
        next_page(&b).await?;
    }
    assert!(photo_taken, "the first pillar offers an evidence photo");
    b.click("#terminar").await?;
    b.click("#guardar").await?;
    b.find("#guardado").await?;
    b.click("#continuar").await?;
    b.click("#estado").await?;
    b.wait_text("0 registros por enviar").await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let photos = lock(app.store()).photos()?;
        // The item's photo and the milestone's evidence.
        if photos.len() == 2 && photos.iter().all(|p| p.1) {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "the photos were not uploaded: {photos:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.shot("13-sincronizar-visita").await?;
    let (sha, _) = lock(app.store()).photos()?.remove(0);
    let token = lock(app.store()).enrolment()?.map(|e| e.token).unwrap_or_default();
    let status = mobile::sync_client::SyncClient::new(&server.url())?.with_token(token).photo_status(&sha).await?;
    assert!(status.complete, "the server holds the photo, hash-verified");
    let edits = lock(app.store()).edits(None, false)?;
    assert_eq!(edits.len(), 2);
    assert!(edits.iter().all(|e| e.status == mobile::store::edits::EditStatus::Sent), "{edits:?}");
    let stored = image::load_from_memory(&lock(app.store()).photo(&sha)?)?;
    assert_eq!((stored.width(), stored.height()), (1600, 1200), "downscaled on the device");

    // A visit at a centro whose plantilla and trainings are on record: TC-V7 shows the
    // trained share of its front-line staff (3 of 4) and the score it suggests; scoring it
    // otherwise asks for the reason, which travels with the record.
    b.click(".back").await?;
    b.click("[data-centro='GTO-E-S-01'] button.big").await?;
    b.find("#formulario").await?;
    let mut corrected = false;
    for _ in 0..150 {
        for path in visible_paths(&b).await? {
            let name = path.rsplit('/').next().unwrap_or_default().to_string();
            match name.as_str() {
                "TC-V7" => {
                    b.find("#sugerencia-TC-V7[data-suggested='1']").await?;
                    b.wait_text("3 de 4 (75 %)").await?;
                    b.wait_text("Puntaje sugerido: Cumple parcialmente").await?;
                    b.client.execute("document.getElementById('sugerencia-TC-V7').scrollIntoView({block: 'center'});", vec![]).await?;
                    b.shot("14-tc-v7-sugerido").await?;
                    // The inspector saw the fourth person's certificate: «Cumple», with the reason.
                    choose(&b, &path, "2").await?;
                    b.find("#motivo-TC-V7").await?;
                    b.wait_text("escriba el motivo de la corrección").await?;
                    b.type_into("#motivo-TC-V7", "Constancia EC0105 de la cuarta persona vista en la visita").await?;
                    let deadline = Instant::now() + Duration::from_secs(60);
                    while b.text().await?.contains("escriba el motivo de la corrección") {
                        anyhow::ensure!(Instant::now() < deadline, "the reason did not clear the problem");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    b.client.execute("document.getElementById('sugerencia-TC-V7').scrollIntoView({block: 'center'});", vec![]).await?;
                    b.shot("15-tc-v7-corregido-con-motivo").await?;
                    corrected = true;
                }
                _ => answer_plainly(&b, &path, &name, &SECOND_VISIT).await?,
            }
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        if b.has("#terminar").await {
            break;
        }
        next_page(&b).await?;
    }
    anyhow::ensure!(corrected, "the visit showed TC-V7");
    b.click("#terminar").await?;
    b.find("#resumen").await?;
    b.shot("15b-resumen-visita").await?;
    b.click("#guardar").await?;
    b.find("#guardado").await?;
    // Once sent, staff read the suggestion and the correction beside the visit.
    let deadline = Instant::now() + Duration::from_secs(120);
    while lock(app.store()).outbox_counts()?.pending > 0 {
        anyhow::ensure!(Instant::now() < deadline, "the visit was not sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // «4,5» minutes are 4.5, not 45.
    let sent = lock(app.store()).sent_records(5)?.into_iter().find(|r| r.centro_id == "GTO-E-S-01").map(|r| r.id);
    let visit = lock(app.store()).sent_submission(sent.ok_or_else(|| anyhow::anyhow!("no visit sent"))?)?.ok_or_else(|| anyhow::anyhow!("no copy"))?;
    let waits = shared::protocol::answers_from_wire(&visit.answers).to_paths();
    assert!(waits.iter().any(|(p, v)| p.ends_with("espera_min") && v == "4.5"), "{waits:?}");
    let console = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let login = console
        .post(format!("{}/consola/entrar", server.url()))
        .header("origin", server.url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("username=coordinacion&password={}", sync_server::demo::DEMO_PASSWORD))
        .send()
        .await?;
    let cookie = login.headers().get("set-cookie").and_then(|v| v.to_str().ok()).and_then(|c| c.split(';').next()).unwrap_or_default().to_string();
    let page = console.get(format!("{}/consola/centros/GTO-E-S-01", server.url())).header("cookie", cookie).send().await?.text().await?;
    anyhow::ensure!(
        page.contains("data-score-note=\"TC-V7\"") && page.contains("sugerido 1 por los registros (3 de 4 (75 %) · meta 80 %); calificado 2 — motivo: Constancia EC0105"),
        "the console does not show the correction"
    );
    b.close().await?;
    Ok(())
}
