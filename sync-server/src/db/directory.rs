//! The people of the program as administration lists them: users with their supervisor,
//! centros and devices, found by a few letters of their name.

use super::sql::params;
use shared::protocol::Role;

use super::{Db, DbError};

/// One user in the administration's list.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub supervisor: Option<String>,
    pub institution: Option<String>,
    pub centros: u64,
    pub devices: u64,
    pub active: bool,
}

/// Users whose name or username contains `?1` (any case; all when empty), with `$find`
/// the dialect's substring position function.
macro_rules! matching {
    ($find:literal) => {
        concat!("(?1 = '' OR ", $find, "(lower(u.username), lower(?1)) > 0 OR ", $find, "(lower(u.display_name), lower(?1)) > 0)")
    };
}

/// The first `?2` users [`matching`], by username.
macro_rules! list {
    ($find:literal) => {
        concat!(
            "SELECT u.username, u.display_name, u.role, s.username, u.institution,
                    (SELECT COUNT(*) FROM assignments a WHERE a.user_id = u.id),
                    (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id AND d.revoked_at IS NULL),
                    u.active
             FROM users u LEFT JOIN users s ON s.id = u.supervisor_id WHERE ",
            matching!($find),
            " ORDER BY u.username LIMIT ?2"
        )
    };
}

impl Db {
    /// The users whose username or name contains `q` (every user when empty), by
    /// username, at most `limit`; and how many match in all.
    pub async fn users(&self, q: String, limit: usize) -> Result<(Vec<UserRow>, u64), DbError> {
        self.read(move |conn| {
            let total: i64 = conn.query_row(
                conn.pick(concat!("SELECT COUNT(*) FROM users u WHERE ", matching!("instr")), concat!("SELECT COUNT(*) FROM users u WHERE ", matching!("strpos"))),
                [&q],
                |r| r.get(0),
            )?;
            let mut stmt = conn.prepare(conn.pick(list!("instr"), list!("strpos")))?;
            let rows = stmt.query_map(params![q, limit as i64], |r| {
                let role: String = r.get(2)?;
                Ok(UserRow {
                    username: r.get(0)?,
                    display_name: r.get(1)?,
                    role: Role::parse(&role).ok_or_else(|| super::bad_code(2, role))?,
                    supervisor: r.get(3)?,
                    institution: r.get(4)?,
                    centros: r.get::<i64>(5)? as u64,
                    devices: r.get::<i64>(6)? as u64,
                    active: r.get(7)?,
                })
            })?;
            Ok((rows.collect::<Result<_, _>>()?, total as u64))
        })
        .await
    }
}
