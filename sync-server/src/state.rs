//! What every handler can reach.

use std::sync::{Arc, RwLock};

use chrono::FixedOffset;
use shared::scoring::MethodSettings;

use crate::db::Db;
use crate::ingest::FormCache;

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Published forms, parsed once (loaded at start, extended on publish).
    pub forms: Arc<RwLock<FormCache>>,
    /// The centros' UTC offset (capture dates, receipts).
    pub local_offset: FixedOffset,
    /// The settings whose integrity limits apply to new surveys.
    pub settings: Arc<MethodSettings>,
}

impl AppState {
    /// State over an open database, with its published forms loaded.
    pub async fn load(db: Db, local_offset: FixedOffset) -> anyhow::Result<Self> {
        let mut cache = FormCache::new();
        for f in db.forms().await? {
            let form = shared::form::import_xlsx(&f.xlsx).map_err(|e| anyhow::anyhow!("stored form {} {}: {e}", f.form_id, f.version))?;
            cache.insert((f.form_id, f.version), Arc::new(form.form));
        }
        Ok(Self { db, forms: Arc::new(RwLock::new(cache)), local_offset, settings: Arc::new(MethodSettings::default()) })
    }

    /// A snapshot of the form cache.
    pub fn forms(&self) -> FormCache {
        self.forms.read().map(|f| f.clone()).unwrap_or_default()
    }
}
