//! Starting the real server for a test.

use std::net::SocketAddr;

use sync_server::{Application, Config};

/// A server running on 127.0.0.1 with a free port and its own temporary database,
/// stopped when the test's runtime ends.
pub struct TestServer {
    pub address: SocketAddr,
    _data: tempfile::TempDir,
}

impl TestServer {
    /// The server's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// Builds and starts the real application on port 0, with the demo program.
pub async fn spawn_server() -> anyhow::Result<TestServer> {
    spawn_server_with(|_| {}).await
}

/// [`spawn_server`] with its configuration changed first.
pub async fn spawn_server_with(change: impl FnOnce(&mut Config)) -> anyhow::Result<TestServer> {
    let data = tempfile::tempdir()?;
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.demo = true;
    change(&mut config);
    let app = Application::build(&config).await?;
    let address = app.address();
    tokio::spawn(app.run_until_stopped());
    Ok(TestServer { address, _data: data })
}
