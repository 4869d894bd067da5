//! Collection modes (SCORING.md §2): how a survey reached the program. Every survey
//! carries one; the method setting `index_modes` says which count in the index.

use serde::{Deserialize, Serialize};

/// How a survey was collected (SCORING.md §2, collection modes). Which modes count in the
/// index is a method setting (`index_modes`); the others are reported beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CollectionMode {
    /// A surveyor interviews the citizen.
    Entrevista,
    /// The citizen answers on the surveyor's device.
    Autoaplicada,
    /// A kiosk tablet at the centro, self-completed.
    Kiosko,
    /// The citizen's own phone, from the centro's QR code, self-completed.
    Qr,
}

impl CollectionMode {
    /// Every mode, in a fixed order (the order of reports and exports).
    pub const ALL: [CollectionMode; 4] = [CollectionMode::Entrevista, CollectionMode::Autoaplicada, CollectionMode::Kiosko, CollectionMode::Qr];

    /// The code used on the wire, in storage and in exports.
    pub fn code(self) -> &'static str {
        match self {
            CollectionMode::Entrevista => "entrevista",
            CollectionMode::Autoaplicada => "autoaplicada",
            CollectionMode::Kiosko => "kiosko",
            CollectionMode::Qr => "qr",
        }
    }

    /// Parses [`CollectionMode::code`] exactly.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.code() == code)
    }

    /// Its name in Spanish, for people.
    pub fn label(self) -> &'static str {
        match self {
            CollectionMode::Entrevista => "Entrevista",
            CollectionMode::Autoaplicada => "Autoaplicada",
            CollectionMode::Kiosko => "Kiosko",
            CollectionMode::Qr => "Código QR",
        }
    }

    /// True when the citizen answered without an interviewer asking.
    pub fn self_completed(self) -> bool {
        !matches!(self, CollectionMode::Entrevista)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_wire_names_and_parse_back() {
        for mode in CollectionMode::ALL {
            assert_eq!(serde_json::to_value(mode).expect("serializes"), serde_json::Value::from(mode.code()));
            assert_eq!(CollectionMode::parse(mode.code()), Some(mode));
        }
        assert_eq!(CollectionMode::parse("QR"), None);
        assert_eq!(CollectionMode::parse(""), None);
        assert!(!CollectionMode::Entrevista.self_completed());
        assert!(CollectionMode::Kiosko.self_completed() && CollectionMode::Qr.self_completed());
    }
}
