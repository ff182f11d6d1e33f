//! Disabling and enabling accounts (等保 level 3, 访问控制: accounts no longer needed, or
//! misused, are stopped). Administrators only — region staff may not. Disabling ends every
//! session of the account at once and refuses its logins; no session of a disabled account
//! resolves (`platform::auth` checks it in the query). An administrator cannot disable
//! themselves. Both acts are audited.

pub mod api;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use tianfu_domain::{Role, UserId};

use crate::App;
use crate::AppState;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/users/{id}/disable", post(api::disable))
        .route("/api/v1/admin/users/{id}/enable", post(api::enable))
        .route("/admin/accounts", get(pages::page))
        .route("/admin/accounts/{id}/disable", post(pages::disable))
        .route("/admin/accounts/{id}/enable", post(pages::enable))
}

pub const REASON_MAX: usize = 200;

/// Administrators only; a refusal is audited.
pub async fn ensure_admin(app: &App, actor: &Actor, ip: Option<&str>) -> Result<(), AppError> {
    scope::ensure(app, actor, actor.role == Role::Admin, "user_accounts", ip)
        .await
        .map_err(|_| AppError::Forbidden("仅系统管理员可以停用或启用账号".into()))
}

pub async fn disable(
    app: &App,
    admin: &Actor,
    user: UserId,
    reason: &str,
    ip: Option<&str>,
) -> Result<store::AccountState, AppError> {
    ensure_admin(app, admin, ip).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::validation("reason", "请填写停用原因"));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::validation(
            "reason",
            format!("停用原因不能超过{REASON_MAX}字"),
        ));
    }
    if user == admin.id {
        return Err(AppError::Conflict {
            message: "不能停用自己的账号".into(),
            fields: Default::default(),
        });
    }
    let now = app.clock.now();
    if !store::disable(&app.db, user, admin.id, reason, now).await? {
        return Err(refusal(app, user, "该账号已是停用状态").await?);
    }
    record(app, admin, "account.disabled", user, ip, reason).await;
    store::state(&app.db, user)
        .await?
        .ok_or_else(|| AppError::not_found("用户"))
}

pub async fn enable(
    app: &App,
    admin: &Actor,
    user: UserId,
    ip: Option<&str>,
) -> Result<store::AccountState, AppError> {
    ensure_admin(app, admin, ip).await?;
    if !store::enable(&app.db, user).await? {
        return Err(refusal(app, user, "该账号未停用").await?);
    }
    record(app, admin, "account.enabled", user, ip, "").await;
    store::state(&app.db, user)
        .await?
        .ok_or_else(|| AppError::not_found("用户"))
}

/// Why a guarded change matched nothing: no such user (404), or not in the state (409).
async fn refusal(app: &App, user: UserId, conflict: &str) -> Result<AppError, AppError> {
    Ok(match store::state(&app.db, user).await? {
        None => AppError::not_found("用户"),
        Some(_) => AppError::Conflict {
            message: conflict.into(),
            fields: Default::default(),
        },
    })
}

async fn record(
    app: &App,
    admin: &Actor,
    action: &str,
    user: UserId,
    ip: Option<&str>,
    detail: &str,
) {
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(admin.id),
            action,
            subject: &format!("user:{}", user.0),
            ip,
            detail,
        },
    )
    .await;
}
