//! What a centro's Enlace Institucional files and staff decide on (PROGRAM_CYCLE.md):
//! commitments awaiting confirmation, documentary evidence per milestone, extensions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::CommitmentInfo;

/// Longest reason (a return, an extension request or decision), in characters.
pub const MAX_FILING_REASON_CHARS: usize = 1_000;
/// Longest evidence file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 200;
/// Largest evidence document (PDF, JPEG, PNG).
pub const MAX_EVIDENCE_BYTES: u64 = 10 * 1024 * 1024;

/// The largest file a record sends beside its answers (a photo, a recording, a document,
/// an audit log): the server's upload limit, checked on the device before it is kept.
pub const MAX_PHOTO_BYTES: u64 = 20 * 1024 * 1024;
/// Most evidence documents per milestone.
pub const MAX_EVIDENCE_PER_MILESTONE: usize = 20;

/// Where a commitment stands: an Enlace's is `propuesto` until staff confirm its impact
/// (`confirmado`, the only state that counts in IACM) or send it back (`devuelto`, with a
/// reason; the Enlace edits it and it is `propuesto` again). Staff's own are confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CommitmentStatus {
    Propuesto,
    Confirmado,
    Devuelto,
}

impl CommitmentStatus {
    /// The code stored and sent.
    pub fn code(self) -> &'static str {
        match self {
            CommitmentStatus::Propuesto => "propuesto",
            CommitmentStatus::Confirmado => "confirmado",
            CommitmentStatus::Devuelto => "devuelto",
        }
    }

    /// Parses [`CommitmentStatus::code`].
    pub fn parse(code: &str) -> Option<Self> {
        [CommitmentStatus::Propuesto, CommitmentStatus::Confirmado, CommitmentStatus::Devuelto].into_iter().find(|s| s.code() == code)
    }
}

/// How a milestone was verified: at a visit (an inspector) or at the desk (staff, from
/// the documentary evidence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum VerifiedHow {
    Visita,
    Escritorio,
}

impl VerifiedHow {
    pub fn code(self) -> &'static str {
        match self {
            VerifiedHow::Visita => "visita",
            VerifiedHow::Escritorio => "escritorio",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [VerifiedHow::Visita, VerifiedHow::Escritorio].into_iter().find(|s| s.code() == code)
    }
}

/// The accepted evidence types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EvidenceType {
    #[serde(rename = "application/pdf")]
    Pdf,
    #[serde(rename = "image/jpeg")]
    Jpeg,
    #[serde(rename = "image/png")]
    Png,
}

impl EvidenceType {
    /// The media type stored and served.
    pub fn media_type(self) -> &'static str {
        match self {
            EvidenceType::Pdf => "application/pdf",
            EvidenceType::Jpeg => "image/jpeg",
            EvidenceType::Png => "image/png",
        }
    }

    /// Parses [`EvidenceType::media_type`].
    pub fn parse(media_type: &str) -> Option<Self> {
        [EvidenceType::Pdf, EvidenceType::Jpeg, EvidenceType::Png].into_iter().find(|t| t.media_type() == media_type)
    }

    /// The file name extension of a download.
    pub fn extension(self) -> &'static str {
        match self {
            EvidenceType::Pdf => "pdf",
            EvidenceType::Jpeg => "jpg",
            EvidenceType::Png => "png",
        }
    }

    /// The type a file's first bytes show, if one of these.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        if head.starts_with(b"%PDF-") {
            Some(EvidenceType::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(EvidenceType::Jpeg)
        } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(EvidenceType::Png)
        } else {
            None
        }
    }
}

/// An evidence document of a milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EvidenceDocument {
    /// SHA-256 (hex) of the bytes: its address, `GET /api/v1/evidence/{sha256}`.
    pub sha256: String,
    pub file_name: String,
    pub media_type: EvidenceType,
    pub size: u64,
    /// Whether every byte arrived and matched the hash and the type.
    pub complete: bool,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// An extension request's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExtensionState {
    Pendiente,
    Aprobada,
    Negada,
}

impl ExtensionState {
    pub fn code(self) -> &'static str {
        match self {
            ExtensionState::Pendiente => "pendiente",
            ExtensionState::Aprobada => "aprobada",
            ExtensionState::Negada => "negada",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [ExtensionState::Pendiente, ExtensionState::Aprobada, ExtensionState::Negada].into_iter().find(|s| s.code() == code)
    }
}

/// A prórroga: asked before the due date, decided by staff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ExtensionInfo {
    pub extension_id: u64,
    /// The milestone's due date when it was asked.
    pub due_before: NaiveDate,
    pub requested_due: NaiveDate,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: String,
    pub state: ExtensionState,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_reason: Option<String>,
}

/// A milestone's filing record: what the sync payload ([`super::MilestoneInfo`]) leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MilestoneFiling {
    pub milestone_id: String,
    /// The due date as registered, when an approved extension moved it (the milestone's
    /// `due` is the date IACM reads).
    pub original_due: Option<NaiveDate>,
    pub verified_how: Option<VerifiedHow>,
    pub verified_by: Option<String>,
    pub documents: Vec<EvidenceDocument>,
    pub extensions: Vec<ExtensionInfo>,
}

/// `GET /api/v1/centros/{centro}/commitments/{id}`: a commitment with its state, evidence
/// documents and extensions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommitmentDetail {
    pub commitment: CommitmentInfo,
    pub status: CommitmentStatus,
    pub return_reason: Option<String>,
    pub registered_by: Option<String>,
    pub milestones: Vec<MilestoneFiling>,
}

/// `POST …/commitments/{id}/confirm`: staff confirm the impact weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmCommitment {
    #[schema(minimum = 1, maximum = 3)]
    pub impact: u8,
}

/// A reason: `POST …/commitments/{id}/return`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnCommitment {
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    pub reason: String,
}

/// `POST …/milestones/{m}/extensions`: the Enlace asks for a new due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    pub requested_due: NaiveDate,
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    pub reason: String,
}

/// `POST /api/v1/extensions/{id}/decision`: staff approve or deny, with a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecision {
    pub approve: bool,
    #[schema(min_length = 1, max_length = 1000, pattern = "\\S")]
    pub reason: String,
}

/// A citizen's free-text suggestion (GL3), anonymous: the text and the capture date only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Suggestion {
    pub date: NaiveDate,
    pub text: String,
}

/// `GET /api/v1/centros/{centro}/suggestions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Suggestions {
    pub centro_id: String,
    pub period_id: String,
    /// Newest first, at most the page's limit.
    pub suggestions: Vec<Suggestion>,
    /// How many the period holds in all.
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_told_by_their_first_bytes() {
        assert_eq!(EvidenceType::sniff(b"%PDF-1.7\n"), Some(EvidenceType::Pdf));
        assert_eq!(EvidenceType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(EvidenceType::Jpeg));
        assert_eq!(EvidenceType::sniff(b"\x89PNG\r\n\x1a\n...."), Some(EvidenceType::Png));
        assert_eq!(EvidenceType::sniff(b"<html><script>"), None);
        assert_eq!(EvidenceType::sniff(b""), None);
        assert_eq!(EvidenceType::sniff(b"%PD"), None);
    }

    #[test]
    fn codes_round_trip() {
        for s in [CommitmentStatus::Propuesto, CommitmentStatus::Confirmado, CommitmentStatus::Devuelto] {
            assert_eq!(CommitmentStatus::parse(s.code()), Some(s));
            assert_eq!(serde_json::to_string(&s).expect("json"), format!("\"{}\"", s.code()));
        }
        for s in [ExtensionState::Pendiente, ExtensionState::Aprobada, ExtensionState::Negada] {
            assert_eq!(ExtensionState::parse(s.code()), Some(s));
        }
        for t in [EvidenceType::Pdf, EvidenceType::Jpeg, EvidenceType::Png] {
            assert_eq!(EvidenceType::parse(t.media_type()), Some(t));
            assert_eq!(serde_json::to_string(&t).expect("json"), format!("\"{}\"", t.media_type()));
        }
    }
}
