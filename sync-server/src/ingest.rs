//! The pure half of a push: read the body and check each submission against its form
//! version before the transaction (hash, form, times, answers), so the database part only
//! stores.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc::Sender;

use chrono::{FixedOffset, NaiveDate};
use shared::expr::Clock;
use shared::form::Form;
use shared::protocol::{DeviceLedger, MAX_PUSH_RECORDS, PushEnvelope, Submission, answers_from_wire, answers_from_wire_owned};
use shared::scoring::{IntegrityLimits, MethodSettings, SurveyPlan, VisitPlan};

use crate::facts::Reduced;
use crate::periods::PeriodSettings;
use serde_json::value::RawValue;
use shared::validate::{FormIndex, validate_indexed};
use uuid::Uuid;

/// How many answer errors a rejection lists.
const ERRORS_SHOWN: usize = 5;

/// A submission that passed every check that needs no database.
#[derive(Debug, Clone)]
pub struct Valid {
    pub submission: Submission,
    /// The submission as stored (JSON).
    pub body: String,
    /// Finalisation date at the centro.
    pub capture_date: NaiveDate,
    pub finalised_unix: i64,
    pub duration_seconds: f64,
    pub scale5_answers: Vec<u8>,
    /// An exit survey (integrity checks apply), not a checklist.
    pub is_survey: bool,
    /// What it contributes to the scores.
    pub reduced: Reduced,
    /// The period the capture date belongs to; `None` when no period covers it (stored,
    /// reported as outside every period, counted nowhere).
    pub period_id: Option<String>,
    /// That period is closed (or published): the record is stored after its close and
    /// does not move its official results.
    pub after_close: bool,
    /// The integrity limits of that period (the method's defaults outside every period).
    pub integrity: IntegrityLimits,
    /// The text the store writes, made here, beside the other checks, rather than in the
    /// one writer: the id, the capture date (`YYYY-MM-DD`) and the facts as stored (a
    /// survey's dimensions, a visit's items; empty when unscored).
    pub stored_text: StoredText,
}

/// See [`Valid::stored_text`].
#[derive(Debug, Clone)]
pub struct StoredText {
    pub id: String,
    pub capture_date: String,
    pub facts: String,
}

/// The outcome of the checks.
#[derive(Debug, Clone)]
pub enum Prepared {
    Rejected { id: Uuid, code: String, message: String },
    Valid(Box<Valid>),
}

/// A published form version, parsed once, with what it contributes to the scores (the
/// indicator items are read under each record's period settings, see [`prepare`]).
pub struct CachedForm {
    pub form: Form,
    pub plan: SurveyPlan,
    pub visit_plan: VisitPlan,
    /// An exit survey (integrity checks apply): a form with `dimension` items.
    pub is_survey: bool,
    /// A checklist: a form with `pillar` items.
    pub is_visit: bool,
    /// Its questions by name, built once for every record checked against it.
    pub index: FormIndex,
}

impl CachedForm {
    /// Prepares a parsed form for ingest.
    pub fn new(form: Form) -> Self {
        let is_visit = form.fields().iter().any(|f| f.scoring.pillar.is_some());
        let is_survey = !is_visit && form.fields().iter().any(|f| f.scoring.dimension.is_some());
        Self { plan: SurveyPlan::new(&form, &MethodSettings::default()), visit_plan: VisitPlan::new(&form), is_survey, is_visit, index: FormIndex::new(&form), form }
    }
}

/// Published forms by (id, version).
pub type FormCache = HashMap<(String, String), Arc<CachedForm>>;

/// Every trámite each centro lists or ever listed, by centro (what its records may answer
/// to a form's `tramites` list: `shared::form::centro_lists`).
pub type Tramites = HashMap<String, Vec<String>>;

/// The forms records are checked against, per centro: a form with a `tramites` list
/// accepts, at a centro that lists trámites, those too. Built once per (form, centro) in a
/// push, not per record.
pub struct CentroForms<'a> {
    tramites: &'a Tramites,
    built: HashMap<(String, String, String), Option<Arc<Form>>>,
}

impl<'a> CentroForms<'a> {
    pub fn new(tramites: &'a Tramites) -> Self {
        Self { tramites, built: HashMap::new() }
    }

    /// The form as checked at `centro`, when it differs from `form` itself.
    fn at(&mut self, s: &Submission, form: &Form) -> Option<Arc<Form>> {
        let key = (s.form_id.clone(), s.form_version.clone(), s.centro_id.clone());
        let tramites = self.tramites;
        self.built
            .entry(key)
            .or_insert_with(|| {
                let known = tramites.get(&s.centro_id)?;
                shared::form::centro_lists::accepting(form, known.iter().map(String::as_str)).map(Arc::new)
            })
            .clone()
    }
}

fn reject(id: Uuid, code: &str, message: impl Into<String>) -> Prepared {
    Prepared::Rejected { id, code: code.into(), message: message.into() }
}

/// What a refused content hash says: the hash the server computed and the start of the
/// canonical form it computed it over (where the usual differences are: a zero offset
/// written `+00:00` instead of `Z`, zero fractions of a second, key order), so that a
/// client author sees which form was expected (`docs/sync-protocol.md`, «Forma canónica»).
fn hash_mismatch_message(s: &Submission) -> String {
    const SHOWN: usize = 300;
    let canonical = String::from_utf8_lossy(&s.canonical_content()).into_owned();
    let hash = shared::digest::sha256_hex(canonical.as_bytes());
    let shown: String = canonical.chars().take(SHOWN).collect();
    let more = if canonical.chars().count() > SHOWN { "…" } else { "" };
    format!(
        "La huella (content_hash) no corresponde al contenido en su forma canónica: el servidor calculó {hash} sobre {shown}{more} \
         Revise que las fechas vayan como las escribe la forma canónica (desfase cero como «Z», sin fracción de segundo cuando es cero) \
         y las claves en ese orden (docs/sync-protocol.md, «Forma canónica»)."
    )
}

/// Where a submission comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A program device's push.
    Device,
    /// A kiosk tablet's push (the only source of mode `kiosko`).
    Kiosk,
    /// The centro's QR survey page, filled by a citizen (the only source of mode `qr`).
    QrPage,
}

/// Checks one submission and reduces it under the settings of the period its capture date
/// belongs to. `local` is the centros' UTC offset.
pub fn prepare(mut s: Submission, forms: &FormCache, periods: &PeriodSettings, at_centro: &mut CentroForms<'_>, local: FixedOffset, channel: Channel) -> Prepared {
    let id = s.id;
    // One serialisation checks the hash and gives the stored body.
    let Some(body) = s.verified_json() else {
        return reject(id, "hash_mismatch", hash_mismatch_message(&s));
    };
    if let Err(e) = s.check_ranges() {
        return reject(id, "out_of_range", format!("Valor fuera de rango en {e}."));
    }
    let Some(cached) = forms.get(&(s.form_id.clone(), s.form_version.clone())) else {
        return reject(id, "unknown_form_version", format!("El formulario «{}» versión {} no está publicado.", s.form_id, s.form_version));
    };
    if let Some(bad) = s.meta.photos.iter().find(|p| !shared::digest::is_sha256_hex(p)) {
        return reject(id, "bad_photo_hash", format!("La foto «{bad}» no está nombrada por su SHA-256."));
    }
    let form = &cached.form;
    if let Some(p) = s.meta.photo_items.iter().find(|p| !s.meta.photos.contains(&p.sha256) || form.field(&p.item).is_none()) {
        return reject(id, "bad_photo_item", format!("La foto «{}» del reactivo «{}» no está entre las fotos del registro o el reactivo no existe.", p.sha256, p.item));
    }
    // A citizen's QR answers reach the server only from the centro's page, and a kiosk's
    // only from a tablet enrolled as the centro's kiosk: a record that claims another
    // source's mode is refused.
    if (s.meta.mode == shared::protocol::CollectionMode::Qr) != (channel == Channel::QrPage) {
        return reject(id, "mode_not_allowed", "Las encuestas por código QR llegan solo desde la página del código del centro, y de ella solo llegan esas.");
    }
    if (s.meta.mode == shared::protocol::CollectionMode::Kiosko) != (channel == Channel::Kiosk) {
        return reject(id, "mode_not_allowed", "Las encuestas de kiosko llegan solo desde una tableta registrada como kiosko del centro, y de ella solo llegan esas.");
    }
    if s.meta.replaces == Some(id) {
        return reject(id, "invalid_replaces", "Un registro no puede corregirse a sí mismo.");
    }
    let duration = (s.finalised_at - s.started_at).num_milliseconds() as f64 / 1000.0;
    if duration < 0.0 {
        return reject(id, "bad_times", "La hora de finalización es anterior a la de inicio.");
    }
    // A survey's answers are not needed again once checked and reduced to facts (the stored
    // body is already written): take them instead of copying. A visit keeps them (its
    // answers go to the centro's inspectors).
    let answers = if cached.is_survey { answers_from_wire_owned(std::mem::take(&mut s.answers)) } else { answers_from_wire(&s.answers) };
    if let Err(message) = shared::protocol::ScoreNote::check_all(&s.meta.score_notes, &answers) {
        return reject(id, "invalid_score_note", format!("Nota de puntaje inválida: {message}."));
    }
    let clock = Clock::for_record(s.finalised_at.naive_local(), &s.id.to_string());
    // At a centro that lists its own trámites, the form's `tramites` list offers them too.
    let centro_form = at_centro.at(&s, form);
    let report = validate_indexed(centro_form.as_deref().unwrap_or(form), &cached.index, &answers, clock, form.language());
    if !report.is_valid() {
        let shown: Vec<String> = report.errors.iter().take(ERRORS_SHOWN).map(ToString::to_string).collect();
        let more = report.errors.len().saturating_sub(ERRORS_SHOWN);
        let tail = if more > 0 { format!(" (y {more} más)") } else { String::new() };
        return reject(id, "invalid_answers", format!("Respuestas inválidas: {}{tail}", shown.join("; ")));
    }
    let is_survey = cached.is_survey;
    let capture_date = s.finalised_at.with_timezone(&local).date_naive();
    let period = periods.covering(capture_date);
    let settings = periods.settings_for(capture_date);
    let scale5_answers = cached.plan.scale5_answers(&answers);
    let reduced = if is_survey {
        Reduced::Survey(cached.plan.facts_under(&answers, &settings.items))
    } else if cached.is_visit {
        Reduced::Visit(cached.visit_plan.items(&answers))
    } else {
        Reduced::Unscored
    };
    let stored_text = StoredText {
        id: id.to_string(),
        capture_date: capture_date.to_string(),
        facts: match &reduced {
            Reduced::Survey(f) => crate::facts::encode_dimensions(f),
            Reduced::Visit(items) => crate::facts::encode_items(items),
            Reduced::Unscored => String::new(),
        },
    };
    Prepared::Valid(Box::new(Valid {
        stored_text,
        after_close: period.is_some_and(|p| periods.state(&p.id) != shared::protocol::PeriodState::Abierto),
        period_id: period.map(|p| p.id.clone()),
        integrity: settings.integrity.clone(),
        capture_date,
        finalised_unix: s.finalised_at.timestamp(),
        duration_seconds: duration,
        scale5_answers,
        is_survey,
        reduced,
        body,
        submission: s,
    }))
}

/// Why a push body is refused as a whole (nothing of it is stored).
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("JSON mal formado: {0}")]
    Syntax(serde_json::Error),
    #[error("Datos inválidos: {0}")]
    Data(serde_json::Error),
    #[error("Datos inválidos en el registro {}: {}", index + 1, field_or(.field, .error))]
    Record { index: usize, error: serde_json::Error, field: Option<(String, String)> },
    /// A body that is JSON but not of its shape, with the field that is not.
    #[error("Datos inválidos en «{0}»: {1}")]
    Field(String, String),
    #[error("Envíe como máximo {MAX_PUSH_RECORDS} registros por lote.")]
    TooManyRecords,
    /// Of its shape, but values that contradict each other (422).
    #[error("Datos incoherentes en «{0}»: {1}")]
    Rule(String, String),
}

impl BodyError {
    /// A body that did not read as JSON, or not as the expected shape.
    pub fn json(e: serde_json::Error) -> Self {
        match e.classify() {
            serde_json::error::Category::Data => BodyError::Data(e),
            _ => BodyError::Syntax(e),
        }
    }

    /// The API's machine code.
    pub fn code(&self) -> &'static str {
        match self {
            BodyError::Syntax(_) => "bad_json",
            BodyError::Data(_) | BodyError::Record { .. } | BodyError::Field(..) => "invalid_body",
            BodyError::TooManyRecords => "too_many_records",
            BodyError::Rule(..) => "incoherent",
        }
    }
}

/// A field's path and reason when known, else the parser's words.
fn field_or(field: &Option<(String, String)>, error: &serde_json::Error) -> String {
    match field {
        Some((path, reason)) if !path.is_empty() => format!("«{path}»: {reason}"),
        Some((_, reason)) => reason.clone(),
        None => shared::protocol::bounds::spanish(error),
    }
}

/// A push body whose envelope has been read; its submissions are still raw JSON until
/// [`Envelope::check`] reads and checks them.
#[derive(Debug)]
pub struct Envelope {
    /// The device clock when sending.
    pub device_time: chrono::DateTime<FixedOffset>,
    /// The device's own counts for its day, as reported.
    pub ledger: Option<DeviceLedger>,
    /// The sampling counter's figures, as reported.
    pub sampling: Vec<shared::protocol::SamplingCount>,
    records: Vec<Box<RawValue>>,
}

/// What checking hands the transaction, in request order.
#[derive(Debug)]
pub enum Checked {
    /// The next submissions, checked.
    Chunk(Vec<Prepared>),
    /// Every submission was read: the batch may be committed.
    Done,
}

/// Submissions checked before they are handed on: small, so that storing starts early and
/// runs beside the checking of the rest.
pub const CHUNK: usize = 50;

impl Envelope {
    /// Reads the envelope of a push body (the submissions are only checked to be JSON).
    pub fn read(body: &[u8]) -> Result<Self, BodyError> {
        let envelope = PushEnvelope::parse(body).map_err(BodyError::json)?;
        if envelope.submissions.len() > MAX_PUSH_RECORDS {
            return Err(BodyError::TooManyRecords);
        }
        if envelope.sampling.len() > shared::protocol::MAX_SAMPLING_COUNTS {
            return Err(BodyError::Field("sampling".into(), format!("como máximo {} centros por envío", shared::protocol::MAX_SAMPLING_COUNTS)));
        }
        let max = shared::protocol::MAX_DAY_COUNT;
        let ledger_counts: Vec<u64> = envelope.ledger.iter().flat_map(|l| [l.created, l.finalised, l.sent, l.acknowledged]).collect();
        let sampling_counts: Vec<u64> = envelope.sampling.iter().flat_map(|c| [c.counted, c.selected, c.refused]).collect();
        for (field, counts) in [("ledger", ledger_counts), ("sampling", sampling_counts)] {
            if counts.iter().any(|n| *n > max) {
                return Err(BodyError::Field(field.into(), format!("los conteos de un día van de 0 a {max}")));
            }
        }
        if let Some(bad) = envelope.sampling.iter().find(|c| c.refused > c.selected) {
            return Err(BodyError::Rule("sampling".into(), format!("en «{}» hay más rechazos que personas seleccionadas", bad.centro_id)));
        }
        Ok(Self { device_time: envelope.device_time, ledger: envelope.ledger, sampling: envelope.sampling, records: envelope.submissions })
    }

    /// Reads and checks the submissions in order, handing them to `out` in chunks as they
    /// are ready, then [`Checked::Done`]. At the first unreadable submission it stops
    /// without `Done` (so nothing is committed) and says why. Blocking.
    pub fn check(self, forms: &FormCache, periods: &PeriodSettings, tramites: &Tramites, local: FixedOffset, channel: Channel, out: &Sender<Checked>) -> Result<(), BodyError> {
        let mut at_centro = CentroForms::new(tramites);
        for (n, chunk) in self.records.chunks(CHUNK).enumerate() {
            let mut prepared = Vec::with_capacity(chunk.len());
            for (i, raw) in chunk.iter().enumerate() {
                let submission = PushEnvelope::submission(raw).map_err(|error| {
                    // Only now, on the failure path, is the record read again to find the field.
                    let field = shared::protocol::bounds::explain::<Submission>(raw.get().as_bytes());
                    BodyError::Record { index: n * CHUNK + i, error, field }
                })?;
                prepared.push(prepare(submission, forms, periods, &mut at_centro, local, channel));
            }
            // A closed channel means the transaction ended (it failed): nothing left to do.
            if out.send(Checked::Chunk(prepared)).is_err() {
                return Ok(());
            }
        }
        let _ = out.send(Checked::Done);
        Ok(())
    }
}
