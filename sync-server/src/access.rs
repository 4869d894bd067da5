//! Who may reach what: role × resource × scope, decided here and nowhere else.
//!
//! [`grant`] is the table (`docs/access.md` prints it, a test checks every cell); the
//! functions below it add the scope checks that need the database (is this centro one of
//! the supervisor's team, did this user upload this photo). Every API handler and console
//! page asks this module.

use shared::protocol::Role;

use crate::db::{Device, Reviewer};
use crate::error::AppError;
use crate::state::AppState;

/// What is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    /// The console itself (signing in, its pages).
    Console,
    /// Program-wide results: rankings, score tables, scoring inputs, a centro's figures.
    Results,
    /// A centro's raw records: visits with their answers, evidence photos, complaints.
    CentroRecords,
    /// A photo's upload status and bytes.
    Photo,
    /// Uploading evidence photos.
    PhotoUpload,
    /// The review queue of flagged surveys and decisions on them.
    Review,
    /// Rejecting a survey that was accepted and counts in the scores.
    RejectAccepted,
    /// Fieldwork progress and the devices' day receipts.
    Fieldwork,
    /// Revoking a device.
    RevokeDevice,
    /// Periods, centros, quotas, assignments, forms, centros import.
    Program,
    /// Creating users.
    Users,
    /// Confirming the publication of a period's official results.
    Publication,
    /// Answer exports and the audit log.
    Exports,
    /// Registering commitments, their documentary evidence and extension requests.
    Commitments,
    /// Confirming a commitment's impact or sending it back; deciding extensions.
    CommitmentReview,
    /// Reading documentary evidence.
    Evidence,
    /// The citizens' free-text suggestions (GL3), anonymous.
    Suggestions,
    /// Complaints-log audits and milestone verification at a centro.
    SiteRecords,
    /// Filing the Cédula de Incorporación and the Plantilla de Personal; reading the requests.
    Incorporation,
    /// Accepting or refusing an incorporation; dar de baja a centro.
    IncorporationReview,
    /// Reading a centro's plantilla and its people's trainings.
    Staff,
    /// Recording trainings and who attended or was certified.
    Trainings,
}

/// How much of a resource a role reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Everything of it.
    All,
    /// Everything but what belongs to administrators (their devices).
    AllButAdmins,
    /// What concerns the supervisor's team: users whose supervisor they are, and the
    /// centros those users are assigned to.
    Team,
    /// What the user made themself.
    Own,
    /// What concerns the centros the user is assigned to.
    Assigned,
    /// What concerns the centros of the user's institution (an Enlace's `dependencia`).
    Institution,
}

/// Every resource, for the table and its test.
pub const RESOURCES: [Resource; 22] = [
    Resource::Console,
    Resource::Results,
    Resource::CentroRecords,
    Resource::Photo,
    Resource::PhotoUpload,
    Resource::Review,
    Resource::RejectAccepted,
    Resource::Fieldwork,
    Resource::RevokeDevice,
    Resource::Program,
    Resource::Users,
    Resource::Publication,
    Resource::Exports,
    Resource::Commitments,
    Resource::CommitmentReview,
    Resource::Evidence,
    Resource::Suggestions,
    Resource::SiteRecords,
    Resource::Incorporation,
    Resource::IncorporationReview,
    Resource::Staff,
    Resource::Trainings,
];

/// The table: what `role` reaches of `resource`, `None` for nothing.
pub fn grant(role: Role, resource: Resource) -> Option<Grant> {
    use Grant::*;
    use Resource::*;
    match (role, resource) {
        (Role::Admin, _) => match resource {
            PhotoUpload => None,
            _ => Some(All),
        },
        (Role::Staff, Users | Publication | PhotoUpload) => None,
        (Role::Staff, RevokeDevice) => Some(AllButAdmins),
        (Role::Staff, _) => Some(All),
        (Role::Supervisor, Console | Results) => Some(All),
        (Role::Supervisor, CentroRecords | Photo | Review | Fieldwork | RevokeDevice) => Some(Team),
        (Role::Supervisor, _) => None,
        (Role::Inspector, Photo | PhotoUpload) => Some(Own),
        (Role::Inspector, SiteRecords | Evidence) => Some(Assigned),
        (Role::Enlace, Console) => Some(All),
        (Role::Enlace, Results | Commitments | Evidence | Suggestions | Incorporation | Staff) => Some(Institution),
        (Role::Enlace, _) => None,
        (Role::Surveyor, Photo | PhotoUpload) => Some(Own),
        (Role::Inspector | Role::Surveyor, _) => None,
    }
}

/// The refusal of `resource`, in Spanish.
fn refusal(resource: Resource) -> &'static str {
    match resource {
        Resource::Console => "La consola es para supervisión y coordinación; use la app en campo.",
        Resource::Results => "Estos resultados son de un centro o un alcance que no le corresponde.",
        Resource::CentroRecords => "Las visitas, fotos y quejas de este centro son de otro equipo.",
        Resource::Photo => "Esta foto no es suya ni de su equipo.",
        Resource::PhotoUpload => "Las fotos de evidencia se suben desde la app de campo.",
        Resource::Review => "La revisión es para supervisores y coordinación.",
        Resource::RejectAccepted => "Rechazar una encuesta aceptada es decisión de coordinación, con motivo.",
        Resource::Fieldwork => "El trabajo de campo y los dispositivos del equipo los ve su supervisor.",
        Resource::RevokeDevice => "No puede dar de baja este dispositivo.",
        Resource::Program => "La administración del programa es para coordinación.",
        Resource::Users => "Solo administración crea usuarios.",
        Resource::Publication => "Publicar los resultados oficiales lo confirma administración.",
        Resource::Exports => "Las exportaciones de respuestas y la bitácora son para coordinación.",
        Resource::Commitments => "Los compromisos los registra el enlace de la institución del centro o coordinación.",
        Resource::CommitmentReview => "Confirmar compromisos y decidir prórrogas es de coordinación.",
        Resource::Evidence => "Esta evidencia es de un centro que no le corresponde.",
        Resource::Suggestions => "Las sugerencias de la ciudadanía son para coordinación y el enlace del centro.",
        Resource::SiteRecords => "Solo coordinación o el inspector del centro registran esto.",
        Resource::Incorporation => "La incorporación la solicita el enlace de la institución del centro.",
        Resource::IncorporationReview => "Aceptar o rechazar incorporaciones y dar de baja centros es de coordinación.",
        Resource::Staff => "La plantilla de este centro la ven coordinación y el enlace de su institución.",
        Resource::Trainings => "Las capacitaciones las registra coordinación.",
    }
}

/// What `device`'s user reaches of `resource`, or a 403.
pub fn require(device: &Device, resource: Resource) -> Result<Grant, AppError> {
    grant(device.user.role, resource).ok_or_else(|| AppError::Forbidden(refusal(resource).into()))
}

/// The scope the database applies for `resource` (review queue, fieldwork, devices).
pub fn reviewer(device: &Device, resource: Resource) -> Result<Reviewer, AppError> {
    let grant = require(device, resource)?;
    Ok(Reviewer { user_id: device.user_id, everyone: matches!(grant, Grant::All | Grant::AllButAdmins), spare_admins: grant == Grant::AllButAdmins })
}

/// Whether `centro` belongs to the institution `device`'s user speaks for.
pub async fn in_institution(state: &AppState, device: &Device, centro: &str) -> Result<bool, AppError> {
    let Some(own) = device.institution.as_deref() else { return Ok(false) };
    Ok(state.db.centro_institution(centro.to_string()).await?.is_some_and(|i| i == own))
}

/// A 403 unless `device` reaches `resource` for `centro`: everything, the centros
/// assigned, or those of the user's institution (a supervisor's team is not a scope of
/// the resources asked through here).
pub async fn require_centro(state: &AppState, device: &Device, resource: Resource, centro: &str) -> Result<Grant, AppError> {
    let grant = require(device, resource)?;
    let ok = match grant {
        Grant::All | Grant::AllButAdmins => true,
        Grant::Assigned => state.db.assigned_centros(device.user_id).await?.iter().any(|c| c == centro),
        Grant::Institution => in_institution(state, device, centro).await?,
        Grant::Team | Grant::Own => false,
    };
    if ok { Ok(grant) } else { Err(AppError::Forbidden(refusal(resource).into())) }
}

/// A 403 unless `device` reaches all of `resource` (what is program-wide: rankings of
/// every centro, scoring inputs, late records), not only an institution's part of it.
pub fn require_program_wide(device: &Device, resource: Resource) -> Result<Grant, AppError> {
    match require(device, resource)? {
        Grant::Institution => Err(AppError::Forbidden("Esta información es de todo el programa; consulte la de sus centros en la consola.".into())),
        grant => Ok(grant),
    }
}

/// Whether `device` may see `centro`'s raw records (visits, photos, complaints).
pub async fn sees_centro_records(state: &AppState, device: &Device, centro: &str) -> Result<bool, AppError> {
    Ok(match grant(device.user.role, Resource::CentroRecords) {
        Some(Grant::All | Grant::AllButAdmins) => true,
        Some(Grant::Team) => state.db.team_has_centro(device.user_id, centro.to_string()).await?,
        Some(Grant::Assigned) => state.db.assigned_centros(device.user_id).await?.iter().any(|c| c == centro),
        Some(Grant::Institution) => in_institution(state, device, centro).await?,
        Some(Grant::Own) | None => false,
    })
}

/// A 403 unless `device` may see `centro`'s raw records.
pub async fn require_centro_records(state: &AppState, device: &Device, centro: &str) -> Result<(), AppError> {
    if sees_centro_records(state, device, centro).await? { Ok(()) } else { Err(AppError::Forbidden(refusal(Resource::CentroRecords).into())) }
}

/// A 403 unless `device` may act on `centro`'s site records (an inspector: assigned).
pub async fn require_site_records(state: &AppState, device: &Device, centro: &str) -> Result<(), AppError> {
    let ok = match require(device, Resource::SiteRecords)? {
        Grant::Assigned => state.db.assigned_centros(device.user_id).await?.iter().any(|c| c == centro),
        Grant::Institution | Grant::Team | Grant::Own => false,
        Grant::All | Grant::AllButAdmins => true,
    };
    if ok { Ok(()) } else { Err(AppError::Forbidden(refusal(Resource::SiteRecords).into())) }
}

/// A 403 unless `device` may read photo `sha` (status and bytes): the user who uploaded
/// it, a supervisor whose team made a submission naming it or uploaded it, staff.
/// Nobody's photo (nothing received yet) reveals nothing and may be asked about by the
/// field roles, which upload.
pub async fn require_photo(state: &AppState, device: &Device, sha: &str) -> Result<(), AppError> {
    let grant = require(device, Resource::Photo)?;
    let facts = state.db.photo_people(sha.to_string()).await?;
    let ok = match grant {
        Grant::All | Grant::AllButAdmins => true,
        Grant::Own => facts.uploader.is_none_or(|u| u == device.user_id),
        Grant::Team => facts.supervisors.contains(&device.user_id),
        Grant::Assigned | Grant::Institution => false,
    };
    if ok { Ok(()) } else { Err(AppError::Forbidden(refusal(Resource::Photo).into())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table as `docs/access.md` prints it; a change to either must change both.
    #[test]
    fn the_table_is_the_documented_one() {
        let doc = include_str!("../../docs/access.md");
        let roles = Role::ALL;
        for resource in RESOURCES {
            let cells: Vec<&str> = roles
                .iter()
                .map(|r| match grant(*r, resource) {
                    None => "—",
                    Some(Grant::All) => "todo",
                    Some(Grant::AllButAdmins) => "todo salvo administradores",
                    Some(Grant::Team) => "su equipo",
                    Some(Grant::Own) => "lo suyo",
                    Some(Grant::Assigned) => "sus centros",
                    Some(Grant::Institution) => "su institución",
                })
                .collect();
            let row = format!("| `{resource:?}` | {} |", cells.join(" | "));
            assert!(doc.contains(&row), "docs/access.md lacks the row:\n{row}");
        }
    }

    #[test]
    fn an_enlace_reaches_only_its_institution() {
        for resource in RESOURCES {
            let g = grant(Role::Enlace, resource);
            assert!(matches!(g, None | Some(Grant::Institution)) || resource == Resource::Console, "{resource:?}: {g:?}");
        }
    }

    #[test]
    fn field_roles_reach_only_their_own_work() {
        for role in [Role::Surveyor, Role::Inspector] {
            for resource in RESOURCES {
                let g = grant(role, resource);
                assert!(matches!(g, None | Some(Grant::Own | Grant::Assigned)), "{role:?} {resource:?}: {g:?}");
            }
        }
    }
}
