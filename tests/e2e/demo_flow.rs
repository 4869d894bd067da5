//! The demo as a person would run it, over real HTTP on 127.0.0.1: enrol, push a survey
//! twice (stored, then duplicate), push it changed (conflict), and see the centro's score
//! move — equal to the `shared` scoring of the same answers.

use chrono::DateTime;
use mobile::sync_client::SyncClient;
use shared::protocol::{CollectionMode, Outcome, PushRequest, Submission, SubmissionMeta, WireAnswers, WireEntry, answers_from_wire};
use shared::scoring::{MethodSettings, SurveyPlan};

use crate::helpers::spawn_server;

const PASSWORD: &str = sync_server::demo::DEMO_PASSWORD;

fn survey() -> Submission {
    let mut answers = WireAnswers::new();
    for (k, v) in [
        ("consentimiento", "si"), ("P0", "licencia_conducir"), ("AG1", "21a40"), ("AG2", "2"), ("AG3", "3"), ("AG4", "2"),
        ("DE1", "3"), ("DE2", "2"), ("DE3", "parcial"), ("TC1", "4"), ("TC2", "4"), ("TC3", "no"), ("CI1", "3"),
        ("CI2", "no"), ("CI3", "si"), ("IN1", "no"), ("IN2", "no"), ("QJ1", "no"), ("RE1", "parcial"), ("GL1", "3"),
        ("GL2", "6"),
    ] {
        answers.insert(k.into(), WireEntry::Value(v.into()));
    }
    Submission {
        id: uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0042),
        form_id: "encuesta_opinion".into(),
        form_version: "2025010102".into(),
        centro_id: "GTO-E-T-01".into(),
        started_at: DateTime::parse_from_rfc3339("2025-09-15T10:00:00-06:00").expect("valid"),
        finalised_at: DateTime::parse_from_rfc3339("2025-09-15T10:02:30-06:00").expect("valid"),
        answers,
        meta: SubmissionMeta { mode: CollectionMode::Entrevista, position: None, sampling_position: Some(5), photos: vec![], score_notes: vec![], photo_items: vec![], replaces: None },
        content_hash: String::new(),
    }
    .seal()
}

fn push(s: Submission) -> PushRequest {
    PushRequest { device_time: chrono::Utc::now().fixed_offset(), submissions: vec![s], ledger: None, sampling: vec![] }
}

#[tokio::test]
async fn enrol_push_twice_push_changed_and_see_the_score_move() -> anyhow::Result<()> {
    let server = spawn_server().await?;
    let anon = SyncClient::new(&server.url())?;
    let ana = anon.clone().with_token(anon.enrol("enc.ana", PASSWORD, "Teléfono de Ana").await?.token);
    let staff = anon.clone().with_token(anon.enrol("coordinacion", PASSWORD, "Escritorio").await?.token);
    let centro = |t: &shared::protocol::ScoreTableDto| t.centros.iter().find(|c| c.centro_id == "GTO-E-T-01").cloned().expect("centro");
    let before = staff.scores("2025").await?;
    assert_eq!(centro(&before).n, 0);

    let s = survey();
    let first = ana.push(&push(s.clone())).await?;
    assert_eq!(first.results[0].outcome, Outcome::Stored);
    let second = ana.push(&push(s.clone())).await?;
    assert_eq!(second.results[0].outcome, Outcome::Duplicate);
    let mut changed = s.clone();
    changed.answers.insert("GL2".into(), WireEntry::Value("2".into()));
    let third = ana.push(&push(changed.seal())).await?;
    assert_eq!(third.results[0].outcome, Outcome::Conflict);
    assert_eq!((third.receipt.received, third.receipt.stored, third.receipt.duplicates, third.receipt.conflicts), (3, 1, 1, 1));

    let after = staff.scores("2025").await?;
    let row = centro(&after);
    assert_eq!((row.n, row.n_isc), (1, 1));
    assert!(after.watermark >= first.results[0].seq.expect("seq"));
    // The API's ISC is the `shared` scoring of the stored answers (not of the conflicting copy).
    let form = shared::instruments::encuesta()?;
    let expected = SurveyPlan::new(&form, &MethodSettings::default()).respondent(&answers_from_wire(&s.answers)).isc;
    assert_eq!(row.isc, expected);
    Ok(())
}
