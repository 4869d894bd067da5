//! Published form versions. A (form_id, version) is immutable: publishing the same content
//! again changes nothing, other content under it is refused.

use base64::Engine;
use rusqlite::{OptionalExtension, params};
use shared::form::Published;
use shared::protocol::ChangeBody;

use super::program::emit;
use super::{Db, DbError, now_text};

/// A stored form version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedForm {
    pub form_id: String,
    pub version: String,
    pub title: String,
    pub fingerprint: String,
    pub xlsx: Vec<u8>,
}

impl Db {
    /// Publishes a form version (already imported and checked by the caller).
    pub async fn publish_form(&self, f: PublishedForm) -> Result<Published, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let existing: Option<String> = tx
                .query_row("SELECT fingerprint FROM forms WHERE form_id = ?1 AND version = ?2", params![f.form_id, f.version], |r| r.get(0))
                .optional()?;
            let outcome = shared::form::publish_rule(existing.as_deref(), &f.fingerprint, &f.form_id, &f.version)
                .map_err(|e| DbError::Conflict(e.to_string()))?;
            if outcome == Published::Unchanged {
                return Ok(outcome);
            }
            tx.execute(
                "INSERT INTO forms (form_id, version, title, fingerprint, xlsx, published_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![f.form_id, f.version, f.title, f.fingerprint, f.xlsx, now_text()],
            )?;
            let body = ChangeBody::Form {
                form_id: f.form_id.clone(),
                version: f.version.clone(),
                title: f.title.clone(),
                xlsx_base64: base64::engine::general_purpose::STANDARD.encode(&f.xlsx),
            };
            emit(&tx, "form", &format!("{}/{}", f.form_id, f.version), None, Some(&body))?;
            tx.commit()?;
            Ok(Published::New)
        })
        .await
    }

    /// Every published form version, by id and version.
    pub async fn forms(&self) -> Result<Vec<PublishedForm>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT form_id, version, title, fingerprint, xlsx FROM forms ORDER BY form_id, version")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(PublishedForm { form_id: r.get(0)?, version: r.get(1)?, title: r.get(2)?, fingerprint: r.get(3)?, xlsx: r.get(4)? })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }
}
