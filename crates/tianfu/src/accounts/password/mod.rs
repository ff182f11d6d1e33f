//! Changing one's password (等保 level 3, 身份鉴别): the current password must be right, the new
//! one follows the registration rules, and every other session ends with the change (someone who
//! knew the old password is signed out everywhere). A wrong current password counts like a wrong
//! password at the login page (growing delays), so a stolen session cannot guess it. Audited.

pub mod api;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use tianfu_domain::{FieldErrors, Password};

use crate::App;
use crate::AppState;
use crate::accounts::login_guard;
use crate::accounts::sessions::api::ApiSession;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::{hash_password, verify_password};
use crate::platform::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/password", post(api::change))
        .route("/me/password", get(pages::form).post(pages::submit))
}

/// Changes the password of the session's owner; returns how many other sessions ended.
pub async fn change(app: &App, me: &ApiSession, current: &str, new: &str) -> Result<u64, AppError> {
    let mut errors = FieldErrors::new();
    if current.is_empty() {
        errors.add("current_password", "请输入当前密码");
    }
    let parsed = errors.check("new_password", Password::parse(new));
    if parsed.is_some() && new == current {
        errors.add("new_password", "新密码不能与当前密码相同");
    }
    errors.into_result()?;
    // The current password is a password guess like any other: someone holding a stolen
    // session must not be able to try it faster than at the login page.
    let phone = tianfu_domain::Phone::parse(&me.actor.phone).map_err(|_| {
        AppError::Internal(anyhow::anyhow!("user {} has no valid phone", me.actor.id.0))
    })?;
    let ip = me.ip.as_deref();
    login_guard::check_address(app, &phone, ip).await?;
    let claim = login_guard::claim_account(app, &phone, ip, None).await?;
    let stored = store::password_hash(&app.db, me.actor.id).await?;
    if !verify_password(current.to_owned(), stored.clone()).await {
        login_guard::failed(app, &phone, Some(&claim), ip).await?;
        audit(app, me, "password.change.failure", "wrong current password").await;
        return Err(AppError::validation("current_password", "当前密码不正确"));
    }
    login_guard::forget_claim(app, phone.as_str(), &claim).await?;
    let old_hash = stored.unwrap_or_default();
    let new_hash = hash_password(new.to_owned()).await?;
    let ended = store::replace(&app.db, me.actor.id, &old_hash, &new_hash, &me.session)
        .await?
        .ok_or_else(|| {
            crate::accounts::store::conflict("current_password", "密码刚被修改过，请刷新后重试")
        })?;
    audit(
        app,
        me,
        "password.changed",
        &format!("{ended} other sessions ended"),
    )
    .await;
    Ok(ended)
}

async fn audit(app: &App, me: &ApiSession, action: &str, detail: &str) {
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(me.actor.id),
            action,
            subject: &format!("user:{}", me.actor.id.0),
            ip: me.ip.as_deref(),
            detail,
        },
    )
    .await;
}
