//! The program's listings for integrators, in pages keyed by id (`after` = the last id of
//! the previous page).

use super::sql::{Conn, params};
use shared::protocol::{CentroDefinition, CentroListed, CommitmentInfo, ComplaintListed, Page, PeriodListed};

use super::{Db, DbError, json, parsed};

/// Cuts `rows` (read with `limit + 1`) to a page.
fn page<T>(mut rows: Vec<T>, limit: usize, after: Option<String>, id: impl Fn(&T) -> String) -> Page<T> {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let cursor = rows.last().map(&id).or(after);
    Page { items: rows, cursor, more }
}

fn require_centro(conn: &Conn<'_>, centro: &str) -> Result<(), DbError> {
    let exists: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM centros WHERE id = ?1)", [centro], |r| r.get(0))?;
    if exists { Ok(()) } else { Err(DbError::NotFound(format!("centro «{centro}»"))) }
}

impl Db {
    /// Centros with their trámites, by id.
    pub async fn centros_page(&self, after: Option<String>, limit: usize) -> Result<Page<CentroListed>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id, name, dependencia, ambito, tipo, municipio, lat, lon, sampling_interval FROM centros
                 WHERE id > ?1 OR ?1 IS NULL ORDER BY id LIMIT ?2",
            )?;
            let mut rows: Vec<CentroListed> = stmt
                .query_map(params![after, (limit + 1) as i64], |r| {
                    let centro = CentroDefinition {
                        name: r.get(1)?,
                        dependencia: r.get(2)?,
                        ambito: r.get(3)?,
                        tipo: r.get(4)?,
                        municipio: r.get(5)?,
                        lat: r.get(6)?,
                        lon: r.get(7)?,
                        sampling_interval: r.get(8)?,
                        tramites: Vec::new(),
                    };
                    Ok(CentroListed { centro_id: r.get(0)?, centro })
                })?
                .collect::<Result<_, _>>()?;
            let mut tramites = conn.prepare_cached("SELECT name FROM tramites WHERE centro_id = ?1 AND retired_at IS NULL ORDER BY name")?;
            for c in rows.iter_mut().take(limit) {
                c.centro.tramites = tramites.query_map([&c.centro_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
            }
            Ok(page(rows, limit, after, |c| c.centro_id.clone()))
        })
        .await
    }

    /// Periods with their pinned settings, by id.
    pub async fn periods_page(&self, after: Option<String>, limit: usize) -> Result<Page<PeriodListed>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id, name, start_date, end_date, settings_json, state FROM periods WHERE id > ?1 OR ?1 IS NULL ORDER BY id LIMIT ?2",
            )?;
            let rows = stmt
                .query_map(params![after, (limit + 1) as i64], |r| {
                    let code: String = r.get(5)?;
                    let state = shared::protocol::PeriodState::parse(&code)
                        .ok_or_else(|| super::damaged_column(5, crate::facts::DamagedFacts { what: "estado de periodo", text: code }))?;
                    Ok(PeriodListed { period_id: r.get(0)?, name: r.get(1)?, start: parsed(r, 2)?, end: parsed(r, 3)?, settings: json(r, 4)?, state })
                })?
                .collect::<Result<_, _>>()?;
            Ok(page(rows, limit, after, |p| p.period_id.clone()))
        })
        .await
    }

    /// A centro's commitments with their milestones, by id.
    pub async fn commitments_page(&self, centro: String, after: Option<String>, limit: usize) -> Result<Page<CommitmentInfo>, DbError> {
        self.read(move |conn| {
            require_centro(conn, &centro)?;
            let ids: Vec<String> = conn
                .prepare("SELECT id FROM commitments WHERE centro_id = ?1 AND (id > ?2 OR ?2 IS NULL) ORDER BY id LIMIT ?3")?
                .query_map(params![centro, after, (limit + 1) as i64], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let mut rows = Vec::with_capacity(ids.len());
            for id in ids.iter().take(limit) {
                let info = super::commitments::load(conn, &centro, id)?.ok_or_else(|| DbError::NotFound(format!("compromiso «{id}»")))?;
                rows.push(info);
            }
            let more = ids.len() > limit;
            let cursor = rows.last().map(|c: &CommitmentInfo| c.commitment_id.clone()).or(after);
            Ok(Page { items: rows, cursor, more })
        })
        .await
    }

    /// A centro's complaints, by folio.
    pub async fn complaints_page(&self, centro: String, after: Option<String>, limit: usize) -> Result<Page<ComplaintListed>, DbError> {
        self.read(move |conn| {
            require_centro(conn, &centro)?;
            let mut stmt = conn.prepare(
                "SELECT centro_id, folio, received, responded, corrective_action, acknowledged, seq FROM complaints
                 WHERE centro_id = ?1 AND (folio > ?2 OR ?2 IS NULL) ORDER BY folio LIMIT ?3",
            )?;
            let rows = stmt
                .query_map(params![centro, after, (limit + 1) as i64], |r| super::commitments::complaint(r).map(|c| ComplaintListed::from(&c)))?
                .collect::<Result<_, _>>()?;
            Ok(page(rows, limit, after, |c| c.folio.clone()))
        })
        .await
    }
}
