//! The sync engine: drains the outbox (push in batches, per-record outcomes), uploads the
//! photos the server lacks (resuming from what it holds), and pulls pages until caught up,
//! each page applied with its cursor in one transaction. Safe to interrupt anywhere: every
//! step is idempotent on both sides (ids, content hashes, cursors).

pub mod backoff;
pub mod batch;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use shared::protocol::{DeviceReceipt, PushEnvelope};

pub use backoff::Backoff;

use crate::store::edits::{EditKind, EditStatus};
use crate::store::settings::Reported;
use crate::store::{Store, StoreError};
use crate::sync_client::{SyncClient, SyncError};

/// Room left in a push body for its envelope (device time, ledger, sampling counts).
const ENVELOPE_BYTES: usize = 64 * 1024;
/// Pushes under way at once: while the server stores one batch, the next ones are read,
/// sent and checked (three drained 10,000 surveys in 0.41–0.43 s where two took
/// 0.42–0.51 s, `cargo bench -p tests --bench peer`; each batch stands alone, so a lost
/// answer still costs one batch).
const IN_FLIGHT: usize = 3;
/// Bytes per photo upload request.
pub const PHOTO_CHUNK: usize = 256 * 1024;

/// A push under way: its answer, and what applying it needs.
struct InFlight {
    answer: tokio::sync::oneshot::Receiver<Result<shared::protocol::PushResponse, SyncError>>,
    /// It carried all the records asked for (what lets the next batches grow).
    full: bool,
    ledger: Option<shared::protocol::DeviceLedger>,
    sampling: Vec<shared::protocol::SamplingCount>,
    started: crate::rt::Instant,
}

/// Why a sync round stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncFailure {
    /// No network or the server is busy: the engine retries by itself.
    #[error("{0}")]
    Transient(SyncError),
    /// The server refused the device's token: enrol again. No local data was touched.
    #[error("Este teléfono fue dado de baja en el servidor. Vuelva a registrarlo con su usuario y contraseña; sus datos siguen guardados.")]
    Revoked,
    /// The device is not enrolled yet.
    #[error("Registre el teléfono antes de sincronizar.")]
    NotEnrolled,
    /// The server refused a request for another reason.
    #[error("{0}")]
    Refused(SyncError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncFailure {
    fn from_client(e: SyncError) -> Self {
        if e.is_token_refused() {
            SyncFailure::Revoked
        } else if e.is_transient() {
            SyncFailure::Transient(e)
        } else {
            SyncFailure::Refused(e)
        }
    }

    /// Worth retrying later without the user doing anything.
    pub fn is_transient(&self) -> bool {
        matches!(self, SyncFailure::Transient(_))
    }
}

/// What one sync round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncReport {
    /// Records sent in push requests.
    pub pushed: u64,
    /// Push requests answered.
    pub pushed_requests: u64,
    /// Records the server acknowledged (stored or duplicate).
    pub acknowledged: u64,
    /// Records the server refused (conflict or rejected).
    pub problems: u64,
    /// Photos completed on the server.
    pub photos: u64,
    /// Field edits (milestones, complaints) the server took.
    pub edits: u64,
    /// Changes received.
    pub pulled: u64,
    /// Pull requests made.
    pub pull_requests: u64,
    /// The server's day receipt for this device, from the last push.
    pub receipt: Option<DeviceReceipt>,
}

/// Syncs one store with its server.
#[derive(Debug, Clone)]
pub struct SyncEngine {
    store: Arc<Mutex<Store>>,
    client: SyncClient,
    /// The size of the next push, adapted to how the link answers.
    batch: Arc<Mutex<batch::BatchSize>>,
}

impl SyncEngine {
    /// An engine for `store`, talking through `client` (which holds the token).
    pub fn new(store: Arc<Mutex<Store>>, client: SyncClient) -> Self {
        Self { store, client, batch: Arc::default() }
    }

    /// The same engine, its next batch sized by `batch`.
    pub fn with_batch(self, batch: batch::BatchSize) -> Self {
        Self { batch: Arc::new(Mutex::new(batch)), ..self }
    }

    /// An engine built from the store's enrolment.
    pub fn from_enrolment(store: Arc<Mutex<Store>>) -> Result<Self, SyncFailure> {
        let enrolment = lock(&store).enrolment()?.ok_or(SyncFailure::NotEnrolled)?;
        let client = SyncClient::new(&enrolment.server).map_err(SyncFailure::Refused)?.with_token(enrolment.token);
        Ok(Self::new(store, client))
    }

    /// One round: push everything pending, upload queued photos, pull until caught up.
    pub async fn sync_once(&self) -> Result<SyncReport, SyncFailure> {
        let mut report = SyncReport::default();
        self.sync_into(&mut report).await?;
        Ok(report)
    }

    /// [`SyncEngine::sync_once`], adding what it does to `report`, also when it fails
    /// part-way (a photo uploaded before a pull failed was still uploaded).
    async fn sync_into(&self, report: &mut SyncReport) -> Result<(), SyncFailure> {
        if lock(&self.store).is_revoked()? {
            return Err(SyncFailure::Revoked);
        }
        let result = self.round(report).await;
        if let Err(SyncFailure::Revoked) = &result {
            lock(&self.store).mark_revoked()?;
        }
        result?;
        lock(&self.store).record_sync()?;
        Ok(())
    }

    async fn round(&self, report: &mut SyncReport) -> Result<(), SyncFailure> {
        self.push_all(report).await?;
        self.send_edits(report).await?;
        self.upload_photos(report).await?;
        self.pull_all(report).await?;
        // A verification whose answer was lost comes back as a conflict on retry; the
        // commitment just pulled shows whether it was in fact applied.
        lock(&self.store).settle_applied_edits()?;
        Ok(())
    }

    fn batch_size(&self) -> MutexGuard<'_, batch::BatchSize> {
        self.batch.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Pushes the outbox with up to [`IN_FLIGHT`] pushes under way: the next batch is read,
    /// sent and checked by the server while the previous one is stored and its answer
    /// applied. Each batch stands alone (records are stored once by id, in any order), so a
    /// lost answer still costs only its own batch. Then, once everything is answered, the
    /// day's counts if they changed since the server last heard them.
    async fn push_all(&self, report: &mut SyncReport) -> Result<(), SyncFailure> {
        let mut inflight: std::collections::VecDeque<InFlight> = std::collections::VecDeque::new();
        let mut after = None;
        let mut failure = None;
        loop {
            while failure.is_none() && inflight.len() < IN_FLIGHT {
                let Some((request, last, full)) = self.next_batch(after)? else { break };
                after = Some(last);
                report.pushed += request.submissions.len() as u64;
                inflight.push_back(self.send(request, full));
            }
            let Some(sent) = inflight.pop_front() else { break };
            // A push that failed stops new ones; those already sent are still answered.
            if let Err(e) = self.answered(sent, report).await
                && failure.is_none()
            {
                failure = Some(e);
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        // With nothing to send, a push still reports the day's counts once they changed
        // (the acknowledgements of the last batch, the sampling counter), for the day-end
        // receipt and the response rate.
        let ledger = lock(&self.store).ledger_report()?;
        let sampling = lock(&self.store).sampling_report()?;
        if lock(&self.store).reported_ledger()? == Some(ledger) && lock(&self.store).reported_sampling()? == sampling {
            return Ok(());
        }
        let device_time = lock(&self.store).now();
        let sent = self.send(PushEnvelope { device_time, submissions: Vec::new(), ledger: Some(ledger), sampling }, false);
        self.answered(sent, report).await
    }

    /// The next batch after outbox position `after`, sized for the link and the protocol,
    /// counted as sent, its records as the JSON the outbox holds; with its last position.
    /// `None` when nothing waits.
    fn next_batch(&self, after: Option<i64>) -> Result<Option<(PushEnvelope, i64, bool)>, SyncFailure> {
        let wanted = self.batch_size().records();
        let mut store = lock(&self.store);
        let pending = store.pending_raw_after(after, wanted)?;
        let sizes: Vec<usize> = pending.iter().map(|p| p.body.get().len()).collect();
        let fit = batch::fitting(&sizes, shared::protocol::MAX_PUSH_BYTES, ENVELOPE_BYTES);
        let Some(last) = pending.get(fit.wrapping_sub(1)).map(|p| p.n) else { return Ok(None) };
        let full = fit == wanted;
        let batch: Vec<_> = pending.into_iter().take(fit).collect();
        store.mark_sent(&batch.iter().map(|p| p.id).collect::<Vec<_>>())?;
        let (ledger, sampling, device_time) = (store.ledger_report()?, store.sampling_report()?, store.now());
        let submissions = batch.into_iter().map(|p| p.body).collect();
        Ok(Some((PushEnvelope { device_time, submissions, ledger: Some(ledger), sampling }, last, full)))
    }

    /// Starts `request` in the background; `full` when it carries the whole batch asked for.
    fn send(&self, request: PushEnvelope, full: bool) -> InFlight {
        let (tx, answer) = tokio::sync::oneshot::channel();
        let client = self.client.clone();
        let (ledger, sampling) = (request.ledger, request.sampling.clone());
        crate::rt::spawn(async move {
            let _ = tx.send(client.push_stored(&request).await);
        });
        InFlight { answer, full, ledger, sampling, started: crate::rt::Instant::now() }
    }

    /// Waits for the answer to `sent` and applies it.
    async fn answered(&self, sent: InFlight, report: &mut SyncReport) -> Result<(), SyncFailure> {
        let answer = sent.answer.await.unwrap_or_else(|_| Err(SyncError::Interrupted));
        let response = match answer {
            Ok(r) => r,
            Err(e) => {
                self.batch_size().failed();
                return Err(SyncFailure::from_client(e));
            }
        };
        self.batch_size().answered(sent.full, sent.started.elapsed());
        report.pushed_requests += 1;
        let reported = Reported { ledger: sent.ledger.as_ref(), sampling: &sent.sampling };
        let applied = lock(&self.store).apply_answer(&response, Some(reported))?;
        report.acknowledged += applied.acknowledged;
        report.problems += applied.problems;
        report.receipt = Some(response.receipt);
        Ok(())
    }

    /// Sends the queued edits in order; a refusal is kept aside with its reason.
    async fn send_edits(&self, report: &mut SyncReport) -> Result<(), SyncFailure> {
        let queued = lock(&self.store).edits(None, true)?;
        for edit in queued {
            let outcome = match &edit.kind {
                EditKind::Milestone { commitment_id, milestone_id, body } => {
                    self.client.verify_milestone(&edit.centro_id, commitment_id, milestone_id, body).await.map(Some)
                }
                EditKind::Complaint { folio, body } => self.client.put_complaint(&edit.centro_id, folio, body).await.map(|_| None),
            };
            match outcome {
                Ok(updated) => {
                    lock(&self.store).edit_sent(edit.n, updated.as_ref())?;
                    report.edits += 1;
                }
                Err(e) if e.is_token_refused() || e.is_transient() => return Err(SyncFailure::from_client(e)),
                Err(SyncError::Server { status: 409, message, .. }) => lock(&self.store).edit_refused(edit.n, EditStatus::Conflict, &message)?,
                Err(e) => lock(&self.store).edit_refused(edit.n, EditStatus::Rejected, &e.to_string())?,
            }
        }
        Ok(())
    }

    async fn upload_photos(&self, report: &mut SyncReport) -> Result<(), SyncFailure> {
        let queue = lock(&self.store).photo_queue()?;
        for sha in queue {
            let bytes = lock(&self.store).photo(&sha)?;
            let total = bytes.len() as u64;
            let mut status = self.client.photo_status(&sha).await.map_err(SyncFailure::from_client)?;
            while !status.complete {
                let offset = status.received.min(total);
                let end = (offset as usize + PHOTO_CHUNK).min(bytes.len());
                let chunk = bytes[offset as usize..end].to_vec();
                status = self.client.upload_photo_chunk(&sha, offset, total, chunk).await.map_err(SyncFailure::from_client)?;
            }
            lock(&self.store).photo_uploaded(&sha)?;
            report.photos += 1;
        }
        Ok(())
    }

    async fn pull_all(&self, report: &mut SyncReport) -> Result<(), SyncFailure> {
        loop {
            let cursor = lock(&self.store).cursor()?;
            let page = self.client.pull(cursor).await.map_err(SyncFailure::from_client)?;
            report.pull_requests += 1;
            report.pulled += page.changes.len() as u64;
            lock(&self.store).apply_pull_page(&page)?;
            if !page.more {
                return Ok(());
            }
        }
    }

    /// Syncs until a round succeeds with nothing left to send, waiting with `backoff`
    /// between failed rounds; gives up after `max_failures` failures in a row or on a
    /// failure that retrying cannot fix. The report counts what every round did, those
    /// that failed part-way included.
    pub async fn sync_until_drained(&self, backoff: &mut Backoff, max_failures: u32) -> Result<SyncReport, SyncFailure> {
        let mut total = SyncReport::default();
        loop {
            match self.sync_into(&mut total).await {
                Ok(()) => {
                    backoff.reset();
                    let done = {
                        let store = lock(&self.store);
                        store.outbox_counts()?.pending == 0 && store.photo_queue()?.is_empty() && store.edits(None, true)?.is_empty()
                    };
                    if done {
                        return Ok(total);
                    }
                }
                Err(e) if e.is_transient() && backoff.attempts() < max_failures => {
                    crate::rt::sleep(backoff.next_delay()).await;
                }
                Err(e) => return Err(e),
            }
        }
    }
}

/// Locks the store; a panic elsewhere while holding it does not make it unusable (every
/// change is a committed transaction or nothing).
pub fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// How long the app waits between automatic rounds when all is well.
pub const AUTO_SYNC_INTERVAL: Duration = Duration::from_secs(60);

/// What automatic sync is doing, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SyncStatus {
    /// A round is running.
    Syncing,
    /// The last round finished.
    Done(SyncReport),
    /// The last round failed for a passing reason; the next try is in `retry_in`.
    Waiting { retry_in: Duration, reason: String },
    /// Sync stopped until the user acts (enrol again, update the app); the reason in Spanish.
    Stopped { reason: String, revoked: bool },
}

/// Syncs `store` for as long as the app runs: a round when woken (a record finalised, the
/// button pressed) or every `interval`; after a passing failure, again after `backoff`'s
/// wait (sooner if woken). The outbox thus drains by itself when the network returns.
/// The engine is rebuilt from the enrolment each round, so enrolling again takes effect.
pub async fn auto_sync(store: Arc<Mutex<Store>>, wake: Arc<tokio::sync::Notify>, mut backoff: Backoff, interval: Duration, status: impl Fn(SyncStatus)) {
    loop {
        status(SyncStatus::Syncing);
        let outcome = match SyncEngine::from_enrolment(store.clone()) {
            Ok(engine) => engine.sync_once().await,
            Err(e) => Err(e),
        };
        let wait = match outcome {
            Ok(report) => {
                backoff.reset();
                status(SyncStatus::Done(report));
                Some(interval)
            }
            Err(e) if e.is_transient() => {
                let retry_in = backoff.next_delay();
                status(SyncStatus::Waiting { retry_in, reason: e.to_string() });
                Some(retry_in)
            }
            Err(e) => {
                status(SyncStatus::Stopped { reason: e.to_string(), revoked: matches!(e, SyncFailure::Revoked) });
                None
            }
        };
        match wait {
            Some(d) => {
                tokio::select! {
                    () = crate::rt::sleep(d) => {}
                    () = wake.notified() => {}
                }
            }
            None => wake.notified().await,
        }
    }
}
