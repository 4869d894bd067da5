//! The screens' handle on the field app ([`FieldClient`]): every question and action of the
//! UI as an async call. Natively the app runs in the same process; in the browser it runs
//! in a dedicated Worker that owns the store (OPFS needs one), and the calls travel as
//! messages. Both go through the same [`call::Call`] dispatch, so the native tests cover
//! the messages the browser sends.
//!
//! The client also keeps what never changes once known: a form version laid out at a
//! centro, its media, and photo thumbnails (content-addressed).

pub mod call;
pub mod dispatch;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use shared::form::Form;
use shared::protocol::ComplaintInput;
use shared::validate::Report;
use tokio::sync::watch;
use uuid::Uuid;

pub use call::{Call, CallError, PickedFile};
use dispatch::{DraftData, FormSource};

use crate::field::{CentroProgram, FieldApp, HomeView, KioskSetup, KioskView, LeaveKiosk, SyncView};
use crate::layout::KeptFile;
use crate::resume::RecordView;
use crate::store::drafts::Draft;
use crate::store::reference::PreviousVisit;
use crate::store::sampling::SamplingDay;
use crate::store::settings::Enrolment;
use crate::sync::SyncStatus;

/// What the fill screen shows of a draft: its form as asked at its centro, validated now.
#[derive(Debug, Clone)]
pub struct FillView {
    pub draft: Draft,
    pub form: Arc<Form>,
    pub report: Report,
    pub previous: Option<PreviousVisit>,
    pub centro_name: String,
    /// File answers kept on the device, by answer value (`<sha256>.<ext>`).
    pub kept: BTreeMap<String, KeptFile>,
    /// Evidence photo thumbnails by SHA-256.
    pub previews: BTreeMap<String, String>,
    /// The form's media files as `data:` URLs, by file name.
    pub media: Arc<BTreeMap<String, String>>,
}

/// A form version as laid out at a centro, with its media.
#[derive(Debug, Clone)]
struct LaidOut {
    form: Arc<Form>,
    media: Arc<BTreeMap<String, String>>,
}

/// A form version at a centro: form id, version, the centro's trámites.
type FormKey = (String, String, Vec<String>);

/// How calls reach the app.
#[derive(Clone)]
enum Link {
    /// The app in this process.
    Local(FieldApp),
    /// The app in the page's Worker.
    #[cfg(target_arch = "wasm32")]
    Worker(crate::pwa::page::WorkerLink),
}

/// The handle the screens share (cheap to clone).
#[derive(Clone)]
pub struct FieldClient {
    link: Link,
    status: watch::Receiver<SyncStatus>,
    forms: Arc<Mutex<HashMap<FormKey, LaidOut>>>,
    previews: Arc<Mutex<HashMap<String, String>>>,
    /// Kept files by answer value (`<sha256>.<ext>`: content-addressed, never changes).
    kept: Arc<Mutex<HashMap<String, KeptFile>>>,
    /// The server address offered on the enrolment screen.
    pub default_server: String,
}

impl std::fmt::Debug for FieldClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldClient").field("default_server", &self.default_server).finish_non_exhaustive()
    }
}

impl PartialEq for FieldClient {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.forms, &other.forms)
    }
}

impl FieldClient {
    /// A client of the app running in this process.
    pub fn local(app: FieldApp) -> Self {
        let status = app.status();
        let default_server = app.default_server.clone();
        Self::with_link(Link::Local(app), status, default_server)
    }

    /// A client of the app in the page's Worker.
    #[cfg(target_arch = "wasm32")]
    pub fn worker(link: crate::pwa::page::WorkerLink, status: watch::Receiver<SyncStatus>, default_server: String) -> Self {
        Self::with_link(Link::Worker(link), status, default_server)
    }

    fn with_link(link: Link, status: watch::Receiver<SyncStatus>, default_server: String) -> Self {
        Self { link, status, forms: Arc::default(), previews: Arc::default(), kept: Arc::default(), default_server }
    }

    /// Starts the app's automatic sync (natively; the Worker starts its own).
    pub fn start_sync(&self) {
        match &self.link {
            Link::Local(app) => {
                app.start_sync();
            }
            #[cfg(target_arch = "wasm32")]
            Link::Worker(_) => {}
        }
    }

    /// What sync is doing; `changed().await` on the receiver to follow it.
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// Puts `call` to the app and reads its answer as `T`.
    async fn ask<T: DeserializeOwned>(&self, call: Call) -> Result<T, CallError> {
        let reply = match &self.link {
            Link::Local(app) => app.call(call).await,
            #[cfg(target_arch = "wasm32")]
            Link::Worker(w) => w.ask(call).await,
        };
        serde_json::from_value(reply?).map_err(|_| CallError::Failed("La app respondió algo que esta pantalla no entiende; recargue la página.".into()))
    }

    pub async fn enrolment(&self) -> Result<Option<Enrolment>, CallError> {
        self.ask(Call::Enrolment).await
    }

    pub async fn enrol(&self, server: &str, username: &str, password: &str) -> Result<Enrolment, CallError> {
        self.ask(Call::Enrol { server: server.into(), username: username.into(), password: password.into() }).await
    }

    pub async fn enrol_kiosk(&self, server: &str, username: &str, password: &str, setup: KioskSetup) -> Result<Enrolment, CallError> {
        self.ask(Call::EnrolKiosk { server: server.into(), username: username.into(), password: password.into(), setup }).await
    }

    /// The kiosk's state (`None`: not a kiosk).
    pub async fn kiosk(&self) -> Result<Option<KioskView>, CallError> {
        self.ask(Call::Kiosk { welcome: false }).await
    }

    /// The kiosk is back at its welcome: whatever survey was open is kept as abandoned.
    pub async fn kiosk_welcome(&self) -> Result<Option<KioskView>, CallError> {
        self.ask(Call::Kiosk { welcome: true }).await
    }

    /// A kiosk survey the citizen walked away from: kept as abandoned, never sent.
    pub async fn abandon(&self, draft: Uuid) -> Result<(), CallError> {
        self.ask(Call::Abandon { draft }).await
    }

    pub async fn leave_kiosk(&self, pin: &str) -> Result<LeaveKiosk, CallError> {
        self.ask(Call::LeaveKiosk { pin: pin.into() }).await
    }

    pub async fn home(&self) -> Result<Option<HomeView>, CallError> {
        self.ask(Call::Home).await
    }

    pub async fn count_person(&self, centro: &str) -> Result<SamplingDay, CallError> {
        self.ask(Call::CountPerson { centro: centro.into() }).await
    }

    pub async fn record_refusal(&self, centro: &str) -> Result<SamplingDay, CallError> {
        self.ask(Call::RecordRefusal { centro: centro.into() }).await
    }

    pub async fn start(&self, centro: &str, sampling_position: Option<u32>) -> Result<Uuid, CallError> {
        self.ask(Call::Start { centro: centro.into(), sampling_position }).await
    }

    pub async fn start_form(&self, centro: &str, form: &str) -> Result<Uuid, CallError> {
        self.ask(Call::StartForm { centro: centro.into(), form: form.into() }).await
    }

    /// A draft with its form (laid out here, once per version and centro list), validated
    /// now, with the thumbnails and kept files it shows.
    pub async fn draft(&self, id: Uuid) -> Result<FillView, CallError> {
        let data: DraftData = self.ask(Call::Draft { id }).await?;
        let laid = self.laid_out(&data.draft.form_id, &data.draft.form_version, &data.tramites).await?;
        let report = crate::record::check(&laid.form, &data.draft, data.now, &data.who);
        let values: Vec<String> = data.draft.answers.values().filter(|v| is_kept_file(v)).cloned().collect();
        let missing: Vec<String> = values.iter().filter(|v| !lock(&self.kept).contains_key(*v)).cloned().collect();
        if !missing.is_empty() {
            let found: Vec<(String, KeptFile)> = self.ask(Call::KeptFiles { values: missing }).await?;
            lock(&self.kept).extend(found);
        }
        let kept: BTreeMap<String, KeptFile> = {
            let cache = lock(&self.kept);
            values.iter().filter_map(|v| Some((v.clone(), cache.get(v)?.clone()))).collect()
        };
        let shas: Vec<String> = data.draft.photos.iter().map(|(_, sha)| sha.clone()).collect();
        let previews = self.photo_previews(&shas).await?;
        Ok(FillView { draft: data.draft, form: laid.form, report, previous: data.previous, centro_name: data.centro_name, kept, previews, media: laid.media })
    }

    async fn laid_out(&self, form_id: &str, version: &str, tramites: &[String]) -> Result<LaidOut, CallError> {
        let key = (form_id.to_string(), version.to_string(), tramites.to_vec());
        if let Some(l) = lock(&self.forms).get(&key) {
            return Ok(l.clone());
        }
        let source: FormSource = self.ask(Call::FormSource { form: form_id.into(), version: version.into() }).await?;
        let files: Vec<shared::form::Attachment> = source.files.into_iter().map(|f| shared::form::Attachment { name: f.name, bytes: f.bytes }).collect();
        let imported = shared::form::import_with_files(&source.xlsx.bytes, Some(form_id), &files).map_err(|e| CallError::Failed(format!("No se pudo leer el formulario: {e}")))?;
        let form = imported.form;
        let form = if shared::form::centro_lists::has_tramites(&form) { shared::form::centro_lists::for_centro(&form, tramites).unwrap_or(form) } else { form };
        let media = files.iter().map(|f| (f.name.clone(), crate::capture::media_url(&f.name, &f.bytes))).collect();
        let laid = LaidOut { form: Arc::new(form), media: Arc::new(media) };
        lock(&self.forms).insert(key, laid.clone());
        Ok(laid)
    }

    /// Thumbnails of evidence photos kept on the device, by SHA-256 (made once each).
    pub async fn photo_previews(&self, sha256: &[String]) -> Result<BTreeMap<String, String>, CallError> {
        let missing: Vec<String> = sha256.iter().filter(|s| !lock(&self.previews).contains_key(*s)).cloned().collect();
        if !missing.is_empty() {
            let found: Vec<(String, String)> = self.ask(Call::PhotoPreviews { sha256: missing }).await?;
            lock(&self.previews).extend(found);
        }
        let cache = lock(&self.previews);
        Ok(sha256.iter().filter_map(|s| Some((s.clone(), cache.get(s)?.clone()))).collect())
    }

    pub async fn answer(&self, draft: Uuid, path: &str, value: Option<&str>) -> Result<(), CallError> {
        self.ask(Call::Answer { draft, path: path.into(), value: value.map(Into::into) }).await
    }

    pub async fn answer_file(&self, draft: Uuid, path: &str, file: Option<PickedFile>) -> Result<(), CallError> {
        self.ask(Call::AnswerFile { draft, path: path.into(), file }).await
    }

    pub async fn score_reason(&self, draft: Uuid, item: &str, reason: Option<&str>) -> Result<(), CallError> {
        self.ask(Call::ScoreReason { draft, item: item.into(), reason: reason.map(Into::into) }).await
    }

    pub async fn add_photo(&self, draft: Uuid, item: &str, bytes: Vec<u8>) -> Result<String, CallError> {
        self.ask(Call::AddPhoto { draft, item: item.into(), bytes }).await
    }

    pub async fn remove_photo(&self, draft: Uuid, item: &str, sha256: &str) -> Result<(), CallError> {
        self.ask(Call::RemovePhoto { draft, item: item.into(), sha256: sha256.into() }).await
    }

    pub async fn start_position(&self, draft: Uuid, geopoint: &str) -> Result<(), CallError> {
        self.ask(Call::StartPosition { draft, geopoint: geopoint.into() }).await
    }

    pub async fn save_place(&self, draft: Uuid, path: &str) -> Result<(), CallError> {
        self.ask(Call::SavePlace { draft, path: path.into() }).await
    }

    pub async fn on_screen(&self, draft: Uuid, path: &str) -> Result<(), CallError> {
        self.ask(Call::OnScreen { draft, path: path.into() }).await
    }

    /// Finalises a draft (a survey declined at consent becomes a refusal of the counter).
    pub async fn finalise(&self, draft: Uuid) -> Result<(), CallError> {
        self.ask(Call::Finalise { draft }).await
    }

    pub async fn discard(&self, draft: Uuid) -> Result<(), CallError> {
        self.ask(Call::Discard { draft }).await
    }

    pub async fn restore(&self, draft: Uuid) -> Result<(), CallError> {
        self.ask(Call::Restore { draft }).await
    }

    pub async fn timer(&self, draft: Uuid, path: &str) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, CallError> {
        self.ask(Call::Timer { draft, path: path.into() }).await
    }

    pub async fn start_timer(&self, draft: Uuid, path: &str) -> Result<(), CallError> {
        self.ask(Call::StartTimer { draft, path: path.into() }).await
    }

    pub async fn stop_timer(&self, draft: Uuid, path: &str) -> Result<Option<String>, CallError> {
        self.ask(Call::StopTimer { draft, path: path.into() }).await
    }

    pub async fn centro_program(&self, centro: &str) -> Result<CentroProgram, CallError> {
        self.ask(Call::CentroProgram { centro: centro.into() }).await
    }

    pub async fn audit_complaint(&self, centro: &str, folio: &str, body: ComplaintInput) -> Result<(), CallError> {
        self.ask(Call::AuditComplaint { centro: centro.into(), folio: folio.into(), body }).await
    }

    pub async fn store_photo(&self, bytes: Vec<u8>) -> Result<String, CallError> {
        self.ask(Call::StorePhoto { bytes }).await
    }

    pub async fn verify_milestone(&self, centro: &str, commitment: &str, milestone: &str, evidence: Vec<String>) -> Result<(), CallError> {
        self.ask(Call::VerifyMilestone { centro: centro.into(), commitment: commitment.into(), milestone: milestone.into(), evidence }).await
    }

    pub async fn record(&self, id: Uuid) -> Result<RecordView, CallError> {
        self.ask(Call::Record { id }).await
    }

    pub async fn correct(&self, id: Uuid) -> Result<Uuid, CallError> {
        self.ask(Call::Correct { id }).await
    }

    pub async fn sync_view(&self) -> Result<SyncView, CallError> {
        self.ask(Call::SyncView).await
    }

    pub async fn retry(&self, id: Uuid) -> Result<(), CallError> {
        self.ask(Call::Retry { id }).await
    }

    /// Asks for a sync round now.
    pub async fn sync_now(&self) -> Result<(), CallError> {
        self.ask(Call::SyncNow).await
    }
}

/// A file answer's value: `<sha256>.<ext>`.
fn is_kept_file(value: &str) -> bool {
    value.split_once('.').is_some_and(|(sha, ext)| shared::digest::is_sha256_hex(sha) && !ext.is_empty() && ext.len() <= 8)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
