//! Users, devices and their tokens (stored hashed), assignments.

use super::sql::{OptionalExt, params, SqlResult};
use shared::protocol::{Role, UserInfo};
use uuid::Uuid;

use super::{Db, DbError, now_text};

/// A user to create. The password arrives already hashed (Argon2id, PHC string).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: String,
    /// The supervisor's username, for field users.
    pub supervisor: Option<String>,
    /// The institution an enlace speaks for (a centros' `dependencia`).
    pub institution: Option<String>,
}

/// An enrolled device, found by its token.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: Uuid,
    pub user_id: i64,
    pub user: UserInfo,
    pub revoked: bool,
    /// The institution the user speaks for, when an enlace.
    pub institution: Option<String>,
    /// The centro this device is the kiosk of, when it is a kiosk tablet.
    pub kiosk_centro: Option<String>,
}

fn role_of(code: String) -> SqlResult<Role> {
    Role::parse(&code).ok_or_else(|| super::bad_code(0, code))
}

impl Db {
    /// Creates a user; refuses a taken username.
    pub async fn create_user(&self, u: NewUser) -> Result<i64, DbError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let taken: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM users WHERE username = ?1)", [&u.username], |r| r.get(0))?;
            if taken {
                return Err(DbError::Conflict(format!("el usuario «{}» ya existe", u.username)));
            }
            let supervisor_id: Option<i64> = match &u.supervisor {
                None => None,
                Some(name) => Some(
                    tx.query_row("SELECT id FROM users WHERE username = ?1 AND role = 'supervisor'", [name], |r| r.get(0))
                        .optional()?
                        .ok_or_else(|| DbError::Invalid(format!("«{name}» no es un supervisor registrado")))?,
                ),
            };
            let institution = match (u.role, u.institution.as_deref().map(str::trim)) {
                (Role::Enlace, Some(name)) if !name.is_empty() => {
                    let known: bool = tx.query_row("SELECT EXISTS (SELECT 1 FROM centros WHERE dependencia = ?1)", [name], |r| r.get(0))?;
                    if !known {
                        return Err(DbError::Invalid(format!("«{name}» no es la dependencia de ningún centro registrado")));
                    }
                    Some(name.to_string())
                }
                (Role::Enlace, _) => return Err(DbError::Invalid("Un enlace institucional necesita su institución (la dependencia de sus centros).".into())),
                (_, Some(_)) => return Err(DbError::Invalid("Solo un enlace institucional tiene institución.".into())),
                (_, None) => None,
            };
            let id: i64 = tx.query_row(
                "INSERT INTO users (username, display_name, role, password_hash, supervisor_id, created_at, institution) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                params![u.username, u.display_name, u.role.code(), u.password_hash, supervisor_id, now_text(), institution],
                |r| r.get(0),
            )?;
            tx.commit()?;
            Ok(id)
        })
        .await
    }

    /// Replaces a user's password hash.
    pub async fn set_password(&self, username: String, password_hash: String) -> Result<(), DbError> {
        self.write(move |conn| {
            let n = conn.execute("UPDATE users SET password_hash = ?1 WHERE username = ?2", params![password_hash, username])?;
            if n == 0 { Err(DbError::NotFound(format!("usuario «{username}»"))) } else { Ok(()) }
        })
        .await
    }

    /// For login: (user id, password hash, who) of an active user.
    pub async fn login_record(&self, username: String) -> Result<Option<(i64, String, UserInfo)>, DbError> {
        self.read(move |conn| {
            let row = conn
                .query_row(
                    "SELECT id, password_hash, username, display_name, role FROM users WHERE username = ?1 AND active = 1",
                    [&username],
                    |r| {
                        let user = UserInfo { username: r.get(2)?, display_name: r.get(3)?, role: role_of(r.get(4)?)? };
                        Ok((r.get(0)?, r.get(1)?, user))
                    },
                )
                .optional()?;
            Ok(row)
        })
        .await
    }

    /// Whether `centro` is assigned to a user of `supervisor_id`'s team.
    pub async fn team_has_centro(&self, supervisor_id: i64, centro: String) -> Result<bool, DbError> {
        self.read(move |conn| {
            Ok(conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM assignments a JOIN users u ON u.id = a.user_id WHERE u.supervisor_id = ?1 AND a.centro_id = ?2)",
                params![supervisor_id, centro],
                |r| r.get(0),
            )?)
        })
        .await
    }

    /// Registers a device for a user with the hash of its new token.
    pub async fn enrol_device(&self, user_id: i64, label: String, token_hash: String) -> Result<Uuid, DbError> {
        let id = Uuid::now_v7();
        self.write(move |conn| {
            conn.execute(
                "INSERT INTO devices (id, user_id, label, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id.to_string(), user_id, label, token_hash, now_text()],
            )?;
            Ok(id)
        })
        .await
    }

    /// The device holding the token with this hash, revoked or not.
    pub async fn device_by_token(&self, token_hash: String) -> Result<Option<Device>, DbError> {
        self.read(move |conn| {
            let row = conn
                .query_row(
                    "SELECT d.id, d.user_id, d.revoked_at IS NOT NULL OR u.active = 0, u.username, u.display_name, u.role, u.institution, d.kiosk_centro
                     FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = ?1",
                    [&token_hash],
                    |r| {
                        let id: String = r.get(0)?;
                        let user = UserInfo { username: r.get(3)?, display_name: r.get(4)?, role: role_of(r.get(5)?)? };
                        Ok((id, r.get(1)?, r.get(2)?, user, r.get(6)?, r.get(7)?))
                    },
                )
                .optional()?;
            Ok(row.and_then(|(id, user_id, revoked, user, institution, kiosk_centro)| {
                Uuid::parse_str(&id).ok().map(|id| Device { id, user_id, user, revoked, institution, kiosk_centro })
            }))
        })
        .await
    }

    /// Revokes a device: its next request is refused.
    pub async fn revoke_device(&self, device_id: Uuid) -> Result<(), DbError> {
        self.write(move |conn| {
            let n = conn.execute(
                "UPDATE devices SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                params![now_text(), device_id.to_string()],
            )?;
            if n == 0 { Err(DbError::NotFound(format!("dispositivo {device_id} activo"))) } else { Ok(()) }
        })
        .await
    }

    /// The ids of the centros a user works with: those assigned, every centro for staff
    /// and admin.
    pub async fn assigned_centros(&self, user_id: i64) -> Result<Vec<String>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT centro_id FROM assignments WHERE user_id = ?1
                 UNION SELECT id FROM centros WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1 AND role IN ('admin', 'staff'))
                 ORDER BY 1",
            )?;
            let ids = stmt.query_map([user_id], |r| r.get(0))?.collect::<Result<Vec<String>, _>>()?;
            Ok(ids)
        })
        .await
    }

    /// The institution (`dependencia`) `centro` belongs to, if the centro exists.
    pub async fn centro_institution(&self, centro: String) -> Result<Option<String>, DbError> {
        self.read(move |conn| Ok(conn.query_row("SELECT dependencia FROM centros WHERE id = ?1", [&centro], |r| r.get(0)).optional()?)).await
    }

    /// The ids of the centros of `institution` (its `dependencia`), sorted.
    pub async fn institution_centros(&self, institution: String) -> Result<Vec<String>, DbError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare("SELECT id FROM centros WHERE dependencia = ?1 ORDER BY id")?;
            Ok(stmt.query_map([&institution], |r| r.get(0))?.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Every centro's institution (`dependencia`), by centro id.
    pub async fn centro_institutions(&self) -> Result<std::collections::BTreeMap<String, String>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT id, dependencia FROM centros")?;
            Ok(stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// Every institution (`dependencia`) with centros, sorted.
    pub async fn institutions(&self) -> Result<Vec<String>, DbError> {
        self.read(|conn| {
            let mut stmt = conn.prepare("SELECT DISTINCT dependencia FROM centros ORDER BY dependencia")?;
            Ok(stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?)
        })
        .await
    }

    /// The id of a user by name.
    pub async fn user_id(&self, username: String) -> Result<i64, DbError> {
        self.read(move |conn| {
            conn.query_row("SELECT id FROM users WHERE username = ?1", [&username], |r| r.get(0))
                .optional()?
                .ok_or_else(|| DbError::NotFound(format!("usuario «{username}»")))
        })
        .await
    }
}
