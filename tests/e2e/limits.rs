//! Limits on a real socket: a body declared larger than allowed is refused with 413 before
//! the server reads it (the client has not even sent it).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::spawn_server;

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_sent() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let mut stream = tokio::net::TcpStream::connect(server.address).await?;
    let head = "POST /api/v1/auth/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n";
    stream.write_all(head.as_bytes()).await?;
    let mut answer = vec![0u8; 1024];
    let n = tokio::time::timeout(Duration::from_secs(60), stream.read(&mut answer)).await??;
    let text = String::from_utf8_lossy(&answer[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("body_too_large"), "{text}");
    Ok(())
}
