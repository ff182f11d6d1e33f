//! `/api/v1/kepu/sharers/me/reports` (a 科普员 reports an offline activity, and lists theirs)
//! and `/api/v1/kepu/sharers/reports` (staff of the region confirm or reject them).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::api::{region_filter, status_filter};
use super::report_service::{self, ReportInput};
use super::reports::ReportView;
use super::service::ensure_kepu_staff;
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiStaff, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = SharerReportRequest)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// What the activity was (讲座、入户宣讲…).
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 60)]
    pub title: String,
    /// The day it was held (Beijing time), not after today.
    #[serde(default)]
    #[schema(required = true, value_type = String, format = Date)]
    pub held_on: String,
    /// Where it was held.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 60)]
    pub place: String,
    /// How many people took part.
    #[serde(default)]
    #[schema(required = true, minimum = 1, maximum = 10000)]
    pub attendance: i64,
    /// Photos uploaded through `POST /api/v1/kepu/media` (images only), by their ids.
    #[serde(default)]
    #[schema(max_items = 9)]
    pub photos: Vec<i64>,
    /// What happened, in a few sentences.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

/// Report an offline activity I held as a 科普员; the region's staff confirm it. Its attendance
/// is shown as reported reach and is not booked into 服务量.
#[utoipa::path(post, path = "/api/v1/kepu/sharers/me/reports", tag = "kepu", request_body = ReportRequest,
    responses((status = 201, body = ReportView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(request): ApiJson<ReportRequest>,
) -> Result<(StatusCode, Json<ReportView>), AppError> {
    let input = ReportInput {
        title: request.title,
        held_on: request.held_on,
        place: request.place,
        attendance: request.attendance,
        photos: request.photos,
        note: request.note,
    };
    let view = report_service::submit(&app, &actor, &input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// My offline activity reports, newest first (404 for someone who was never a 科普员).
#[utoipa::path(get, path = "/api/v1/kepu/sharers/me/reports", tag = "kepu", params(Paging),
    responses((status = 200, body = inline(ListResponse<ReportView>)), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn mine(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<ReportView>>, AppError> {
    let (items, total) = report_service::mine(&app, &actor, paging).await?;
    Ok(Json(ListResponse { items, total }))
}

crate::platform::openapi::wire_enum!(
    /// pending (default), confirmed or rejected.
    SharerReportStatusFilter,
    vec!["".into(), "pending".into(), "confirmed".into(), "rejected".into()]
);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// pending (default), confirmed or rejected.
    #[param(value_type = Option<SharerReportStatusFilter>)]
    pub status: Option<String>,
    /// Only the 科普员 of this region (inside the caller's); empty for the whole of it.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Offline activity reports of the 科普员 in my region, newest first; waiting ones by default.
#[utoipa::path(get, path = "/api/v1/kepu/sharers/reports", tag = "kepu", params(ListQuery),
    responses((status = 200, body = inline(ListResponse<ReportView>)), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ListResponse<ReportView>>, AppError> {
    ensure_kepu_staff(&app, &actor, ip.as_deref()).await?;
    let status = status_filter(
        query.status.as_deref(),
        &["pending", "confirmed", "rejected"],
        "状态只能是 pending、confirmed 或 rejected",
    )?
    .unwrap_or("pending");
    let region = region_filter(&app, query.region_code.as_deref())?;
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (items, total) =
        report_service::in_scope(&app, &actor, region.as_ref(), status, paging, ip.as_deref())
            .await?;
    Ok(Json(ListResponse { items, total }))
}

crate::platform::openapi::wire_enum!(
    /// confirm (确认) or reject (退回).
    SharerReportDecision,
    vec!["confirm".into(), "reject".into()]
);

#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = SharerReportReview)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    #[serde(default)]
    #[schema(value_type = SharerReportDecision, required = true)]
    pub decision: String,
    /// Why it was rejected, told to the 科普员.
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}

/// Confirm or reject a waiting report (409 once it was decided). A confirmation books nothing
/// into 服务量: attendance is reported, not observed by the platform.
#[utoipa::path(post, path = "/api/v1/kepu/sharers/reports/{id}/review", tag = "kepu", params(("id" = i64, Path)),
    request_body = ReviewRequest,
    responses((status = 200, body = ReportView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn review(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ReviewRequest>,
) -> Result<Json<ReportView>, AppError> {
    Ok(Json(
        report_service::review(
            &app,
            &actor,
            id,
            &request.decision,
            request.reason.as_deref(),
            ip.as_deref(),
        )
        .await?,
    ))
}
