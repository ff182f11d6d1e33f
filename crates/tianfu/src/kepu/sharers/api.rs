//! `/api/v1/kepu/sharers`: appoint, list, revoke, one 科普员, my own record, coverage.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tianfu_domain::RegionCode;
use utoipa::{IntoParams, ToSchema};

use super::coverage::{self, CoverageView};
use super::service::{self, AppointInput, SharerDetail, SharerView};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiStaff, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

/// A township's code (乡镇/街道): the county's six digits and three of its own, as in the
/// platform's region tree.
pub struct TownshipCode;

impl utoipa::PartialSchema for TownshipCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[0-9]{9}$"))
            .description(Some(
                "乡镇（街道）代码：9位数字，须为平台地区树中的乡镇（街道）",
            ))
            .into()
    }
}

impl utoipa::ToSchema for TownshipCode {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("TownshipCode")
    }
}

crate::platform::openapi::wire_enum!(
    /// active (在任) or revoked (已撤销); empty for both.
    SharerStatusFilter,
    vec!["".into(), "active".into(), "revoked".into()]
);

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointRequest {
    /// The person's registered mobile number; give this or `user_id`, not both.
    pub phone: Option<String>,
    /// The person's user id; give this or `phone`, not both.
    pub user_id: Option<i64>,
    /// The township they serve, inside the caller's region.
    #[serde(default)]
    #[schema(value_type = TownshipCode, required = true)]
    pub region_code: String,
    /// The village or community in it they serve, if one.
    #[schema(max_length = 30)]
    pub village: Option<String>,
}

/// Appoint a resident (群众) or volunteer (科技志愿者) registered in the caller's region as the
/// 科普员 of a township in it; they get a share code and are told in the app. A person holds
/// one active appointment (409 otherwise); after a revocation they may be appointed again and
/// keep their code. 全民科普服务部 staff and administrators only.
#[utoipa::path(post, path = "/api/v1/kepu/sharers", tag = "kepu", request_body = AppointRequest,
    responses((status = 201, body = SharerView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn appoint(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<AppointRequest>,
) -> Result<(StatusCode, Json<SharerView>), AppError> {
    let input = AppointInput {
        phone: request.phone,
        user_id: request.user_id,
        region_code: request.region_code,
        village: request.village,
    };
    let view = service::appoint(&app, &actor, &input, ip.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this region's 科普员 (inside the caller's); empty for the whole of it.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    #[param(value_type = Option<SharerStatusFilter>)]
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// An optional region filter: empty for none, else a code of the tree (422 naming the field).
pub fn region_filter(app: &crate::App, text: Option<&str>) -> Result<Option<RegionCode>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(code) => app
            .regions
            .find(code)
            .map(|r| Some(r.code.clone()))
            .ok_or_else(|| AppError::validation("region_code", "地区代码不存在")),
    }
}

/// An optional status filter among `allowed`; empty for none.
pub fn status_filter<'a>(
    text: Option<&'a str>,
    allowed: &[&str],
    message: &str,
) -> Result<Option<&'a str>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(status) if allowed.contains(&status) => Ok(Some(status)),
        Some(_) => Err(AppError::validation("status", message)),
    }
}

/// 科普员 of my region (township by township) with the reads through their links, all time and
/// this month.
#[utoipa::path(get, path = "/api/v1/kepu/sharers", tag = "kepu", params(ListQuery),
    responses((status = 200, body = inline(ListResponse<SharerView>)), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ListResponse<SharerView>>, AppError> {
    service::ensure_kepu_staff(&app, &actor, ip.as_deref()).await?;
    let region = region_filter(&app, query.region_code.as_deref())?;
    let status = status_filter(
        query.status.as_deref(),
        &["active", "revoked"],
        "状态只能是 active（在任）或 revoked（已撤销）",
    )?;
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (items, total) =
        service::list(&app, &actor, region.as_ref(), status, paging, ip.as_deref()).await?;
    Ok(Json(ListResponse { items, total }))
}

/// My own 科普员 record: my share code, the reads through my links, what I shared most and my
/// offline activities. 404 for someone who was never appointed.
#[utoipa::path(get, path = "/api/v1/kepu/sharers/me", tag = "kepu",
    responses((status = 200, body = SharerDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<SharerDetail>, AppError> {
    let (_, detail) = service::mine(&app, &actor).await?;
    Ok(Json(detail))
}

/// One 科普员 with their reach: for 全民科普服务部 staff of their region, and for themself.
#[utoipa::path(get, path = "/api/v1/kepu/sharers/{id}", tag = "kepu", params(("id" = i64, Path)),
    responses((status = 200, body = SharerDetail), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SharerDetail>, AppError> {
    Ok(Json(
        service::detail(&app, &actor, id, ip.as_deref()).await?,
    ))
}

/// Revoke an appointment (409 if it is not active). Links already handed out keep working for
/// readers and keep counting to the person's reach (they came through their shares); appointed
/// again, the person keeps the same code.
#[utoipa::path(post, path = "/api/v1/kepu/sharers/{id}/revoke", tag = "kepu", params(("id" = i64, Path)),
    responses((status = 200, body = SharerView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn revoke(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SharerView>, AppError> {
    Ok(Json(
        service::revoke(&app, &actor, id, ip.as_deref()).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// The region to look at (inside the caller's); empty for the caller's own.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
}

/// Which townships of a region have an active 科普员 and which have none, county by county.
#[utoipa::path(get, path = "/api/v1/kepu/sharers/coverage", tag = "kepu", params(CoverageQuery),
    responses((status = 200, body = CoverageView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn coverage(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<CoverageQuery>,
) -> Result<Json<CoverageView>, AppError> {
    Ok(Json(
        coverage::of_region(&app, &actor, query.region_code.as_deref(), ip.as_deref()).await?,
    ))
}
