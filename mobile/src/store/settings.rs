//! Key–value settings: the enrolment (server, token, user), the pull cursor, the last
//! sync and the server's last day receipt.

use rusqlite::{OptionalExtension, Transaction, params};
use shared::protocol::{DeviceLedger, DeviceReceipt, Role};

use super::{Store, StoreError, from_json, to_json};

/// Who this device is, once enrolled.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Enrolment {
    pub server: String,
    pub token: String,
    pub device_id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// A tablet enrolled as a centro's kiosk: the centro, the PIN that leaves kiosk mode (only
/// its salted SHA-256 is kept), how long the screen waits for a citizen before it goes
/// back to the welcome, and the wrong PINs tried since the last right one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Kiosk {
    pub centro_id: String,
    pub pin_salt: String,
    pub pin_hash: String,
    #[serde(default = "default_idle_seconds")]
    pub idle_seconds: u32,
    #[serde(default)]
    pub failed_pins: u32,
    /// After too many wrong PINs, none is tried before this time (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<String>,
}

/// Seconds without a touch before a kiosk goes back to its welcome screen, unless the
/// supervisor chose otherwise.
pub const KIOSK_IDLE_SECONDS: u32 = 120;
/// The range a supervisor may choose from.
pub const KIOSK_IDLE_RANGE: std::ops::RangeInclusive<u32> = 10..=3600;

fn default_idle_seconds() -> u32 {
    KIOSK_IDLE_SECONDS
}

impl Kiosk {
    /// The kiosk of `centro_id` left with `pin`, salted with `salt`, back at its welcome
    /// after `idle_seconds` without a touch.
    pub fn new(centro_id: &str, pin: &str, salt: &str, idle_seconds: u32) -> Self {
        Self {
            centro_id: centro_id.to_string(),
            pin_salt: salt.to_string(),
            pin_hash: pin_hash(salt, pin),
            idle_seconds,
            failed_pins: 0,
            locked_until: None,
        }
    }

    /// Whether `pin` is the one that leaves kiosk mode.
    pub fn opens_with(&self, pin: &str) -> bool {
        pin_hash(&self.pin_salt, pin) == self.pin_hash
    }
}

fn pin_hash(salt: &str, pin: &str) -> String {
    shared::digest::sha256_hex(format!("ventanilla-kiosko\0{salt}\0{pin}").as_bytes())
}

const ENROLMENT: &str = "enrolment";
const KIOSK: &str = "kiosk";
const CURSOR: &str = "pull_cursor";
const REVOKED: &str = "revoked";
const LAST_SYNC: &str = "last_sync";
const RECEIPT: &str = "last_receipt";
const LEDGER_REPORTED: &str = "ledger_reported";

/// What a push carried besides records, which the server has heard once it answers: the
/// day's counts (when it carried them) and the sampling counts.
#[derive(Debug, Clone, Copy)]
pub struct Reported<'a> {
    pub ledger: Option<&'a DeviceLedger>,
    pub sampling: &'a [shared::protocol::SamplingCount],
}
/// The sampling counts the server last acknowledged receiving (JSON).
const SAMPLING_REPORTED: &str = "sampling_reported";

pub(super) fn get(tx: &rusqlite::Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(tx.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub(super) fn set(tx: &Transaction<'_>, key: &str, value: &str) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")?
        .execute(params![key, value])?;
    Ok(())
}

impl Store {
    /// The enrolment, if this device is enrolled.
    pub fn enrolment(&self) -> Result<Option<Enrolment>, StoreError> {
        get(&self.conn, ENROLMENT)?.map(|t| from_json(&t)).transpose()
    }

    /// Saves a new enrolment. Enrolling as another user (or on another server) starts the
    /// reference data over (forms, centros, cursor); drafts and unsent records are kept.
    pub fn set_enrolment(&mut self, e: &Enrolment) -> Result<(), StoreError> {
        self.enrol_as(e, None)
    }

    /// Saves the enrolment of a kiosk tablet, in kiosk mode, in one transaction.
    pub fn set_kiosk_enrolment(&mut self, e: &Enrolment, kiosk: &Kiosk) -> Result<(), StoreError> {
        self.enrol_as(e, Some(kiosk))
    }

    /// The kiosk this tablet is, while in kiosk mode.
    pub fn kiosk(&self) -> Result<Option<Kiosk>, StoreError> {
        get(&self.conn, KIOSK)?.map(|t| from_json(&t)).transpose()
    }

    /// Leaves kiosk mode (the enrolment stays, so what waits is still sent).
    pub fn clear_kiosk(&mut self) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM settings WHERE key = ?1", [KIOSK])?;
        Ok(())
    }

    /// Keeps what changed of the kiosk (its count of wrong PINs).
    pub fn update_kiosk(&mut self, kiosk: &Kiosk) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        set(&tx, KIOSK, &to_json(kiosk)?)?;
        tx.commit()?;
        Ok(())
    }

    fn enrol_as(&mut self, e: &Enrolment, kiosk: Option<&Kiosk>) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let previous: Option<Enrolment> = get(&tx, ENROLMENT)?.map(|t| from_json(&t)).transpose()?;
        let same_scope = previous.is_some_and(|p| p.server == e.server && p.username == e.username);
        if !same_scope {
            tx.execute_batch("DELETE FROM centros; DELETE FROM commitments; DELETE FROM previous_visits; DELETE FROM periods;")?;
            set(&tx, CURSOR, "0")?;
        }
        set(&tx, ENROLMENT, &to_json(e)?)?;
        tx.execute("DELETE FROM settings WHERE key = ?1", [REVOKED])?;
        match kiosk {
            Some(k) => set(&tx, KIOSK, &to_json(k)?)?,
            None => {
                tx.execute("DELETE FROM settings WHERE key = ?1", [KIOSK])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The server refused the token (revoked): sync stops until the user enrols again.
    /// Nothing else changes.
    pub fn mark_revoked(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        set(&tx, REVOKED, "1")?;
        tx.commit()?;
        Ok(())
    }

    /// True once the server has refused this device's token.
    pub fn is_revoked(&self) -> Result<bool, StoreError> {
        Ok(get(&self.conn, REVOKED)?.is_some())
    }

    /// The pull cursor (0 before the first pull).
    pub fn cursor(&self) -> Result<u64, StoreError> {
        Ok(get(&self.conn, CURSOR)?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// Records a finished sync.
    pub fn record_sync(&mut self) -> Result<(), StoreError> {
        let now = self.now().to_rfc3339();
        let tx = self.conn.transaction()?;
        set(&tx, LAST_SYNC, &now)?;
        tx.commit()?;
        Ok(())
    }

    /// When the last sync finished (RFC 3339), if ever.
    pub fn last_sync(&self) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, StoreError> {
        Ok(get(&self.conn, LAST_SYNC)?.and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok()))
    }

    /// Today's counts as the server should see them (sent with every push).
    pub fn ledger_report(&self) -> Result<DeviceLedger, StoreError> {
        let date = self.today();
        let l = self.ledger(date)?;
        Ok(DeviceLedger { date, created: l.created, finalised: l.finalised, sent: l.sent, acknowledged: l.acknowledged })
    }

    /// The last ledger the server acknowledged receiving.
    pub fn reported_ledger(&self) -> Result<Option<DeviceLedger>, StoreError> {
        get(&self.conn, LEDGER_REPORTED)?.map(|t| from_json(&t)).transpose()
    }

    /// The server received this ledger.
    pub fn set_reported_ledger(&mut self, l: &DeviceLedger) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        set(&tx, LEDGER_REPORTED, &to_json(l)?)?;
        tx.commit()?;
        Ok(())
    }

    /// [`Store::set_reported_ledger`] and [`Store::set_reported_sampling`] in the caller's
    /// transaction.
    pub(super) fn record_reported(tx: &Transaction<'_>, reported: &Reported<'_>) -> Result<(), StoreError> {
        if let Some(ledger) = reported.ledger {
            set(tx, LEDGER_REPORTED, &to_json(ledger)?)?;
        }
        set(tx, SAMPLING_REPORTED, &to_json(&reported.sampling)?)
    }

    /// The sampling counts the server last acknowledged receiving.
    pub fn reported_sampling(&self) -> Result<Vec<shared::protocol::SamplingCount>, StoreError> {
        Ok(get(&self.conn, SAMPLING_REPORTED)?.map(|t| from_json(&t)).transpose()?.unwrap_or_default())
    }

    /// The server received these sampling counts.
    pub fn set_reported_sampling(&mut self, counts: &[shared::protocol::SamplingCount]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        set(&tx, SAMPLING_REPORTED, &to_json(&counts)?)?;
        tx.commit()?;
        Ok(())
    }

    /// The server's last day receipt for this device.
    pub fn last_receipt(&self) -> Result<Option<DeviceReceipt>, StoreError> {
        get(&self.conn, RECEIPT)?.map(|t| from_json(&t)).transpose()
    }
}

pub(super) const CURSOR_KEY: &str = CURSOR;
pub(super) const RECEIPT_KEY: &str = RECEIPT;
