//! The PostgreSQL engine: a deadpool pool of tokio-postgres connections, the schema's
//! migrations for this dialect, and how writes and reads run.
//!
//! Writes are serialised across every server on the database by a transaction-level
//! advisory lock taken first in each writing transaction: the same one-writer rule the
//! SQLite engine has, so every use case keeps its meaning, and a change's number becomes
//! visible only after every lower one (a device's pull cursor never passes a change still
//! to commit). Reads run beside writes on other connections.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio::runtime::Handle;

use super::sql::{Conn, PgSession, params};
use super::DbError;

/// The advisory lock every writing transaction takes (an arbitrary constant: "VENT").
pub(super) const WRITER_LOCK: i64 = 0x5645_4E54;

/// Connections per server process.
const POOL_SIZE: usize = 16;

/// The schema, per version: `(version, statements)`, applied in order, append-only. The
/// numbering is the SQLite engine's (`migrations/sqlite/`), so one schema version means
/// the same tables on both; the first PostgreSQL migration creates the whole schema of
/// version 19, when this engine arrived.
const MIGRATIONS: &[(usize, &str)] = &[
    (19, include_str!("../../migrations/postgres/0019_schema.sql")),
    (20, include_str!("../../migrations/postgres/0020_export_jobs.sql")),
    (21, include_str!("../../migrations/postgres/0021_staged_forms.sql")),
    (22, include_str!("../../migrations/postgres/0022_review_transitions.sql")),
];

#[derive(Clone)]
pub(super) struct PgPool {
    pool: Pool,
}

fn pool_error(e: impl std::fmt::Display) -> DbError {
    DbError::Other(anyhow::anyhow!("PostgreSQL: {e}"))
}

impl PgPool {
    /// A pool for `url`, its database migrated.
    pub(super) async fn connect(url: &str) -> Result<Self, DbError> {
        let (pool, migrated) = Self::connect_migrated(url).await?;
        if migrated.from != migrated.to {
            tracing::info!(from = migrated.from, to = migrated.to, "PostgreSQL schema migrated");
        }
        Ok(pool)
    }

    /// [`PgPool::connect`], saying which migrations it applied.
    pub(super) async fn connect_migrated(url: &str) -> Result<(Self, super::maintenance::Migrated), DbError> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| DbError::Invalid(format!("dirección de PostgreSQL inválida: {e}")))?;
        let manager = Manager::from_config(config, tokio_postgres::NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .wait_timeout(Some(Duration::from_secs(30)))
            .create_timeout(Some(Duration::from_secs(10)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(pool_error)?;
        let this = Self { pool };
        let migrated = this.migrate().await?;
        Ok((this, migrated))
    }

    pub(super) fn close(&self) {
        self.pool.close();
    }

    /// Applies the migrations the database lacks, each in its own transaction, under the
    /// writers' lock (two servers starting at once apply each migration once).
    async fn migrate(&self) -> Result<super::maintenance::Migrated, DbError> {
        self.write(|conn| {
            conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)")?;
            let current: Option<i64> = conn.query_row("SELECT MAX(version) FROM schema_version", params![], |r| r.get(0))?;
            let from = current.unwrap_or(0).max(0) as usize;
            let mut to = from;
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > from) {
                conn.execute_batch(sql)?;
                conn.execute("DELETE FROM schema_version", params![])?;
                conn.execute("INSERT INTO schema_version (version) VALUES (?1)", params![*version as i64])?;
                to = *version;
            }
            Ok(super::maintenance::Migrated { from, to })
        })
        .await
    }

    /// See [`super::Db::write`].
    pub(super) async fn write<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Conn<'_>) -> Result<T, DbError> + Send + 'static,
    {
        let client = self.pool.get().await.map_err(pool_error)?;
        let rt = Handle::current();
        tokio::task::spawn_blocking(move || {
            let conn = Conn::postgres(PgSession { client: &client, rt: &rt });
            let tx = conn.transaction()?;
            tx.query_row("SELECT pg_advisory_xact_lock(?1)", params![WRITER_LOCK], |_| Ok(()))?;
            let out = f(&tx)?;
            tx.commit()?;
            Ok(out)
        })
        .await
        .map_err(|e| DbError::Other(e.into()))?
    }

    /// See [`super::Db::with_own_reader`]. Blocking (on a thread of the runtime's blocking pool).
    pub(super) fn with_own_reader<T>(&self, f: impl FnOnce(&Conn<'_>) -> Result<T, DbError>) -> Result<T, DbError> {
        let rt = Handle::current();
        let client = rt.block_on(self.pool.get()).map_err(pool_error)?;
        f(&Conn::postgres(PgSession { client: &client, rt: &rt }))
    }

    /// See [`super::Db::read`].
    pub(super) async fn read<T, F>(&self, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: FnOnce(&Conn<'_>) -> Result<T, DbError> + Send + 'static,
    {
        let client = self.pool.get().await.map_err(pool_error)?;
        let rt = Handle::current();
        tokio::task::spawn_blocking(move || f(&Conn::postgres(PgSession { client: &client, rt: &rt })))
            .await
            .map_err(|e| DbError::Other(e.into()))?
    }
}

#[cfg(test)]
mod tests {
    /// One schema version means the same tables on both engines: PostgreSQL's migrations
    /// reach the version SQLite's do.
    #[test]
    fn both_engines_migrate_to_the_same_version() {
        assert_eq!(super::MIGRATIONS.last().map(|(v, _)| *v), Some(super::super::migrations::SCHEMA_VERSION));
        assert!(super::MIGRATIONS.windows(2).all(|w| w[0].0 < w[1].0), "in order, each once");
    }
}
