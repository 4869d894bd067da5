//! Console sessions expire on the server: after an idle time and after an absolute time
//! from sign-in, whatever the cookie says.

use super::sql::{OptionalExt, params};
use uuid::Uuid;

use super::{Db, DbError};

/// How long a console session lasts, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Without a request.
    pub idle: i64,
    /// From sign-in.
    pub absolute: i64,
}

/// Activity is written at most this often (seconds), not on every page.
const TOUCH_EVERY: i64 = 30;

impl Db {
    /// Starts the session of a console device signed in at `now` (Unix seconds).
    pub async fn start_session(&self, device_id: Uuid, now: i64) -> Result<(), DbError> {
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO console_sessions (device_id, created_at, last_active_at) VALUES (?1, ?2, ?2)
                 ON CONFLICT (device_id) DO UPDATE SET created_at = excluded.created_at, last_active_at = excluded.last_active_at",
                params![device_id.to_string(), now],
            )?;
            Ok(())
        })
        .await
    }

    /// Whether the console session of `device_id` is alive at `now`; records the activity.
    /// An expired session's device is revoked, so its token is dead everywhere; a device
    /// that never signed in to the console (a phone's token) has no session and is refused
    /// without being touched.
    pub async fn touch_session(&self, device_id: Uuid, now: i64, limits: SessionLimits) -> Result<bool, DbError> {
        let id = device_id.to_string();
        let row: Option<(i64, i64)> = {
            let id = id.clone();
            self.read(move |conn| {
                Ok(conn
                    .query_row("SELECT created_at, last_active_at FROM console_sessions WHERE device_id = ?1", [&id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?)
            })
            .await?
        };
        let alive = row.is_some_and(|(created, last)| now - created < limits.absolute && now - last < limits.idle);
        match (alive, row) {
            (true, Some((_, last))) if now - last < TOUCH_EVERY => Ok(true),
            (true, _) => {
                self.write(move |conn| {
                    conn.execute("UPDATE console_sessions SET last_active_at = ?2 WHERE device_id = ?1 AND last_active_at < ?2", params![id, now])?;
                    Ok(true)
                })
                .await
            }
            (false, None) => Ok(false),
            (false, Some(_)) => {
                self.write(move |conn| {
                    conn.execute("UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", params![id, super::now_text()])?;
                    conn.execute("DELETE FROM console_sessions WHERE device_id = ?1", [&id])?;
                    Ok(false)
                })
                .await
            }
        }
    }
}
