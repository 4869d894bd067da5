//! A centro's people (from its accepted plantilla), the trainings they attend, and the
//! trained share of its front-line staff in a period.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use super::sql::{Conn, OptionalExt, params, Row, SqlResult};
use shared::protocol::{AttendanceEntry, AttendanceOutcome, Modality, NewTraining, PlantillaPerson, StaffMember, Training, TrainingShare};
use shared::scoring::MethodSettings;

use super::cycle::audit;
use super::program::emit_centro;
use super::{Db, DbError, parsed};

/// Makes `people` the centro's active staff: a person already on record (same name,
/// ignoring case and spaces) keeps its id and attendance; whoever is no longer listed
/// becomes inactive (kept for history).
pub(crate) fn replace_staff(tx: &Conn<'_>, centro: &str, people: &[PlantillaPerson]) -> Result<(), DbError> {
    let key = |name: &str| name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let existing: Vec<(i64, String)> = {
        let mut stmt = tx.prepare("SELECT id, name FROM staff_members WHERE centro_id = ?1")?;
        stmt.query_map([centro], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
    };
    tx.execute("UPDATE staff_members SET active = 0 WHERE centro_id = ?1", [centro])?;
    for p in people {
        match existing.iter().find(|(_, name)| key(name) == key(&p.name)) {
            Some((id, _)) => {
                tx.execute("UPDATE staff_members SET name = ?2, puesto = ?3, front_line = ?4, active = 1 WHERE id = ?1", params![id, p.name, p.puesto, p.front_line])?;
            }
            None => {
                tx.execute(
                    "INSERT INTO staff_members (centro_id, name, puesto, front_line) VALUES (?1, ?2, ?3, ?4)",
                    params![centro, p.name, p.puesto, p.front_line],
                )?;
            }
        }
    }
    Ok(())
}

/// The trained share of a centro's front-line staff in the latest period (by start date),
/// with the suggestion for the method's item; `None` with no period or no front-line
/// staff on record (no plantilla accepted: the program's records suggest nothing).
pub(crate) fn training_share(conn: &Conn<'_>, centro: &str) -> Result<Option<TrainingShare>, DbError> {
    let period: Option<(String, String, String, String)> = conn
        .query_row("SELECT id, start_date, end_date, settings_json FROM periods ORDER BY start_date DESC, id DESC LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((period_id, start, end, settings)) = period else { return Ok(None) };
    let settings: MethodSettings = serde_json::from_str(&settings).map_err(|e| DbError::Damaged(format!("ajustes del periodo «{period_id}»: {e}")))?;
    let (front_line, trained): (u32, u32) = conn.query_row(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE EXISTS (
             SELECT 1 FROM training_attendance a JOIN trainings t ON t.id = a.training_id
             WHERE a.staff_id = s.id AND t.held_on BETWEEN ?2 AND ?3))
         FROM staff_members s WHERE s.centro_id = ?1 AND s.active = 1 AND s.front_line = 1",
        params![centro, start, end],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if front_line == 0 {
        return Ok(None);
    }
    let target = settings.training.target;
    Ok(Some(TrainingShare {
        period_id,
        item: settings.training.item.clone(),
        front_line,
        trained,
        target,
        suggested: TrainingShare::suggest(trained, front_line, target).into(),
    }))
}

fn training(r: &Row<'_>) -> SqlResult<Training> {
    let modality: String = r.get(3)?;
    Ok(Training {
        id: r.get(0)?,
        name: r.get(1)?,
        held_on: parsed::<NaiveDate>(r, 2)?,
        modality: Modality::parse(&modality).ok_or_else(|| super::bad_code(3, modality))?,
        standard: r.get(4)?,
        attendees: r.get(5)?,
    })
}

/// The trainings with what [`training`] reads.
macro_rules! trainings {
    () => {
        "SELECT t.id, t.name, t.held_on, t.modality, t.standard, (SELECT COUNT(*) FROM training_attendance a WHERE a.training_id = t.id) FROM trainings t"
    };
}

/// Tells the users of every centro whose people are in `staff` their new trained share.
fn emit_centros_of(tx: &Conn<'_>, staff: &[i64]) -> Result<(), DbError> {
    let mut centros = std::collections::BTreeSet::new();
    for id in staff {
        if let Some(c) = tx.query_row("SELECT centro_id FROM staff_members WHERE id = ?1", [id], |r| r.get::<String>(0)).optional()? {
            centros.insert(c);
        }
    }
    for c in centros {
        emit_centro(tx, &c)?;
    }
    Ok(())
}

impl Db {
    /// The people of a centro (active first, by name).
    pub async fn staff(&self, centro: String) -> Result<Vec<StaffMember>, DbError> {
        self.read(move |conn| {
            let mut stmt =
                conn.prepare("SELECT id, centro_id, name, puesto, front_line, active FROM staff_members WHERE centro_id = ?1 ORDER BY active DESC, name, id")?;
            Ok(stmt
                .query_map([&centro], |r| {
                    Ok(StaffMember { id: r.get(0)?, centro_id: r.get(1)?, name: r.get(2)?, puesto: r.get(3)?, front_line: r.get(4)?, active: r.get(5)? })
                })?
                .collect::<Result<_, _>>()?)
        })
        .await
    }

    /// The trained share of a centro's front-line staff in the latest period.
    pub async fn training_share(&self, centro: String) -> Result<Option<TrainingShare>, DbError> {
        self.read(move |conn| training_share(conn, &centro)).await
    }

    /// Records a training.
    pub async fn create_training(&self, t: NewTraining, user: i64) -> Result<i64, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let id: i64 = tx.query_row(
                "INSERT INTO trainings (name, held_on, modality, standard, created_by) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                params![t.name, t.held_on.to_string(), t.modality.code(), t.standard, user],
                |r| r.get(0),
            )?;
            audit(&tx, user, "training.create", format!("{id}: {} ({})", t.name, t.held_on))?;
            tx.commit()?;
            Ok(id)
        })
        .await
    }

    /// Every training, newest first.
    pub async fn trainings(&self) -> Result<Vec<Training>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(concat!(trainings!(), " ORDER BY t.held_on DESC, t.id DESC LIMIT 1000"))?;
            Ok(stmt.query_map([], training)?.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// One training.
    pub async fn training(&self, id: i64) -> Result<Training, DbError> {
        self.read(move |conn| {
            conn.query_row(concat!(trainings!(), " WHERE t.id = ?1"), [id], training)
                .optional()?
                .ok_or_else(|| DbError::NotFound(format!("capacitación {id}")))
        })
        .await
    }

    /// Who attended a training, by staff id.
    pub async fn attendance(&self, training: i64) -> Result<BTreeMap<i64, AttendanceOutcome>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare("SELECT staff_id, outcome FROM training_attendance WHERE training_id = ?1")?;
            let rows = stmt.query_map([training], |r| {
                let code: String = r.get(1)?;
                let outcome = AttendanceOutcome::parse(&code).ok_or_else(|| super::bad_code(1, code))?;
                Ok((r.get(0)?, outcome))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Sets (or, with no outcome, removes) attendance entries of a training; every person
    /// must be on record. The centros concerned get their new share on the next pull.
    pub async fn set_attendance(&self, training: i64, entries: Vec<AttendanceEntry>, user: i64) -> Result<(), DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let exists: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM trainings WHERE id = ?1)", [training], |r| r.get(0))?;
            if !exists {
                return Err(DbError::NotFound(format!("capacitación {training}")));
            }
            for e in &entries {
                let known: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM staff_members WHERE id = ?1)", [e.staff_id], |r| r.get(0))?;
                if !known {
                    return Err(DbError::Invalid(format!("La persona {} no está en ninguna plantilla.", e.staff_id)));
                }
                match e.outcome {
                    Some(o) => tx.execute(
                        "INSERT INTO training_attendance (training_id, staff_id, outcome) VALUES (?1, ?2, ?3)
                         ON CONFLICT (training_id, staff_id) DO UPDATE SET outcome = excluded.outcome",
                        params![training, e.staff_id, o.code()],
                    )?,
                    None => tx.execute("DELETE FROM training_attendance WHERE training_id = ?1 AND staff_id = ?2", params![training, e.staff_id])?,
                };
            }
            let ids: Vec<i64> = entries.iter().map(|e| e.staff_id).collect();
            emit_centros_of(&tx, &ids)?;
            audit(&tx, user, "training.attendance", format!("{training}: {} registros", entries.len()))?;
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
