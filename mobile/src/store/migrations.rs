//! The store's migrations: append-only, applied in order, one transaction each, tracked by
//! SQLite's `user_version`. Opening a store runs whatever it lacks.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Every migration, oldest first. Never edit or reorder a released entry; append.
pub(super) const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_fieldwork.sql"),
    include_str!("../../migrations/0003_field_edits.sql"),
    include_str!("../../migrations/0004_sent_warnings.sql"),
    include_str!("../../migrations/0005_sampling_selected.sql"),
    include_str!("../../migrations/0006_score_notes.sql"),
    include_str!("../../migrations/0007_capture.sql"),
    include_str!("../../migrations/0008_form_files.sql"),
    include_str!("../../migrations/0009_resume.sql"),
    include_str!("../../migrations/0010_abandoned.sql"),
    include_str!("../../migrations/0011_outbox_sent.sql"),
    include_str!("../../migrations/0012_bodies.sql"),
];

/// The schema version of a fully migrated store.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Applies the migrations `conn` lacks, up to `MIGRATIONS[..upto]`.
pub(super) fn migrate_to(conn: &mut Connection, upto: usize) -> Result<(), StoreError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION as i64 {
            return Err(StoreError::TooNew { found: version });
        }
        let version = version.max(0) as usize;
        if version >= upto {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[version])?;
        tx.pragma_update(None, "user_version", (version + 1) as i64)?;
        tx.commit()?;
    }
}

pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, SCHEMA_VERSION)
}

/// A database at an older schema, for upgrade tests: `upto` migrations applied.
#[cfg(test)]
pub(super) fn open_at_schema(path: &std::path::Path, upto: usize) -> Result<Connection, StoreError> {
    let mut conn = Connection::open(path)?;
    migrate_to(&mut conn, upto.min(SCHEMA_VERSION))?;
    Ok(conn)
}
