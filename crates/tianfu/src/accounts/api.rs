use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use tianfu_domain::{Department, OrgType, Role, UserId};
use utoipa::ToSchema;

use super::register::{self, RegisterRequest};
use super::totp::gate::{self, SessionOrigin};
use super::{login, login_guard, phone_codes, store};
use crate::AppState;
use crate::platform::api::ApiJson;
use crate::platform::auth::{self, ApiUser, ClientIp, SessionKind, hash_password};
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredUser {
    pub id: i64,
    pub role: String,
    pub region_code: String,
}

/// Register a scientist, organisation, member of the public or volunteer.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = RegisteredUser), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "注册过于频繁，见 Retry-After")))]
pub async fn register(
    State(app): State<AppState>,
    ApiJson(request): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<RegisteredUser>), AppError> {
    let errors = phone_codes::registration::expect_code(&app, request.sms_code.as_deref());
    let account = register::validate(&app.regions, &request, errors)?;
    phone_codes::registration::redeem(&app, &account.phone, request.sms_code.as_deref()).await?;
    let hash = hash_password(account.password.expose().to_owned()).await?;
    let id = store::register(&app.db, &account, &hash, app.clock.now()).await?;
    tracing::info!(user_id = id.0, role = account.role.as_str(), "registered");
    Ok((
        StatusCode::CREATED,
        Json(RegisteredUser {
            id: id.0,
            role: account.role.to_string(),
            region_code: account.region.to_string(),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Mainland mobile number (11 digits starting 1[3-9], optionally after +86).
    #[serde(default)]
    #[schema(pattern = r"^(\+?86)?1[3-9][0-9]{9}$", required = true)]
    pub phone: String,
    /// Required unless `sms_code` is given.
    #[serde(default)]
    pub password: String,
    /// The 6-digit code of the authenticator app, for accounts that have enrolled one (see the
    /// 401 codes `totp_required` and `totp_invalid`).
    #[serde(default)]
    pub totp_code: Option<String>,
    /// Instead of the password: a code sent to the phone with purpose `login`.
    pub sms_code: Option<String>,
    /// The `device_token` an earlier login of this account returned to this install: attempts
    /// with it are counted against this device, not the account, so strangers' wrong passwords
    /// do not make its owner wait.
    pub device_token: Option<String>,
}

crate::platform::openapi::wire_enum!(
    /// The roles one may register as.
    SelfRole,
    vec!["worker".into(), "org".into(), "public".into(), "volunteer".into()]
);
crate::platform::openapi::wire_enum!(
    /// An organisation's type.
    OrgTypeName,
    crate::platform::openapi::wire_names(OrgType::ALL, OrgType::as_str, false)
);

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; valid for 30 days (staff and administrators: 12
    /// hours) or until logout, and ends sooner when unused for 3 days (staff: 30 minutes).
    pub token: String,
    pub user: MeView,
    /// Keep it on this install and send it with later logins (`device_token`): this device is
    /// then not held up by the delays strangers' wrong passwords put on the account.
    pub device_token: String,
}

/// Log in with phone and password (or a code sent to the phone) and get a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody), (status = 423, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "尝试过于频繁或需等待（连续输错密码后），见 Retry-After")))]
pub async fn login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    origin: SessionOrigin,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, AppError> {
    let id = match request.sms_code.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(code) => {
            login_guard::sign_in_with_code(&app, &request.phone, code, ip.as_deref()).await?
        }
        None if request.password.is_empty() => {
            return Err(AppError::validation("password", "请输入密码或短信验证码"));
        }
        None => {
            login::authenticate(
                &app,
                &request.phone,
                &request.password,
                ip.as_deref(),
                request.device_token.as_deref(),
            )
            .await?
        }
    };
    // A code sent to the phone stands in for the password, never for the second factor.
    gate::after_password(&app, id, request.totp_code.as_deref(), ip.as_deref())
        .await?
        .into_api_result()?;
    let device_token = login_guard::device::remember(
        &app.db,
        id,
        request.device_token.as_deref(),
        app.clock.now(),
    )
    .await?;
    let token = gate::start(&app, id, SessionKind::Bearer, &origin).await?;
    let user = me_view(&app, id).await?;
    Ok(Json(LoginResponse {
        token,
        user,
        device_token,
    }))
}

/// End the session of the bearer token sent.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts",
    responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn logout(
    State(app): State<AppState>,
    ApiUser(_): ApiUser,
    headers: HeaderMap,
) -> Result<StatusCode, AppError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(AppError::unauthorized)?;
    auth::end_session(&app.db, token.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub id: i64,
    pub role: String,
    /// The role in Chinese, e.g. 科技工作者.
    pub role_label: String,
    pub name: String,
    pub phone: String,
    pub region_code: String,
    /// e.g. "四川省 内江市 东兴区".
    pub region_name: String,
    /// Staff only: worker, org or kepu.
    pub department: Option<String>,
    pub org: Option<OrgView>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgView {
    pub name: String,
    pub credit_code: String,
    pub org_type: String,
    pub org_type_label: String,
}

pub async fn me_view(app: &AppState, id: UserId) -> Result<MeView, AppError> {
    let profile = store::profile(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("用户"))?;
    let region_name = app.regions.full_name_of(&profile.region_code);
    let org = match (profile.org_name, profile.credit_code, profile.org_type) {
        (Some(name), Some(credit_code), Some(org_type)) => Some(OrgView {
            org_type_label: OrgType::parse(&org_type)
                .map(|t| t.label().to_owned())
                .unwrap_or_default(),
            name,
            credit_code,
            org_type,
        }),
        _ => None,
    };
    Ok(MeView {
        id: profile.id,
        role_label: Role::parse(&profile.role)
            .map(|r| r.label().to_owned())
            .unwrap_or_default(),
        role: profile.role,
        name: profile.name,
        phone: profile.phone,
        region_code: profile.region_code,
        region_name,
        department: profile.department.filter(|d| Department::parse(d).is_ok()),
        org,
        created_at: profile.created_at,
    })
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn me(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<MeView>, AppError> {
    Ok(Json(me_view(&app, actor.id).await?))
}
