//! The login page's second step. After a right password the browser gets a page holding a random
//! challenge (only its hash is stored, for five minutes and five tries) and asks for the code;
//! a staff member who must enrol is shown the QR code of a new secret there and confirms it with
//! a first code, which both turns the factor on and signs them in.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use serde::Deserialize;
use tianfu_domain::{Role, UserId};

use super::gate::{self, Gate, SessionOrigin};
use super::{code, store};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::{self, Actor, SessionKind, random_hex, token_hash};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::{App, AppState};

const CHALLENGE_MINUTES: i64 = 5;
const CHALLENGE_TRIES: i32 = 5;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/login_totp.html")]
pub struct StepPage {
    me: Option<Actor>,
    challenge: String,
    /// While enrolling: the secret as text and as a QR code.
    enrol: Option<Enrolment>,
    error: Option<String>,
}

pub struct Enrolment {
    pub secret: String,
    pub svg: String,
}

fn enrolment(secret: &str, phone: &str) -> Enrolment {
    let masked = tianfu_domain::Phone::parse(phone)
        .map(|p| p.masked())
        .unwrap_or_default();
    Enrolment {
        secret: secret.to_owned(),
        svg: code::qr_svg(&code::otpauth_url(secret, &masked)).unwrap_or_default(),
    }
}

/// The browser signed in: its cookie lasts as long as the server keeps the session of this
/// person's role.
async fn signed_in(app: &App, user: UserId, token: &str, next: &str) -> Result<Response, AppError> {
    let staff = store::factor(&app.db, user)
        .await?
        .is_some_and(|f| Role::parse(&f.role).is_ok_and(Role::is_staff));
    let cookie = auth::session_cookie_for(&app.config.sessions, staff, token, false);
    Ok(([(SET_COOKIE, cookie)], Redirect::to(next)).into_response())
}

/// After a right password on the login page: signs in, or shows the second step.
pub async fn after_password(
    app: &App,
    user: UserId,
    next: &str,
    origin: &SessionOrigin,
) -> Result<Response, AppError> {
    let gate = gate::after_password(app, user, None, origin.ip.as_deref()).await?;
    if gate == Gate::Open {
        let token = gate::start(app, user, SessionKind::Cookie, origin).await?;
        return signed_in(app, user, &token, next).await;
    }
    let now = app.clock.now();
    store::drop_expired_challenges(&app.db, now).await?;
    let challenge = random_hex(32);
    let factor = store::factor(&app.db, user).await?;
    let enrol = (gate == Gate::NeedEnrolment).then(|| {
        let secret = code::new_secret();
        let phone = factor
            .as_ref()
            .map(|f| f.phone.as_str())
            .unwrap_or_default();
        enrolment(&secret, phone)
    });
    store::create_challenge(
        &app.db,
        &token_hash(&challenge),
        user,
        next,
        enrol.as_ref().map(|e| e.secret.as_str()),
        now,
        now + Duration::minutes(CHALLENGE_MINUTES),
    )
    .await?;
    Ok(StepPage {
        me: None,
        challenge,
        enrol,
        error: None,
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    totp_code: String,
}

pub async fn submit(
    State(app): State<AppState>,
    origin: SessionOrigin,
    Form(form): Form<StepForm>,
) -> Result<Response, PageError> {
    let hash = token_hash(&form.challenge);
    let now = app.clock.now();
    let Some(challenge) = store::attempt_challenge(&app.db, &hash, now, CHALLENGE_TRIES).await?
    else {
        let page = StepPage {
            me: None,
            challenge: String::new(),
            enrol: None,
            error: Some("验证已超时或尝试次数过多，请重新登录".into()),
        };
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    };
    let user = UserId(challenge.user_id);
    let ip = origin.ip.as_deref();
    let verified = match &challenge.enrol_secret {
        Some(secret) => match code::check(secret, &form.totp_code, now.timestamp()) {
            Some(step) if store::enable(&app.db, user, secret, step).await? => {
                audit::record(
                    &app.db,
                    now,
                    AuditEntry {
                        actor: Some(user),
                        action: "totp.enabled",
                        subject: &format!("user:{}", user.0),
                        ip,
                        detail: "enrolled while logging in",
                    },
                )
                .await;
                Ok(step)
            }
            _ => Err(AppError::SecondFactor {
                code: "totp_invalid",
                message: gate::CODE_WRONG.into(),
            }),
        },
        None => match store::factor(&app.db, user)
            .await?
            .and_then(|f| f.totp_secret)
        {
            Some(secret) => gate::verify(&app, user, &secret, &form.totp_code, ip).await,
            None => Err(AppError::SecondFactor {
                code: "totp_invalid",
                message: gate::CODE_WRONG.into(),
            }),
        },
    };
    match verified {
        Ok(_) if store::take_challenge(&app.db, &hash).await? => {
            let token = gate::start(&app, user, SessionKind::Cookie, &origin).await?;
            Ok(signed_in(&app, user, &token, &challenge.next).await?)
        }
        Ok(_) => Err(AppError::Unauthorized("验证已超时，请重新登录".into()).into()),
        Err(AppError::Internal(cause)) => Err(AppError::Internal(cause).into()),
        Err(refusal) => {
            let phone = store::factor(&app.db, user)
                .await?
                .map(|f| f.phone)
                .unwrap_or_default();
            let page = StepPage {
                me: None,
                enrol: challenge
                    .enrol_secret
                    .as_deref()
                    .map(|s| enrolment(s, &phone)),
                challenge: form.challenge,
                error: Some(refusal.to_string()),
            };
            Ok((refusal.status(), page).into_response())
        }
    }
}
