//! What the screens call: one handle on the device's store, its parsed forms and its
//! automatic sync. Plain data in and out; no UI types, no SQL.

use std::sync::{Arc, Mutex};

use shared::form::Form;
use shared::protocol::{CentroInfo, CollectionMode, ComplaintInput, Role, ScoreNote, Submission, VerifyMilestone};
use shared::validate::Report;
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::photo::{PhotoError, downscale};
use crate::record::{FinaliseError, FormCache, Identity, check, finalise};
use crate::store::drafts::{Draft, NewDraft};
use crate::store::edits::{Edit, EditKind};
use crate::store::outbox::{OutboxCounts, Problem, SentRecord};
use crate::store::reference::PreviousVisit;
use crate::store::sampling::SamplingDay;
use crate::store::settings::{Enrolment, KIOSK_IDLE_RANGE, Kiosk};
use crate::store::{Store, StoreError};
use crate::sync::{AUTO_SYNC_INTERVAL, Backoff, SyncEngine, SyncFailure, SyncStatus, auto_sync, lock};
use crate::sync_client::{SyncClient, SyncError};

/// The survey and checklist form ids of the MGS-1 instruments.
pub const SURVEY_FORM: &str = "encuesta_opinion";
/// The survey's consent question and the answer that means the person declined.
pub const CONSENT_ITEM: &str = "consentimiento";
pub const CONSENT_NO: &str = "no";
pub const VISIT_FORM: &str = "cedula_visita";

/// Why enrolment failed. Messages in Spanish.
#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    #[error("Escriba la dirección del servidor, su usuario y su contraseña.")]
    Missing,
    #[error("Usuario o contraseña incorrectos.")]
    BadCredentials,
    #[error("{0}")]
    Server(SyncError),
    #[error("Este usuario ({0}) no trabaja en campo; use la consola web.")]
    NotFieldRole(String),
    #[error(
        "Antes de registrar a otra persona, la app envía al servidor lo que {user} dejó por enviar ({waiting}), a su nombre, y ahora no se pudo: {reason} Intente de nuevo cuando haya señal; nada se borró."
    )]
    PreviousUnsent { user: String, waiting: String, reason: String },
    #[error("El PIN para salir del modo kiosko es de 4 a 8 dígitos.")]
    BadPin,
    #[error("El tiempo para volver a la bienvenida va de {} a {} segundos.", KIOSK_IDLE_RANGE.start(), KIOSK_IDLE_RANGE.end())]
    BadIdle,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// An enrolment refused by the server, as the enrolment screen says it.
fn enrol_error(e: SyncError) -> EnrolError {
    match e {
        SyncError::Server { status: 401, .. } => EnrolError::BadCredentials,
        other => EnrolError::Server(other),
    }
}

/// What the phone keeps of the server's answer to an enrolment.
fn enrolment_of(client: &SyncClient, response: shared::protocol::EnrolResponse) -> Enrolment {
    Enrolment {
        server: client.base().to_string(),
        token: response.token,
        device_id: response.device_id.to_string(),
        username: response.user.username,
        display_name: response.user.display_name,
        role: response.user.role,
    }
}

/// What is on the phone waiting to reach the server (records, edits, photos), said in
/// Spanish; `None` when nothing is.
fn waiting_to_send(store: &Store) -> Result<Option<String>, StoreError> {
    use shared::words::count;
    let records = store.outbox_counts()?.pending;
    let edits = store.edits(None, true)?.len() as u64;
    let photos = store.photo_queue()?.len() as u64;
    let parts: Vec<String> = [(records, "registro", "registros"), (edits, "cambio", "cambios"), (photos, "foto", "fotos")]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| count(n, one, many))
        .collect();
    Ok((!parts.is_empty()).then(|| parts.join(", ")))
}

/// Midnight today at the store's offset.
fn start_of_today(store: &Store) -> chrono::DateTime<chrono::FixedOffset> {
    let now = store.now();
    now.with_time(chrono::NaiveTime::MIN).single().unwrap_or(now)
}

/// What a supervisor sets when enrolling a kiosk tablet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KioskSetup {
    pub centro_id: String,
    /// 4 to 8 digits, asked to leave kiosk mode.
    pub pin: String,
    /// Seconds without a touch before the screen goes back to the welcome.
    pub idle_seconds: u32,
}

/// What a kiosk's screens show and how long they wait.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KioskView {
    pub centro_id: String,
    pub centro_name: String,
    pub idle_seconds: u32,
    /// The survey form and the centro have arrived (by sync since enrolment): a citizen
    /// can begin.
    pub ready: bool,
}

/// Wrong PINs in a row before leaving kiosk mode waits.
pub const KIOSK_PIN_TRIES: u32 = 5;
/// How long it waits then.
pub const KIOSK_LOCK_MINUTES: u32 = 5;

/// The answer to a PIN given to leave kiosk mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LeaveKiosk {
    Left,
    WrongPin { tries_left: u32 },
    Locked { minutes: u32 },
}

/// A centro on the home screen, with today's progress.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CentroToday {
    pub info: CentroInfo,
    /// Records of this user's form finalised today at the centro.
    pub today: u64,
    pub sampling: SamplingDay,
    /// Surveys to reach in the period today falls in (`None`: no quota there).
    pub quota: Option<u32>,
}

/// Everything the home screen shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HomeView {
    pub enrolment: Enrolment,
    pub centros: Vec<CentroToday>,
    pub outbox: OutboxCounts,
    pub last_sync: Option<String>,
    pub drafts: Vec<crate::store::drafts::DraftSummary>,
    /// Records a supervisor rejected, with the reason.
    pub rejected: Vec<SentRecord>,
    pub has_forms: bool,
    /// The period today falls in (else the latest).
    pub period: Option<crate::store::reference::PeriodEntry>,
    /// The program's other forms, to fill at any of my centros.
    pub other_forms: Vec<crate::store::reference::FormEntry>,
    /// Drafts set aside today, recoverable until the day is over.
    pub discarded: Vec<crate::store::drafts::DraftSummary>,
    /// Surveys citizens left unfinished at this tablet as a kiosk today (kept, never sent).
    #[serde(default)]
    pub abandoned_today: u64,
}

/// A draft with its form and where it stands.
#[derive(Debug, Clone)]
pub struct DraftView {
    pub draft: Draft,
    pub form: Arc<Form>,
    pub report: Report,
    pub previous: Option<PreviousVisit>,
    /// The centro's name (its id if it is no longer assigned).
    pub centro_name: String,
}

/// The handle the screens share (cheap to clone).
#[derive(Clone)]
pub struct FieldApp {
    store: Arc<Mutex<Store>>,
    forms: Arc<Mutex<FormCache>>,
    wake: Arc<Notify>,
    status: watch::Receiver<SyncStatus>,
    status_tx: Arc<watch::Sender<SyncStatus>>,
    sync_started: Arc<std::sync::atomic::AtomicBool>,
    /// The question on screen, for forms that audit time on screen.
    pub(crate) on_screen: Arc<crate::capture::OnScreen>,
    /// Evidence photo thumbnails (`data:` URLs) by SHA-256, made once per photo.
    pub(crate) thumbnails: Arc<Mutex<std::collections::HashMap<String, String>>>,
    /// The server address offered on the enrolment screen.
    pub default_server: String,
}

impl std::fmt::Debug for FieldApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldApp").field("default_server", &self.default_server).finish_non_exhaustive()
    }
}

impl PartialEq for FieldApp {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.store, &other.store)
    }
}

impl FieldApp {
    /// A handle on `store`; call [`FieldApp::start_sync`] inside a tokio runtime.
    pub fn new(store: Store, default_server: impl Into<String>) -> Self {
        let (tx, rx) = watch::channel(SyncStatus::Stopped { reason: "Aún no se sincroniza.".into(), revoked: false });
        Self {
            store: Arc::new(Mutex::new(store)),
            forms: Arc::new(Mutex::new(FormCache::default())),
            wake: Arc::new(Notify::new()),
            status: rx,
            status_tx: Arc::new(tx),
            sync_started: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            on_screen: Arc::default(),
            thumbnails: Arc::default(),
            default_server: default_server.into(),
        }
    }

    /// Starts automatic sync on the current runtime (tokio's, or the browser's event loop
    /// in the app's Worker); later calls do nothing (every window or browser tab shares one
    /// sync loop). True when this call started it.
    pub fn start_sync(&self) -> bool {
        if self.sync_started.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return false;
        }
        let tx = self.status_tx.clone();
        crate::rt::spawn(auto_sync(self.store.clone(), self.wake.clone(), Backoff::field(), AUTO_SYNC_INTERVAL, move |s| {
            let _ = tx.send(s);
        }));
        true
    }

    /// Asks for a sync round now.
    pub fn sync_now(&self) {
        self.wake.notify_one();
    }

    /// What sync is doing; `changed().await` on the receiver to follow it.
    pub fn status(&self) -> watch::Receiver<SyncStatus> {
        self.status.clone()
    }

    /// The store (for the sync screen's details and tests).
    pub fn store(&self) -> &Arc<Mutex<Store>> {
        &self.store
    }

    /// The enrolment, if any.
    pub fn enrolment(&self) -> Result<Option<Enrolment>, StoreError> {
        lock(&self.store).enrolment()
    }

    /// Enrols this device with the server; reference data then arrives by sync.
    pub async fn enrol(&self, server: &str, username: &str, password: &str) -> Result<Enrolment, EnrolError> {
        let (server, username) = (server.trim(), username.trim());
        if server.is_empty() || username.is_empty() || password.is_empty() {
            return Err(EnrolError::Missing);
        }
        let client = SyncClient::new(server).map_err(EnrolError::Server)?;
        self.send_before_handing_over(client.base(), username).await?;
        let label = if cfg!(target_arch = "wasm32") { "Ventanilla (navegador)".to_string() } else { format!("Ventanilla ({})", std::env::consts::OS) };
        let response = client.enrol(username, password, &label).await.map_err(enrol_error)?;
        if !matches!(response.user.role, Role::Surveyor | Role::Inspector) {
            return Err(EnrolError::NotFieldRole(response.user.role.code().to_string()));
        }
        let enrolment = enrolment_of(&client, response);
        lock(&self.store).set_enrolment(&enrolment)?;
        self.sync_now();
        Ok(enrolment)
    }

    /// A supervisor (or staff) enrols this tablet as a centro's kiosk, with their own
    /// username and password, the PIN that will be asked to leave kiosk mode (4 to 8
    /// digits, kept only salted and hashed) and how long the screen waits for a touch.
    /// Every record started on it is then a kiosk survey of that centro.
    pub async fn enrol_kiosk(&self, server: &str, username: &str, password: &str, setup: &KioskSetup) -> Result<Enrolment, EnrolError> {
        let (server, username, centro_id) = (server.trim(), username.trim(), setup.centro_id.trim());
        if server.is_empty() || username.is_empty() || password.is_empty() || centro_id.is_empty() {
            return Err(EnrolError::Missing);
        }
        let pin = setup.pin.trim();
        if !(4..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EnrolError::BadPin);
        }
        if !KIOSK_IDLE_RANGE.contains(&setup.idle_seconds) {
            return Err(EnrolError::BadIdle);
        }
        let client = SyncClient::new(server).map_err(EnrolError::Server)?;
        let kiosk_user = format!("kiosko.{}", centro_id.to_lowercase());
        self.send_before_handing_over(client.base(), &kiosk_user).await?;
        let response = client.enrol_kiosk(username, password, centro_id, &format!("Kiosko {centro_id}")).await.map_err(enrol_error)?;
        let enrolment = enrolment_of(&client, response);
        let kiosk = Kiosk::new(centro_id, pin, &Uuid::now_v7().simple().to_string(), setup.idle_seconds);
        lock(&self.store).set_kiosk_enrolment(&enrolment, &kiosk)?;
        self.sync_now();
        Ok(enrolment)
    }

    /// The centro this tablet is the kiosk of, while in kiosk mode.
    pub fn kiosk_centro(&self) -> Result<Option<String>, StoreError> {
        Ok(lock(&self.store).kiosk()?.map(|k| k.centro_id))
    }

    /// What a kiosk's screens need (`None`: not in kiosk mode).
    pub fn kiosk_view(&self) -> Result<Option<KioskView>, StoreError> {
        let store = lock(&self.store);
        let Some(k) = store.kiosk()? else { return Ok(None) };
        let centro = store.centro(&k.centro_id).ok();
        let ready = centro.is_some() && store.latest_form(SURVEY_FORM)?.is_some();
        let centro_name = centro.map_or_else(|| k.centro_id.clone(), |c| c.name);
        Ok(Some(KioskView { centro_id: k.centro_id, centro_name, idle_seconds: k.idle_seconds, ready }))
    }

    /// The kiosk is back at its welcome: a survey still open there was walked away from
    /// (also one left open by a restart), so it is kept as abandoned, never sent.
    pub fn kiosk_welcome(&self) -> Result<Option<KioskView>, StoreError> {
        {
            let mut store = lock(&self.store);
            if store.kiosk()?.is_some() {
                store.abandon_open_drafts()?;
                // A kiosk never shows the home screen, which purges on other phones.
                store.purge_discarded()?;
            }
        }
        self.kiosk_view()
    }

    /// A kiosk survey the citizen walked away from (or declined): kept as abandoned.
    pub fn abandon(&self, draft: Uuid) -> Result<(), StoreError> {
        lock(&self.store).abandon_draft(draft)
    }

    /// Leaves kiosk mode with the supervisor's PIN. Another PIN changes nothing; after
    /// [`KIOSK_PIN_TRIES`] wrong ones in a row no PIN is tried for
    /// [`KIOSK_LOCK_MINUTES`] minutes. The enrolment stays, so what waits is still sent.
    pub fn leave_kiosk(&self, pin: &str) -> Result<LeaveKiosk, StoreError> {
        let mut store = lock(&self.store);
        let Some(mut k) = store.kiosk()? else { return Ok(LeaveKiosk::Left) };
        let now = store.now();
        if let Some(until) = k.locked_until.as_deref().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            && until > now
        {
            let minutes = ((until - now).num_seconds() + 59) / 60;
            return Ok(LeaveKiosk::Locked { minutes: minutes.max(1) as u32 });
        }
        if k.opens_with(pin.trim()) {
            store.clear_kiosk()?;
            return Ok(LeaveKiosk::Left);
        }
        k.failed_pins += 1;
        let answer = if k.failed_pins >= KIOSK_PIN_TRIES {
            k.failed_pins = 0;
            k.locked_until = Some((now + chrono::Duration::minutes(i64::from(KIOSK_LOCK_MINUTES))).to_rfc3339());
            LeaveKiosk::Locked { minutes: KIOSK_LOCK_MINUTES }
        } else {
            LeaveKiosk::WrongPin { tries_left: KIOSK_PIN_TRIES - k.failed_pins }
        };
        store.update_kiosk(&k)?;
        Ok(answer)
    }

    /// Another person (or another server) is taking this phone over: what the enrolled user
    /// finalised and queued (records, checklist edits, photos) goes to the server first,
    /// with that user's own enrolment, because the server attributes what a device pushes
    /// to the user the device is enrolled as. If it cannot all go now, enrolling waits and
    /// nothing changes. Drafts stay on the phone either way. A revoked enrolment can send
    /// nothing: its records then go with the next user's (the supervisor who revoked it
    /// sees them in review).
    async fn send_before_handing_over(&self, server: &str, username: &str) -> Result<(), EnrolError> {
        let Some(previous) = lock(&self.store).enrolment()?.filter(|p| p.server != server || p.username != username) else { return Ok(()) };
        if lock(&self.store).is_revoked()? || waiting_to_send(&lock(&self.store))?.is_none() {
            return Ok(());
        }
        let failed = |reason: String| -> Result<(), EnrolError> {
            let waiting = waiting_to_send(&lock(&self.store))?.unwrap_or_default();
            Err(EnrolError::PreviousUnsent { user: previous.display_name.clone(), waiting, reason })
        };
        let engine = match SyncEngine::from_enrolment(self.store.clone()) {
            Ok(engine) => engine,
            Err(e) => return failed(e.to_string()),
        };
        match engine.sync_once().await {
            Ok(_) | Err(SyncFailure::Revoked) => {}
            Err(e) => return failed(e.to_string()),
        }
        match waiting_to_send(&lock(&self.store))? {
            None => Ok(()),
            Some(_) if lock(&self.store).is_revoked()? => Ok(()),
            Some(_) => failed("el servidor no recibió todo.".into()),
        }
    }

    /// The form this user fills: the survey for surveyors, the checklist for inspectors.
    pub fn form_for(role: Role) -> &'static str {
        if role == Role::Inspector { VISIT_FORM } else { SURVEY_FORM }
    }

    /// The home screen's data.
    pub fn home(&self) -> Result<Option<HomeView>, StoreError> {
        let discarded = self.discarded()?;
        let store = lock(&self.store);
        let Some(enrolment) = store.enrolment()? else { return Ok(None) };
        let today = store.today();
        let form_id = Self::form_for(enrolment.role);
        let periods = store.periods()?;
        let period = periods.iter().find(|p| p.start <= today && today <= p.end).or(periods.first()).cloned();
        let centros = store
            .centros()?
            .into_iter()
            .map(|info| {
                let today_count = store.finalised_on(&info.centro_id, form_id, today)?;
                let sampling = store.sampling(&info.centro_id, today)?;
                let quota = quota_in(&info, period.as_ref().map(|p| p.period_id.as_str()));
                Ok(CentroToday { info, today: today_count, sampling, quota })
            })
            .collect::<Result<_, StoreError>>()?;
        let rejected = store.rejected_records()?;
        Ok(Some(HomeView {
            centros,
            outbox: store.outbox_counts()?,
            last_sync: store.last_sync()?.map(|t| shared::words::date_time(t.naive_local())),
            drafts: store.drafts()?,
            rejected,
            has_forms: store.latest_form(form_id)?.is_some(),
            other_forms: crate::capture::other_forms_in(&store)?,
            period,
            enrolment,
            discarded,
            abandoned_today: store.abandoned_since(start_of_today(&store))?,
        }))
    }

    /// One more person counted leaving a centro.
    pub fn count_person(&self, centro_id: &str) -> Result<SamplingDay, StoreError> {
        lock(&self.store).count_person(centro_id)
    }

    /// The selected person declined.
    pub fn record_refusal(&self, centro_id: &str) -> Result<SamplingDay, StoreError> {
        lock(&self.store).record_refusal(centro_id)
    }

    /// Starts a record of this user's form at a centro (`sampling_position`: the selected
    /// person's number at the counter, for surveys).
    pub fn start(&self, centro_id: &str, sampling_position: Option<u32>) -> Result<Uuid, StoreError> {
        let mut store = lock(&self.store);
        if sampling_position.is_some() {
            store.selection_surveyed(centro_id)?;
        }
        let enrolment = store.enrolment()?.ok_or_else(|| StoreError::NotFound("el registro del teléfono".into()))?;
        let form_id = Self::form_for(enrolment.role);
        let form = store.latest_form(form_id)?.ok_or_else(|| StoreError::NotFound("el formulario (sincronice primero)".into()))?;
        // On a kiosk tablet the citizen answers alone: a kiosk survey.
        let mode = if store.kiosk()?.is_some() { CollectionMode::Kiosko } else { CollectionMode::Entrevista };
        let new = NewDraft { form_id: &form.form_id, form_version: &form.version, centro_id, mode, sampling_position };
        let id = store.create_draft(&new)?;
        // The trained share of the centro's front-line staff, as the program's records give
        // it now, goes with the visit: the inspector confirms its suggestion or corrects it.
        if let Some(share) = store.centro(centro_id).ok().and_then(|c| c.training).filter(|_| form_id == VISIT_FORM) {
            let note = ScoreNote { item: share.item.clone(), basis: share.basis(), suggested: share.suggested.clone(), reason: None };
            store.note_suggestion(id, &note)?;
        }
        Ok(id)
    }

    /// Saves why an item was scored otherwise than suggested (`None` clears it).
    pub fn score_reason(&self, draft: Uuid, item: &str, reason: Option<&str>) -> Result<(), StoreError> {
        lock(&self.store).save_score_reason(draft, item, reason)
    }

    /// A draft with its (cached) form, without validating it.
    pub(crate) fn draft_form(&self, id: Uuid) -> Result<(Draft, Arc<Form>), FinaliseError> {
        let store = lock(&self.store);
        let draft = store.draft(id)?;
        let form = lock_forms(&self.forms).at_centro(&store, &draft.form_id, &draft.form_version, &draft.centro_id)?;
        Ok((draft, form))
    }

    /// A form version as asked at a centro (its own trámites offered).
    pub(crate) fn form_at(&self, form_id: &str, version: &str, centro_id: &str) -> Result<Arc<Form>, FinaliseError> {
        let store = lock(&self.store);
        lock_forms(&self.forms).at_centro(&store, form_id, version, centro_id)
    }

    /// A draft with its form, its validation now and (for visits) the previous visit.
    pub fn draft(&self, id: Uuid) -> Result<DraftView, FinaliseError> {
        let store = lock(&self.store);
        let draft = store.draft(id)?;
        let form = lock_forms(&self.forms).at_centro(&store, &draft.form_id, &draft.form_version, &draft.centro_id)?;
        let who = identity(&store)?;
        let report = check(&form, &draft, store.now(), &who);
        let previous = store.previous_visit(&draft.centro_id)?;
        let centro_name = store.centro(&draft.centro_id).map_or_else(|_| draft.centro_id.clone(), |c| c.name);
        Ok(DraftView { draft, form, report, previous, centro_name })
    }

    /// Saves one answer durably (`None` clears it).
    pub fn answer(&self, draft: Uuid, path: &str, value: Option<&str>) -> Result<(), StoreError> {
        lock(&self.store).save_answer(draft, path, value)?;
        self.fire_triggers(draft, path)
    }

    /// Downscales a photo, keeps it and attaches it to a checklist item.
    pub fn add_photo(&self, draft: Uuid, item: &str, raw: &[u8]) -> Result<String, PhotoFailure> {
        let small = downscale(raw)?;
        let mut store = lock(&self.store);
        let sha = store.put_photo(&small)?;
        store.attach_photo(draft, item, &sha)?;
        Ok(sha)
    }

    /// Validates and moves a draft into the outbox; sync is woken.
    /// Finalises a draft into a record; a survey whose person declined at the consent
    /// question is not a record but a refusal of the day's counter (`None`): it never
    /// counts as a survey or against the quota.
    pub fn finalise(&self, draft: Uuid) -> Result<Option<Submission>, FinaliseError> {
        let mut store = lock(&self.store);
        let d = store.draft(draft)?;
        if d.form_id == SURVEY_FORM && d.answers.get(CONSENT_ITEM).is_some_and(|v| v == CONSENT_NO) {
            // A kiosk has no counter of people approached: a citizen declining there is an
            // abandoned survey, not an interview refused.
            if store.kiosk()?.is_some() {
                store.abandon_draft(draft)?;
                return Ok(None);
            }
            store.consent_refused(draft, &d.centro_id, d.sampling_position.is_some())?;
            drop(store);
            self.sync_now();
            return Ok(None);
        }
        drop(store);
        self.off_screen(draft)?;
        let mut store = lock(&self.store);
        let who = identity(&store)?;
        let record = finalise(&mut store, &mut lock_forms(&self.forms), draft, &who)?;
        drop(store);
        self.sync_now();
        Ok(Some(record))
    }

    /// A centro's commitments (with milestones) and the edits made here, for inspectors.
    pub fn centro_program(&self, centro_id: &str) -> Result<CentroProgram, StoreError> {
        let store = lock(&self.store);
        Ok(CentroProgram {
            centro: store.centro(centro_id)?,
            commitments: store.commitments(centro_id)?,
            edits: store.edits(Some(centro_id), false)?,
            today: store.today(),
        })
    }

    /// Marks a milestone verified today (against the commitment version on the device),
    /// with evidence photos already stored; queued for the server.
    pub fn verify_milestone(&self, centro_id: &str, commitment_id: &str, milestone_id: &str, evidence: Vec<String>) -> Result<(), StoreError> {
        if evidence.is_empty() {
            return Err(StoreError::Refused("Un hito se verifica en la visita con al menos una foto de su evidencia.".into()));
        }
        let mut store = lock(&self.store);
        let commitment = store
            .commitments(centro_id)?
            .into_iter()
            .find(|c| c.commitment_id == commitment_id)
            .ok_or_else(|| StoreError::NotFound(format!("el compromiso {commitment_id}")))?;
        let body = VerifyMilestone { base_version: commitment.version, verified_on: store.today(), evidence };
        let kind = EditKind::Milestone { commitment_id: commitment_id.into(), milestone_id: milestone_id.into(), body };
        store.queue_edit(centro_id, &kind)?;
        drop(store);
        self.sync_now();
        Ok(())
    }

    /// Records one complaint of the centro's log as audited; queued for the server.
    pub fn audit_complaint(&self, centro_id: &str, folio: &str, body: ComplaintInput) -> Result<(), ComplaintProblem> {
        let folio = folio.trim();
        if folio.is_empty() || folio.len() > 60 {
            return Err(ComplaintProblem::Folio);
        }
        if body.responded.is_some_and(|r| r < body.received) {
            return Err(ComplaintProblem::Dates);
        }
        let mut store = lock(&self.store);
        if body.received > store.today() {
            return Err(ComplaintProblem::Future);
        }
        store.queue_edit(centro_id, &EditKind::Complaint { folio: folio.into(), body })?;
        drop(store);
        self.sync_now();
        Ok(())
    }

    /// Downscales and keeps a photo (evidence of a milestone); returns its SHA-256.
    pub fn store_photo(&self, raw: &[u8]) -> Result<String, PhotoFailure> {
        let small = downscale(raw)?;
        Ok(lock(&self.store).put_photo(&small)?)
    }

    /// Puts a record the server rejected back in line (e.g. once its form version is
    /// published) and syncs.
    pub fn retry(&self, id: Uuid) -> Result<(), StoreError> {
        lock(&self.store).retry_problem(id)?;
        self.sync_now();
        Ok(())
    }

    /// The sync screen's data.
    pub fn sync_view(&self) -> Result<SyncView, StoreError> {
        let store = lock(&self.store);
        Ok(SyncView {
            outbox: store.outbox_counts()?,
            problems: store.problems()?,
            recent: store.sent_records(20)?,
            ledger: store.ledger(store.today())?,
            receipt: store.last_receipt()?,
            last_sync: store.last_sync()?.map(|t| shared::words::date_time(t.naive_local())),
            revoked: store.is_revoked()?,
            photos_waiting: store.photo_queue()?.len(),
        })
    }
}

/// What the sync screen shows.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SyncView {
    pub outbox: OutboxCounts,
    pub problems: Vec<Problem>,
    pub recent: Vec<SentRecord>,
    pub ledger: crate::store::ledger::LedgerDay,
    pub receipt: Option<shared::protocol::DeviceReceipt>,
    pub last_sync: Option<String>,
    pub revoked: bool,
    pub photos_waiting: usize,
}

/// A centro's program records as the inspector sees them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CentroProgram {
    pub centro: CentroInfo,
    pub commitments: Vec<shared::protocol::CommitmentInfo>,
    pub edits: Vec<Edit>,
    pub today: chrono::NaiveDate,
}

/// Why a complaint audit was not recorded. Messages in Spanish.
#[derive(Debug, thiserror::Error)]
pub enum ComplaintProblem {
    #[error("Escriba el folio de la queja (hasta 60 caracteres).")]
    Folio,
    #[error("La fecha de respuesta no puede ser anterior a la de recepción.")]
    Dates,
    #[error("La fecha de recepción no puede ser futura.")]
    Future,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why a photo could not be added.
#[derive(Debug, thiserror::Error)]
pub enum PhotoFailure {
    #[error(transparent)]
    Photo(#[from] PhotoError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A centro's survey quota in `period` (`None`: no quota there). A server that sends no
/// quotas by period gives only its latest one.
fn quota_in(info: &CentroInfo, period: Option<&str>) -> Option<u32> {
    let quota = if info.quotas.is_empty() { info.quota } else { period.and_then(|p| info.quotas.get(p).copied()).unwrap_or(0) };
    (quota > 0).then_some(quota)
}

fn identity(store: &Store) -> Result<Identity, StoreError> {
    let e = store.enrolment()?.ok_or_else(|| StoreError::NotFound("el registro del teléfono".into()))?;
    Ok(Identity { device_id: e.device_id, username: e.username })
}

fn lock_forms(forms: &Mutex<FormCache>) -> std::sync::MutexGuard<'_, FormCache> {
    forms.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_shown_is_the_current_periods_and_zero_is_no_quota() {
        let mut info = CentroInfo {
            centro_id: "C".into(),
            name: "C".into(),
            dependencia: String::new(),
            municipio: String::new(),
            lat: None,
            lon: None,
            sampling_interval: 3,
            quota: 80,
            quotas: Default::default(),
            tramites: vec![],
            training: None,
            baja: None,
        };
        assert_eq!(quota_in(&info, Some("2026")), Some(80), "an older server: its latest quota");
        info.quotas = [("2025".to_string(), 80), ("2026".to_string(), 40)].into();
        assert_eq!(quota_in(&info, Some("2026")), Some(40));
        assert_eq!(quota_in(&info, Some("2027")), None, "a period without quota");
        info.quotas = [("2026".to_string(), 0)].into();
        assert_eq!(quota_in(&info, Some("2026")), None, "0 is «sin cuota»");
    }
}
