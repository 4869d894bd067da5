//! `mobile`: the field app. A desktop window where there is a display; otherwise the same
//! app served to the browser on 127.0.0.1 (Dioxus liveview).

use clap::Parser;
use mobile::field::FieldApp;
use mobile::store::Store;


/// Ventanilla, the field app.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// The sync-server's address.
    #[arg(long, env = "VENTANILLA_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
    /// Where the app keeps its data (the SQLite store).
    #[arg(long, env = "VENTANILLA_APP_DATA", default_value = "data/app")]
    data_dir: std::path::PathBuf,
    /// Serve the app to a browser instead of opening a window.
    #[arg(long)]
    web: bool,
    /// Where the browser version listens (loopback only).
    #[arg(long, env = "VENTANILLA_WEB_BIND", default_value = "127.0.0.1:8081")]
    web_bind: std::net::SocketAddr,
}

/// On phones there is no command line: the app starts full screen, its store in the
/// app's private directory.
#[cfg(any(target_os = "android", target_os = "ios"))]
fn main() {
    let dir = dirs_for_phone();
    let store = Store::open(&dir.join("ventanilla.db")).expect("the app's store opens");
    let app = FieldApp::new(store, "http://127.0.0.1:8080");
    dioxus::LaunchBuilder::mobile().with_context(mobile::client::FieldClient::local(app)).launch(mobile::ui::App);
}

#[cfg(any(target_os = "android", target_os = "ios"))]
fn dirs_for_phone() -> std::path::PathBuf {
    std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir)
}

/// Opens (creating) the store in `dir`.
#[cfg(not(any(target_os = "android", target_os = "ios")))]
fn open_app(dir: &std::path::Path, server: &str) -> anyhow::Result<FieldApp> {
    std::fs::create_dir_all(dir)?;
    let store = Store::open(&dir.join("ventanilla.db"))?;
    Ok(FieldApp::new(store, server))
}

#[cfg(not(any(target_os = "android", target_os = "ios")))]
fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let app = open_app(&cli.data_dir, &cli.server)?;
    let has_display = std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if cfg!(feature = "desktop") && has_display && !cli.web {
        launch_desktop(app);
        return Ok(());
    }
    launch_web(app, cli.web_bind)
}

#[cfg(all(feature = "desktop", not(any(target_os = "android", target_os = "ios"))))]
fn launch_desktop(app: FieldApp) {
    use dioxus::desktop::{Config, LogicalSize, WindowBuilder};
    let window = WindowBuilder::new().with_title("Ventanilla").with_inner_size(LogicalSize::new(420.0, 860.0));
    dioxus::LaunchBuilder::desktop()
        .with_cfg(Config::new().with_window(window).with_menu(None))
        .with_context(mobile::client::FieldClient::local(app))
        .launch(mobile::ui::App);
}

#[cfg(not(all(feature = "desktop", not(any(target_os = "android", target_os = "ios")))))]
fn launch_desktop(_app: FieldApp) {}

#[cfg(feature = "liveview")]
fn launch_web(app: FieldApp, bind: std::net::SocketAddr) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(mobile::web::serve(app, bind))
}

#[cfg(not(feature = "liveview"))]
fn launch_web(_app: FieldApp, _bind: std::net::SocketAddr) -> anyhow::Result<()> {
    anyhow::bail!("sin pantalla y sin la función «web»: compile con --features liveview")
}
