//! What stands between a right password and a session: the account must not be disabled, and a
//! person with a TOTP authenticator must give its code (a staff member without one, when
//! `TIANFU_STAFF_TOTP=required`, must enrol first). Used by the API login and the login page.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tianfu_domain::{Role, UserId};

use super::{code, store};
use crate::App;
use crate::accounts::login_guard;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::{self, SessionKind, client_ip};
use crate::platform::error::AppError;
use crate::platform::session_policy::StaffTotp;

pub const DISABLED: &str = "账号已停用，请联系管理员";
pub const CODE_MISSING: &str = "该账号已开启双因素认证，请输入身份验证器App中的6位动态验证码";
pub const CODE_WRONG: &str = "动态验证码错误或已使用，请输入身份验证器App中最新的动态验证码";
pub const ENROL_FIRST: &str =
    "工作人员须先绑定动态验证码：请在网页登录，按提示用身份验证器App扫码绑定";

/// Where a session begins, kept with it for the list of one's sessions.
pub struct SessionOrigin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for SessionOrigin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(SessionOrigin {
            ip: client_ip(parts),
            user_agent: auth::user_agent(parts),
        })
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Gate {
    /// Nothing more is needed: start the session.
    Open,
    /// The person has an authenticator and gave no code.
    NeedCode,
    /// A staff member without an authenticator while one is required.
    NeedEnrolment,
}

impl Gate {
    /// The API's answer when it is not open: a 401 naming `totp_code`.
    pub fn into_api_result(self) -> Result<(), AppError> {
        match self {
            Gate::Open => Ok(()),
            Gate::NeedCode => Err(AppError::SecondFactor {
                code: "totp_required",
                message: CODE_MISSING.into(),
            }),
            Gate::NeedEnrolment => Err(AppError::SecondFactor {
                code: "totp_enrolment_required",
                message: ENROL_FIRST.into(),
            }),
        }
    }
}

async fn audit(app: &App, user: UserId, action: &str, ip: Option<&str>, detail: &str) {
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(user),
            action,
            subject: &format!("user:{}", user.0),
            ip,
            detail,
        },
    )
    .await;
}

/// Checks what must hold after a right password. A wrong code counts as a failed login toward
/// the lockout, so the six digits cannot be guessed at leisure.
pub async fn after_password(
    app: &App,
    user: UserId,
    totp_code: Option<&str>,
    ip: Option<&str>,
) -> Result<Gate, AppError> {
    let factor = store::factor(&app.db, user)
        .await?
        .ok_or_else(AppError::unauthorized)?;
    if factor.disabled_at.is_some() {
        audit(app, user, "login.refused", ip, "account disabled").await;
        return Err(AppError::Forbidden(DISABLED.into()));
    }
    let code = totp_code.map(str::trim).filter(|c| !c.is_empty());
    match (factor.totp_secret, code) {
        (Some(_), None) => Ok(Gate::NeedCode),
        (Some(secret), Some(code)) => verify(app, user, &secret, code, ip)
            .await
            .map(|_| Gate::Open),
        (None, _) => {
            let staff = Role::parse(&factor.role).is_ok_and(Role::is_staff);
            if staff && app.config.sessions.staff_totp == StaffTotp::Required {
                Ok(Gate::NeedEnrolment)
            } else {
                Ok(Gate::Open)
            }
        }
    }
}

/// Accepts `code` for `secret` once: its time step must be later than the last accepted.
pub async fn verify(
    app: &App,
    user: UserId,
    secret: &str,
    code: &str,
    ip: Option<&str>,
) -> Result<i64, AppError> {
    let now = app.clock.now();
    let accepted = match code::check(secret, code, now.timestamp()) {
        Some(step) => store::accept_step(&app.db, user, step)
            .await?
            .then_some(step),
        None => None,
    };
    if let Some(step) = accepted {
        return Ok(step);
    }
    audit(
        app,
        user,
        "login.second_factor.failure",
        ip,
        "wrong or reused code",
    )
    .await;
    // A wrong second factor counts like a wrong password: growing delays for the account and
    // the address, and an alert on bursts (someone holds the password).
    if let Some(actor) = crate::platform::auth::actor_by_id(&app.db, user).await?
        && let Ok(phone) = tianfu_domain::Phone::parse(&actor.phone)
    {
        let account = login_guard::claim_account(app, &phone, ip, None).await.ok();
        login_guard::failed(app, &phone, account.as_ref(), ip).await?;
    }
    Err(AppError::SecondFactor {
        code: "totp_invalid",
        message: CODE_WRONG.into(),
    })
}

/// Starts a session for `user` (after the gate opened), remembering where it began.
pub async fn start(
    app: &App,
    user: UserId,
    kind: SessionKind,
    origin: &SessionOrigin,
) -> Result<String, AppError> {
    auth::create_session_from(
        &app.db,
        user,
        kind,
        app.clock.now(),
        origin.ip.as_deref(),
        origin.user_agent.as_deref(),
    )
    .await
}
