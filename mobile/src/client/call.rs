//! The questions and actions the screens put to the field app, as data: in the browser
//! they travel from the page to the app's Worker (JSON over `postMessage`), natively they
//! are dispatched in the same process. One enum, so both take the same path.

use serde::{Deserialize, Serialize};
use shared::protocol::ComplaintInput;
use uuid::Uuid;

/// One call of the screens to the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "call", rename_all = "snake_case")]
pub enum Call {
    Enrolment,
    Enrol { server: String, username: String, password: String },
    EnrolKiosk { server: String, username: String, password: String, setup: crate::field::KioskSetup },
    /// The kiosk's state; `welcome`: it is back at its welcome (what was open is abandoned).
    Kiosk { welcome: bool },
    Abandon { draft: Uuid },
    LeaveKiosk { pin: String },
    Home,
    CountPerson { centro: String },
    RecordRefusal { centro: String },
    Start { centro: String, sampling_position: Option<u32> },
    StartForm { centro: String, form: String },
    Draft { id: Uuid },
    /// A form version's workbook and files, for the page to lay the form out.
    FormSource { form: String, version: String },
    Answer { draft: Uuid, path: String, value: Option<String> },
    AnswerFile { draft: Uuid, path: String, file: Option<PickedFile> },
    ScoreReason { draft: Uuid, item: String, reason: Option<String> },
    AddPhoto { draft: Uuid, item: String, #[serde(with = "b64")] bytes: Vec<u8> },
    RemovePhoto { draft: Uuid, item: String, sha256: String },
    PhotoPreviews { sha256: Vec<String> },
    KeptFiles { values: Vec<String> },
    StartPosition { draft: Uuid, geopoint: String },
    SavePlace { draft: Uuid, path: String },
    OnScreen { draft: Uuid, path: String },
    Finalise { draft: Uuid },
    Discard { draft: Uuid },
    Restore { draft: Uuid },
    Timer { draft: Uuid, path: String },
    StartTimer { draft: Uuid, path: String },
    StopTimer { draft: Uuid, path: String },
    CentroProgram { centro: String },
    AuditComplaint { centro: String, folio: String, body: ComplaintInput },
    StorePhoto { #[serde(with = "b64")] bytes: Vec<u8> },
    VerifyMilestone { centro: String, commitment: String, milestone: String, evidence: Vec<String> },
    Record { id: Uuid },
    Correct { id: Uuid },
    SyncView,
    Retry { id: Uuid },
    SyncNow,
}

/// A file chosen for a file answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickedFile {
    pub name: String,
    #[serde(with = "b64")]
    pub bytes: Vec<u8>,
}

/// Why a call failed, as the screen shows it (Spanish).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CallError {
    /// The record cannot be finalised yet: each problem, in Spanish.
    #[error("Hay respuestas por corregir ({} en total).", .0.len())]
    Invalid(Vec<String>),
    /// Anything else, said for the person.
    #[error("{0}")]
    Failed(String),
}

impl CallError {
    /// Any failure, by its message.
    pub fn failed(e: impl std::fmt::Display) -> Self {
        CallError::Failed(e.to_string())
    }
}

/// The answer to one call: the reply's JSON, or why it failed.
pub type Reply = Result<serde_json::Value, CallError>;

/// A call with the number its answer comes back under (page ⇄ Worker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Numbered<T> {
    pub n: u64,
    pub body: T,
}

/// What the app's Worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ToPage {
    /// The store is open (migrated): calls may come.
    Ready,
    /// The store could not be opened; every call fails with this (Spanish).
    Failed { message: String },
    /// The answer to call `n`.
    Reply { n: u64, reply: Reply },
    /// What sync is doing now.
    Status { status: crate::sync::SyncStatus },
}

/// Bytes as base64 text inside the JSON messages.
mod b64 {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_with_bytes_survive_the_trip_as_json() {
        let calls = vec![
            Call::AddPhoto { draft: Uuid::nil(), item: "p1".into(), bytes: vec![0, 255, 7] },
            Call::AnswerFile { draft: Uuid::nil(), path: "firma".into(), file: Some(PickedFile { name: "firma.png".into(), bytes: vec![1, 2, 3] }) },
            Call::Answer { draft: Uuid::nil(), path: "q1".into(), value: None },
            Call::Home,
        ];
        for call in calls {
            let text = serde_json::to_string(&Numbered { n: 9, body: call.clone() }).expect("serialises");
            let back: Numbered<Call> = serde_json::from_str(&text).expect("reads back");
            assert_eq!(back, Numbered { n: 9, body: call });
        }
        let invalid: Reply = Err(CallError::Invalid(vec!["Falta la edad.".into()]));
        let text = serde_json::to_string(&invalid).expect("serialises");
        assert_eq!(serde_json::from_str::<Reply>(&text).expect("reads back"), invalid);
    }
}
