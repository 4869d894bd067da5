//! Turning a draft into a record: fill the form's metadata, validate with the `shared`
//! form engine (relevance, required, constraints), drop answers that are not relevant,
//! seal, and move it into the outbox in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use shared::answers::Answers;
use shared::expr::Clock;
use shared::form::{FieldKind, Form, MetaKind};
use shared::protocol::{Submission, SubmissionMeta, answers_to_wire};
use shared::validate::{Report, validate};
use uuid::Uuid;

use crate::store::drafts::Draft;
use crate::store::{Store, StoreError};

/// Why a draft could not be finalised.
#[derive(Debug, thiserror::Error)]
pub enum FinaliseError {
    /// Some answers are missing or wrong: the report says which, in Spanish.
    #[error("Hay respuestas por corregir ({} en total).", .0.errors.len())]
    Invalid(Report),
    /// The form version is not on the device or cannot be read.
    #[error("No se pudo leer el formulario: {0}")]
    Form(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Who fills the `deviceid` and `username` metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub device_id: String,
    pub username: String,
}

/// Parsed forms by (id, version), read from the store once.
#[derive(Debug, Default)]
pub struct FormCache {
    forms: HashMap<(String, String), Arc<Form>>,
}

impl FormCache {
    /// The form version, parsed from the workbook the store holds.
    pub fn get(&mut self, store: &Store, form_id: &str, version: &str) -> Result<Arc<Form>, FinaliseError> {
        let key = (form_id.to_string(), version.to_string());
        if let Some(f) = self.forms.get(&key) {
            return Ok(f.clone());
        }
        let bytes = store.form_xlsx(form_id, version)?;
        let imported = shared::form::import_xlsx(&bytes).map_err(|e| FinaliseError::Form(e.to_string()))?;
        let form = Arc::new(imported.form);
        self.forms.insert(key, form.clone());
        Ok(form)
    }
}

/// The draft's answers with the metadata the app fills (start, end, today, device, user).
pub fn with_metadata(form: &Form, draft: &Draft, finalised_at: DateTime<FixedOffset>, who: &Identity) -> Answers {
    let mut answers = draft.answers();
    for field in form.fields() {
        if let FieldKind::Meta(kind) = field.kind {
            let value = match kind {
                MetaKind::Start => draft.started_at.to_rfc3339(),
                MetaKind::End => finalised_at.to_rfc3339(),
                MetaKind::Today => finalised_at.date_naive().to_string(),
                MetaKind::DeviceId => who.device_id.clone(),
                MetaKind::Username => who.username.clone(),
            };
            answers.set(&field.name, value);
        }
    }
    answers
}

/// Validates a draft as it stands (for live feedback and before finalising).
pub fn check(form: &Form, draft: &Draft, now: DateTime<FixedOffset>, who: &Identity) -> Report {
    let answers = with_metadata(form, draft, now, who);
    shared::validate::validate_for_entry(form, &answers, Clock { now: now.naive_local() }, form.language())
}

/// The sealed record of a valid draft, or the validation report.
pub fn build(form: &Form, draft: &Draft, finalised_at: DateTime<FixedOffset>, who: &Identity) -> Result<Submission, Report> {
    let answers = with_metadata(form, draft, finalised_at, who);
    let report = validate(form, &answers, Clock { now: finalised_at.naive_local() }, form.language());
    if !report.is_valid() {
        return Err(report);
    }
    // Answers to questions that are not relevant are not sent (as ODK does).
    let kept = answers.to_paths().into_iter().filter(|(p, _)| !report.not_relevant.contains(p)).collect::<Vec<_>>();
    let answers = Answers::from_paths(kept.iter().map(|(p, v)| (p.as_str(), v.as_str())));
    let mut photos: Vec<String> = draft.photos.iter().map(|(_, sha)| sha.clone()).collect();
    photos.sort();
    photos.dedup();
    Ok(Submission {
        id: draft.id,
        form_id: draft.form_id.clone(),
        form_version: draft.form_version.clone(),
        centro_id: draft.centro_id.clone(),
        started_at: draft.started_at,
        finalised_at,
        answers: answers_to_wire(&answers),
        meta: SubmissionMeta { mode: draft.mode, position: None, sampling_position: draft.sampling_position, photos },
        content_hash: String::new(),
    }
    .seal())
}

/// Finalises a draft: validated, sealed and moved into the outbox in one transaction.
pub fn finalise(store: &mut Store, forms: &mut FormCache, draft_id: Uuid, who: &Identity) -> Result<Submission, FinaliseError> {
    let draft = store.draft(draft_id)?;
    let form = forms.get(store, &draft.form_id, &draft.form_version)?;
    let submission = build(&form, &draft, store.now(), who).map_err(FinaliseError::Invalid)?;
    store.finalise(&submission)?;
    Ok(submission)
}
