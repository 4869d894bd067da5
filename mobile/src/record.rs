//! Turning a draft into a record: fill the form's metadata, validate with the `shared`
//! form engine (relevance, required, constraints), drop answers that are not relevant,
//! seal, and move it into the outbox in one transaction.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use shared::answers::Answers;
use shared::expr::Clock;
use shared::form::{FieldKind, Form, MetaKind};
use shared::protocol::{GeoPosition, PhotoItem, ScoreNote, Submission, SubmissionMeta, answers_to_wire};
use shared::validate::{ErrorCode, FieldError, Report, validate};
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
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Identity {
    pub device_id: String,
    pub username: String,
}

/// Parsed forms by (id, version), read from the store once.
#[derive(Debug, Default)]
pub struct FormCache {
    forms: HashMap<(String, String), Arc<Form>>,
    /// Forms as asked at a centro that lists its own trámites, by form, version and the
    /// centro's list (a new list is a new entry).
    at_centros: HashMap<(String, String, Vec<String>), Arc<Form>>,
}

impl FormCache {
    /// The form version, parsed from the workbook the store holds.
    pub fn get(&mut self, store: &Store, form_id: &str, version: &str) -> Result<Arc<Form>, FinaliseError> {
        let key = (form_id.to_string(), version.to_string());
        if let Some(f) = self.forms.get(&key) {
            return Ok(f.clone());
        }
        let bytes = store.form_xlsx(form_id, version)?;
        let files = store.form_files(form_id, version)?;
        let imported = shared::form::import_with_files(&bytes, Some(form_id), &files).map_err(|e| FinaliseError::Form(e.to_string()))?;
        let form = Arc::new(imported.form);
        self.forms.insert(key, form.clone());
        Ok(form)
    }

    /// The form version as asked at `centro_id`: its `tramites` list offers the centro's
    /// own trámites when it lists some (`shared::form::centro_lists`).
    pub fn at_centro(&mut self, store: &Store, form_id: &str, version: &str, centro_id: &str) -> Result<Arc<Form>, FinaliseError> {
        let form = self.get(store, form_id, version)?;
        if !shared::form::centro_lists::has_tramites(&form) {
            return Ok(form);
        }
        let Ok(centro) = store.centro(centro_id) else { return Ok(form) };
        let key = (form_id.to_string(), version.to_string(), centro.tramites);
        if let Some(f) = self.at_centros.get(&key) {
            return Ok(f.clone());
        }
        let Some(at) = shared::form::centro_lists::for_centro(&form, &key.2) else { return Ok(form) };
        let at = Arc::new(at);
        self.at_centros.insert(key, at.clone());
        Ok(at)
    }
}

/// The draft's answers with the metadata the app fills (start, end, today, device, user).
pub fn with_metadata(form: &Form, draft: &Draft, finalised_at: DateTime<FixedOffset>, who: &Identity) -> Answers {
    let mut answers = draft.answers();
    let facts = shared::metadata::RecordFacts {
        started_at: draft.started_at,
        finalised_at,
        device_id: &who.device_id,
        username: &who.username,
        start_geopoint: draft.position.as_deref().unwrap_or_default(),
    };
    // An `audit` answer is kept by `finalise` as a file answer before the record is built.
    shared::metadata::fill(form, &mut answers, &facts);
    answers
}

/// The draft's score notes for items the form has, and a problem for each item scored
/// otherwise than suggested with no reason given.
fn score_notes(form: &Form, draft: &Draft) -> (Vec<ScoreNote>, Vec<FieldError>) {
    let notes: Vec<ScoreNote> = draft.score_notes.iter().filter(|n| form.fields().iter().any(|f| f.name == n.item)).cloned().collect();
    let problems = notes
        .iter()
        .filter(|n| {
            let answered = draft.answers.get(&n.item).map_or("", String::as_str);
            !answered.is_empty() && answered != n.suggested && n.reason.as_deref().is_none_or(|r| r.trim().is_empty())
        })
        .map(|n| FieldError {
            path: n.item.clone(),
            code: ErrorCode::Constraint,
            message: "La calificación es distinta de la sugerida por los registros del programa: escriba el motivo de la corrección.".into(),
        })
        .collect();
    (notes, problems)
}

/// Validates a draft as it stands (for live feedback and before finalising).
pub fn check(form: &Form, draft: &Draft, now: DateTime<FixedOffset>, who: &Identity) -> Report {
    let answers = with_metadata(form, draft, now, who);
    let mut report = shared::validate::validate_for_entry(form, &answers, Clock::for_record(now.naive_local(), &draft.id.to_string()), form.language());
    report.errors.extend(score_notes(form, draft).1);
    report
}

/// The sealed record of a valid draft, or the validation report.
pub fn build(form: &Form, draft: &Draft, finalised_at: DateTime<FixedOffset>, who: &Identity) -> Result<Submission, Report> {
    let answers = with_metadata(form, draft, finalised_at, who);
    let mut report = validate(form, &answers, Clock::for_record(finalised_at.naive_local(), &draft.id.to_string()), form.language());
    let (score_notes, problems) = score_notes(form, draft);
    report.errors.extend(problems);
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
        meta: SubmissionMeta {
            mode: draft.mode,
            position: draft.position.as_deref().and_then(geo_position),
            sampling_position: draft.sampling_position,
            photos,
            score_notes,
            photo_items: draft.photos.iter().map(|(item, sha)| PhotoItem { item: item.clone(), sha256: sha.clone() }).collect(),
            replaces: draft.replaces,
        },
        content_hash: String::new(),
    }
    .seal())
}

/// A `lat lon alt accuracy` geopoint as the record's position.
fn geo_position(geopoint: &str) -> Option<GeoPosition> {
    let (lat, lon) = shared::answers::parse_geopoint(geopoint)?;
    let accuracy_m = geopoint.split_whitespace().nth(3).and_then(|a| a.parse::<f64>().ok()).filter(|a| a.is_finite() && *a >= 0.0);
    Some(GeoPosition { lat, lon, accuracy_m })
}

/// The audit as ODK writes it (`event,node,start,end`, Unix milliseconds), one row per
/// stretch a question was on screen.
pub fn audit_csv(entries: &[crate::store::capture::AuditEntry]) -> String {
    let mut out = String::from("event,node,start,end\n");
    for e in entries {
        let node = e.node.replace(['"', ',', '\n', '\r'], "_");
        out.push_str(&format!("question,/data/{node},{},{}\n", e.start_ms, e.end_ms));
    }
    out
}

/// Finalises a draft: validated, sealed and moved into the outbox in one transaction.
pub fn finalise(store: &mut Store, forms: &mut FormCache, draft_id: Uuid, who: &Identity) -> Result<Submission, FinaliseError> {
    let mut draft = store.draft(draft_id)?;
    let form = forms.at_centro(store, &draft.form_id, &draft.form_version, &draft.centro_id)?;
    if let Some(audit) = form.fields().into_iter().find(|f| f.kind == FieldKind::Meta(MetaKind::Audit)) {
        let csv = audit_csv(&store.audit_log(draft_id)?);
        store.answer_with_file(draft_id, &audit.name, csv.as_bytes(), "csv")?;
        draft = store.draft(draft_id)?;
    }
    let submission = build(&form, &draft, store.now(), who).map_err(FinaliseError::Invalid)?;
    store.finalise(&submission)?;
    Ok(submission)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use shared::protocol::{CollectionMode, ScoreNote};

    use super::*;

    /// A complete visit of the shipped checklist, every item «Cumple».
    fn visit(form: &Form, notes: Vec<ScoreNote>) -> Draft {
        let mut answers = BTreeMap::new();
        for f in form.fields() {
            if f.scoring.pillar.is_some() {
                answers.insert(f.name.clone(), "2".to_string());
            }
        }
        answers.insert("turno".into(), "matutino".into());
        answers.insert("aviso".into(), "si".into());
        for i in 1..=5 {
            answers.insert(format!("espera[{i}]/espera_min"), "5".into());
        }
        Draft {
            id: Uuid::now_v7(),
            form_id: form.id.clone(),
            form_version: form.version.clone(),
            centro_id: "C1".into(),
            started_at: DateTime::parse_from_rfc3339("2025-05-20T09:00:00-06:00").expect("date"),
            mode: CollectionMode::Entrevista,
            sampling_position: None,
            answers,
            photos: vec![],
            score_notes: notes,
            position: None,
            place: None,
            replaces: None,
        }
    }

    #[test]
    fn scoring_an_item_otherwise_than_suggested_needs_a_reason_and_the_note_travels_with_the_record() {
        let form = shared::instruments::cedula().expect("the shipped checklist");
        let who = Identity { device_id: "d".into(), username: "insp".into() };
        let at = DateTime::parse_from_rfc3339("2025-05-20T10:10:00-06:00").expect("date");
        let note = |reason: Option<&str>| ScoreNote { item: "TC-V7".into(), basis: "3 de 4 (75 %)".into(), suggested: "1".into(), reason: reason.map(String::from) };
        let report = build(&form, &visit(&form, vec![note(None)]), at, &who).expect_err("a correction without a reason");
        assert_eq!(report.errors.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["TC-V7"]);
        assert!(check(&form, &visit(&form, vec![note(None)]), at, &who).errors.iter().any(|e| e.path == "TC-V7"), "shown while filling");
        let sealed = build(&form, &visit(&form, vec![note(Some("Constancias vistas"))]), at, &who).expect("with its reason");
        assert_eq!(sealed.meta.score_notes, [note(Some("Constancias vistas"))]);
        assert!(sealed.verified_json().is_some_and(|j| j.contains("Constancias vistas")), "the notes are sealed with the record");
        // Confirmed as suggested: no reason needed.
        let mut confirmed = visit(&form, vec![note(None)]);
        confirmed.answers.insert("TC-V7".into(), "1".into());
        assert!(build(&form, &confirmed, at, &who).is_ok());
        // A note for an item the form does not have is not sent.
        let stray = ScoreNote { item: "XX-9".into(), ..note(None) };
        assert!(build(&form, &visit(&form, vec![stray]), at, &who).expect("valid").meta.score_notes.is_empty());
    }
}
