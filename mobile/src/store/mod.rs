//! The device's SQLite store: the only module of the app with SQL in it.
//!
//! One file per kind of data: [`settings`] (enrolment, pull cursor, last sync),
//! [`reference`] (what pull brings: forms, centros, periods, commitments, previous visits,
//! review decisions), [`drafts`] (answers saved one by one), [`outbox`] (finalised records
//! until the server acknowledges them, and what it acknowledged), [`ledger`] (per-day
//! counts), [`photos`], [`sampling`] (the systematic-sampling counter), [`edits`]
//! (milestones verified and complaints audited in the field, queued for the server) and
//! [`resume`] (where a draft was left, its running stopwatches, drafts set aside).
//!
//! Durability: WAL with `synchronous=FULL`, so every committed write (an answer, a
//! finalisation, an acknowledgement) survives the process being killed or the phone
//! losing power. Every change that belongs together is one transaction.

mod migrations;

pub mod capture;
pub mod drafts;
pub mod edits;
pub mod ledger;
pub mod outbox;
pub mod photos;
pub mod reference;
pub mod resume;
pub mod sampling;
pub mod settings;

#[cfg(test)]
mod tests;

use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset as _, Utc};
use rusqlite::Connection;

pub use migrations::SCHEMA_VERSION;

/// Why the store could not do what was asked. Messages in Spanish.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (disk full, file damaged, …).
    #[error("No se pudo guardar en el teléfono: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Something the store holds could not be read back.
    #[error("Datos dañados en el teléfono: {0}")]
    Corrupt(String),
    /// The record asked for does not exist (or no longer does).
    #[error("No se encontró {0}.")]
    NotFound(String),
    /// What was asked is not allowed (the reason, for the person).
    #[error("{0}")]
    Refused(String),
    /// The database was written by a newer version of the app.
    #[error("Los datos son de una versión más nueva de la app (esquema {found}); actualice la app.")]
    TooNew { found: i64 },
}

/// The UTC offset of Guanajuato (no daylight saving time since 2022).
pub const DEFAULT_UTC_OFFSET_MINUTES: i32 = -360;

/// The device's store. Not `Sync`: the app keeps it behind a mutex.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    offset: FixedOffset,
}

impl Store {
    /// Opens (creating and migrating) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::init(Connection::open(path)?)
    }

    /// A store in memory (tests, previews).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Self, StoreError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // WAL is refused for in-memory databases (they stay "memory"): fine.
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Plans that do not depend on the values bound (SQLite otherwise prepares a
        // statement again whenever a `LIMIT ?` or a compared parameter changes), and room
        // for every statement the sync path repeats.
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        conn.set_prepared_statement_cache_capacity(64);
        migrations::migrate(&mut conn)?;
        let offset = FixedOffset::east_opt(DEFAULT_UTC_OFFSET_MINUTES * 60).unwrap_or_else(|| Utc.fix());
        Ok(Self { conn, offset })
    }

    /// Days (ledger, sampling, "today") are counted at this UTC offset.
    pub fn with_utc_offset(mut self, minutes: i32) -> Self {
        if let Some(o) = FixedOffset::east_opt(minutes * 60) {
            self.offset = o;
        }
        self
    }

    /// Now, at the store's offset.
    pub fn now(&self) -> DateTime<FixedOffset> {
        Utc::now().with_timezone(&self.offset)
    }

    /// Writes a consistent copy of the whole store to `path` (for support, and to prepare
    /// large test stores quickly). The file must not exist.
    pub fn save_copy(&self, path: &Path) -> Result<(), StoreError> {
        self.conn.execute("VACUUM INTO ?1", [path.to_string_lossy()])?;
        Ok(())
    }

    /// Today, at the store's offset.
    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}


fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(corrupt)
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(corrupt)
}
