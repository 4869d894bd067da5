//! The server as a process of its own, for the end-to-end tests that need several on one
//! PostgreSQL database (a package's tests can start only its own binaries). The serving
//! path of `sync-server`: the same configuration (`--database`, `--data-dir`, `--demo`, …)
//! and the same application; it prints `listo en http://ADDRESS` once it listens.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = <sync_server::Config as clap::Parser>::parse();
    tracing_subscriber::fmt().with_env_filter(config.log_filter()).init();
    let app = sync_server::Application::build(&config).await?;
    println!("listo en http://{}", app.address());
    app.run_until_stopped().await
}
