//! What the device records around a draft besides typed answers: files that answer a
//! question (image, audio, video, file, signature), the position where it was started,
//! and how long each question was on screen (XLSForm `audit`).

use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::{Store, StoreError};

/// One stretch of time a question (or page of questions) was on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The question's path (the first of its page).
    pub node: String,
    /// Unix milliseconds when it appeared and when it was left.
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Store {
    /// Keeps `bytes` (already prepared: a photo downscaled) as the answer to `path`: the
    /// file is stored by content, attached to the draft, and the answer becomes its name
    /// (`<sha256>.<ext>`); a file answered before at `path` is detached. One transaction.
    pub fn answer_with_file(&mut self, draft: Uuid, path: &str, bytes: &[u8], ext: &str) -> Result<String, StoreError> {
        let sha = super::photos::sha256_hex(bytes);
        let name = format!("{sha}.{ext}");
        let key = draft.to_string();
        let now = self.now().to_rfc3339();
        let tx = self.conn.transaction()?;
        super::drafts::put_answer(&tx, &key, path, Some(&name), &now)?;
        tx.execute("INSERT OR IGNORE INTO photos (sha256, bytes) VALUES (?1, ?2)", params![sha, bytes])?;
        tx.execute("DELETE FROM draft_photos WHERE draft_id = ?1 AND item = ?2", params![key, path])?;
        tx.execute("INSERT OR IGNORE INTO draft_photos (draft_id, item, sha256) VALUES (?1, ?2, ?3)", params![key, path, sha])?;
        tx.commit()?;
        Ok(name)
    }

    /// Clears a file answer and detaches its file.
    pub fn clear_file_answer(&mut self, draft: Uuid, path: &str) -> Result<(), StoreError> {
        let (key, now) = (draft.to_string(), self.now().to_rfc3339());
        let tx = self.conn.transaction()?;
        super::drafts::put_answer(&tx, &key, path, None, &now)?;
        tx.execute("DELETE FROM draft_photos WHERE draft_id = ?1 AND item = ?2", params![key, path])?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps where the draft was started (`lat lon alt accuracy`), once: a later fix does
    /// not move it.
    pub fn set_start_position(&mut self, draft: Uuid, geopoint: &str) -> Result<(), StoreError> {
        self.conn.execute("UPDATE drafts SET position = ?2 WHERE id = ?1 AND position IS NULL", params![draft.to_string(), geopoint])?;
        Ok(())
    }

    /// Where the draft was started, if a position arrived.
    pub fn start_position(&self, draft: Uuid) -> Result<Option<String>, StoreError> {
        Ok(self.conn.query_row("SELECT position FROM drafts WHERE id = ?1", [draft.to_string()], |r| r.get(0)).optional()?.flatten())
    }

    /// Records that `node` was on screen from `start_ms` to `end_ms`.
    pub fn audit(&mut self, draft: Uuid, entry: &AuditEntry) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO draft_audit (draft_id, node, start_ms, end_ms) SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM drafts WHERE id = ?1)",
            params![draft.to_string(), entry.node, entry.start_ms, entry.end_ms],
        )?;
        Ok(())
    }

    /// The draft's audit, in order.
    pub fn audit_log(&self, draft: Uuid) -> Result<Vec<AuditEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT node, start_ms, end_ms FROM draft_audit WHERE draft_id = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map([draft.to_string()], |r| Ok(AuditEntry { node: r.get(0)?, start_ms: r.get(1)?, end_ms: r.get(2)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
