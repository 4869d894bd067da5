//! The storage boundary: every SQL statement of the server lives under `db/`. Handlers call
//! one `Db` method per use case; a PostgreSQL backend would implement the same methods.
//!
//! SQLite in WAL mode with foreign keys on: one writer connection (behind a mutex, with
//! `synchronous=FULL` so an acknowledged write survives a power cut), a small pool of
//! reader connections that never wait for the writer, and a checkpoint thread that copies
//! the log back into the database file off the commit path (`checkpoint.rs`). Blocking
//! calls run on tokio's blocking pool.

mod accounts;
mod catalog;
mod changes;
mod checkpoint;
mod commitments;
mod console;
pub mod copy;
mod cycle;
mod directory;
mod evidence;
mod exports;
mod filings;
mod forms;
mod incorporation;
mod kiosks;
pub mod maintenance;
mod migrations;
mod photos;
mod postgres;
mod program;
mod qr;
mod review;
mod review_detail;
mod scores;
mod sessions;
pub mod sql;
mod staff;
mod suggestions;
mod sync;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags};

pub use sql::{Conn, Dialect};
use sql::{Row, SqlError, SqlResult};

pub use accounts::{Device, NewUser};
pub use commitments::Author;
pub use console::ResponseDay;
pub use evidence::{EvidenceToVerify, NewEvidence};
pub use filings::{EvidenceOwner, PendingExtension};
pub use directory::UserRow;
pub use cycle::{Frozen, Published, StateRow};
pub use exports::{ExportColumns, ExportJobRow, XLSX_MAX_ROWS};
pub use forms::PublishedForm;
pub use migrations::SCHEMA_VERSION;
pub use photos::{PhotoClaim, PhotoPeople};
pub use sessions::SessionLimits;
pub use program::{CentroRow, PeriodRow};
pub use qr::QrCode;
pub use review::{Decided, Reviewer};
pub use review_detail::{DaySurvey, ReviewRecord};
pub use scores::{FollowedChanges, Indicators, ScoreInputs, StoredSurvey};
pub use sync::{Committed, Fact, PushContext, Stored};

/// How many reader connections to keep.
const READERS: usize = 4;

/// Why a storage call failed; handlers map it to an HTTP answer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The thing asked for does not exist.
    #[error("no existe: {0}")]
    NotFound(String),
    /// It exists already, or the change contradicts stored data.
    #[error("{0}")]
    Conflict(String),
    /// Input that the database refuses (a check or a reference).
    #[error("{0}")]
    Invalid(String),
    /// Stored data that does not read (the Spanish text names the record): logged and
    /// answered as an internal error, but safe to show to staff.
    #[error("{0}")]
    Damaged(String),
    /// Anything else: a bug or an outage.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<crate::facts::DamagedFacts> for DbError {
    fn from(e: crate::facts::DamagedFacts) -> Self {
        DbError::Other(e.into())
    }
}

/// A stored review code that is none of the protocol's.
pub(crate) fn review_damaged(id: &str, code: &str) -> DbError {
    DbError::Other(anyhow::anyhow!("estado de revisión almacenado dañado en {id}: «{code}»"))
}

/// A stored value found damaged while reading a row, as the row reader's error.
pub(crate) fn damaged_column(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> SqlError {
    SqlError::column(idx, e)
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        DbError::Other(e.into())
    }
}

impl From<SqlError> for DbError {
    fn from(e: SqlError) -> Self {
        DbError::Other(e.into())
    }
}

impl DbError {
    /// What staff may be told (a background job's failure): the Spanish text of damaged
    /// data, a generic sentence for anything else (whose text may be a library's English).
    pub fn for_people(&self) -> String {
        match self {
            DbError::Damaged(m) | DbError::Conflict(m) | DbError::Invalid(m) => m.clone(),
            DbError::NotFound(m) => format!("no existe: {m}"),
            DbError::Other(_) => "error interno del servidor; intente de nuevo más tarde".into(),
        }
    }
}

/// The database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    engine: Engine,
}

#[derive(Clone)]
enum Engine {
    Sqlite(SqliteFile),
    Postgres(postgres::PgPool),
}

/// The embedded engine: one file, one writer, a few readers.
#[derive(Clone)]
struct SqliteFile {
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    checkpointer: Arc<checkpoint::Checkpointer>,
    path: PathBuf,
}

fn configure(conn: &Connection, writer: bool) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(64);
    // Plans that do not depend on the values bound: SQLite otherwise prepares a statement
    // again whenever a `LIMIT ?`, a range bound or a parameter compared with a partial
    // index's condition changes (every push's time window, every pull's page size).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    if writer {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        // The checkpoint thread does it instead, after the commit.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    }
    Ok(())
}

impl Db {
    /// Opens (creating and migrating when needed) the database file at `path`.
    pub fn open(path: &Path) -> Result<Self, DbError> {
        if let Some(dir) = path.parent() {
            crate::durable::create_dir_all(dir).map_err(|e| DbError::Other(e.into()))?;
        }
        let mut writer = Connection::open(path)?;
        configure(&writer, true)?;
        migrations::migrate(&mut writer)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
            let reader = Connection::open_with_flags(path, flags)?;
            configure(&reader, false)?;
            readers.push(reader);
        }
        let checkpointer = Arc::new(checkpoint::Checkpointer::start(path)?);
        let file = SqliteFile { writer: Arc::new(Mutex::new(writer)), readers: Arc::new(Mutex::new(readers)), checkpointer, path: path.to_path_buf() };
        Ok(Self { engine: Engine::Sqlite(file) })
    }

    /// Connects to the PostgreSQL database at `url` (`postgres://…`), applying the
    /// migrations it lacks.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let pool = postgres::PgPool::connect(url).await?;
        Ok(Self { engine: Engine::Postgres(pool) })
    }

    /// Which engine this is.
    pub fn dialect(&self) -> sql::Dialect {
        match self.engine {
            Engine::Sqlite(_) => sql::Dialect::Sqlite,
            Engine::Postgres(_) => sql::Dialect::Postgres,
        }
    }

    /// Before the process exits: waits for the write in progress, then (SQLite) copies the
    /// whole log back into the database file and empties it (`wal_checkpoint(TRUNCATE)`),
    /// with the readers released so nothing holds the log; (PostgreSQL) closes the pool.
    pub async fn close(&self) -> Result<(), DbError> {
        let file = match &self.engine {
            Engine::Sqlite(file) => file,
            Engine::Postgres(pool) => {
                pool.close();
                return Ok(());
            }
        };
        if let Ok(mut pool) = file.readers.lock() {
            pool.clear();
        }
        self.write(|conn| {
            let Some(conn) = conn.as_sqlite() else { return Ok(()) };
            // The checkpoint thread may be copying pages back at this very moment (a
            // checkpoint in progress makes this one answer busy at once): try again for a
            // moment before giving up.
            for attempt in 0..100 {
                let (busy, _, _): (i64, i64, i64) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
                if busy == 0 {
                    return Ok(());
                }
                if attempt == 99 {
                    tracing::warn!("the WAL could not be emptied at shutdown (a reader was busy); it is replayed at the next start");
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Ok(())
        })
        .await
    }

    /// The database file (SQLite); `None` on PostgreSQL.
    pub fn path(&self) -> Option<&Path> {
        match &self.engine {
            Engine::Sqlite(file) => Some(&file.path),
            Engine::Postgres(_) => None,
        }
    }

    /// Runs `f` as the writer on the blocking pool. SQLite: the one writer connection.
    /// PostgreSQL: a pooled connection, `f` inside one transaction that first takes the
    /// writers' lock, so writes are serialised as on SQLite (and change numbers become
    /// visible in order); an error rolls all of `f` back.
    pub async fn write<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Conn<'_>) -> Result<T, DbError> + Send + 'static,
    {
        match &self.engine {
            Engine::Sqlite(file) => {
                let writer = file.writer.clone();
                let checkpointer = file.checkpointer.clone();
                tokio::task::spawn_blocking(move || {
                    let raw = writer.lock().map_err(|_| anyhow::anyhow!("writer lock poisoned"))?;
                    let result = f(&Conn::sqlite(&raw));
                    drop(raw);
                    checkpointer.nudge();
                    result
                })
                .await
                .map_err(|e| DbError::Other(e.into()))?
            }
            Engine::Postgres(pool) => pool.write(f).await,
        }
    }

    /// Runs `f` on a read connection of its own, on this (blocking) thread: for long reads
    /// (exports) that should not hold one of the shared readers.
    pub(crate) fn with_own_reader<T>(&self, f: impl FnOnce(&Conn<'_>) -> Result<T, DbError>) -> Result<T, DbError> {
        match &self.engine {
            Engine::Sqlite(file) => {
                let conn = Connection::open_with_flags(&file.path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                configure(&conn, false)?;
                f(&Conn::sqlite(&conn))
            }
            Engine::Postgres(pool) => pool.with_own_reader(f),
        }
    }

    /// Runs `f` with a reader connection on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Conn<'_>) -> Result<T, DbError> + Send + 'static,
    {
        let file = match &self.engine {
            Engine::Sqlite(file) => file,
            Engine::Postgres(pool) => return pool.read(f).await,
        };
        let readers = file.readers.clone();
        let path = file.path.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = readers.lock().map_err(|_| anyhow::anyhow!("reader pool poisoned"))?.pop();
            let conn = match pooled {
                Some(c) => c,
                None => {
                    let c = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                    configure(&c, false)?;
                    c
                }
            };
            let result = f(&Conn::sqlite(&conn));
            if let Ok(mut pool) = readers.lock()
                && pool.len() < READERS
            {
                pool.push(conn);
            }
            result
        })
        .await
        .map_err(|e| DbError::Other(e.into()))?
    }
}

/// The current time as stored (RFC 3339, UTC).
pub(crate) fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A stored text column that must parse (an id, a date): damage is an error that names
/// the column and the text, never a made-up value such as a nil UUID or 1970-01-01.
pub(crate) fn parsed<T>(row: &Row<'_>, idx: usize) -> SqlResult<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(idx)?;
    text.parse().map_err(|e| SqlError::column(idx, Damaged { text, cause: Box::new(e) }))
}

/// [`parsed`] for a column that may be NULL.
pub(crate) fn parsed_opt<T>(row: &Row<'_>, idx: usize) -> SqlResult<Option<T>>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    if row.is_null(idx)? { Ok(None) } else { parsed(row, idx).map(Some) }
}

/// A stored JSON column that must read as `T`.
pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &Row<'_>, idx: usize) -> SqlResult<T> {
    let text: String = row.get(idx)?;
    serde_json::from_str(&text).map_err(|e| SqlError::column(idx, Damaged { text, cause: Box::new(e) }))
}

/// A stored value that does not read as what it must be.
#[derive(Debug, thiserror::Error)]
#[error("dato almacenado dañado «{text}»: {cause}")]
pub(crate) struct Damaged {
    text: String,
    cause: Box<dyn std::error::Error + Send + Sync>,
}

/// A stored code that is none of those allowed.
pub(crate) fn bad_code(idx: usize, code: impl Into<String>) -> SqlError {
    SqlError::column(idx, Damaged { text: code.into(), cause: "no es un código conocido".into() })
}

/// A stored review code, which must be one of the protocol's.
pub(super) fn review_state(r: &Row<'_>, idx: usize) -> SqlResult<shared::protocol::ReviewState> {
    let code: String = r.get(idx)?;
    shared::protocol::ReviewState::parse(&code).ok_or_else(|| damaged_column(idx, crate::facts::DamagedFacts { what: "estado de revisión", text: code }))
}
