//! Pages: the no-JavaScript way to ask for a code (a form posting to `/phone-codes`, which comes
//! back to the page it was sent from), and 忘记密码 (`/forgot-password`).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{FieldErrors, Phone};

use super::{Purpose, SENT};
use crate::AppState;
use crate::platform::auth::{Actor, ClientIp, MaybeUser};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, url_encode};

#[derive(Debug, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    purpose: String,
    /// The `next` the page's form carries (registering after a scanned code), kept on the way
    /// back.
    next: Option<String>,
}

/// Where each purpose's page is.
fn page_of(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Register => "/register",
        Purpose::Reset => "/forgot-password",
        Purpose::Login => "/login/code",
    }
}

/// Sends the code and goes back to the page, the phone filled in and a line saying it was sent.
pub async fn send_code(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let purpose = Purpose::parse(&form.purpose).map_err(|m| AppError::validation("purpose", m))?;
    let next = crate::platform::page::local_next(form.next.as_deref())
        .map(|n| format!("&next={}", url_encode(&n)))
        .unwrap_or_default();
    let Ok(phone) = Phone::parse(&form.phone) else {
        let to = format!(
            "{}?phone={}&code=bad_phone{next}",
            page_of(purpose),
            url_encode(&form.phone)
        );
        return Ok(Redirect::to(&to).into_response());
    };
    super::send(&app, &phone, purpose, ip.as_deref()).await?;
    let to = format!(
        "{}?phone={}&code=sent{next}",
        page_of(purpose),
        url_encode(phone.as_str())
    );
    Ok(Redirect::to(&to).into_response())
}

/// The line a page shows after `/phone-codes` sent it back.
pub fn code_notice(code: Option<&str>) -> Option<&'static str> {
    match code {
        Some("sent") => Some(SENT),
        Some("bad_phone") => Some("请输入11位手机号后再获取验证码"),
        _ => None,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CodeLoginQuery {
    #[serde(default)]
    phone: String,
    next: Option<String>,
    code: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/login_code.html")]
pub struct CodeLoginPage {
    me: Option<Actor>,
    phone: String,
    next: String,
    notice: Option<&'static str>,
}

impl CodeLoginPage {
    /// 密码登录 keeping `next`.
    fn password_href(&self) -> String {
        crate::platform::page::carrying_next("/login", &self.next)
    }
}

/// 短信验证码登录: the form posts to `/login` with `sms_code` instead of `password`.
pub async fn login_code_form(
    MaybeUser(me): MaybeUser,
    Query(query): Query<CodeLoginQuery>,
) -> CodeLoginPage {
    CodeLoginPage {
        me,
        next: crate::platform::page::safe_next(query.next.as_deref()),
        notice: code_notice(query.code.as_deref()),
        phone: query.phone,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    sms_code: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    password_confirm: String,
    /// `sent` after a code was asked for without JavaScript.
    code: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/forgot_password.html")]
pub struct ResetPage {
    me: Option<Actor>,
    phone: String,
    notice: Option<&'static str>,
    errors: FieldErrors,
}

pub async fn reset_form(MaybeUser(me): MaybeUser, Query(form): Query<ResetForm>) -> ResetPage {
    ResetPage {
        me,
        notice: code_notice(form.code.as_deref()),
        phone: form.phone,
        errors: FieldErrors::new(),
    }
}

pub async fn reset_submit(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    ClientIp(ip): ClientIp,
    Form(form): Form<ResetForm>,
) -> Result<Response, PageError> {
    let refuse = |errors: FieldErrors, me: Option<Actor>, phone: String| {
        let page = ResetPage {
            me,
            phone,
            notice: None,
            errors,
        };
        (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
    };
    if form.new_password != form.password_confirm {
        return Ok(refuse(
            FieldErrors::single("password_confirm", "两次输入的密码不一致"),
            me,
            form.phone,
        ));
    }
    match super::reset::reset_password(
        &app,
        &form.phone,
        Some(&form.sms_code),
        &form.new_password,
        ip.as_deref(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/login?reset=1").into_response()),
        Err(AppError::Validation(errors)) => Ok(refuse(errors, me, form.phone)),
        Err(other) => Err(other.into()),
    }
}
