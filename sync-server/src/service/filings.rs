//! The centros' side of the program's year, as API handlers and console pages both do it:
//! an Enlace registers commitments (proposals), uploads documentary evidence, asks for
//! extensions; staff confirm or send back, decide extensions and verify at the desk.

use axum::body::Body;
use shared::protocol::{
    CommitmentDetail, CommitmentInfo, CommitmentInput, CommitmentStatus, EvidenceType, ExtensionInfo, ExtensionRequest, MAX_FILE_NAME_CHARS,
    MAX_FILING_REASON_CHARS, PhotoStatus, Suggestions, VerifyMilestone,
};

use crate::access::{self, Grant, Resource};
use crate::db::{Author, Device, EvidenceToVerify, NewEvidence, PendingExtension};
use crate::error::AppError;
use crate::state::AppState;

/// Brings the live scores up to date with a centro's commitments and complaints.
pub async fn refresh(state: &AppState, centro: &str, seq: u64) -> Result<(), AppError> {
    let (commitments, complaints) = state.db.centro_score_records(centro.to_string()).await?;
    state.scores.update(crate::scores::Update::CentroRecords { centro_id: centro.to_string(), commitments, complaints, seq });
    Ok(())
}

/// Records (or corrects) one complaint of a centro's log (staff, admin, the centro's
/// inspector) and brings the centro's IGQ up to date.
pub async fn record_complaint(state: &AppState, device: &crate::db::Device, centro: &str, folio: &str, input: shared::protocol::ComplaintInput) -> Result<u64, AppError> {
    crate::access::require_site_records(state, device, centro).await?;
    let seq = state.db.put_complaint(centro.to_string(), folio.to_string(), input).await?;
    refresh(state, centro, seq).await?;
    Ok(seq)
}

/// A reason as given: trimmed, not empty, not too long.
pub fn reason(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_FILING_REASON_CHARS {
        return Err(AppError::Unprocessable("reason_required", format!("Escriba el motivo (de 1 a {MAX_FILING_REASON_CHARS} caracteres).")));
    }
    Ok(text.to_string())
}

/// Registers or edits a commitment: staff's is confirmed, an Enlace's (for its own
/// institution's centros) is a proposal that waits for staff.
pub async fn register_commitment(state: &AppState, device: &Device, centro: &str, id: &str, input: CommitmentInput) -> Result<CommitmentInfo, AppError> {
    let grant = access::require_centro(state, device, Resource::Commitments, centro).await?;
    let author = Author { user_id: device.user_id, proposes: grant == Grant::Institution };
    let (info, seq) = state.db.put_commitment(author, centro.to_string(), id.to_string(), input).await?;
    refresh(state, centro, seq).await?;
    Ok(info)
}

/// A commitment in detail, for whoever registers commitments for its centro.
pub async fn commitment_detail(state: &AppState, device: &Device, centro: &str, id: &str) -> Result<CommitmentDetail, AppError> {
    access::require_centro(state, device, Resource::Commitments, centro).await?;
    state.db.commitment_detail(centro.to_string(), id.to_string()).await?.ok_or_else(|| AppError::NotFound(format!("No existe el compromiso «{id}» del centro «{centro}».")))
}

/// Every commitment of a centro in detail.
pub async fn commitment_details(state: &AppState, device: &Device, centro: &str) -> Result<Vec<CommitmentDetail>, AppError> {
    access::require_centro(state, device, Resource::Commitments, centro).await?;
    Ok(state.db.commitment_details(centro.to_string()).await?)
}

/// Staff confirm a proposal's impact: it counts in IACM and goes to the inspectors' phones.
pub async fn confirm_commitment(state: &AppState, device: &Device, centro: &str, id: &str, impact: u8) -> Result<CommitmentInfo, AppError> {
    access::require(device, Resource::CommitmentReview)?;
    let (info, seq) = state.db.confirm_commitment(device.user_id, centro.to_string(), id.to_string(), impact).await?;
    refresh(state, centro, seq).await?;
    Ok(info)
}

/// Staff send a proposal back to the Enlace with a reason.
pub async fn return_commitment(state: &AppState, device: &Device, centro: &str, id: &str, why: &str) -> Result<(), AppError> {
    access::require(device, Resource::CommitmentReview)?;
    let why = reason(why)?;
    Ok(state.db.return_commitment(device.user_id, centro.to_string(), id.to_string(), why).await?)
}

/// The Enlace (or staff) asks for a later due date, before the current one.
pub async fn request_extension(state: &AppState, device: &Device, key: (String, String, String), request: ExtensionRequest) -> Result<ExtensionInfo, AppError> {
    access::require_centro(state, device, Resource::Commitments, &key.0).await?;
    let request = ExtensionRequest { reason: reason(&request.reason)?, ..request };
    Ok(state.db.request_extension(device.user_id, key, request, state.today()).await?)
}

/// Staff approve or deny an extension with a reason; an approval moves the due date IACM reads.
pub async fn decide_extension(state: &AppState, device: &Device, id: u64, approve: bool, why: &str) -> Result<(), AppError> {
    access::require(device, Resource::CommitmentReview)?;
    let why = reason(why)?;
    let (centro, seq) = state.db.decide_extension(device.user_id, id, approve, why).await?;
    if let Some(seq) = seq {
        refresh(state, &centro, seq).await?;
    }
    Ok(())
}

/// Verifies a milestone: an inspector at a visit (assigned centros), staff at the desk
/// (only with a complete evidence document).
pub async fn verify_milestone(state: &AppState, device: &Device, key: (String, String, String), body: VerifyMilestone) -> Result<CommitmentInfo, AppError> {
    let centro = key.0.clone();
    access::require_site_records(state, device, &centro).await?;
    if !device.user.role.is_field() && body.verified_on > state.today() {
        return Err(AppError::Unprocessable("future_date", "La fecha de verificación no puede ser posterior a hoy.".into()));
    }
    let (info, seq) = state.db.verify_milestone((device.user_id, device.user.role), key, body).await?;
    refresh(state, &centro, seq).await?;
    Ok(info)
}

/// A document to upload: where it goes and what it says it is.
pub struct Upload {
    pub key: (String, String, String),
    pub sha256: String,
    pub file_name: String,
    pub kind: EvidenceType,
    pub offset: u64,
    pub total: u64,
}

/// Appends a chunk of an evidence document: size, type and name are checked and the
/// document attached to its milestone before any byte is stored.
pub async fn upload_evidence(state: &AppState, device: &Device, upload: Upload, body: Body) -> Result<PhotoStatus, AppError> {
    let (centro, commitment, milestone) = upload.key.clone();
    access::require_centro(state, device, Resource::Commitments, &centro).await?;
    crate::photos::check_sha(&upload.sha256)?;
    state.evidence.check_total(upload.total)?;
    let file_name = upload.file_name.trim().chars().filter(|c| !c.is_control()).collect::<String>();
    if file_name.is_empty() || file_name.chars().count() > MAX_FILE_NAME_CHARS {
        return Err(AppError::Unprocessable("bad_file_name", format!("El nombre del archivo debe tener de 1 a {MAX_FILE_NAME_CHARS} caracteres.")));
    }
    state
        .db
        .register_evidence(NewEvidence {
            centro_id: centro,
            commitment_id: commitment,
            milestone_id: milestone,
            sha256: upload.sha256.clone(),
            file_name,
            media_type: upload.kind,
            size: upload.total,
            user_id: device.user_id,
        })
        .await?;
    let result = state.evidence.append_document(&upload.sha256, upload.offset, upload.total, body.into_data_stream(), upload.kind).await;
    // Nothing of it kept (refused as another type, a question with no bytes, a cut first
    // chunk): the milestone does not list it.
    let kept = match &result {
        Ok(status) => status.received,
        Err(_) => state.evidence.status(&upload.sha256).await?.received,
    };
    if kept == 0 {
        state.db.forget_evidence(upload.key.clone(), upload.sha256.clone()).await?;
    }
    let status = result?;
    if status.complete {
        state.db.evidence_arrived(upload.sha256).await?;
    }
    Ok(status)
}

/// An evidence document's bytes and type, for whoever reaches one of the centros it is
/// attached to.
pub async fn evidence_file(state: &AppState, device: &Device, sha: &str) -> Result<(Vec<u8>, EvidenceType), AppError> {
    crate::photos::check_sha(sha)?;
    let owners = state.db.evidence_owners(sha.to_string()).await?;
    let mut reachable = None;
    for owner in &owners {
        if access::require_centro(state, device, Resource::Evidence, &owner.centro_id).await.is_ok() {
            reachable = Some(owner.media_type);
            break;
        }
    }
    let Some(kind) = reachable else {
        access::require(device, Resource::Evidence)?;
        return Err(if owners.is_empty() {
            AppError::NotFound("No existe ese documento de evidencia.".into())
        } else {
            AppError::Forbidden("Esta evidencia es de un centro que no le corresponde.".into())
        });
    };
    let bytes = state.evidence.read(sha).await?.ok_or_else(|| AppError::NotFound("El documento aún no termina de subirse.".into()))?;
    Ok((bytes, kind))
}

/// Most suggestions on one page.
pub const MAX_SUGGESTIONS: usize = 500;

/// The citizens' suggestions of a centro in a period, anonymous, newest first.
pub async fn suggestions(state: &AppState, device: &Device, centro: &str, period: &str, limit: usize) -> Result<Suggestions, AppError> {
    access::require_centro(state, device, Resource::Suggestions, centro).await?;
    let settings = state.period_settings();
    let p = settings.period(period).ok_or_else(|| AppError::NotFound(format!("No existe el periodo «{period}».")))?;
    let field = p.settings.items.suggestion.clone();
    let (total, suggestions) = state.db.suggestions(centro.to_string(), field, p.start, p.end, limit.min(MAX_SUGGESTIONS)).await?;
    Ok(Suggestions { centro_id: centro.to_string(), period_id: period.to_string(), suggestions, total })
}

/// What waits on whom: for staff, what they must decide; for an Enlace, what staff sent
/// back and what still waits on staff for its institution.
#[derive(Debug, Default)]
pub struct Waiting {
    /// Proposals waiting for staff to confirm (centro, id, description).
    pub to_confirm: Vec<(String, String, String)>,
    /// Proposals sent back to the Enlace (centro, id, description).
    pub returned: Vec<(String, String, String)>,
    /// Extension requests waiting for staff.
    pub extensions: Vec<PendingExtension>,
    /// Milestones whose documents wait for a desk verification.
    pub evidence: Vec<EvidenceToVerify>,
    /// Incorporation requests waiting for staff (or, for an Enlace, for its plantilla).
    pub incorporations: Vec<shared::protocol::Incorporation>,
}

impl Waiting {
    pub fn is_empty(&self) -> bool {
        self.to_confirm.is_empty() && self.returned.is_empty() && self.extensions.is_empty() && self.evidence.is_empty() && self.incorporations.is_empty()
    }
}

/// What waits, in `device`'s scope (nothing for roles that neither file nor decide).
pub async fn waiting(state: &AppState, device: &Device) -> Result<Waiting, AppError> {
    let scope = match access::grant(device.user.role, Resource::Commitments) {
        Some(Grant::Institution) => match &device.institution {
            Some(i) => Some(i.clone()),
            None => return Ok(Waiting::default()),
        },
        Some(_) => None,
        None => return Ok(Waiting::default()),
    };
    Ok(Waiting {
        to_confirm: state.db.commitments_in(CommitmentStatus::Propuesto, scope.clone()).await?,
        returned: state.db.commitments_in(CommitmentStatus::Devuelto, scope.clone()).await?,
        extensions: state.db.pending_extensions(scope.clone()).await?,
        evidence: state.db.evidence_to_verify(scope.clone()).await?,
        incorporations: state.db.incorporations(scope, Some(shared::protocol::IncorporationStatus::Pendiente)).await?,
    })
}
