use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::accounts::sessions::api::ApiSession;
use crate::platform::api::ApiJson;
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    #[serde(default)]
    #[schema(min_length = 1, required = true)]
    pub current_password: String,
    /// 8 to 64 characters with at least one letter and one digit, not the current password.
    #[serde(default)]
    #[schema(min_length = 8, max_length = 64, required = true)]
    pub new_password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordChanged {
    /// How many other sessions (browsers, API tokens) were ended; this one stays.
    pub ended_sessions: u64,
}

/// Change one's password: the current one must be right; every other session ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", request_body = PasswordChange,
    responses((status = 200, body = PasswordChanged), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn change(
    State(app): State<AppState>,
    me: ApiSession,
    ApiJson(request): ApiJson<PasswordChange>,
) -> Result<Json<PasswordChanged>, AppError> {
    let ended = super::change(&app, &me, &request.current_password, &request.new_password).await?;
    Ok(Json(PasswordChanged {
        ended_sessions: ended,
    }))
}
