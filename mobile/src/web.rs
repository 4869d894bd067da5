//! The browser version: the same `App`, rendered on this machine and shown in a browser
//! through Dioxus liveview (a WebSocket on 127.0.0.1).

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use dioxus::prelude::VirtualDom;
use dioxus_liveview::LiveviewRouter;
use crate::field::FieldApp;

fn page() -> Html<String> {
    let glue = dioxus_liveview::interpreter_glue("/ws");
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="es-MX">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ventanilla</title></head>
<body><div id="main"></div>{glue}</body>
</html>"#
    ))
}

/// Serves the app at `bind` until the process ends.
pub async fn serve(app: FieldApp, bind: std::net::SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    println!("Ventanilla (app) en el navegador: http://{}/", listener.local_addr()?);
    serve_on(app, listener).await
}

/// Serves the app on an already bound listener (tests bind port 0).
pub async fn serve_on(app: FieldApp, listener: tokio::net::TcpListener) -> anyhow::Result<()> {
    // The liveview adapter mounts `/{*route}`, which does not match `/` itself in axum 0.8.
    let router = Router::new()
        .with_virtual_dom("/", move || VirtualDom::new(crate::ui::App).with_root_context(crate::client::FieldClient::local(app.clone())))
        .route("/", get(|| async { page() }));
    axum::serve(listener, router).await?;
    Ok(())
}
