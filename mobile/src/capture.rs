//! What the screens call for answers the device captures: files that answer a question,
//! the position a record was started at, how long each question was on screen, and the
//! program's other forms (an XLSForm brought by the program, filled at a centro).

use std::sync::Mutex;

use shared::form::{FieldKind, MetaKind};
use uuid::Uuid;

use crate::field::{FieldApp, SURVEY_FORM, VISIT_FORM};
use crate::photo::{MAX_SIDE, PhotoError, downscale_to};
use crate::store::capture::AuditEntry;
use crate::store::drafts::NewDraft;
use crate::store::reference::FormEntry;
use crate::store::StoreError;
use crate::sync::lock;

/// The longer side of an evidence photo's thumbnail, in pixels (twice its shown size).
const THUMBNAIL_SIDE: u32 = 192;

/// Why a file answer was not kept. Messages in Spanish.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Photo(#[from] PhotoError),
    #[error("El archivo pesa más de {} MB; elija uno más pequeño.", shared::protocol::MAX_PHOTO_BYTES / (1024 * 1024))]
    TooLarge,
    #[error("El archivo está vacío.")]
    Empty,
    #[error("Esta pregunta no recibe archivos.")]
    NotAFileQuestion,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The question on screen now, per draft, since when (Unix ms): closed into the audit
/// when another is shown or the record is finalised.
#[derive(Debug, Default)]
pub struct OnScreen(Mutex<Option<(Uuid, String, i64)>>);

/// The extension a file answer keeps: the name's, if short and plain, else `bin`.
fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| (1..=8).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| "bin".into())
}

impl FieldApp {
    /// Keeps `bytes` (named `name` on the device) as the answer to the file question at
    /// `path`: a photo or signature downscaled to the question's `max-pixels` (JPEG), any
    /// other file as it is, up to the upload limit. `None` removes the answer.
    pub fn answer_file(&self, draft: Uuid, path: &str, file: Option<(&str, &[u8])>) -> Result<(), FileError> {
        let Some((name, bytes)) = file else {
            return Ok(lock(self.store()).clear_file_answer(draft, path)?);
        };
        let view = self.draft(draft).map_err(|e| StoreError::NotFound(e.to_string()))?;
        let field = crate::layout::field_of(&view.form, path).ok_or(FileError::NotAFileQuestion)?;
        if bytes.is_empty() {
            return Err(FileError::Empty);
        }
        let (kept, ext) = match field.kind {
            FieldKind::Image => {
                let side = field.parameters.get("max-pixels").and_then(|p| p.trim().parse().ok()).unwrap_or(MAX_SIDE);
                (downscale_to(bytes, side)?, "jpg".to_string())
            }
            FieldKind::Audio | FieldKind::Video | FieldKind::File => {
                if bytes.len() as u64 > shared::protocol::MAX_PHOTO_BYTES {
                    return Err(FileError::TooLarge);
                }
                (bytes.to_vec(), extension(name))
            }
            _ => return Err(FileError::NotAFileQuestion),
        };
        lock(self.store()).answer_with_file(draft, path, &kept, &ext)?;
        Ok(())
    }

    /// The file a file answer names (`<sha256>.<ext>`), as the screen shows it: a JPEG's
    /// preview is the photo itself (the app stores photos at most 1,600 px on a side).
    pub fn kept_file(&self, value: &str) -> Option<crate::layout::KeptFile> {
        use base64::Engine as _;
        let (sha, ext) = value.rsplit_once('.')?;
        let bytes = lock(self.store()).photo(sha).ok()?;
        let preview = (ext == "jpg").then(|| format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(&bytes)));
        Some(crate::layout::KeptFile { bytes: bytes.len(), preview })
    }

    /// The thumbnail of an evidence photo kept on the device (a small JPEG as a `data:`
    /// URL), made once per photo: screens ask for it at every render.
    pub fn photo_preview(&self, sha256: &str) -> Option<String> {
        use base64::Engine as _;
        let cache = |t: &Mutex<std::collections::HashMap<String, String>>| t.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(sha256).cloned();
        if let Some(url) = cache(&self.thumbnails) {
            return Some(url);
        }
        let bytes = lock(self.store()).photo(sha256).ok()?;
        let small = downscale_to(&bytes, THUMBNAIL_SIDE).ok()?;
        let url = format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(&small));
        self.thumbnails.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(sha256.to_string(), url.clone());
        Some(url)
    }

    /// Takes an evidence photo off a checklist item of a draft.
    pub fn remove_photo(&self, draft: Uuid, item: &str, sha256: &str) -> Result<(), StoreError> {
        lock(self.store()).detach_photo(draft, item, sha256)
    }

    /// A file published with a form as a `data:` URL (images, audio, video shown beside
    /// questions), `None` when the device does not hold it.
    pub fn form_media(&self, form_id: &str, version: &str, name: &str) -> Option<String> {
        let bytes = lock(self.store()).form_file(form_id, version, name).ok()??;
        Some(media_url(name, &bytes))
    }

    /// After the answer at `path` changed: every question whose `trigger` names it gets the
    /// value of its calculation now, kept with the draft (as ODK sets it, once per change).
    pub fn fire_triggers(&self, draft: Uuid, path: &str) -> Result<(), StoreError> {
        let name = crate::layout::name_of(path);
        let (current, form) = self.draft_form(draft).map_err(|e| StoreError::NotFound(e.to_string()))?;
        if !form.fields().iter().any(|f| f.is_triggered()) {
            return Ok(());
        }
        let answers = current.answers();
        let fired: Vec<(String, Option<String>)> = form
            .fields()
            .into_iter()
            .filter(|f| f.trigger.iter().any(|t| t == name))
            .map(|f| {
                let now = lock(self.store()).now().naive_local();
                let clock = shared::expr::Clock::for_record(now, &draft.to_string());
                let value = f.calculation.as_ref().map(|c| shared::validate::evaluate_in(&form, &answers, clock, c).to_text());
                (f.name.clone(), value.filter(|v| !v.is_empty()))
            })
            .collect();
        let mut store = lock(self.store());
        for (field, value) in fired {
            store.save_answer(draft, &field, value.as_deref())?;
        }
        Ok(())
    }

    /// Keeps the position the device gave when the draft was opened (the first one only).
    pub fn start_position(&self, draft: Uuid, geopoint: &str) -> Result<(), StoreError> {
        if shared::answers::parse_geopoint(geopoint).is_none() {
            return Err(StoreError::NotFound("una ubicación válida".into()));
        }
        lock(self.store()).set_start_position(draft, geopoint)
    }

    /// Notes that `node` is on screen in `draft` now (forms with an `audit` question): the
    /// question shown before is closed into the draft's audit.
    pub fn on_screen(&self, draft: Uuid, node: &str) -> Result<(), StoreError> {
        let now = lock(self.store()).now().timestamp_millis();
        let mut current = self.on_screen.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match current.as_ref() {
            Some((d, n, _)) if *d == draft && n == node => return Ok(()),
            Some((d, n, since)) => {
                let entry = AuditEntry { node: n.clone(), start_ms: *since, end_ms: now };
                lock(self.store()).audit(*d, &entry)?;
            }
            None => {}
        }
        *current = Some((draft, node.to_string(), now));
        Ok(())
    }

    /// Closes the stretch on screen of `draft` (before it is finalised or left).
    pub fn off_screen(&self, draft: Uuid) -> Result<(), StoreError> {
        let now = lock(self.store()).now().timestamp_millis();
        let mut current = self.on_screen.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((d, n, since)) = current.take() {
            if d == draft {
                lock(self.store()).audit(d, &AuditEntry { node: n, start_ms: since, end_ms: now })?;
            } else {
                *current = Some((d, n, since));
            }
        }
        Ok(())
    }

    /// Starts a record of one of the [`FieldApp::other_forms`] at a centro.
    pub fn start_form(&self, centro_id: &str, form_id: &str) -> Result<Uuid, StoreError> {
        let mut store = lock(self.store());
        let form = store.latest_form(form_id)?.ok_or_else(|| StoreError::NotFound(format!("el formulario {form_id}")))?;
        let new = NewDraft {
            form_id: &form.form_id,
            form_version: &form.version,
            centro_id,
            mode: shared::protocol::CollectionMode::Entrevista,
            sampling_position: None,
        };
        store.create_draft(&new)
    }
}

/// The program's forms other than the survey and the checklist (latest version of each),
/// which any field user may fill at a centro.
pub fn other_forms_in(store: &crate::store::Store) -> Result<Vec<FormEntry>, StoreError> {
    let mut latest: Vec<FormEntry> = Vec::new();
    for f in store.forms()?.into_iter().filter(|f| f.form_id != SURVEY_FORM && f.form_id != VISIT_FORM) {
        match latest.iter_mut().find(|l| l.form_id == f.form_id) {
            Some(l) => *l = f,
            None => latest.push(f),
        }
    }
    Ok(latest)
}

/// True when the form keeps an audit of time on screen.
pub fn audits(form: &shared::form::Form) -> bool {
    form.fields().iter().any(|f| f.kind == FieldKind::Meta(MetaKind::Audit))
}

/// A form's file as a `data:` URL, its type from its extension.
pub fn media_url(name: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let mime = match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "ogg" => "audio/ogg",
        "wav" => "audio/wav",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        _ => "application/octet-stream",
    };
    format!("data:{mime};base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::extension;

    #[test]
    fn file_answers_keep_a_plain_short_extension() {
        assert_eq!(extension("Entrevista.M4A"), "m4a");
        assert_eq!(extension("sin-extension"), "bin");
        assert_eq!(extension("raro.ex e"), "bin");
        assert_eq!(extension("x.muylargaextension"), "bin");
    }
}
