//! Password reset with a code sent to the phone (忘记密码). A reset ends every session of the
//! account: whoever knew the old password is signed out everywhere.

use tianfu_domain::{FieldErrors, Password, Phone, UserId};

use super::{Purpose, redeem};
use crate::App;
use crate::accounts::login_guard;
use crate::on_tx;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::hash_password;
use crate::platform::error::AppError;

/// Checks the phone, the new password and the code (in that order, so a malformed request does
/// not spend the code), then sets the password and ends the sessions in one transaction.
pub async fn reset_password(
    app: &App,
    phone: &str,
    code: Option<&str>,
    new_password: &str,
    ip: Option<&str>,
) -> Result<UserId, AppError> {
    let mut errors = FieldErrors::new();
    let phone = errors.check("phone", Phone::parse(phone));
    let password = errors.check("new_password", Password::parse(new_password));
    let (Some(phone), Some(password)) = (phone, password) else {
        return Err(errors.into());
    };
    redeem(app, phone.as_str(), Purpose::Reset, code, "sms_code").await?;
    let hash = hash_password(password.expose().to_owned()).await?;
    let mut tx = app.db.begin().await?;
    let user: Option<i64> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar("UPDATE users SET password_hash = $1 WHERE phone = $2 RETURNING id")
            .bind(&hash)
            .bind(phone.as_str())
            .fetch_optional(&mut **conn)
            .await
    })?;
    // A code is only ever sent to a registered phone for a reset; a phone that left meanwhile
    // gets the code's own answer.
    let Some(user) = user else {
        return Err(AppError::validation("sms_code", super::WRONG));
    };
    on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user)
            .execute(&mut **conn)
            .await
            .map(|_| ())
    })?;
    tx.commit().await?;
    login_guard::forget_account(app, phone.as_str()).await?;
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(UserId(user)),
            action: "password.reset",
            subject: &phone.masked(),
            ip,
            detail: "by SMS code; all sessions ended",
        },
    )
    .await;
    Ok(UserId(user))
}
