//! One error type for the HTTP layer and one JSON envelope:
//! `{"error": {"code", "message", "fields"}}`. A 500 is logged with its cause and shown to the
//! person only as a Chinese apology.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tianfu_domain::FieldErrors;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("请求体格式错误：{0}")]
    BadRequest(String),
    #[error("提交的内容有误，请按提示修改")]
    Validation(FieldErrors),
    #[error("{message}")]
    Conflict {
        message: String,
        fields: FieldErrors,
    },
    #[error("{0}")]
    Unauthorized(String),
    /// A 401 at login when the password was right but the second factor is missing or wrong;
    /// `code` tells programs which (`totp_required`, `totp_invalid`, `totp_enrolment_required`)
    /// and `fields` names `totp_code`.
    #[error("{message}")]
    SecondFactor { code: &'static str, message: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Locked(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    UnsupportedMedia(String),
    /// Over a rate limit or within a sign-in delay (`platform::limits`); answered with
    /// `Retry-After: retry_after`.
    #[error("操作过于频繁，请{retry_after}秒后再试")]
    TooManyRequests { retry_after: u64 },
    #[error("服务器内部错误，请稍后再试")]
    Internal(#[source] anyhow::Error),
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable English code for programs: `bad_request`, `validation`, `conflict`,
    /// `unauthorized` (and at login `totp_required`, `totp_invalid`, `totp_enrolment_required`),
    /// `forbidden`, `not_found`, `locked`, `too_large`, `unsupported_media_type`,
    /// `too_many_requests`, `internal`.
    pub code: &'static str,
    /// A Chinese sentence for the person.
    pub message: String,
    /// Per-field Chinese explanations, keyed by the request's field names.
    pub fields: BTreeMap<String, String>,
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(FieldErrors::single(field, message))
    }

    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what}不存在"))
    }

    pub fn unauthorized() -> Self {
        AppError::Unauthorized("请先登录".into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::Unauthorized(_) | AppError::SecondFactor { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Locked(_) => StatusCode::LOCKED,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMedia(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Validation(_) => "validation",
            AppError::Conflict { .. } => "conflict",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::SecondFactor { code, .. } => code,
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Locked(_) => "locked",
            AppError::TooLarge(_) => "too_large",
            AppError::UnsupportedMedia(_) => "unsupported_media_type",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn fields(&self) -> BTreeMap<String, String> {
        match self {
            AppError::Validation(fields) | AppError::Conflict { fields, .. } => {
                fields.clone().into_map()
            }
            AppError::SecondFactor { message, .. } => {
                BTreeMap::from([("totp_code".to_owned(), message.clone())])
            }
            _ => BTreeMap::new(),
        }
    }

    /// Logs the cause of a server error inside the request's span (which carries the request
    /// id); client errors are the client's business and are not logged as errors.
    pub fn log_if_internal(&self) {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = ?cause, "request failed");
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Validation(errors)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::Internal(error.into())
    }
}

impl From<anyhow::Error> for AppError {
    fn from(error: anyhow::Error) -> Self {
        AppError::Internal(error)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log_if_internal();
        self.envelope()
    }
}

impl AppError {
    fn envelope(&self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.to_string(),
                fields: self.fields(),
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        self.add_retry_after(&mut response);
        response
    }

    /// `Retry-After` on a 429, in seconds.
    pub fn add_retry_after(&self, response: &mut Response) {
        if let AppError::TooManyRequests { retry_after } = self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(*retry_after),
            );
        }
    }
}

/// The answer when a handler panics (the catch-panic layer in `startup::router` calls it): the
/// same 500 envelope as any internal error, never the panic's text. The panic is logged here,
/// inside the request's span, so the log line carries the request id.
pub fn panic_response(payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = payload
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    tracing::error!(panic = %message, "request handler panicked");
    AppError::Internal(anyhow::anyhow!("panic: {message}")).envelope()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .expect("body");
        serde_json::from_slice(&bytes).expect("JSON body")
    }

    #[tokio::test]
    async fn a_panic_is_a_500_in_the_envelope_without_its_text() {
        for payload in [
            Box::new("index out of bounds") as Box<dyn std::any::Any + Send>,
            Box::new(String::from("index out of bounds")),
            Box::new(42_u8),
        ] {
            let response = panic_response(payload);
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let body = body_of(response).await;
            assert_eq!(body["error"]["code"], "internal");
            assert_eq!(body["error"]["message"], "服务器内部错误，请稍后再试");
            assert_eq!(body["error"]["fields"], serde_json::json!({}));
            assert!(!body.to_string().contains("out of bounds"), "{body}");
        }
    }
}
