//! Store tests, each on an in-memory and an on-disk database.

use base64::Engine as _;
use chrono::NaiveDate;
use shared::protocol::{
    ApiError, CentroInfo, Change, ChangeBody, CollectionMode, CommitmentInfo, Outcome, PullResponse, PushResult, ReviewState, Role,
    Submission, SubmissionMeta, WireAnswers,
};
use uuid::Uuid;

use super::drafts::NewDraft;
use super::settings::Enrolment;
use super::*;

fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let disk = Store::open(&dir.path().join("app.db")).expect("on disk");
    vec![(Store::open_in_memory().expect("in memory"), None), (disk, Some(dir))]
}

fn new_draft(store: &mut Store, centro: &str) -> Uuid {
    let new = NewDraft { form_id: "encuesta_opinion", form_version: "1", centro_id: centro, mode: CollectionMode::Entrevista, sampling_position: Some(3) };
    store.create_draft(&new).expect("draft")
}

fn record(id: Uuid, centro: &str, photos: Vec<String>) -> Submission {
    let at = chrono::DateTime::parse_from_rfc3339("2025-06-02T10:00:00-06:00").expect("time");
    Submission {
        id,
        form_id: "encuesta_opinion".into(),
        form_version: "1".into(),
        centro_id: centro.into(),
        started_at: at,
        finalised_at: at,
        answers: WireAnswers::new(),
        meta: SubmissionMeta { mode: CollectionMode::Entrevista, position: None, sampling_position: None, photos, score_notes: vec![], photo_items: vec![], replaces: None },
        content_hash: String::new(),
    }
    .seal()
}

fn result(id: Uuid, outcome: Outcome) -> PushResult {
    let error = matches!(outcome, Outcome::Conflict | Outcome::Rejected).then(|| ApiError::new("invalid_answers", "Falta P0."));
    PushResult { id, outcome, seq: Some(7), review: Some(ReviewState::Accepted), error, warning: None, missing_photos: vec![] }
}

fn centro(id: &str) -> CentroInfo {
    CentroInfo {
        centro_id: id.into(),
        name: format!("Centro {id}"),
        dependencia: "SF".into(),
        municipio: "León".into(),
        lat: None,
        lon: None,
        sampling_interval: 3,
        quota: 40,
        quotas: Default::default(),
        tramites: vec!["Licencia".into()],
        training: None,
        baja: None,
    }
}

fn page(cursor: u64, bodies: Vec<ChangeBody>) -> PullResponse {
    let changes = bodies.into_iter().enumerate().map(|(i, body)| Change { seq: cursor - 10 + i as u64, body }).collect();
    PullResponse { changes, cursor, more: false }
}

#[test]
fn opening_twice_migrates_once_and_keeps_data() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("app.db");
    let id = {
        let mut store = Store::open(&path).expect("first open");
        new_draft(&mut store, "C1")
    };
    let store = Store::open(&path).expect("second open");
    let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).expect("version");
    assert_eq!(version as usize, SCHEMA_VERSION);
    assert_eq!(store.draft(id).expect("draft kept").centro_id, "C1");
    let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).expect("mode");
    assert_eq!(mode, "wal");
}

#[test]
fn a_database_of_schema_one_with_unsent_records_upgrades_losing_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.db");
    let ids: Vec<Uuid> = (0..25).map(|_| Uuid::now_v7()).collect();
    {
        let conn = migrations::open_at_schema(&path, 1).expect("schema 1");
        for id in &ids {
            let body = serde_json::to_string(&record(*id, "C1", vec![])).expect("json");
            conn.execute(
                "INSERT INTO outbox (id, form_id, centro_id, capture_day, body) VALUES (?1, 'encuesta_opinion', 'C1', '2025-06-02', ?2)",
                rusqlite::params![id.to_string(), body],
            )
            .expect("old app writes its outbox");
        }
        conn.execute("INSERT INTO drafts (id, form_id, form_version, centro_id, started_at, updated_at, mode) VALUES (?1, 'f', '1', 'C1', '2025-06-02T10:00:00-06:00', 'x', 'entrevista')", [Uuid::now_v7().to_string()])
            .expect("old draft");
    }
    let store = Store::open(&path).expect("upgrade");
    let pending: Vec<Uuid> = store.pending(100).expect("pending").iter().map(|s| s.id).collect();
    assert_eq!(pending, ids, "every unsent record survives, in order");
    assert_eq!(store.drafts().expect("drafts").len(), 1);
    assert!(store.photo_queue().expect("new tables exist").is_empty());
}

#[test]
fn records_sent_before_the_upgrade_are_not_counted_as_sent_again() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.db");
    let (sent, unsent) = (Uuid::now_v7(), Uuid::now_v7());
    {
        let conn = migrations::open_at_schema(&path, 10).expect("schema 10");
        for (id, was_sent) in [(sent, 1), (unsent, 0)] {
            let body = serde_json::to_string(&record(id, "C1", vec![])).expect("json");
            conn.execute(
                "INSERT INTO outbox (id, form_id, centro_id, capture_day, body, sent) VALUES (?1, 'encuesta_opinion', 'C1', '2025-06-02', ?2, ?3)",
                rusqlite::params![id.to_string(), body, was_sent],
            )
            .expect("old app writes its outbox");
        }
    }
    let mut store = Store::open(&path).expect("upgrade");
    store.mark_sent(&[sent, unsent]).expect("sent");
    assert_eq!(store.ledger(store.today()).expect("ledger").sent, 1, "only the record never sent counts");
    // Once acknowledged, a record's position may be taken by a new one, which counts anew.
    store.apply_results(&[result(sent, Outcome::Stored), result(unsent, Outcome::Stored)], None).expect("apply");
    let next = new_draft(&mut store, "C1");
    store.finalise(&record(next, "C1", vec![])).expect("finalise");
    store.mark_sent(&[next]).expect("sent");
    assert_eq!(store.ledger(store.today()).expect("ledger").sent, 2);
}

/// Bodies moved to a table of their own (schema 12): records waiting and records already
/// acknowledged before the upgrade keep their bodies, and a record acknowledged after it
/// still reads back as it was sent.
#[test]
fn bodies_written_before_their_own_table_survive_the_upgrade() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("old.db");
    let (waiting, acknowledged, old_sent) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    {
        let conn = migrations::open_at_schema(&path, 11).expect("schema 11");
        let body = serde_json::to_string(&record(waiting, "C1", vec![])).expect("json");
        conn.execute(
            "INSERT INTO outbox (id, form_id, centro_id, capture_day, body) VALUES (?1, 'encuesta_opinion', 'C1', '2025-06-02', ?2)",
            rusqlite::params![waiting.to_string(), body],
        )
        .expect("old app writes its outbox");
        let body = serde_json::to_string(&record(acknowledged, "C2", vec![])).expect("json");
        for (id, body) in [(acknowledged, Some(body)), (old_sent, None)] {
            conn.execute(
                "INSERT INTO sent (id, form_id, centro_id, capture_day, seq, review, acknowledged_at, body) VALUES (?1, 'encuesta_opinion', 'C2', '2025-06-02', 7, 'pending', '2025-06-02T18:00:00-06:00', ?2)",
                rusqlite::params![id.to_string(), body],
            )
            .expect("old app writes what was acknowledged");
        }
    }
    let mut store = Store::open(&path).expect("upgrade");
    let pending: Vec<Uuid> = store.pending(10).expect("pending").iter().map(|s| s.id).collect();
    assert_eq!(pending, [waiting]);
    assert_eq!(store.sent_submission(acknowledged).expect("read").map(|s| s.centro_id), Some("C2".to_string()));
    assert!(store.sent_submission(old_sent).expect("read").is_none(), "acknowledged before copies were kept");
    store.apply_results(&[result(waiting, Outcome::Stored)], None).expect("apply");
    assert!(store.pending(10).expect("pending").is_empty());
    assert_eq!(store.sent_submission(waiting).expect("read").map(|s| s.id), Some(waiting));
    let left: i64 = store.conn.query_row("SELECT COUNT(*) FROM bodies", [], |r| r.get(0)).expect("count");
    assert_eq!(left, 2, "one body per record on the phone that has one");
}

#[test]
fn a_database_from_a_newer_app_is_refused_untouched() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("new.db");
    {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.pragma_update(None, "user_version", 99).expect("version");
    }
    assert!(matches!(Store::open(&path), Err(StoreError::TooNew { found: 99 })));
}

#[test]
fn answers_are_saved_one_by_one_and_read_back() {
    for (mut store, _dir) in stores() {
        let id = new_draft(&mut store, "C1");
        store.save_answer(id, "consentimiento", Some("si")).expect("save");
        store.save_answer(id, "P0", Some("predial")).expect("save");
        store.save_answer(id, "P0", Some("licencia")).expect("overwrite");
        store.save_answer(id, "espera[2]/espera_min", Some("6")).expect("repeat");
        store.save_answer(id, "espera[1]/espera_min", Some("4")).expect("repeat");
        store.save_answer(id, "GL2", Some("9")).expect("save");
        store.save_answer(id, "GL2", None).expect("clear");
        let draft = store.draft(id).expect("draft");
        assert_eq!(draft.answers.len(), 4);
        assert_eq!(draft.answers().value("P0"), "licencia");
        assert_eq!(draft.sampling_position, Some(3));
        store.save_answer(id, "espera[1]/espera_min", None).expect("clear one");
        assert_eq!(store.draft(id).expect("draft").answers.len(), 3);
        assert_eq!(store.ledger(store.today()).expect("ledger").created, 1);
        assert!(matches!(store.save_answer(Uuid::now_v7(), "x", Some("1")), Err(StoreError::NotFound(_))));
        store.discard_draft(id).expect("discard");
        assert!(store.drafts().expect("drafts").is_empty());
    }
}

#[test]
fn finalised_records_leave_the_outbox_once_acknowledged_and_count_once() {
    for (mut store, _dir) in stores() {
        let ids: Vec<Uuid> = (0..3).map(|_| new_draft(&mut store, "C1")).collect();
        for id in &ids {
            store.finalise(&record(*id, "C1", vec![])).expect("finalise");
        }
        let day = NaiveDate::from_ymd_opt(2025, 6, 2).expect("day");
        assert!(store.drafts().expect("drafts").is_empty(), "finalising removes the draft");
        assert_eq!(store.ledger(day).expect("ledger").finalised, 3);
        assert_eq!(store.finalised_on("C1", "encuesta_opinion", day).expect("count"), 3);
        store.mark_sent(&ids).expect("sent");
        store.mark_sent(&ids).expect("sent again");
        let receipt = shared::protocol::DeviceReceipt { date: day, received: 3, stored: 2, duplicates: 1, conflicts: 1, rejected: 0 };
        let today = store.today();
        assert_eq!(store.ledger(today).expect("ledger").sent, 3, "a retry is not a new send");
        let applied = store
            .apply_results(&[result(ids[0], Outcome::Stored), result(ids[1], Outcome::Duplicate), result(ids[2], Outcome::Conflict)], Some(&receipt))
            .expect("apply");
        assert_eq!((applied.acknowledged, applied.problems), (2, 1));
        // The same answer again (a response seen twice) changes nothing.
        assert_eq!(store.last_receipt().expect("receipt"), Some(receipt.clone()), "kept with the results");
        let again = store.apply_results(&[result(ids[0], Outcome::Duplicate)], None).expect("apply");
        assert_eq!(again.acknowledged, 0);
        assert_eq!(store.ledger(today).expect("ledger").acknowledged, 2);
        assert_eq!(store.outbox_counts().expect("counts"), outbox::OutboxCounts { pending: 0, problems: 1 });
        let problems = store.problems().expect("problems");
        assert_eq!((problems[0].id, problems[0].code.as_str(), problems[0].message.as_str()), (ids[2], "invalid_answers", "Falta P0."));
        assert_eq!(store.sent_records(10).expect("sent").len(), 2);
        assert_eq!(store.finalised_on("C1", "encuesta_opinion", day).expect("count"), 3, "sent ones still count for the day");
        store.retry_problem(ids[2]).expect("retry");
        assert_eq!(store.pending(10).expect("pending").len(), 1);
    }
}

#[test]
fn a_suggested_score_is_kept_with_the_draft_and_its_reason_saved_as_typed() {
    for (mut store, _dir) in stores() {
        let id = new_draft(&mut store, "C1");
        let note = shared::protocol::ScoreNote { item: "TC-V7".into(), basis: "3 de 4 (75 %)".into(), suggested: "1".into(), reason: None };
        store.note_suggestion(id, &note).expect("noted");
        store.save_score_reason(id, "TC-V7", Some("  Constancias vistas ")).expect("reason");
        assert_eq!(store.draft(id).expect("draft").score_notes[0].reason.as_deref(), Some("Constancias vistas"));
        // Noting the same suggestion again keeps the reason typed.
        store.note_suggestion(id, &note).expect("again");
        assert_eq!(store.draft(id).expect("draft").score_notes.len(), 1);
        assert_eq!(store.draft(id).expect("draft").score_notes[0].reason.as_deref(), Some("Constancias vistas"));
        store.save_score_reason(id, "TC-V7", Some("   ")).expect("cleared");
        assert_eq!(store.draft(id).expect("draft").score_notes[0].reason, None);
        assert!(matches!(store.save_score_reason(id, "AG-V1", Some("x")), Err(StoreError::NotFound(_))));
        store.discard_draft(id).expect("discard takes its notes");
    }
}

#[test]
fn a_pull_page_and_its_cursor_are_one_transaction() {
    for (mut store, _dir) in stores() {
        let xlsx = base64::engine::general_purpose::STANDARD.encode(b"PK fake workbook");
        let commitment = |version: u64, description: &str| {
            ChangeBody::Commitment(CommitmentInfo {
                centro_id: "C1".into(),
                commitment_id: "K1".into(),
                description: description.into(),
                impact: 2,
                version,
                milestones: vec![],
            })
        };
        let sub = Uuid::now_v7();
        store.finalise(&record(sub, "C1", vec![])).expect("finalise");
        store.apply_results(&[result(sub, Outcome::Stored)], None).expect("ack");
        let first = page(
            20,
            vec![
                ChangeBody::Form { form_id: "f".into(), version: "1".into(), title: "F".into(), xlsx_base64: xlsx, files: vec![] },
                ChangeBody::Centro(centro("C1")),
                ChangeBody::Centro(centro("C2")),
                commitment(2, "nuevo"),
                commitment(1, "viejo"),
                ChangeBody::Review { submission_id: sub, state: ReviewState::Rejected, reason: Some("Duración de 20 s".into()) },
                ChangeBody::Visit {
                    centro_id: "C1".into(),
                    submission_id: Uuid::nil(),
                    form_version: "1".into(),
                    visit_date: NaiveDate::from_ymd_opt(2025, 5, 1).expect("date"),
                    answers: WireAnswers::new(),
                },
                ChangeBody::CentroRemoved { centro_id: "C2".into() },
            ],
        );
        store.apply_pull_page(&first).expect("apply");
        assert_eq!(store.cursor().expect("cursor"), 20);
        assert_eq!(store.form_xlsx("f", "1").expect("form"), b"PK fake workbook");
        assert_eq!(store.centros().expect("centros").iter().map(|c| c.centro_id.as_str()).collect::<Vec<_>>(), ["C1"]);
        assert_eq!(store.commitments("C1").expect("commitments")[0].description, "nuevo", "an older version never wins");
        assert!(store.previous_visit("C1").expect("visit").is_some());
        let sent = store.sent_records(5).expect("sent");
        assert_eq!((sent[0].review, sent[0].reason.as_deref()), (Some(ReviewState::Rejected), Some("Duración de 20 s")));
        assert_eq!(store.rejected_records().expect("rejected").iter().map(|r| r.id).collect::<Vec<_>>(), [sub]);
        // Once a correction naming it waits to be sent, it is no longer listed.
        let mut correction = record(Uuid::now_v7(), "C1", vec![]);
        correction.meta.replaces = Some(sub);
        store.finalise(&correction.seal()).expect("correction");
        assert!(store.rejected_records().expect("rejected").is_empty());
        // A page that cannot be applied leaves everything as it was, cursor included.
        let broken = page(30, vec![ChangeBody::Centro(centro("C3")), ChangeBody::Form { form_id: "g".into(), version: "1".into(), title: "G".into(), xlsx_base64: "%%%".into(), files: vec![] }]);
        assert!(store.apply_pull_page(&broken).is_err());
        assert_eq!(store.cursor().expect("cursor"), 20);
        assert!(matches!(store.centro("C3"), Err(StoreError::NotFound(_))));
    }
}

/// A kiosk enrolment puts the tablet in kiosk mode with its PIN kept hashed; leaving
/// keeps the enrolment; a person's enrolment ends kiosk mode.
#[test]
fn kiosk_mode_is_kept_with_its_enrolment_and_ended_by_another() {
    use super::settings::Kiosk;
    for (mut store, _dir) in stores() {
        let kiosk_user = Enrolment {
            server: "http://127.0.0.1:8080".into(),
            token: "t".into(),
            device_id: "d".into(),
            username: "kiosko.c1".into(),
            display_name: "Kiosko · C1".into(),
            role: Role::Surveyor,
        };
        let kiosk = Kiosk::new("C1", "2468", "sal", 120);
        assert!(!kiosk.pin_hash.contains("2468"), "only a hash of the PIN is kept");
        assert!(kiosk.opens_with("2468") && !kiosk.opens_with("24680") && !kiosk.opens_with(""));
        store.set_kiosk_enrolment(&kiosk_user, &kiosk).expect("kiosk");
        assert_eq!(store.kiosk().expect("kiosk").map(|k| k.centro_id), Some("C1".into()));
        store.clear_kiosk().expect("left");
        assert_eq!(store.kiosk().expect("kiosk"), None);
        assert_eq!(store.enrolment().expect("enrolment").map(|e| e.username), Some("kiosko.c1".into()), "the enrolment stays");
        store.set_kiosk_enrolment(&kiosk_user, &kiosk).expect("kiosk again");
        store.set_enrolment(&Enrolment { username: "enc.ana".into(), ..kiosk_user.clone() }).expect("a person");
        assert_eq!(store.kiosk().expect("kiosk"), None, "a person's enrolment ends kiosk mode");
    }
}

#[test]
fn enrolling_as_someone_else_resets_reference_data_but_keeps_unsent_work() {
    for (mut store, _dir) in stores() {
        let who = |username: &str| Enrolment {
            server: "http://127.0.0.1:8080".into(),
            token: "t".into(),
            device_id: "d".into(),
            username: username.into(),
            display_name: "Ana".into(),
            role: Role::Surveyor,
        };
        store.set_enrolment(&who("enc.ana")).expect("enrol");
        store.apply_pull_page(&page(15, vec![ChangeBody::Centro(centro("C1"))])).expect("pull");
        store.finalise(&record(Uuid::now_v7(), "C1", vec![])).expect("finalise");
        store.mark_revoked().expect("revoked");
        assert!(store.is_revoked().expect("flag"));
        store.set_enrolment(&who("enc.ana")).expect("same user again");
        assert!(!store.is_revoked().expect("flag cleared"));
        assert_eq!((store.cursor().expect("cursor"), store.centros().expect("centros").len()), (15, 1));
        store.set_enrolment(&who("enc.luis")).expect("another user");
        assert_eq!((store.cursor().expect("cursor"), store.centros().expect("centros").len()), (0, 0));
        assert_eq!(store.pending(10).expect("pending").len(), 1, "unsent work is never dropped");
        assert_eq!(store.enrolment().expect("enrolment").map(|e| e.username), Some("enc.luis".into()));
    }
}

#[test]
fn photos_are_queued_when_their_record_is_finalised() {
    for (mut store, _dir) in stores() {
        let sha = store.put_photo(b"jpeg bytes").expect("photo");
        assert_eq!(sha, photos::sha256_hex(b"jpeg bytes"));
        assert_eq!(store.put_photo(b"jpeg bytes").expect("same photo"), sha);
        let id = new_draft(&mut store, "C1");
        store.attach_photo(id, "AG-V1", &sha).expect("attach");
        assert_eq!(store.draft(id).expect("draft").photos, [("AG-V1".to_string(), sha.clone())]);
        assert!(store.photo_queue().expect("queue").is_empty(), "a draft's photos wait");
        store.finalise(&record(id, "C1", vec![sha.clone()])).expect("finalise");
        assert_eq!(store.photo_queue().expect("queue"), std::slice::from_ref(&sha));
        store.photo_uploaded(&sha).expect("uploaded");
        assert!(store.photo_queue().expect("queue").is_empty());
        assert_eq!(store.photo(&sha).expect("kept"), b"jpeg bytes");
        // The server lost it: a push answer wants it again, and it is queued again (a photo
        // this phone never had is ignored).
        let receipt = shared::protocol::DeviceReceipt { date: store.today(), received: 0, stored: 0, duplicates: 0, conflicts: 0, rejected: 0 };
        let response = shared::protocol::PushResponse {
            results: vec![],
            receipt,
            server_time: chrono::DateTime::parse_from_rfc3339("2025-06-02T10:00:00-06:00").expect("time"),
            wanted_photos: vec![sha.clone(), "f".repeat(64)],
        };
        store.apply_push(&response).expect("applied");
        assert_eq!(store.photo_queue().expect("queue"), std::slice::from_ref(&sha));
    }
}

#[test]
fn the_sampling_counter_counts_people_and_refusals_per_day() {
    for (mut store, _dir) in stores() {
        for _ in 0..2 {
            store.count_person("C1").expect("count");
        }
        assert!(!store.sampling("C1", store.today()).expect("day").selected(3));
        let day = store.count_person("C1").expect("third");
        assert!(day.selected(3), "the third person is selected");
        let day = store.record_refusal("C1").expect("refusal");
        assert!(!day.selected(3), "a refusal settles the selection");
        let day = store.record_refusal("C1").expect("double tap");
        assert_eq!(day.refused, 1, "a second tap is not a second refusal");
        for _ in 0..3 {
            store.count_person("C1").expect("count");
        }
        let day = store.selection_surveyed("C1").expect("surveyed");
        assert_eq!((day.counted, day.refused, day.handled, day.until_next(3)), (6, 1, 6, 3));
        assert_eq!(store.sampling("C2", store.today()).expect("other centro"), sampling::SamplingDay::default());
    }
}

#[test]
fn a_copy_of_the_store_opens_with_everything_in_it() {
    let dir = tempfile::tempdir().expect("dir");
    let mut store = Store::open_in_memory().expect("store");
    let id = new_draft(&mut store, "C1");
    store.save_answer(id, "P0", Some("predial")).expect("save");
    let copy = dir.path().join("copia.db");
    store.save_copy(&copy).expect("copy");
    let reopened = Store::open(&copy).expect("open copy");
    assert_eq!(reopened.draft(id).expect("draft").answers().value("P0"), "predial");
    assert!(store.save_copy(&copy).is_err(), "never overwrites a file");
}

#[test]
fn field_edits_wait_in_order_and_a_verified_milestone_updates_the_commitment() {
    use super::edits::{EditKind, EditStatus};
    use shared::protocol::{ComplaintInput, MilestoneInfo, VerifyMilestone};
    for (mut store, _dir) in stores() {
        let day = NaiveDate::from_ymd_opt(2025, 6, 2).expect("day");
        let sha = store.put_photo(b"evidence").expect("photo");
        let verify = EditKind::Milestone {
            commitment_id: "K1".into(),
            milestone_id: "H1".into(),
            body: VerifyMilestone { base_version: 1, verified_on: day, evidence: vec![sha.clone()] },
        };
        let complaint = EditKind::Complaint {
            folio: "Q-7".into(),
            body: ComplaintInput { received: day, responded: None, corrective_action: false, acknowledged: true },
        };
        let first = store.queue_edit("C1", &verify).expect("queue");
        let second = store.queue_edit("C1", &complaint).expect("queue");
        assert_eq!(store.photo_queue().expect("queue"), std::slice::from_ref(&sha), "evidence goes up with the edit");
        let pending = store.edits(None, true).expect("pending");
        assert_eq!(pending.iter().map(|e| e.kind.clone()).collect::<Vec<_>>(), [verify.clone(), complaint.clone()]);
        let updated = CommitmentInfo {
            centro_id: "C1".into(),
            commitment_id: "K1".into(),
            description: "Turnos".into(),
            impact: 2,
            version: 2,
            milestones: vec![MilestoneInfo { milestone_id: "H1".into(), description: "h".into(), due: day, verified_on: Some(day), evidence: vec![sha] }],
        };
        store.edit_sent(first, Some(&updated)).expect("sent");
        store.edit_refused(second, EditStatus::Rejected, "Folio inválido").expect("refused");
        assert!(store.edits(None, true).expect("pending").is_empty());
        assert_eq!(store.commitments("C1").expect("commitments")[0].milestones[0].verified_on, Some(day));
        let all = store.edits(Some("C1"), false).expect("all");
        assert_eq!((all[0].status, all[1].status, all[1].problem.as_deref()), (EditStatus::Sent, EditStatus::Rejected, Some("Folio inválido")));
    }
}

#[test]
fn a_warning_from_the_server_is_kept_with_the_sent_record() {
    for (mut store, _dir) in stores() {
        let (warned, plain) = (Uuid::now_v7(), Uuid::now_v7());
        for id in [warned, plain] {
            store.finalise(&record(id, "C1", vec![])).expect("finalise");
        }
        let mut with_warning = result(warned, Outcome::Stored);
        with_warning.warning = Some(ApiError::new("outside_periods", "Se guardó, pero ningún periodo de evaluación incluye el 05/11/2024."));
        store.apply_results(&[with_warning, result(plain, Outcome::Stored)], None).expect("apply");
        let sent = store.sent_records(10).expect("sent");
        let warning_of = |id: Uuid| sent.iter().find(|r| r.id == id).expect("sent").warning.clone();
        assert_eq!(warning_of(warned).as_deref(), Some("Se guardó, pero ningún periodo de evaluación incluye el 05/11/2024."));
        assert_eq!(warning_of(plain), None);
    }
}

#[test]
fn the_counter_counts_selections_and_a_consent_refusal_is_no_record() {
    for (mut store, _dir) in stores() {
        for _ in 0..3 {
            store.count_person("C1").expect("count");
        }
        store.selection_surveyed("C1").expect("surveyed");
        for _ in 0..3 {
            store.count_person("C1").expect("count");
        }
        let day = store.record_refusal("C1").expect("refused");
        assert_eq!((day.counted, day.selected, day.refused), (6, 2, 1));
        // The surveyed person then declines at the consent question: a refusal, no record.
        let draft = new_draft(&mut store, "C1");
        let day = store.consent_refused(draft, "C1", true).expect("consent refused");
        assert_eq!((day.selected, day.refused), (2, 2));
        assert!(store.drafts().expect("drafts").is_empty(), "the draft is gone");
        assert_eq!(store.pending(10).expect("pending").len(), 0, "nothing to send as a survey");
        // Begun without the counter: selected now.
        let other = new_draft(&mut store, "C2");
        store.consent_refused(other, "C2", false).expect("consent refused");
        let report = store.sampling_report().expect("report");
        let figures: Vec<(&str, u64, u64, u64)> = report.iter().map(|c| (c.centro_id.as_str(), c.counted, c.selected, c.refused)).collect();
        assert_eq!(figures, [("C1", 6, 2, 2), ("C2", 0, 1, 1)]);
    }
}

#[test]
fn a_draft_remembers_where_it_was_left_and_its_running_stopwatch() {
    for (mut store, _dir) in stores() {
        let id = new_draft(&mut store, "C1");
        assert_eq!(store.draft(id).expect("draft").place, None);
        store.save_place(id, "espera[2]/espera_min").expect("place");
        assert_eq!(store.draft(id).expect("draft").place.as_deref(), Some("espera[2]/espera_min"));
        let at = chrono::DateTime::parse_from_rfc3339("2025-06-02T10:00:00-06:00").expect("time");
        store.set_timer(id, "espera[1]/espera_min", Some(at)).expect("start");
        assert_eq!(store.timers(id).expect("timers"), vec![("espera[1]/espera_min".to_string(), at)]);
        store.set_timer(id, "espera[1]/espera_min", None).expect("stop");
        assert!(store.timers(id).expect("timers").is_empty());
        // A stopwatch of a draft that no longer exists is not kept.
        store.set_timer(Uuid::now_v7(), "x", Some(at)).expect("ignored");
    }
}

#[test]
fn a_discarded_draft_leaves_the_list_and_can_be_brought_back_the_same_day() {
    for (mut store, _dir) in stores() {
        let kept = new_draft(&mut store, "C1");
        let gone = new_draft(&mut store, "C2");
        store.save_answer(gone, "P0", Some("predial")).expect("answer");
        store.discard_draft(gone).expect("discard");
        assert_eq!(store.drafts().expect("drafts").iter().map(|d| d.id).collect::<Vec<_>>(), vec![kept]);
        let discarded = store.discarded_drafts().expect("discarded");
        assert_eq!((discarded.len(), discarded[0].id, discarded[0].answered), (1, gone, 1));
        assert_eq!(store.purge_discarded().expect("purge"), 0, "today's are kept");
        store.restore_draft(gone).expect("restore");
        assert_eq!(store.drafts().expect("drafts").len(), 2);
        assert_eq!(store.draft(gone).expect("draft").answers.get("P0").map(String::as_str), Some("predial"));
        assert!(matches!(store.restore_draft(gone), Err(StoreError::NotFound(_))), "not discarded any more");
        // One discarded yesterday is deleted for good.
        store.discard_draft(gone).expect("discard");
        store.conn.execute("UPDATE drafts SET discarded_at = '2000-01-01T10:00:00-06:00' WHERE id = ?1", [gone.to_string()]).expect("age it");
        assert_eq!(store.purge_discarded().expect("purge"), 1);
        assert!(matches!(store.draft(gone), Err(StoreError::NotFound(_))));
        assert!(store.discarded_drafts().expect("discarded").is_empty());
    }
}

/// A kiosk survey walked away from is kept, abandoned: in no list, not recoverable, and
/// deleted only after 30 days; what was discarded by hand stays discarded.
#[test]
fn an_abandoned_draft_is_kept_out_of_every_list_for_thirty_days() {
    for (mut store, _dir) in stores() {
        let walked_away = new_draft(&mut store, "C1");
        store.save_answer(walked_away, "P0", Some("predial")).expect("answer");
        let set_aside = new_draft(&mut store, "C1");
        store.discard_draft(set_aside).expect("discard");
        let open = new_draft(&mut store, "C1");
        store.abandon_draft(walked_away).expect("abandon");
        assert!(matches!(store.abandon_draft(walked_away), Err(StoreError::NotFound(_))), "once");
        assert_eq!(store.drafts().expect("drafts").iter().map(|d| d.id).collect::<Vec<_>>(), vec![open]);
        assert_eq!(store.discarded_drafts().expect("discarded").iter().map(|d| d.id).collect::<Vec<_>>(), vec![set_aside]);
        assert!(matches!(store.restore_draft(walked_away), Err(StoreError::NotFound(_))), "the next citizen cannot bring it back");
        // Back at the welcome: whatever is open is abandoned; the discarded one is not.
        assert_eq!(store.abandon_open_drafts().expect("welcome"), 1);
        assert!(store.drafts().expect("drafts").is_empty());
        assert_eq!(store.discarded_drafts().expect("discarded").len(), 1);
        let morning = store.now() - chrono::Duration::hours(1);
        assert_eq!(store.abandoned_since(morning).expect("count"), 2);
        assert_eq!(store.draft(walked_away).expect("kept").answers.get("P0").map(String::as_str), Some("predial"));
        assert_eq!(store.outbox_counts().expect("outbox").pending, 0, "never sent");
        // Kept through today's purge; gone after 30 days.
        assert_eq!(store.purge_discarded().expect("purge"), 0);
        let old = (store.now() - chrono::Duration::days(31)).to_rfc3339();
        store.conn.execute("UPDATE drafts SET abandoned_at = ?2 WHERE id = ?1", [walked_away.to_string(), old]).expect("age it");
        assert_eq!(store.purge_discarded().expect("purge"), 1);
        assert!(matches!(store.draft(walked_away), Err(StoreError::NotFound(_))));
        assert!(store.draft(open).is_ok(), "abandoned today: kept");
    }
}

#[test]
fn an_acknowledged_record_keeps_a_copy_and_a_correction_starts_from_it() {
    for (mut store, _dir) in stores() {
        let id = Uuid::now_v7();
        let sha = store.put_photo(b"jpeg bytes").expect("photo");
        let mut original = record(id, "C1", vec![sha.clone(), "ab".repeat(32)]);
        original.answers.insert("P0".into(), shared::protocol::WireEntry::Value("predial".into()));
        original.meta.photo_items = vec![
            shared::protocol::PhotoItem { item: "AG-V1".into(), sha256: sha.clone() },
            shared::protocol::PhotoItem { item: "AG-V2".into(), sha256: "ab".repeat(32) },
        ];
        let original = original.seal();
        store.finalise(&original).expect("finalise");
        assert_eq!(store.sent_submission(id).expect("read"), None, "not acknowledged yet");
        store.apply_results(&[result(id, Outcome::Stored)], None).expect("ack");
        assert_eq!(store.sent_submission(id).expect("read").as_ref(), Some(&original));
        assert_eq!(store.sent_record(id).expect("read").map(|r| r.id), Some(id));
        assert_eq!(store.correction_of(id).expect("none"), None);
        let draft = store.create_correction(&original).expect("correction");
        assert_ne!(draft, id, "a new record");
        let d = store.draft(draft).expect("draft");
        assert_eq!((d.replaces, d.centro_id.as_str()), (Some(id), "C1"));
        assert_eq!(d.answers.get("P0").map(String::as_str), Some("predial"));
        assert_eq!(d.photos, vec![("AG-V1".to_string(), sha.clone())], "the photo still on the phone");
        assert_eq!(store.correction_of(id).expect("found"), Some(draft));
    }
}

#[test]
fn a_photo_taken_off_an_item_leaves_the_phone_when_nothing_else_holds_it() {
    for (mut store, _dir) in stores() {
        let a = new_draft(&mut store, "C1");
        let b = new_draft(&mut store, "C1");
        let shared_sha = store.put_photo(b"one").expect("photo");
        let own = store.put_photo(b"two").expect("photo");
        store.attach_photo(a, "AG-V1", &shared_sha).expect("attach");
        store.attach_photo(b, "AG-V1", &shared_sha).expect("attach");
        store.attach_photo(a, "AG-V1", &own).expect("attach");
        store.detach_photo(a, "AG-V1", &own).expect("detach");
        store.detach_photo(a, "AG-V1", &shared_sha).expect("detach");
        assert_eq!(store.draft(a).expect("draft").photos, vec![]);
        assert!(store.photo(&own).is_err(), "nothing holds it any more");
        assert!(store.photo(&shared_sha).is_ok(), "the other draft still holds it");
    }
}
