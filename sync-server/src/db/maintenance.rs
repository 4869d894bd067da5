//! The operators' database tasks: migrating without serving, a consistent copy of a live
//! database (SQLite's online backup API), and the database's state for the health
//! endpoint. No HTTP here.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use super::{Db, DbError, configure, migrations};
use super::sql::params;

/// Schema versions before and after `sync-server migrate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    pub from: usize,
    pub to: usize,
}

/// Applies the migrations the database file at `path` lacks (creating it when missing).
pub fn migrate_file(path: &Path) -> Result<Migrated, DbError> {
    if let Some(dir) = path.parent() {
        crate::durable::create_dir_all(dir).map_err(|e| DbError::Other(e.into()))?;
    }
    let mut conn = Connection::open(path)?;
    configure(&conn, true)?;
    let from = user_version(&conn)?;
    migrations::migrate(&mut conn)?;
    Ok(Migrated { from, to: user_version(&conn)? })
}

/// Applies the migrations the PostgreSQL database at `url` lacks.
pub async fn migrate_postgres(url: &str) -> Result<Migrated, DbError> {
    let (pool, migrated) = super::postgres::PgPool::connect_migrated(url).await?;
    pool.close();
    Ok(migrated)
}

/// What a backup copied, checked on the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub path: PathBuf,
    pub bytes: u64,
    pub schema_version: usize,
    /// Rows of the main tables in the copy, by table name.
    pub rows: Vec<(String, u64)>,
    /// The change log's last sequence number in the copy (pull cursors up to it).
    pub last_change: u64,
}

/// Why a backup was not made (nothing is left at the target).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("no hay base de datos en {0}")]
    NoDatabase(PathBuf),
    #[error("{0} ya existe; elija otro archivo (una copia nunca sobrescribe otra)")]
    TargetExists(PathBuf),
    #[error("la base de datos estuvo ocupada 30 s sin dejar copiarla; intente de nuevo")]
    Busy,
    #[error("la copia no pasó la revisión de integridad: {0}")]
    Damaged(String),
    /// The database's own words (an operator at a terminal needs the detail).
    #[error("no se pudo copiar la base de datos: {0}")]
    Db(#[from] DbError),
}

impl From<rusqlite::Error> for BackupError {
    fn from(e: rusqlite::Error) -> Self {
        BackupError::Db(e.into())
    }
}

/// Copies the database at `source` to a new file `target` while servers keep using it:
/// SQLite's online backup API in one step (one read snapshot: every committed
/// transaction up to its start, nothing after, writers never blocked), into a temporary
/// file beside the target that is checked (integrity, references, schema version),
/// flushed and only then renamed into place.
pub fn backup(source: &Path, target: &Path) -> Result<Backup, BackupError> {
    if !source.is_file() {
        return Err(BackupError::NoDatabase(source.to_path_buf()));
    }
    if target.exists() {
        return Err(BackupError::TargetExists(target.to_path_buf()));
    }
    let partial = target.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let copied = copy_checked(source, &partial, target);
    if copied.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    copied
}

fn copy_checked(source: &Path, partial: &Path, target: &Path) -> Result<Backup, BackupError> {
    let from = Connection::open_with_flags(source, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    configure(&from, false)?;
    {
        let mut to = Connection::open(partial)?;
        let copy = rusqlite::backup::Backup::new(&from, &mut to)?;
        // -1: every page in one step, so one snapshot of the source; a writer holding a
        // lock the step needs only delays it (a WAL database rarely does).
        let mut waits = 0;
        loop {
            match copy.step(-1)? {
                rusqlite::backup::StepResult::Done => break,
                rusqlite::backup::StepResult::More => {}
                _ if waits < 600 => {
                    waits += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                _ => return Err(BackupError::Busy),
            }
        }
    }
    let copy = Connection::open_with_flags(partial, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    // A file on its own: no log beside it.
    copy.pragma_update(None, "journal_mode", "DELETE")?;
    let integrity: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if integrity != "ok" {
        return Err(BackupError::Damaged(integrity));
    }
    let broken: Option<String> = rusqlite::OptionalExtension::optional(copy.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)))?;
    if let Some(table) = broken {
        return Err(BackupError::Damaged(format!("una referencia rota en {table}")));
    }
    let schema_version = user_version(&copy)?;
    let rows = table_rows(&copy)?;
    let last_change: i64 = copy.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| r.get(0))?;
    drop(copy);
    std::fs::File::open(partial).and_then(|f| f.sync_all()).map_err(|e| DbError::Other(e.into()))?;
    std::fs::rename(partial, target).map_err(|e| DbError::Other(e.into()))?;
    if let Some(dir) = target.parent() {
        crate::durable::sync_dir(dir).map_err(|e| DbError::Other(e.into()))?;
    }
    let bytes = std::fs::metadata(target).map_err(|e| DbError::Other(e.into()))?.len();
    Ok(Backup { path: target.to_path_buf(), bytes, schema_version, rows, last_change: last_change.max(0) as u64 })
}

fn user_version(conn: &Connection) -> rusqlite::Result<usize> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?.max(0) as usize)
}

/// The tables an operator checks a copy by, with their count.
const COUNTED: &[(&str, &str)] = &[
    ("centros", "SELECT COUNT(*) FROM centros"),
    ("changes", "SELECT COUNT(*) FROM changes"),
    ("devices", "SELECT COUNT(*) FROM devices"),
    ("forms", "SELECT COUNT(*) FROM forms"),
    ("periods", "SELECT COUNT(*) FROM periods"),
    ("submission_photos", "SELECT COUNT(*) FROM submission_photos"),
    ("submissions", "SELECT COUNT(*) FROM submissions"),
    ("survey_facts", "SELECT COUNT(*) FROM survey_facts"),
    ("users", "SELECT COUNT(*) FROM users"),
    ("visit_facts", "SELECT COUNT(*) FROM visit_facts"),
];

/// Rows of the tables an operator checks a copy by.
fn table_rows(conn: &Connection) -> rusqlite::Result<Vec<(String, u64)>> {
    COUNTED.iter().map(|(table, sql)| Ok((table.to_string(), conn.query_row(sql, [], |r| r.get::<_, i64>(0))?.max(0) as u64))).collect()
}

/// The database as the health endpoint reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseState {
    /// `sqlite` or `postgres`.
    pub engine: &'static str,
    pub schema_version: usize,
    pub last_change: u64,
    /// Bytes of the database file and of its write-ahead log.
    pub file_bytes: u64,
    pub wal_bytes: u64,
}

impl Db {
    /// Reads the database's state on a reader connection (a query that reaches the
    /// database). SQLite: the file's and the log's sizes; PostgreSQL: the database's size
    /// (its log is the cluster's, not reported).
    pub async fn state(&self) -> Result<DatabaseState, DbError> {
        let path = self.path().map(Path::to_path_buf);
        self.read(move |c| {
            let last_change: i64 = c.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", params![], |r| r.get(0))?;
            let last_change = last_change.max(0) as u64;
            match (c.as_sqlite(), path) {
                (Some(sqlite), Some(path)) => {
                    let schema_version = user_version(sqlite)?;
                    let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
                    let mut wal = path.clone().into_os_string();
                    wal.push("-wal");
                    Ok(DatabaseState { engine: "sqlite", schema_version, last_change, file_bytes: size(&path), wal_bytes: size(Path::new(&wal)) })
                }
                _ => {
                    let version: Option<i64> = c.query_row("SELECT MAX(version) FROM schema_version", params![], |r| r.get(0))?;
                    let bytes: i64 = c.query_row("SELECT pg_database_size(current_database())", params![], |r| r.get(0))?;
                    let schema_version = version.unwrap_or(0).max(0) as usize;
                    Ok(DatabaseState { engine: "postgres", schema_version, last_change, file_bytes: bytes.max(0) as u64, wal_bytes: 0 })
                }
            }
        })
        .await
    }
}

/// The schema version this server's migrations reach.
pub const SCHEMA_VERSION: usize = migrations::SCHEMA_VERSION;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_is_a_checked_copy_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("dir");
        let source = dir.path().join("v.sqlite3");
        let migrated = migrate_file(&source).expect("created");
        assert_eq!(migrated, Migrated { from: 0, to: SCHEMA_VERSION });
        assert_eq!(migrate_file(&source).expect("again"), Migrated { from: SCHEMA_VERSION, to: SCHEMA_VERSION });
        let target = dir.path().join("copia.sqlite3");
        let made = backup(&source, &target).expect("backup");
        assert_eq!(made.schema_version, SCHEMA_VERSION);
        assert!(made.rows.iter().any(|(t, _)| t == "submissions"));
        assert!(!dir.path().join("copia.partial").exists());
        assert!(matches!(backup(&source, &target), Err(BackupError::TargetExists(_))));
        assert!(matches!(backup(&dir.path().join("nada.sqlite3"), &dir.path().join("otra.sqlite3")), Err(BackupError::NoDatabase(_))));
    }
}
