//! The real sync-server for a benchmark, on its own runtime and threads as another process
//! would be (included by `#[path]`).

use std::net::SocketAddr;
use std::path::PathBuf;

/// Starts the server with the demo data in `data`; `unlimited` lifts the per-device request
/// limit (20 requests/s after a burst of 120), for benches that push far faster than a
/// phone would. The server runs until the process ends.
pub fn start_server(data: PathBuf, unlimited: bool) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("server runtime");
        rt.block_on(async move {
            let mut config = sync_server::Config::for_tests(data);
            config.demo = true;
            if unlimited {
                config.device_burst = 1_000_000;
                config.device_rate = 1_000_000;
            }
            let app = sync_server::Application::build(&config).await.expect("server");
            tx.send(app.address()).expect("address");
            app.run_until_stopped().await.expect("server runs");
        });
    });
    rx.recv().expect("server address")
}

/// A surveyor's phone (Ana) enrolled on `server` directly, syncing through `via` (a relay
/// of the bench's), with its data in `store`: the store, the app's engine and the device's
/// id. Nothing synced yet.
pub async fn enrolled_phone(
    server: SocketAddr,
    via: SocketAddr,
    mut store: mobile::store::Store,
) -> (std::sync::Arc<std::sync::Mutex<mobile::store::Store>>, mobile::sync::SyncEngine, String) {
    let client = mobile::sync_client::SyncClient::new(&format!("http://{server}")).expect("client");
    let enrolled = client.enrol("enc.ana", sync_server::demo::DEMO_PASSWORD, "bench").await.expect("enrol");
    store
        .set_enrolment(&mobile::store::settings::Enrolment {
            server: format!("http://{via}"),
            token: enrolled.token.clone(),
            device_id: enrolled.device_id.to_string(),
            username: "enc.ana".into(),
            display_name: "Ana".into(),
            role: shared::protocol::Role::Surveyor,
        })
        .expect("enrolment");
    let store = std::sync::Arc::new(std::sync::Mutex::new(store));
    let engine = mobile::sync::SyncEngine::from_enrolment(store.clone()).expect("engine");
    (store, engine, enrolled.device_id.to_string())
}
