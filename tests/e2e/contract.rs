//! The API contract: Schemathesis generates requests from the served OpenAPI document
//! (valid ones, invalid ones, and sequences that feed one answer into the next request)
//! against the real server on 127.0.0.1, as a field user, program staff and an admin, with
//! every check (`--checks all`): no 5xx, every status and body as documented, valid
//! requests accepted, invalid ones refused. `scripts/setup.sh --tests` installs it.

use std::path::PathBuf;
use std::process::Command;

use crate::helpers::spawn_server_with;

/// Where `scripts/setup.sh --tests` puts Schemathesis (or `VENTANILLA_SCHEMATHESIS`).
fn schemathesis() -> PathBuf {
    std::env::var_os("VENTANILLA_SCHEMATHESIS").map(PathBuf::from).unwrap_or_else(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")));
        target.join("tools/venv/bin/schemathesis")
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_requests_find_no_contract_failure() -> anyhow::Result<()> {
    let program = schemathesis();
    anyhow::ensure!(program.exists(), "{} is missing: run scripts/setup.sh --tests", program.display());
    // Schemathesis sends thousands of requests from one device: the per-device limit is
    // tested elsewhere and is not what this test is about.
    let server = spawn_server_with(|config| {
        config.device_burst = 1_000_000;
        config.device_rate = 100_000;
    })
    .await?;
    let base = format!("{}/api/v1", server.url());
    // Building the app's client installs the TLS provider reqwest needs (ring).
    let _ = mobile::sync_client::SyncClient::new(&server.url())?;
    let http = reqwest::Client::new();
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/contract/schemathesis.toml");
    // Enrolled first: Schemathesis's own sign-in attempts reach the per-client limit.
    let mut tokens = Vec::new();
    for user in ["enc.ana", "coordinacion", "admin"] {
        let body = serde_json::json!({"username": user, "password": sync_server::demo::DEMO_PASSWORD, "device_label": "schemathesis"});
        let enrolled: serde_json::Value = http.post(format!("{base}/auth/enrol")).json(&body).send().await?.error_for_status()?.json().await?;
        let token = enrolled["token"].as_str().ok_or_else(|| anyhow::anyhow!("no token for {user}"))?.to_string();
        tokens.push((user, token));
    }
    for (user, token) in tokens {
        let (program, base) = (program.clone(), base.clone());
        // Schemathesis keeps a cache in its working directory: a temporary one, not the repository.
        let workdir = tempfile::tempdir()?;
        let cwd = workdir.path().to_path_buf();
        let output = tokio::task::spawn_blocking(move || {
            Command::new(&program)
                .current_dir(&cwd)
                .args(["--config-file", config, "run", &format!("{base}/openapi.json"), "--url", &base])
                .args(["--header", &format!("Authorization: Bearer {token}")])
                // A fixed seed: the same requests on every run (a failure is reproducible).
                .args(["--checks", "all", "--max-examples", "25", "--seed", "20261204", "--no-color"])
                .output()
        })
        .await??;
        let report = String::from_utf8_lossy(&output.stdout);
        let summary: String = report.lines().skip_while(|l| !l.contains("SUMMARY")).collect::<Vec<_>>().join("\n");
        println!("Schemathesis as {user}:\n{summary}");
        anyhow::ensure!(
            output.status.success(),
            "Schemathesis found contract failures as {user}:\n{report}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        anyhow::ensure!(report.contains(" passed"), "no test case passed as {user}:\n{report}");
    }
    Ok(())
}
