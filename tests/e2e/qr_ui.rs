//! A citizen answers by QR code in headless Chromium: staff issue the centro's code in the
//! console and print its poster; on a 360×800 phone the poster's URL opens the survey, one
//! question per page, no JavaScript needed; «Enviar» stores one survey of mode `qr`,
//! posting it again stores nothing more; a forged code opens nothing; a burst of five lands
//! in the console's review queue. Screenshots: `target/screenshots/qr/`.

use crate::browser::Browser;
use crate::helpers::spawn_server;

const PASSWORD: &str = sync_server::demo::DEMO_PASSWORD;

/// The answer the citizen gives to each question (others: the first choice).
fn answer_of(question: &str) -> Option<&'static str> {
    Some(match question {
        "consentimiento" => "si",
        "P0" => "otro",
        "P0_otro" => "Pago de predial",
        "GL1" | "AG2" | "TC1" => "5",
        "GL2" => "9",
        "GL3" => "Más ventanillas abiertas al mediodía",
        _ => return None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_scans_the_poster_answers_on_a_phone_and_sends_once() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let base = server.url();
    let _ = mobile::sync_client::SyncClient::new(&base)?;
    let http = reqwest::Client::new();
    let enrol = serde_json::json!({"username": "coordinacion", "password": PASSWORD, "device_label": "e2e"});
    let v: serde_json::Value = http.post(format!("{base}/api/v1/auth/enrol")).json(&enrol).send().await?.error_for_status()?.json().await?;
    let staff = v["token"].as_str().unwrap_or_default().to_string();
    // A period in course (the demo's 2025 is over), without the answering-time rule (a test
    // answers faster than a person) and with self-completed bursts counted within an hour
    // (the burst below is one however slow the machine).
    let today = chrono::Utc::now().date_naive();
    let mut settings = serde_json::to_value(shared::scoring::MethodSettings::default())?;
    settings["integrity"]["min_duration_seconds"] = 0.0.into();
    settings["integrity"]["self_burst_window_seconds"] = 3600.into();
    let period = serde_json::json!({"name": "Periodo en curso", "start": (today - chrono::Duration::days(30)).to_string(), "end": (today + chrono::Duration::days(30)).to_string(), "settings": settings});
    http.put(format!("{base}/api/v1/periods/actual")).bearer_auth(&staff).json(&period).send().await?.error_for_status()?;

    // Staff issue the code and open its poster.
    let desk = Browser::start("qr", 1280, 900).await?;
    desk.client.goto(&format!("{base}/consola/entrar")).await?;
    desk.type_into("#usuario", "coordinacion").await?;
    desk.type_into("#contrasena", PASSWORD).await?;
    desk.click("#entrar").await?;
    desk.wait_text("Resultados").await?;
    desk.client.goto(&format!("{base}/consola/centros/GTO-E-T-01?periodo=actual")).await?;
    desk.click("button[data-issue]").await?;
    desk.wait_text("Código QR 1 emitido").await?;
    desk.click("a[data-poster]").await?;
    desk.find("#cartel svg").await?;
    desk.shot("01-cartel").await?;
    let url = desk.attr("#cartel .qr", "data-url").await?.ok_or_else(|| anyhow::anyhow!("the poster's URL"))?;
    anyhow::ensure!(url.starts_with(&base), "{url} under {base}");

    // The citizen's phone.
    let phone = Browser::start("qr", 360, 800).await?;
    phone.client.goto(&url).await?;
    phone.wait_text("Su opinión sobre la atención").await?;
    phone.shot("02-bienvenida").await?;
    phone.click("button[value='comenzar']").await?;
    let mut pages = 0;
    loop {
        if phone.has("button[data-send]").await {
            break;
        }
        let question = phone.attr("form[data-question]", "data-question").await?.unwrap_or_default();
        pages += 1;
        anyhow::ensure!(pages < 60, "the survey never ended (at «{question}»)");
        let given = answer_of(&question);
        if phone.has("input[type='radio']").await {
            let css = given.map_or_else(|| "label.opcion input".to_string(), |v| format!("label.opcion input[value='{v}']"));
            phone.click(&css).await?;
        } else if phone.has("input[type='checkbox']").await {
            phone.click("label.opcion input").await?;
        } else if phone.has("#valor").await {
            phone.type_into("#valor", given.unwrap_or("1")).await?;
        }
        if question == "AG1" {
            phone.shot("03-pregunta").await?;
            // «Siguiente» with nothing chosen is said in Spanish beside the question.
        }
        if question == "consentimiento" {
            phone.shot("03-consentimiento").await?;
        }
        phone.click("button.siguiente").await?;
        // The next page is another question, or «Enviar».
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let now = phone.attr("form[data-question]", "data-question").await.ok().flatten();
            if phone.has("button[data-send]").await || now.as_deref() != Some(question.as_str()) {
                break;
            }
            anyhow::ensure!(!phone.has("[data-problem]").await, "«{question}» refused: {}", phone.text().await?);
            anyhow::ensure!(std::time::Instant::now() < deadline, "stuck at «{question}»");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    anyhow::ensure!(pages >= 20, "one question per page: {pages} pages");
    phone.shot("04-enviar").await?;
    // What the «Enviar» page posts, to post it a second time below.
    let mut fields = Vec::new();
    for name in ["nonce", "paso", "respuestas"] {
        let value = phone.attr(&format!("input[name='{name}']"), "value").await?.unwrap_or_default();
        fields.push((name.to_string(), value));
    }
    fields.push(("accion".into(), "enviar".into()));
    phone.click("button[data-send]").await?;
    phone.wait_text("Recibimos su encuesta").await?;
    phone.shot("05-gracias").await?;
    // The same page posted again (a double tap, a replay): nothing more is stored.
    let encode = |s: &str| s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect::<String>();
    let body = fields.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect::<Vec<_>>().join("&");
    let again = http.post(&url).header("content-type", "application/x-www-form-urlencoded").body(body).send().await?;
    anyhow::ensure!(again.status().is_success(), "{}", again.status());
    let text = again.text().await?;
    anyhow::ensure!(text.contains("no se registró dos veces"), "{text}");

    // A required question left blank: said beside it, in Spanish.
    phone.client.goto(&url).await?;
    phone.click("button[value='comenzar']").await?;
    phone.click("button.siguiente").await?;
    phone.find("[data-problem]").await?;
    phone.wait_text("Registre si la persona acepta o no.").await?;
    phone.shot("06-falta-respuesta").await?;
    // A forged code (the signature altered) opens nothing.
    let (head, mac) = url.rsplit_once('.').ok_or_else(|| anyhow::anyhow!("a signed token in {url}"))?;
    let forged = format!("{head}.{}", mac.chars().rev().collect::<String>());
    phone.client.goto(&forged).await?;
    phone.wait_text("Este código no es válido").await?;
    phone.shot("07-codigo-falso").await?;
    phone.close().await?;

    // Five more surveys from the poster (the same answers, each from its own first page): a
    // burst at one centro, all in the review queue.
    let respuestas = fields.iter().find(|(k, _)| k == "respuestas").map(|(_, v)| v.clone()).unwrap_or_default();
    for _ in 0..5 {
        let welcome = http.get(&url).send().await?.text().await?;
        let at = welcome.find("name=\"nonce\" value=\"").ok_or_else(|| anyhow::anyhow!("a nonce"))? + "name=\"nonce\" value=\"".len();
        let nonce = welcome[at..].split('"').next().unwrap_or_default().to_string();
        let body = [("nonce", nonce.as_str()), ("paso", "0"), ("respuestas", respuestas.as_str()), ("accion", "enviar")]
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let sent = http.post(&url).header("content-type", "application/x-www-form-urlencoded").body(body).send().await?.text().await?;
        anyhow::ensure!(sent.contains("Recibimos su encuesta"), "{sent}");
    }
    desk.client.goto(&format!("{base}/consola/revision")).await?;
    desk.find("li[data-flag='self_burst']").await?;
    desk.shot("08-revision-rafaga").await?;
    let flagged = desk.client.find_all(fantoccini::Locator::Css("li[data-flag='self_burst']")).await?.len();
    anyhow::ensure!(flagged >= 5, "the burst's surveys in review: {flagged}");
    desk.close().await?;

    let csv = http.get(format!("{base}/api/v1/forms/encuesta_opinion/2025010102/submissions.csv")).bearer_auth(&staff).send().await?.error_for_status()?.text().await?;
    let qr_rows: Vec<&str> = csv.lines().filter(|l| l.contains(",qr,")).collect();
    anyhow::ensure!(qr_rows.len() == 6, "the browser's survey once, and the burst's five: {qr_rows:?}");
    anyhow::ensure!(qr_rows[0].contains("Más ventanillas abiertas al mediodía"), "{}", qr_rows[0]);
    Ok(())
}
