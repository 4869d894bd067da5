//! What the screens call to pick work up where it was left: a draft's page on screen, the
//! stopwatches running in it, drafts discarded by mistake, and records a supervisor
//! rejected, opened and corrected («Corregir y reenviar»).

use uuid::Uuid;

use crate::field::FieldApp;
use crate::store::outbox::SentRecord;
use crate::summary::SummarySection;
use crate::store::StoreError;
use crate::store::drafts::DraftSummary;
use crate::sync::lock;

/// The minutes a stopwatch shows (one decimal), from `started` to `now`; never negative.
pub fn minutes_between(started: chrono::DateTime<chrono::FixedOffset>, now: chrono::DateTime<chrono::FixedOffset>) -> String {
    let secs = (now - started).num_milliseconds().max(0) as f64 / 1000.0;
    format!("{:.1}", secs / 60.0)
}

impl FieldApp {
    /// Remembers the page on screen by its first question.
    pub fn save_place(&self, draft: Uuid, path: &str) -> Result<(), StoreError> {
        lock(self.store()).save_place(draft, path)
    }

    /// Where a draft was left (the first question of its page), if anywhere.
    pub fn place(&self, draft: Uuid) -> Result<Option<String>, StoreError> {
        lock(self.store()).place(draft)
    }

    /// Starts the stopwatch of a question now (it keeps running off screen).
    pub fn start_timer(&self, draft: Uuid, path: &str) -> Result<(), StoreError> {
        let mut store = lock(self.store());
        let now = store.now();
        store.set_timer(draft, path, Some(now))
    }

    /// Since when the stopwatch of a question runs, if it does.
    pub fn timer(&self, draft: Uuid, path: &str) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, StoreError> {
        Ok(lock(self.store()).timers(draft)?.into_iter().find(|(p, _)| p == path).map(|(_, t)| t))
    }

    /// Stops the stopwatch of a question: its minutes become the answer (saved, triggers
    /// fired). Returns the minutes, or `None` when it was not running.
    pub fn stop_timer(&self, draft: Uuid, path: &str) -> Result<Option<String>, StoreError> {
        let Some(started) = self.timer(draft, path)? else { return Ok(None) };
        let minutes = minutes_between(started, lock(self.store()).now());
        self.answer(draft, path, Some(&minutes))?;
        lock(self.store()).set_timer(draft, path, None)?;
        Ok(Some(minutes))
    }

    /// Sets a draft aside; it can be brought back until the day is over.
    pub fn discard(&self, draft: Uuid) -> Result<(), StoreError> {
        lock(self.store()).discard_draft(draft)
    }

    /// Brings a draft set aside today back to the list.
    pub fn restore(&self, draft: Uuid) -> Result<(), StoreError> {
        lock(self.store()).restore_draft(draft)
    }

    /// Drafts set aside today (those of earlier days are deleted first).
    pub fn discarded(&self) -> Result<Vec<DraftSummary>, StoreError> {
        let mut store = lock(self.store());
        store.purge_discarded()?;
        store.discarded_drafts()
    }
}

/// A record the server acknowledged, as the phone shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecordView {
    pub record: SentRecord,
    pub centro_name: String,
    pub form_title: String,
    /// Its answers section by section (`None`: acknowledged before the phone kept copies).
    pub answers: Option<Vec<SummarySection>>,
    /// A draft correcting it is on the phone already.
    pub correcting: Option<Uuid>,
}

impl FieldApp {
    /// An acknowledged record with its answers and review decision.
    pub fn record(&self, id: Uuid) -> Result<RecordView, crate::record::FinaliseError> {
        let store = lock(self.store());
        let record = store.sent_record(id)?.ok_or_else(|| StoreError::NotFound("el registro".into()))?;
        let centro_name = store.centro(&record.centro_id).map_or_else(|_| record.centro_id.clone(), |c| c.name);
        let correcting = store.correction_of(id)?;
        let sent = store.sent_submission(id)?;
        drop(store);
        let mut form_title = record.form_id.clone();
        let answers = match sent {
            Some(s) => {
                let form = self.form_at(&s.form_id, &s.form_version, &s.centro_id)?;
                form_title = form.title.get(form.language()).unwrap_or(&form.id).to_string();
                let answers = shared::protocol::answers_from_wire(&s.answers);
                let paths: std::collections::BTreeMap<String, String> = answers.to_paths().into_iter().collect();
                let now = s.finalised_at.naive_local();
                let report = shared::validate::validate_for_entry(&form, &answers, shared::expr::Clock::for_record(now, &s.id.to_string()), form.language());
                let pages = crate::layout::one_per_page(&report.asked);
                Some(crate::summary::summary(&form, &pages, &paths, &report, crate::layout::general_section(&s.form_id)))
            }
            None => None,
        };
        Ok(RecordView { record, centro_name, form_title, answers, correcting })
    }

    /// Starts (or reopens) the draft that corrects a rejected record: the same answers,
    /// to change and send again as a new record naming the one it replaces.
    pub fn correct(&self, id: Uuid) -> Result<Uuid, StoreError> {
        let mut store = lock(self.store());
        if let Some(draft) = store.correction_of(id)? {
            return Ok(draft);
        }
        let original = store.sent_submission(id)?.ok_or_else(|| StoreError::NotFound("la copia del registro en el teléfono".into()))?;
        store.create_correction(&original)
    }
}

#[cfg(test)]
mod tests {
    use super::minutes_between;

    #[test]
    fn minutes_have_one_decimal_and_never_go_negative() {
        let t = |s: &str| chrono::DateTime::parse_from_rfc3339(s).expect("time");
        assert_eq!(minutes_between(t("2026-01-01T10:00:00-06:00"), t("2026-01-01T10:04:30-06:00")), "4.5");
        assert_eq!(minutes_between(t("2026-01-01T10:00:00-06:00"), t("2026-01-01T09:59:00-06:00")), "0.0");
    }
}
