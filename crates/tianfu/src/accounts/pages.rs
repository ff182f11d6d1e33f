use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{FieldErrors, OrgType, Role};

use super::api::{MeView, me_view};
use super::register::{self, OrgRequest, RegisterRequest};
use super::totp::{self, gate::SessionOrigin};
use super::{login, login_guard, phone_codes, store};
use crate::AppState;
use crate::market::latest;
use crate::market::pages::Line;
use crate::platform::auth::{
    self, Actor, ClientIp, MaybeUser, PageUser, SessionKind, hash_password,
};
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::page::{PageError, carrying_next, local_next, safe_next};
use crate::regions::picker::{self, Picker, PickerInput};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/home.html")]
pub struct HomePage {
    me: Option<Actor>,
    city_count: usize,
    county_count: usize,
    cities: Vec<String>,
    /// The newest published listings, as cards.
    latest: Vec<Line>,
}

pub async fn home(State(app): State<AppState>, MaybeUser(me): MaybeUser) -> HomePage {
    // The home page still opens when the listings cannot be read; the failure is logged.
    let latest = match latest::latest_published(&app.db, latest::SHOWN).await {
        Ok(rows) => rows.into_iter().map(|row| Line::new(&app, row)).collect(),
        Err(error) => {
            AppError::from(error).log_if_internal();
            Vec::new()
        }
    };
    let sichuan = app.regions.find("51");
    let cities = sichuan
        .map(|p| app.regions.children(Some(&p.code)))
        .unwrap_or_default();
    let county_count = cities
        .iter()
        .map(|c| app.regions.children(Some(&c.code)).len())
        .sum();
    HomePage {
        me,
        city_count: cities.len(),
        county_count,
        cities: cities.iter().map(|c| c.name.clone()).collect(),
        latest,
    }
}

/// What the registration form holds, kept whole when it comes back with errors.
#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    role: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
    #[serde(default)]
    province: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    county: String,
    /// Optional: a township (乡镇/街道) of the county.
    #[serde(default)]
    township: String,
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    org_type: String,
    #[serde(default)]
    credit_code: String,
    #[serde(default)]
    audience: String,
    /// Separated by commas or spaces.
    #[serde(default)]
    interests: String,
    #[serde(default)]
    sms_code: String,
    /// The consent checkbox: present (`1`) when ticked.
    #[serde(default)]
    agree: String,
    /// `sent` when `/phone-codes` sent the visitor back (no JavaScript).
    code: Option<String>,
    /// Where the visitor was going when asked to sign in (a scanned check-in code): kept in a
    /// hidden field and followed after registering, when it is a path on this site.
    next: Option<String>,
}

impl RegisterForm {
    fn picker_input(&self) -> PickerInput {
        PickerInput {
            province: self.province.clone(),
            city: self.city.clone(),
            county: self.county.clone(),
            township: self.township.clone(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/register.html")]
pub struct RegisterPage {
    me: Option<Actor>,
    form: RegisterForm,
    errors: FieldErrors,
    picker: Picker,
    roles: &'static [Role],
    org_types: &'static [OrgType],
    audiences: [crate::kepu::audience::Audience; 5],
    verify_phone: bool,
    notice: Option<&'static str>,
    /// The local `next` the form carries, if any.
    next: Option<String>,
}

impl RegisterPage {
    /// 已有账号？登录, keeping `next`.
    fn login_href(&self) -> String {
        carrying_next("/login", self.next.as_deref().unwrap_or_default())
    }
}

fn register_page(
    app: &AppState,
    me: Option<Actor>,
    form: RegisterForm,
    errors: FieldErrors,
) -> RegisterPage {
    let picker = Picker::new(
        &app.regions,
        &form.picker_input(),
        errors.get("region_code").map(str::to_owned),
    );
    RegisterPage {
        me,
        errors,
        picker,
        roles: Role::SELF_REGISTERED,
        org_types: OrgType::ALL,
        audiences: crate::kepu::audience::Audience::ALL,
        verify_phone: app.config.verify_phone,
        notice: phone_codes::pages::code_notice(form.code.as_deref()),
        next: local_next(form.next.as_deref()),
        form,
    }
}

pub async fn register_form(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(form): Query<RegisterForm>,
) -> RegisterPage {
    register_page(&app, me, form, FieldErrors::new())
}

pub async fn register_submit(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Form(form): Form<RegisterForm>,
) -> Result<Response, PageError> {
    let sms_code = Some(form.sms_code.clone()).filter(|c| !c.trim().is_empty());
    let mut errors = phone_codes::registration::expect_code(&app, sms_code.as_deref());
    if form.password != form.password_confirm {
        errors.add("password_confirm", "两次输入的密码不一致");
    }
    let region = picker::resolve(&app.regions, &form.picker_input(), &mut errors);
    let request = RegisterRequest {
        role: form.role.clone(),
        phone: form.phone.clone(),
        password: form.password.clone(),
        name: form.name.clone(),
        region_code: region.map(|r| r.to_string()).unwrap_or_default(),
        org: (form.role == "org").then(|| OrgRequest {
            name: form.org_name.clone(),
            credit_code: form.credit_code.clone(),
            org_type: form.org_type.clone(),
        }),
        audience: Some(form.audience.clone()).filter(|a| !a.is_empty()),
        interests: form
            .interests
            .split([',', '，', ' ', '、'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        sms_code: sms_code.clone(),
        // The form requires consent (the API only records it when sent).
        accepted_terms: Some(!form.agree.is_empty()),
    };
    let account = match register::validate(&app.regions, &request, errors) {
        Ok(account) => account,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                register_page(&app, me, form, errors),
            )
                .into_response());
        }
    };
    if let Err(refusal) =
        phone_codes::registration::redeem(&app, &account.phone, sms_code.as_deref()).await
    {
        let AppError::Validation(errors) = refusal else {
            return Err(refusal.into());
        };
        let page = register_page(&app, me, form, errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let hash = hash_password(account.password.expose().to_owned()).await?;
    let id = match store::register(&app.db, &account, &hash, app.clock.now()).await {
        Ok(id) => id,
        Err(AppError::Conflict { fields, .. }) => {
            return Ok(
                (StatusCode::CONFLICT, register_page(&app, me, form, fields)).into_response(),
            );
        }
        Err(other) => return Err(other.into()),
    };
    let token = auth::create_session(&app.db, id, SessionKind::Cookie, app.clock.now()).await?;
    // Where they were going (by the login's rule: never off this site), else the welcome.
    let to = local_next(form.next.as_deref()).unwrap_or_else(|| "/me?welcome=1".to_owned());
    Ok((
        [(
            SET_COOKIE,
            // Someone registering is never staff: a resident's page session.
            auth::session_cookie_for(
                &app.config.sessions,
                false,
                &token,
                app.config.secure_cookies,
            ),
        )],
        Redirect::to(&to),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
    /// Signing in with a code sent to the phone instead of the password.
    #[serde(default)]
    sms_code: String,
    next: Option<String>,
    /// Set by the redirect of a session that timed out.
    expired: Option<String>,
    /// Set after a password reset.
    reset: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/login.html")]
pub struct LoginPage {
    me: Option<Actor>,
    phone: String,
    next: String,
    error: Option<String>,
    reset: bool,
}

impl LoginPage {
    /// `/register` (or `/login/code`) carrying `next`, so the link scanned is not lost.
    fn with_next(&self, path: &str) -> String {
        carrying_next(path, &self.next)
    }
}

pub async fn login_form(MaybeUser(me): MaybeUser, Query(form): Query<LoginForm>) -> LoginPage {
    LoginPage {
        me,
        next: safe_next(form.next.as_deref()),
        error: form.expired.map(|_| "登录已超时，请重新登录".to_owned()),
        reset: form.reset.is_some(),
        phone: form.phone,
    }
}

pub async fn login_submit(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    origin: SessionOrigin,
    headers: axum::http::HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_next(form.next.as_deref());
    let presented = login_guard::device::from_cookie(&headers);
    let outcome = if form.sms_code.trim().is_empty() {
        login::authenticate(
            &app,
            &form.phone,
            &form.password,
            ip.as_deref(),
            presented.as_deref(),
        )
        .await
    } else {
        login_guard::sign_in_with_code(&app, &form.phone, &form.sms_code, ip.as_deref()).await
    };
    // The password (or phone code) was right: this browser is the account's known device from
    // now on, whatever the second factor says.
    let device = match &outcome {
        Ok(id) => Some(
            login_guard::device::remember(&app.db, *id, presented.as_deref(), app.clock.now())
                .await
                .map_err(AppError::from)?,
        ),
        Err(_) => None,
    };
    // A right password (or phone code) may still need a second factor: that step answers here.
    let outcome = match outcome {
        Ok(id) => totp::login::after_password(&app, id, &next, &origin).await,
        Err(refusal) => Err(refusal),
    };
    match outcome {
        Ok(mut response) => {
            if let Some(token) = device {
                response
                    .headers_mut()
                    .append(SET_COOKIE, login_guard::device::cookie(&token));
            }
            Ok(response)
        }
        Err(AppError::Internal(cause)) => Err(AppError::Internal(cause).into()),
        Err(refusal) => {
            let message = refusal
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| refusal.to_string());
            let page = LoginPage {
                me: None,
                phone: form.phone,
                next,
                error: Some(message),
                reset: false,
            };
            let mut response = (refusal.status(), page).into_response();
            refusal.add_retry_after(&mut response);
            Ok(response)
        }
    }
}

pub async fn logout(
    State(app): State<AppState>,
    request: axum::extract::Request,
) -> Result<Response, PageError> {
    let (parts, _) = request.into_parts();
    if let Some(token) = auth::request_token(&parts) {
        auth::end_session(&app.db, &token).await?;
    }
    Ok(([(SET_COOKIE, auth::clear_cookie())], Redirect::to("/")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct MeQuery {
    welcome: Option<String>,
    /// Set after `/me/edit` saved.
    saved: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/me.html")]
pub struct MePage {
    me: Option<Actor>,
    profile: MeView,
    department_label: Option<&'static str>,
    registered_at: String,
    is_staff: bool,
    welcome: bool,
    saved: bool,
    /// What a newly registered person does next, by role: (href, label), the first the main one.
    next_steps: Vec<(&'static str, &'static str)>,
}

/// The obvious next steps after registering: an organisation posts a need, a scientist opens a
/// studio and lists what they can do, everyone else reads 科普 and asks.
fn next_steps(role: Role) -> Vec<(&'static str, &'static str)> {
    match role {
        Role::Org => vec![
            ("/me/listings/new?kind=need", "发布需求"),
            ("/market?kind=offer", "找专家与技术"),
        ],
        Role::Worker => vec![
            ("/me/studio", "开设工作室"),
            ("/me/listings/new?kind=offer", "发布科技所能"),
            ("/market?kind=need", "看看企业需求"),
        ],
        _ => vec![("/kepu", "看科普"), ("/kepu/questions", "向专家提问")],
    }
}

pub async fn me(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(query): Query<MeQuery>,
) -> Result<MePage, PageError> {
    let profile = me_view(&app, actor.id)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    Ok(MePage {
        department_label: actor.department.map(|d| d.label()),
        registered_at: shanghai(profile.created_at),
        is_staff: actor.is_staff(),
        welcome: query.welcome.is_some(),
        saved: query.saved.is_some(),
        next_steps: if query.welcome.is_some() {
            next_steps(actor.role)
        } else {
            Vec::new()
        },
        profile,
        me: Some(actor),
    })
}
