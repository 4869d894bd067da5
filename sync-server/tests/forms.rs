//! Publishing XLSForm workbooks over the API: errors by row, immutability, scope.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use support::{TestApp, demo_app, xlsform as workbook};

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>) -> support::Answer {
    let req = Request::post("/api/v1/forms")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .body(Body::from(bytes))
        .expect("request");
    app.send(req).await
}

#[tokio::test]
async fn a_broken_form_is_refused_with_every_row_and_a_good_one_is_published_once() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let broken = workbook(&[&["type", "name", "label", "relevant"], &["select_one colores", "a", "A", ""], &["text", "b", "B", "${zz} = 1"]], "1");
    let a = upload(&app, &staff, broken).await;
    assert_eq!((a.status, a.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_form")));
    let details: Vec<(u64, &str)> = a.json["details"]
        .as_array()
        .expect("details")
        .iter()
        .map(|d| (d["row"].as_u64().unwrap_or(0), d["column"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(details, [(2, "type"), (3, "relevant")]);
    assert_eq!(a.json["details"][0]["message"], "la lista de opciones «colores» no existe en la hoja choices");

    let good = workbook(&[&["type", "name", "label"], &["select_one sn", "ok", "¿Todo bien?"]], "1");
    let first = upload(&app, &staff, good.clone()).await;
    assert_eq!((first.status, first.json["status"].as_str()), (StatusCode::OK, Some("new")), "{}", first.json);
    assert_eq!(upload(&app, &staff, good).await.json["status"], "unchanged");
    let changed = workbook(&[&["type", "name", "label"], &["select_one sn", "ok", "¿Todo en orden?"]], "1");
    let conflict = upload(&app, &staff, changed).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(conflict.json["message"].as_str().is_some_and(|m| m.contains("cambie la versión")));
    let listed = app.get("/api/v1/forms", None).await;
    assert!(listed.json["forms"].as_array().expect("forms").iter().any(|f| f["form_id"] == "piloto"));

    let surveyor = app.enrol("enc.ana").await;
    assert_eq!(upload(&app, &surveyor, b"PK".to_vec()).await.status, StatusCode::FORBIDDEN);
    let junk = upload(&app, &staff, b"not a workbook".to_vec()).await;
    assert_eq!((junk.status, junk.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_form")));
}

#[tokio::test]
async fn a_form_without_settings_is_named_by_its_file_and_versioned_by_its_content() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let mut wb = rust_xlsxwriter::Workbook::new();
    support::sheet(&mut wb, "survey", &[&["type", "name", "label"], &["text", "opinion", "¿Qué opina?"]]);
    let bytes = wb.save_to_buffer().expect("xlsx");
    let send = |query: &str| {
        Request::post(format!("/api/v1/forms{query}"))
            .header(header::AUTHORIZATION, format!("Bearer {staff}"))
            .body(Body::from(bytes.clone()))
            .expect("request")
    };
    let unnamed = app.send(send("")).await;
    assert_eq!((unnamed.status, unnamed.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_form")), "{}", unnamed.json);
    let named = app.send(send("?file_name=Opinion%20ciudadana.xlsx")).await;
    assert_eq!(named.status, StatusCode::OK, "{}", named.json);
    assert_eq!(named.json["form_id"], "Opinion_ciudadana");
    let version = named.json["version"].as_str().expect("version").to_string();
    assert!(version.starts_with('h'), "{version}");
    assert!(named.json["warnings"].as_array().expect("warnings").iter().any(|w| w.as_str().is_some_and(|w| w.contains("huella"))));
    // The same workbook again is the same version: unchanged.
    assert_eq!(app.send(send("?file_name=Opinion%20ciudadana.xlsx")).await.json["status"], "unchanged");
    // At start the server (and a phone) read the stored workbook back under its id: the
    // same version comes out.
    let again = shared::form::import_xlsx_named(&bytes, Some("Opinion_ciudadana")).expect("reads back");
    assert_eq!((again.form.id.as_str(), again.form.version.as_str()), ("Opinion_ciudadana", version.as_str()));
    let long = format!("?file_name={}", "a".repeat(201));
    assert_eq!(app.send(send(&long)).await.status, StatusCode::BAD_REQUEST);
}

/// A `multipart/form-data` body of (part name, file name, bytes) parts.
fn multipart(parts: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "frontera-de-prueba";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn a_form_is_published_with_its_files_and_phones_receive_them_with_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = support::test_config(dir.path()).await;
    config.demo = true;
    let app = TestApp::new(sync_server::open_state(&config).await.expect("state"), tempfile::tempdir().expect("dir"));
    let staff = app.enrol("coordinacion").await;
    let xlsx = workbook(
        &[
            &["type", "name", "label", "calculation"],
            &["select_one_from_file municipios.csv", "municipio", "Municipio", ""],
            &["calculate", "habitantes", "", "pulldata('municipios', 'poblacion', 'name', ${municipio})"],
        ],
        "1",
    );
    let send = |parts: Vec<(&'static str, &'static str, Vec<u8>)>| {
        let borrowed: Vec<(&str, &str, &[u8])> = parts.iter().map(|(n, f, b)| (*n, *f, b.as_slice())).collect();
        let (content_type, body) = multipart(&borrowed);
        Request::post("/api/v1/forms")
            .header(header::AUTHORIZATION, format!("Bearer {staff}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request")
    };
    // Without the file the form names, it is refused where it names it.
    let missing = app.send(send(vec![("formulario", "piloto.xlsx", xlsx.clone())])).await;
    assert_eq!((missing.status, missing.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_form")), "{}", missing.json);
    assert_eq!(missing.json["details"][0]["message"], "falta el archivo adjunto «municipios.csv»: súbalo junto con el formulario");
    assert_eq!((missing.json["details"][0]["row"].as_u64(), missing.json["details"][0]["column"].as_str()), (Some(2), Some("type")));
    // A file part without its file name is refused by rule (422), an unknown part as malformed (400).
    let unnamed = app.send(send(vec![("formulario", "piloto.xlsx", xlsx.clone()), ("archivo", "", b"x".to_vec())])).await;
    assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unnamed.json);
    let stray = app.send(send(vec![("formulario", "piloto.xlsx", xlsx.clone()), ("otra", "x.csv", b"x".to_vec())])).await;
    assert_eq!(stray.status, StatusCode::BAD_REQUEST);

    let csv = b"name,label,poblacion\nleon,Le\xc3\xb3n,1721215\ncelaya,Celaya,516418\n".to_vec();
    let ok = app.send(send(vec![("formulario", "piloto.xlsx", xlsx.clone()), ("archivo", "municipios.csv", csv.clone())])).await;
    assert_eq!((ok.status, ok.json["status"].as_str()), (StatusCode::OK, Some("new")), "{}", ok.json);
    // Another file under the same version is other content: refused.
    let changed = b"name,label,poblacion\nleon,Le\xc3\xb3n,1\n".to_vec();
    let conflict = app.send(send(vec![("formulario", "piloto.xlsx", xlsx), ("archivo", "municipios.csv", changed)])).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);

    // Phones receive the files with the form.
    let surveyor = app.enrol("enc.ana").await;
    let (mut cursor, mut changes) = (0, Vec::new());
    loop {
        let page = app.get(&format!("/api/v1/sync/pull?after={cursor}"), Some(&surveyor)).await;
        changes.extend(page.json["changes"].as_array().cloned().unwrap_or_default());
        cursor = page.json["cursor"].as_u64().expect("cursor");
        if page.json["more"] != true {
            break;
        }
    }
    let form = changes.iter().map(ToString::to_string).find(|c| c.contains("\"piloto\"")).expect("the form reaches the phone");
    assert!(form.contains("\"name\":\"municipios.csv\""), "the file travels with the form");

    // After a restart the server reads the stored form with its files.
    drop(app);
    let state = sync_server::open_state(&config).await.expect("reopens");
    let cached = state.forms().get(&("piloto".to_string(), "1".to_string())).cloned().expect("the form is loaded again");
    assert_eq!(cached.form.lists["municipios.csv"].choices.len(), 2);
}
