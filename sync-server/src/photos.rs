//! Content-addressed files: evidence photos from the phones under `<data>/photos/`, and
//! the Enlaces' documentary evidence (PDF, JPEG, PNG) under `<data>/evidence/`. Uploaded in
//! chunks that resume from the last byte the server holds, verified against their SHA-256
//! (and, for documents, their declared type) when the last byte arrives. A partial upload
//! is `<sha>.part`; a verified one `<sha>.jpg` or `<sha>.bin`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::body::Body;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use shared::protocol::{EvidenceType, MAX_EVIDENCE_BYTES, PhotoStatus};
use tokio::io::AsyncWriteExt;

use crate::error::AppError;

pub use shared::protocol::MAX_PHOTO_BYTES;

/// A store of content-addressed files.
#[derive(Clone)]
pub struct Store {
    dir: PathBuf,
    /// The extension of a complete file.
    ext: &'static str,
    /// The largest file accepted.
    max: u64,
    /// Phone photos or the Enlaces' documents (for what a refusal says).
    holds: Holds,
    uploading: Arc<Mutex<HashSet<String>>>,
}

/// The photo store.
pub type Photos = Store;

/// What a store holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holds {
    Photos,
    Documents,
}

/// A valid photo name: 64 lower-case hex digits.
pub fn check_sha(sha: &str) -> Result<(), AppError> {
    if shared::digest::is_sha256_hex(sha) {
        Ok(())
    } else {
        Err(AppError::BadRequest("bad_hash", "El nombre de la foto debe ser su SHA-256 en hexadecimal (64 caracteres).".into()))
    }
}

/// The refusal of a document whose bytes are not of its declared type.
fn wrong_type(kind: EvidenceType) -> AppError {
    AppError::Unprocessable(
        "wrong_type",
        format!("El archivo no es un {} (solo se aceptan PDF, JPEG y PNG, y su contenido debe corresponder a su tipo).", match kind {
            EvidenceType::Pdf => "PDF",
            EvidenceType::Jpeg => "JPEG",
            EvidenceType::Png => "PNG",
        }),
    )
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

impl Store {
    /// The evidence photos of the phones.
    pub fn new(data_dir: &Path) -> Self {
        Self { dir: data_dir.join("photos"), ext: "jpg", max: MAX_PHOTO_BYTES, holds: Holds::Photos, uploading: Arc::new(Mutex::new(HashSet::new())) }
    }

    /// The Enlaces' documentary evidence.
    pub fn evidence(data_dir: &Path) -> Self {
        Self { dir: data_dir.join("evidence"), ext: "bin", max: MAX_EVIDENCE_BYTES, holds: Holds::Documents, uploading: Arc::new(Mutex::new(HashSet::new())) }
    }

    /// A 413 unless a file of `total` bytes fits this store (checked before anything is
    /// stored or recorded).
    pub fn check_total(&self, total: u64) -> Result<(), AppError> {
        if total > 0 && total <= self.max {
            return Ok(());
        }
        let mib = self.max / 1024 / 1024;
        Err(match self.holds {
            Holds::Photos => AppError::TooLarge("photo_too_large", format!("Una foto debe pesar entre 1 byte y {mib} MiB; redúzcala en el teléfono.")),
            Holds::Documents => AppError::TooLarge("file_too_large", format!("Un documento de evidencia debe pesar entre 1 byte y {mib} MiB.")),
        })
    }

    fn done(&self, sha: &str) -> PathBuf {
        self.dir.join(format!("{sha}.{}", self.ext))
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
        self.append_checked(sha, offset, total, body, None).await
    }

    /// Appends a chunk of a document declared as `kind`: its first bytes must show that
    /// type before anything is written, and the whole file is checked again at the end.
    pub async fn append_document(&self, sha: &str, offset: u64, total: u64, body: Body, kind: EvidenceType) -> Result<PhotoStatus, AppError> {
        self.append_checked(sha, offset, total, body, Some(kind)).await
    }

    async fn append_checked(&self, sha: &str, offset: u64, total: u64, body: Body, kind: Option<EvidenceType>) -> Result<PhotoStatus, AppError> {
        check_sha(sha)?;
        self.check_total(total)?;
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
        // A document's first bytes are held until they show its type: nothing of a file
        // of another type is ever written.
        let mut head: Option<Vec<u8>> = kind.filter(|_| offset == 0).map(|_| Vec::new());
        loop {
            let frame = body.frame().await;
            let data = match frame {
                None => None,
                Some(Err(_)) => {
                    file.flush().await.map_err(anyhow::Error::from)?;
                    return Err(AppError::BadRequest("truncated", format!("La conexión se cortó; el servidor guardó {written} bytes.")));
                }
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => Some(data),
                    Err(_) => continue,
                },
            };
            let ended = data.is_none();
            let mut chunk = data.unwrap_or_default();
            if let (Some(held), Some(kind)) = (head.as_mut(), kind) {
                held.extend_from_slice(&chunk);
                if ended && held.is_empty() {
                    break;
                }
                if held.len() < 8 && !ended && (held.len() as u64) < total {
                    continue;
                }
                if EvidenceType::sniff(held) != Some(kind) {
                    return Err(wrong_type(kind));
                }
                chunk = head.take().unwrap_or_default().into();
            }
            if written + chunk.len() as u64 > total {
                return Err(AppError::Unprocessable("too_many_bytes", "Llegaron más bytes que el tamaño declarado del archivo.".into()));
            }
            file.write_all(&chunk).await.map_err(anyhow::Error::from)?;
            written += chunk.len() as u64;
            if ended {
                break;
            }
        }
        file.flush().await.map_err(anyhow::Error::from)?;
        file.sync_all().await.map_err(anyhow::Error::from)?;
        drop(file);
        if written < total {
            return Ok(PhotoStatus { sha256: sha.into(), received: written, complete: false });
        }
        self.finish(sha, written, kind).await
    }

    async fn finish(&self, sha: &str, len: u64, kind: Option<EvidenceType>) -> Result<PhotoStatus, AppError> {
        let part = self.part(sha);
        let path = part.clone();
        let (digest, head) = tokio::task::spawn_blocking(move || -> std::io::Result<(String, Vec<u8>)> {
            use std::io::Read;
            let mut hasher = Sha256::new();
            let mut f = std::fs::File::open(path)?;
            let mut buf = vec![0u8; 64 * 1024];
            let mut head = Vec::new();
            loop {
                let n = f.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                if head.len() < 8 {
                    head.extend_from_slice(&buf[..n.min(8 - head.len())]);
                }
                hasher.update(&buf[..n]);
            }
            Ok((shared::digest::hex(&hasher.finalize()), head))
        })
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
        if digest != sha {
            tokio::fs::remove_file(&part).await.map_err(anyhow::Error::from)?;
            return Err(AppError::Unprocessable("hash_mismatch", "El archivo llegó dañado (no coincide con su SHA-256): súbalo de nuevo.".into()));
        }
        if let Some(kind) = kind
            && EvidenceType::sniff(&head) != Some(kind)
        {
            tokio::fs::remove_file(&part).await.map_err(anyhow::Error::from)?;
            return Err(wrong_type(kind));
        }
        tokio::fs::rename(&part, self.done(sha)).await.map_err(anyhow::Error::from)?;
        // The rename is durable only once the directory is: before «complete» is recorded
        // or answered (the file's bytes were synced before the rename).
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || crate::durable::sync_dir(&dir)).await.map_err(anyhow::Error::from)?.map_err(anyhow::Error::from)?;
        Ok(PhotoStatus { sha256: sha.into(), received: len, complete: true })
    }
}
