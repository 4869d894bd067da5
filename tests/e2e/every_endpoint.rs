//! Every endpoint of the OpenAPI document, over real HTTP on 127.0.0.1, with an empty or
//! junk body: each answers, none with a 5xx, errors always as `{code, message}`.

use crate::helpers::spawn_server;

const PASSWORD: &str = sync_server::demo::DEMO_PASSWORD;

fn concrete(path: &str) -> String {
    [
        ("{period_id}", "2025"),
        ("{centro_id}", "GTO-E-T-01"),
        ("{form_id}", "encuesta_opinion"),
        ("{version}", "2025010102"),
        ("{commitment_id}", "K1"),
        ("{milestone_id}", "h1"),
        ("{folio}", "Q-1"),
        ("{username}", "enc.ana"),
        ("{device_id}", "01900000-0000-7000-8000-000000000001"),
        ("{submission_id}", "01900000-0000-7000-8000-000000000002"),
        ("{sha256}", "0000000000000000000000000000000000000000000000000000000000000000"),
    ]
    .iter()
    .fold(path.to_string(), |p, (k, v)| p.replace(k, v))
}

#[tokio::test]
async fn every_documented_endpoint_answers_without_a_5xx() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    // Building the app's client installs the TLS provider reqwest needs (ring).
    let _ = mobile::sync_client::SyncClient::new(&server.url())?;
    let http = reqwest::Client::new();
    let base = format!("{}/api/v1", server.url());
    let enrol = |user: &str| serde_json::json!({"username": user, "password": PASSWORD, "device_label": "e2e"});
    let mut tokens = Vec::new();
    for user in ["admin", "enc.ana", "insp.carmen"] {
        let res: serde_json::Value = http.post(format!("{base}/auth/enrol")).json(&enrol(user)).send().await?.json().await?;
        tokens.push(res["token"].as_str().unwrap_or_default().to_string());
    }
    let doc: serde_json::Value = http.get(format!("{base}/openapi.json")).send().await?.json().await?;
    let paths = doc["paths"].as_object().ok_or_else(|| anyhow::anyhow!("no paths"))?;
    let mut calls = 0;
    for (path, methods) in paths {
        for method in methods.as_object().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            for token in &tokens {
                let url = format!("{base}{}", concrete(path));
                let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes())?;
                let res = http.request(method.clone(), &url).bearer_auth(token).header("content-type", "application/json").body("{}").send().await?;
                let status = res.status();
                assert!(!status.is_server_error(), "{method} {path}: {status}");
                if status.is_client_error() {
                    let body: serde_json::Value = res.json().await?;
                    assert!(body["code"].is_string() && body["message"].is_string(), "{method} {path}: {body}");
                }
                calls += 1;
            }
        }
    }
    assert!(calls >= 3 * 27, "{calls} calls");
    Ok(())
}
