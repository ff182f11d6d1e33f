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
///
/// A number with a zero fraction (`1.0`) is read as the integer it equals, as JSON Schema's
/// `integer` type and JSON itself define it; serde alone would refuse it for an integer field.
/// `1.5` for an integer field is still refused.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let rejected = |rejection| {
            AppError::BadRequest(match rejection {
                axum::extract::rejection::JsonRejection::MissingJsonContentType(_) => {
                    "请使用 Content-Type: application/json".into()
                }
                axum::extract::rejection::JsonRejection::JsonSyntaxError(_) => {
                    "不是有效的JSON".into()
                }
                other => format!("字段类型不符（{}）", other.body_text()),
            })
        };
        // A body over the limit (axum's `DefaultBodyLimit`, 2 MB) is a 413, not a shape error.
        let rejected = |rejection: axum::extract::rejection::JsonRejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                super::rejections::too_large()
            } else {
                rejected(rejection)
            }
        };
        let axum::Json(mut value) = axum::Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(rejected)?;
        // Every request body is an object; serde would also read a struct from an array.
        if !value.is_object() {
            return Err(AppError::BadRequest("请求体应为JSON对象".into()));
        }
        integral_floats_to_integers(&mut value);
        // Read from the text again so that a refusal names the field's path, as axum's does.
        let bytes = serde_json::to_vec(&value).map_err(|e| AppError::Internal(e.into()))?;
        axum::Json::<T>::from_bytes(&bytes)
            .map(|axum::Json(value)| ApiJson(value))
            .map_err(rejected)
    }
}

/// Rewrites every number with a zero fraction that fits an `i64` (`3.0`, `-2.0`) as that integer.
fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float >= i64::MIN as f64
                && float < i64::MAX as f64
            {
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// `Path<T>` whose rejections use the error envelope: a segment that is not what the route
/// expects (letters for an id, or a number beyond i64) names nothing, so it is a 404.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|rejection| {
                if rejection.status().is_client_error() {
                    AppError::NotFound("请求的资源不存在".into())
                } else {
                    AppError::Internal(anyhow::anyhow!("path: {}", rejection.body_text()))
                }
            })
    }
}

/// `Query<T>` whose rejections use the error envelope.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let value = axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| ApiQuery(value))
            .map_err(|rejection| {
                AppError::BadRequest(format!("查询参数有误（{}）", rejection.body_text()))
            })?;
        check_paging(&parts.uri)?;
        Ok(value)
    }
}

/// The paging contract for every API list, checked here once for whatever query type the
/// handler reads: `page` in 1..=2147483647 and `per_page` in 1..=100, else a 422 naming the field. (Pages for
/// people clamp instead, see [`Paging::page`].)
fn check_paging(uri: &axum::http::Uri) -> Result<(), AppError> {
    let pairs = axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|axum::extract::Query(pairs)| pairs)
        .unwrap_or_default();
    let mut errors = tianfu_domain::FieldErrors::new();
    for (key, value) in pairs {
        let Ok(number) = value.trim().parse::<i64>() else {
            continue; // Not a number: the typed query decides.
        };
        match key.as_str() {
            "page" if !(1..=MAX_PAGE).contains(&number) => {
                errors.add("page", format!("页码应在1到{MAX_PAGE}之间"))
            }
            "per_page" if !(1..=i64::from(MAX_PER_PAGE)).contains(&number) => {
                errors.add("per_page", format!("每页条数应在1到{MAX_PER_PAGE}之间"))
            }
            _ => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into())
    }
}

pub const MAX_PER_PAGE: u32 = 100;
/// The largest page number, the document's `int32` bound.
pub const MAX_PAGE: i64 = i32::MAX as i64;

/// Paging as every list takes it. The API refuses values out of range (see [`ApiQuery`]);
/// pages clamp them, so a person editing a URL by hand still gets a page.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

impl Paging {
    /// A page's paging: the page asked for, with the number of rows the page itself shows.
    pub fn fixed(page: Option<u32>, per_page: u32) -> Self {
        Paging {
            page,
            per_page: Some(per_page),
        }
    }

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
