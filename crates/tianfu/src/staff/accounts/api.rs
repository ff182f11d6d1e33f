use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use tianfu_domain::UserId;
use utoipa::ToSchema;

use super::store::AccountState;
use crate::AppState;
use crate::platform::api::ApiJson;
use crate::platform::auth::{ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Deserialize, ToSchema)]
pub struct DisableRequest {
    /// Why the account is stopped (kept with it and in the audit log); must not be blank.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S", required = true)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountStatus {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub disabled: bool,
    pub disabled_at: Option<chrono::DateTime<chrono::Utc>>,
    pub disabled_reason: Option<String>,
}

impl From<AccountState> for AccountStatus {
    fn from(state: AccountState) -> Self {
        AccountStatus {
            id: state.id,
            name: state.name,
            role: state.role,
            disabled: state.disabled_at.is_some(),
            disabled_at: state.disabled_at,
            disabled_reason: state.disabled_reason,
        }
    }
}

/// Disable an account (administrators only): its sessions end at once and it cannot log in.
/// 409 when already disabled, or when it is one's own.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/disable", tag = "staff", params(("id" = i64, Path)), request_body = DisableRequest,
    responses((status = 200, body = AccountStatus), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn disable(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<DisableRequest>,
) -> Result<Json<AccountStatus>, AppError> {
    let state = super::disable(&app, &actor, UserId(id), &request.reason, ip.as_deref()).await?;
    Ok(Json(state.into()))
}

/// Enable a disabled account again (administrators only). 409 when it is not disabled.
#[utoipa::path(post, path = "/api/v1/admin/users/{id}/enable", tag = "staff", params(("id" = i64, Path)),
    responses((status = 200, body = AccountStatus), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn enable(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Json<AccountStatus>, AppError> {
    let state = super::enable(&app, &actor, UserId(id), ip.as_deref()).await?;
    Ok(Json(state.into()))
}
