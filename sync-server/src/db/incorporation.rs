//! Incorporation filings (a centro's cédula and plantilla for a period), staff's decision
//! on them, and centros dados de baja.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use super::sql::{Conn, OptionalExt, params, Row, SqlResult};
use shared::protocol::{BajaInfo, CentroDefinition, Incorporation, IncorporationStatus, PlantillaPerson};

use super::cycle::audit;
use super::program::{CentroRow, emit_centro, store_centro};
use super::{Db, DbError, damaged_column, now_text};

/// The requests with what [`incorporation`] reads.
macro_rules! requests {
    () => {
        "SELECT i.id, i.period_id, i.centro_id, i.institution, i.definition, i.staff, i.status, i.reason, f.display_name, i.filed_at,
     d.display_name, i.decided_at FROM incorporations i JOIN users f ON f.id = i.filed_by LEFT JOIN users d ON d.id = i.decided_by"
    };
}

fn incorporation(r: &Row<'_>) -> SqlResult<Incorporation> {
    let definition: CentroDefinition = serde_json::from_str(&r.get::<String>(4)?).map_err(|e| damaged_column(4, e))?;
    let staff: Option<Vec<PlantillaPerson>> =
        r.get::<Option<String>>(5)?.map(|s| serde_json::from_str(&s)).transpose().map_err(|e| damaged_column(5, e))?;
    let status: String = r.get(6)?;
    Ok(Incorporation {
        id: r.get(0)?,
        period_id: r.get(1)?,
        centro_id: r.get(2)?,
        institution: r.get(3)?,
        definition,
        staff,
        status: IncorporationStatus::parse(&status).ok_or_else(|| super::bad_code(6, status))?,
        reason: r.get(7)?,
        filed_by: r.get(8)?,
        filed_at: r.get(9)?,
        decided_by: r.get(10)?,
        decided_at: r.get(11)?,
    })
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(|e| DbError::Other(e.into()))
}

fn load(conn: &Conn<'_>, id: i64) -> Result<Incorporation, DbError> {
    conn.query_row(concat!(requests!(), " WHERE i.id = ?1"), [id], incorporation)
        .optional()?
        .ok_or_else(|| DbError::NotFound(format!("solicitud de incorporación {id}")))
}

/// The baja of a centro, if any.
pub(crate) fn baja_of(conn: &Conn<'_>, centro: &str) -> Result<Option<BajaInfo>, DbError> {
    let row: Option<(Option<String>, Option<String>)> =
        conn.query_row("SELECT baja_on, baja_reason FROM centros WHERE id = ?1", [centro], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    Ok(match row {
        Some((Some(on), reason)) => {
            let date = on.parse::<NaiveDate>().map_err(|e| DbError::Damaged(format!("fecha de baja del centro «{centro}»: {e}")))?;
            Some(BajaInfo { date, reason: reason.unwrap_or_default() })
        }
        _ => None,
    })
}

fn decide(tx: &Conn<'_>, id: i64, user: i64, status: IncorporationStatus, reason: Option<&str>) -> Result<(), DbError> {
    tx.execute(
        "UPDATE incorporations SET status = ?2, reason = ?3, decided_by = ?4, decided_at = ?5 WHERE id = ?1",
        params![id, status.code(), reason, user, now_text()],
    )?;
    Ok(())
}

impl Db {
    /// Files the cédula rows of `institution` for `period`: each centro's pending request
    /// is replaced (its plantilla kept), or a new one made. Returns the centros filed.
    pub async fn file_cedula(&self, period: String, institution: String, user: i64, rows: Vec<(String, CentroDefinition)>) -> Result<Vec<String>, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let known: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM periods WHERE id = ?1)", [&period], |r| r.get(0))?;
            if !known {
                return Err(DbError::NotFound(format!("periodo «{period}»")));
            }
            let mut filed = Vec::with_capacity(rows.len());
            for (centro, definition) in &rows {
                let owner: Option<String> = tx.query_row("SELECT dependencia FROM centros WHERE id = ?1", [centro], |r| r.get(0)).optional()?;
                if owner.as_ref().is_some_and(|o| o != &institution) {
                    return Err(DbError::Conflict(format!("el centro «{centro}» pertenece a otra institución")));
                }
                let body = json(definition)?;
                let updated = tx.execute(
                    "UPDATE incorporations SET definition = ?3, filed_by = ?4, filed_at = ?5 WHERE period_id = ?1 AND centro_id = ?2 AND status = 'pendiente'",
                    params![period, centro, body, user, now_text()],
                )?;
                if updated == 0 {
                    tx.execute(
                        "INSERT INTO incorporations (period_id, centro_id, institution, definition, filed_by) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![period, centro, institution, body, user],
                    )?;
                }
                filed.push(centro.clone());
            }
            audit(&tx, user, "incorporation.cedula", format!("{institution} · {period}: {}", filed.join(", ")))?;
            tx.commit()?;
            Ok(filed)
        })
        .await
    }

    /// The centros of `institution` with a pending request in `period`.
    pub async fn pending_incorporations(&self, period: String, institution: String) -> Result<Vec<String>, DbError> {
        self.read(move |conn| {
            let mut stmt =
                conn.prepare("SELECT centro_id FROM incorporations WHERE period_id = ?1 AND institution = ?2 AND status = 'pendiente' ORDER BY centro_id")?;
            Ok(stmt.query_map(params![period, institution], |r| r.get(0))?.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Files the plantilla of each centro on its pending request in `period`.
    pub async fn file_plantilla(
        &self,
        period: String,
        institution: String,
        user: i64,
        staff: BTreeMap<String, Vec<PlantillaPerson>>,
    ) -> Result<Vec<String>, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            for (centro, people) in &staff {
                let n = tx.execute(
                    "UPDATE incorporations SET staff = ?4, filed_by = ?5, filed_at = ?6
                     WHERE period_id = ?1 AND centro_id = ?2 AND institution = ?3 AND status = 'pendiente'",
                    params![period, centro, institution, json(people)?, user, now_text()],
                )?;
                if n == 0 {
                    return Err(DbError::Conflict(format!("el centro «{centro}» no tiene una cédula pendiente en el periodo «{period}»")));
                }
            }
            let filed: Vec<String> = staff.keys().cloned().collect();
            audit(&tx, user, "incorporation.plantilla", format!("{institution} · {period}: {}", filed.join(", ")))?;
            tx.commit()?;
            Ok(filed)
        })
        .await
    }

    /// Requests, newest first: of one institution, or all; of one status, or any.
    pub async fn incorporations(&self, institution: Option<String>, status: Option<IncorporationStatus>) -> Result<Vec<Incorporation>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(concat!(
                requests!(),
                " WHERE (i.institution = ?1 OR ?1 IS NULL) AND (i.status = ?2 OR ?2 IS NULL) ORDER BY i.filed_at DESC, i.id DESC LIMIT 1000"
            ))?;
            Ok(stmt.query_map(params![institution, status.map(IncorporationStatus::code)], incorporation)?.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// One request.
    pub async fn incorporation(&self, id: i64) -> Result<Incorporation, DbError> {
        self.read(move |conn| load(conn, id)).await
    }

    /// Accepts a pending request with its plantilla: the centro joins (or is updated in)
    /// the catalog, leaves any baja, and its staff becomes the plantilla's people.
    pub async fn accept_incorporation(&self, id: i64, user: i64, centro: CentroRow) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let request = load(&tx, id)?;
            if request.status != IncorporationStatus::Pendiente {
                return Err(DbError::Conflict(format!("la solicitud ya está {}", request.status.label().to_lowercase())));
            }
            let Some(people) = &request.staff else {
                return Err(DbError::Conflict("falta la plantilla de personal del centro".into()));
            };
            store_centro(&tx, &centro)?;
            tx.execute("UPDATE centros SET baja_on = NULL, baja_reason = NULL WHERE id = ?1", [&centro.id])?;
            super::staff::replace_staff(&tx, &centro.id, people)?;
            decide(&tx, id, user, IncorporationStatus::Aceptado, None)?;
            emit_centro(&tx, &centro.id)?;
            audit(&tx, user, "incorporation.accept", format!("{} · {}", request.centro_id, request.period_id))?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Refuses a pending request with a reason.
    pub async fn refuse_incorporation(&self, id: i64, user: i64, reason: String) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let request = load(&tx, id)?;
            if request.status != IncorporationStatus::Pendiente {
                return Err(DbError::Conflict(format!("la solicitud ya está {}", request.status.label().to_lowercase())));
            }
            decide(&tx, id, user, IncorporationStatus::Rechazado, Some(&reason))?;
            audit(&tx, user, "incorporation.refuse", format!("{} · {}: {reason}", request.centro_id, request.period_id))?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Dar de baja: the centro stays (history) but is no longer ranked from `date` on.
    pub async fn set_baja(&self, centro: String, date: NaiveDate, reason: String, user: i64) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let n = tx.execute("UPDATE centros SET baja_on = ?2, baja_reason = ?3 WHERE id = ?1", params![centro, date.to_string(), reason])?;
            if n == 0 {
                return Err(DbError::NotFound(format!("centro «{centro}»")));
            }
            emit_centro(&tx, &centro)?;
            audit(&tx, user, "centro.baja", format!("{centro} el {date}: {reason}"))?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// The baja of one centro.
    pub async fn baja(&self, centro: String) -> Result<Option<BajaInfo>, DbError> {
        self.read(move |conn| baja_of(conn, &centro)).await
    }

    /// Every centro dado de baja.
    pub async fn bajas(&self) -> Result<BTreeMap<String, BajaInfo>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT id, baja_on, baja_reason FROM centros WHERE baja_on IS NOT NULL")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?, r.get::<Option<String>>(2)?)))?;
            let mut out = BTreeMap::new();
            for row in rows {
                let (id, on, reason) = row?;
                let date = on.parse::<NaiveDate>().map_err(|e| DbError::Damaged(format!("fecha de baja del centro «{id}»: {e}")))?;
                out.insert(id, BajaInfo { date, reason: reason.unwrap_or_default() });
            }
            Ok(out)
        })
        .await
    }
}
