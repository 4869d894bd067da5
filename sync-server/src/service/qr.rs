//! Self-administered surveys by QR code (issue 17): staff issue and revoke the code of a
//! centro's poster; a citizen who scans it opens the centro's survey, answers it one
//! question per page, and the answers are stored once per one-time nonce, as a record of
//! mode `qr` of the code's own device, through the same checks as any push.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use shared::answers::Answers;
use shared::expr::Clock;
use shared::form::Form;
use shared::protocol::{CollectionMode, Outcome, PeriodState, Submission, SubmissionMeta, answers_to_wire};
use shared::validate::Report;

use crate::db::{Committed, Device, PushContext, QrCode};
use crate::error::AppError;
use crate::ingest::{CachedForm, Channel, Checked, CentroForms, prepare};
use crate::qr::token::{QrKey, submission_id};
use crate::scores::Update;
use crate::state::AppState;

/// How long a survey may take from its first page to «Enviar».
pub const NONCE_HOURS: i64 = 3;

/// Most answers a page may carry back (the shipped survey has 30 questions).
pub const MAX_ANSWERS: usize = 400;

/// Longest answer to one question, in characters.
pub const MAX_ANSWER_CHARS: usize = 2_000;

/// Largest body a survey page may post (checked before it is read): every answer so far
/// travels back with each page.
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// Why a code or a page is refused; the survey page says it in Spanish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrRefusal {
    /// Not a code this server issued for this centro (forged, altered, or another centro's).
    NotACode,
    /// Replaced or withdrawn: a newer poster is at the centro.
    Revoked,
    /// Its period is closed, or today is outside its dates.
    PeriodClosed,
    /// The page was not started from the code (no nonce, or one this server did not sign).
    BadNonce,
    /// Started more than [`NONCE_HOURS`] ago.
    Expired,
    /// No survey form is published.
    NoForm,
}

impl QrRefusal {
    /// For the citizen.
    pub fn message(self) -> &'static str {
        match self {
            QrRefusal::NotACode => "Este código no es válido para esta oficina. Escanee el código del cartel de la oficina donde lo atendieron.",
            QrRefusal::Revoked => "Este código ya no está vigente. Escanee el código del cartel actual de la oficina.",
            QrRefusal::PeriodClosed => "La encuesta de este periodo ya cerró. Gracias por su interés.",
            QrRefusal::BadNonce => "Esta encuesta no se inició desde el código de la oficina. Escanee el código del cartel para comenzar.",
            QrRefusal::Expired => "Pasó demasiado tiempo desde que comenzó la encuesta. Escanee el código otra vez para comenzar de nuevo.",
            QrRefusal::NoForm => "La encuesta no está disponible por ahora.",
        }
    }
}

/// A code opened from its URL, with what its pages need.
#[derive(Clone)]
pub struct Opened {
    pub code: QrCode,
    pub centro_name: String,
    /// The survey as asked at the centro (its own trámites).
    pub form: Arc<Form>,
    /// The published form (what the record names, and its reduction).
    pub published: Arc<CachedForm>,
}

/// Whether every question of `items` can be answered on a QR page (text, numbers, dates,
/// choices, notes; nothing inside a repeat, no files, positions or signatures): a form
/// that cannot is not offered, rather than leaving a citizen stuck at a question.
pub fn answerable_by_qr(items: &[shared::form::Item]) -> bool {
    use shared::form::{FieldKind, Item};
    items.iter().all(|item| match item {
        Item::Field(f) => {
            f.is_unasked()
                || matches!(f.kind, FieldKind::Text | FieldKind::Integer | FieldKind::Decimal | FieldKind::Date | FieldKind::SelectOne { .. } | FieldKind::SelectMultiple { .. } | FieldKind::Note)
        }
        Item::Group(g) => answerable_by_qr(&g.children),
        Item::Repeat(g) => g.children.iter().all(|c| matches!(c, Item::Field(f) if f.is_unasked())),
    })
}

/// The survey form citizens answer: the newest published version of an exit survey.
fn survey_form(state: &AppState) -> Option<Arc<CachedForm>> {
    let forms = state.forms();
    forms.iter().filter(|(_, f)| f.is_survey).max_by(|(a, _), (b, _)| (&a.1, &a.0).cmp(&(&b.1, &b.0))).map(|(_, f)| f.clone())
}

/// The code of `token` at `centro`, if it is one this server issued there and it still
/// opens a survey.
pub async fn open(state: &AppState, centro: &str, token: &str) -> Result<Result<Opened, QrRefusal>, AppError> {
    let Some(id) = QrKey::code_id(token) else { return Ok(Err(QrRefusal::NotACode)) };
    let Some(code) = state.db.qr_code(id).await? else { return Ok(Err(QrRefusal::NotACode)) };
    if code.centro_id != centro || !state.qr_key.code_token_matches(token, code.id, &code.centro_id, &code.period_id) {
        return Ok(Err(QrRefusal::NotACode));
    }
    if code.revoked_at.is_some() {
        return Ok(Err(QrRefusal::Revoked));
    }
    let today = state.today();
    let open_now = state.period_settings().state(&code.period_id) == PeriodState::Abierto
        && state.db.period_dates(code.period_id.clone()).await?.is_some_and(|(start, end)| start <= today && today <= end);
    if !open_now {
        return Ok(Err(QrRefusal::PeriodClosed));
    }
    let Some(published) = survey_form(state).filter(|f| answerable_by_qr(&f.form.items)) else { return Ok(Err(QrRefusal::NoForm)) };
    let centro_row = state.db.centro(code.centro_id.clone()).await?;
    let form = shared::form::centro_lists::for_centro(&published.form, &centro_row.tramites).map_or_else(|| Arc::new(published.form.clone()), Arc::new);
    Ok(Ok(Opened { code, centro_name: centro_row.name, form, published }))
}

/// A new nonce for a survey starting now.
pub fn start(state: &AppState, opened: &Opened) -> String {
    let mut random = [0u8; 16];
    argon2::password_hash::rand_core::RngCore::fill_bytes(&mut argon2::password_hash::rand_core::OsRng, &mut random);
    state.qr_key.nonce(opened.code.id, Utc::now().timestamp(), &random)
}

/// When the survey of `nonce` started, if the nonce is this code's and still good.
pub fn started(state: &AppState, opened: &Opened, nonce: &str) -> Result<DateTime<FixedOffset>, QrRefusal> {
    let (code, issued) = state.qr_key.read_nonce(nonce).ok_or(QrRefusal::BadNonce)?;
    if code != opened.code.id {
        return Err(QrRefusal::BadNonce);
    }
    let now = Utc::now().timestamp();
    if issued > now + 60 {
        return Err(QrRefusal::BadNonce);
    }
    if now - issued > NONCE_HOURS * 3600 {
        return Err(QrRefusal::Expired);
    }
    let at = DateTime::from_timestamp(issued, 0).ok_or(QrRefusal::BadNonce)?;
    Ok(at.with_timezone(&state.local_offset))
}

/// The answers a page carried back (path → text), checked for size before use; `None` when
/// they are not what a page sends.
pub fn carried(json: &str) -> Option<Answers> {
    if json.len() > MAX_PAGE_BYTES {
        return None;
    }
    let map: BTreeMap<String, String> = serde_json::from_str(json).ok()?;
    if map.len() > MAX_ANSWERS || map.values().any(|v| v.chars().count() > MAX_ANSWER_CHARS) {
        return None;
    }
    Some(Answers::from_paths(map.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
}

/// The answers as a page carries them back.
pub fn carry(answers: &Answers) -> String {
    let map: BTreeMap<String, String> = answers.to_paths().into_iter().collect();
    serde_json::to_string(&map).unwrap_or_else(|_| "{}".into())
}

/// The record facts of a QR survey of `opened`.
fn facts<'a>(opened: &'a Opened, device: &'a str, started: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> shared::metadata::RecordFacts<'a> {
    shared::metadata::RecordFacts { started_at: started, finalised_at: now, device_id: device, username: &opened.code.username, start_geopoint: "" }
}

/// Where the survey stands with `answers`: the questions to ask (in order, one per page),
/// their choices, and every problem.
pub fn walk(state: &AppState, opened: &Opened, started: DateTime<FixedOffset>, nonce: &str, answers: &Answers) -> Report {
    let now = Utc::now().with_timezone(&state.local_offset);
    let device = opened.code.device_id.to_string();
    let mut filled = answers.clone();
    shared::metadata::fill(&opened.form, &mut filled, &facts(opened, &device, started, now));
    let clock = Clock::for_record(now.naive_local(), &submission_id(nonce).to_string());
    shared::validate::validate_for_entry(&opened.form, &filled, clock, opened.form.language())
}

/// What became of a finished survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finished {
    /// Stored, counted or in review like any record.
    Stored,
    /// This nonce's survey was stored before: nothing new.
    AlreadyReceived,
    /// Nothing to score (the citizen did not consent): nothing stored.
    Declined,
    /// The server refused the record (the message says why).
    Refused(String),
}

/// Stores the survey of `nonce` with `answers`, once: the same nonce always names the same
/// record, so a page sent twice stores one survey. `Err(report)` when answers are missing
/// or wrong.
pub async fn finish(state: &AppState, opened: &Opened, nonce: &str, started: DateTime<FixedOffset>, answers: &Answers) -> Result<Result<Finished, Report>, AppError> {
    let id = submission_id(nonce);
    if state.db.submission_review(id).await?.is_some() {
        return Ok(Ok(Finished::AlreadyReceived));
    }
    let now = Utc::now().with_timezone(&state.local_offset);
    let device = opened.code.device_id.to_string();
    let mut filled = answers.clone();
    shared::metadata::fill(&opened.form, &mut filled, &facts(opened, &device, started, now));
    let clock = Clock::for_record(now.naive_local(), &id.to_string());
    let report = shared::validate::validate(&opened.form, &filled, clock, opened.form.language());
    if !report.is_valid() {
        return Ok(Err(report));
    }
    let kept = filled.to_paths().into_iter().filter(|(p, _)| !report.not_relevant.contains(p)).collect::<Vec<_>>();
    let kept = Answers::from_paths(kept.iter().map(|(p, v)| (p.as_str(), v.as_str())));
    let facts = opened.published.plan.facts_under(&kept, &state.period_settings().settings_for(now.date_naive()).items);
    if facts.dimensions.is_empty() && facts.satisfaction.is_none() && facts.bribe.is_none() {
        return Ok(Ok(Finished::Declined));
    }
    let submission = Submission {
        id,
        form_id: opened.published.form.id.clone(),
        form_version: opened.published.form.version.clone(),
        centro_id: opened.code.centro_id.clone(),
        started_at: started,
        finalised_at: now,
        answers: answers_to_wire(&kept),
        meta: SubmissionMeta { mode: CollectionMode::Qr, position: None, sampling_position: None, photos: vec![], score_notes: vec![], photo_items: vec![], replaces: None },
        content_hash: String::new(),
    }
    .seal();
    let tramites = state.tramites();
    let prepared = prepare(submission, &state.forms(), &state.period_settings(), &mut CentroForms::new(&tramites), state.local_offset, Channel::QrPage);
    let ctx = PushContext {
        device_id: opened.code.device_id,
        user_id: opened.code.user_id,
        // The server's own clock timed the survey.
        clock_skew_seconds: 0,
        today: now.date_naive(),
        received_at: now.to_rfc3339(),
        photos: state.photos.clone(),
        ledger: None,
        sampling: Vec::new(),
        // Two sends of one page racing past the check above are one survey.
        same_id_is_duplicate: true,
    };
    let (sender, receiver) = std::sync::mpsc::channel();
    // The receiver is alive until `push` returns: these sends cannot fail.
    let _ = sender.send(Checked::Chunk(vec![prepared]));
    let _ = sender.send(Checked::Done);
    let live = state.scores.clone();
    let on_commit = move |c: Committed| live.update(Update::Push { facts: c.facts, reviews: c.reviews });
    let stored = state.db.push(ctx, receiver, on_commit).await?.ok_or_else(|| AppError::Internal(anyhow::anyhow!("the QR survey was not stored")))?;
    let result = stored.results.into_iter().next().ok_or_else(|| AppError::Internal(anyhow::anyhow!("no result for the QR survey")))?;
    Ok(Ok(match result.outcome {
        Outcome::Stored => Finished::Stored,
        Outcome::Duplicate => Finished::AlreadyReceived,
        Outcome::Conflict => Finished::Refused("Ya existe otra encuesta con este identificador.".into()),
        Outcome::Rejected => Finished::Refused(result.error.map(|e| e.message).unwrap_or_default()),
    }))
}

/// The URL a poster's code opens, under `origin` (`https://host`).
pub fn survey_url(state: &AppState, origin: &str, code: &QrCode) -> String {
    format!("{}/encuesta/{}/{}", origin.trim_end_matches('/'), code.centro_id, state.qr_key.code_token(code.id, &code.centro_id, &code.period_id))
}

/// Issues a new code for `centro` in `period` (the one before stops working); staff only.
pub async fn issue(state: &AppState, device: &Device, centro: &str, period: &str) -> Result<QrCode, AppError> {
    crate::service::program::staff(device)?;
    Ok(state.db.issue_qr_code(centro.to_string(), period.to_string(), device.user_id).await?)
}

/// Revokes code `id`; staff only.
pub async fn revoke(state: &AppState, device: &Device, id: i64) -> Result<QrCode, AppError> {
    crate::service::program::staff(device)?;
    Ok(state.db.revoke_qr_code(id, device.user_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_survey_can_be_answered_by_qr_and_a_form_with_a_photo_cannot() {
        assert!(answerable_by_qr(&shared::instruments::encuesta().expect("imports").items));
        // The checklist asks for photos and has a repeat.
        assert!(!answerable_by_qr(&shared::instruments::cedula().expect("imports").items));
    }
}
