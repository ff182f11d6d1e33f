//! The login act shared by the API and the pages: check the password, count failures, lock the
//! account after repeated failures, and audit every outcome.

use chrono::Duration;
use tianfu_domain::{Phone, UserId};

use super::store;
use crate::App;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::verify_password;
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;

/// Wrong passwords in a row that lock an account.
pub const LOCK_THRESHOLD: i32 = 5;
/// How long a locked account stays locked.
pub const LOCK_MINUTES: i64 = 15;

const WRONG_CREDENTIALS: &str = "手机号或密码错误";

/// Returns the user whose phone and password these are. A wrong password also says how many tries
/// are left before the lock; that reveals the phone is registered, which registration reveals
/// anyway, and it spares people a surprise lockout.
pub async fn authenticate(
    app: &App,
    phone: &str,
    password: &str,
    ip: Option<&str>,
) -> Result<UserId, AppError> {
    let now = app.clock.now();
    let audit = |actor: Option<UserId>,
                 action: &'static str,
                 subject: String,
                 detail: &'static str| async move {
        audit::record(
            &app.db,
            now,
            AuditEntry {
                actor,
                action,
                subject: &subject,
                ip,
                detail,
            },
        )
        .await;
    };
    let Ok(phone) = Phone::parse(phone) else {
        return Err(AppError::validation("phone", "请输入11位手机号"));
    };
    let credentials = store::credentials_by_phone(&app.db, phone.as_str()).await?;
    if let Some(locked_until) = credentials
        .as_ref()
        .and_then(|c| c.locked_until)
        .filter(|until| *until > now)
    {
        let id = credentials.as_ref().map(|c| UserId(c.id));
        audit(id, "login.locked", phone.masked(), "attempt while locked").await;
        return Err(locked_message(locked_until));
    }
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    if verify_password(password.to_owned(), stored).await {
        let id = UserId(
            credentials
                .as_ref()
                .map(|c| c.id)
                .expect("a verified password has a user"),
        );
        store::record_successful_login(&app.db, id).await?;
        audit(Some(id), "login.success", phone.masked(), "").await;
        return Ok(id);
    }
    let Some(credentials) = credentials else {
        audit(None, "login.failure", phone.masked(), "unknown phone").await;
        return Err(AppError::Unauthorized(WRONG_CREDENTIALS.into()));
    };
    let id = UserId(credentials.id);
    let lock_until = now + Duration::minutes(LOCK_MINUTES);
    if store::record_failed_login(&app.db, id, LOCK_THRESHOLD, lock_until).await? {
        audit(
            Some(id),
            "login.locked",
            phone.masked(),
            "locked after repeated wrong passwords",
        )
        .await;
        return Err(locked_message(lock_until));
    }
    audit(Some(id), "login.failure", phone.masked(), "wrong password").await;
    let left = LOCK_THRESHOLD - credentials.failed_logins - 1;
    Err(AppError::Unauthorized(format!(
        "{WRONG_CREDENTIALS}，再错{left}次账号将被锁定{LOCK_MINUTES}分钟"
    )))
}

fn locked_message(until: chrono::DateTime<chrono::Utc>) -> AppError {
    AppError::Locked(format!(
        "密码连续输错{LOCK_THRESHOLD}次，账号已锁定，请于 {} 后再试",
        shanghai(until)
    ))
}
