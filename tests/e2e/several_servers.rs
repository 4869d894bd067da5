//! Two server processes on one PostgreSQL database behind a lossy balancer: 20 phones with
//! the app's real store and sync engine push and pull through a proxy that sends each
//! request to either server at random and drops requests and answers, while a supervisor
//! decides reviews on either server. Every survey is stored exactly once, every phone ends
//! with every review decision (its pulls skipped nothing), and both servers' live score
//! tables equal the table rebuilt from the database.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mobile::sync::lock;

use crate::field::Device;
use crate::field_sync::{create_surveyors, stored_ids};
use crate::proxy::{Faults, spawn_balancer};

const PASSWORD: &str = sync_server::demo::DEMO_PASSWORD;

/// A server process, killed when dropped.
struct ServerProcess {
    child: Child,
    address: SocketAddr,
}

impl ServerProcess {
    fn start(database: &str, files: &Path, demo: bool) -> anyhow::Result<Self> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_server-process"));
        command.args(["--bind", "127.0.0.1:0", "--log", "warn", "--database", database, "--data-dir"]).arg(files);
        if demo {
            command.arg("--demo");
        }
        let mut child = command.stdout(Stdio::piped()).spawn()?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(address) = line.strip_prefix("listo en http://") {
                    let _ = tx.send(address.trim().to_string());
                }
            }
        });
        let address = rx.recv_timeout(Duration::from_secs(120))?.parse()?;
        Ok(Self { child, address })
    }

    fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A new, empty database in the tests' PostgreSQL cluster (`VENTANILLA_TEST_DATABASE_URL`,
/// which `scripts/test.sh` starts); its URL.
pub async fn fresh_postgres_database() -> anyhow::Result<String> {
    let admin = std::env::var("VENTANILLA_TEST_DATABASE_URL")
        .map_err(|_| anyhow::anyhow!("VENTANILLA_TEST_DATABASE_URL names the tests' PostgreSQL cluster (scripts/test.sh starts one: scripts/pg-cluster.sh)"))?;
    let (client, connection) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    let name = format!("e2e_{}", uuid::Uuid::now_v7().simple());
    client.batch_execute(&format!("CREATE DATABASE {name}")).await?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
    Ok(format!("{base}/{name}"))
}

async fn token(http: &reqwest::Client, server: &str, username: &str) -> anyhow::Result<String> {
    let body = serde_json::json!({ "username": username, "password": PASSWORD, "device_label": "e2e" });
    let v: serde_json::Value = http.post(format!("{server}/api/v1/auth/enrol")).json(&body).send().await?.error_for_status()?.json().await?;
    Ok(v["token"].as_str().unwrap_or_default().to_string())
}

/// Waits (generously) until `check` holds, asking again and again.
async fn eventually<F, Fut>(what: &str, mut check: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<bool>>,
{
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if check().await? {
            return Ok(());
        }
        anyhow::ensure!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgres_store_every_survey_once_and_agree_on_the_scores() -> anyhow::Result<()> {
    const PHONES: usize = 20;
    const SURVEYS: usize = 60;
    let database = fresh_postgres_database().await?;
    // The files directory both servers share (photos, evidence, exports).
    let files = tempfile::tempdir()?;
    let a = ServerProcess::start(&database, files.path(), true)?;
    let b = ServerProcess::start(&database, files.path(), false)?;
    // reqwest is built without a default TLS provider; plain HTTP here, but it asks for one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();

    // A period in course on server A (the demo's 2025 is over), without the answering-time
    // rule (the phones answer faster than people).
    let staff = token(&http, &a.url(), "coordinacion").await?;
    let today = chrono::Utc::now().date_naive();
    let mut settings = serde_json::to_value(shared::scoring::MethodSettings::default())?;
    settings["integrity"]["min_duration_seconds"] = 0.0.into();
    let period = serde_json::json!({"name": "Periodo en curso", "start": (today - chrono::Duration::days(30)).to_string(), "end": (today + chrono::Duration::days(30)).to_string(), "settings": settings});
    http.put(format!("{}/api/v1/periods/actual", a.url())).bearer_auth(&staff).json(&period).send().await?.error_for_status()?;
    // Server B learns of it from the change log.
    eventually("server B scores the new period", || async {
        Ok(http.get(format!("{}/api/v1/periods/actual/scores", b.url())).bearer_auth(&staff).send().await?.status().is_success())
    })
    .await?;

    let faults = Faults { drop_request: 0.2, cut_request: 0.05, drop_response: 0.2, seed: 0x2_5E4E };
    let balancer = spawn_balancer(vec![a.address, b.address], faults).await?;
    let mut phones = Vec::with_capacity(PHONES);
    for (i, user) in create_surveyors(&a.url(), PHONES).await?.iter().enumerate() {
        phones.push(Device::enrol(&b.url(), &balancer.url(), user, &format!("Teléfono {i}")).await?);
    }

    // The phones fill and send; meanwhile a supervisor decides what waits in review, each
    // decision on either server.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reviewer = {
        let (http, stop) = (http.clone(), stop.clone());
        let servers = [a.url(), b.url()];
        let supervisor = [token(&http, &servers[0], "sup.norte").await?, token(&http, &servers[1], "sup.norte").await?];
        tokio::spawn(async move {
            let mut decided = 0usize;
            let mut n = 0usize;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                n += 1;
                let at = n % 2;
                let queue: serde_json::Value =
                    http.get(format!("{}/api/v1/review", servers[at])).bearer_auth(&supervisor[at]).send().await?.error_for_status()?.json().await?;
                for item in queue["items"].as_array().into_iter().flatten().take(10) {
                    let id = item["submission_id"].as_str().unwrap_or_default();
                    let decision = if decided.is_multiple_of(3) {
                        serde_json::json!({"decision": "reject", "reason": "Repetir la entrevista."})
                    } else {
                        serde_json::json!({"decision": "approve", "reason": null})
                    };
                    let at = (n + decided) % 2;
                    let res = http.post(format!("{}/api/v1/review/{id}", servers[at])).bearer_auth(&supervisor[at]).json(&decision).send().await?;
                    if res.status().is_success() {
                        decided += 1;
                    }
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            anyhow::Ok(decided)
        })
    };
    let mut tasks = Vec::new();
    for mut phone in phones {
        tasks.push(tokio::spawn(async move {
            phone.drain().await?;
            let mut ids = Vec::new();
            for _ in 0..3 {
                ids.extend(phone.fill_surveys(SURVEYS / 3)?);
                phone.drain().await?;
            }
            anyhow::Ok((phone, ids))
        }));
    }
    let mut all_ids = HashSet::new();
    let mut phones = Vec::new();
    for t in tasks {
        let (phone, ids) = t.await??;
        all_ids.extend(ids.iter().map(ToString::to_string));
        phones.push(phone);
    }
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let decided = reviewer.await??;
    assert!(decided > 0, "the supervisor decided nothing: nothing waited in review");
    assert!(balancer.count(|s| &s.dropped_requests) > 0 && balancer.count(|s| &s.dropped_responses) > 0);

    // Exactly once, whichever server took each push.
    assert_eq!(all_ids.len(), PHONES * SURVEYS);
    for server in [a.url(), b.url()] {
        let stored = stored_ids(&server).await?;
        assert_eq!(stored.len(), PHONES * SURVEYS, "{server}: no survey lost, none stored twice");
        assert_eq!(stored.into_iter().collect::<HashSet<_>>(), all_ids);
    }

    // Every phone's pulls skipped nothing: after one more sync, each holds the review state
    // the server holds for every one of its surveys (decisions made on both servers while
    // pushes committed on both).
    let states: HashMap<String, String> = {
        let csv = crate::field_sync::export_csv(&a.url(), "encuesta_opinion", "2025010102").await?;
        let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
        let headers = rows.headers()?.clone();
        let (id, review) = (headers.iter().position(|h| h == "_id"), headers.iter().position(|h| h == "_revision"));
        let (Some(id), Some(review)) = (id, review) else { anyhow::bail!("export columns: {headers:?}") };
        rows.records().map(|r| r.map(|r| (r[id].to_string(), r[review].to_string()))).collect::<Result<_, _>>()?
    };
    let mut told = 0;
    for phone in &phones {
        phone.drain().await?;
        let store = lock(&phone.store);
        for record in store.sent_records(10_000)? {
            let on_server = states.get(&record.id.to_string()).ok_or_else(|| anyhow::anyhow!("{} not on the server", record.id))?;
            let on_phone = record.review.map(|r| r.code().to_string()).unwrap_or_default();
            assert_eq!(&on_phone, on_server, "phone {}: the review of {} never reached it", phone.device_id, record.id);
            told += usize::from(on_server == "approved" || on_server == "rejected");
        }
    }
    assert!(told > 0, "no decision reached a phone");

    // Both servers' live scores equal the table rebuilt from the database.
    let inputs: shared::protocol::ScoringInputs =
        http.get(format!("{}/api/v1/periods/actual/scoring-inputs", a.url())).bearer_auth(&staff).send().await?.error_for_status()?.json().await?;
    let rebuilt = serde_json::to_value(shared::protocol::ScoreTableDto::from(&inputs.recompute().map_err(|e| anyhow::anyhow!("{e}"))?))?;
    for server in [a.url(), b.url()] {
        eventually(&format!("{server}'s live scores equal the rebuilt table"), || async {
            let live: serde_json::Value = http.get(format!("{server}/api/v1/periods/actual/scores")).bearer_auth(&staff).send().await?.error_for_status()?.json().await?;
            Ok(live == rebuilt)
        })
        .await?;
    }
    eprintln!(
        "balancer: {} requests, {} dropped, {} cut, {} answers dropped after commit; {decided} review decisions, {told} told to phones",
        balancer.count(|s| &s.requests),
        balancer.count(|s| &s.dropped_requests),
        balancer.count(|s| &s.cut_requests),
        balancer.count(|s| &s.dropped_responses)
    );
    Ok(())
}
