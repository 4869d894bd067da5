//! The app's side of a [`Call`]: each one answered by the [`FieldApp`] method it names,
//! its result as JSON. In the browser this runs in the Worker that owns the store.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::call::{Call, CallError, PickedFile, Reply};
use crate::field::FieldApp;
use crate::record::{FinaliseError, Identity};
use crate::store::drafts::Draft;
use crate::store::reference::PreviousVisit;
use crate::sync::lock;

/// A draft as the page needs it to lay its form out and validate it there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftData {
    pub draft: Draft,
    pub previous: Option<PreviousVisit>,
    pub centro_name: String,
    /// The centro's own trámites (offered by a form's `tramites` list).
    pub tramites: Vec<String>,
    pub who: Identity,
    /// The app's clock when asked (validation of dates against today).
    pub now: DateTime<FixedOffset>,
}

/// A form version's workbook and files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormSource {
    pub xlsx: PickedFile,
    pub files: Vec<PickedFile>,
}

impl FieldApp {
    /// Answers one call of the screens.
    pub async fn call(&self, call: Call) -> Reply {
        match call {
            // The page never holds the device's token: only the Worker sends it.
            Call::Enrolment => json(self.enrolment().map(|e| e.map(without_token))),
            Call::Enrol { server, username, password } => json(self.enrol(&server, &username, &password).await.map(without_token)),
            Call::EnrolKiosk { server, username, password, setup } => json(self.enrol_kiosk(&server, &username, &password, &setup).await.map(without_token)),
            Call::Kiosk { welcome: true } => json(self.kiosk_welcome()),
            Call::Kiosk { welcome: false } => json(self.kiosk_view()),
            Call::Abandon { draft } => json(self.abandon(draft)),
            Call::LeaveKiosk { pin } => json(self.leave_kiosk(&pin)),
            Call::Home => json(self.home().map(|h| h.map(|h| crate::field::HomeView { enrolment: without_token(h.enrolment), ..h }))),
            Call::CountPerson { centro } => json(self.count_person(&centro)),
            Call::RecordRefusal { centro } => json(self.record_refusal(&centro)),
            Call::Start { centro, sampling_position } => json(self.start(&centro, sampling_position)),
            Call::StartForm { centro, form } => json(self.start_form(&centro, &form)),
            Call::Draft { id } => json(self.draft_data(id)),
            Call::FormSource { form, version } => json(self.form_source(&form, &version)),
            Call::Answer { draft, path, value } => json(self.answer(draft, &path, value.as_deref())),
            Call::AnswerFile { draft, path, file } => json(self.answer_file(draft, &path, file.as_ref().map(|f| (f.name.as_str(), f.bytes.as_slice())))),
            Call::ScoreReason { draft, item, reason } => json(self.score_reason(draft, &item, reason.as_deref())),
            Call::AddPhoto { draft, item, bytes } => json(self.add_photo(draft, &item, &bytes)),
            Call::RemovePhoto { draft, item, sha256 } => json(self.remove_photo(draft, &item, &sha256)),
            Call::PhotoPreviews { sha256 } => {
                let found: Vec<(String, String)> = sha256.into_iter().filter_map(|s| Some((s.clone(), self.photo_preview(&s)?))).collect();
                json(Ok::<_, CallError>(found))
            }
            Call::KeptFiles { values } => {
                let found: Vec<(String, crate::layout::KeptFile)> = values.into_iter().filter_map(|v| Some((v.clone(), self.kept_file(&v)?))).collect();
                json(Ok::<_, CallError>(found))
            }
            Call::StartPosition { draft, geopoint } => json(self.start_position(draft, &geopoint)),
            Call::SavePlace { draft, path } => json(self.save_place(draft, &path)),
            Call::OnScreen { draft, path } => json(self.on_screen(draft, &path)),
            Call::Finalise { draft } => match self.finalise(draft) {
                Ok(_) => json(Ok::<_, CallError>(())),
                Err(FinaliseError::Invalid(report)) => Err(CallError::Invalid(report.errors.iter().map(|e| e.message.clone()).collect())),
                Err(e) => Err(CallError::failed(e)),
            },
            Call::Discard { draft } => json(self.discard(draft)),
            Call::Restore { draft } => json(self.restore(draft)),
            Call::Timer { draft, path } => json(self.timer(draft, &path)),
            Call::StartTimer { draft, path } => json(self.start_timer(draft, &path)),
            Call::StopTimer { draft, path } => json(self.stop_timer(draft, &path)),
            Call::CentroProgram { centro } => json(self.centro_program(&centro)),
            Call::AuditComplaint { centro, folio, body } => json(self.audit_complaint(&centro, &folio, body)),
            Call::StorePhoto { bytes } => json(self.store_photo(&bytes)),
            Call::VerifyMilestone { centro, commitment, milestone, evidence } => json(self.verify_milestone(&centro, &commitment, &milestone, evidence)),
            Call::Record { id } => json(self.record(id)),
            Call::Correct { id } => json(self.correct(id)),
            Call::SyncView => json(self.sync_view()),
            Call::Retry { id } => json(self.retry(id)),
            Call::SyncNow => {
                self.sync_now();
                json(Ok::<_, CallError>(()))
            }
        }
    }

    /// A draft with what the page needs to show it (its form comes separately, once).
    pub fn draft_data(&self, id: Uuid) -> Result<DraftData, FinaliseError> {
        let store = lock(self.store());
        let draft = store.draft(id)?;
        let centro = store.centro(&draft.centro_id).ok();
        let who = store.enrolment()?.map(|e| Identity { device_id: e.device_id, username: e.username });
        let who = who.ok_or_else(|| crate::store::StoreError::NotFound("el registro del teléfono".into()))?;
        Ok(DraftData {
            previous: store.previous_visit(&draft.centro_id)?,
            centro_name: centro.as_ref().map_or_else(|| draft.centro_id.clone(), |c| c.name.clone()),
            tramites: centro.map(|c| c.tramites).unwrap_or_default(),
            now: store.now(),
            draft,
            who,
        })
    }

    /// A form version's workbook and files as the device holds them.
    pub fn form_source(&self, form_id: &str, version: &str) -> Result<FormSource, crate::store::StoreError> {
        let store = lock(self.store());
        let xlsx = PickedFile { name: format!("{form_id}.xlsx"), bytes: store.form_xlsx(form_id, version)? };
        let files = store.form_files(form_id, version)?.into_iter().map(|a| PickedFile { name: a.name, bytes: a.bytes }).collect();
        Ok(FormSource { xlsx, files })
    }
}

/// A method's result as a reply: its value as JSON, its error as the person reads it.
fn json<T: Serialize, E: std::fmt::Display>(result: Result<T, E>) -> Reply {
    let value = result.map_err(CallError::failed)?;
    serde_json::to_value(value).map_err(|_| CallError::Failed("La app no pudo preparar su respuesta.".into()))
}

fn without_token(e: crate::store::settings::Enrolment) -> crate::store::settings::Enrolment {
    crate::store::settings::Enrolment { token: String::new(), ..e }
}
