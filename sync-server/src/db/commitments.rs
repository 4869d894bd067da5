//! Commitments and milestones (versioned, editable records) and complaints.

use chrono::NaiveDate;
use super::sql::{Conn, OptionalExt, params, Row, SqlResult};
use shared::protocol::{ChangeBody, CommitmentInfo, CommitmentInput, CommitmentStatus, ComplaintInput, MilestoneInfo, Role, VerifiedHow, VerifyMilestone};
use shared::scoring::{Commitment, Complaint, Milestone};

use super::changes::emit;
use super::{Db, DbError, json, now_text, parsed, parsed_opt};

pub(crate) fn load(conn: &Conn<'_>, centro: &str, id: &str) -> Result<Option<CommitmentInfo>, DbError> {
    let head: Option<(String, u8, i64)> = conn
        .query_row(
            "SELECT description, impact, version FROM commitments WHERE centro_id = ?1 AND id = ?2",
            params![centro, id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((description, impact, version)) = head else { return Ok(None) };
    let mut stmt = conn.prepare(
        "SELECT id, description, due_date, verified_on, evidence FROM milestones
         WHERE centro_id = ?1 AND commitment_id = ?2 ORDER BY due_date, id",
    )?;
    let milestones = stmt
        .query_map(params![centro, id], |r| {
            Ok(MilestoneInfo {
                milestone_id: r.get(0)?,
                description: r.get(1)?,
                due: parsed(r, 2)?,
                verified_on: parsed_opt(r, 3)?,
                evidence: json(r, 4)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(CommitmentInfo {
        centro_id: centro.into(),
        commitment_id: id.into(),
        description,
        impact,
        version: version as u64,
        milestones,
    }))
}

/// A commitment's state.
pub(crate) fn status(conn: &Conn<'_>, centro: &str, id: &str) -> Result<Option<CommitmentStatus>, DbError> {
    let code: Option<String> = conn.query_row("SELECT status FROM commitments WHERE centro_id = ?1 AND id = ?2", params![centro, id], |r| r.get(0)).optional()?;
    code.map(|c| CommitmentStatus::parse(&c).ok_or_else(|| DbError::Other(anyhow::anyhow!("stored commitment status «{c}»")))).transpose()
}

/// Tells the users assigned to the centro when the commitment is confirmed (the phones
/// verify confirmed commitments only), and returns the change's sequence number.
pub(crate) fn announce(tx: &Conn<'_>, info: &CommitmentInfo) -> Result<u64, DbError> {
    if status(tx, &info.centro_id, &info.commitment_id)? != Some(CommitmentStatus::Confirmado) {
        let seq = emit(tx, "commitment_changed", &format!("{}/{}", info.centro_id, info.commitment_id), None, None)?;
        return Ok(seq as u64);
    }
    let users: Vec<i64> = {
        let mut stmt = tx.prepare("SELECT user_id FROM assignments WHERE centro_id = ?1")?;
        stmt.query_map([&info.centro_id], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    let key = format!("{}/{}", info.centro_id, info.commitment_id);
    let mut seq = emit(tx, "commitment_changed", &key, None, None)?;
    for user in users {
        seq = emit(tx, "commitment", &key, Some(user), Some(&ChangeBody::Commitment(info.clone())))?;
    }
    tx.execute("UPDATE commitments SET seq = ?1 WHERE centro_id = ?2 AND id = ?3", params![seq, info.centro_id, info.commitment_id])?;
    Ok(seq as u64)
}

/// Longest description of a commitment or a milestone, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 1_000;
/// Most milestones of a commitment.
pub const MAX_MILESTONES: usize = 50;

/// Who registers a commitment: staff (confirmed at once) or an Enlace (a proposal).
#[derive(Debug, Clone, Copy)]
pub struct Author {
    pub user_id: i64,
    pub proposes: bool,
}

fn check_input(input: &CommitmentInput) -> Result<(), DbError> {
    if !(1..=3).contains(&input.impact) {
        return Err(DbError::Invalid("El impacto debe ser 1, 2 o 3.".into()));
    }
    if input.description.trim().is_empty() || input.milestones.is_empty() {
        return Err(DbError::Invalid("Describa el compromiso y al menos un hito.".into()));
    }
    if input.description.chars().count() > MAX_DESCRIPTION_CHARS || input.milestones.len() > MAX_MILESTONES {
        return Err(DbError::Invalid(format!("Un compromiso se describe en a lo más {MAX_DESCRIPTION_CHARS} caracteres y tiene a lo más {MAX_MILESTONES} hitos.")));
    }
    if input.milestones.iter().any(|m| m.description.trim().is_empty() || m.description.chars().count() > MAX_DESCRIPTION_CHARS) {
        return Err(DbError::Invalid(format!("Cada hito se describe en 1 a {MAX_DESCRIPTION_CHARS} caracteres.")));
    }
    let mut ids: Vec<&str> = input.milestones.iter().map(|m| m.milestone_id.as_str()).collect();
    ids.sort_unstable();
    if ids.iter().any(|i| shared::protocol::Key::parse(i).is_err()) || ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(DbError::Invalid("Cada hito necesita un identificador propio.".into()));
    }
    Ok(())
}

impl Db {
    /// Creates or edits a commitment; milestones keep their verification when their id
    /// stays. Staff's is confirmed; an Enlace's is a proposal, and an Enlace edits only
    /// proposals and commitments sent back. A milestone with evidence or extensions stays.
    pub async fn put_commitment(&self, author: Author, centro: String, id: String, input: CommitmentInput) -> Result<(CommitmentInfo, u64), DbError> {
        check_input(&input)?;
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM centros WHERE id = ?1)", [&centro], |r| r.get(0))?;
            if !exists {
                return Err(DbError::NotFound(format!("centro «{centro}»")));
            }
            if author.proposes && status(&tx, &centro, &id)? == Some(CommitmentStatus::Confirmado) {
                return Err(DbError::Conflict(format!(
                    "El compromiso «{id}» ya fue confirmado por coordinación: sus hitos se cambian solo con una prórroga o por coordinación."
                )));
            }
            let new_status = if author.proposes { CommitmentStatus::Propuesto } else { CommitmentStatus::Confirmado };
            tx.execute(
                "INSERT INTO commitments (centro_id, id, description, impact, seq, status, registered_by) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)
                 ON CONFLICT (centro_id, id) DO UPDATE SET description = excluded.description,
                 impact = excluded.impact, version = commitments.version + 1, status = excluded.status, return_reason = NULL",
                params![centro, id, input.description.trim(), input.impact, new_status.code(), author.user_id],
            )?;
            let keep: Vec<&str> = input.milestones.iter().map(|m| m.milestone_id.as_str()).collect();
            let existing: Vec<String> = {
                let mut stmt = tx.prepare("SELECT id FROM milestones WHERE centro_id = ?1 AND commitment_id = ?2")?;
                stmt.query_map(params![centro, id], |r| r.get(0))?.collect::<Result<_, _>>()?
            };
            for gone in existing.iter().filter(|m| !keep.contains(&m.as_str())) {
                let history: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM evidence_documents WHERE centro_id = ?1 AND commitment_id = ?2 AND milestone_id = ?3)
                     OR EXISTS (SELECT 1 FROM extensions WHERE centro_id = ?1 AND commitment_id = ?2 AND milestone_id = ?3)",
                    params![centro, id, gone],
                    |r| r.get(0),
                )?;
                if history {
                    return Err(DbError::Conflict(format!("El hito «{gone}» tiene evidencias o prórrogas: se conserva; inclúyalo.")));
                }
                tx.execute("DELETE FROM milestones WHERE centro_id = ?1 AND commitment_id = ?2 AND id = ?3", params![centro, id, gone])?;
            }
            for m in &input.milestones {
                tx.execute(
                    "INSERT INTO milestones (centro_id, commitment_id, id, description, due_date) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (centro_id, commitment_id, id) DO UPDATE SET description = excluded.description, due_date = excluded.due_date",
                    params![centro, id, m.milestone_id, m.description.trim(), m.due.to_string()],
                )?;
            }
            super::cycle::audit(&tx, author.user_id, "commitment_registered", format!("{centro}/{id} ({})", new_status.code()))?;
            let info = load(&tx, &centro, &id)?.ok_or_else(|| DbError::NotFound(format!("compromiso «{id}»")))?;
            let seq = announce(&tx, &info)?;
            tx.commit()?;
            Ok((info, seq))
        })
        .await
    }

    /// Verifies a milestone. A request based on an old version is kept aside and refused.
    pub async fn verify_milestone(
        &self,
        user: (i64, Role),
        key: (String, String, String),
        v: VerifyMilestone,
    ) -> Result<(CommitmentInfo, u64), DbError> {
        self.write(move |conn| {
            let (centro, commitment, milestone) = key;
            let tx = conn.transaction()?;
            if user.1.is_field() {
                let assigned: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM assignments WHERE user_id = ?1 AND centro_id = ?2)",
                    params![user.0, centro],
                    |r| r.get(0),
                )?;
                if !assigned {
                    return Err(DbError::NotFound(format!("compromiso «{commitment}» en sus centros")));
                }
            }
            let current = load(&tx, &centro, &commitment)?.ok_or_else(|| DbError::NotFound(format!("compromiso «{commitment}»")))?;
            if !current.milestones.iter().any(|m| m.milestone_id == milestone) {
                return Err(DbError::NotFound(format!("hito «{milestone}»")));
            }
            if v.base_version != current.version {
                let body = serde_json::to_string(&v).map_err(|e| DbError::Other(e.into()))?;
                tx.execute(
                    "INSERT INTO edit_conflicts (entity, key, base_version, current_version, body, user_id, received_at)
                     VALUES ('milestone', ?1, ?2, ?3, ?4, ?5, ?6)",
                    params![format!("{centro}/{commitment}/{milestone}"), v.base_version as i64, current.version as i64, body, user.0, now_text()],
                )?;
                tx.commit()?;
                return Err(DbError::Conflict(format!(
                    "El compromiso cambió (versión {} y no {}): se guardó su verificación para revisión; descargue los cambios.",
                    current.version, v.base_version
                )));
            }
            if status(&tx, &centro, &commitment)? != Some(CommitmentStatus::Confirmado) {
                return Err(DbError::Conflict("Un hito se verifica cuando coordinación confirmó el compromiso.".into()));
            }
            let how = if user.1.is_field() { VerifiedHow::Visita } else { VerifiedHow::Escritorio };
            if how == VerifiedHow::Escritorio {
                let documents: bool = tx.query_row(
                    "SELECT EXISTS (SELECT 1 FROM evidence_documents WHERE centro_id = ?1 AND commitment_id = ?2 AND milestone_id = ?3 AND complete = 1)",
                    params![centro, commitment, milestone],
                    |r| r.get(0),
                )?;
                if !documents {
                    return Err(DbError::Conflict("En escritorio se verifica con evidencia documental: este hito aún no tiene ningún documento completo.".into()));
                }
            }
            let evidence = serde_json::to_string(&v.evidence).map_err(|e| DbError::Other(e.into()))?;
            tx.execute(
                "UPDATE milestones SET verified_on = ?1, verified_by = ?2, evidence = ?3, verified_how = ?4 WHERE centro_id = ?5 AND commitment_id = ?6 AND id = ?7",
                params![v.verified_on.to_string(), user.0, evidence, how.code(), centro, commitment, milestone],
            )?;
            super::cycle::audit(&tx, user.0, "milestone_verified", format!("{centro}/{commitment}/{milestone} ({}, {})", how.code(), v.verified_on))?;
            tx.execute("UPDATE commitments SET version = version + 1 WHERE centro_id = ?1 AND id = ?2", params![centro, commitment])?;
            let info = load(&tx, &centro, &commitment)?.ok_or_else(|| DbError::NotFound(format!("compromiso «{commitment}»")))?;
            let seq = announce(&tx, &info)?;
            tx.commit()?;
            Ok((info, seq))
        })
        .await
    }

    /// Creates or updates a complaint of a centro's log.
    pub async fn put_complaint(&self, centro: String, folio: String, c: ComplaintInput) -> Result<u64, DbError> {
        if c.responded.is_some_and(|r| r < c.received) {
            return Err(DbError::Invalid("La respuesta no puede ser anterior a la recepción de la queja.".into()));
        }
        if folio.trim().is_empty() || folio.chars().count() > 64 {
            return Err(DbError::Invalid("El folio es obligatorio (máx. 64 caracteres).".into()));
        }
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM centros WHERE id = ?1)", [&centro], |r| r.get(0))?;
            if !exists {
                return Err(DbError::NotFound(format!("centro «{centro}»")));
            }
            let seq = emit(&tx, "complaint", &format!("{centro}/{folio}"), None, None)?;
            tx.execute(
                "INSERT INTO complaints (centro_id, folio, received, responded, corrective_action, acknowledged, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (centro_id, folio) DO UPDATE SET received = excluded.received, responded = excluded.responded,
                 corrective_action = excluded.corrective_action, acknowledged = excluded.acknowledged, seq = excluded.seq",
                params![centro, folio, c.received.to_string(), c.responded.map(|d| d.to_string()), c.corrective_action, c.acknowledged, seq],
            )?;
            tx.commit()?;
            Ok(seq as u64)
        })
        .await
    }

    /// A centro's commitments and complaints, as the scoring reads them.
    pub async fn centro_score_records(&self, centro: String) -> Result<(Vec<Commitment>, Vec<Complaint>), DbError> {
        self.read(move |conn| Ok((commitments_of(conn, Some(&centro))?, complaints_of(conn, Some(&centro))?))).await
    }
}

/// Commitments for scoring (all centros, or one).
pub(crate) fn commitments_of(conn: &Conn<'_>, centro: Option<&str>) -> Result<Vec<Commitment>, DbError> {
    let mut stmt = conn.prepare(
        "SELECT c.centro_id, c.id, c.impact, c.seq, m.due_date, m.verified_on FROM commitments c
         JOIN milestones m ON m.centro_id = c.centro_id AND m.commitment_id = c.id
         WHERE (c.centro_id = ?1 OR ?1 IS NULL) AND c.status = 'confirmado' ORDER BY c.centro_id, c.id, m.due_date, m.id",
    )?;
    let rows = stmt.query_map([centro], |r| {
        Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<f64>(2)?, r.get::<i64>(3)?, parsed::<NaiveDate>(r, 4)?, parsed_opt::<NaiveDate>(r, 5)?))
    })?;
    let mut out: Vec<Commitment> = Vec::new();
    for row in rows {
        let (centro_id, id, impact, seq, due, verified) = row?;
        let milestone = Milestone { due, verified_on: verified };
        match out.last_mut() {
            Some(c) if c.centro_id == centro_id && c.id == id => c.milestones.push(milestone),
            _ => out.push(Commitment { centro_id, id, impact, seq: seq as u64, milestones: vec![milestone] }),
        }
    }
    Ok(out)
}

/// A complaint from a row of `centro_id, folio, received, responded, corrective_action,
/// acknowledged, seq`.
pub(crate) fn complaint(r: &Row<'_>) -> SqlResult<Complaint> {
    Ok(Complaint {
        centro_id: r.get(0)?,
        folio: r.get(1)?,
        received: parsed(r, 2)?,
        responded: parsed_opt(r, 3)?,
        corrective_action: r.get(4)?,
        acknowledged: r.get(5)?,
        seq: r.get::<i64>(6)? as u64,
    })
}

/// Complaints for scoring (all centros, or one).
pub(crate) fn complaints_of(conn: &Conn<'_>, centro: Option<&str>) -> Result<Vec<Complaint>, DbError> {
    let mut stmt = conn.prepare(
        "SELECT centro_id, folio, received, responded, corrective_action, acknowledged, seq FROM complaints
         WHERE centro_id = ?1 OR ?1 IS NULL ORDER BY centro_id, folio",
    )?;
    let rows = stmt.query_map([centro], complaint)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
