//! The shipped survey filled on a phone as the benchmarks need it: many surveys with
//! varied answers (included by `#[path]` by the benches that push surveys).
// Each bench uses some of these.
#![allow(dead_code)]

use mobile::record::{FormCache, Identity, finalise};
use mobile::store::Store;
use mobile::store::drafts::NewDraft;
use shared::protocol::CollectionMode;

/// The shipped survey's answers (`field::SURVEY` of the end-to-end tests, as a phone
/// records them), with every rating varied by `i` over its own list (1–5, 0–10), so that
/// no two batches repeat: the other answers open no follow-up question.
pub struct Answers {
    /// Per question: its answer, or the ratings to pick from.
    questions: Vec<(&'static str, Result<String, Vec<String>>)>,
}

impl Answers {
    pub fn new() -> Self {
        let form = shared::instruments::encuesta().expect("the shipped survey");
        let questions = SURVEY
            .iter()
            .map(|(path, value)| {
                let ratings: Vec<String> = form
                    .fields()
                    .iter()
                    .find(|f| f.name == *path)
                    .and_then(|f| f.list_name())
                    .and_then(|l| form.lists.get(l))
                    .map(|l| l.choices.iter().map(|c| c.name.clone()).filter(|c| c.parse::<u8>().is_ok()).collect())
                    .unwrap_or_default();
                (*path, if value.parse::<u8>().is_ok() && ratings.len() > 1 { Err(ratings) } else { Ok(value.to_string()) })
            })
            .collect();
        Answers { questions }
    }

    pub fn of(&self, i: usize) -> impl Iterator<Item = (&'static str, &str)> {
        self.questions.iter().enumerate().map(move |(k, (path, a))| {
            let value = match a {
                Ok(v) => v.as_str(),
                Err(ratings) => &ratings[(i.wrapping_mul(2_654_435_761) >> (k % 16)).wrapping_add(k * 7) % ratings.len()],
            };
            (*path, value)
        })
    }
}

/// One survey's answers as a phone records them (the answers vary from these).
pub const SURVEY: &[(&str, &str)] = &[
    ("consentimiento", "si"), ("P0", "predial"), ("AG1", "10a20"), ("AG2", "4"), ("AG3", "5"), ("AG4", "1"), ("DE1", "4"),
    ("DE2", "3"), ("DE3", "si"), ("TC1", "5"), ("TC2", "4"), ("TC3", "si"), ("CI1", "4"), ("CI2", "parcial"), ("CI3", "no"),
    ("IN1", "no"), ("IN2", "no"), ("QJ1", "si"), ("RE1", "si"), ("GL1", "4"), ("GL2", "9"),
];

/// What a phone fills surveys for: the user, the centro, its trámite and the form.
pub struct Filler {
    who: Identity,
    centro: String,
    tramite: String,
    form: (String, String),
    forms: FormCache,
    answers: Answers,
    /// Surveys finalised so far (each one's answers vary with it).
    pub n: usize,
}

impl Filler {
    /// For the enrolled user of `store`, after a first sync brought the forms and centros.
    pub fn new(store: &Store, device_id: &str, username: &str) -> Self {
        let info = store.centros().expect("centros").remove(0);
        // The trámite question offers the centro's own trámites when it lists some.
        let tramite = info.tramites.first().map_or_else(|| "predial".to_string(), |t| shared::form::centro_lists::tramite_name(t));
        let form = store.latest_form("encuesta_opinion").expect("forms").expect("form");
        Filler {
            who: Identity { device_id: device_id.to_string(), username: username.to_string() },
            centro: info.centro_id,
            tramite,
            form: (form.form_id, form.version),
            forms: FormCache::default(),
            answers: Answers::new(),
            n: 0,
        }
    }

    /// Creates, answers and finalises `count` surveys in `store`, as the screens do.
    pub fn finalise(&mut self, store: &mut Store, count: usize) {
        for _ in 0..count {
            let new = NewDraft {
                form_id: &self.form.0,
                form_version: &self.form.1,
                centro_id: &self.centro,
                mode: CollectionMode::Entrevista,
                sampling_position: Some(self.n as u32 + 1),
            };
            let id = store.create_draft(&new).expect("draft");
            for (p, v) in self.answers.of(self.n) {
                store.save_answer(id, p, Some(if p == "P0" { &self.tramite } else { v })).expect("answer");
            }
            finalise(store, &mut self.forms, id, &self.who).expect("finalise");
            self.n += 1;
        }
    }
}
