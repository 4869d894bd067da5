//! The wire format: the only serde types of the project. Everything here is a promise to
//! phones already in the field; a change needs [`PROTOCOL_VERSION`] bumped and a note in
//! `docs/sync-protocol.md`.

use serde::{Deserialize, Serialize};

/// The version of these JSON shapes, served by `GET /api/v1/health`.
pub const PROTOCOL_VERSION: u32 = 1;

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Always `"ok"` when the server answers.
    pub status: String,
    /// The server's crate version.
    pub server_version: String,
    /// [`PROTOCOL_VERSION`] of the server.
    pub protocol_version: u32,
}

/// One published form version, as listed by `GET /api/v1/forms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormList {
    pub forms: Vec<FormSummary>,
}

/// The body of every error answer: a machine code to branch on and a Spanish message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// Stable, snake_case (e.g. `not_found`, `body_too_large`).
    pub code: String,
    /// For people, in Spanish.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Old phones parse these exact bytes: a failing snapshot means a protocol bump.
    #[test]
    fn wire_shapes_are_stable() {
        let health = Health { status: "ok".into(), server_version: "0.1.0".into(), protocol_version: 1 };
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
        let err = ApiError { code: "not_found".into(), message: "No existe".into() };
        assert_eq!(serde_json::to_string(&err).expect("serializes"), r#"{"code":"not_found","message":"No existe"}"#);
    }
}
