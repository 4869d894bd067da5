//! `mobile`: the field app. A desktop window where there is a display; otherwise the same
//! app served to the browser on 127.0.0.1 (Dioxus liveview).

use clap::Parser;
use mobile::AppConfig;

#[cfg(feature = "liveview")]
mod web;

/// Ventanilla, the field app.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The sync-server's address.
    #[arg(long, env = "VENTANILLA_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    /// Serve the app to a browser instead of opening a window.
    #[arg(long)]
    web: bool,
    /// Where the browser version listens (loopback only).
    #[arg(long, env = "VENTANILLA_WEB_BIND", default_value = "127.0.0.1:8081")]
    web_bind: std::net::SocketAddr,
}

/// On phones there is no command line: the app starts full screen.
#[cfg(any(target_os = "android", target_os = "ios"))]
fn main() {
    let config = AppConfig { server: "http://127.0.0.1:8080".into() };
    dioxus::LaunchBuilder::mobile().with_context(config).launch(mobile::ui::App);
}

#[cfg(not(any(target_os = "android", target_os = "ios")))]
fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = AppConfig { server: cli.server.clone() };
    let has_display = std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if cfg!(feature = "desktop") && has_display && !cli.web {
        launch_desktop(config);
        return Ok(());
    }
    launch_web(config, cli.web_bind)
}

#[cfg(all(feature = "desktop", not(any(target_os = "android", target_os = "ios"))))]
fn launch_desktop(config: AppConfig) {
    use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
    let window = WindowBuilder::new().with_title("Ventanilla").with_inner_size(LogicalSize::new(420.0, 860.0));
    dioxus::LaunchBuilder::desktop()
        .with_cfg(Config::new().with_window(window).with_menu(None))
        .with_context(config)
        .launch(mobile::ui::App);
}

#[cfg(not(all(feature = "desktop", not(any(target_os = "android", target_os = "ios")))))]
fn launch_desktop(_config: AppConfig) {}

#[cfg(feature = "liveview")]
fn launch_web(config: AppConfig, bind: std::net::SocketAddr) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(web::serve(config, bind))
}

#[cfg(not(feature = "liveview"))]
fn launch_web(_config: AppConfig, _bind: std::net::SocketAddr) -> anyhow::Result<()> {
    anyhow::bail!("sin pantalla y sin la función «web»: compile con --features liveview")
}
