//! What an Enlace files and staff decide: commitments confirmed or sent back, extension
//! requests and their decisions, documentary evidence per milestone.

use chrono::NaiveDate;
use super::sql::{Conn, OptionalExt, params, Row, SqlResult};
use shared::protocol::{
    CommitmentDetail, CommitmentInfo, CommitmentStatus, EvidenceDocument, EvidenceType, ExtensionInfo, ExtensionRequest, ExtensionState,
    MilestoneFiling, VerifiedHow,
};

use super::commitments::{announce, load, status};
use super::cycle::audit;
use super::{Db, DbError, now_text, parsed, parsed_opt};

/// A column holding one of a type's codes.
fn coded<T>(r: &Row<'_>, idx: usize, parse: fn(&str) -> Option<T>) -> SqlResult<T> {
    let text: String = r.get(idx)?;
    parse(&text).ok_or_else(|| super::bad_code(idx, text))
}

/// A column holding one of a type's codes, or NULL.
fn coded_opt<T>(r: &Row<'_>, idx: usize, parse: fn(&str) -> Option<T>) -> SqlResult<Option<T>> {
    match r.get::<Option<String>>(idx)? {
        None => Ok(None),
        Some(_) => coded(r, idx, parse).map(Some),
    }
}

fn extension(r: &Row<'_>) -> SqlResult<ExtensionInfo> {
    Ok(ExtensionInfo {
        extension_id: r.get::<i64>(0)? as u64,
        due_before: parsed(r, 1)?,
        requested_due: parsed(r, 2)?,
        reason: r.get(3)?,
        requested_by: r.get(4)?,
        requested_at: r.get(5)?,
        state: coded(r, 6, ExtensionState::parse)?,
        decided_by: r.get(7)?,
        decided_at: r.get(8)?,
        decision_reason: r.get(9)?,
    })
}

/// The columns [`extension`] reads, then the milestone's key.
/// The extensions with what [`extension`] reads.
macro_rules! extensions {
    () => {
        "SELECT e.id, e.due_before, e.requested_due, e.reason, ru.display_name, e.requested_at, e.state, du.display_name,
     e.decided_at, e.decision_reason, e.centro_id, e.commitment_id, e.milestone_id FROM extensions e JOIN users ru ON ru.id = e.requested_by LEFT JOIN users du ON du.id = e.decided_by"
    };
}

fn detail(conn: &Conn<'_>, centro: &str, id: &str) -> Result<Option<CommitmentDetail>, DbError> {
    let Some(commitment) = load(conn, centro, id)? else { return Ok(None) };
    let (status, return_reason, registered_by): (CommitmentStatus, Option<String>, Option<String>) = conn.query_row(
        "SELECT c.status, c.return_reason, u.display_name FROM commitments c LEFT JOIN users u ON u.id = c.registered_by WHERE c.centro_id = ?1 AND c.id = ?2",
        params![centro, id],
        |r| Ok((coded(r, 0, CommitmentStatus::parse)?, r.get(1)?, r.get(2)?)),
    )?;
    let mut milestones = Vec::with_capacity(commitment.milestones.len());
    for m in &commitment.milestones {
        let (original_due, verified_how, verified_by) = conn.query_row(
            "SELECT m.original_due, m.verified_how, u.display_name FROM milestones m LEFT JOIN users u ON u.id = m.verified_by
             WHERE m.centro_id = ?1 AND m.commitment_id = ?2 AND m.id = ?3",
            params![centro, id, m.milestone_id],
            |r| Ok((parsed_opt::<NaiveDate>(r, 0)?, coded_opt(r, 1, VerifiedHow::parse)?, r.get::<Option<String>>(2)?)),
        )?;
        let documents = {
            let mut stmt = conn.prepare_cached(
                "SELECT d.sha256, d.file_name, d.media_type, d.size, d.complete, u.display_name, d.uploaded_at FROM evidence_documents d
                 JOIN users u ON u.id = d.uploaded_by WHERE d.centro_id = ?1 AND d.commitment_id = ?2 AND d.milestone_id = ?3 ORDER BY d.uploaded_at, d.sha256",
            )?;
            stmt.query_map(params![centro, id, m.milestone_id], |r| {
                Ok(EvidenceDocument {
                    sha256: r.get(0)?,
                    file_name: r.get(1)?,
                    media_type: coded(r, 2, EvidenceType::parse)?,
                    size: r.get::<i64>(3)? as u64,
                    complete: r.get(4)?,
                    uploaded_by: r.get(5)?,
                    uploaded_at: r.get(6)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?
        };
        let extensions = {
            let mut stmt = conn.prepare_cached(concat!(extensions!(), " WHERE e.centro_id = ?1 AND e.commitment_id = ?2 AND e.milestone_id = ?3 ORDER BY e.id"))?;
            stmt.query_map(params![centro, id, m.milestone_id], extension)?.collect::<Result<Vec<_>, _>>()?
        };
        milestones.push(MilestoneFiling { milestone_id: m.milestone_id.clone(), original_due, verified_how, verified_by, documents, extensions });
    }
    Ok(Some(CommitmentDetail { commitment, status, return_reason, registered_by, milestones }))
}

/// A pending extension request with where it belongs, for the lists of what waits.
#[derive(Debug, Clone)]
pub struct PendingExtension {
    pub centro_id: String,
    pub commitment_id: String,
    pub milestone_id: String,
    pub info: ExtensionInfo,
}

/// What an evidence file is attached to, for access and serving.
#[derive(Debug, Clone)]
pub struct EvidenceOwner {
    pub centro_id: String,
    pub media_type: EvidenceType,
}

impl Db {
    /// A commitment with its state, documents and extensions.
    pub async fn commitment_detail(&self, centro: String, id: String) -> Result<Option<CommitmentDetail>, DbError> {
        self.read(move |conn| detail(conn, &centro, &id)).await
    }

    /// Every commitment of `centro` in detail, by id.
    pub async fn commitment_details(&self, centro: String) -> Result<Vec<CommitmentDetail>, DbError> {
        self.read(move |conn| {
            let ids: Vec<String> = {
                let mut stmt = conn.prepare("SELECT id FROM commitments WHERE centro_id = ?1 ORDER BY id")?;
                stmt.query_map([&centro], |r| r.get(0))?.collect::<Result<_, _>>()?
            };
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                out.extend(detail(conn, &centro, &id)?);
            }
            Ok(out)
        })
        .await
    }

    /// Staff confirm a proposed commitment's impact: it counts in IACM from now on.
    pub async fn confirm_commitment(&self, user_id: i64, centro: String, id: String, impact: u8) -> Result<(CommitmentInfo, u64), DbError> {
        if !(1..=3).contains(&impact) {
            return Err(DbError::Invalid("El impacto debe ser 1, 2 o 3.".into()));
        }
        self.write(move |conn| {
            let tx = conn.transaction()?;
            match status(&tx, &centro, &id)? {
                None => return Err(DbError::NotFound(format!("compromiso «{id}» del centro «{centro}»"))),
                Some(CommitmentStatus::Propuesto) => {}
                Some(s) => return Err(DbError::Conflict(format!("El compromiso está {}; solo se confirma uno propuesto.", s.code()))),
            }
            tx.execute(
                "UPDATE commitments SET status = 'confirmado', impact = ?1, return_reason = NULL, version = version + 1 WHERE centro_id = ?2 AND id = ?3",
                params![impact, centro, id],
            )?;
            audit(&tx, user_id, "commitment_confirmed", format!("{centro}/{id} (impacto {impact})"))?;
            let info = load(&tx, &centro, &id)?.ok_or_else(|| DbError::NotFound(format!("compromiso «{id}»")))?;
            let seq = announce(&tx, &info)?;
            tx.commit()?;
            Ok((info, seq))
        })
        .await
    }

    /// Staff send a proposed commitment back to the Enlace with a reason.
    pub async fn return_commitment(&self, user_id: i64, centro: String, id: String, reason: String) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            match status(&tx, &centro, &id)? {
                None => return Err(DbError::NotFound(format!("compromiso «{id}» del centro «{centro}»"))),
                Some(CommitmentStatus::Propuesto) => {}
                Some(s) => return Err(DbError::Conflict(format!("El compromiso está {}; solo se devuelve uno propuesto.", s.code()))),
            }
            tx.execute(
                "UPDATE commitments SET status = 'devuelto', return_reason = ?1, version = version + 1 WHERE centro_id = ?2 AND id = ?3",
                params![reason, centro, id],
            )?;
            audit(&tx, user_id, "commitment_returned", format!("{centro}/{id}: {reason}"))?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// The Enlace asks for a later due date, strictly before the current one (`today`),
    /// for a confirmed commitment's unverified milestone; one request waits at a time.
    pub async fn request_extension(
        &self,
        user_id: i64,
        key: (String, String, String),
        request: ExtensionRequest,
        today: NaiveDate,
    ) -> Result<ExtensionInfo, DbError> {
        self.write(move |conn| {
            let (centro, commitment, milestone) = key;
            let tx = conn.transaction()?;
            if status(&tx, &centro, &commitment)? != Some(CommitmentStatus::Confirmado) {
                return Err(DbError::Conflict("Se pide prórroga de un compromiso confirmado; mientras es propuesta, edite sus fechas.".into()));
            }
            let row: Option<(NaiveDate, Option<String>)> = tx
                .query_row(
                    "SELECT due_date, verified_on FROM milestones WHERE centro_id = ?1 AND commitment_id = ?2 AND id = ?3",
                    params![centro, commitment, milestone],
                    |r| Ok((parsed(r, 0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((due, verified)) = row else { return Err(DbError::NotFound(format!("hito «{milestone}»"))) };
            if verified.is_some() {
                return Err(DbError::Conflict("El hito ya está verificado: no necesita prórroga.".into()));
            }
            if today >= due {
                return Err(DbError::Conflict(format!("La prórroga se pide antes de la fecha compromiso ({due}); hoy es {today}.")));
            }
            if request.requested_due <= due {
                return Err(DbError::Invalid(format!("La nueva fecha debe ser posterior a la actual ({due}).")));
            }
            let pending: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM extensions WHERE centro_id = ?1 AND commitment_id = ?2 AND milestone_id = ?3 AND state = 'pendiente')",
                params![centro, commitment, milestone],
                |r| r.get(0),
            )?;
            if pending {
                return Err(DbError::Conflict("Este hito ya tiene una prórroga en espera de respuesta.".into()));
            }
            let id: i64 = tx.query_row(
                "INSERT INTO extensions (centro_id, commitment_id, milestone_id, due_before, requested_due, reason, requested_by, requested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
                params![centro, commitment, milestone, due.to_string(), request.requested_due.to_string(), request.reason.trim(), user_id, now_text()],
                |r| r.get(0),
            )?;
            audit(&tx, user_id, "extension_requested", format!("{centro}/{commitment}/{milestone}: {due} → {} ({})", request.requested_due, request.reason.trim()))?;
            let info = tx.query_row(concat!(extensions!(), " WHERE e.id = ?1"), [id], extension)?;
            tx.commit()?;
            Ok(info)
        })
        .await
    }

    /// Staff approve or deny a pending extension. An approval moves the milestone's due
    /// date (the date IACM reads), keeping the first one as `original_due`; returns the
    /// centro and, when the scores' inputs changed, the change's sequence number.
    pub async fn decide_extension(&self, user_id: i64, id: u64, approve: bool, reason: String) -> Result<(String, Option<u64>), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let row: Option<(String, String, String, String, String)> = tx
                .query_row(
                    "SELECT centro_id, commitment_id, milestone_id, requested_due, state FROM extensions WHERE id = ?1",
                    [id as i64],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((centro, commitment, milestone, requested_due, state)) = row else {
                return Err(DbError::NotFound(format!("prórroga {id}")));
            };
            if state != ExtensionState::Pendiente.code() {
                return Err(DbError::Conflict(format!("La prórroga ya fue {state}.")));
            }
            let decided = if approve { ExtensionState::Aprobada } else { ExtensionState::Negada };
            tx.execute(
                "UPDATE extensions SET state = ?1, decided_by = ?2, decided_at = ?3, decision_reason = ?4 WHERE id = ?5",
                params![decided.code(), user_id, now_text(), reason.trim(), id as i64],
            )?;
            audit(&tx, user_id, "extension_decided", format!("{centro}/{commitment}/{milestone}: {} ({})", decided.code(), reason.trim()))?;
            let seq = if approve {
                tx.execute(
                    "UPDATE milestones SET original_due = COALESCE(original_due, due_date), due_date = ?1 WHERE centro_id = ?2 AND commitment_id = ?3 AND id = ?4",
                    params![requested_due, centro, commitment, milestone],
                )?;
                tx.execute("UPDATE commitments SET version = version + 1 WHERE centro_id = ?1 AND id = ?2", params![centro, commitment])?;
                let info = load(&tx, &centro, &commitment)?.ok_or_else(|| DbError::NotFound(format!("compromiso «{commitment}»")))?;
                Some(announce(&tx, &info)?)
            } else {
                None
            };
            tx.commit()?;
            Ok((centro, seq))
        })
        .await
    }

    /// Pending extension requests (all centros, or one institution's), oldest first.
    pub async fn pending_extensions(&self, institution: Option<String>) -> Result<Vec<PendingExtension>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(concat!(
                extensions!(),
                " WHERE e.state = 'pendiente' AND (e.centro_id IN (SELECT id FROM centros WHERE dependencia = ?1) OR ?1 IS NULL) ORDER BY e.id"
            ))?;
            let rows = stmt.query_map([institution], |r| {
                Ok(PendingExtension { info: extension(r)?, centro_id: r.get(10)?, commitment_id: r.get(11)?, milestone_id: r.get(12)? })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
