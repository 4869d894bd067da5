//! `sync-server`: starts the server on the configured address until Ctrl-C.

use clap::Parser;
use sync_server::{Application, Config};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::parse();
    tracing_subscriber::fmt().with_env_filter(config.log_filter()).init();
    let app = Application::build(&config).await?;
    tracing::info!("Ventanilla sync-server escuchando en http://{}", app.address());
    app.run_until_stopped().await
}
