//! QR codes of the self-administered survey: issuing, revoking, finding them, and the key
//! that signs them.

use super::sql::{Conn, OptionalExt, params, Row, SqlResult};

use super::cycle::audit;
use super::{Db, DbError, now_text};

/// One QR code of a centro and period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    pub id: i64,
    pub centro_id: String,
    pub period_id: String,
    /// The code's own device: its surveys are stored as sent by it.
    pub device_id: uuid::Uuid,
    /// The centro's QR user, owner of the device.
    pub user_id: i64,
    pub username: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// The codes with what [`row`] reads.
macro_rules! codes {
    () => {
        "SELECT q.id, q.centro_id, q.period_id, q.device_id, d.user_id, u.username, q.created_at, q.revoked_at
     FROM qr_codes q JOIN devices d ON d.id = q.device_id JOIN users u ON u.id = d.user_id"
    };
}

fn row(r: &Row<'_>) -> SqlResult<QrCode> {
    let device: String = r.get(3)?;
    Ok(QrCode {
        id: r.get(0)?,
        centro_id: r.get(1)?,
        period_id: r.get(2)?,
        device_id: device.parse().map_err(|e| super::damaged_column(3, e))?,
        user_id: r.get(4)?,
        username: r.get(5)?,
        created_at: r.get(6)?,
        revoked_at: r.get(7)?,
    })
}

/// The centro's QR user (made on first use, inactive, assigned to the centro): the owner of
/// the centro's QR devices. Its name is `qr.` and the centro id.
fn qr_user(tx: &Conn<'_>, centro: &str) -> Result<i64, DbError> {
    let username = format!("qr.{}", centro.to_lowercase());
    tx.execute(
        "INSERT INTO users (username, display_name, role, password_hash, active, created_at)
         VALUES (?1, ?2, 'surveyor', '!', 0, ?3) ON CONFLICT DO NOTHING",
        params![username, format!("Código QR · {centro}"), now_text()],
    )?;
    let id: i64 = tx.query_row("SELECT id FROM users WHERE username = ?1", [&username], |r| r.get(0))?;
    super::program::assign_in(tx, id, centro)?;
    Ok(id)
}

impl Db {
    /// The key named `name` (32 bytes), made at random on first use: every server of one
    /// database signs with the same key.
    pub async fn server_key(&self, name: &'static str) -> Result<[u8; 32], DbError> {
        let mut fresh = [0u8; 32];
        argon2::password_hash::rand_core::RngCore::fill_bytes(&mut argon2::password_hash::rand_core::OsRng, &mut fresh);
        self.write(move |conn| {
            conn.execute("INSERT INTO server_keys (name, key) VALUES (?1, ?2) ON CONFLICT DO NOTHING", params![name, fresh.to_vec()])?;
            let key: Vec<u8> = conn.query_row("SELECT key FROM server_keys WHERE name = ?1", [name], |r| r.get(0))?;
            key.try_into().map_err(|_| DbError::Damaged(format!("la clave «{name}» del servidor está dañada")))
        })
        .await
    }

    /// Issues a new QR code for `centro` in `period`, revoking the one before (if any).
    pub async fn issue_qr_code(&self, centro: String, period: String, by: i64) -> Result<QrCode, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let known: Option<(String, String)> = tx
                .query_row("SELECT c.id, p.id FROM centros c, periods p WHERE c.id = ?1 AND p.id = ?2", params![centro, period], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if known.is_none() {
                return Err(DbError::NotFound(format!("centro «{centro}» o periodo «{period}»")));
            }
            let now = now_text();
            tx.execute(
                "UPDATE devices SET revoked_at = ?1 WHERE revoked_at IS NULL AND id IN
                 (SELECT device_id FROM qr_codes WHERE centro_id = ?2 AND period_id = ?3 AND revoked_at IS NULL)",
                params![now, centro, period],
            )?;
            let replaced = tx.execute("UPDATE qr_codes SET revoked_at = ?1 WHERE centro_id = ?2 AND period_id = ?3 AND revoked_at IS NULL", params![now, centro, period])?;
            let user = qr_user(&tx, &centro)?;
            let device = uuid::Uuid::now_v7();
            // The device has a token nobody holds: its surveys come only through the QR page.
            let (_, token_hash) = crate::auth::new_token();
            tx.execute(
                "INSERT INTO devices (id, user_id, label, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![device.to_string(), user, format!("Código QR · {centro} · {period}"), token_hash, now],
            )?;
            let id: i64 = tx.query_row(
                "INSERT INTO qr_codes (centro_id, period_id, device_id, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                params![centro, period, device.to_string(), now, by],
                |r| r.get(0),
            )?;
            let action = if replaced > 0 { "qr.reissue" } else { "qr.issue" };
            audit(&tx, by, action, format!("{centro} {period} código {id}"))?;
            let code = tx.query_row(concat!(codes!(), " WHERE q.id = ?1"), [id], row)?;
            tx.commit()?;
            Ok(code)
        })
        .await
    }

    /// Revokes QR code `id` (its poster stops working).
    pub async fn revoke_qr_code(&self, id: i64, by: i64) -> Result<QrCode, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let now = now_text();
            let changed = tx.execute("UPDATE qr_codes SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL", params![now, id])?;
            let code = tx.query_row(concat!(codes!(), " WHERE q.id = ?1"), [id], row).optional()?.ok_or_else(|| DbError::NotFound(format!("código QR {id}")))?;
            if changed > 0 {
                tx.execute("UPDATE devices SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL", params![now, code.device_id.to_string()])?;
                audit(&tx, by, "qr.revoke", format!("{} {} código {id}", code.centro_id, code.period_id))?;
            }
            tx.commit()?;
            Ok(code)
        })
        .await
    }

    /// QR code `id`, revoked or not.
    pub async fn qr_code(&self, id: i64) -> Result<Option<QrCode>, DbError> {
        self.read(move |conn| Ok(conn.query_row(concat!(codes!(), " WHERE q.id = ?1"), [id], row).optional()?)).await
    }

    /// The review state of the record stored under `id`, if one is.
    pub async fn submission_review(&self, id: uuid::Uuid) -> Result<Option<shared::protocol::ReviewState>, DbError> {
        self.read(move |conn| {
            let code: Option<String> = conn.query_row("SELECT review FROM submissions WHERE id = ?1", [id.to_string()], |r| r.get(0)).optional()?;
            code.map(|c| shared::protocol::ReviewState::parse(&c).ok_or_else(|| super::review_damaged(&id.to_string(), &c))).transpose()
        })
        .await
    }

    /// Every QR code of a centro, newest first.
    pub async fn qr_codes(&self, centro: String) -> Result<Vec<QrCode>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(concat!(codes!(), " WHERE q.centro_id = ?1 ORDER BY q.id DESC"))?;
            let rows = stmt.query_map([centro], row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// The surveys of each collection mode per capture day (counted or not), for a centro
    /// or every centro, between two dates: (day, mode code, surveys), by day.
    pub async fn surveys_by_mode(&self, centro: Option<String>, start: chrono::NaiveDate, end: chrono::NaiveDate) -> Result<Vec<(String, String, u64)>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT capture_date, mode, COUNT(*) FROM survey_facts
                 WHERE (centro_id = ?1 OR ?1 IS NULL) AND capture_date BETWEEN ?2 AND ?3
                 GROUP BY capture_date, mode ORDER BY capture_date, mode",
            )?;
            let rows = stmt.query_map(params![centro, start.to_string(), end.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get::<i64>(2)? as u64)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
