//! The schema's migrations: an append-only list, applied in order inside one exclusive
//! transaction each, tracked by SQLite's `user_version`.

use rusqlite::{Connection, TransactionBehavior};

/// Every migration, oldest first. Never edit or reorder a released entry; append.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_initial.sql"),
    include_str!("../../migrations/sqlite/0002_facts.sql"),
    include_str!("../../migrations/sqlite/0003_commitments_complaints.sql"),
    include_str!("../../migrations/sqlite/0004_audit_log.sql"),
    include_str!("../../migrations/sqlite/0005_submission_photos.sql"),
    include_str!("../../migrations/sqlite/0006_device_ledgers.sql"),
    include_str!("../../migrations/sqlite/0007_photo_owners_console_sessions.sql"),
    include_str!("../../migrations/sqlite/0008_sampling_counts.sql"),
    include_str!("../../migrations/sqlite/0009_period_states.sql"),
];

/// The schema version a fully migrated database has.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Applies the migrations `conn` lacks. Safe to run any number of times.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        let version: usize = tx.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?.try_into().unwrap_or(0);
        let Some(sql) = MIGRATIONS.get(version) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (version + 1) as i64)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrate_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        migrate(&mut conn).expect("first");
        migrate(&mut conn).expect("second");
        let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
        assert_eq!(v as usize, SCHEMA_VERSION);
    }
}
