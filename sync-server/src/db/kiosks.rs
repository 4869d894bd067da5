//! Kiosk tablets: a supervisor enrols a tablet as the kiosk of one centro.

use super::sql::{OptionalExt, params};
use uuid::Uuid;

use super::cycle::audit;
use super::{Db, DbError, now_text};

impl Db {
    /// Whether `supervisor` (a supervisor's user id) has `centro` in their team's scope:
    /// one of their surveyors or inspectors is assigned to it.
    pub async fn supervises_centro(&self, supervisor: i64, centro: String) -> Result<bool, DbError> {
        self.read(move |conn| {
            let found: Option<i64> = conn
                .query_row(
                    "SELECT 1 FROM assignments a JOIN users u ON u.id = a.user_id WHERE a.centro_id = ?1 AND u.supervisor_id = ?2 LIMIT 1",
                    params![centro, supervisor],
                    |r| r.get(0),
                )
                .optional()?;
            Ok(found.is_some())
        })
        .await
    }

    /// Enrols a kiosk tablet of `centro` (its device, of the centro's kiosk user, made on
    /// first use and assigned to the centro; supervised by whoever enrolled it last when a
    /// supervisor), recorded in the audit log.
    pub async fn enrol_kiosk(&self, centro: String, label: String, token_hash: String, by: i64, by_supervisor: bool) -> Result<(Uuid, i64), DbError> {
        let id = Uuid::now_v7();
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let exists: Option<String> = tx.query_row("SELECT id FROM centros WHERE id = ?1", [&centro], |r| r.get(0)).optional()?;
            if exists.is_none() {
                return Err(DbError::NotFound(format!("centro «{centro}»")));
            }
            let username = format!("kiosko.{}", centro.to_lowercase());
            tx.execute(
                "INSERT INTO users (username, display_name, role, password_hash, active, created_at) VALUES (?1, ?2, 'surveyor', '!', 1, ?3) ON CONFLICT DO NOTHING",
                params![username, format!("Kiosko · {centro}"), now_text()],
            )?;
            let user: i64 = tx.query_row("SELECT id FROM users WHERE username = ?1", [&username], |r| r.get(0))?;
            if by_supervisor {
                tx.execute("UPDATE users SET supervisor_id = ?1 WHERE id = ?2", params![by, user])?;
            }
            super::program::assign_in(&tx, user, &centro)?;
            tx.execute(
                "INSERT INTO devices (id, user_id, label, token_hash, created_at, kiosk_centro) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id.to_string(), user, label, token_hash, now_text(), centro],
            )?;
            audit(&tx, by, "kiosk.enrol", format!("{centro} dispositivo {id}"))?;
            tx.commit()?;
            Ok((id, user))
        })
        .await
    }
}
