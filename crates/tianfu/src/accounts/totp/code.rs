//! TOTP (RFC 6238) with `totp-rs`: SHA-1, 6 digits, 30-second steps, one step of clock skew
//! either way — what every authenticator app (Google Authenticator, 微信小程序 authenticators,
//! Microsoft Authenticator…) uses. The secret is 160 random bits, kept in base32.
//!
//! `check` returns the time step a code belongs to; callers accept a step only if it is later
//! than the last one accepted for that person, so that a code cannot be used twice.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use totp_rs::{Builder, Secret, Totp};

pub const ISSUER: &str = "天府科技云";

/// A fresh secret in base32.
pub fn new_secret() -> String {
    let mut raw = [0u8; 20];
    OsRng.fill_bytes(&mut raw);
    Secret::from(raw).to_base32()
}

fn totp(secret: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret).ok()?;
    Builder::new().with_secret(secret).build().ok()
}

/// The time step of `code` if it is right for `secret` at `unix` seconds (±1 step).
pub fn check(secret: &str, code: &str, unix: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let unix = u64::try_from(unix).ok()?;
    totp(secret)?
        .check(&code, unix)
        .and_then(|step| i64::try_from(step).ok())
}

/// The code for `secret` at `unix` seconds: what the person's app shows (and what tests type).
pub fn code_at(secret: &str, unix: i64) -> Option<String> {
    let unix = u64::try_from(unix).ok()?;
    Some(totp(secret)?.generate(unix).to_string())
}

/// The `otpauth://` link an authenticator app reads from the QR code.
pub fn otpauth_url(secret: &str, account: &str) -> String {
    let label = crate::platform::page::url_encode(&format!("{ISSUER}:{account}"));
    let issuer = crate::platform::page::url_encode(ISSUER);
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30"
    )
}

/// The QR code of `url` as inline SVG.
pub fn qr_svg(url: &str) -> Option<String> {
    crate::platform::qr::svg(url, 200)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_checks_within_one_step_and_not_beyond() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now).expect("code");
        assert_eq!(check(&secret, &code, now), Some(now / 30));
        assert_eq!(check(&secret, &code, now + 30), Some(now / 30));
        assert_eq!(check(&secret, &code, now + 90), None);
        assert_eq!(check(&secret, "12345", now), None);
        assert_eq!(check(&secret, "abcdef", now), None);
    }

    #[test]
    fn rfc_6238_vector() {
        // RFC 6238 appendix B, SHA-1, secret "12345678901234567890", T = 59 → 94287082 (8 digits;
        // the last 6 are the 6-digit code).
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
    }

    #[test]
    fn url_names_issuer_and_account() {
        let url = otpauth_url("ABC", "138****0000");
        assert!(url.starts_with("otpauth://totp/"));
        assert!(url.contains("secret=ABC"));
        assert!(qr_svg(&url).is_some());
    }
}
