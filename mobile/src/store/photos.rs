//! Photos taken in the app, content-addressed by SHA-256, and the queue of those that
//! finalised records name and the server does not hold yet.

use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

pub use shared::digest::sha256_hex;

impl Store {
    /// Keeps a (downscaled) photo and returns its SHA-256.
    pub fn put_photo(&mut self, bytes: &[u8]) -> Result<String, StoreError> {
        let sha = sha256_hex(bytes);
        let tx = self.conn.transaction()?;
        tx.execute("INSERT OR IGNORE INTO photos (sha256, bytes) VALUES (?1, ?2)", params![sha, bytes])?;
        tx.commit()?;
        Ok(sha)
    }

    /// The bytes of a photo.
    pub fn photo(&self, sha256: &str) -> Result<Vec<u8>, StoreError> {
        self.conn
            .query_row("SELECT bytes FROM photos WHERE sha256 = ?1", [sha256], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("la foto {}", &sha256[..sha256.len().min(12)])))
    }

    /// Photos waiting to be uploaded, oldest first.
    pub fn photo_queue(&self) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT sha256 FROM photo_queue ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every stored photo: (sha256, uploaded).
    pub fn photos(&self) -> Result<Vec<(String, bool)>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT sha256, uploaded FROM photos ORDER BY sha256")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The server holds the whole photo.
    pub fn photo_uploaded(&mut self, sha256: &str) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM photo_queue WHERE sha256 = ?1", [sha256])?;
        tx.execute("UPDATE photos SET uploaded = 1 WHERE sha256 = ?1", [sha256])?;
        tx.commit()?;
        Ok(())
    }
}
