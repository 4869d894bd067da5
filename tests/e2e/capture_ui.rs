//! A program's own XLSForm on the phone, in headless Chromium at 360×800: staff publish an
//! infrastructure inventory; a field user opens it at a centro and answers every capture
//! type: a position from a mocked browser location (with its accuracy), a line and an
//! area point by point, a barcode typed, a rank put in order, a photo from a file (its
//! `max-pixels` applied), a signature drawn, a voice note and a document chosen, a
//! dropdown (`minimal`), a `field-list` page, choices read from a CSV and an example image
//! published with the form (multipart upload; the phone downloads them with it), and a
//! guidance hint for the interviewer. The record syncs; the server holds every
//! file, and its export shows the answers. Screenshots: `target/screenshots/capture/`.

use std::time::{Duration, Instant};

use mobile::field::FieldApp;
use mobile::store::Store;
use mobile::sync::lock;
use mobile::sync_client::SyncClient;

use crate::browser::Browser;
use crate::helpers::spawn_server;

const FORM_ID: &str = "inventario_infra";
const VERSION: &str = "2025060101";

/// The inventory, as a program would write it.
fn inventory() -> anyhow::Result<Vec<u8>> {
    let survey: &[&[&str]] = &[
        &["type", "name", "label", "parameters", "appearance", "required", "guidance_hint", "media::image", "trigger", "calculation"],
        &["start-geopoint", "gps_inicio", "", "", "", ""],
        &["audit", "audit", "", "", "", ""],
        &["geopoint", "entrada", "Ubicación de la entrada", "", "", "yes"],
        &["geotrace", "rampa", "Recorra la rampa de acceso", "", "", "yes"],
        &["geoshape", "predio", "Marque el contorno del predio", "", "", "yes"],
        &["barcode", "equipo", "Código del equipo de cómputo", "", "", "yes", "Lea el código de la etiqueta trasera", ""],
        &["select_one_from_file equipos.csv", "tipo_equipo", "Tipo de equipo", "", "", "yes"],
        &["calculate", "codigo_leido", "", "", "", "", "", "", "${equipo}", "concat('leído: ', ${equipo})"],
        &["rank mejoras", "orden", "Ordene las mejoras", "", "", "yes"],
        &["select_one estado", "estado", "Estado del mobiliario", "", "minimal", "yes"],
        &["range", "personas", "Personas atendiendo", "start=0 end=20 step=1", "", "yes"],
        &["date", "fecha_obra", "Fecha de la última obra", "", "", "yes"],
        &["select_multiple mejoras", "hechas", "Mejoras ya hechas", "", "horizontal", ""],
        &["acknowledge", "aviso_ok", "Confirmo que recorrí todo el edificio", "", "", "yes"],
        &["image", "fachada", "Foto de la fachada", "max-pixels=640", "", "yes", "", "fachada_ejemplo.png"],
        &["audio", "nota_voz", "Nota de voz del responsable", "", "", ""],
        &["file", "acta", "Acta de la visita", "", "", "yes"],
        &["begin group", "responsable", "Responsable", "", "field-list", ""],
        &["text", "nombre", "Nombre", "", "", "yes"],
        &["text", "comentario", "Comentario", "", "multiline", ""],
        &["end group", "", "", "", "", ""],
        &["image", "firma", "Firma del responsable", "", "signature", "yes"],
    ];
    let choices: &[&[&str]] = &[
        &["list_name", "name", "label"],
        &["mejoras", "rampa", "Rampa"],
        &["mejoras", "bano", "Baño accesible"],
        &["mejoras", "senal", "Señalización"],
        &["estado", "bueno", "Bueno"],
        &["estado", "regular", "Regular"],
        &["estado", "malo", "Malo"],
    ];
    let settings: &[&[&str]] = &[&["form_id", "version", "form_title"], &[FORM_ID, VERSION, "Inventario de infraestructura"]];
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, rows) in [("survey", survey), ("choices", choices), ("settings", settings)] {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
                ws.write_string(r as u32, c as u16, *cell)?;
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// A `multipart/form-data` body of (part name, file name, bytes) parts.
fn multipart(parts: &[(&str, &str, Vec<u8>)]) -> (String, Vec<u8>) {
    let boundary = "ventanilla-prueba-7f3a9c";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A browser location that walks north-east a few metres per reading, with 7 m accuracy.
const MOCK_LOCATION: &str = r#"
let reading = 0;
const fake = {
  getCurrentPosition(ok) {
    reading += 1;
    setTimeout(() => ok({ coords: { latitude: 21.019 + reading * 0.0001, longitude: -101.2574 + reading * 0.0001, altitude: 1800, accuracy: 7 }, timestamp: Date.now() }), 10);
  },
  watchPosition() { return 0; },
  clearWatch() {},
};
Object.defineProperty(navigator, "geolocation", { value: fake, configurable: true });
"#;

/// Draws a stroke on the signature canvas with pointer events.
const DRAW_SIGNATURE: &str = r#"
const c = document.querySelector("canvas.signature");
const r = c.getBoundingClientRect();
const at = (type, x, y) => c.dispatchEvent(new PointerEvent(type, { clientX: r.left + x, clientY: r.top + y, bubbles: true }));
at("pointerdown", 20, 60);
for (let i = 1; i <= 30; i++) at("pointermove", 20 + i * 8, 60 + Math.sin(i / 3) * 30);
at("pointerup", 260, 60);
return c.dataset.drawn === "1";
"#;

async fn path_now(b: &Browser) -> anyhow::Result<String> {
    Ok(b.attr(".question", "data-path").await?.unwrap_or_default())
}

/// Presses «Siguiente» until the first question on screen is another than `path`.
async fn leave(b: &Browser, path: &str) -> anyhow::Result<String> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        b.find("#siguiente").await?;
        b.client.execute("document.getElementById('siguiente').click();", vec![]).await?;
        let pressed = Instant::now();
        while pressed.elapsed() < Duration::from_secs(2) {
            let now = path_now(b).await?;
            if now != path {
                return Ok(now);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::ensure!(Instant::now() < deadline, "«Siguiente» did not move on from {path}");
    }
}

/// Waits until the question at `path` shows `text`.
async fn shows(b: &Browser, path: &str, text: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let css = format!(".question[data-path='{path}']");
        if let Ok(e) = b.find(&css).await
            && e.text().await.unwrap_or_default().contains(text)
        {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "{path} never showed «{text}»");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Clicks `css` inside the question at `path` `times` times, waiting for the question to
/// show the change (its markup, not only its text: a chosen button changes class) after each.
async fn click_and_wait(b: &Browser, path: &str, css: &str, times: usize) -> anyhow::Result<()> {
    for _ in 0..times {
        let before = b.find(&format!(".question[data-path='{path}']")).await?.html(true).await.unwrap_or_default();
        b.click(&format!(".question[data-path='{path}'] {css}")).await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let now = b.find(&format!(".question[data-path='{path}']")).await?.html(true).await.unwrap_or_default();
            if now != before && !now.contains("Buscando ubicación") {
                break;
            }
            anyhow::ensure!(Instant::now() < deadline, "{css} did not change {path}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_programs_own_form_captures_every_type_on_the_phone_in_chromium() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let staff = SyncClient::new(&server.url())?.enrol("coordinacion", sync_server::demo::DEMO_PASSWORD, "Escritorio").await?;
    let http = reqwest::Client::new();
    // Published with the CSV its equipment list reads, as one multipart upload.
    let equipos = "name,label\ncomputo,Equipo de cómputo\nimpresora,Impresora\nescaner,Escáner\n";
    let mut example = Vec::new();
    image::RgbImage::from_fn(120, 80, |x, _| image::Rgb([200, (x * 2) as u8, 40])).write_to(&mut std::io::Cursor::new(&mut example), image::ImageFormat::Png)?;
    let (content_type, body) = multipart(&[
        ("formulario", "inventario.xlsx", inventory()?),
        ("archivo", "equipos.csv", equipos.as_bytes().to_vec()),
        ("archivo", "fachada_ejemplo.png", example),
    ]);
    http.post(format!("{}/api/v1/forms", server.url()))
        .bearer_auth(&staff.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await?
        .error_for_status()?;

    let dir = tempfile::tempdir()?;
    let app = FieldApp::new(Store::open(&dir.path().join("app.db"))?, server.url());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(mobile::web::serve_on(app.clone(), listener));
    let b = Browser::start("capture", 360, 800).await?;
    b.client.goto(&url).await?;
    b.find("#registro").await?;
    b.client.execute(MOCK_LOCATION, vec![]).await?;
    b.type_into("#usuario", "enc.ana").await?;
    b.type_into("#contrasena", sync_server::demo::DEMO_PASSWORD).await?;
    b.click("#registrar").await?;
    b.wait_text("Llenar «Inventario de infraestructura»").await?;
    b.shot("01-inicio-con-otro-formulario").await?;
    b.click(&format!(".centro .otro-formulario[data-form='{FORM_ID}']")).await?;

    // A position from the browser, with its accuracy; capturing again replaces it.
    assert_eq!(path_now(&b).await?, "entrada");
    click_and_wait(&b, "entrada", ".geo-capture", 1).await?;
    shows(&b, "entrada", "Precisión: ± 7 m").await?;
    b.shot("02-geopoint").await?;
    let path = leave(&b, "entrada").await?;

    // A line of two points and an area of three, closed by the app.
    assert_eq!(path, "rampa");
    click_and_wait(&b, "rampa", ".geo-capture", 2).await?;
    let path = leave(&b, "rampa").await?;
    assert_eq!(path, "predio");
    click_and_wait(&b, "predio", ".geo-capture", 2).await?;
    shows(&b, "predio", "Falta 1 punto.").await?;
    click_and_wait(&b, "predio", ".geo-capture", 1).await?;
    b.shot("03-geoshape").await?;
    let path = leave(&b, "predio").await?;

    // A barcode typed (no camera here).
    assert_eq!(path, "equipo");
    assert_eq!(b.attr("#q-equipo", "placeholder").await?.as_deref(), Some("Escriba el código"));
    shows(&b, "equipo", "Guía para el encuestador: Lea el código de la etiqueta trasera").await?;
    b.type_into("#q-equipo", "7501055300075").await?;
    let path = leave(&b, "equipo").await?;

    // Choices from the CSV published with the form, downloaded with it.
    assert_eq!(path, "tipo_equipo");
    shows(&b, "tipo_equipo", "Escáner").await?;
    b.click(".question[data-path='tipo_equipo'] button[data-choice='impresora']").await?;
    let path = leave(&b, "tipo_equipo").await?;

    // Rank: the offered order, changed by one move.
    assert_eq!(path, "orden");
    click_and_wait(&b, "orden", "li[data-choice='senal'] .rank-up", 1).await?;
    b.shot("04-rank").await?;
    let path = leave(&b, "orden").await?;

    // A dropdown (appearance minimal).
    assert_eq!(path, "estado");
    b.client
        .execute("const s = document.getElementById('q-estado'); s.value = 'regular'; s.dispatchEvent(new Event('change', { bubbles: true }));", vec![])
        .await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while lock(app.store()).drafts()?.first().map(|d| d.answered).unwrap_or(0) < 7 {
        anyhow::ensure!(Instant::now() < deadline, "the dropdown's choice was not saved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let path = leave(&b, "estado").await?;

    // A range, a date, several choices side by side, an acknowledgement.
    assert_eq!(path, "personas");
    b.type_into("#q-personas", "12").await?;
    let path = leave(&b, "personas").await?;
    assert_eq!(path, "fecha_obra");
    b.client
        .execute("const e = document.getElementById('q-fecha_obra'); e.value = '2025-05-30'; e.dispatchEvent(new Event('input', { bubbles: true }));", vec![])
        .await?;
    let path = leave(&b, "fecha_obra").await?;
    assert_eq!(path, "hechas");
    assert!(b.has(".question[data-path='hechas'] .choices.horizontal").await, "horizontal lays the choices side by side");
    for choice in ["rampa", "senal"] {
        let css = format!(".question[data-path='hechas'] button[data-choice='{choice}']");
        b.click(&css).await?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while !b.has(&format!("{css}.on")).await {
            anyhow::ensure!(Instant::now() < deadline, "choosing {choice} did not register");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let path = leave(&b, "hechas").await?;
    assert_eq!(path, "aviso_ok");
    click_and_wait(&b, "aviso_ok", "button.choice", 1).await?;
    let path = leave(&b, "aviso_ok").await?;

    // A photo from a file, stored at the question's max-pixels.
    assert_eq!(path, "fachada");
    let example = b.attr(".question[data-path='fachada'] img.question-media", "src").await?.unwrap_or_default();
    assert!(example.starts_with("data:image/png;base64,"), "the form's example image is shown: {}", &example[..example.len().min(40)]);
    let photo = dir.path().join("fachada.png");
    image::RgbImage::from_fn(2000, 1500, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, 90])).save(&photo)?;
    b.find("#q-fachada").await?.send_keys(&photo.display().to_string()).await?;
    shows(&b, "fachada", "Guardado en el teléfono").await?;
    b.shot("05-foto").await?;
    let path = leave(&b, "fachada").await?;

    // A voice note and a document chosen from files.
    assert_eq!(path, "nota_voz");
    let voice = dir.path().join("nota.m4a");
    std::fs::write(&voice, b"\x00\x00\x00\x18ftypM4A voice note bytes")?;
    b.find("#q-nota_voz").await?.send_keys(&voice.display().to_string()).await?;
    shows(&b, "nota_voz", "Guardado en el teléfono").await?;
    let path = leave(&b, "nota_voz").await?;
    assert_eq!(path, "acta");
    let act = dir.path().join("Acta de visita.PDF");
    std::fs::write(&act, b"%PDF-1.4 acta de la visita")?;
    b.find("#q-acta").await?.send_keys(&act.display().to_string()).await?;
    shows(&b, "acta", "Guardado en el teléfono").await?;
    let path = leave(&b, "acta").await?;

    // A field-list group: both questions on one screen, one of them multiline.
    assert_eq!(path, "nombre");
    let on_screen: Vec<String> =
        serde_json::from_value(b.client.execute("return Array.from(document.querySelectorAll('.question')).map(e => e.dataset.path);", vec![]).await?)?;
    assert_eq!(on_screen, ["nombre", "comentario"]);
    assert!(b.has("textarea#q-comentario").await, "multiline is a text area");
    b.type_into("#q-nombre", "Laura Méndez").await?;
    b.type_into("#q-comentario", "Rampa sin barandal.\nBaño en obra.").await?;
    b.shot("06-field-list").await?;
    let path = leave(&b, "nombre").await?;

    // A signature drawn with the finger.
    assert_eq!(path, "firma");
    // The pad is ready once its script has run on the canvas.
    b.find("canvas.signature[data-ready]").await?;
    let drawn = b.client.execute(DRAW_SIGNATURE, vec![]).await?;
    assert_eq!(drawn, serde_json::json!(true));
    click_and_wait(&b, "firma", ".firma-guardar", 1).await?;
    b.shot("07-firma").await?;
    b.click("#terminar").await?;
    // The summary says each capture in words before saving.
    b.find("#resumen").await?;
    b.wait_text("Archivo adjunto").await?;
    b.shot("07b-resumen").await?;
    b.click("#guardar").await?;
    b.find("#guardado").await?;

    // The record syncs with its files; the server holds each, hash-verified.
    b.click("#continuar").await?;
    b.click("#estado").await?;
    b.wait_text("0 registros por enviar").await?;
    let deadline = Instant::now() + Duration::from_secs(120);
    let files = loop {
        let photos = lock(app.store()).photos()?;
        if photos.len() == 5 && photos.iter().all(|(_, up)| *up) {
            break photos;
        }
        anyhow::ensure!(Instant::now() < deadline, "the files were not all uploaded: {photos:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    b.shot("08-sincronizado").await?;
    let token = lock(app.store()).enrolment()?.map(|e| e.token).unwrap_or_default();
    let client = SyncClient::new(&server.url())?.with_token(token);
    for (sha, _) in &files {
        assert!(client.photo_status(sha).await?.complete, "the server holds {sha}");
    }

    // The export shows what was captured.
    let csv = http
        .get(format!("{}/api/v1/forms/{FORM_ID}/{VERSION}/submissions.csv", server.url()))
        .bearer_auth(&staff.token)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?;
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let headers = rows.headers()?.clone();
    let record = rows.records().next().ok_or_else(|| anyhow::anyhow!("no record in the export"))??;
    let col = |name: &str| headers.iter().position(|h| h == name).and_then(|i| record.get(i)).unwrap_or_default().to_string();
    assert!(col("entrada").ends_with(" 1800.0 7.0"), "{}", col("entrada"));
    assert_eq!(col("rampa").split(';').count(), 2);
    let shape: Vec<&str> = col("predio").leak().split(';').collect();
    assert_eq!((shape.len(), shape.first() == shape.last()), (4, true), "the area is closed");
    assert_eq!(col("equipo"), "7501055300075");
    assert_eq!(col("tipo_equipo"), "impresora");
    assert_eq!(col("codigo_leido"), "leído: 7501055300075", "set by its trigger and kept with the record");
    assert_eq!(col("orden"), "rampa senal bano");
    assert_eq!(col("estado"), "regular");
    assert_eq!((col("personas").as_str(), col("fecha_obra").as_str(), col("hechas").as_str(), col("aviso_ok").as_str()), ("12", "2025-05-30", "rampa senal", "OK"));
    assert!(col("fachada").ends_with(".jpg") && col("firma").ends_with(".jpg"));
    assert!(col("nota_voz").ends_with(".m4a") && col("acta").ends_with(".pdf"));
    assert!(col("audit").ends_with(".csv"), "the audit travels as a file: {}", col("audit"));
    assert!(!col("gps_inicio").is_empty(), "the start position was taken once, without waiting for it");
    let fachada = col("fachada");
    let sha = fachada.trim_end_matches(".jpg");
    let stored = image::load_from_memory(&lock(app.store()).photo(sha)?)?;
    assert_eq!((stored.width(), stored.height()), (640, 480), "max-pixels applied on the device");
    let audit_sha = col("audit").trim_end_matches(".csv").to_string();
    let audit = String::from_utf8(lock(app.store()).photo(&audit_sha)?)?;
    assert!(audit.starts_with("event,node,start,end\n") && audit.contains("question,/data/entrada,"), "{audit}");
    b.close().await?;
    Ok(())
}
