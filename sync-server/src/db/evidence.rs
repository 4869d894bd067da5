//! Documentary evidence per milestone: which files are attached where, and whether they
//! arrived (the bytes live in the evidence store, `crate::photos::Store::evidence`).

use super::sql::{OptionalExt, params};
use shared::protocol::{EvidenceType, MAX_EVIDENCE_PER_MILESTONE};

use super::filings::EvidenceOwner;
use super::{Db, DbError, now_text};

/// A file to attach to a milestone.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub centro_id: String,
    pub commitment_id: String,
    pub milestone_id: String,
    pub sha256: String,
    pub file_name: String,
    pub media_type: EvidenceType,
    pub size: u64,
    pub user_id: i64,
}

/// A milestone whose documents wait for staff to verify it at the desk.
#[derive(Debug, Clone)]
pub struct EvidenceToVerify {
    pub centro_id: String,
    pub commitment_id: String,
    pub milestone_id: String,
    pub documents: u32,
}

impl Db {
    /// Attaches a file to a milestone (again: a no-op); refuses another size or type for
    /// the same hash, and more than [`MAX_EVIDENCE_PER_MILESTONE`] files.
    pub async fn register_evidence(&self, e: NewEvidence) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let milestone: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM milestones WHERE centro_id = ?1 AND commitment_id = ?2 AND id = ?3)",
                params![e.centro_id, e.commitment_id, e.milestone_id],
                |r| r.get(0),
            )?;
            if !milestone {
                return Err(DbError::NotFound(format!("hito «{}» del compromiso «{}»", e.milestone_id, e.commitment_id)));
            }
            let other: Option<(i64, String)> = tx
                .query_row("SELECT size, media_type FROM evidence_documents WHERE sha256 = ?1 LIMIT 1", [&e.sha256], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((size, media_type)) = other
                && (size as u64 != e.size || media_type != e.media_type.media_type())
            {
                return Err(DbError::Conflict(format!("Este archivo ya se registró como {media_type} de {size} bytes.")));
            }
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM evidence_documents WHERE centro_id = ?1 AND commitment_id = ?2 AND milestone_id = ?3 AND sha256 = ?4)",
                params![e.centro_id, e.commitment_id, e.milestone_id, e.sha256],
                |r| r.get(0),
            )?;
            if exists {
                return Ok(());
            }
            let count: i64 = tx.query_row(
                "SELECT COUNT(*) FROM evidence_documents WHERE centro_id = ?1 AND commitment_id = ?2 AND milestone_id = ?3",
                params![e.centro_id, e.commitment_id, e.milestone_id],
                |r| r.get(0),
            )?;
            if count as usize >= MAX_EVIDENCE_PER_MILESTONE {
                return Err(DbError::Conflict(format!("Un hito admite a lo más {MAX_EVIDENCE_PER_MILESTONE} documentos.")));
            }
            tx.execute(
                "INSERT INTO evidence_documents (centro_id, commitment_id, milestone_id, sha256, file_name, media_type, size, uploaded_by, uploaded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![e.centro_id, e.commitment_id, e.milestone_id, e.sha256, e.file_name, e.media_type.media_type(), e.size as i64, e.user_id, now_text()],
            )?;
            super::cycle::audit(&tx, e.user_id, "evidence_attached", format!("{}/{}/{}: {} ({})", e.centro_id, e.commitment_id, e.milestone_id, e.file_name, e.sha256))?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Removes an attachment none of whose bytes arrived.
    pub async fn forget_evidence(&self, key: (String, String, String), sha256: String) -> Result<(), DbError> {
        self.write(move |conn| {
            conn.execute(
                "DELETE FROM evidence_documents WHERE centro_id = ?1 AND commitment_id = ?2 AND milestone_id = ?3 AND sha256 = ?4 AND complete = 0",
                params![key.0, key.1, key.2, sha256],
            )?;
            Ok(())
        })
        .await
    }

    /// Marks every attachment of `sha256` complete (its bytes arrived and were checked).
    pub async fn evidence_arrived(&self, sha256: String) -> Result<(), DbError> {
        self.write(move |conn| {
            conn.execute("UPDATE evidence_documents SET complete = 1 WHERE sha256 = ?1", [&sha256])?;
            Ok(())
        })
        .await
    }

    /// Where `sha256` is attached (empty: nowhere).
    pub async fn evidence_owners(&self, sha256: String) -> Result<Vec<EvidenceOwner>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare("SELECT DISTINCT centro_id, media_type FROM evidence_documents WHERE sha256 = ?1 ORDER BY centro_id")?;
            let rows = stmt.query_map([&sha256], |r| {
                let media: String = r.get(1)?;
                let media_type = EvidenceType::parse(&media).ok_or_else(|| super::bad_code(1, media))?;
                Ok(EvidenceOwner { centro_id: r.get(0)?, media_type })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Milestones of confirmed commitments with complete documents and no verification
    /// yet (all centros, or one institution's).
    pub async fn evidence_to_verify(&self, institution: Option<String>) -> Result<Vec<EvidenceToVerify>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT d.centro_id, d.commitment_id, d.milestone_id, COUNT(*) FROM evidence_documents d
                 JOIN milestones m ON m.centro_id = d.centro_id AND m.commitment_id = d.commitment_id AND m.id = d.milestone_id
                 JOIN commitments c ON c.centro_id = d.centro_id AND c.id = d.commitment_id
                 WHERE d.complete = 1 AND m.verified_on IS NULL AND c.status = 'confirmado'
                 AND (d.centro_id IN (SELECT id FROM centros WHERE dependencia = ?1) OR ?1 IS NULL)
                 GROUP BY d.centro_id, d.commitment_id, d.milestone_id ORDER BY MIN(d.uploaded_at)",
            )?;
            let rows = stmt.query_map([institution], |r| {
                Ok(EvidenceToVerify { centro_id: r.get(0)?, commitment_id: r.get(1)?, milestone_id: r.get(2)?, documents: r.get(3)? })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Commitments in `status` (all centros, or one institution's), as (centro, id, description).
    pub async fn commitments_in(&self, status: shared::protocol::CommitmentStatus, institution: Option<String>) -> Result<Vec<(String, String, String)>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT centro_id, id, description FROM commitments WHERE status = ?1
                 AND (centro_id IN (SELECT id FROM centros WHERE dependencia = ?2) OR ?2 IS NULL) ORDER BY centro_id, id",
            )?;
            let rows = stmt.query_map(params![status.code(), institution], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Brings `complete` in line with the files (at start): returns how many changed.
    pub async fn reconcile_evidence(&self, present: impl Fn(&str) -> bool + Send + 'static) -> Result<usize, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let named: Vec<(String, bool)> = {
                let mut stmt = tx.prepare("SELECT sha256, MAX(complete) FROM evidence_documents GROUP BY sha256")?;
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
            };
            let mut changed = 0;
            for (sha, complete) in named {
                let there = present(&sha);
                if there != complete {
                    changed += tx.execute("UPDATE evidence_documents SET complete = ?1 WHERE sha256 = ?2", params![there, sha])?;
                }
            }
            tx.commit()?;
            Ok(changed)
        })
        .await
    }
}
