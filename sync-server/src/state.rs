//! What every handler can reach.

use std::sync::{Arc, RwLock};

use chrono::FixedOffset;

use crate::db::Db;
use crate::ingest::{CachedForm, FormCache};
use crate::limits::RateLimiter;
use crate::photos::Photos;
use crate::periods::PeriodSettings;
use crate::scores::{Live, Rebuilding};

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Published forms, parsed once (loaded at start, extended on publish).
    pub forms: Arc<RwLock<FormCache>>,
    /// The centros' UTC offset (capture dates, receipts).
    pub local_offset: FixedOffset,
    /// The periods' pinned settings, by which records are flagged and reduced at ingest.
    pub periods: Arc<RwLock<Arc<PeriodSettings>>>,
    /// The trámites each centro lists or ever listed, that ingest accepts.
    pub tramites: Arc<RwLock<Arc<crate::ingest::Tramites>>>,
    /// Every period's scores, kept current by each push.
    pub scores: Arc<Live>,
    /// Requests per device.
    pub device_limiter: Arc<RateLimiter>,
    /// QR survey pages per client address.
    pub qr_limiter: Arc<RateLimiter>,
    /// Signs the QR codes and the survey pages' nonces (the same in every server of one
    /// database).
    pub qr_key: crate::qr::token::QrKey,
    /// Failed logins per client, per client and username, per username.
    pub login_limits: Arc<crate::limits::LoginLimits>,
    /// Client addresses come from `X-Forwarded-For` (behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// Console sessions and cookies.
    pub console: Arc<ConsoleSettings>,
    /// Evidence photos.
    pub photos: Photos,
    /// The Enlaces' documentary evidence.
    pub evidence: crate::photos::Store,
    /// Rows per worksheet of XLSX exports (Excel's limit unless configured lower).
    pub xlsx_sheet_rows: u32,
    /// How long each route takes to answer, over the last hour.
    pub latencies: Arc<crate::latency::Latencies>,
    /// The field app's web build, served at `/app/` (`None`: not served).
    pub web_app: Option<Arc<std::path::PathBuf>>,
    /// Where console export files are written (under the files directory all servers share).
    pub exports_dir: std::path::PathBuf,
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
    pub async fn load(db: Db, local_offset: FixedOffset, data_dir: &std::path::Path) -> anyhow::Result<Self> {
        let mut cache = FormCache::new();
        load_forms(&db, &mut cache).await?;
        let qr_key = crate::qr::token::QrKey(db.server_key("qr").await?);
        let state = Self {
            db,
            forms: Arc::new(RwLock::new(cache)),
            local_offset,
            periods: Arc::default(),
            tramites: Arc::default(),
            scores: Arc::default(),
            // A device may burst 120 requests, then 20 per second (`--device-burst`,
            // `--device-rate`): a draining outbox of thousands of surveys needs a few dozen pushes.
            device_limiter: Arc::new(RateLimiter::new(120, 20.0)),
            qr_limiter: Arc::new(RateLimiter::new(120, 1.0)),
            qr_key,
            login_limits: Arc::default(),
            trust_forwarded_for: false,
            console: Arc::default(),
            photos: Photos::new(data_dir),
            evidence: crate::photos::Store::evidence(data_dir),
            xlsx_sheet_rows: crate::db::XLSX_MAX_ROWS,
            exports_dir: crate::jobs::exports_dir(data_dir),
            web_app: None,
            latencies: Arc::default(),
        };
        state.rebuild_scores().await?;
        Ok(state)
    }

    /// Rebuilds the live scores from the database (at start, after program changes, and
    /// after damage), and the periods' settings and centros' trámites that ingest uses.
    pub async fn rebuild_scores(&self) -> anyhow::Result<()> {
        let db = self.db.clone();
        self.scores.rebuild(|| async move { Ok(db.score_inputs().await?) }).await?;
        let periods = self.scores.read(|live| live.periods()).map_err(anyhow::Error::from)?;
        let states = self.db.period_states().await?;
        let snapshot = PeriodSettings::new(periods).with_states(states.into_iter().map(|(id, s)| (id, s.state)));
        *self.periods.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(snapshot);
        let tramites = Arc::new(self.db.every_tramite().await?);
        *self.tramites.write().unwrap_or_else(std::sync::PoisonError::into_inner) = tramites;
        Ok(())
    }

    /// The centros' trámites as ingest accepts them (a snapshot).
    pub fn tramites(&self) -> Arc<crate::ingest::Tramites> {
        self.tramites.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Brings the periods' states that ingest uses up to date (after a close, a reopening
    /// or a publication), without rebuilding the scores.
    pub async fn refresh_period_states(&self) -> anyhow::Result<()> {
        let states = self.db.period_states().await?;
        let mut guard = self.periods.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = Arc::new(guard.with_states(states.into_iter().map(|(id, s)| (id, s.state))));
        Ok(())
    }

    /// The periods' settings for ingest (a snapshot).
    pub fn period_settings(&self) -> Arc<PeriodSettings> {
        // The value behind the lock is replaced whole: a panic elsewhere cannot leave it
        // half-written, so a poisoned lock still holds a whole snapshot.
        self.periods.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Reads the live scores. While they are damaged (a panic during an update) the
    /// answer is 503 and a rebuild from the database is started.
    pub fn read_scores<T>(&self, f: impl FnOnce(&crate::scores::LiveScores) -> T) -> Result<T, crate::error::AppError> {
        self.scores.read(f).map_err(|Rebuilding| {
            if self.scores.ask_repair() {
                let state = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = state.rebuild_scores().await {
                        tracing::error!(error = %e, "rebuilding the damaged live scores failed");
                    }
                });
            }
            crate::error::AppError::Unavailable("scores_rebuilding", Rebuilding.to_string())
        })
    }

    /// Adds to the form cache the versions published since it was filled (by another
    /// server on the same database).
    pub async fn load_new_forms(&self) -> anyhow::Result<()> {
        let mut cache = self.forms();
        load_forms(&self.db, &mut cache).await?;
        let mut shared = self.forms.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (key, form) in cache {
            shared.entry(key).or_insert(form);
        }
        Ok(())
    }

    /// A snapshot of the form cache.
    pub fn forms(&self) -> FormCache {
        // Entries are only ever inserted whole: a poisoned lock still holds whole forms.
        self.forms.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

/// Reads into `cache` the published form versions it lacks.
async fn load_forms(db: &Db, cache: &mut FormCache) -> anyhow::Result<()> {
    for f in db.forms().await? {
        let key = (f.form_id.clone(), f.version.clone());
        if cache.contains_key(&key) {
            continue;
        }
        let files = db.form_files(f.form_id.clone(), f.version.clone()).await?;
        let form = shared::form::import_with_files(&f.xlsx, Some(&f.form_id), &files).map_err(|e| anyhow::anyhow!("stored form {} {}: {e}", f.form_id, f.version))?;
        cache.insert(key, Arc::new(CachedForm::new(form.form)));
    }
    Ok(())
}
