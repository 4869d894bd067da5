//! Reference data brought by pull: forms, periods, centros (with quota, k and trámites),
//! open commitments, the previous visit of each centro, and review decisions. A page is
//! applied with its cursor in one transaction, so a cut pull resumes without gaps.

use base64::Engine as _;
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};
use shared::protocol::{CentroInfo, ChangeBody, CommitmentInfo, PullResponse, WireAnswers};

use super::{Store, StoreError, corrupt, from_json, settings, to_json};

/// A published form version held on the device.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FormEntry {
    pub form_id: String,
    pub version: String,
    pub title: String,
}

/// A period of the program.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PeriodEntry {
    pub period_id: String,
    pub name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// The latest visit of a centro.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PreviousVisit {
    pub submission_id: String,
    pub visit_date: NaiveDate,
    pub answers: WireAnswers,
}

/// Keeps a commitment; versions only move forward (an older copy never overwrites a newer).
pub(super) fn upsert_commitment(tx: &rusqlite::Transaction<'_>, c: &CommitmentInfo) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO commitments (centro_id, commitment_id, version, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (centro_id, commitment_id) DO UPDATE SET version = excluded.version, body = excluded.body
         WHERE excluded.version >= commitments.version",
        params![c.centro_id, c.commitment_id, c.version as i64, to_json(c)?],
    )?;
    Ok(())
}

impl Store {
    /// Applies one pull page and stores its cursor, in one transaction.
    pub fn apply_pull_page(&mut self, page: &PullResponse) -> Result<(), StoreError> {
        let now = self.now().to_rfc3339();
        let tx = self.conn.transaction()?;
        for change in &page.changes {
            match &change.body {
                ChangeBody::Form { form_id, version, title, xlsx_base64, files } => {
                    let engine = base64::engine::general_purpose::STANDARD;
                    let bytes = engine.decode(xlsx_base64).map_err(corrupt)?;
                    tx.execute(
                        "INSERT OR REPLACE INTO forms (form_id, version, title, xlsx) VALUES (?1, ?2, ?3, ?4)",
                        params![form_id, version, title, bytes],
                    )?;
                    tx.execute("DELETE FROM form_files WHERE form_id = ?1 AND version = ?2", params![form_id, version])?;
                    for file in files {
                        tx.execute(
                            "INSERT INTO form_files (form_id, version, name, bytes) VALUES (?1, ?2, ?3, ?4)",
                            params![form_id, version, file.name, engine.decode(&file.base64).map_err(corrupt)?],
                        )?;
                    }
                }
                ChangeBody::Period { period_id, name, start, end, method } => {
                    tx.execute(
                        "INSERT OR REPLACE INTO periods (period_id, name, start_date, end_date, method) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![period_id, name, start.to_string(), end.to_string(), method],
                    )?;
                }
                ChangeBody::Centro(info) => {
                    tx.execute(
                        "INSERT OR REPLACE INTO centros (centro_id, name, body) VALUES (?1, ?2, ?3)",
                        params![info.centro_id, info.name, to_json(info)?],
                    )?;
                }
                ChangeBody::CentroRemoved { centro_id } => {
                    tx.execute("DELETE FROM centros WHERE centro_id = ?1", [centro_id])?;
                    tx.execute("DELETE FROM commitments WHERE centro_id = ?1", [centro_id])?;
                    tx.execute("DELETE FROM previous_visits WHERE centro_id = ?1", [centro_id])?;
                }
                ChangeBody::Commitment(c) => upsert_commitment(&tx, c)?,
                ChangeBody::Review { submission_id, state, reason } => {
                    tx.execute(
                        "INSERT OR REPLACE INTO decisions (submission_id, state, reason, received_at) VALUES (?1, ?2, ?3, ?4)",
                        params![submission_id.to_string(), state.code(), reason, now],
                    )?;
                    tx.execute("UPDATE sent SET review = ?2 WHERE id = ?1", params![submission_id.to_string(), state.code()])?;
                }
                ChangeBody::Visit { centro_id, submission_id, visit_date, answers, .. } => {
                    tx.execute(
                        "INSERT INTO previous_visits (centro_id, submission_id, visit_date, answers) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (centro_id) DO UPDATE SET submission_id = excluded.submission_id,
                         visit_date = excluded.visit_date, answers = excluded.answers
                         WHERE excluded.visit_date >= previous_visits.visit_date",
                        params![centro_id, submission_id.to_string(), visit_date.to_string(), to_json(answers)?],
                    )?;
                }
            }
        }
        settings::set(&tx, settings::CURSOR_KEY, &page.cursor.to_string())?;
        tx.commit()?;
        Ok(())
    }

    /// The form versions on the device, newest version last within a form.
    pub fn forms(&self) -> Result<Vec<FormEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT form_id, version, title FROM forms ORDER BY form_id, version")?;
        let rows = stmt.query_map([], |r| Ok(FormEntry { form_id: r.get(0)?, version: r.get(1)?, title: r.get(2)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The XLSForm workbook of one form version.
    pub fn form_xlsx(&self, form_id: &str, version: &str) -> Result<Vec<u8>, StoreError> {
        self.conn
            .query_row("SELECT xlsx FROM forms WHERE form_id = ?1 AND version = ?2", params![form_id, version], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("el formulario {form_id} versión {version}")))
    }

    /// The files published with a form version.
    pub fn form_files(&self, form_id: &str, version: &str) -> Result<Vec<shared::form::Attachment>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT name, bytes FROM form_files WHERE form_id = ?1 AND version = ?2 ORDER BY name")?;
        let rows = stmt.query_map(params![form_id, version], |r| Ok(shared::form::Attachment { name: r.get(0)?, bytes: r.get(1)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One file published with a form version.
    pub fn form_file(&self, form_id: &str, version: &str, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT bytes FROM form_files WHERE form_id = ?1 AND version = ?2 AND name = ?3", params![form_id, version, name], |r| r.get(0))
            .optional()?)
    }

    /// The newest version of a form, if the device has it.
    pub fn latest_form(&self, form_id: &str) -> Result<Option<FormEntry>, StoreError> {
        Ok(self.forms()?.into_iter().rfind(|f| f.form_id == form_id))
    }

    /// The periods, newest first.
    pub fn periods(&self) -> Result<Vec<PeriodEntry>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT period_id, name, start_date, end_date FROM periods ORDER BY start_date DESC")?;
        let rows: Vec<(String, String, String, String)> =
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(period_id, name, s, e)| {
                Ok(PeriodEntry { period_id, name, start: s.parse().map_err(corrupt)?, end: e.parse().map_err(corrupt)? })
            })
            .collect()
    }

    /// The centros assigned to this user, by name.
    pub fn centros(&self) -> Result<Vec<CentroInfo>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT body FROM centros ORDER BY name, centro_id")?;
        let rows: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
        rows.iter().map(|b| from_json(b)).collect()
    }

    /// One assigned centro.
    pub fn centro(&self, centro_id: &str) -> Result<CentroInfo, StoreError> {
        let body: String = self
            .conn
            .query_row("SELECT body FROM centros WHERE centro_id = ?1", [centro_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("el centro {centro_id}")))?;
        from_json(&body)
    }

    /// The commitments of a centro.
    pub fn commitments(&self, centro_id: &str) -> Result<Vec<CommitmentInfo>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT body FROM commitments WHERE centro_id = ?1 ORDER BY commitment_id")?;
        let rows: Vec<String> = stmt.query_map([centro_id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        rows.iter().map(|b| from_json(b)).collect()
    }

    /// The latest visit of a centro, if there was one.
    pub fn previous_visit(&self, centro_id: &str) -> Result<Option<PreviousVisit>, StoreError> {
        let row: Option<(String, String, String)> = self
            .conn
            .query_row("SELECT submission_id, visit_date, answers FROM previous_visits WHERE centro_id = ?1", [centro_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        row.map(|(submission_id, date, answers)| {
            Ok(PreviousVisit { submission_id, visit_date: date.parse().map_err(corrupt)?, answers: from_json(&answers)? })
        })
        .transpose()
    }
}
