//! Request and response plumbing shared by every JSON endpoint: body and query extractors that
//! answer in the error envelope, and the paging contract (`page`, `per_page` ≤ 100,
//! `{items, total}`).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::AppError;

/// `Json<T>` whose rejections (not JSON, wrong shape) use the error envelope.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(AppError::BadRequest(match rejection {
                axum::extract::rejection::JsonRejection::MissingJsonContentType(_) => {
                    "请使用 Content-Type: application/json".into()
                }
                axum::extract::rejection::JsonRejection::JsonSyntaxError(_) => {
                    "不是有效的JSON".into()
                }
                other => format!("字段类型不符（{}）", other.body_text()),
            })),
        }
    }
}

/// `Query<T>` whose rejections use the error envelope.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                AppError::BadRequest(format!("查询参数有误（{}）", rejection.body_text()))
            })
    }
}

pub const MAX_PER_PAGE: u32 = 100;

/// Paging as every list takes it. Out-of-range values are clamped, not refused: a person
/// editing a URL by hand still gets a page.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
pub struct Paging {
    /// 1-based page number.
    pub page: Option<u32>,
    /// Items per page, at most 100 (default 20).
    pub per_page: Option<u32>,
}

impl Paging {
    pub fn page(&self) -> u32 {
        self.page.unwrap_or(1).max(1)
    }

    pub fn per_page(&self) -> u32 {
        self.per_page.unwrap_or(20).clamp(1, MAX_PER_PAGE)
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page() - 1) * i64::from(self.per_page())
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page())
    }
}

/// A page of a list and the size of the whole list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T> {
    pub items: Vec<T>,
    pub total: i64,
}
