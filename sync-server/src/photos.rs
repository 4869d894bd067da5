//! Evidence photos: content-addressed files under `<data>/photos/`, uploaded in chunks that
//! resume from the last byte the server holds, verified against their SHA-256 when the
//! last byte arrives. A partial upload is `<sha>.part`; a verified one `<sha>.jpg`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use shared::protocol::PhotoStatus;
use tokio::io::AsyncWriteExt;

use crate::error::AppError;

/// Largest photo accepted (SYNC.md: 20 MiB).
pub const MAX_PHOTO_BYTES: u64 = 20 * 1024 * 1024;

/// The photo store.
#[derive(Clone)]
pub struct Photos {
    dir: PathBuf,
    uploading: Arc<Mutex<HashSet<String>>>,
}

/// A valid photo name: 64 lower-case hex digits.
pub fn check_sha(sha: &str) -> Result<(), AppError> {
    if sha.len() == 64 && sha.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) {
        Ok(())
    } else {
        Err(AppError::BadRequest("bad_hash", "El nombre de la foto debe ser su SHA-256 en hexadecimal (64 caracteres).".into()))
    }
}

/// Marks an upload in progress; dropped when it ends.
struct Slot<'a>(&'a Photos, String);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Ok(mut set) = self.0.uploading.lock() {
            set.remove(&self.1);
        }
    }
}

impl Photos {
    pub fn new(data_dir: &Path) -> Self {
        Self { dir: data_dir.join("photos"), uploading: Arc::new(Mutex::new(HashSet::new())) }
    }

    fn done(&self, sha: &str) -> PathBuf {
        self.dir.join(format!("{sha}.jpg"))
    }

    fn part(&self, sha: &str) -> PathBuf {
        self.dir.join(format!("{sha}.part"))
    }

    /// A complete photo's bytes, if the server holds it.
    pub async fn read(&self, sha: &str) -> Result<Option<Vec<u8>>, AppError> {
        check_sha(sha)?;
        match tokio::fs::read(self.done(sha)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::Error::from(e).into()),
        }
    }

    /// Whether the server holds the complete photo (blocking: for the push transaction).
    pub fn is_complete(&self, sha: &str) -> bool {
        check_sha(sha).is_ok() && self.done(sha).is_file()
    }

    /// How much of the photo the server holds.
    pub async fn status(&self, sha: &str) -> Result<PhotoStatus, AppError> {
        check_sha(sha)?;
        if tokio::fs::try_exists(self.done(sha)).await.unwrap_or(false) {
            let len = tokio::fs::metadata(self.done(sha)).await.map_err(anyhow::Error::from)?.len();
            return Ok(PhotoStatus { sha256: sha.into(), received: len, complete: true });
        }
        let received = tokio::fs::metadata(self.part(sha)).await.map(|m| m.len()).unwrap_or(0);
        Ok(PhotoStatus { sha256: sha.into(), received, complete: false })
    }

    /// Appends a chunk starting at `offset` of a photo of `total` bytes. Whatever arrives
    /// before a cut connection is kept, so the next try resumes from there.
    pub async fn append(&self, sha: &str, offset: u64, total: u64, body: Body) -> Result<PhotoStatus, AppError> {
        check_sha(sha)?;
        if total == 0 || total > MAX_PHOTO_BYTES {
            return Err(AppError::TooLarge("photo_too_large", format!("Una foto debe pesar entre 1 byte y {} MiB; redúzcala en el teléfono.", MAX_PHOTO_BYTES / 1024 / 1024)));
        }
        let _slot = {
            let mut set = self.uploading.lock().map_err(|_| anyhow::anyhow!("photo lock poisoned"))?;
            if !set.insert(sha.to_string()) {
                return Err(AppError::Conflict("Esta foto ya se está subiendo desde otra conexión.".into()));
            }
            Slot(self, sha.to_string())
        };
        let current = self.status(sha).await?;
        if current.complete {
            return Ok(current);
        }
        if offset != current.received {
            return Err(AppError::Conflict(format!("El servidor tiene {} bytes de esta foto: continúe desde ahí.", current.received)));
        }
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || crate::durable::create_dir_all(&dir)).await.map_err(anyhow::Error::from)?.map_err(anyhow::Error::from)?;
        let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(self.part(sha)).await.map_err(anyhow::Error::from)?;
        let mut written = offset;
        let mut body = body;
        while let Some(frame) = body.frame().await {
            let Ok(frame) = frame else {
                file.flush().await.map_err(anyhow::Error::from)?;
                return Err(AppError::BadRequest("truncated", format!("La conexión se cortó; el servidor guardó {written} bytes.")));
            };
            if let Some(data) = frame.data_ref() {
                if written + data.len() as u64 > total {
                    return Err(AppError::Unprocessable("too_many_bytes", "Llegaron más bytes que el tamaño declarado de la foto.".into()));
                }
                file.write_all(data).await.map_err(anyhow::Error::from)?;
                written += data.len() as u64;
            }
        }
        file.flush().await.map_err(anyhow::Error::from)?;
        file.sync_all().await.map_err(anyhow::Error::from)?;
        drop(file);
        if written < total {
            return Ok(PhotoStatus { sha256: sha.into(), received: written, complete: false });
        }
        self.finish(sha, written).await
    }

    async fn finish(&self, sha: &str, len: u64) -> Result<PhotoStatus, AppError> {
        let part = self.part(sha);
        let path = part.clone();
        let digest = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
            use std::io::Read;
            let mut hasher = Sha256::new();
            let mut f = std::fs::File::open(path)?;
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                hasher.update(&buf[..n]);
            }
            Ok(shared::digest::hex(&hasher.finalize()))
        })
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
        if digest != sha {
            tokio::fs::remove_file(&part).await.map_err(anyhow::Error::from)?;
            return Err(AppError::Unprocessable("hash_mismatch", "La foto llegó dañada (no coincide con su SHA-256): súbala de nuevo.".into()));
        }
        tokio::fs::rename(&part, self.done(sha)).await.map_err(anyhow::Error::from)?;
        // The rename is durable only once the directory is: before «complete» is recorded
        // or answered (the file's bytes were synced before the rename).
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || crate::durable::sync_dir(&dir)).await.map_err(anyhow::Error::from)?.map_err(anyhow::Error::from)?;
        Ok(PhotoStatus { sha256: sha.into(), received: len, complete: true })
    }
}
