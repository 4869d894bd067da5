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
