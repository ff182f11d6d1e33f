//! `/me/totp`: a staff member or administrator turns the authenticator on (a new secret shown as
//! QR code and text, on only once a first code from it is right) or off (with a current code).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::login::Enrolment;
use super::{code, gate, store};
use crate::AppState;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::PageError;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/totp.html")]
pub struct TotpPage {
    me: Option<Actor>,
    enabled: bool,
    pending: Option<Enrolment>,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct TotpQuery {
    done: Option<String>,
}

async fn render(
    app: &AppState,
    actor: Actor,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<TotpPage, PageError> {
    let factor = store::factor(&app.db, actor.id)
        .await
        .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?
        .ok_or_else(|| PageError::new(AppError::not_found("用户"), Some(actor.clone())))?;
    let enabled = factor.totp_secret.is_some();
    let pending = (!enabled)
        .then_some(factor.totp_pending_secret)
        .flatten()
        .map(|secret| Enrolment {
            svg: code::qr_svg(&code::otpauth_url(&secret, &mask(&actor.phone))).unwrap_or_default(),
            secret,
        });
    Ok(TotpPage {
        me: Some(actor),
        enabled,
        pending,
        notice,
        error,
    })
}

fn mask(phone: &str) -> String {
    tianfu_domain::Phone::parse(phone)
        .map(|p| p.masked())
        .unwrap_or_default()
}

pub async fn page(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Query(query): Query<TotpQuery>,
) -> Result<TotpPage, PageError> {
    let notice = match query.done.as_deref() {
        Some("on") => Some("动态验证码已开启，今后登录须输入动态验证码"),
        Some("off") => Some("动态验证码已关闭"),
        _ => None,
    };
    render(&app, actor, notice, None).await
}

/// A new pending secret (replacing an unconfirmed one); the page then shows its QR code.
pub async fn start(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
) -> Result<Response, PageError> {
    store::set_pending(&app.db, actor.id, &code::new_secret())
        .await
        .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?;
    Ok(Redirect::to("/me/totp").into_response())
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    totp_code: String,
}

async fn audit(app: &AppState, actor: &Actor, action: &str, ip: Option<&str>) {
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(actor.id),
            action,
            subject: &format!("user:{}", actor.id.0),
            ip,
            detail: "",
        },
    )
    .await;
}

pub async fn confirm(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let factor = store::factor(&app.db, actor.id)
        .await
        .map_err(|e| fail(e.into()))?;
    let pending = factor.and_then(|f| f.totp_pending_secret);
    let now = app.clock.now();
    let step = pending
        .as_deref()
        .and_then(|secret| code::check(secret, &form.totp_code, now.timestamp()));
    let enabled = match (pending.as_deref(), step) {
        (Some(secret), Some(step)) => store::enable(&app.db, actor.id, secret, step)
            .await
            .map_err(|e| fail(e.into()))?,
        _ => false,
    };
    if !enabled {
        let page = render(&app, actor, None, Some(gate::CODE_WRONG.into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    audit(&app, &actor, "totp.enabled", ip.as_deref()).await;
    Ok(Redirect::to("/me/totp?done=on").into_response())
}

pub async fn disable(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let secret = store::factor(&app.db, actor.id)
        .await
        .map_err(|e| fail(e.into()))?
        .and_then(|f| f.totp_secret);
    let now = app.clock.now();
    let step = secret
        .as_deref()
        .and_then(|secret| code::check(secret, &form.totp_code, now.timestamp()));
    let disabled = match (secret.as_deref(), step) {
        (Some(secret), Some(step)) => store::disable(&app.db, actor.id, secret, step)
            .await
            .map_err(|e| fail(e.into()))?,
        _ => false,
    };
    if !disabled {
        let page = render(&app, actor, None, Some(gate::CODE_WRONG.into())).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    audit(&app, &actor, "totp.disabled", ip.as_deref()).await;
    Ok(Redirect::to("/me/totp?done=off").into_response())
}
