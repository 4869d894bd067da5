//! A period's state and its official results (PROGRAM_CYCLE.md): each state change is one
//! transaction that checks the state it starts from, records the transition and writes the
//! audit log, so two staff members acting at once cannot both close a period.

use super::sql::{Conn, OptionalExt, params, Row, SqlResult};
use shared::protocol::{LateRecord, OfficialVersion, PeriodState};

use super::{Db, DbError, now_text, parsed};

/// What a close freezes.
#[derive(Debug, Clone)]
pub struct Frozen {
    pub watermark: u64,
    pub method: String,
    pub settings_json: String,
    pub table_json: String,
    pub table_sha256: String,
    pub inputs_gz: Vec<u8>,
    pub inputs_sha256: String,
}

/// A period's latest published official results, as the public pages read them.
#[derive(Debug, Clone)]
pub struct Published {
    pub period_id: String,
    pub name: String,
    pub start: chrono::NaiveDate,
    pub end: chrono::NaiveDate,
    pub version: OfficialVersion,
    pub settings_json: String,
    pub table_json: String,
}

/// A period's state as the cycle reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateRow {
    pub state: PeriodState,
    pub publication_reason: Option<String>,
}

fn state_of(tx: &Conn<'_>, period: &str) -> Result<(PeriodState, Option<String>), DbError> {
    let row: Option<(String, Option<String>)> =
        tx.query_row("SELECT state, publication_reason FROM periods WHERE id = ?1", [period], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    let (code, publication) = row.ok_or_else(|| DbError::NotFound(format!("periodo «{period}»")))?;
    let state = PeriodState::parse(&code).ok_or_else(|| DbError::Damaged(format!("estado de periodo desconocido «{code}» en «{period}»")))?;
    Ok((state, publication))
}

fn transition(tx: &Conn<'_>, period: &str, user: i64, from: PeriodState, to: PeriodState, reason: &str) -> Result<(), DbError> {
    let at = now_text();
    tx.execute(
        "INSERT INTO period_transitions (period_id, at, user_id, from_state, to_state, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![period, at, user, from.code(), to.code(), reason],
    )?;
    audit(tx, user, &format!("period_{}", to.code()), format!("periodo {period}: {} → {} ({reason})", from.code(), to.code()))
}

pub(crate) fn audit(tx: &Conn<'_>, user: i64, action: &str, detail: String) -> Result<(), DbError> {
    tx.execute("INSERT INTO audit_log (at, user_id, action, detail) VALUES (?1, ?2, ?3, ?4)", params![now_text(), user, action, detail])?;
    Ok(())
}

fn wrong_state(period: &str, state: PeriodState, wanted: &str) -> DbError {
    DbError::Conflict(format!("El periodo «{period}» está {}; {wanted}.", state.label().to_lowercase()))
}

/// Records of a period's dates (`?1`–`?2`) that arrived after its results (`?3`).
macro_rules! late {
    () => {
        "FROM submissions WHERE capture_date BETWEEN ?1 AND ?2 AND seq > ?3"
    };
}

/// The columns [`version_row`] reads.
macro_rules! version_columns {
    () => {
        "o.period_id, o.version, o.closed_at, u.username, o.reason, o.reopen_reason, o.watermark, o.method,
     o.table_sha256, o.inputs_sha256, o.published_at"
    };
}

fn version_row(r: &Row<'_>) -> SqlResult<OfficialVersion> {
    Ok(OfficialVersion {
        period_id: r.get(0)?,
        version: r.get(1)?,
        closed_at: r.get(2)?,
        closed_by: r.get(3)?,
        reason: r.get(4)?,
        reopen_reason: r.get(5)?,
        watermark: u64::try_from(r.get::<i64>(6)?).unwrap_or(0),
        method: r.get(7)?,
        table_sha256: r.get(8)?,
        inputs_sha256: r.get(9)?,
        published_at: r.get(10)?,
    })
}

impl Db {
    /// The state of every period (for ingest: which records arrive after a close).
    pub async fn period_states(&self) -> Result<Vec<(String, StateRow)>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT id, state, publication_reason FROM periods",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<Option<String>>(2)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (id, code, publication_reason) = row?;
                let state = PeriodState::parse(&code).ok_or_else(|| DbError::Damaged(format!("estado de periodo desconocido «{code}» en «{id}»")))?;
                out.push((id, StateRow { state, publication_reason }));
            }
            Ok(out)
        })
        .await
    }

    /// Closes an open period, freezing `frozen` as its next official version.
    pub async fn close_period(&self, period: String, user: i64, reason: String, frozen: Frozen) -> Result<u32, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let (state, _) = state_of(&tx, &period)?;
            if state != PeriodState::Abierto {
                return Err(wrong_state(&period, state, "solo se cierra un periodo abierto"));
            }
            let version: u32 = tx.query_row("SELECT COALESCE(MAX(version), 0) + 1 FROM official_results WHERE period_id = ?1", [&period], |r| r.get(0))?;
            let reopen_reason: Option<String> = tx.query_row("SELECT reopen_reason FROM periods WHERE id = ?1", [&period], |r| r.get(0))?;
            tx.execute(
                "INSERT INTO official_results (period_id, version, closed_at, closed_by, reason, reopen_reason, watermark, method,
                 settings_json, table_json, table_sha256, inputs_gz, inputs_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                params![
                    period,
                    version,
                    now_text(),
                    user,
                    reason,
                    reopen_reason,
                    i64::try_from(frozen.watermark).unwrap_or(i64::MAX),
                    frozen.method,
                    frozen.settings_json,
                    frozen.table_json,
                    frozen.table_sha256,
                    frozen.inputs_gz,
                    frozen.inputs_sha256
                ],
            )?;
            tx.execute("UPDATE periods SET state = 'cerrado', reopen_reason = NULL, publication_reason = NULL, publication_requested_by = NULL WHERE id = ?1", [&period])?;
            transition(&tx, &period, user, state, PeriodState::Cerrado, &reason)?;
            audit(&tx, user, "official_results", format!("periodo {period}: versión {version}, tabla sha256 {}", frozen.table_sha256))?;
            tx.commit()?;
            Ok(version)
        })
        .await
    }

    /// Reopens a closed or published period (its official versions stay).
    pub async fn reopen_period(&self, period: String, user: i64, reason: String) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let (state, _) = state_of(&tx, &period)?;
            if state == PeriodState::Abierto {
                return Err(wrong_state(&period, state, "no hay nada que reabrir"));
            }
            tx.execute("UPDATE periods SET state = 'abierto', reopen_reason = ?2, publication_reason = NULL, publication_requested_by = NULL WHERE id = ?1", params![period, reason])?;
            transition(&tx, &period, user, state, PeriodState::Abierto, &reason)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Asks for a closed period's publication (an admin confirms it).
    pub async fn request_publication(&self, period: String, user: i64, reason: String) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let (state, _) = state_of(&tx, &period)?;
            if state != PeriodState::Cerrado {
                return Err(wrong_state(&period, state, "solo se pide publicar un periodo cerrado"));
            }
            tx.execute("UPDATE periods SET publication_reason = ?2, publication_requested_by = ?3 WHERE id = ?1", params![period, reason, user])?;
            audit(&tx, user, "period_publication_request", format!("periodo {period}: se pide publicar ({reason})"))?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Publishes a closed period whose publication was asked: its latest version.
    pub async fn publish_period(&self, period: String, user: i64, reason: String) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let (state, requested) = state_of(&tx, &period)?;
            if state != PeriodState::Cerrado {
                return Err(wrong_state(&period, state, "solo se publica un periodo cerrado"));
            }
            if requested.is_none() {
                return Err(DbError::Conflict(format!("Nadie ha pedido publicar el periodo «{period}»: primero se pide, luego se confirma.")));
            }
            tx.execute(
                "UPDATE official_results SET published_at = ?2, published_by = ?3
                 WHERE period_id = ?1 AND version = (SELECT MAX(version) FROM official_results WHERE period_id = ?1)",
                params![period, now_text(), user],
            )?;
            tx.execute("UPDATE periods SET state = 'publicado', publication_reason = NULL, publication_requested_by = NULL WHERE id = ?1", [&period])?;
            transition(&tx, &period, user, state, PeriodState::Publicado, &reason)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Every official version of a period, oldest first.
    pub async fn official_versions(&self, period: String) -> Result<Vec<OfficialVersion>, DbError> {
        self.read(move |conn| {
            let sql = concat!("SELECT ", version_columns!(), " FROM official_results o JOIN users u ON u.id = o.closed_by WHERE o.period_id = ?1 ORDER BY o.version");
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([&period], version_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// One official version with its table's canonical JSON.
    pub async fn official_table(&self, period: String, version: u32) -> Result<(OfficialVersion, String), DbError> {
        self.read(move |conn| {
            let sql = concat!("SELECT ", version_columns!(), ", o.table_json FROM official_results o JOIN users u ON u.id = o.closed_by WHERE o.period_id = ?1 AND o.version = ?2");
            conn.query_row(sql, params![period, version], |r| Ok((version_row(r)?, r.get::<String>(11)?)))
                .optional()?
                .ok_or_else(|| DbError::NotFound(format!("versión {version} de los resultados oficiales del periodo «{period}»")))
        })
        .await
    }

    /// One official version's scoring inputs, gzip-compressed, and their digest.
    pub async fn official_inputs(&self, period: String, version: u32) -> Result<(Vec<u8>, String), DbError> {
        self.read(move |conn| {
            conn.query_row("SELECT inputs_gz, inputs_sha256 FROM official_results WHERE period_id = ?1 AND version = ?2", params![period, version], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?
            .ok_or_else(|| DbError::NotFound(format!("versión {version} de los resultados oficiales del periodo «{period}»")))
        })
        .await
    }

    /// Every period with published results: its latest published version (newest period
    /// first). With `only`, that period alone.
    pub async fn published(&self, only: Option<String>) -> Result<Vec<Published>, DbError> {
        self.read(move |conn| {
            let sql = concat!(
                "SELECT ",
                version_columns!(),
                ", o.settings_json, o.table_json, p.name, p.start_date, p.end_date
                 FROM official_results o JOIN users u ON u.id = o.closed_by JOIN periods p ON p.id = o.period_id
                 WHERE o.published_at IS NOT NULL AND (o.period_id = ?1 OR ?1 IS NULL)
                   AND o.version = (SELECT MAX(version) FROM official_results x WHERE x.period_id = o.period_id AND x.published_at IS NOT NULL)
                 ORDER BY p.start_date DESC, p.id"
            );
            let mut stmt = conn.prepare(sql)?;
            let rows = stmt.query_map([&only], |r| {
                Ok(Published {
                    version: version_row(r)?,
                    settings_json: r.get(11)?,
                    table_json: r.get(12)?,
                    name: r.get(13)?,
                    start: parsed(r, 14)?,
                    end: parsed(r, 15)?,
                    period_id: r.get(0)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// A centro's latest visit (not rejected) dated within `start..=end`.
    pub async fn latest_visit_between(&self, centro: String, start: chrono::NaiveDate, end: chrono::NaiveDate) -> Result<Option<shared::protocol::Submission>, DbError> {
        self.read(move |conn| {
            let body: Option<String> = conn
                .query_row(
                    "SELECT s.body FROM visit_facts v JOIN submissions s ON s.id = v.submission_id
                     WHERE v.centro_id = ?1 AND v.visit_date BETWEEN ?2 AND ?3 AND s.review <> 'rejected'
                     ORDER BY v.visit_date DESC, v.seq DESC LIMIT 1",
                    params![centro, start.to_string(), end.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            body.map(|b| serde_json::from_str(&b).map_err(|e| DbError::Damaged(format!("visita almacenada ilegible: {e}")))).transpose()
        })
        .await
    }

    /// The records captured inside a closed (or published) period and stored after its
    /// latest close: how many, and the latest `limit` of them.
    pub async fn late_records(&self, period: String, limit: usize) -> Result<(u64, Vec<LateRecord>), DbError> {
        self.read(move |conn| {
            let bounds: Option<(String, String, String, Option<i64>)> = conn
                .query_row(
                    "SELECT start_date, end_date, state, (SELECT MAX(watermark) FROM official_results WHERE period_id = ?1) FROM periods WHERE id = ?1",
                    [&period],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let (start, end, state, watermark) = bounds.ok_or_else(|| DbError::NotFound(format!("periodo «{period}»")))?;
            let Some(watermark) = watermark.filter(|_| state != PeriodState::Abierto.code()) else { return Ok((0, Vec::new())) };
            let count: i64 = conn.query_row(concat!("SELECT COUNT(*) ", late!()), params![start, end, watermark], |r| r.get(0))?;
            let mut stmt = conn.prepare(concat!("SELECT id, centro_id, capture_date, received_at ", late!(), " ORDER BY seq DESC LIMIT ?4"))?;
            let rows = stmt.query_map(params![start, end, watermark, i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
                Ok(LateRecord { submission_id: parsed(r, 0)?, centro_id: r.get(1)?, capture_date: parsed(r, 2)?, received_at: r.get(3)? })
            })?;
            Ok((u64::try_from(count).unwrap_or(0), rows.collect::<Result<Vec<_>, _>>()?))
        })
        .await
    }
}
