//! The token itself: an HMAC-SHA256 of a label keyed by the secret the browser already holds
//! (the session token, or before sign-in the pre-session cookie). Both are HttpOnly cookies, so
//! another site can neither read them nor compute the token; nothing is stored, so any app node
//! checks a token another node handed out; and the database holds only the session token's
//! SHA-256, from which the token cannot be derived.

use sha2::{Digest, Sha256};

const LABEL: &[u8] = b"tianfu csrf v1";
const BLOCK: usize = 64;

/// The token that forms and `X-CSRF-Token` must carry for requests holding `secret`.
pub fn token_for(secret: &str) -> String {
    hex(&hmac_sha256(secret.as_bytes(), LABEL))
}

/// Compares in time independent of where the first difference lies.
pub fn matches(given: &str, expected: &str) -> bool {
    let (given, expected) = (given.as_bytes(), expected.as_bytes());
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A fresh random secret for the pre-session cookie.
pub fn new_secret() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let mut raw = [0u8; 32];
    OsRng.fill_bytes(&mut raw);
    hex(&raw)
}

// RFC 2104, written out because the `hmac` release in the lock file is built for a newer `digest`
// than our `sha2`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    let mut mac = [0u8; 32];
    mac.copy_from_slice(&outer);
    mac
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_the_rfc_4231_vector() {
        // RFC 4231 test case 2.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tokens_differ_by_secret_and_compare_exactly() {
        let a = token_for("aaaa");
        assert_eq!(a, token_for("aaaa"));
        assert_ne!(a, token_for("aaab"));
        assert!(matches(&a, &token_for("aaaa")));
        assert!(!matches(&a, &a[..10]));
        assert!(!matches("", &a));
        assert_eq!(new_secret().len(), 64);
    }
}
