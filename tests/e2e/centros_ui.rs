//! The centros' year in headless Chromium: an Enlace Institucional registers a commitment
//! that staff confirm, uploads a PDF as evidence and asks for an extension; staff approve it
//! and verify the evidence at the desk; the Enlace reads the centro report. Screenshots:
//! `target/screenshots/centros/`.

use crate::browser::Browser;
use crate::helpers::spawn_server;

const PASSWORD: &str = sync_server::demo::DEMO_PASSWORD;
const CENTRO: &str = "GTO-E-S-01";

async fn sign_in(b: &Browser, base: &str, user: &str, lands_on: &str) -> anyhow::Result<()> {
    b.client.goto(&format!("{base}/consola/entrar")).await?;
    b.type_into("#usuario", user).await?;
    b.type_into("#contrasena", PASSWORD).await?;
    b.click("#entrar").await?;
    b.wait_text(lands_on).await
}

async fn sign_out(b: &Browser) -> anyhow::Result<()> {
    b.click("form.logout button").await?;
    b.find("#usuario").await?;
    Ok(())
}

/// Sets a date input's value (typing into one depends on the browser's locale).
async fn set_date(b: &Browser, css: &str, value: &str) -> anyhow::Result<()> {
    b.find(css).await?;
    b.client.execute("document.querySelector(arguments[0]).value = arguments[1];", vec![css.into(), value.into()]).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enlace_files_and_staff_decide_the_centros_year() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let base = server.url();
    let dir = tempfile::tempdir()?;
    let pdf = dir.path().join("acta-de-avance.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")?;

    let b = Browser::start("centros", 1280, 1000).await?;
    // The Enlace lands on its institution: its centros only.
    sign_in(&b, &base, "enlace.salud", "Mi institución").await?;
    b.find(&format!("tr[data-centro='{CENTRO}']")).await?;
    anyhow::ensure!(!b.has("tr[data-centro='GTO-E-T-01']").await, "another institution's centro is listed");
    b.shot("01-institucion").await?;

    // It registers a commitment: a proposal that waits on staff.
    b.click(&format!("a[href='/consola/institucion/centros/{CENTRO}']")).await?;
    b.type_into("#cid-nuevo", "K1").await?;
    b.type_into("#cdesc-nuevo", "Publicar requisitos y costos en la sala de espera").await?;
    // Each milestone is a row of its own: key, description and due date.
    b.type_into("#h0-clave-nuevo", "H1").await?;
    b.type_into("#h0-desc-nuevo", "Colocar carteles con requisitos").await?;
    b.client.execute("document.getElementById('h0-vence-nuevo').value = '2030-06-30';", vec![]).await?;
    b.shot("01b-compromiso-nuevo").await?;
    b.click("form[data-commitment-form='nuevo'] button").await?;
    b.wait_text("Compromiso K1 guardado").await?;
    b.find("[data-commitment='K1'][data-status='propuesto']").await?;
    b.shot("02-compromiso-propuesto").await?;
    sign_out(&b).await?;

    // Staff see it waiting and confirm its impact.
    sign_in(&b, &base, "coordinacion", "Resultados").await?;
    b.find("#pendientes li[data-waiting='propuesto']").await?;
    b.shot("03-pendientes-coordinacion").await?;
    b.client.goto(&format!("{base}/consola/centros/{CENTRO}")).await?;
    b.find("#imp-K1").await?.select_by_value("3").await?;
    b.click("form[action$='/K1/confirmar'] button").await?;
    b.wait_text("Compromiso K1 confirmado con impacto 3").await?;
    sign_out(&b).await?;

    // The Enlace uploads the PDF as evidence and asks for an extension.
    sign_in(&b, &base, "enlace.salud", "Mi institución").await?;
    b.client.goto(&format!("{base}/consola/institucion/centros/{CENTRO}")).await?;
    b.find("tr[data-milestone='H1'] input[type='file']").await?.send_keys(&pdf.display().to_string()).await?;
    b.click("tr[data-milestone='H1'] form[action$='/evidencia'] button").await?;
    b.wait_text("Evidencia «acta-de-avance.pdf» subida al hito H1").await?;
    set_date(&b, "tr[data-milestone='H1'] input[name='requested_due']", "2030-09-30").await?;
    b.type_into("tr[data-milestone='H1'] form[action$='/prorroga'] input[name='reason']", "La imprenta entrega en agosto").await?;
    b.click("tr[data-milestone='H1'] form[action$='/prorroga'] button").await?;
    b.wait_text("Prórroga del hito H1 enviada a coordinación").await?;
    b.find("li[data-extension-state='pendiente']").await?;
    b.shot("04-evidencia-y-prorroga").await?;
    sign_out(&b).await?;

    // Staff approve the extension and verify the evidence at the desk.
    sign_in(&b, &base, "coordinacion", "Resultados").await?;
    b.find("#pendientes li[data-waiting='prorroga']").await?;
    b.client.goto(&format!("{base}/consola/centros/{CENTRO}")).await?;
    b.type_into("li[data-extension-state='pendiente'] input[name='reason']", "Justificado con la orden de compra").await?;
    b.click("li[data-extension-state='pendiente'] button[value='aprobar']").await?;
    b.wait_text("Prórroga aprobada").await?;
    b.find("tr[data-milestone='H1'] [data-original-due='2030-06-30']").await?;
    b.click("tr[data-milestone='H1'] form[action$='/verificar'] button").await?;
    b.wait_text("Hito H1 verificado en escritorio").await?;
    b.find("tr[data-milestone='H1'] [data-verified]").await?;
    b.shot("05-prorroga-aprobada-y-verificada").await?;
    sign_out(&b).await?;

    // The Enlace reads the outcome and the centro report.
    sign_in(&b, &base, "enlace.salud", "Mi institución").await?;
    b.client.goto(&format!("{base}/consola/institucion/centros/{CENTRO}")).await?;
    b.find("li[data-extension-state='aprobada']").await?;
    b.find("tr[data-milestone='H1'] [data-verified]").await?;
    b.shot("06-enlace-ve-el-resultado").await?;
    b.click("a[href^='/consola/centros/GTO-E-S-01/informe']").await?;
    b.find(&format!("[data-report='{CENTRO}']")).await?;
    b.wait_text("Compromisos de mejora").await?;
    b.wait_text("prórroga aprobada; fecha original 30 jun 2030").await?;
    b.shot("07-informe-del-centro").await?;
    b.close().await?;
    Ok(())
}

/// A workbook with one sheet `name` of these rows (first: headers), as a person fills the
/// template in a spreadsheet program.
fn filled(name: &str, rows: &[&[&str]]) -> anyhow::Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *cell)?;
        }
    }
    Ok(wb.save_to_buffer()?)
}

const CEDULA: &[&str] = &["Clave", "Nombre", "Dependencia", "Ámbito", "Tipo", "Municipio", "Latitud", "Longitud", "Trámites"];
const PLANTILLA: &[&str] = &["Clave del centro", "Nombre", "Puesto", "Atención directa"];
const NEW: &str = "GTO-E-S-09";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enlace_incorporates_a_centro_and_staff_record_its_training() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let base = server.url();
    let dir = tempfile::tempdir()?;
    let salud = "Secretaría de Salud";
    let row: &[&str] = &[NEW, "Centro de Salud Irapuato Sur", salud, "estatal", "servicios", "Irapuato", "20.66", "-101.35", "Consulta general; Vacunación"];
    let broken: &[&str] = &[NEW, "Centro de Salud Irapuato Sur", salud, "federal", "servicios", "Irapuato", "20.66", "-101.35", "Consulta general"];
    let files = [
        ("cedula-con-error.xlsx", filled("Cédula", &[CEDULA, broken])?),
        ("cedula.xlsx", filled("Cédula", &[CEDULA, row])?),
        (
            "plantilla.xlsx",
            filled("Plantilla", &[PLANTILLA, &[NEW, "Lucía Mora", "Recepción", "Sí"], &[NEW, "Pedro Gil", "Caja", "Sí"], &[NEW, "Elena Paz", "Dirección", "No"]])?,
        ),
    ];
    for (name, bytes) in &files {
        std::fs::write(dir.path().join(name), bytes)?;
    }
    let path = |name: &str| dir.path().join(name).display().to_string();

    let b = Browser::start("centros", 1280, 1000).await?;
    sign_in(&b, &base, "enlace.salud", "Mi institución").await?;
    b.click("a[href='/consola/incorporacion']").await?;
    b.wait_text("Descargue las plantillas").await?;
    // The templates download with the session (the browser saves them; here: their headers).
    let got = b
        .client
        .execute(
            "return Promise.all(['cedula', 'plantilla'].map(f => fetch('/consola/incorporacion/plantillas/' + f + '.xlsx').then(r => r.status + ' ' + r.headers.get('content-type'))));",
            vec![],
        )
        .await?;
    let got: Vec<String> = serde_json::from_value(got)?;
    anyhow::ensure!(got.iter().all(|g| g.starts_with("200 application/vnd.openxmlformats")), "{got:?}");
    b.shot("08-incorporacion-enlace").await?;
    // A cédula with an error: the row and column on the page, nothing filed.
    b.find("#form-cedula-archivo").await?.send_keys(&path("cedula-con-error.xlsx")).await?;
    b.click("#form-cedula button").await?;
    b.find("#errores tr[data-row='2']").await?;
    b.wait_text("«federal»: use estatal o municipal").await?;
    b.shot("09-cedula-con-error-por-fila").await?;
    anyhow::ensure!(!b.has(&format!("#tabla-solicitudes tr[data-centro='{NEW}']")).await, "a refused file filed something");
    // Fixed, then the plantilla.
    b.find("#form-cedula-archivo").await?.send_keys(&path("cedula.xlsx")).await?;
    b.click("#form-cedula button").await?;
    b.wait_text("Cédula de Incorporación registrada para GTO-E-S-09").await?;
    b.find("#form-plantilla-archivo").await?.send_keys(&path("plantilla.xlsx")).await?;
    b.click("#form-plantilla button").await?;
    b.wait_text("Plantilla de Personal registrada para GTO-E-S-09").await?;
    b.find(&format!("#tabla-solicitudes tr[data-centro='{NEW}'] .state-pendiente")).await?;
    b.shot("10-solicitud-pendiente").await?;
    sign_out(&b).await?;

    // Staff see it waiting and accept it into the period.
    sign_in(&b, &base, "coordinacion", "Resultados").await?;
    b.find("#pendientes li[data-waiting='incorporacion']").await?;
    b.click("nav a[href='/consola/incorporacion']").await?;
    b.click(&format!("#tabla-solicitudes tr[data-centro='{NEW}'] form[action$='/aceptar'] button")).await?;
    b.wait_text("Centro de Salud Irapuato Sur (GTO-E-S-09) aceptado en el periodo 2025").await?;
    b.shot("11-centro-aceptado").await?;
    // A training for its people: two of its front-line staff attend.
    b.click("nav a[href='/consola/capacitaciones']").await?;
    b.type_into("#cap-nombre", "Atención ciudadana con calidad, grupo 2").await?;
    set_date(&b, "#cap-fecha", "2025-07-15").await?;
    b.type_into("#cap-estandar", "EC0105").await?;
    b.click("#nueva-capacitacion button").await?;
    b.wait_text("ahora registre la asistencia").await?;
    b.find("#centro").await?.select_by_value(NEW).await?;
    b.click("form[method='get'] button").await?;
    b.wait_text("Lucía Mora").await?;
    for name in ["Lucía Mora", "Pedro Gil"] {
        let css = format!("select[aria-label='Asistencia de {name}']");
        b.find(&css).await?.select_by_value("asistio").await?;
    }
    b.click("#asistencia button").await?;
    b.wait_text("Asistencia guardada: 2 personas").await?;
    b.find("#porcentaje").await?;
    b.wait_text("2 de 2 (100 %)").await?;
    b.shot("12-capacitacion-y-asistencia").await?;
    b.client.goto(&format!("{base}/consola/centros/{NEW}")).await?;
    b.find("#capacitado").await?;
    b.wait_text("2 de 2 (100 %)").await?;
    b.shot("13-plantilla-en-la-pagina-del-centro").await?;
    sign_out(&b).await?;

    // The Enlace sees its accepted request and its new centro.
    sign_in(&b, &base, "enlace.salud", "Mi institución").await?;
    b.find(&format!("tr[data-centro='{NEW}']")).await?;
    b.click("a[href='/consola/incorporacion']").await?;
    b.find(&format!("#tabla-solicitudes tr[data-centro='{NEW}'] .state-aceptado")).await?;
    b.shot("14-enlace-ve-su-centro-aceptado").await?;
    b.close().await?;
    Ok(())
}
