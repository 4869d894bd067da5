//! The server's health as the health endpoint (and a load balancer) sees it: the database
//! reached within a bound, with the schema this server migrates to.

use std::time::Duration;

use shared::protocol::{DatabaseHealth, Health, PROTOCOL_VERSION};

use crate::AppState;
use crate::db::maintenance::SCHEMA_VERSION;

/// How long the database may take to answer before the server says it is degraded.
const DATABASE_BOUND: Duration = Duration::from_secs(2);

/// Asks the database, within [`DATABASE_BOUND`].
pub async fn check(state: &AppState) -> Health {
    let expected = SCHEMA_VERSION as u32;
    let database = match tokio::time::timeout(DATABASE_BOUND, state.db.state()).await {
        Ok(Ok(s)) => {
            let ok = s.schema_version == SCHEMA_VERSION;
            DatabaseHealth {
                engine: s.engine.into(),
                ok,
                schema_version: s.schema_version as u32,
                schema_expected: expected,
                last_change: s.last_change,
                file_bytes: s.file_bytes,
                wal_bytes: s.wal_bytes,
                message: (!ok).then(|| format!("El esquema de la base de datos es la versión {}; este servidor usa la {expected}.", s.schema_version)),
            }
        }
        Ok(Err(e)) => unreachable_database(state, expected, format!("La base de datos no respondió: {}", e.for_people())),
        Err(_) => unreachable_database(state, expected, format!("La base de datos no respondió en {} s.", DATABASE_BOUND.as_secs())),
    };
    Health {
        status: if database.ok { "ok" } else { "degraded" }.into(),
        server_version: env!("CARGO_PKG_VERSION").into(),
        protocol_version: PROTOCOL_VERSION,
        database: Some(database),
    }
}

fn unreachable_database(state: &AppState, expected: u32, message: String) -> DatabaseHealth {
    let engine = match state.db.dialect() {
        crate::db::Dialect::Sqlite => "sqlite",
        crate::db::Dialect::Postgres => "postgres",
    };
    DatabaseHealth { engine: engine.into(), ok: false, schema_version: 0, schema_expected: expected, last_change: 0, file_bytes: 0, wal_bytes: 0, message: Some(message) }
}
