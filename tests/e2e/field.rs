//! A simulated field device: the app's real store (in memory), record building and sync
//! engine, enrolled with the real server, filling surveys as the screens do (one answer
//! at a time, then finalise).

use std::sync::{Arc, Mutex};

use mobile::record::{FormCache, Identity, finalise};
use mobile::store::Store;
use mobile::store::drafts::NewDraft;
use mobile::store::settings::Enrolment;
use mobile::sync::{Backoff, SyncEngine, lock};
use mobile::sync_client::SyncClient;
use shared::protocol::CollectionMode;

/// The answers of a complete, consenting exit survey.
pub const SURVEY: &[(&str, &str)] = &[
    ("consentimiento", "si"), ("P0", "predial"), ("AG1", "10a20"), ("AG2", "4"), ("AG3", "5"), ("AG4", "1"), ("DE1", "4"),
    ("DE2", "3"), ("DE3", "si"), ("TC1", "5"), ("TC2", "4"), ("TC3", "si"), ("CI1", "4"), ("CI2", "parcial"), ("CI3", "no"),
    ("IN1", "no"), ("IN2", "no"), ("QJ1", "si"), ("RE1", "si"), ("GL1", "4"), ("GL2", "9"),
];

/// A complete survey submission (built directly, as another phone would send it):
/// started at 08:00 plus ten minutes per `n`, lasting `seconds`.
pub fn sealed_survey(n: u128, centro: &str, seconds: i64) -> shared::protocol::Submission {
    use shared::protocol::{SubmissionMeta, WireAnswers, WireEntry};
    let answers: WireAnswers = SURVEY.iter().map(|(k, v)| (k.to_string(), WireEntry::Value(v.to_string()))).collect();
    let start = chrono::DateTime::parse_from_rfc3339("2025-06-02T08:00:00-06:00").expect("time") + chrono::Duration::minutes(n as i64 * 10);
    shared::protocol::Submission {
        id: uuid::Uuid::from_u128(0x5EED_0000 + n),
        form_id: "encuesta_opinion".into(),
        form_version: "2025010102".into(),
        centro_id: centro.into(),
        started_at: start,
        finalised_at: start + chrono::Duration::seconds(seconds),
        answers,
        meta: SubmissionMeta { mode: CollectionMode::Entrevista, position: None, sampling_position: Some(3), photos: vec![], score_notes: vec![], photo_items: vec![], replaces: None },
        content_hash: String::new(),
    }
    .seal()
}

/// A sealed checklist visit of `centro` (every item «Cumple»), as a phone sends it.
pub fn sealed_visit(n: u128, centro: &str) -> shared::protocol::Submission {
    use shared::protocol::{SubmissionMeta, WireAnswers, WireEntry};
    let mut answers = WireAnswers::new();
    let mut waits = Vec::new();
    for (name, value) in visit_answers() {
        match name.strip_prefix("espera[") {
            Some(_) => waits.push(std::iter::once(("espera_min".to_string(), WireEntry::Value(value))).collect::<WireAnswers>()),
            None => {
                answers.insert(name, WireEntry::Value(value));
            }
        }
    }
    answers.insert("espera".into(), WireEntry::Repeat(waits));
    let start = chrono::DateTime::parse_from_rfc3339("2025-05-20T09:00:00-06:00").expect("time") + chrono::Duration::days(n as i64 % 100);
    shared::protocol::Submission {
        id: uuid::Uuid::from_u128(0x715_0000 + n),
        form_id: "cedula_visita".into(),
        form_version: "2025010101".into(),
        centro_id: centro.into(),
        started_at: start,
        finalised_at: start + chrono::Duration::minutes(70),
        answers,
        meta: SubmissionMeta { mode: CollectionMode::Entrevista, position: None, sampling_position: None, photos: vec![], score_notes: vec![], photo_items: vec![], replaces: None },
        content_hash: String::new(),
    }
    .seal()
}

/// A checklist visit: every item «Cumple» (2), five waiting times.
pub fn visit_answers() -> Vec<(String, String)> {
    let form = shared::instruments::cedula().expect("the default checklist imports");
    let mut answers: Vec<(String, String)> =
        form.fields().iter().filter(|f| f.scoring.pillar.is_some()).map(|f| (f.name.clone(), "2".to_string())).collect();
    answers.push(("turno".into(), "matutino".into()));
    answers.push(("aviso".into(), "si".into()));
    for (i, minutes) in ["4", "6", "9", "3", "12"].iter().enumerate() {
        answers.push((format!("espera[{}]/espera_min", i + 1), minutes.to_string()));
    }
    answers
}

/// One phone.
pub struct Device {
    pub store: Arc<Mutex<Store>>,
    pub identity: Identity,
    pub engine: SyncEngine,
    pub device_id: String,
    forms: FormCache,
}

impl Device {
    /// Enrols `username` directly with the server, then talks to it through `via`.
    pub async fn enrol(server: &str, via: &str, username: &str, label: &str) -> anyhow::Result<Self> {
        let enrolled = SyncClient::new(server)?.enrol(username, sync_server::demo::DEMO_PASSWORD, label).await?;
        let mut store = Store::open_in_memory()?;
        let enrolment = Enrolment {
            server: via.to_string(),
            token: enrolled.token.clone(),
            device_id: enrolled.device_id.to_string(),
            username: username.to_string(),
            display_name: enrolled.user.display_name.clone(),
            role: enrolled.user.role,
        };
        store.set_enrolment(&enrolment)?;
        let store = Arc::new(Mutex::new(store));
        let engine = SyncEngine::from_enrolment(store.clone())?;
        let identity = Identity { device_id: enrolled.device_id.to_string(), username: username.to_string() };
        Ok(Self { store, identity, engine, device_id: enrolled.device_id.to_string(), forms: FormCache::default() })
    }

    /// Syncs until nothing is left, retrying through faults.
    pub async fn drain(&self) -> anyhow::Result<mobile::sync::SyncReport> {
        let mut backoff = Backoff::new(std::time::Duration::from_millis(5), std::time::Duration::from_millis(200));
        Ok(self.engine.sync_until_drained(&mut backoff, 200).await?)
    }

    /// Fills and finalises one visit at the first assigned centro, with `photo` as the
    /// evidence of its first item.
    pub fn fill_visit(&mut self, photo: &[u8]) -> anyhow::Result<(shared::protocol::Submission, String)> {
        let mut store = lock(&self.store);
        let centro = store.centros()?.into_iter().next().ok_or_else(|| anyhow::anyhow!("no centro assigned"))?.centro_id;
        let form = store.latest_form("cedula_visita")?.ok_or_else(|| anyhow::anyhow!("no checklist pulled"))?;
        let new = NewDraft { form_id: &form.form_id, form_version: &form.version, centro_id: &centro, mode: CollectionMode::Entrevista, sampling_position: None };
        let id = store.create_draft(&new)?;
        for (path, value) in visit_answers() {
            store.save_answer(id, &path, Some(&value))?;
        }
        let sha = store.put_photo(photo)?;
        store.attach_photo(id, "AG-V1", &sha)?;
        let record = finalise(&mut store, &mut self.forms, id, &self.identity)?;
        Ok((record, sha))
    }

    /// Fills and finalises `n` surveys at the first assigned centro.
    pub fn fill_surveys(&mut self, n: usize) -> anyhow::Result<Vec<uuid::Uuid>> {
        let mut store = lock(&self.store);
        let info = store.centros()?.into_iter().next().ok_or_else(|| anyhow::anyhow!("no centro assigned"))?;
        // The trámite question offers the centro's own trámites when it lists some.
        let tramite = info.tramites.first().map_or_else(|| "predial".to_string(), |t| shared::form::centro_lists::tramite_name(t));
        let centro = info.centro_id;
        let form = store.latest_form("encuesta_opinion")?.ok_or_else(|| anyhow::anyhow!("no survey form pulled"))?;
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let new = NewDraft {
                form_id: &form.form_id,
                form_version: &form.version,
                centro_id: &centro,
                mode: CollectionMode::Entrevista,
                sampling_position: Some(i as u32 + 1),
            };
            let id = store.create_draft(&new)?;
            for (path, value) in SURVEY {
                store.save_answer(id, path, Some(if *path == "P0" { &tramite } else { value }))?;
            }
            finalise(&mut store, &mut self.forms, id, &self.identity)?;
            ids.push(id);
        }
        Ok(ids)
    }
}
