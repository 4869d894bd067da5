//! The app's sync path against the real server through a fault-injecting proxy.

use std::collections::{HashMap, HashSet};

use mobile::sync::lock;
use mobile::sync_client::SyncClient;
use shared::protocol::DeviceDay;

use crate::field::Device;
use crate::helpers::spawn_server;
use crate::proxy::{Fault, Faults, spawn_proxy};

/// Creates `n` surveyors (`enc.sim.<i>`, the demo password), each assigned one demo centro.
pub(crate) async fn create_surveyors(server: &str, n: usize) -> anyhow::Result<Vec<String>> {
    let admin = SyncClient::new(server)?.enrol("admin", sync_server::demo::DEMO_PASSWORD, "Escritorio").await?;
    let me = SyncClient::new(server)?.with_token(admin.token.clone()).me().await?;
    let http = reqwest::Client::new();
    let mut users = Vec::with_capacity(n);
    for i in 0..n {
        let username = format!("enc.sim.{i}");
        let body = serde_json::json!({
            "username": username, "display_name": format!("Encuestador {i}"), "role": "surveyor",
            "password": sync_server::demo::DEMO_PASSWORD, "supervisor": "sup.norte",
        });
        http.post(format!("{server}/api/v1/users")).bearer_auth(&admin.token).json(&body).send().await?.error_for_status()?;
        let centro = &me.centros[i % me.centros.len()];
        http.put(format!("{server}/api/v1/users/{username}/centros/{centro}")).bearer_auth(&admin.token).send().await?.error_for_status()?;
        users.push(username);
    }
    Ok(users)
}

/// A form version's CSV export, as the program's staff download it.
pub(crate) async fn export_csv(server: &str, form: &str, version: &str) -> anyhow::Result<String> {
    let staff = SyncClient::new(server)?.enrol("coordinacion", sync_server::demo::DEMO_PASSWORD, "Escritorio").await?;
    Ok(reqwest::Client::new()
        .get(format!("{server}/api/v1/forms/{form}/{version}/submissions.csv"))
        .bearer_auth(&staff.token)
        .send()
        .await?
        .error_for_status()?
        .text()
        .await?)
}

/// Every submission id the server holds for the survey form, from its CSV export.
pub(crate) async fn stored_ids(server: &str) -> anyhow::Result<Vec<String>> {
    let csv = export_csv(server, "encuesta_opinion", "2025010102").await?;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().trim_start_matches('\u{feff}').split(',').collect();
    let col = header.iter().position(|h| *h == "_id").ok_or_else(|| anyhow::anyhow!("no id column: {header:?}"))?;
    Ok(lines.map(|l| l.split(',').nth(col).unwrap_or_default().to_string()).collect())
}

async fn device_days(server: &str) -> anyhow::Result<Vec<DeviceDay>> {
    let staff = SyncClient::new(server)?.enrol("coordinacion", sync_server::demo::DEMO_PASSWORD, "Escritorio").await?;
    Ok(reqwest::Client::new().get(format!("{server}/api/v1/devices")).bearer_auth(&staff.token).send().await?.error_for_status()?.json().await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_devices_through_a_lossy_link_store_every_survey_exactly_once() -> anyhow::Result<()> {
    const DEVICES: usize = 50;
    const SURVEYS: usize = 200;
    let server = spawn_server().await?;
    let faults = Faults { drop_request: 0.3, cut_request: 0.05, drop_response: 0.3, seed: 0x5EED };
    let proxy = spawn_proxy(server.address, faults).await?;
    let mut devices = Vec::with_capacity(DEVICES);
    for (i, user) in create_surveyors(&server.url(), DEVICES).await?.iter().enumerate() {
        devices.push(Device::enrol(&server.url(), &proxy.url(), user, &format!("Teléfono {i}")).await?);
    }
    // Each phone gets its forms and centros through the lossy link, then works offline.
    let mut tasks = Vec::new();
    for mut device in devices {
        tasks.push(tokio::spawn(async move {
            device.drain().await?;
            let ids = device.fill_surveys(SURVEYS)?;
            let report = device.drain().await?;
            anyhow::Ok((device, ids, report))
        }));
    }
    let mut all_ids = HashSet::new();
    let mut finished = Vec::new();
    for t in tasks {
        let (device, ids, _report) = t.await??;
        all_ids.extend(ids.iter().map(|id| id.to_string()));
        finished.push(device);
    }
    assert_eq!(all_ids.len(), DEVICES * SURVEYS);
    assert!(proxy.count(|s| &s.dropped_requests) > 0 && proxy.count(|s| &s.dropped_responses) > 0 && proxy.count(|s| &s.cut_requests) > 0);

    // The server holds exactly the 10,000 surveys, each once.
    let stored = stored_ids(&server.url()).await?;
    assert_eq!(stored.len(), DEVICES * SURVEYS, "no survey lost, none stored twice");
    assert_eq!(stored.iter().cloned().collect::<HashSet<_>>(), all_ids);

    // Every outbox is empty and every ledger matches the server's count for that device.
    let days: HashMap<String, DeviceDay> = device_days(&server.url()).await?.into_iter().map(|d| (d.device_id.to_string(), d)).collect();
    for device in &finished {
        let store = lock(&device.store);
        assert_eq!(store.outbox_counts()?.pending, 0);
        assert_eq!(store.outbox_counts()?.problems, 0);
        let ledger = store.ledger(store.today())?;
        let day = days.get(&device.device_id).ok_or_else(|| anyhow::anyhow!("server has no day for {}", device.device_id))?;
        assert_eq!((ledger.created, ledger.finalised, ledger.sent, ledger.acknowledged), (200, 200, 200, 200));
        assert_eq!(ledger.acknowledged, day.stored, "device {} ledger vs server", device.device_id);
        assert_eq!(store.last_receipt()?.map(|r| r.stored), Some(day.stored));
        let reported = day.ledger.ok_or_else(|| anyhow::anyhow!("device {} never reported its ledger", device.device_id))?;
        assert_eq!(
            (reported.created, reported.finalised, reported.sent, reported.acknowledged),
            (ledger.created, ledger.finalised, ledger.sent, ledger.acknowledged),
            "the server holds the device's own counts"
        );
    }
    eprintln!(
        "proxy: {} requests, {} dropped, {} cut, {} answers dropped after commit",
        proxy.count(|s| &s.requests),
        proxy.count(|s| &s.dropped_requests),
        proxy.count(|s| &s.cut_requests),
        proxy.count(|s| &s.dropped_responses)
    );
    Ok(())
}

#[tokio::test]
async fn a_visit_photo_cut_at_random_offsets_resumes_and_arrives_verified() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let faults = Faults { drop_request: 0.1, cut_request: 0.5, drop_response: 0.2, seed: 0xF070 };
    let proxy = spawn_proxy(server.address, faults).await?;
    let mut phone = Device::enrol(&server.url(), &proxy.url(), "insp.carmen", "Tableta").await?;
    phone.drain().await?;
    let photo: Vec<u8> = (0..900_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let (visit, sha) = phone.fill_visit(&photo)?;
    assert_eq!(visit.meta.photos, std::slice::from_ref(&sha));
    let report = phone.drain().await?;
    assert_eq!(report.photos, 1);
    assert!(proxy.count(|s| &s.cut_requests) > 0, "some uploads were cut");
    assert!(lock(&phone.store).photo_queue()?.is_empty());
    let direct = SyncClient::new(&server.url())?.with_token(lock(&phone.store).enrolment()?.map(|e| e.token).unwrap_or_default());
    let status = direct.photo_status(&sha).await?;
    assert_eq!((status.received, status.complete), (photo.len() as u64, true), "the server verified the hash of every byte");
    // The server's record of the visit no longer misses its photo.
    let device_time = lock(&phone.store).now();
    let again = direct.push(&shared::protocol::PushRequest { device_time, submissions: vec![visit], ledger: None, sampling: vec![] }).await?;
    assert_eq!(again.results[0].outcome, shared::protocol::Outcome::Duplicate);
    assert!(again.results[0].missing_photos.is_empty(), "{:?}", again.results[0]);
    Ok(())
}

#[tokio::test]
async fn a_revoked_phone_stops_syncing_clearly_and_keeps_everything() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let proxy = spawn_proxy(server.address, Faults::none()).await?;
    let mut phone = Device::enrol(&server.url(), &proxy.url(), "enc.ana", "Teléfono perdido").await?;
    phone.drain().await?;
    phone.fill_surveys(3)?;
    let supervisor = SyncClient::new(&server.url())?.enrol("sup.norte", sync_server::demo::DEMO_PASSWORD, "Escritorio").await?;
    reqwest::Client::new()
        .post(format!("{}/api/v1/devices/{}/revoke", server.url(), phone.device_id))
        .bearer_auth(&supervisor.token)
        .send()
        .await?
        .error_for_status()?;
    let err = phone.engine.sync_once().await.expect_err("a revoked token cannot sync");
    assert!(matches!(err, mobile::sync::SyncFailure::Revoked));
    assert!(err.to_string().contains("dado de baja"), "{err}");
    let requests = proxy.count(|s| &s.requests);
    assert!(matches!(phone.engine.sync_once().await, Err(mobile::sync::SyncFailure::Revoked)));
    assert_eq!(proxy.count(|s| &s.requests), requests, "a stopped phone does not keep knocking");
    assert_eq!(lock(&phone.store).pending(10)?.len(), 3, "nothing local was touched");
    // Enrolled again, the same records go out.
    let again = SyncClient::new(&server.url())?.enrol("enc.ana", sync_server::demo::DEMO_PASSWORD, "Teléfono recuperado").await?;
    let mut enrolment = lock(&phone.store).enrolment()?.expect("enrolled");
    enrolment.token = again.token;
    lock(&phone.store).set_enrolment(&enrolment)?;
    let engine = mobile::sync::SyncEngine::from_enrolment(phone.store.clone())?;
    let report = engine.sync_once().await?;
    assert_eq!(report.acknowledged, 3);
    Ok(())
}

#[tokio::test]
async fn the_outbox_drains_by_itself_when_the_network_returns() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let proxy = spawn_proxy(server.address, Faults::none()).await?;
    let mut phone = Device::enrol(&server.url(), &proxy.url(), "enc.luis", "Teléfono").await?;
    phone.drain().await?;
    proxy.set_offline(true);
    phone.fill_surveys(20)?;
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let statuses = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = statuses.clone();
    let backoff = mobile::sync::Backoff::new(std::time::Duration::from_millis(20), std::time::Duration::from_millis(200));
    let task = tokio::spawn(mobile::sync::auto_sync(phone.store.clone(), wake.clone(), backoff, std::time::Duration::from_secs(3600), move |s| {
        seen.lock().expect("statuses").push(s);
    }));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(lock(&phone.store).outbox_counts()?.pending, 20, "offline: everything waits on the phone");
    assert!(statuses.lock().expect("statuses").iter().any(|s| matches!(s, mobile::sync::SyncStatus::Waiting { .. })));
    proxy.set_offline(false);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while lock(&phone.store).outbox_counts()?.pending > 0 {
        assert!(std::time::Instant::now() < deadline, "the outbox did not drain by itself");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    task.abort();
    let store = lock(&phone.store);
    assert_eq!(store.ledger(store.today())?.acknowledged, 20);
    Ok(())
}

#[tokio::test]
async fn milestones_and_complaints_from_the_field_reach_the_server_once_and_stale_edits_wait_aside() -> anyhow::Result<()> {
    // Several seeds, so that some runs lose the answer to a verification the server applied.
    for seed in [0xED17, 1, 2, 3, 4, 5] {
        field_edits_with_seed(seed).await?;
    }
    Ok(())
}

async fn field_edits_with_seed(seed: u64) -> anyhow::Result<()> {
    use mobile::store::edits::{EditKind, EditStatus};
    use shared::protocol::{ComplaintInput, VerifyMilestone};
    let server = spawn_server().await?;
    let staff = SyncClient::new(&server.url())?.enrol("coordinacion", sync_server::demo::DEMO_PASSWORD, "Escritorio").await?;
    let http = reqwest::Client::new();
    let put_commitment = |id: &str, description: &str| {
        let body = serde_json::json!({
            "description": description, "impact": 2,
            "milestones": [{"milestone_id": "h1", "description": "Primer avance", "due": "2025-09-30"}]
        });
        http.put(format!("{}/api/v1/centros/GTO-E-T-01/commitments/{id}", server.url())).bearer_auth(&staff.token).json(&body).send()
    };
    put_commitment("K1", "Sistema de turnos").await?.error_for_status()?;
    put_commitment("K2", "Señalización").await?.error_for_status()?;
    let faults = Faults { drop_request: 0.2, cut_request: 0.0, drop_response: 0.4, seed };
    let proxy = spawn_proxy(server.address, faults).await?;
    let phone = Device::enrol(&server.url(), &proxy.url(), "insp.carmen", "Tableta").await?;
    phone.drain().await?;
    // The program changes K2 after the phone saw it: a verification of K2 is stale.
    put_commitment("K2", "Señalización y directorio").await?.error_for_status()?;
    let day = chrono::NaiveDate::from_ymd_opt(2025, 6, 10).expect("day");
    {
        let mut store = lock(&phone.store);
        let sha = store.put_photo(b"evidence of K1")?;
        for (commitment, evidence) in [("K1", vec![sha]), ("K2", vec![])] {
            let body = VerifyMilestone { base_version: 1, verified_on: day, evidence };
            store.queue_edit("GTO-E-T-01", &EditKind::Milestone { commitment_id: commitment.into(), milestone_id: "h1".into(), body })?;
        }
        let body = ComplaintInput { received: day, responded: Some(day), corrective_action: true, acknowledged: true };
        store.queue_edit("GTO-E-T-01", &EditKind::Complaint { folio: "Q-0042".into(), body })?;
    }
    phone.drain().await?;
    let store = lock(&phone.store);
    let edits = store.edits(None, false)?;
    let status: Vec<EditStatus> = edits.iter().map(|e| e.status).collect();
    assert_eq!(status, [EditStatus::Sent, EditStatus::Conflict, EditStatus::Sent], "seed {seed}: {edits:?}");
    assert!(edits[1].problem.as_deref().is_some_and(|p| !p.is_empty()), "the conflict says why");
    let k1 = store.commitments("GTO-E-T-01")?.into_iter().find(|c| c.commitment_id == "K1").expect("K1");
    assert_eq!((k1.version, k1.milestones[0].verified_on), (2, Some(day)), "verified once, whatever was retried");
    assert!(store.photo_queue()?.is_empty(), "the evidence photo went up");
    Ok(())
}

#[tokio::test]
async fn a_supervisors_rejection_reaches_the_phone_with_its_reason() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let proxy = spawn_proxy(server.address, Faults::none()).await?;
    let mut phone = Device::enrol(&server.url(), &proxy.url(), "enc.ana", "Teléfono").await?;
    phone.drain().await?;
    // Surveys finished seconds apart are flagged (too short, a burst): they wait in review.
    let ids = phone.fill_surveys(3)?;
    phone.drain().await?;
    let sent = lock(&phone.store).sent_records(10)?;
    assert!(sent.iter().all(|r| r.review == Some(shared::protocol::ReviewState::InReview)), "{sent:?}");
    let supervisor = SyncClient::new(&server.url())?.enrol("sup.norte", sync_server::demo::DEMO_PASSWORD, "Escritorio").await?;
    let reason = "La encuesta duró 3 segundos: repítala con la siguiente persona.";
    reqwest::Client::new()
        .post(format!("{}/api/v1/review/{}", server.url(), ids[0]))
        .bearer_auth(&supervisor.token)
        .json(&serde_json::json!({"decision": "reject", "reason": reason}))
        .send()
        .await?
        .error_for_status()?;
    phone.drain().await?;
    let store = lock(&phone.store);
    let rejected: Vec<_> = store.sent_records(10)?.into_iter().filter(|r| r.review == Some(shared::protocol::ReviewState::Rejected)).collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!((rejected[0].id, rejected[0].reason.as_deref()), (ids[0], Some(reason)));
    Ok(())
}

#[tokio::test]
async fn a_rejected_record_waits_aside_and_goes_out_when_retried_after_the_cause_is_fixed() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let proxy = spawn_proxy(server.address, Faults::none()).await?;
    let mut phone = Device::enrol(&server.url(), &proxy.url(), "enc.ana", "Teléfono").await?;
    phone.drain().await?;
    let ids = phone.fill_surveys(1)?;
    // The centro is taken from Ana before the record reaches the server.
    let admin = SyncClient::new(&server.url())?.enrol("admin", sync_server::demo::DEMO_PASSWORD, "Escritorio").await?;
    let centro = lock(&phone.store).centros()?[0].centro_id.clone();
    let path = format!("{}/api/v1/users/enc.ana/centros/{centro}", server.url());
    let http = reqwest::Client::new();
    http.delete(&path).bearer_auth(&admin.token).send().await?.error_for_status()?;
    phone.engine.sync_once().await?;
    let problems = lock(&phone.store).problems()?;
    assert_eq!((problems.len(), problems[0].id, problems[0].code.as_str()), (1, ids[0], "centro_not_assigned"));
    assert_eq!(lock(&phone.store).outbox_counts()?.pending, 0, "a rejected record is not sent again by itself");
    // Assigned again, the record goes out when the surveyor retries it.
    http.put(&path).bearer_auth(&admin.token).send().await?.error_for_status()?;
    lock(&phone.store).retry_problem(ids[0])?;
    let report = phone.engine.sync_once().await?;
    assert_eq!(report.acknowledged, 1);
    assert!(lock(&phone.store).problems()?.is_empty());
    Ok(())
}

/// A surveyor's phone, synced once, behind a proxy without faults, whose batches grow after
/// every full batch answered: growth made independent of this machine's speed (the
/// thresholds are unit-tested).
async fn growing_phone() -> anyhow::Result<(crate::helpers::TestServer, crate::proxy::FaultProxy, Device)> {
    let server = spawn_server().await?;
    let proxy = spawn_proxy(server.address, Faults::none()).await?;
    let mut phone = Device::enrol(&server.url(), &proxy.url(), "enc.ana", "Teléfono").await?;
    phone.drain().await?;
    phone.engine = phone.engine.clone().with_batch(mobile::sync::batch::BatchSize::always_growing());
    Ok((server, proxy, phone))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_outbox_goes_out_in_growing_batches() -> anyhow::Result<()> {
    let (_server, _proxy, mut phone) = growing_phone().await?;
    phone.fill_surveys(700)?;
    let report = phone.engine.sync_once().await?;
    assert_eq!(report.acknowledged, 700);
    // Three pushes overlap, so the size grows answers behind: 100 + 100 + 100 + 200 + 200,
    // then one push reporting the day's counts; not the 8 pushes of fixed batches of 100.
    assert!(report.pushed_requests <= 6, "{} pushes", report.pushed_requests);
    assert!(lock(&phone.store).pending(10)?.is_empty(), "the outbox is empty");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_to_a_big_batch_costs_one_batch_of_resending() -> anyhow::Result<()> {
    let (_server, proxy, mut phone) = growing_phone().await?;
    // 100 + 100 + 100 + 200 + 200 (three pushes overlap): the next batch is the protocol's 500.
    phone.fill_surveys(700)?;
    assert_eq!(phone.engine.sync_once().await?.acknowledged, 700);
    phone.fill_surveys(1_000)?;
    // The 500-record push is stored, and its answer lost (the one sent beside it is
    // answered).
    proxy.force("/api/v1/sync/push", &[Fault::DropResponse]);
    assert!(phone.engine.sync_once().await.is_err(), "the answer was lost");
    let report = phone.drain().await?;
    let receipt = report.receipt.ok_or_else(|| anyhow::anyhow!("no receipt"))?;
    // Every survey stored once; re-sent: exactly the batch whose answer was lost.
    assert_eq!((receipt.stored, receipt.duplicates, receipt.conflicts, receipt.rejected), (1_700, 500, 0, 0), "{receipt:?}");
    assert!(lock(&phone.store).pending(10)?.is_empty(), "the outbox is empty");
    Ok(())
}

/// A push whose zstd body is refused as an unsupported encoding (an older server, or a
/// proxy that passes gzip only) is sent again in gzip, and the rest of the sync goes in
/// gzip: every survey stored once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_encoding_is_sent_again_in_gzip_and_stored_once() -> anyhow::Result<()> {
    let (_server, proxy, mut phone) = growing_phone().await?;
    phone.fill_surveys(300)?;
    proxy.force("/api/v1/sync/push", &[Fault::RefuseEncoding, Fault::RefuseEncoding, Fault::RefuseEncoding]);
    let report = phone.drain().await?;
    let receipt = report.receipt.ok_or_else(|| anyhow::anyhow!("no receipt"))?;
    assert_eq!((receipt.stored, receipt.duplicates, receipt.conflicts, receipt.rejected), (300, 0, 0, 0), "{receipt:?}");
    assert!(proxy.count(|s| &s.refused_encodings) >= 1, "the first push was refused");
    assert!(lock(&phone.store).pending(10)?.is_empty(), "the outbox is empty");
    Ok(())
}

/// The server's survey export as rows of (column → value).
async fn exported_surveys(server: &str) -> anyhow::Result<Vec<HashMap<String, String>>> {
    let csv = export_csv(server, "encuesta_opinion", "2025010102").await?;
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers()?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        rows.push(header.iter().cloned().zip(record?.iter().map(str::to_string)).collect());
    }
    Ok(rows)
}

/// Fills and finalises one survey at the user's first centro through the app's own calls.
fn finalise_a_survey(app: &mobile::field::FieldApp) -> anyhow::Result<uuid::Uuid> {
    let home = app.home()?.ok_or_else(|| anyhow::anyhow!("not enrolled"))?;
    let centro = &home.centros.first().ok_or_else(|| anyhow::anyhow!("no centro"))?.info.centro_id;
    let draft = app.start(centro, None)?;
    for (path, value) in crate::field::SURVEY {
        match *path {
            "P0" => {
                app.answer(draft, "P0", Some("otro"))?;
                app.answer(draft, "P0_otro", Some("constancia de no adeudo"))?;
            }
            _ => app.answer(draft, path, Some(value))?,
        }
    }
    app.finalise(draft).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(draft)
}

#[tokio::test]
async fn a_phone_handed_to_another_surveyor_sends_the_first_ones_records_under_her_name() -> anyhow::Result<()> {
    use mobile::field::{EnrolError, FieldApp};
    let server = spawn_server().await?;
    let proxy = spawn_proxy(server.address, Faults::none()).await?;
    let app = FieldApp::new(mobile::store::Store::open_in_memory()?, proxy.url());
    let password = sync_server::demo::DEMO_PASSWORD;
    app.enrol(&proxy.url(), "enc.ana", password).await?;
    mobile::sync::SyncEngine::from_enrolment(app.store().clone())?.sync_once().await?;
    let anas = finalise_a_survey(&app)?;

    // No network: Luis cannot take the phone over yet, and nothing changes.
    proxy.set_offline(true);
    let err = app.enrol(&proxy.url(), "enc.luis", password).await.expect_err("Ana's survey has not gone yet");
    assert!(matches!(err, EnrolError::PreviousUnsent { .. }), "{err:?}");
    assert!(err.to_string().contains("Ana Torres") && err.to_string().contains("1 registro"), "{err}");
    assert_eq!(app.enrolment()?.map(|e| e.username).as_deref(), Some("enc.ana"));
    assert_eq!(lock(app.store()).outbox_counts()?.pending, 1);

    // With the network back, Ana's survey goes first, as hers; then Luis is enrolled.
    proxy.set_offline(false);
    app.enrol(&proxy.url(), "enc.luis", password).await?;
    assert_eq!(app.enrolment()?.map(|e| e.username).as_deref(), Some("enc.luis"));
    assert_eq!(lock(app.store()).outbox_counts()?.pending, 0);
    mobile::sync::SyncEngine::from_enrolment(app.store().clone())?.sync_once().await?;
    let luis = finalise_a_survey(&app)?;
    mobile::sync::SyncEngine::from_enrolment(app.store().clone())?.sync_once().await?;

    let rows = exported_surveys(&server.url()).await?;
    let user_of = |id: uuid::Uuid| rows.iter().find(|r| r.get("_id") == Some(&id.to_string())).and_then(|r| r.get("_usuario").cloned());
    assert_eq!(user_of(anas).as_deref(), Some("enc.ana"), "the survey Ana finalised is hers on the server");
    assert_eq!(user_of(luis).as_deref(), Some("enc.luis"));
    assert_eq!(rows.len(), 2);
    Ok(())
}

/// A tablet enrolled as a centro's kiosk by its supervisor: what it records is a kiosk
/// survey of that centro, sent exactly once through a link that drops answers after the
/// server committed; leaving kiosk mode needs the supervisor's PIN.
#[tokio::test]
async fn a_kiosk_tablet_sends_its_kiosk_surveys_exactly_once_and_leaves_only_with_the_pin() -> anyhow::Result<()> {
    use mobile::field::{EnrolError, FieldApp, KioskSetup, LeaveKiosk};
    use crate::proxy::Fault;
    let setup = |pin: &str, idle_seconds: u32| KioskSetup { centro_id: "GTO-E-T-01".into(), pin: pin.into(), idle_seconds };
    let server = spawn_server().await?;
    let proxy = spawn_proxy(server.address, Faults::none()).await?;
    let app = FieldApp::new(mobile::store::Store::open_in_memory()?, proxy.url());
    let password = sync_server::demo::DEMO_PASSWORD;
    let short = app.enrol_kiosk(&proxy.url(), "sup.norte", password, &setup("12", 120)).await.expect_err("a 2-digit PIN");
    assert!(matches!(short, EnrolError::BadPin), "{short:?}");
    let hasty = app.enrol_kiosk(&proxy.url(), "sup.norte", password, &setup("2468", 3)).await.expect_err("3 seconds");
    assert!(matches!(hasty, EnrolError::BadIdle), "{hasty:?}");
    let ana = app.enrol_kiosk(&proxy.url(), "enc.ana", password, &setup("2468", 120)).await.expect_err("a surveyor cannot enrol a kiosk");
    assert!(ana.to_string().contains("supervisor"), "{ana}");
    let enrolled = app.enrol_kiosk(&proxy.url(), "sup.norte", password, &setup("2468", 120)).await?;
    assert_eq!(enrolled.username, "kiosko.gto-e-t-01");
    assert_eq!(app.kiosk_centro()?.as_deref(), Some("GTO-E-T-01"));
    mobile::sync::SyncEngine::from_enrolment(app.store().clone())?.sync_once().await?;
    let first = finalise_a_survey(&app)?;
    let second = finalise_a_survey(&app)?;
    // The first push's answer is lost after the server committed; the next sync sends again.
    proxy.force("/api/v1/sync/push", &[Fault::DropResponse]);
    let lost = mobile::sync::SyncEngine::from_enrolment(app.store().clone())?.sync_once().await;
    assert!(lost.is_err(), "the answer was dropped: {lost:?}");
    mobile::sync::SyncEngine::from_enrolment(app.store().clone())?.sync_once().await?;
    assert_eq!(lock(app.store()).outbox_counts()?.pending, 0);
    let rows = exported_surveys(&server.url()).await?;
    assert_eq!(rows.len(), 2, "exactly once: {rows:?}");
    for id in [first, second] {
        let row = rows.iter().find(|r| r.get("_id") == Some(&id.to_string())).ok_or_else(|| anyhow::anyhow!("{id} stored"))?;
        assert_eq!((row.get("_modo").map(String::as_str), row.get("_usuario").map(String::as_str)), (Some("kiosko"), Some("kiosko.gto-e-t-01")));
    }
    // Leaving kiosk mode: a wrong PIN changes nothing; five in a row make it wait, even
    // for the right one; then the right one leaves.
    assert_eq!(app.leave_kiosk("1357")?, LeaveKiosk::WrongPin { tries_left: 4 });
    assert_eq!(app.kiosk_centro()?.as_deref(), Some("GTO-E-T-01"));
    assert_eq!(app.leave_kiosk("2468")?, LeaveKiosk::Left, "the right PIN before the limit leaves");
    app.enrol_kiosk(&proxy.url(), "sup.norte", password, &setup("2468", 120)).await?;
    for left in (1..5).rev() {
        assert_eq!(app.leave_kiosk("0000")?, LeaveKiosk::WrongPin { tries_left: left });
    }
    assert_eq!(app.leave_kiosk("0000")?, LeaveKiosk::Locked { minutes: 5 });
    assert_eq!(app.leave_kiosk("2468")?, LeaveKiosk::Locked { minutes: 5 }, "locked, even the right PIN waits");
    assert_eq!(app.kiosk_centro()?.as_deref(), Some("GTO-E-T-01"));
    // Five minutes later (the lock's end moved to the past rather than waiting):
    let mut kiosk = lock(app.store()).kiosk()?.ok_or_else(|| anyhow::anyhow!("still a kiosk"))?;
    kiosk.locked_until = Some((chrono::Utc::now() - chrono::Duration::seconds(1)).to_rfc3339());
    lock(app.store()).update_kiosk(&kiosk)?;
    assert_eq!(app.leave_kiosk("2468")?, LeaveKiosk::Left);
    assert_eq!(app.kiosk_centro()?, None);
    Ok(())
}
