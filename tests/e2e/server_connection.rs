//! The app's sync client against the real server over HTTP on 127.0.0.1.

use mobile::sync_client::{SyncClient, SyncError};

use crate::helpers::spawn_server;

#[tokio::test]
async fn the_app_client_reads_health_and_the_published_forms() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let client = SyncClient::new(&server.url())?;
    let health = client.health().await?;
    assert_eq!(health.status, "ok");
    assert_eq!(health.protocol_version, shared::protocol::PROTOCOL_VERSION);
    let forms = client.forms().await?;
    let ids: Vec<(&str, &str)> = forms.forms.iter().map(|f| (f.form_id.as_str(), f.version.as_str())).collect();
    assert_eq!(ids, [("cedula_visita", "2025010101"), ("encuesta_opinion", "2025010102")]);
    let encuesta = shared::instruments::encuesta()?;
    let listed = &forms.forms[1];
    assert_eq!(listed.fingerprint, shared::form::fingerprint(&encuesta));
    assert_eq!(listed.questions as usize, encuesta.question_count());
    Ok(())
}

#[tokio::test]
async fn a_server_that_is_not_there_is_reported_as_offline() -> anyhow::Result<()> {
    // Bind a port, then free it: nothing listens there any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let client = SyncClient::new(&format!("http://127.0.0.1:{port}"))?;
    let err = client.health().await.expect_err("nothing listens");
    assert!(matches!(err, SyncError::Offline(_)), "{err:?}");
    assert_eq!(err.to_string(), "Sin conexión con el servidor. Los datos quedan guardados en el teléfono.");
    Ok(())
}

#[tokio::test]
async fn server_errors_reach_the_app_with_code_and_spanish_message() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let client = SyncClient::new(&format!("{}/no-such-prefix", server.url()))?;
    let err = client.health().await.expect_err("404");
    match err {
        SyncError::Server { status, code, message } => {
            assert_eq!((status, code.as_str(), message.as_str()), (404, "not_found", "La ruta no existe."));
        }
        other => panic!("expected a server error, got {other:?}"),
    }
    Ok(())
}

#[test]
fn bad_server_addresses_are_refused_before_any_request() {
    for bad in ["", "127.0.0.1:8080", "ftp://x", "http://"] {
        assert!(matches!(SyncClient::new(bad), Err(SyncError::BadAddress(_))), "{bad}");
    }
}
