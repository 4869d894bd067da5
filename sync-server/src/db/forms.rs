//! Published form versions. A (form_id, version) is immutable: publishing the same content
//! again changes nothing, other content under it is refused.

use base64::Engine;
use super::sql::{OptionalExt, params};
use shared::form::Published;
use shared::protocol::{ChangeBody, FormFile};

use super::changes::emit;
use super::{Db, DbError, now_text};

/// A stored form version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedForm {
    pub form_id: String,
    pub version: String,
    pub title: String,
    pub fingerprint: String,
    pub xlsx: Vec<u8>,
    /// The files published with it, in name order.
    pub files: Vec<shared::form::Attachment>,
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
            for file in &f.files {
                tx.execute(
                    "INSERT INTO form_files (form_id, version, name, bytes) VALUES (?1, ?2, ?3, ?4)",
                    params![f.form_id, f.version, file.name, file.bytes],
                )?;
            }
            let engine = base64::engine::general_purpose::STANDARD;
            let body = ChangeBody::Form {
                form_id: f.form_id.clone(),
                version: f.version.clone(),
                title: f.title.clone(),
                xlsx_base64: engine.encode(&f.xlsx),
                files: f.files.iter().map(|a| FormFile { name: a.name.clone(), base64: engine.encode(&a.bytes) }).collect(),
            };
            emit(&tx, "form", &format!("{}/{}", f.form_id, f.version), None, Some(&body))?;
            tx.commit()?;
            Ok(Published::New)
        })
        .await
    }

    /// The files published with a form version, in name order.
    pub async fn form_files(&self, form_id: String, version: String) -> Result<Vec<shared::form::Attachment>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached("SELECT name, bytes FROM form_files WHERE form_id = ?1 AND version = ?2 ORDER BY name")?;
            let rows = stmt.query_map(params![form_id, version], |r| Ok(shared::form::Attachment { name: r.get(0)?, bytes: r.get(1)? }))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// Every published form version, by id and version (without its files: see
    /// [`Db::form_files`]).
    pub async fn forms(&self) -> Result<Vec<PublishedForm>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT form_id, version, title, fingerprint, xlsx FROM forms ORDER BY form_id, version")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(PublishedForm { form_id: r.get(0)?, version: r.get(1)?, title: r.get(2)?, fingerprint: r.get(3)?, xlsx: r.get(4)?, files: Vec::new() })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
        .await
    }
}

/// An XLSForm checked in the console, waiting for «Publicar»: its file name, the workbook
/// and the files uploaded with it.
pub type StagedForm = (String, Vec<u8>, Vec<shared::form::Attachment>);

impl Db {
    /// Keeps a checked upload under the workbook's SHA-256 (replacing one with the same),
    /// and only the `keep` newest.
    pub async fn stage_form(&self, sha256: String, form: StagedForm, keep: usize) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let (file_name, xlsx, files) = form;
            tx.execute("DELETE FROM staged_forms WHERE sha256 = ?1", [&sha256])?;
            tx.execute("INSERT INTO staged_forms (sha256, file_name, xlsx, staged_at) VALUES (?1, ?2, ?3, ?4)", params![sha256, file_name, xlsx, now_text()])?;
            for (position, file) in files.iter().enumerate() {
                tx.execute("INSERT INTO staged_form_files (sha256, position, name, bytes) VALUES (?1, ?2, ?3, ?4)", params![sha256, position, file.name, file.bytes])?;
            }
            tx.execute(
                "DELETE FROM staged_forms WHERE sha256 NOT IN (SELECT sha256 FROM staged_forms ORDER BY staged_at DESC, sha256 LIMIT ?1)",
                [keep],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Takes the upload kept under `sha256` (it is no longer kept); `None` when none is.
    pub async fn take_staged_form(&self, sha256: String) -> Result<Option<StagedForm>, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let Some((file_name, xlsx)) =
                tx.query_row("SELECT file_name, xlsx FROM staged_forms WHERE sha256 = ?1", [&sha256], |r| Ok((r.get::<String>(0)?, r.get::<Vec<u8>>(1)?))).optional()?
            else {
                return Ok(None);
            };
            let files: Vec<shared::form::Attachment> = {
                let mut stmt = tx.prepare("SELECT name, bytes FROM staged_form_files WHERE sha256 = ?1 ORDER BY position")?;
                stmt.query_map([&sha256], |r| Ok(shared::form::Attachment { name: r.get(0)?, bytes: r.get(1)? }))?.collect::<Result<_, _>>()?
            };
            tx.execute("DELETE FROM staged_forms WHERE sha256 = ?1", [&sha256])?;
            tx.commit()?;
            Ok(Some((file_name, xlsx, files)))
        })
        .await
    }
}
