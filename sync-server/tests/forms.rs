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
