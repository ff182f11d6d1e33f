use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tianfu_domain::Phone;
use utoipa::ToSchema;

use super::{Purpose, SENT};
use crate::AppState;
use crate::platform::api::ApiJson;
use crate::platform::auth::ClientIp;
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneCodeRequest {
    /// Mainland mobile number.
    #[serde(default)]
    #[schema(pattern = r"^(\+?86)?1[3-9][0-9]{9}$", required = true)]
    pub phone: String,
    #[serde(default)]
    #[schema(value_type = CodePurpose, required = true)]
    pub purpose: String,
}

crate::platform::openapi::wire_enum!(
    /// What a code is for: register（注册）, reset（重置密码）or login（验证码登录）.
    CodePurpose,
    vec!["register".into(), "reset".into(), "login".into()]
);

#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    /// A Chinese sentence for the person.
    pub message: String,
}

/// Send a six-digit code to a phone (valid 10 minutes, once a minute at most). The answer is the
/// same whether or not the phone is registered.
#[utoipa::path(post, path = "/api/v1/auth/phone-codes", tag = "accounts", request_body = PhoneCodeRequest,
    responses((status = 200, body = Message), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "请求过于频繁（同一号码每分钟一次），见 Retry-After")))]
pub async fn send_code(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<PhoneCodeRequest>,
) -> Result<Json<Message>, AppError> {
    let mut errors = tianfu_domain::FieldErrors::new();
    let phone = errors.check("phone", Phone::parse(&request.phone));
    let purpose = match Purpose::parse(&request.purpose) {
        Ok(purpose) => Some(purpose),
        Err(message) => {
            errors.add("purpose", message);
            None
        }
    };
    let (Some(phone), Some(purpose)) = (phone, purpose) else {
        return Err(errors.into());
    };
    super::send(&app, &phone, purpose, ip.as_deref()).await?;
    Ok(Json(Message {
        message: SENT.into(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[serde(default)]
    #[schema(pattern = r"^(\+?86)?1[3-9][0-9]{9}$", required = true)]
    pub phone: String,
    /// The code sent with purpose `reset`.
    #[serde(default)]
    #[schema(required = true)]
    pub sms_code: String,
    /// 8–64 characters with letters and digits.
    #[serde(default)]
    #[schema(required = true)]
    pub new_password: String,
}

/// Set a new password with a code sent to the phone; every session of the account ends.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "accounts", request_body = PasswordResetRequest,
    responses((status = 200, body = Message), (status = 422, body = ErrorBody),
        (status = 429, body = ErrorBody, description = "请求过于频繁，见 Retry-After")))]
pub async fn reset(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<PasswordResetRequest>,
) -> Result<Json<Message>, AppError> {
    super::reset::reset_password(
        &app,
        &request.phone,
        Some(&request.sms_code),
        &request.new_password,
        ip.as_deref(),
    )
    .await?;
    Ok(Json(Message {
        message: "密码已重置，请用新密码登录".into(),
    }))
}
