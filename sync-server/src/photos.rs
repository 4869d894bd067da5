//! Content-addressed files: evidence photos from the phones under `<data>/photos/`, and
//! the Enlaces' documentary evidence (PDF, JPEG, PNG) under `<data>/evidence/`. Uploaded in
//! chunks that resume from the last byte the server holds, verified against their SHA-256
//! (and, for documents, their declared type) when the last byte arrives. A partial upload
//! is `<sha>.part`; a verified one `<sha>.jpg` or `<sha>.bin`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio_util::bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use shared::protocol::{EvidenceType, MAX_EVIDENCE_BYTES, PhotoStatus};
use tokio::io::AsyncWriteExt;

pub use shared::protocol::MAX_PHOTO_BYTES;

/// Why a file was not read or stored; the HTTP layer says it to the client
/// (`From<FileError> for AppError`).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// A name that is not a SHA-256 in lower-case hexadecimal.
    #[error("El nombre del archivo debe ser su SHA-256 en hexadecimal (64 caracteres).")]
    BadName,
    /// A declared size of 0 or over the store's limit.
    #[error("{what} debe pesar entre 1 byte y {mib} MiB{hint}.")]
    TooLarge { what: &'static str, mib: u64, hint: &'static str, photo: bool },
    /// The same file is being uploaded on another connection.
    #[error("Este archivo ya se está subiendo desde otra conexión.")]
    Busy,
    /// A chunk that does not start where the stored bytes end.
    #[error("El servidor tiene {received} bytes de este archivo: continúe desde ahí.")]
    WrongOffset { received: u64 },
    /// The connection was cut mid-chunk (what arrived is kept).
    #[error("La conexión se cortó; el servidor guardó {written} bytes.")]
    Truncated { written: u64 },
    /// More bytes than the declared size.
    #[error("Llegaron más bytes que el tamaño declarado del archivo.")]
    TooManyBytes,
    /// The bytes do not hash to the name (the partial file is removed).
    #[error("El archivo llegó dañado (no coincide con su SHA-256): súbalo de nuevo.")]
    HashMismatch,
    /// A document whose bytes are not of its declared type.
    #[error("El archivo no es un {0} (solo se aceptan PDF, JPEG y PNG, y su contenido debe corresponder a su tipo).")]
    WrongType(&'static str),
    /// The disk failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A blocking task did not finish.
    #[error("{0}")]
    Task(#[from] tokio::task::JoinError),
}

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

/// A valid file name: 64 lower-case hex digits.
pub fn check_sha(sha: &str) -> Result<(), FileError> {
    if shared::digest::is_sha256_hex(sha) { Ok(()) } else { Err(FileError::BadName) }
}

/// The refusal of a document whose bytes are not of its declared type.
fn wrong_type(kind: EvidenceType) -> FileError {
    FileError::WrongType(match kind {
        EvidenceType::Pdf => "PDF",
        EvidenceType::Jpeg => "JPEG",
        EvidenceType::Png => "PNG",
    })
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
    pub fn check_total(&self, total: u64) -> Result<(), FileError> {
        if total > 0 && total <= self.max {
            return Ok(());
        }
        let mib = self.max / 1024 / 1024;
        Err(match self.holds {
            Holds::Photos => FileError::TooLarge { what: "Una foto", mib, hint: "; redúzcala en el teléfono", photo: true },
            Holds::Documents => FileError::TooLarge { what: "Un documento de evidencia", mib, hint: "", photo: false },
        })
    }

    fn done(&self, sha: &str) -> PathBuf {
        self.dir.join(format!("{sha}.{}", self.ext))
    }

    fn part(&self, sha: &str) -> PathBuf {
        self.dir.join(format!("{sha}.part"))
    }

    /// A complete photo's bytes, if the server holds it.
    pub async fn read(&self, sha: &str) -> Result<Option<Vec<u8>>, FileError> {
        check_sha(sha)?;
        match tokio::fs::read(self.done(sha)).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the server holds the complete photo (blocking: for the push transaction).
    pub fn is_complete(&self, sha: &str) -> bool {
        check_sha(sha).is_ok() && self.done(sha).is_file()
    }

    /// How much of the photo the server holds.
    pub async fn status(&self, sha: &str) -> Result<PhotoStatus, FileError> {
        check_sha(sha)?;
        if tokio::fs::try_exists(self.done(sha)).await.unwrap_or(false) {
            let len = tokio::fs::metadata(self.done(sha)).await?.len();
            return Ok(PhotoStatus { sha256: sha.into(), received: len, complete: true });
        }
        let received = tokio::fs::metadata(self.part(sha)).await.map(|m| m.len()).unwrap_or(0);
        Ok(PhotoStatus { sha256: sha.into(), received, complete: false })
    }

    /// Appends a chunk starting at `offset` of a photo of `total` bytes. Whatever arrives
    /// before a cut connection is kept, so the next try resumes from there.
    pub async fn append<E>(&self, sha: &str, offset: u64, total: u64, body: impl Stream<Item = Result<Bytes, E>> + Unpin) -> Result<PhotoStatus, FileError> {
        self.append_checked(sha, offset, total, body, None).await
    }

    /// Appends a chunk of a document declared as `kind`: its first bytes must show that
    /// type before anything is written, and the whole file is checked again at the end.
    pub async fn append_document<E>(
        &self,
        sha: &str,
        offset: u64,
        total: u64,
        body: impl Stream<Item = Result<Bytes, E>> + Unpin,
        kind: EvidenceType,
    ) -> Result<PhotoStatus, FileError> {
        self.append_checked(sha, offset, total, body, Some(kind)).await
    }

    async fn append_checked<E>(
        &self,
        sha: &str,
        offset: u64,
        total: u64,
        mut body: impl Stream<Item = Result<Bytes, E>> + Unpin,
        kind: Option<EvidenceType>,
    ) -> Result<PhotoStatus, FileError> {
        check_sha(sha)?;
        self.check_total(total)?;
        let _slot = {
            // The set is only ever inserted into and removed from whole: a poisoned lock still holds it.
            let mut set = self.uploading.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if !set.insert(sha.to_string()) {
                return Err(FileError::Busy);
            }
            Slot(self, sha.to_string())
        };
        let current = self.status(sha).await?;
        if current.complete {
            return Ok(current);
        }
        if offset != current.received {
            return Err(FileError::WrongOffset { received: current.received });
        }
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || crate::durable::create_dir_all(&dir)).await??;
        let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(self.part(sha)).await?;
        let mut written = offset;
        // A document's first bytes are held until they show its type: nothing of a file
        // of another type is ever written.
        let mut head: Option<Vec<u8>> = kind.filter(|_| offset == 0).map(|_| Vec::new());
        loop {
            let data = match body.next().await {
                None => None,
                Some(Err(_)) => {
                    file.flush().await?;
                    return Err(FileError::Truncated { written });
                }
                Some(Ok(data)) => Some(data),
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
                return Err(FileError::TooManyBytes);
            }
            file.write_all(&chunk).await?;
            written += chunk.len() as u64;
            if ended {
                break;
            }
        }
        file.flush().await?;
        file.sync_all().await?;
        drop(file);
        if written < total {
            return Ok(PhotoStatus { sha256: sha.into(), received: written, complete: false });
        }
        self.finish(sha, written, kind).await
    }

    async fn finish(&self, sha: &str, len: u64, kind: Option<EvidenceType>) -> Result<PhotoStatus, FileError> {
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
        .await??;
        if digest != sha {
            tokio::fs::remove_file(&part).await?;
            return Err(FileError::HashMismatch);
        }
        if let Some(kind) = kind
            && EvidenceType::sniff(&head) != Some(kind)
        {
            tokio::fs::remove_file(&part).await?;
            return Err(wrong_type(kind));
        }
        tokio::fs::rename(&part, self.done(sha)).await?;
        // The rename is durable only once the directory is: before «complete» is recorded
        // or answered (the file's bytes were synced before the rename).
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || crate::durable::sync_dir(&dir)).await??;
        Ok(PhotoStatus { sha256: sha.into(), received: len, complete: true })
    }
}
