//! One-time codes sent by SMS (短信验证码): to prove a phone at registration, to reset a password,
//! and to sign in when the password is forgotten or an attacker has slowed the account down.
//!
//! Six digits; only a salted SHA-256 is stored; ten minutes to use it; a new code at most once a
//! minute per phone and purpose; five wrong tries end it; it is used once. Asking for a code
//! answers the same whether or not the phone is registered: a registered phone asking to
//! register gets a message saying so instead of a code, an unknown phone asking to sign in or
//! reset gets nothing. Messages go out after the answer, so its timing says nothing either.

pub mod api;
pub mod pages;
pub mod registration;
pub mod reset;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::Duration;
use sha2::{Digest, Sha256};
use tianfu_domain::Phone;

use crate::{App, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/phone-codes", post(api::send_code))
        .route("/api/v1/auth/password-reset", post(api::reset))
        .route("/phone-codes", post(pages::send_code))
        .route("/login/code", get(pages::login_code_form))
        .route(
            "/forgot-password",
            get(pages::reset_form).post(pages::reset_submit),
        )
}
use crate::platform::audit::{self, AuditEntry};
use crate::platform::error::AppError;
use crate::platform::limits::Rule;
use crate::platform::sms::SmsMessage;

pub const CODE_MINUTES: i64 = 10;
pub const RESEND_SECONDS: i64 = 60;
pub const MAX_TRIES: i32 = 5;

/// What a code is for; a code for one purpose is not accepted for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Register,
    Reset,
    Login,
}

impl Purpose {
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        match text {
            "register" => Ok(Purpose::Register),
            "reset" => Ok(Purpose::Reset),
            "login" => Ok(Purpose::Login),
            _ => Err("用途应为 register（注册）、reset（重置密码）或 login（登录）"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Register => "register",
            Purpose::Reset => "reset",
            Purpose::Login => "login",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Purpose::Register => "注册",
            Purpose::Reset => "重置密码",
            Purpose::Login => "登录",
        }
    }
}

/// The one answer to every accepted request for a code.
pub const SENT: &str = "验证码已发送";
pub const MISSING: &str = "请输入短信验证码";
pub const WRONG: &str = "验证码错误或已过期";

/// A stored hash that no code matches: kept for phones that get no code, so that the resend
/// cooldown (and so the answers) are the same for every phone.
const NO_CODE: &str = "none";

fn hash(salt: &str, phone: &str, purpose: Purpose, code: &str) -> String {
    let digest = Sha256::digest(format!("{salt}|{phone}|{}|{code}", purpose.as_str()));
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{salt}:{hex}")
}

fn matches(stored: &str, phone: &str, purpose: Purpose, code: &str) -> bool {
    match stored.split_once(':') {
        Some((salt, _)) => hash(salt, phone, purpose, code) == stored,
        None => false,
    }
}

fn random_code() -> String {
    // Rejection sampling keeps the six digits uniform.
    loop {
        let n = OsRng.next_u32();
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

fn random_salt() -> String {
    let mut raw = [0u8; 12];
    OsRng.fill_bytes(&mut raw);
    raw.iter().map(|b| format!("{b:02x}")).collect()
}

/// Sends a code (or the notice that stands for one) to `phone` for `purpose`. The same `Ok`
/// whether or not the phone is registered; 429 while the last one is under a minute old or the
/// phone has asked too often.
pub async fn send(
    app: &App,
    phone: &Phone,
    purpose: Purpose,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let resend_after = now - Duration::seconds(RESEND_SECONDS);
    // Inside the minute the request is refused before it is counted: requests that no code
    // answers must not use up the phone's hourly quota, or anyone could keep the owner from
    // getting a code by asking six times in a second.
    if let Some(last) = store::current(&app.db, phone.as_str(), purpose.as_str()).await?
        && last.sent_at >= resend_after
    {
        let retry_after = (last.sent_at - resend_after).num_seconds().max(1) as u64;
        return Err(AppError::TooManyRequests { retry_after });
    }
    // Counted per phone and purpose: notices that a phone is already registered do not use up
    // the codes its owner signs in or resets with.
    let limit = Rule::CodesPerPhone.limit(&app.config.limits);
    let key = format!("{}:{}", phone.as_str(), purpose.as_str());
    if let Err(retry_after) = app.limiter.hit(limit, Rule::CodesPerPhone, &key, now) {
        return Err(AppError::TooManyRequests { retry_after });
    }
    let registered = store::user_with_phone(&app.db, phone.as_str())
        .await?
        .is_some();
    let code = match (purpose, registered) {
        (Purpose::Register, false) | (Purpose::Reset, true) | (Purpose::Login, true) => {
            Some(random_code())
        }
        _ => None,
    };
    let code_hash = match &code {
        Some(code) => hash(&random_salt(), phone.as_str(), purpose, code),
        None => NO_CODE.to_owned(),
    };
    let stored = store::issue(
        &app.db,
        phone.as_str(),
        purpose.as_str(),
        &code_hash,
        now,
        now + Duration::minutes(CODE_MINUTES),
        resend_after,
    )
    .await?;
    if !stored {
        let last = store::current(&app.db, phone.as_str(), purpose.as_str()).await?;
        let retry_after = last
            .map(|row| (row.sent_at - resend_after).num_seconds().max(1) as u64)
            .unwrap_or(1);
        return Err(AppError::TooManyRequests { retry_after });
    }
    let text = match (&code, purpose, registered) {
        (Some(code), _, _) => Some(format!(
            "【天府科技云】您的{}验证码为 {code}，{CODE_MINUTES}分钟内有效。请勿告诉他人。",
            purpose.label()
        )),
        (None, Purpose::Register, true) => Some(
            "【天府科技云】该手机号已注册天府科技云账号，请直接登录；忘记密码可在登录页选择“忘记密码”。如非本人操作，请忽略。"
                .to_owned(),
        ),
        _ => None,
    };
    if let Some(text) = text {
        let sms = app.sms.clone();
        let message = SmsMessage {
            phone: phone.as_str().to_owned(),
            text,
            at: now,
        };
        tokio::spawn(async move {
            if let Err(error) = sms.send(message).await {
                tracing::error!(?error, "could not send SMS");
            }
        });
    }
    audit::record(
        &app.db,
        now,
        AuditEntry {
            actor: None,
            action: "phone_code.requested",
            subject: &phone.masked(),
            ip,
            detail: purpose.as_str(),
        },
    )
    .await;
    Ok(())
}

/// Uses the code given for `phone` and `purpose`: `Ok` once for the right code; a 422 naming
/// `field` otherwise (missing, wrong, expired, used, or tried too often).
pub async fn redeem(
    app: &App,
    phone: &str,
    purpose: Purpose,
    code: Option<&str>,
    field: &str,
) -> Result<(), AppError> {
    let code = code.map(str::trim).filter(|c| !c.is_empty());
    let Some(code) = code else {
        return Err(AppError::validation(field, MISSING));
    };
    let wrong = || AppError::validation(field, WRONG);
    let now = app.clock.now();
    let Some(row) = store::current(&app.db, phone, purpose.as_str()).await? else {
        return Err(wrong());
    };
    if row.used_at.is_some() || row.expires_at <= now || row.attempts >= MAX_TRIES {
        return Err(wrong());
    }
    if !matches(&row.code_hash, phone, purpose, code) {
        store::count_wrong(&app.db, phone, purpose.as_str(), &row.code_hash).await?;
        return Err(wrong());
    }
    if store::consume(
        &app.db,
        phone,
        purpose.as_str(),
        &row.code_hash,
        now,
        MAX_TRIES,
    )
    .await?
    {
        Ok(())
    } else {
        Err(wrong())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_only_its_phone_and_purpose() {
        let stored = hash("abc", "13700000001", Purpose::Register, "123456");
        assert!(matches(&stored, "13700000001", Purpose::Register, "123456"));
        assert!(!matches(
            &stored,
            "13700000001",
            Purpose::Register,
            "123457"
        ));
        assert!(!matches(
            &stored,
            "13700000002",
            Purpose::Register,
            "123456"
        ));
        assert!(!matches(&stored, "13700000001", Purpose::Login, "123456"));
        assert!(!matches(NO_CODE, "13700000001", Purpose::Login, "123456"));
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = random_code();
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        }
    }
}
