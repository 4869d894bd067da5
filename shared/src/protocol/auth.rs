//! Enrolment and identity: `POST /api/v1/auth/enrol`, `GET /api/v1/me`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a user may do. Every endpoint checks it, with the user's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages users and everything else.
    Admin,
    /// Program staff (coordinación): periods, centros, forms, results, exports.
    Staff,
    /// Sees and reviews the work of their team.
    Supervisor,
    /// Fills site-visit checklists at assigned centros.
    Inspector,
    /// Fills exit surveys at assigned centros.
    Surveyor,
    /// Enlace Institucional: speaks for one institution (a centros' `dependencia`) and
    /// its centros: their results and report, commitments, evidence, extensions,
    /// incorporation. Works in the console only.
    Enlace,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [Role::Admin, Role::Staff, Role::Supervisor, Role::Inspector, Role::Surveyor, Role::Enlace];

    /// The code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
            Role::Supervisor => "supervisor",
            Role::Inspector => "inspector",
            Role::Surveyor => "surveyor",
            Role::Enlace => "enlace",
        }
    }

    /// Parses [`Role::code`].
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Field roles work on assigned centros only, from a device.
    pub fn is_field(self) -> bool {
        matches!(self, Role::Inspector | Role::Surveyor)
    }
}

/// `POST /api/v1/auth/enrol`: a user enrols this device once, online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    #[schema(max_length = 100)]
    pub username: String,
    #[schema(max_length = 200)]
    pub password: String,
    /// A name for the device, shown to supervisors (e.g. «Moto G de Ana»).
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub device_label: String,
}

/// `POST /api/v1/auth/kiosk`: a supervisor (or staff) enrols this tablet as the kiosk of
/// one centro with their own username and password; the token is the kiosk's, not theirs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KioskEnrolRequest {
    #[schema(max_length = 100)]
    pub username: String,
    #[schema(max_length = 200)]
    pub password: String,
    /// The centro whose kiosk the tablet is.
    #[schema(pattern = "^[A-Za-z0-9_.-]{1,64}$")]
    pub centro_id: String,
    /// A name for the tablet, shown to supervisors (e.g. «Tableta de la entrada»).
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub device_label: String,
}

/// The answer to an enrolment: the device token, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EnrolResponse {
    /// Send as `Authorization: Bearer <token>`. The server keeps only its hash.
    pub token: String,
    pub device_id: Uuid,
    pub user: UserInfo,
}

/// Who a user is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserInfo {
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

/// `GET /api/v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeResponse {
    pub user: UserInfo,
    pub device_id: Uuid,
    /// The centros assigned to the user (all centros for staff and admin).
    pub centros: Vec<String>,
}
