//! A photo upload cut at random offsets (the connection closed mid-body, on a real socket)
//! resumes from what the server holds and arrives hash-verified.

use mobile::sync_client::SyncClient;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::helpers::spawn_server;

/// Sends the request head and only `send` bytes of a body announced as `body.len()`, then
/// closes the connection.
async fn cut_upload(addr: std::net::SocketAddr, token: &str, sha: &str, offset: usize, total: usize, body: &[u8], send: usize) -> anyhow::Result<()> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let head = format!(
        "PUT /api/v1/photos/{sha}?offset={offset}&total={total} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(&body[..send]).await?;
    stream.flush().await?;
    stream.shutdown().await?;
    // Give the server a moment to read what was sent before the socket goes away.
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    Ok(())
}

#[tokio::test]
async fn an_upload_cut_at_random_offsets_resumes_and_verifies() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let anon = SyncClient::new(&server.url())?;
    let token = anon.enrol("insp.raul", sync_server::demo::DEMO_PASSWORD, "Tableta").await?.token;
    let client = anon.with_token(token.clone());
    let photo: Vec<u8> = (0..700_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let sha: String = Sha256::digest(&photo).iter().map(|b| format!("{b:02x}")).collect();
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut cuts = 0;
    let mut resumed_from = 0;
    loop {
        let status = client.photo_status(&sha).await?;
        if status.complete {
            break;
        }
        let offset = status.received as usize;
        let rest = &photo[offset..];
        if cuts < 6 {
            rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let send = (rng >> 33) as usize % rest.len();
            cut_upload(server.address, &token, &sha, offset, photo.len(), rest, send).await?;
            cuts += 1;
            let after = client.photo_status(&sha).await?;
            assert!(after.received as usize <= offset + send, "never more than was sent");
            assert!(!after.complete);
        } else {
            resumed_from = offset;
            let done = client.upload_photo_chunk(&sha, offset as u64, photo.len() as u64, rest.to_vec()).await?;
            assert!(done.complete, "{done:?}");
        }
    }
    assert_eq!(cuts, 6);
    assert!(resumed_from > 0, "the bytes sent before each cut were kept and not sent again");
    let status = client.photo_status(&sha).await?;
    assert_eq!((status.received, status.complete), (photo.len() as u64, true));
    Ok(())
}
