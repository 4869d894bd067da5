//! Edits of program records made in the field, queued until the server takes them: a
//! commitment's milestone verified (against the version the device saw, so a stale edit
//! is refused by the server and kept aside, never overwriting) and a complaint audited.

use rusqlite::params;
use shared::protocol::{CommitmentInfo, ComplaintInput, VerifyMilestone};

use super::{Store, StoreError, corrupt, to_json};

/// What an edit changes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EditKind {
    /// `commitment/milestone` verified.
    Milestone { commitment_id: String, milestone_id: String, body: VerifyMilestone },
    /// A complaint of the centro's log, by folio.
    Complaint { folio: String, body: ComplaintInput },
}

/// Where an edit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EditStatus {
    Pending,
    Sent,
    /// The record changed on the server meanwhile; kept aside for a supervisor.
    Conflict,
    Rejected,
}

/// One queued edit.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Edit {
    pub n: i64,
    pub centro_id: String,
    pub kind: EditKind,
    pub status: EditStatus,
    pub problem: Option<String>,
}

fn status_code(s: EditStatus) -> &'static str {
    match s {
        EditStatus::Pending => "pending",
        EditStatus::Sent => "sent",
        EditStatus::Conflict => "conflict",
        EditStatus::Rejected => "rejected",
    }
}

fn parse_status(code: &str) -> Result<EditStatus, StoreError> {
    [EditStatus::Pending, EditStatus::Sent, EditStatus::Conflict, EditStatus::Rejected]
        .into_iter()
        .find(|s| status_code(*s) == code)
        .ok_or_else(|| corrupt(format!("estado «{code}»")))
}

type Row = (i64, String, String, String, String, String, Option<String>);

fn edit_of(row: Row) -> Result<Edit, StoreError> {
    let (n, kind, centro_id, target, body, status, problem) = row;
    let kind = match kind.as_str() {
        "milestone" => {
            let (c, m) = target.split_once('/').ok_or_else(|| corrupt(format!("hito «{target}»")))?;
            EditKind::Milestone { commitment_id: c.into(), milestone_id: m.into(), body: super::from_json(&body)? }
        }
        _ => EditKind::Complaint { folio: target, body: super::from_json(&body)? },
    };
    Ok(Edit { n, centro_id, kind, status: parse_status(&status)?, problem })
}

impl Store {
    /// Queues an edit for the server.
    pub fn queue_edit(&mut self, centro_id: &str, kind: &EditKind) -> Result<i64, StoreError> {
        let (code, target, body) = match kind {
            EditKind::Milestone { commitment_id, milestone_id, body } => ("milestone", format!("{commitment_id}/{milestone_id}"), to_json(body)?),
            EditKind::Complaint { folio, body } => ("complaint", folio.clone(), to_json(body)?),
        };
        let now = self.now().to_rfc3339();
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO edits (kind, centro_id, target, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![code, centro_id, target, body, now],
        )?;
        let n = tx.last_insert_rowid();
        if let EditKind::Milestone { body, .. } = kind {
            for sha in &body.evidence {
                tx.execute("INSERT OR IGNORE INTO photo_queue (sha256) SELECT sha256 FROM photos WHERE sha256 = ?1", [sha])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Edits, oldest first: those pending when `pending_only`, else all of a centro.
    pub fn edits(&self, centro_id: Option<&str>, pending_only: bool) -> Result<Vec<Edit>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT n, kind, centro_id, target, body, status, problem FROM edits
             WHERE (?1 IS NULL OR centro_id = ?1) AND (?2 = 0 OR status = 'pending') ORDER BY n",
        )?;
        let rows: Vec<Row> = stmt
            .query_map(params![centro_id, pending_only], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter().map(edit_of).collect()
    }

    /// The server took an edit; a verified milestone's commitment comes back updated.
    pub fn edit_sent(&mut self, n: i64, updated: Option<&CommitmentInfo>) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("UPDATE edits SET status = 'sent', problem = NULL WHERE n = ?1", [n])?;
        if let Some(c) = updated {
            super::reference::upsert_commitment(&tx, c)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Milestone verifications refused as conflicts whose effect the server already shows
    /// (the commitment, as pulled since, has the milestone verified that day with that
    /// evidence: the answer to the first attempt was lost) are marked sent. Returns how many.
    pub fn settle_applied_edits(&mut self) -> Result<usize, StoreError> {
        let conflicts: Vec<Edit> = self.edits(None, false)?.into_iter().filter(|e| e.status == EditStatus::Conflict).collect();
        let mut settled = Vec::new();
        for e in conflicts {
            let EditKind::Milestone { commitment_id, milestone_id, body } = &e.kind else { continue };
            let applied = self.commitments(&e.centro_id)?.iter().filter(|c| c.commitment_id == *commitment_id).any(|c| {
                c.milestones.iter().any(|m| m.milestone_id == *milestone_id && m.verified_on == Some(body.verified_on) && m.evidence == body.evidence)
            });
            if applied {
                settled.push(e.n);
            }
        }
        let tx = self.conn.transaction()?;
        for n in &settled {
            tx.execute("UPDATE edits SET status = 'sent', problem = NULL WHERE n = ?1", [n])?;
        }
        tx.commit()?;
        Ok(settled.len())
    }

    /// The server refused an edit: kept aside with the reason.
    pub fn edit_refused(&mut self, n: i64, status: EditStatus, problem: &str) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("UPDATE edits SET status = ?2, problem = ?3 WHERE n = ?1", params![n, status_code(status), problem])?;
        tx.commit()?;
        Ok(())
    }
}
