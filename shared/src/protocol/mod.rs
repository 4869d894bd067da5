//! The wire format: the only serde types of the project. Everything here is a promise to
//! phones already in the field; a change needs [`PROTOCOL_VERSION`] bumped and a note in
//! `docs/sync-protocol.md`.

mod audit;
mod auth;
mod catalog;
mod filings;
mod incorporation;
mod key;
mod numbers;
mod official;
pub mod bounds;
mod program;
mod pull;
mod push;
mod review;
mod scores;

pub use program::{
    CentroDefinition, CommitmentInfo, CommitmentInput, ComplaintInput, ComplaintStored, ImportSummary, MilestoneInfo, MilestoneInput, NewUserRequest,
    PeriodDefinition, PhotoStatus, QuotaInput, VerifyMilestone,
};
pub use audit::{
    CentroInput, CommitmentScoreInput, ComplaintScoreInput, MilestoneDates, PeriodInput, ScoringInputs, SurveyInput, VisitInput,
    VisitItemInput,
};
pub use filings::{
    CommitmentDetail, CommitmentStatus, ConfirmCommitment, EvidenceDocument, EvidenceType, ExtensionDecision, ExtensionInfo, ExtensionRequest, ExtensionState,
    MAX_EVIDENCE_BYTES, MAX_EVIDENCE_PER_MILESTONE, MAX_PHOTO_BYTES, MAX_FILE_NAME_CHARS, MAX_FILING_REASON_CHARS, MilestoneFiling, ReturnCommitment, Suggestion, Suggestions, VerifiedHow,
};
pub use incorporation::{
    AttendanceEntry, AttendanceOutcome, AttendanceUpdate, BajaInfo, BajaRequest, FilingReceipt, Incorporation, IncorporationStatus, MAX_ATTENDANCE_ENTRIES,
    MAX_CENTROS_PER_FILING, MAX_PERSON_TEXT_CHARS, MAX_SCORE_NOTES, MAX_STAFF_PER_CENTRO, MAX_TRAINING_NAME_CHARS, Modality, NewTraining, Plantilla, PlantillaPerson, RefuseIncorporation, ScoreNote,
    StaffMember, Training, TrainingShare,
};
pub use auth::{EnrolRequest, EnrolResponse, KioskEnrolRequest, MeResponse, Role, UserInfo};
pub use official::{
    Recognised, recognised, CentroChange, LateRecord, MAX_REASON_CHARS, OfficialResults, OfficialVersion, PeriodState, PeriodStatus, StateChange, Standing, VersionChanges, canonical, changes,
};
pub use numbers::{read_json, whole_floats_as_integers};
pub use key::{BadKey, KEY_PATTERN, Key, MAX_KEY_BYTES};
pub use catalog::{CentroListed, CommitmentListed, ComplaintListed, MAX_LIST_PAGE, Page, PeriodListed};
pub use pull::{CentroInfo, Change, ChangeBody, MAX_PULL_PAGE, PullResponse};
pub use review::{AuditEntry, Decision, DeviceDay, FlagDto, ReviewDecision, ReviewItem, ReviewList};
pub use scores::{CentroScoreDto, ModeScoreDto, ProportionDto, ReasonDto, ScoreTableDto};
pub use push::{
    CollectionMode, DeviceLedger, DeviceReceipt, GeoPosition, MAX_DAY_COUNT, MAX_PUSH_BYTES, MAX_PUSH_RECORDS, MAX_SAMPLING_COUNTS, SamplingCount, Outcome, PushEnvelope, PushRequest, PushResponse, PushResult, ReviewState,
    PhotoItem, Submission, SubmissionMeta, WireAnswers, WireEntry, answers_from_wire, answers_from_wire_owned, answers_to_wire,
};

use serde::{Deserialize, Serialize};

/// The version of these JSON shapes, served by `GET /api/v1/health`.
pub const PROTOCOL_VERSION: u32 = 2;

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Health {
    /// `"ok"`; `"degraded"` (answered with 503) when the database cannot be reached or its
    /// schema is not the server's.
    pub status: String,
    /// The server's crate version.
    pub server_version: String,
    /// [`PROTOCOL_VERSION`] of the server.
    pub protocol_version: u32,
    /// The database as the server found it just now (servers before it omit it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseHealth>,
}

/// The database in a health answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DatabaseHealth {
    /// `sqlite` (the embedded file) or `postgres`.
    pub engine: String,
    /// A query reached the database, and its schema is the one this server migrates to.
    pub ok: bool,
    /// The schema version found (0 when the database could not be read).
    pub schema_version: u32,
    /// The schema version this server's migrations reach.
    pub schema_expected: u32,
    /// The change log's last sequence number (how far pulls can go).
    pub last_change: u64,
    /// Bytes of the database file and of its write-ahead log (PostgreSQL: the database's
    /// size, and 0 for the log, which is the cluster's).
    pub file_bytes: u64,
    pub wal_bytes: u64,
    /// What went wrong, when something did (Spanish).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One published form version, as listed by `GET /api/v1/forms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormSummary {
    pub form_id: String,
    pub version: String,
    /// The title in the form's default language.
    pub title: String,
    /// SHA-256 of the form's canonical rendering (see `shared::form::fingerprint`).
    pub fingerprint: String,
    /// How many questions the form asks (notes, calculations and metadata excluded).
    pub questions: u32,
}

/// `GET /api/v1/forms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormList {
    pub forms: Vec<FormSummary>,
}

/// The body of every error answer: a machine code to branch on and a Spanish message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiError {
    /// Stable, snake_case (e.g. `not_found`, `body_too_large`).
    pub code: String,
    /// For people, in Spanish.
    pub message: String,
    /// Where exactly, when there are several problems (e.g. each row of a refused form).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ErrorDetail>,
}

impl ApiError {
    /// An error without details.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { code: code.into(), message: message.into(), details: Vec::new() }
    }
}

/// One located problem: a sheet, row and column of an uploaded workbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub sheet: String,
    pub row: Option<u32>,
    pub column: Option<String>,
    pub message: String,
}

/// `POST /api/v1/forms` as `multipart/form-data`: the workbook and the files published
/// with it (CSV and XML data for `select_one_from_file`, `instance()` and `pulldata()`;
/// media). Without files the workbook may also be sent alone as the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormUpload {
    /// The XLSForm workbook (.xlsx).
    #[schema(value_type = String, format = Binary)]
    pub formulario: Vec<u8>,
    /// Each file, with its file name.
    #[schema(value_type = Vec<String>, format = Binary)]
    pub archivo: Vec<Vec<u8>>,
}

/// A file published with a form, sent to devices with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormFile {
    pub name: String,
    pub base64: String,
}

/// `POST /api/v1/forms` answer: the version published (or already there, unchanged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublishResponse {
    pub form_id: String,
    pub version: String,
    /// `new` or `unchanged`.
    pub status: String,
    /// Columns and settings that were ignored.
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Old phones parse these exact bytes: a failing snapshot means a protocol bump.
    #[test]
    fn wire_shapes_are_stable() {
        let health = Health { status: "ok".into(), server_version: "0.1.0".into(), protocol_version: 1, database: None };
        assert_eq!(
            serde_json::to_string(&health).expect("serializes"),
            r#"{"status":"ok","server_version":"0.1.0","protocol_version":1}"#
        );
        let list = FormList {
            forms: vec![FormSummary {
                form_id: "f".into(),
                version: "1".into(),
                title: "T".into(),
                fingerprint: "ab".into(),
                questions: 3,
            }],
        };
        assert_eq!(
            serde_json::to_string(&list).expect("serializes"),
            r#"{"forms":[{"form_id":"f","version":"1","title":"T","fingerprint":"ab","questions":3}]}"#
        );
        let err = ApiError::new("not_found", "No existe");
        assert_eq!(serde_json::to_string(&err).expect("serializes"), r#"{"code":"not_found","message":"No existe"}"#);
    }
}

#[cfg(test)]
mod wire_tests {
    use super::*;
    use chrono::DateTime;
    use uuid::Uuid;

    fn submission() -> Submission {
        let mut answers = WireAnswers::new();
        answers.insert("AG2".into(), WireEntry::Value("4".into()));
        let mut instance = WireAnswers::new();
        instance.insert("espera_min".into(), WireEntry::Value("7".into()));
        answers.insert("espera".into(), WireEntry::Repeat(vec![instance]));
        Submission {
            id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
            form_id: "encuesta_opinion".into(),
            form_version: "2025010101".into(),
            centro_id: "GTO-001".into(),
            started_at: DateTime::parse_from_rfc3339("2025-06-02T11:02:10-06:00").expect("valid"),
            finalised_at: DateTime::parse_from_rfc3339("2025-06-02T11:04:40-06:00").expect("valid"),
            answers,
            meta: SubmissionMeta { mode: CollectionMode::Entrevista, position: None, sampling_position: Some(3), photos: vec![], score_notes: vec![], photo_items: vec![], replaces: None },
            content_hash: String::new(),
        }
        .seal()
    }

    /// Phones in the field send these bytes: a change here breaks them.
    #[test]
    fn a_submission_serializes_to_the_documented_json() {
        let json = serde_json::to_string(&submission()).expect("serializes");
        assert_eq!(
            json,
            concat!(
                r#"{"id":"01900000-0000-7000-8000-000000000001","form_id":"encuesta_opinion","form_version":"2025010101","#,
                r#""centro_id":"GTO-001","started_at":"2025-06-02T11:02:10-06:00","finalised_at":"2025-06-02T11:04:40-06:00","#,
                r#""answers":{"AG2":"4","espera":[{"espera_min":"7"}]},"#,
                r#""meta":{"mode":"entrevista","position":null,"sampling_position":3,"photos":[]},"#,
                r#""content_hash":"bfa1df5771aca0e361f709396abf5efb6c2b881ee5ef1d15a8250e024a5b3cfb"}"#
            )
        );
    }

    /// The test vectors of `docs/sync-protocol.md` («Forma canónica»): a zero offset is
    /// written `Z`, a fraction of a second only when it is not zero (3, 6 or 9 digits),
    /// non-ASCII text as UTF-8, `"` `\\` and control characters escaped, numbers in their
    /// shortest exact form.
    #[test]
    fn canonical_form_test_vectors() {
        let mut s = submission();
        s.started_at = DateTime::parse_from_rfc3339("2025-06-02T17:02:10.000+00:00").expect("valid");
        s.finalised_at = DateTime::parse_from_rfc3339("2025-06-02T11:04:40.250-06:00").expect("valid");
        s.answers.insert("P0_otro".into(), WireEntry::Value("Trámite \"raro\"\n".into()));
        s.meta.position = Some(GeoPosition { lat: 21.1221, lon: -101.68, accuracy_m: Some(8.0) });
        let canonical = String::from_utf8(s.canonical_content()).expect("utf-8");
        assert_eq!(
            canonical,
            concat!(
                r#"{"form_id":"encuesta_opinion","form_version":"2025010101","centro_id":"GTO-001","#,
                r#""started_at":"2025-06-02T17:02:10Z","finalised_at":"2025-06-02T11:04:40.250-06:00","#,
                r#""answers":{"AG2":"4","P0_otro":"Trámite \"raro\"\n","espera":[{"espera_min":"7"}]},"#,
                r#""meta":{"mode":"entrevista","position":{"lat":21.1221,"lon":-101.68,"accuracy_m":8.0},"sampling_position":3,"photos":[]}}"#
            )
        );
        assert_eq!(s.compute_hash(), "c37ddfa7dfe70762e5a195acc5886be72968ea3a373c5c043eeb802638739b2f");
    }

    #[test]
    fn the_content_hash_covers_content_but_not_the_id() {
        let a = submission();
        let mut b = a.clone();
        b.id = Uuid::from_u128(7);
        assert_eq!(a.compute_hash(), b.compute_hash());
        b.answers.insert("AG2".into(), WireEntry::Value("5".into()));
        assert_ne!(a.compute_hash(), b.compute_hash());
        let back = answers_to_wire(&answers_from_wire(&a.answers));
        assert_eq!(back, a.answers);
        assert_eq!(answers_from_wire_owned(a.answers.clone()), answers_from_wire(&a.answers));
    }

    #[test]
    fn the_verified_json_is_what_serde_writes_and_only_for_a_true_hash() {
        let mut s = submission();
        assert_eq!(s.verified_json(), serde_json::to_string(&s).ok());
        s.meta.position = Some(GeoPosition { lat: 21.1, lon: -101.6, accuracy_m: None });
        s.meta.photos = vec!["ab".repeat(32)];
        s.answers.insert("P0_otro".into(), WireEntry::Value("Trámite \"raro\" ñ\n".into()));
        let s = s.seal();
        assert_eq!(s.verified_json(), serde_json::to_string(&s).ok());
        let mut tampered = s.clone();
        tampered.centro_id = "OTRO".into();
        assert_eq!(tampered.verified_json(), None);
    }

    #[test]
    fn pull_changes_are_tagged_by_kind() {
        let change = Change { seq: 9, body: ChangeBody::CentroRemoved { centro_id: "GTO-001".into() } };
        assert_eq!(serde_json::to_string(&change).expect("ok"), r#"{"seq":9,"kind":"centro_removed","centro_id":"GTO-001"}"#);
        let outcome = PushResult {
            id: Uuid::nil(),
            outcome: Outcome::Duplicate,
            seq: Some(4),
            review: Some(ReviewState::InReview),
            error: None,
            warning: None,
            missing_photos: vec![],
        };
        assert_eq!(
            serde_json::to_string(&outcome).expect("ok"),
            r#"{"id":"00000000-0000-0000-0000-000000000000","outcome":"duplicate","seq":4,"review":"in_review","error":null}"#
        );
        assert_eq!(serde_json::to_string(&Role::Surveyor).expect("ok"), r#""surveyor""#);
    }

    #[test]
    fn answers_read_as_text_or_repeats_and_nothing_else() {
        let a: WireAnswers = serde_json::from_str(r#"{"x":"1","r":[{"y":"2"}]}"#).expect("valid");
        assert_eq!(a["x"], WireEntry::Value("1".into()));
        assert!(matches!(&a["r"], WireEntry::Repeat(list) if list.len() == 1));
        for bad in [r#"{"x":1}"#, r#"{"x":null}"#, r#"{"x":{"y":"2"}}"#, r#"{"x":["a"]}"#] {
            assert!(serde_json::from_str::<WireAnswers>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unknown_fields_in_requests_are_refused() {
        let bad = r#"{"username":"a","password":"b","device_label":"c","admin":true}"#;
        assert!(serde_json::from_str::<EnrolRequest>(bad).is_err());
    }

    /// The server reads pushes as an envelope and then each record: for every body, valid
    /// or not, that must accept and reject exactly what one `PushRequest` read does.
    #[test]
    fn an_envelope_read_accepts_exactly_what_a_push_request_read_accepts() {
        let good = serde_json::to_value(submission()).expect("json");
        let mut unknown = good.clone();
        unknown["extra"] = "x".into();
        let mut wrong_type = good.clone();
        wrong_type["answers"]["AG2"] = 4.into();
        let ledger = serde_json::json!({"date": "2025-06-02", "created": 3, "finalised": 2, "sent": 2, "acknowledged": 1});
        let time = "2025-06-02T11:05:00-06:00";
        let bodies = [
            serde_json::json!({"device_time": time, "submissions": [good, good]}).to_string(),
            serde_json::json!({"device_time": time, "submissions": [], "ledger": ledger}).to_string(),
            serde_json::json!({"device_time": time, "submissions": [good, unknown]}).to_string(),
            serde_json::json!({"device_time": time, "submissions": [good, wrong_type]}).to_string(),
            serde_json::json!({"device_time": time, "submissions": [null]}).to_string(),
            serde_json::json!({"device_time": time, "submissions": {}}).to_string(),
            serde_json::json!({"device_time": "ayer", "submissions": []}).to_string(),
            serde_json::json!({"device_time": time}).to_string(),
            serde_json::json!({"device_time": time, "submissions": [], "otro": 1}).to_string(),
            format!(r#"{{"device_time": "{time}", "submissions": [{{"id": }}]}}"#),
            format!(r#"{{"device_time": "{time}", "submissions": [] "#),
            String::from("[]"),
        ];
        let mut accepted = 0;
        for body in bodies {
            let whole = serde_json::from_str::<PushRequest>(&body).ok();
            accepted += usize::from(whole.is_some());
            let in_two_steps = PushEnvelope::parse(body.as_bytes()).ok().and_then(|e| {
                let submissions = e.submissions.iter().map(|raw| PushEnvelope::submission(raw)).collect::<Result<Vec<_>, _>>().ok()?;
                Some(PushRequest { device_time: e.device_time, submissions, ledger: e.ledger, sampling: e.sampling })
            });
            assert_eq!(whole, in_two_steps, "{body}");
        }
        assert_eq!(accepted, 2, "only the first two bodies are valid");
    }

    /// The app writes its pushes from the submissions' JSON as stored: the same body, byte
    /// for byte, as the `PushRequest` of those submissions.
    #[test]
    fn an_envelope_of_stored_submissions_is_the_push_request_of_them() {
        let time = chrono::DateTime::parse_from_rfc3339("2025-06-02T11:05:00-06:00").expect("time");
        let ledger = DeviceLedger { date: time.date_naive(), created: 3, finalised: 2, sent: 2, acknowledged: 1 };
        let mut other = submission();
        other.id = uuid::Uuid::from_u128(7);
        for (ledger, submissions) in [(Some(ledger), vec![submission(), other]), (None, vec![])] {
            let whole = PushRequest { device_time: time, submissions: submissions.clone(), ledger, sampling: vec![] };
            let stored = submissions.iter().map(|s| serde_json::value::RawValue::from_string(serde_json::to_string(s).expect("json")).expect("raw"));
            let envelope = PushEnvelope { device_time: time, submissions: stored.collect(), ledger, sampling: vec![] };
            assert_eq!(serde_json::to_string(&envelope).expect("json"), serde_json::to_string(&whole).expect("json"));
        }
    }
}
