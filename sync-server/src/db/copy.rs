//! `sync-server copy-to-postgres`: moves an SQLite deployment into an empty PostgreSQL
//! database. One read snapshot of the SQLite file, one PostgreSQL transaction: every table
//! in dependency order, each in one binary `COPY … FROM STDIN`, every row with its own ids
//! and change numbers, then each identity sequence moved past its largest value. Before committing, every table is read back and
//! compared with the source by row count and a SHA-256 over its rows in primary-key order;
//! any difference rolls the whole copy back. Files (photos, evidence) are not copied: the
//! servers on PostgreSQL use the same files directory (`--data-dir`).
//!
//! The statements here are built from the schema itself (its table list and each table's
//! columns as SQLite reports them), with [`Conn::copy_in`] the one place in `db/` where SQL
//! is assembled: the copier is generic over tables by design, and takes no identifier from
//! outside.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};

use super::sql::{Conn, SqlError, Value, ValueRef};
use super::{Db, DbError, migrations};

/// Every table, each after those it refers to.
const TABLES: &[&str] = &[
    "centros",
    "users",
    "devices",
    "periods",
    "tramites",
    "quotas",
    "assignments",
    "forms",
    "changes",
    "submissions",
    "conflicts",
    "device_days",
    "survey_facts",
    "visit_facts",
    "commitments",
    "milestones",
    "complaints",
    "edit_conflicts",
    "audit_log",
    "submission_photos",
    "device_ledgers",
    "photo_uploads",
    "console_sessions",
    "sampling_counts",
    "official_results",
    "period_transitions",
    "extensions",
    "evidence_documents",
    "incorporations",
    "staff_members",
    "trainings",
    "training_attendance",
    "form_files",
    "survey_finalisations",
    "self_completions",
    "qr_codes",
    "server_keys",
    "export_jobs",
    "staged_forms",
    "staged_form_files",
];

/// One table as copied and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedTable {
    pub table: String,
    pub rows: u64,
    /// SHA-256 of its rows in primary-key order, the same on both sides.
    pub sha256: String,
}

/// What a copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub tables: Vec<CopiedTable>,
    /// The change log's last number (devices' pull cursors go on from it).
    pub last_change: u64,
}

/// A table's columns and primary key, as SQLite reports them.
struct Shape {
    columns: Vec<String>,
    key: Vec<String>,
}

fn shape(source: &Connection, table: &str) -> Result<Shape, DbError> {
    let mut stmt = source.prepare("SELECT name, pk FROM pragma_table_info(?1) ORDER BY cid")?;
    let rows: Vec<(String, i64)> = stmt.query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    if rows.is_empty() {
        return Err(DbError::Invalid(format!("la base de datos SQLite no tiene la tabla «{table}»")));
    }
    let mut key: Vec<(i64, String)> = rows.iter().filter(|(_, pk)| *pk > 0).map(|(name, pk)| (*pk, name.clone())).collect();
    key.sort();
    let key = if key.is_empty() { rows.iter().map(|(n, _)| n.clone()).collect() } else { key.into_iter().map(|(_, n)| n).collect() };
    Ok(Shape { columns: rows.into_iter().map(|(n, _)| n).collect(), key })
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
}

/// Adds one value to a row digest: its storage class, then its bytes.
fn digest_value(hash: &mut Sha256, v: ValueRef<'_>) {
    match v {
        Value::Null => hash.update([0]),
        Value::Integer(i) => {
            hash.update([1]);
            hash.update(i.to_be_bytes());
        }
        Value::Real(f) => {
            hash.update([2]);
            hash.update(f.to_bits().to_be_bytes());
        }
        Value::Text(t) => {
            hash.update([3]);
            hash.update((t.len() as u64).to_be_bytes());
            hash.update(t.as_bytes());
        }
        Value::Blob(b) => {
            hash.update([4]);
            hash.update((b.len() as u64).to_be_bytes());
            hash.update(b);
        }
    }
}

/// Rows and digest of `table` read through `conn` in key order.
fn digest_table(conn: &Conn<'_>, table: &str, shape: &Shape) -> Result<(u64, String), DbError> {
    let sql = format!("SELECT {} FROM \"{table}\" ORDER BY {}", quoted(&shape.columns), quoted(&shape.key));
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query([] as [Value<'_>; 0])?;
    let mut hash = Sha256::new();
    let mut n = 0u64;
    while let Some(row) = rows.next()? {
        for i in 0..shape.columns.len() {
            row.with_ref(i, |v| {
                digest_value(&mut hash, v);
                Ok(())
            })?;
        }
        n += 1;
    }
    Ok((n, shared::digest::hex(&hash.finalize())))
}

/// Copies the SQLite database at `source` into the empty PostgreSQL database `target`,
/// checked table by table before it commits.
pub async fn copy_to_postgres(source: &Path, target: &str) -> Result<Copied, DbError> {
    if !source.is_file() {
        return Err(DbError::NotFound(format!("la base de datos SQLite {}", source.display())));
    }
    let db = Db::connect(target).await?;
    let source = source.to_path_buf();
    let copied = db
        .write(move |pg| {
            let empty: i64 = pg.query_row("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM changes)", [] as [Value<'_>; 0], |r| r.get(0))?;
            if empty > 0 {
                return Err(DbError::Conflict("la base de datos PostgreSQL ya tiene datos: la copia va solo a una base vacía (nunca mezcla ni sobrescribe)".into()));
            }
            let sqlite = Connection::open_with_flags(&source, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            sqlite.busy_timeout(std::time::Duration::from_secs(30))?;
            let version = migrations::version(&sqlite)?;
            if version != migrations::SCHEMA_VERSION {
                return Err(DbError::Invalid(format!(
                    "la base de datos SQLite está en la versión {version} del esquema y esta copia es de la {}: aplique antes «sync-server migrate»",
                    migrations::SCHEMA_VERSION
                )));
            }
            // One snapshot of the source for the whole copy.
            let snapshot = sqlite.unchecked_transaction()?;
            let from = Conn::sqlite(&snapshot);
            let mut tables = Vec::with_capacity(TABLES.len());
            for table in TABLES {
                let shape = shape(&snapshot, table)?;
                copy_table(&from, pg, table, &shape)?;
                let (rows, sha256) = digest_table(&from, table, &shape)?;
                let (copied_rows, copied_sha) = digest_table(pg, table, &shape)?;
                if (rows, &sha256) != (copied_rows, &copied_sha) {
                    return Err(DbError::Damaged(format!(
                        "la tabla «{table}» no quedó igual ({rows} filas en SQLite, {copied_rows} en PostgreSQL; resúmenes distintos): la copia se deshizo"
                    )));
                }
                tables.push(CopiedTable { table: (*table).to_string(), rows, sha256 });
            }
            restart_identities(pg)?;
            let last_change: i64 = pg.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [] as [Value<'_>; 0], |r| r.get(0))?;
            Ok(Copied { tables, last_change: last_change.max(0) as u64 })
        })
        .await;
    db.close().await?;
    copied
}

/// Every row of `table` from `from` into PostgreSQL `to`, with its own values, in one
/// binary `COPY` (a round trip per chunk of rows instead of per row).
fn copy_table(from: &Conn<'_>, to: &Conn<'_>, table: &str, shape: &Shape) -> Result<(), DbError> {
    let select = format!("SELECT {} FROM \"{table}\" ORDER BY {}", quoted(&shape.columns), quoted(&shape.key));
    let mut read = from.prepare(&select)?;
    let mut write = to.copy_in(table, &shape.columns).map_err(|e| copy_error(table, e))?;
    let mut rows = read.query([] as [Value<'_>; 0])?;
    let mut owned: Vec<Owned> = Vec::with_capacity(shape.columns.len());
    while let Some(row) = rows.next()? {
        owned.clear();
        for i in 0..shape.columns.len() {
            owned.push(row.with_ref(i, |v| Ok(Owned::from(v)))?);
        }
        let values: Vec<Value<'_>> = owned.iter().map(Owned::value).collect();
        write.write(&values).map_err(|e| copy_error(table, e))?;
    }
    write.finish().map_err(|e| copy_error(table, e))?;
    Ok(())
}

fn copy_error(table: &str, e: SqlError) -> DbError {
    DbError::Invalid(format!("no se pudo copiar una fila de «{table}»: {e}"))
}

/// Moves each identity sequence past the largest value copied, so new rows get new ids.
fn restart_identities(pg: &Conn<'_>) -> Result<(), DbError> {
    let mut stmt = pg.prepare(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name",
    )?;
    let identities: Vec<(String, String)> = stmt.query_map([] as [Value<'_>; 0], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    for (table, column) in identities {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), GREATEST(COALESCE(MAX(\"{column}\"), 0), 1), COALESCE(MAX(\"{column}\"), 0) > 0) FROM \"{table}\""
        );
        pg.query_row(&sql, [] as [Value<'_>; 0], |_| Ok(()))?;
    }
    Ok(())
}

/// A value read from the source, kept while it is written.
enum Owned {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<ValueRef<'_>> for Owned {
    fn from(v: ValueRef<'_>) -> Self {
        match v {
            Value::Null => Owned::Null,
            Value::Integer(i) => Owned::Integer(i),
            Value::Real(f) => Owned::Real(f),
            Value::Text(t) => Owned::Text(t.to_owned()),
            Value::Blob(b) => Owned::Blob(b.to_vec()),
        }
    }
}

impl Owned {
    fn value(&self) -> Value<'_> {
        match self {
            Owned::Null => Value::Null,
            Owned::Integer(i) => Value::Integer(*i),
            Owned::Real(f) => Value::Real(*f),
            Owned::Text(t) => Value::Text(t),
            Owned::Blob(b) => Value::Blob(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table of the schema is copied, each after those it refers to.
    #[test]
    fn every_table_is_copied_after_what_it_refers_to() {
        let mut conn = Connection::open_in_memory().expect("memory");
        migrations::migrate(&mut conn).expect("schema");
        let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").expect("prepare");
        let mut all: Vec<String> = stmt.query_map([], |r| r.get(0)).expect("query").collect::<Result<_, _>>().expect("names");
        let mut copied: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
        all.sort();
        copied.sort();
        assert_eq!(all, copied);
        for (i, table) in TABLES.iter().enumerate() {
            let mut refs = conn.prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?1)").expect("prepare");
            for target in refs.query_map([table], |r| r.get::<_, String>(0)).expect("query").map(|r| r.expect("row")) {
                if target != *table {
                    let at = TABLES.iter().position(|t| *t == target).expect("a copied table");
                    assert!(at < i, "{table} refers to {target}, copied later");
                }
            }
        }
    }
}
