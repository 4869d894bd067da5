//! What every handler can reach.

use std::sync::{Arc, RwLock};

use chrono::FixedOffset;
use shared::scoring::MethodSettings;

use crate::db::Db;
use crate::ingest::{CachedForm, FormCache};
use crate::limits::RateLimiter;
use crate::photos::Photos;
use crate::scores::LiveScores;

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
    /// Every period's scores, kept current by each push.
    pub scores: Arc<RwLock<LiveScores>>,
    /// Requests per device.
    pub device_limiter: Arc<RateLimiter>,
    /// Failed logins per client, per client and username, per username.
    pub login_limits: Arc<crate::limits::LoginLimits>,
    /// Client addresses come from `X-Forwarded-For` (behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// Console sessions and cookies.
    pub console: Arc<ConsoleSettings>,
    /// Evidence photos.
    pub photos: Photos,
    /// XLSForm uploads checked in the console and waiting for «Publicar», by SHA-256.
    pub staged_forms: Arc<std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>>,
    /// Exports started from the console, with their progress.
    pub export_jobs: Arc<std::sync::Mutex<std::collections::BTreeMap<uuid::Uuid, crate::jobs::ExportJob>>>,
}

/// How console sessions live and how their cookie is sent.
#[derive(Debug, Clone)]
pub struct ConsoleSettings {
    pub session: crate::db::SessionLimits,
    pub cookie_secure: crate::console::origin::CookieSecure,
    /// The console's public origin (`https://host[:port]`) behind a reverse proxy.
    pub public_origin: Option<String>,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self {
            session: crate::db::SessionLimits { idle: 2 * 3600, absolute: 12 * 3600 },
            cookie_secure: Default::default(),
            public_origin: None,
        }
    }
}

impl AppState {
    /// Whether the console session of `device_id` is alive now (and records the activity).
    pub async fn console_session_alive(&self, device_id: uuid::Uuid) -> Result<bool, crate::db::DbError> {
        self.db.touch_session(device_id, chrono::Utc::now().timestamp(), self.console.session).await
    }

    /// Today at the centros (receipts, capture dates).
    pub fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.local_offset).date_naive()
    }

    /// State over an open database, with its published forms loaded.
    pub async fn load(db: Db, local_offset: FixedOffset, photos: Photos) -> anyhow::Result<Self> {
        let settings = MethodSettings::default();
        let mut cache = FormCache::new();
        for f in db.forms().await? {
            let form = shared::form::import_xlsx(&f.xlsx).map_err(|e| anyhow::anyhow!("stored form {} {}: {e}", f.form_id, f.version))?;
            cache.insert((f.form_id, f.version), Arc::new(CachedForm::new(form.form, &settings)));
        }
        let scores = Arc::new(RwLock::new(LiveScores::default()));
        let state = Self {
            db,
            forms: Arc::new(RwLock::new(cache)),
            local_offset,
            settings: Arc::new(settings),
            scores,
            // A device may burst 120 requests, then 20 per second: a draining outbox of
            // thousands of surveys needs a few dozen pushes.
            device_limiter: Arc::new(RateLimiter::new(120, 20.0)),
            login_limits: Arc::default(),
            trust_forwarded_for: false,
            console: Arc::default(),
            photos,
            staged_forms: Arc::default(),
            export_jobs: Arc::default(),
        };
        state.rebuild_scores().await?;
        Ok(state)
    }

    /// Rebuilds the live scores from the database (at start, and after program changes).
    pub async fn rebuild_scores(&self) -> anyhow::Result<()> {
        let inputs = self.db.score_inputs().await?;
        let live = LiveScores::build(&inputs);
        let mut guard = self.scores.write().map_err(|_| anyhow::anyhow!("scores lock poisoned"))?;
        *guard = live;
        Ok(())
    }

    /// A snapshot of the form cache.
    pub fn forms(&self) -> FormCache {
        self.forms.read().map(|f| f.clone()).unwrap_or_default()
    }
}
