//! The per-day ledger: records created, finalised, sent (first attempt) and acknowledged
//! by the server, counted in the same transaction as the event itself.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, Transaction, params};

use super::{Store, StoreError};

/// One day's counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LedgerDay {
    pub created: u64,
    pub finalised: u64,
    pub sent: u64,
    pub acknowledged: u64,
}

/// What is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Event {
    Created,
    Finalised,
    Sent,
    Acknowledged,
}

/// Adds `n` events of a kind to `day`'s counts.
pub(super) fn bump(tx: &Transaction<'_>, day: NaiveDate, event: Event, n: u64) -> Result<(), StoreError> {
    if n == 0 {
        return Ok(());
    }
    let sql = match event {
        Event::Created => "INSERT INTO ledger (day, created) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET created = created + ?2",
        Event::Finalised => "INSERT INTO ledger (day, finalised) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET finalised = finalised + ?2",
        Event::Sent => "INSERT INTO ledger (day, sent) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET sent = sent + ?2",
        Event::Acknowledged => {
            "INSERT INTO ledger (day, acknowledged) VALUES (?1, ?2) ON CONFLICT (day) DO UPDATE SET acknowledged = acknowledged + ?2"
        }
    };
    tx.prepare_cached(sql)?.execute(params![day.to_string(), n as i64])?;
    Ok(())
}

impl Store {
    /// The counts of one day (zero when nothing happened).
    pub fn ledger(&self, day: NaiveDate) -> Result<LedgerDay, StoreError> {
        let row = self
            .conn
            .prepare_cached("SELECT created, finalised, sent, acknowledged FROM ledger WHERE day = ?1")?
            .query_row([day.to_string()], |r| {
                Ok(LedgerDay {
                    created: r.get::<_, i64>(0)? as u64,
                    finalised: r.get::<_, i64>(1)? as u64,
                    sent: r.get::<_, i64>(2)? as u64,
                    acknowledged: r.get::<_, i64>(3)? as u64,
                })
            })
            .optional()?;
        Ok(row.unwrap_or_default())
    }
}
