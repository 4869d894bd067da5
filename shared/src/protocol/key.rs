//! [`Key`]: an identifier people choose (a centro's clave, a period, a commitment, a
//! milestone, a complaint's folio, a username), checked where it enters.

use serde::{Deserialize, Serialize};

/// The OpenAPI pattern of a [`Key`].
pub const KEY_PATTERN: &str = "^[A-Za-z0-9_.-]{1,64}$";

/// Longest key, in bytes.
pub const MAX_KEY_BYTES: usize = 64;

/// 1 to [`MAX_KEY_BYTES`] ASCII letters, digits, `-`, `_` and `.`: the same in a path, a
/// file name and a spreadsheet cell, whatever the encoding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Key(String);

/// Why a text is not a [`Key`] (in Spanish, for people).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("la clave «{0}» no es válida: de 1 a 64 letras sin acentos, números, «-», «_» o «.»")]
pub struct BadKey(pub String);

impl Key {
    /// Checks `text` (not trimmed: a key with spaces is refused, not changed).
    pub fn parse(text: &str) -> Result<Self, BadKey> {
        let valid = !text.is_empty() && text.len() <= MAX_KEY_BYTES && text.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
        if valid { Ok(Key(text.to_string())) } else { Err(BadKey(text.chars().take(80).collect())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl TryFrom<String> for Key {
    type Error = BadKey;

    fn try_from(text: String) -> Result<Self, BadKey> {
        Key::parse(&text)
    }
}

impl From<Key> for String {
    fn from(k: Key) -> String {
        k.0
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_letters_digits_and_three_signs() {
        for good in ["GTO-001", "2025-S1", "Q_12.b", &"a".repeat(64)] {
            assert_eq!(Key::parse(good).map(|k| k.into_string()), Ok(good.to_string()), "{good}");
        }
        for bad in ["", " GTO", "a/b", "a b", "x\n", "%2F", "Peñuelas", "Ö", "١٢", &"a".repeat(65)] {
            assert!(Key::parse(bad).is_err(), "{bad:?}");
        }
        assert!(serde_json::from_str::<Key>("\"a b\"").is_err());
        assert_eq!(serde_json::to_string(&Key::parse("C1").expect("valid")).expect("json"), "\"C1\"");
    }

    /// Body fields that are keys carry the same pattern (a derive takes only a literal).
    #[test]
    fn key_fields_of_bodies_document_the_key_pattern() {
        use utoipa::PartialSchema;
        for schema in [super::super::MilestoneInput::schema(), super::super::NewUserRequest::schema()] {
            let json = serde_json::to_value(&schema).expect("json");
            let patterns: Vec<_> = json["properties"].as_object().expect("object").values().filter_map(|p| p["pattern"].as_str()).filter(|p| p.starts_with("^[A-Za")).collect();
            assert_eq!(patterns, [KEY_PATTERN], "{json}");
        }
    }

    #[test]
    fn the_documented_pattern_only_admits_keys() {
        let pattern = regex::Regex::new(KEY_PATTERN).expect("valid");
        for s in ["GTO-001", "a.b_c-d", "x", "Peñuelas", "Ö", "a b", "", "a\n", &"b".repeat(65)] {
            assert_eq!(pattern.is_match(s), Key::parse(s).is_ok(), "{s:?}");
        }
    }
}
