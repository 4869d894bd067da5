//! The schema's migrations: an append-only list, applied in order inside one exclusive
//! transaction each, tracked by SQLite's `user_version`.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

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
    include_str!("../../migrations/sqlite/0010_enlace.sql"),
    include_str!("../../migrations/sqlite/0011_incorporation_staff.sql"),
    include_str!("../../migrations/sqlite/0012_form_files.sql"),
    include_str!("../../migrations/sqlite/0013_corrections.sql"),
    include_str!("../../migrations/sqlite/0014_retired_tramites.sql"),
    include_str!("../../migrations/sqlite/0015_survey_finalisations.sql"),
    include_str!("../../migrations/sqlite/0016_collection_modes.sql"),
    include_str!("../../migrations/sqlite/0017_self_completions.sql"),
    include_str!("../../migrations/sqlite/0018_qr_codes.sql"),
    include_str!("../../migrations/sqlite/0019_kiosks.sql"),
    include_str!("../../migrations/sqlite/0020_export_jobs.sql"),
    include_str!("../../migrations/sqlite/0021_staged_forms.sql"),
    include_str!("../../migrations/sqlite/0022_review_transitions.sql"),
];

/// The schema version a fully migrated database has.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// The schema version of the database on `conn`.
pub(super) fn version(conn: &Connection) -> rusqlite::Result<usize> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?.max(0) as usize)
}

/// Applies the migrations `conn` lacks. Safe to run any number of times.
///
/// Foreign keys are off while they run (a migration may rebuild a table others refer to,
/// which SQLite allows only so) and every reference is checked before each commit.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let result = apply(conn, SCHEMA_VERSION);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    result
}

fn apply(conn: &mut Connection, upto: usize) -> rusqlite::Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
        let version: usize = tx.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?.try_into().unwrap_or(0);
        let Some(sql) = MIGRATIONS.get(version).filter(|_| version < upto) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        let broken: Option<String> = tx.query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional()?;
        if let Some(table) = broken {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some(format!("migration {} leaves a broken reference in {table}", version + 1)),
            ));
        }
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

    /// Rebuilding `users` (0010) keeps every user and every reference to them.
    #[test]
    fn the_users_rebuild_keeps_users_and_references() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        conn.pragma_update(None, "foreign_keys", "ON").expect("fk");
        apply(&mut conn, 9).expect("up to 9");
        conn.execute_batch(
            "INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (1, 'sup', 'S', 'supervisor', 'h', 't');
             INSERT INTO users (id, username, display_name, role, password_hash, supervisor_id, created_at) VALUES (2, 'enc', 'E', 'surveyor', 'h', 1, 't');
             INSERT INTO devices (id, user_id, label, token_hash, created_at) VALUES ('d', 2, 'l', 'th', 't');",
        )
        .expect("seed");
        migrate(&mut conn).expect("migrate");
        let fk: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).expect("pragma");
        assert!(fk, "foreign keys are enforced again");
        let n: i64 = conn.query_row("SELECT COUNT(*) FROM devices d JOIN users u ON u.id = d.user_id WHERE u.supervisor_id = 1", [], |r| r.get(0)).expect("join");
        assert_eq!(n, 1);
        let err = conn.execute("DELETE FROM users WHERE id = 2", []);
        assert!(err.is_err(), "the devices' reference to users still holds");
        let err = conn.execute("INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES ('x', 'X', 'enlace', 'h', 't')", []);
        assert!(err.is_err(), "an enlace needs an institution");
        conn.execute("INSERT INTO users (username, display_name, role, password_hash, created_at, institution) VALUES ('x', 'X', 'enlace', 'h', 't', 'Secretaría de Salud')", []).expect("enlace");
    }

    /// 0015 lists every scored survey already stored, with whether it is in a burst; a
    /// visit or an unscored record is not listed.
    #[test]
    fn the_finalisations_table_starts_with_the_stored_surveys() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        apply(&mut conn, 14).expect("up to 14");
        conn.execute_batch(
            r#"INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (1, 'sup', 'S', 'supervisor', 'h', 't');
             INSERT INTO users (id, username, display_name, role, password_hash, supervisor_id, created_at) VALUES (2, 'enc', 'E', 'surveyor', 'h', 1, 't');
             INSERT INTO devices (id, user_id, label, token_hash, created_at) VALUES ('d', 2, 'l', 'th', 't');
             INSERT INTO centros (id, name, dependencia, ambito, tipo, municipio) VALUES ('C1', 'C', 'D', 'estatal', 'tramites', 'León');
             INSERT INTO forms (form_id, version, title, fingerprint, xlsx, published_at) VALUES ('f', '1', 'F', 'x', x'00', 't');
             INSERT INTO changes (seq, kind, key, user_id) VALUES (1, 'submission', 'a', 2), (2, 'submission', 'b', 2), (3, 'submission', 'c', 2);
             INSERT INTO submissions (id, seq, form_id, form_version, centro_id, user_id, device_id, content_hash, body, capture_date, finalised_unix, received_at, clock_skew_seconds, review, flags)
             VALUES ('a', 1, 'f', '1', 'C1', 2, 'd', 'h', '{}', '2025-03-01', 100, 't', 0, 'in_review', '[["burst","3 encuestas finalizadas en 60 s por la misma persona"]]'),
                    ('b', 2, 'f', '1', 'C1', 2, 'd', 'h', '{}', '2025-03-01', 200, 't', 0, 'accepted', '[["too_fast","contestada en 12 s"]]'),
                    ('c', 3, 'f', '1', 'C1', 2, 'd', 'h', '{}', '2025-03-01', 300, 't', 0, 'accepted', '[]');
             INSERT INTO survey_facts (submission_id, centro_id, capture_date, seq, dimensions) VALUES ('a', 'C1', '2025-03-01', 1, ''), ('b', 'C1', '2025-03-01', 2, '');"#,
        )
        .expect("seed");
        migrate(&mut conn).expect("migrate");
        let rows: Vec<(i64, i64, String, bool)> = conn
            .prepare("SELECT user_id, finalised_unix, submission_id, in_burst FROM survey_finalisations ORDER BY finalised_unix")
            .expect("query")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read");
        assert_eq!(rows, [(2, 100, "a".to_string(), true), (2, 200, "b".to_string(), false)]);
    }

    /// 0016 gives every stored survey the mode its body carries (interview for the others).
    #[test]
    fn stored_surveys_take_the_mode_of_their_body() {
        let mut conn = Connection::open_in_memory().expect("memory db");
        apply(&mut conn, 15).expect("up to 15");
        conn.execute_batch(
            r#"INSERT INTO users (id, username, display_name, role, password_hash, created_at) VALUES (1, 'sup', 'S', 'supervisor', 'h', 't');
             INSERT INTO devices (id, user_id, label, token_hash, created_at) VALUES ('d', 1, 'l', 'th', 't');
             INSERT INTO centros (id, name, dependencia, ambito, tipo, municipio) VALUES ('C1', 'C', 'D', 'estatal', 'tramites', 'León');
             INSERT INTO forms (form_id, version, title, fingerprint, xlsx, published_at) VALUES ('f', '1', 'F', 'x', x'00', 't');
             INSERT INTO changes (seq, kind, key, user_id) VALUES (1, 'submission', 'a', 1), (2, 'submission', 'b', 1), (3, 'submission', 'c', 1);
             INSERT INTO submissions (id, seq, form_id, form_version, centro_id, user_id, device_id, content_hash, body, capture_date, finalised_unix, received_at, clock_skew_seconds, review)
             VALUES ('a', 1, 'f', '1', 'C1', 1, 'd', 'h', '{"meta":{"mode":"kiosko"}}', '2025-03-01', 100, 't', 0, 'accepted'),
                    ('b', 2, 'f', '1', 'C1', 1, 'd', 'h', '{"meta":{"mode":"entrevista"}}', '2025-03-01', 200, 't', 0, 'accepted'),
                    ('c', 3, 'f', '1', 'C1', 1, 'd', 'h', '{"meta":{"mode":"autoaplicada"}}', '2025-03-01', 300, 't', 0, 'accepted');
             INSERT INTO survey_facts (submission_id, centro_id, capture_date, seq, dimensions) VALUES ('a', 'C1', '2025-03-01', 1, ''), ('b', 'C1', '2025-03-01', 2, ''), ('c', 'C1', '2025-03-01', 3, '');"#,
        )
        .expect("seed");
        migrate(&mut conn).expect("migrate");
        let rows: Vec<(String, String)> = conn
            .prepare("SELECT submission_id, mode FROM survey_facts ORDER BY submission_id")
            .expect("query")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read");
        let expected = [("a", "kiosko"), ("b", "entrevista"), ("c", "autoaplicada")].map(|(a, b)| (a.to_string(), b.to_string()));
        assert_eq!(rows, expected);
        let bad = conn.execute("UPDATE survey_facts SET mode = 'correo' WHERE submission_id = 'a'", []);
        assert!(bad.is_err(), "only known modes are stored");
        // 0017 lists the self-completed ones by centro, for the self-completed burst rule.
        let listed: Vec<String> = conn
            .prepare("SELECT submission_id FROM self_completions ORDER BY submission_id")
            .expect("query")
            .query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("read");
        assert_eq!(listed, ["a", "c"]);
    }
}
