//! Starting the real server for a test.

use std::net::SocketAddr;

use sync_server::{Application, Config};

/// A server running on 127.0.0.1 with a free port, stopped when the test's runtime ends.
pub struct TestServer {
    pub address: SocketAddr,
}

impl TestServer {
    /// The server's base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// Builds and starts the real application on port 0.
pub async fn spawn_server() -> anyhow::Result<TestServer> {
    let app = Application::build(&Config::for_tests()).await?;
    let address = app.address();
    tokio::spawn(app.run_until_stopped());
    Ok(TestServer { address })
}
