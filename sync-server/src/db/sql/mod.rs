//! The connection every `db/` module writes its statements against, whichever engine is
//! underneath: SQLite (rusqlite, in process) or PostgreSQL (tokio-postgres from a
//! deadpool pool). Its surface is the part of rusqlite's that the modules use
//! (`execute`, `query_row`, `prepare(_cached)` → `query_map`, transactions), so one
//! implementation of each use case serves both engines; where the two dialects differ, a
//! module picks its statement with [`Conn::dialect`].
//!
//! Statements are written with SQLite's numbered parameters (`?1`, `?2`); on PostgreSQL
//! they become `$1`, `$2` before preparing. Everything runs on a blocking thread: the
//! PostgreSQL side waits for its futures on the runtime's handle.
//!
//! Transactions nest: the outermost is `BEGIN … COMMIT`, an inner one a savepoint. A
//! transaction dropped without `commit` is rolled back.

pub mod value;

use std::cell::Cell;
use std::ops::Deref;

use tokio::runtime::Handle;

pub use value::{FromValue, FromValueError, ToValue, Value, ValueRef};

/// The SQL dialect of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Why a statement failed.
#[derive(Debug, thiserror::Error)]
pub enum SqlError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL's error, with the statement it came from (in the logs, never to users).
    #[error("{}{}", pg_message(.0), .1.as_deref().map(|s| format!(" en «{s}»")).unwrap_or_default())]
    Postgres(tokio_postgres::Error, Option<String>),
    #[error("la base de datos no dio una conexión: {0}")]
    Pool(String),
    /// `query_row` found no row (see [`OptionalExt::optional`]).
    #[error("la consulta no devolvió filas")]
    NoRows,
    /// A column that does not read as what it must be.
    #[error("columna {idx}: {source}")]
    Column { idx: usize, source: Box<dyn std::error::Error + Send + Sync> },
    /// What only PostgreSQL does, asked of SQLite.
    #[error("{0} solo existe en PostgreSQL")]
    PostgresOnly(&'static str),
}

impl SqlError {
    /// A column found damaged while reading a row.
    pub fn column(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> Self {
        SqlError::Column { idx, source: Box::new(e) }
    }

    /// A unique or primary-key constraint refused the statement.
    pub fn is_unique_violation(&self) -> bool {
        match self {
            SqlError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
            }
            SqlError::Postgres(e, _) => e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION),
            _ => false,
        }
    }

    /// Any constraint (check, foreign key, unique, not null) refused the statement.
    pub fn is_constraint_violation(&self) -> bool {
        match self {
            SqlError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => e.code == rusqlite::ErrorCode::ConstraintViolation,
            SqlError::Postgres(e, _) => e.code().is_some_and(|c| c.code().starts_with("23")),
            _ => false,
        }
    }
}

impl From<tokio_postgres::Error> for SqlError {
    fn from(e: tokio_postgres::Error) -> Self {
        SqlError::Postgres(e, None)
    }
}

/// PostgreSQL's own message (the driver's `Display` says only "db error").
fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {} ({detail})", db.severity(), db.message()),
            None => format!("{}: {}", db.severity(), db.message()),
        },
        None => e.to_string(),
    }
}

/// A PostgreSQL error with the statement that caused it.
fn in_statement(sql: &str) -> impl FnOnce(tokio_postgres::Error) -> SqlError + '_ {
    move |e| SqlError::Postgres(e, Some(sql.to_owned()))
}

pub type SqlResult<T> = Result<T, SqlError>;

/// `query_row`'s "no row" as `None`.
pub trait OptionalExt<T> {
    fn optional(self) -> SqlResult<Option<T>>;
}

impl<T> OptionalExt<T> for SqlResult<T> {
    fn optional(self) -> SqlResult<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(SqlError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A statement's parameters: `params![a, b, c]` (of any [`ToValue`] types), an array of
/// one type (`[&id]`), or `[]`.
pub trait Params {
    fn with_values<R>(&self, f: impl FnOnce(&[Value<'_>]) -> R) -> R;
}

impl Params for &[Value<'_>] {
    fn with_values<R>(&self, f: impl FnOnce(&[Value<'_>]) -> R) -> R {
        f(self)
    }
}

impl Params for [Value<'_>; 0] {
    fn with_values<R>(&self, f: impl FnOnce(&[Value<'_>]) -> R) -> R {
        f(&[])
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToValue> Params for [T; $n] {
            fn with_values<R>(&self, f: impl FnOnce(&[Value<'_>]) -> R) -> R {
                f(&self.each_ref().map(|p| p.to_value()))
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8 9 10 11 12);

/// Parameters for a statement: `params![a, b, c]`, each anything [`ToValue`].
#[macro_export]
macro_rules! params {
    () => { &[] as &[$crate::db::sql::Value<'_>] };
    ($($p:expr),+ $(,)?) => { &[$($crate::db::sql::ToValue::to_value(&$p)),+] as &[$crate::db::sql::Value<'_>] };
}
pub use crate::params;

/// A PostgreSQL client and the runtime its futures run on.
pub struct PgSession<'a> {
    pub client: &'a deadpool_postgres::ClientWrapper,
    pub rt: &'a Handle,
}

enum Engine<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(PgSession<'a>),
}

/// A connection (or a transaction on one: [`Tx`] dereferences to it).
pub struct Conn<'a> {
    engine: Engine<'a>,
    /// Open transactions: 0 outside one, 1 in a transaction, more in savepoints.
    depth: Cell<u32>,
}

impl<'a> Conn<'a> {
    pub fn sqlite(conn: &'a rusqlite::Connection) -> Self {
        let depth = Cell::new(u32::from(!conn.is_autocommit()));
        Self { engine: Engine::Sqlite(conn), depth }
    }

    pub fn postgres(session: PgSession<'a>) -> Self {
        Self { engine: Engine::Postgres(session), depth: Cell::new(0) }
    }

    pub fn dialect(&self) -> Dialect {
        match self.engine {
            Engine::Sqlite(_) => Dialect::Sqlite,
            Engine::Postgres(_) => Dialect::Postgres,
        }
    }

    /// `sqlite` on SQLite, `postgres` on PostgreSQL.
    pub fn pick<'s>(&self, sqlite: &'s str, postgres: &'s str) -> &'s str {
        match self.dialect() {
            Dialect::Sqlite => sqlite,
            Dialect::Postgres => postgres,
        }
    }

    /// The SQLite connection underneath, for what only SQLite has (pragmas, backups).
    pub fn as_sqlite(&self) -> Option<&rusqlite::Connection> {
        match &self.engine {
            Engine::Sqlite(c) => Some(c),
            Engine::Postgres(_) => None,
        }
    }

    pub fn execute(&self, sql: &str, params: impl Params) -> SqlResult<usize> {
        self.prepare(sql)?.execute(params)
    }

    /// Runs statements separated by `;`, without parameters.
    pub fn execute_batch(&self, sql: &str) -> SqlResult<()> {
        match &self.engine {
            Engine::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Engine::Postgres(pg) => Ok(pg.rt.block_on(pg.client.batch_execute(sql)).map_err(in_statement(sql))?),
        }
    }

    /// The first row's `f`; [`SqlError::NoRows`] when there is none.
    pub fn query_row<T>(&self, sql: &str, params: impl Params, f: impl FnOnce(&Row<'_>) -> SqlResult<T>) -> SqlResult<T> {
        self.prepare(sql)?.query_row(params, f)
    }

    /// A prepared statement (not kept: for statements made once).
    pub fn prepare(&self, sql: &str) -> SqlResult<Stmt<'_>> {
        Ok(match &self.engine {
            Engine::Sqlite(c) => Stmt::Sqlite(SqliteStmt::Plain(c.prepare(sql)?)),
            Engine::Postgres(pg) => {
                let text = postgres_placeholders(sql);
                let statement = pg.rt.block_on(pg.client.prepare(&text)).map_err(in_statement(&text))?;
                Stmt::Postgres { statement, pg, sql: text }
            }
        })
    }

    /// A prepared statement, kept by the connection for the next time.
    pub fn prepare_cached(&self, sql: &str) -> SqlResult<Stmt<'_>> {
        Ok(match &self.engine {
            Engine::Sqlite(c) => Stmt::Sqlite(SqliteStmt::Cached(c.prepare_cached(sql)?)),
            Engine::Postgres(pg) => {
                let text = postgres_placeholders(sql);
                let statement = pg.rt.block_on(pg.client.prepare_cached(&text)).map_err(in_statement(&text))?;
                Stmt::Postgres { statement, pg, sql: text }
            }
        })
    }

    /// PostgreSQL only: a binary `COPY table (columns) FROM STDIN` to write rows into,
    /// each value sent as the column's own type (read from the table). Takes its table and
    /// column names from the schema, never from outside.
    pub fn copy_in(&self, table: &str, columns: &[String]) -> SqlResult<CopyIn<'_>> {
        let Engine::Postgres(pg) = &self.engine else {
            return Err(SqlError::PostgresOnly("COPY"));
        };
        let list = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        let probe = format!("SELECT {list} FROM \"{table}\" LIMIT 0");
        let statement = pg.rt.block_on(pg.client.prepare(&probe)).map_err(in_statement(&probe))?;
        let types: Vec<tokio_postgres::types::Type> = statement.columns().iter().map(|c| c.type_().clone()).collect();
        let sql = format!("COPY \"{table}\" ({list}) FROM STDIN (FORMAT binary)");
        let sink = pg.rt.block_on(pg.client.copy_in(&sql)).map_err(in_statement(&sql))?;
        Ok(CopyIn { writer: Box::pin(tokio_postgres::binary_copy::BinaryCopyInWriter::new(sink, &types)), rt: pg.rt, sql })
    }

    /// A transaction (a savepoint inside another), rolled back unless committed.
    pub fn transaction(&self) -> SqlResult<Tx<'_, 'a>> {
        let depth = self.depth.get();
        if depth == 0 {
            self.execute_batch("BEGIN")?;
        } else {
            self.execute_batch(&format!("SAVEPOINT sp{depth}"))?;
        }
        self.depth.set(depth + 1);
        Ok(Tx { conn: self, open: true })
    }

    /// Runs the INSERT `insert` (kept prepared) and gives the new row's integer key.
    /// `returning` is the same statement ending in `RETURNING key`, what PostgreSQL runs;
    /// SQLite reads the connection's last row id instead, since its `RETURNING` builds a
    /// temporary table for every execution (a cost on the push path).
    pub fn insert_id(&self, insert: &str, returning: &str, params: impl Params) -> SqlResult<i64> {
        match &self.engine {
            Engine::Sqlite(c) => {
                self.prepare_cached(insert)?.execute(params)?;
                Ok(c.last_insert_rowid())
            }
            Engine::Postgres(_) => self.prepare_cached(returning)?.query_row(params, |r| r.get(0)),
        }
    }

    /// A read-only transaction whose statements all see one snapshot of the database.
    pub fn snapshot(&self) -> SqlResult<Tx<'_, 'a>> {
        if self.depth.get() == 0 && self.dialect() == Dialect::Postgres {
            self.execute_batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            self.depth.set(1);
            return Ok(Tx { conn: self, open: true });
        }
        self.transaction()
    }

    /// A transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`); on
    /// PostgreSQL an ordinary one.
    pub fn transaction_immediate(&self) -> SqlResult<Tx<'_, 'a>> {
        if self.depth.get() == 0 && self.dialect() == Dialect::Sqlite {
            self.execute_batch("BEGIN IMMEDIATE")?;
            self.depth.set(1);
            return Ok(Tx { conn: self, open: true });
        }
        self.transaction()
    }

    fn end(&self, commit: bool) -> SqlResult<()> {
        let depth = self.depth.get();
        let sql = match (depth, commit) {
            (1, true) => "COMMIT".to_owned(),
            (1, false) => "ROLLBACK".to_owned(),
            (d, true) => format!("RELEASE SAVEPOINT sp{}", d - 1),
            (d, false) => format!("ROLLBACK TO SAVEPOINT sp{0}; RELEASE SAVEPOINT sp{0}", d - 1),
        };
        self.depth.set(depth.saturating_sub(1));
        self.execute_batch(&sql)
    }
}

/// An open transaction; dereferences to its connection.
pub struct Tx<'t, 'a> {
    conn: &'t Conn<'a>,
    open: bool,
}

impl<'a> Deref for Tx<'_, 'a> {
    type Target = Conn<'a>;
    fn deref(&self) -> &Conn<'a> {
        self.conn
    }
}

impl Tx<'_, '_> {
    pub fn commit(mut self) -> SqlResult<()> {
        self.open = false;
        self.conn.end(true)
    }

    pub fn rollback(mut self) -> SqlResult<()> {
        self.open = false;
        self.conn.end(false)
    }
}

impl Drop for Tx<'_, '_> {
    fn drop(&mut self) {
        if self.open
            && let Err(e) = self.conn.end(false)
        {
            tracing::warn!("rolling back a transaction failed: {e}");
        }
    }
}

/// A SQLite statement, kept by the connection or not.
pub enum SqliteStmt<'c> {
    Cached(rusqlite::CachedStatement<'c>),
    Plain(rusqlite::Statement<'c>),
}

impl<'c> Deref for SqliteStmt<'c> {
    type Target = rusqlite::Statement<'c>;
    fn deref(&self) -> &rusqlite::Statement<'c> {
        match self {
            SqliteStmt::Cached(s) => s,
            SqliteStmt::Plain(s) => s,
        }
    }
}

impl<'c> std::ops::DerefMut for SqliteStmt<'c> {
    fn deref_mut(&mut self) -> &mut rusqlite::Statement<'c> {
        match self {
            SqliteStmt::Cached(s) => s,
            SqliteStmt::Plain(s) => s,
        }
    }
}

/// A binary `COPY … FROM STDIN` under way ([`Conn::copy_in`]). Rows are buffered and sent
/// in chunks; nothing is stored until [`CopyIn::finish`], and dropping it unfinished aborts
/// the copy (the transaction around it then fails).
pub struct CopyIn<'c> {
    writer: std::pin::Pin<Box<tokio_postgres::binary_copy::BinaryCopyInWriter>>,
    rt: &'c Handle,
    sql: String,
}

impl CopyIn<'_> {
    /// One row, its values in the columns' order.
    pub fn write(&mut self, row: &[Value<'_>]) -> SqlResult<()> {
        let values = pg_params(row);
        self.rt.block_on(self.writer.as_mut().write(&values)).map_err(in_statement(&self.sql))
    }

    /// Ends the copy; the rows it stored.
    pub fn finish(mut self) -> SqlResult<u64> {
        self.rt.block_on(self.writer.as_mut().finish()).map_err(in_statement(&self.sql))
    }
}

/// A prepared statement.
pub enum Stmt<'c> {
    Sqlite(SqliteStmt<'c>),
    Postgres { statement: tokio_postgres::Statement, pg: &'c PgSession<'c>, sql: String },
}

impl Stmt<'_> {
    /// Runs it; the rows it changed.
    pub fn execute(&mut self, params: impl Params) -> SqlResult<usize> {
        params.with_values(|params| match self {
            Stmt::Sqlite(s) => Ok(s.execute(rusqlite::params_from_iter(params.iter()))?),
            Stmt::Postgres { statement, pg, sql } => {
                let n = pg.rt.block_on(pg.client.execute(statement, &pg_params(params))).map_err(in_statement(sql))?;
                Ok(usize::try_from(n).unwrap_or(usize::MAX))
            }
        })
    }

    /// Its rows.
    pub fn query(&mut self, params: impl Params) -> SqlResult<Rows<'_>> {
        params.with_values(|params| {
            Ok(match self {
                Stmt::Sqlite(s) => Rows::Sqlite(s.query(rusqlite::params_from_iter(params.iter()))?),
                Stmt::Postgres { statement, pg, sql } => {
                    let rows = pg.rt.block_on(pg.client.query(&*statement, &pg_params(params))).map_err(in_statement(sql))?;
                    Rows::Postgres { rows: rows.into_iter(), current: None }
                }
            })
        })
    }

    /// Its rows, each through `f`.
    pub fn query_map<T, F>(&mut self, params: impl Params, f: F) -> SqlResult<MappedRows<'_, F>>
    where
        F: FnMut(&Row<'_>) -> SqlResult<T>,
    {
        Ok(MappedRows { rows: self.query(params)?, f })
    }

    /// The first row through `f`; [`SqlError::NoRows`] when there is none.
    pub fn query_row<T>(&mut self, params: impl Params, f: impl FnOnce(&Row<'_>) -> SqlResult<T>) -> SqlResult<T> {
        let mut rows = self.query(params)?;
        match rows.next()? {
            Some(row) => f(&row),
            None => Err(SqlError::NoRows),
        }
    }

    /// Whether it returns any row.
    pub fn exists(&mut self, params: impl Params) -> SqlResult<bool> {
        Ok(self.query(params)?.next()?.is_some())
    }
}

fn pg_params<'v>(params: &'v [Value<'_>]) -> Vec<&'v (dyn tokio_postgres::types::ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn tokio_postgres::types::ToSql + Sync)).collect()
}

/// The rows of a query. On PostgreSQL they have all arrived when the first is read.
pub enum Rows<'s> {
    Sqlite(rusqlite::Rows<'s>),
    Postgres { rows: std::vec::IntoIter<tokio_postgres::Row>, current: Option<tokio_postgres::Row> },
}

impl Rows<'_> {
    /// The next row.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> SqlResult<Option<Row<'_>>> {
        match self {
            Rows::Sqlite(rows) => Ok(rows.next()?.map(Row::Sqlite)),
            Rows::Postgres { rows, current } => {
                *current = rows.next();
                Ok(current.as_ref().map(Row::Postgres))
            }
        }
    }
}

/// Rows through a function: an iterator of its results.
pub struct MappedRows<'s, F> {
    rows: Rows<'s>,
    f: F,
}

impl<T, F> Iterator for MappedRows<'_, F>
where
    F: FnMut(&Row<'_>) -> SqlResult<T>,
{
    type Item = SqlResult<T>;

    fn next(&mut self) -> Option<SqlResult<T>> {
        match self.rows.next() {
            Ok(Some(row)) => Some((self.f)(&row)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

/// One row.
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r tokio_postgres::Row),
}

impl Row<'_> {
    /// Column `idx` (from 0) as `T`.
    pub fn get<T: FromValue>(&self, idx: usize) -> SqlResult<T> {
        self.with_ref(idx, |v| T::from_value(v).map_err(|e| SqlError::column(idx, e)))
    }

    /// Column `idx` as stored.
    pub fn with_ref<T>(&self, idx: usize, f: impl FnOnce(ValueRef<'_>) -> SqlResult<T>) -> SqlResult<T> {
        match self {
            Row::Sqlite(r) => f(Value::from_sqlite(r.get_ref(idx)?).map_err(|e| SqlError::column(idx, e))?),
            Row::Postgres(r) => {
                let column: value::PgColumn<'_> = r.try_get(idx)?;
                f(column.0)
            }
        }
    }

    /// Whether column `idx` is NULL.
    pub fn is_null(&self, idx: usize) -> SqlResult<bool> {
        self.with_ref(idx, |v| Ok(v == Value::Null))
    }
}

/// SQLite's `?N` (and bare `?`) parameters as PostgreSQL's `$N`, outside quoted text.
pub fn postgres_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut chars = sql.chars().peekable();
    let mut quote: Option<char> = None;
    let mut next_bare = 1;
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c == '?' => {
                out.push('$');
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    while let Some(d) = chars.next_if(char::is_ascii_digit) {
                        out.push(d);
                    }
                } else {
                    out.push_str(&next_bare.to_string());
                    next_bare += 1;
                }
            }
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_numbered_dollars_outside_quotes() {
        assert_eq!(postgres_placeholders("SELECT a FROM t WHERE b = ?2 AND c = ?1"), "SELECT a FROM t WHERE b = $2 AND c = $1");
        assert_eq!(postgres_placeholders("VALUES (?, ?, ?)"), "VALUES ($1, $2, $3)");
        assert_eq!(postgres_placeholders("SELECT '?1', \"a?\" FROM t WHERE x = ?10"), "SELECT '?1', \"a?\" FROM t WHERE x = $10");
    }

    #[test]
    fn transactions_nest_as_savepoints_and_roll_back_when_dropped() {
        let raw = rusqlite::Connection::open_in_memory().expect("memory");
        let conn = Conn::sqlite(&raw);
        conn.execute_batch("CREATE TABLE t (x INTEGER)").expect("table");
        {
            let tx = conn.transaction().expect("begin");
            tx.execute("INSERT INTO t VALUES (?1)", params![1]).expect("insert");
            {
                let inner = tx.transaction().expect("savepoint");
                inner.execute("INSERT INTO t VALUES (?1)", params![2]).expect("insert");
                // dropped: rolled back to the savepoint
            }
            let inner = tx.transaction().expect("savepoint");
            inner.execute("INSERT INTO t VALUES (?1)", params![3]).expect("insert");
            inner.commit().expect("release");
            tx.commit().expect("commit");
        }
        {
            let tx = conn.transaction().expect("begin");
            tx.execute("INSERT INTO t VALUES (?1)", params![4]).expect("insert");
        }
        let mut stmt = conn.prepare("SELECT x FROM t ORDER BY x").expect("prepare");
        let xs: Vec<i64> = stmt.query_map(params![], |r| r.get(0)).expect("query").collect::<SqlResult<_>>().expect("rows");
        assert_eq!(xs, vec![1, 3]);
        assert!(raw.is_autocommit());
    }

    #[test]
    fn no_row_is_none_when_optional() {
        let raw = rusqlite::Connection::open_in_memory().expect("memory");
        let conn = Conn::sqlite(&raw);
        let none: Option<i64> = conn.query_row("SELECT 1 WHERE 0", params![], |r| r.get(0)).optional().expect("query");
        assert_eq!(none, None);
        let text: Option<String> = conn.query_row("SELECT NULL", params![], |r| r.get(0)).expect("query");
        assert_eq!(text, None);
    }
}
