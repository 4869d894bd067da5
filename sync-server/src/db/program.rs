//! Program data: periods (with pinned method settings), centros and their trámites,
//! quotas, assignments. Every change that devices need is appended to the change log.

use chrono::NaiveDate;
use super::sql::{Conn, OptionalExt, params};
use shared::protocol::{CentroInfo, ChangeBody};
use shared::scoring::{Ambito, MethodSettings, Tipo};

use super::changes::{emit, emit_visit};
use super::{Db, DbError};

/// A period as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodRow {
    pub id: String,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub settings: MethodSettings,
}

/// A centro as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct CentroRow {
    pub id: String,
    pub name: String,
    pub dependencia: String,
    pub ambito: Ambito,
    pub tipo: Tipo,
    pub municipio: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub sampling_interval: u32,
    pub tramites: Vec<String>,
}

impl CentroRow {
    /// The centro as a definition (what a cédula row or `PUT /centros/{id}` carries).
    pub fn definition(&self) -> shared::protocol::CentroDefinition {
        shared::protocol::CentroDefinition {
            name: self.name.clone(),
            dependencia: self.dependencia.clone(),
            ambito: self.ambito.code().into(),
            tipo: self.tipo.code().into(),
            municipio: self.municipio.clone(),
            lat: self.lat,
            lon: self.lon,
            sampling_interval: self.sampling_interval,
            tramites: self.tramites.clone(),
        }
    }
}

/// What a device needs of one centro (its quotas by period, the latest as `quota`).
fn centro_info(conn: &Conn<'_>, centro_id: &str) -> Result<CentroInfo, DbError> {
    let mut info = conn
        .query_row(
            "SELECT id, name, dependencia, municipio, lat, lon, sampling_interval FROM centros WHERE id = ?1",
            [centro_id],
            |r| {
                Ok(CentroInfo {
                    centro_id: r.get(0)?,
                    name: r.get(1)?,
                    dependencia: r.get(2)?,
                    municipio: r.get(3)?,
                    lat: r.get(4)?,
                    lon: r.get(5)?,
                    sampling_interval: r.get(6)?,
                    quota: 0,
                    quotas: Default::default(),
                    tramites: Vec::new(),
                    training: None,
                    baja: None,
                })
            },
        )
        .optional()?
        .ok_or_else(|| DbError::NotFound(format!("centro «{centro_id}»")))?;
    info.quota = conn
        .query_row(
            "SELECT q.surveys FROM quotas q JOIN periods p ON p.id = q.period_id WHERE q.centro_id = ?1 ORDER BY p.start_date DESC LIMIT 1",
            [centro_id],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    let mut stmt = conn.prepare("SELECT period_id, surveys FROM quotas WHERE centro_id = ?1 ORDER BY period_id")?;
    info.quotas = stmt.query_map([centro_id], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare("SELECT name FROM tramites WHERE centro_id = ?1 AND retired_at IS NULL ORDER BY name")?;
    info.tramites = stmt.query_map([centro_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
    info.training = super::staff::training_share(conn, centro_id)?;
    info.baja = super::incorporation::baja_of(conn, centro_id)?;
    Ok(info)
}

/// Creates or updates one centro and its trámites, and tells its users.
pub(crate) fn store_centro(tx: &Conn<'_>, c: &CentroRow) -> Result<(), DbError> {
    tx.prepare_cached(
        "INSERT INTO centros (id, name, dependencia, ambito, tipo, municipio, lat, lon, sampling_interval)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, dependencia = excluded.dependencia,
         ambito = excluded.ambito, tipo = excluded.tipo, municipio = excluded.municipio, lat = excluded.lat,
         lon = excluded.lon, sampling_interval = excluded.sampling_interval",
    )?
    .execute(params![c.id, c.name, c.dependencia, c.ambito.code(), c.tipo.code(), c.municipio, c.lat, c.lon, c.sampling_interval])?;
    // Trámites no longer listed are retired, not deleted (records answered with them stay valid).
    tx.prepare_cached("UPDATE tramites SET retired_at = ?2 WHERE centro_id = ?1 AND retired_at IS NULL")?.execute(params![c.id, super::now_text()])?;
    for t in &c.tramites {
        tx.prepare_cached("INSERT INTO tramites (centro_id, name) VALUES (?1, ?2) ON CONFLICT (centro_id, name) DO UPDATE SET retired_at = NULL")?
            .execute(params![c.id, t])?;
    }
    emit_centro(tx, &c.id)
}

/// Tells every user assigned to `centro_id` its current data.
pub(crate) fn emit_centro(tx: &Conn<'_>, centro_id: &str) -> Result<(), DbError> {
    let info = centro_info(tx, centro_id)?;
    let users: Vec<i64> = {
        let mut stmt = tx.prepare("SELECT user_id FROM assignments WHERE centro_id = ?1")?;
        stmt.query_map([centro_id], |r| r.get(0))?.collect::<Result<_, _>>()?
    };
    for user in users {
        emit(tx, "centro", centro_id, Some(user), Some(&ChangeBody::Centro(info.clone())))?;
    }
    Ok(())
}

/// The latest stored visit of a centro, as the change an inspector receives.
fn latest_visit(tx: &Conn<'_>, centro_id: &str) -> Result<Option<ChangeBody>, DbError> {
    let row: Option<(String, String)> = tx
        .query_row(
            "SELECT s.body, v.visit_date FROM visit_facts v JOIN submissions s ON s.id = v.submission_id
             WHERE v.centro_id = ?1 AND s.review <> 'rejected' ORDER BY v.visit_date DESC, v.seq DESC LIMIT 1",
            [centro_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((body, date)) = row else { return Ok(None) };
    let submission: shared::protocol::Submission = serde_json::from_str(&body).map_err(|e| DbError::Other(e.into()))?;
    let date: NaiveDate = date.parse().map_err(|e: chrono::ParseError| DbError::Other(e.into()))?;
    Ok(Some(super::changes::visit_change(&submission, date)))
}

/// A table [`require`] looks in.
#[derive(Debug, Clone, Copy)]
enum Kept {
    Periods,
    Centros,
}

/// `NotFound` unless `table` has a row with this `id`.
fn require(tx: &Conn<'_>, table: Kept, id: &str, what: &str) -> Result<(), DbError> {
    let sql = match table {
        Kept::Periods => "SELECT EXISTS (SELECT 1 FROM periods WHERE id = ?1)",
        Kept::Centros => "SELECT EXISTS (SELECT 1 FROM centros WHERE id = ?1)",
    };
    let exists: bool = tx.query_row(sql, [id], |r| r.get(0))?;
    if exists { Ok(()) } else { Err(DbError::NotFound(format!("{what} «{id}»"))) }
}

/// Assigns `centro_id` to a user inside `tx` (once): the user's devices receive the centro,
/// and its latest visit, on their next pull.
pub(super) fn assign_in(tx: &Conn<'_>, user_id: i64, centro_id: &str) -> Result<(), DbError> {
    let n = tx.execute("INSERT INTO assignments (user_id, centro_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING", params![user_id, centro_id])?;
    if n > 0 {
        let info = centro_info(tx, centro_id)?;
        emit(tx, "centro", centro_id, Some(user_id), Some(&ChangeBody::Centro(info)))?;
        if let Some(visit) = latest_visit(tx, centro_id)? {
            emit_visit(tx, centro_id, Some(user_id), &visit)?;
        }
    }
    Ok(())
}

impl Db {
    /// Creates or updates a period. Its settings must pass their checks.
    pub async fn upsert_period(&self, p: PeriodRow) -> Result<(), DbError> {
        p.settings.check().map_err(|e| DbError::Invalid(e.to_string()))?;
        if p.start > p.end {
            return Err(DbError::Invalid("la fecha de inicio es posterior a la de fin".into()));
        }
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let json = serde_json::to_string(&p.settings).map_err(|e| DbError::Other(e.into()))?;
            tx.execute(
                "INSERT INTO periods (id, name, start_date, end_date, method, settings_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, start_date = excluded.start_date,
                 end_date = excluded.end_date, method = excluded.method, settings_json = excluded.settings_json",
                params![p.id, p.name, p.start.to_string(), p.end.to_string(), p.settings.method, json],
            )?;
            let body = ChangeBody::Period { period_id: p.id.clone(), name: p.name, start: p.start, end: p.end, method: p.settings.method };
            emit(&tx, "period", &p.id, None, Some(&body))?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Creates or updates a centro and its trámites.
    pub async fn upsert_centro(&self, c: CentroRow) -> Result<(), DbError> {
        self.upsert_centros(vec![c]).await
    }

    /// Creates or updates centros and their trámites in one transaction: all or none.
    pub async fn upsert_centros(&self, centros: Vec<CentroRow>) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            for c in &centros {
                store_centro(&tx, c)?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Sets a centro's survey quota for a period.
    pub async fn set_quota(&self, period_id: String, centro_id: String, surveys: u32) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            require(&tx, Kept::Periods, &period_id, "periodo")?;
            require(&tx, Kept::Centros, &centro_id, "centro")?;
            tx.execute(
                "INSERT INTO quotas (period_id, centro_id, surveys) VALUES (?1, ?2, ?3)
                 ON CONFLICT (period_id, centro_id) DO UPDATE SET surveys = excluded.surveys",
                params![period_id, centro_id, surveys],
            )?;
            emit_centro(&tx, &centro_id)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Assigns a centro to a user; the user's devices receive it on their next pull.
    pub async fn assign(&self, user_id: i64, centro_id: String) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            require(&tx, Kept::Centros, &centro_id, "centro")?;
            assign_in(&tx, user_id, &centro_id)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Removes an assignment; the user's devices drop the centro on their next pull.
    pub async fn unassign(&self, user_id: i64, centro_id: String) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let n = tx.execute("DELETE FROM assignments WHERE user_id = ?1 AND centro_id = ?2", params![user_id, centro_id])?;
            if n > 0 {
                let body = ChangeBody::CentroRemoved { centro_id: centro_id.clone() };
                emit(&tx, "centro_removed", &centro_id, Some(user_id), Some(&body))?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// One centro as stored, with its trámites.
    pub async fn centro(&self, id: String) -> Result<CentroRow, DbError> {
        self.read(move |conn| {
            let row = conn
                .query_row(
                    "SELECT id, name, dependencia, ambito, tipo, municipio, lat, lon, sampling_interval FROM centros WHERE id = ?1",
                    [&id],
                    |r| {
                        Ok((
                            r.get::<String>(0)?,
                            r.get::<String>(1)?,
                            r.get::<String>(2)?,
                            r.get::<String>(3)?,
                            r.get::<String>(4)?,
                            r.get::<String>(5)?,
                            r.get::<Option<f64>>(6)?,
                            r.get::<Option<f64>>(7)?,
                            r.get::<u32>(8)?,
                        ))
                    },
                )
                .optional()?
                .ok_or_else(|| DbError::NotFound(format!("centro «{id}»")))?;
            let (id, name, dependencia, ambito, tipo, municipio, lat, lon, sampling_interval) = row;
            let mut stmt = conn.prepare("SELECT name FROM tramites WHERE centro_id = ?1 AND retired_at IS NULL ORDER BY name")?;
            let tramites = stmt.query_map([&id], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(CentroRow {
                ambito: Ambito::parse(&ambito).ok_or_else(|| DbError::Other(anyhow::anyhow!("ámbito «{ambito}»")))?,
                tipo: Tipo::parse(&tipo).ok_or_else(|| DbError::Other(anyhow::anyhow!("tipo «{tipo}»")))?,
                id,
                name,
                dependencia,
                municipio,
                lat,
                lon,
                sampling_interval,
                tramites,
            })
        })
        .await
    }

    /// Every centro's name and municipio, by id (for pages).
    /// Every trámite each centro lists or ever listed (retired ones too), by centro.
    pub async fn every_tramite(&self) -> Result<std::collections::HashMap<String, Vec<String>>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT centro_id, name FROM tramites ORDER BY centro_id, name")?;
            let mut out: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
            for row in stmt.query_map([], |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)))? {
                let (centro, name) = row?;
                out.entry(centro).or_default().push(name);
            }
            Ok(out)
        })
        .await
    }

    pub async fn centro_names(&self) -> Result<std::collections::BTreeMap<String, (String, String)>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT id, name, municipio FROM centros")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<String>(0)?, (r.get::<String>(1)?, r.get::<String>(2)?))))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// The periods, newest first: (id, name).
    pub async fn period_list(&self) -> Result<Vec<(String, String)>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT id, name FROM periods ORDER BY start_date DESC")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
