//! Signed tokens of the QR survey: the code printed on a centro's poster, and the one-time
//! nonce a survey page carries from its first page to the last. Both are HMAC-SHA256
//! signed with the server's QR key (kept in the database, so that every server of one
//! deployment checks the same signatures); a forged or altered token fails before any
//! lookup or work.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Bytes of the signature kept in a token (128 bits).
const MAC_BYTES: usize = 16;

/// The longest token accepted (checked before any parsing).
pub const MAX_TOKEN_CHARS: usize = 120;

/// The server's QR signing key.
#[derive(Clone)]
pub struct QrKey(pub [u8; 32]);

impl std::fmt::Debug for QrKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QrKey(…)")
    }
}

impl QrKey {
    fn mac(&self, parts: &[&str]) -> String {
        // A key of any length is accepted by HMAC: this cannot fail.
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0) else { return String::new() };
        for p in parts {
            mac.update(p.as_bytes());
            mac.update(&[0]);
        }
        shared::digest::hex(&mac.finalize().into_bytes()[..MAC_BYTES])
    }

    fn verify(&self, parts: &[&str], given: &str) -> bool {
        let expected = self.mac(parts);
        // Constant time over the hex text (both the same length when well formed).
        expected.len() == given.len() && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }

    /// The token of QR code `code_id`, issued for `centro` and `period`.
    pub fn code_token(&self, code_id: i64, centro: &str, period: &str) -> String {
        format!("{code_id}.{}", self.mac(&["codigo", &code_id.to_string(), centro, period]))
    }

    /// The code id a token names, before its signature is checked against the code's
    /// centro and period ([`QrKey::code_token_matches`]); `None` when it is not a token.
    pub fn code_id(token: &str) -> Option<i64> {
        if token.len() > MAX_TOKEN_CHARS {
            return None;
        }
        let (id, mac) = token.split_once('.')?;
        (mac.len() == 2 * MAC_BYTES && mac.bytes().all(|b| b.is_ascii_hexdigit())).then_some(())?;
        id.parse::<i64>().ok().filter(|id| *id > 0)
    }

    /// True when `token` is the one issued for code `code_id` at `centro` in `period`.
    pub fn code_token_matches(&self, token: &str, code_id: i64, centro: &str, period: &str) -> bool {
        token.split_once('.').is_some_and(|(id, mac)| id == code_id.to_string() && self.verify(&["codigo", id, centro, period], mac))
    }

    /// A new one-time nonce for a survey started at `issued_unix` from code `code_id`.
    pub fn nonce(&self, code_id: i64, issued_unix: i64, random: &[u8; 16]) -> String {
        let r = shared::digest::hex(random);
        let (code, issued) = (code_id.to_string(), issued_unix.to_string());
        format!("{code}.{issued}.{r}.{}", self.mac(&["nonce", &code, &issued, &r]))
    }

    /// The (code id, issue time) of a nonce this server signed; `None` for anything else.
    pub fn read_nonce(&self, nonce: &str) -> Option<(i64, i64)> {
        if nonce.len() > MAX_TOKEN_CHARS {
            return None;
        }
        let mut parts = nonce.split('.');
        let (code, issued, r, mac) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || r.len() != 32 || !self.verify(&["nonce", code, issued, r], mac) {
            return None;
        }
        Some((code.parse().ok()?, issued.parse().ok()?))
    }
}

/// The record id of the survey a nonce started: the same nonce always names the same
/// record, so a survey sent twice is one record (the second a duplicate). A UUID of
/// version 8 (custom), from the nonce's SHA-256.
pub fn submission_id(nonce: &str) -> uuid::Uuid {
    use sha2::Digest;
    let digest = Sha256::digest(format!("ventanilla-qr\0{nonce}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> QrKey {
        QrKey([b; 32])
    }

    #[test]
    fn a_code_token_matches_only_its_centro_period_and_key() {
        let token = key(1).code_token(7, "GTO-E-T-01", "2025");
        assert_eq!(QrKey::code_id(&token), Some(7));
        assert!(key(1).code_token_matches(&token, 7, "GTO-E-T-01", "2025"));
        assert!(!key(1).code_token_matches(&token, 7, "GTO-E-T-02", "2025"), "another centro");
        assert!(!key(1).code_token_matches(&token, 7, "GTO-E-T-01", "2026"), "another period");
        assert!(!key(1).code_token_matches(&token, 8, "GTO-E-T-01", "2025"), "another code");
        assert!(!key(2).code_token_matches(&token, 7, "GTO-E-T-01", "2025"), "another server's key");
        let forged = format!("7.{}", "0".repeat(32));
        assert_eq!(QrKey::code_id(&forged), Some(7));
        assert!(!key(1).code_token_matches(&forged, 7, "GTO-E-T-01", "2025"));
        for bad in ["", "7", "7.", "x.00", "-1.00000000000000000000000000000000", &"9".repeat(200)] {
            assert_eq!(QrKey::code_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_nonce_reads_back_only_as_signed() {
        let nonce = key(1).nonce(7, 1_700_000_000, &[3; 16]);
        assert_eq!(key(1).read_nonce(&nonce), Some((7, 1_700_000_000)));
        assert_eq!(key(2).read_nonce(&nonce), None);
        let later = nonce.replacen("1700000000", "1800000000", 1);
        assert_eq!(key(1).read_nonce(&later), None, "the time is signed");
        assert_eq!(key(1).read_nonce("7.1.x.y"), None);
        assert_eq!(key(1).read_nonce(&format!("{nonce}.extra")), None);
    }

    #[test]
    fn one_nonce_names_one_record() {
        let a = submission_id("n1");
        assert_eq!(a, submission_id("n1"));
        assert_ne!(a, submission_id("n2"));
        assert_eq!(a.get_version_num(), 8);
    }
}
