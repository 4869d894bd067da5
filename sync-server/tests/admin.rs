//! Program administration over the API: periods, centros (and their import), users,
//! assignments, quotas; and who may do it.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use support::{TestApp, demo_app};

async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Vec<u8>) -> support::Answer {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .expect("request");
    app.send(req).await
}

fn json(v: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&v).expect("json")
}

#[tokio::test]
async fn staff_registers_a_centro_assigns_it_and_the_device_receives_it() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let centro = serde_json::json!({
        "name": "Módulo Irapuato Norte", "dependencia": "Secretaría de Finanzas", "ambito": "estatal", "tipo": "tramites",
        "municipio": "Irapuato", "lat": 20.70, "lon": -101.35, "sampling_interval": 4, "tramites": ["Placas"]
    });
    let a = call(&app, Method::PUT, "/api/v1/centros/GTO-E-T-99", &staff, json(centro)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let assigned = call(&app, Method::PUT, "/api/v1/users/enc.ana/centros/GTO-E-T-99", &staff, vec![]).await;
    assert!(assigned.json.as_array().expect("ids").iter().any(|c| c == "GTO-E-T-99"));
    let quota = call(&app, Method::PUT, "/api/v1/periods/2025/quotas/GTO-E-T-99", &staff, json(serde_json::json!({"surveys": 120}))).await;
    assert_eq!(quota.status, StatusCode::OK);
    let ana = app.enrol("enc.ana").await;
    let page = app.get("/api/v1/sync/pull?after=0", Some(&ana)).await;
    let last = page.json["changes"].as_array().expect("changes").iter().rev().find(|c| c["centro_id"] == "GTO-E-T-99").cloned().expect("pulled");
    assert_eq!((last["quota"].as_u64(), last["sampling_interval"].as_u64()), (Some(120), Some(4)));
    // The new centro is scored (in its category) from now on.
    let scores = app.get("/api/v1/periods/2025/scores", Some(&staff)).await;
    assert!(scores.json["centros"].as_array().expect("centros").iter().any(|c| c["centro_id"] == "GTO-E-T-99"));
    let removed = call(&app, Method::DELETE, "/api/v1/users/enc.ana/centros/GTO-E-T-99", &staff, vec![]).await;
    assert!(!removed.json.as_array().expect("ids").iter().any(|c| c == "GTO-E-T-99"));
    assert_eq!(call(&app, Method::PUT, "/api/v1/users/enc.ana/centros/NO-EXISTE", &staff, vec![]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, Method::PUT, "/api/v1/users/nadie/centros/GTO-E-T-99", &staff, vec![]).await.status, StatusCode::NOT_FOUND);
    let bad = serde_json::json!({"name": "X", "dependencia": "", "ambito": "federal", "tipo": "tramites", "municipio": "", "lat": null, "lon": null, "sampling_interval": 4});
    let refused = call(&app, Method::PUT, "/api/v1/centros/X1", &staff, json(bad)).await;
    assert_eq!((refused.status, refused.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_centro")));
}

#[tokio::test]
async fn centros_import_from_csv_all_or_nothing() {
    let app = demo_app().await;
    let staff = app.enrol("coordinacion").await;
    let bad = "id,nombre,ambito,tipo,municipio,k\nN1,Uno,estatal,tramites,León,3\nN2,Dos,estatal,otro,León,3\n";
    let a = call(&app, Method::POST, "/api/v1/centros/import", &staff, bad.as_bytes().to_vec()).await;
    assert_eq!((a.status, a.json["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_file")));
    assert_eq!((a.json["details"][0]["row"].as_u64(), a.json["details"][0]["column"].as_str()), (Some(3), Some("tipo")));
    let scores = || async { app.get("/api/v1/periods/2025/scores", Some(&staff)).await.json["centros"].as_array().map(Vec::len) };
    assert_eq!(scores().await, Some(20), "nothing imported from a file with errors");
    let good = "\u{feff}id,nombre,dependencia,ambito,tipo,municipio,lat,lon,k,tramites\nN1,Uno,DIF,municipal,servicios,León,21.1,-101.6,3,Apoyos\nN2,Dos,DIF,municipal,servicios,Celaya,,,2,\n";
    let ok = call(&app, Method::POST, "/api/v1/centros/import", &staff, good.as_bytes().to_vec()).await;
    assert_eq!((ok.status, ok.json["centros"].as_u64()), (StatusCode::OK, Some(2)), "{}", ok.json);
    assert_eq!(scores().await, Some(22));
}

fn centro(id: &str, sampling_interval: u32) -> sync_server::db::CentroRow {
    sync_server::db::CentroRow {
        id: id.into(),
        name: format!("Centro {id}"),
        dependencia: "Finanzas".into(),
        ambito: shared::scoring::Ambito::Estatal,
        tipo: shared::scoring::Tipo::Tramites,
        municipio: "León".into(),
        lat: None,
        lon: None,
        sampling_interval,
        tramites: vec!["Placas".into()],
    }
}

/// An import is one transaction on either engine: a row the database itself refuses
/// (past every check of the import) leaves none of the file's rows stored, not the ones
/// before it either.
#[tokio::test]
async fn an_import_the_database_refuses_at_one_row_stores_none() {
    let app = demo_app().await;
    let db = &app.state.db;
    // A sampling interval of 0 is refused by the schema's CHECK, not before.
    let refused = db.upsert_centros(vec![centro("A1", 3), centro("A2", 0)]).await;
    assert!(refused.is_err(), "the second row violates a CHECK");
    assert!(matches!(db.centro("A1".into()).await, Err(sync_server::db::DbError::NotFound(_))), "the first row must not be stored");
    db.upsert_centros(vec![centro("A1", 3), centro("A2", 4)]).await.expect("valid import");
    assert_eq!(db.centro("A2".into()).await.expect("stored").tramites, ["Placas"]);
}

#[tokio::test]
async fn only_an_admin_creates_users_and_periods_pin_their_settings() {
    let app = demo_app().await;
    let admin = app.enrol("admin").await;
    let staff = app.enrol("coordinacion").await;
    let user = serde_json::json!({"username": "enc.nuevo", "display_name": "Nuevo", "role": "surveyor", "password": "segura-123", "supervisor": "sup.sur"});
    assert_eq!(call(&app, Method::POST, "/api/v1/users", &staff, json(user.clone())).await.status, StatusCode::FORBIDDEN);
    let created = call(&app, Method::POST, "/api/v1/users", &admin, json(user.clone())).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.json);
    assert_eq!(call(&app, Method::POST, "/api/v1/users", &admin, json(user)).await.status, StatusCode::CONFLICT);
    let weak = serde_json::json!({"username": "x", "display_name": "X", "role": "surveyor", "password": "123", "supervisor": null});
    assert_eq!(call(&app, Method::POST, "/api/v1/users", &admin, json(weak)).await.json["code"], "weak_password");
    let login = serde_json::json!({"username": "enc.nuevo", "password": "segura-123", "device_label": "nuevo"});
    assert_eq!(app.post("/api/v1/auth/enrol", None, &login).await.status, StatusCode::OK);

    let mut settings = serde_json::to_value(shared::scoring::MethodSettings::default()).expect("json");
    settings["method"] = "MGS-1b".into();
    settings["eligibility"]["min_surveys"] = 30.into();
    let period = serde_json::json!({"name": "Piloto 2026", "start": "2026-01-01", "end": "2026-06-30", "settings": settings});
    let a = call(&app, Method::PUT, "/api/v1/periods/2026A", &staff, json(period)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json);
    let table = app.get("/api/v1/periods/2026A/scores", Some(&staff)).await;
    assert_eq!(table.json["method"], "MGS-1b");
    let backwards = serde_json::json!({"name": "Mal", "start": "2026-06-30", "end": "2026-01-01"});
    assert_eq!(call(&app, Method::PUT, "/api/v1/periods/mal", &staff, json(backwards)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut broken = serde_json::to_value(shared::scoring::MethodSettings::default()).expect("json");
    broken["z"] = (-1.0).into();
    let p = serde_json::json!({"name": "Mal", "start": "2026-01-01", "end": "2026-02-01", "settings": broken});
    assert_eq!(call(&app, Method::PUT, "/api/v1/periods/mal", &staff, json(p)).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}
