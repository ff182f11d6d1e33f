//! `GET /api/v1/reports`, `GET|POST /api/v1/reports/{region}/{month}`,
//! `POST /api/v1/reports/{region}/{month}/corrections`.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tianfu_domain::RegionCode;
use utoipa::{IntoParams, ToSchema};

use super::model::{MonthlyReport, parse_month};
use super::{ensure_readable, may_correct, service, store};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{Actor, ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope::{self, RegionScope};

/// A month, YYYY-MM (2020–2100).
pub struct ReportMonth;

impl utoipa::PartialSchema for ReportMonth {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::platform::openapi::schema_from_json(serde_json::json!({
            "type": "string", "pattern": "^(20[2-9][0-9]|2100)-(0[1-9]|1[0-2])$",
            "description": "月份，YYYY-MM"
        }))
    }
}

impl utoipa::ToSchema for ReportMonth {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ReportMonth")
    }
}

/// A month filter: YYYY-MM, or empty for every month.
pub struct ReportMonthFilter;

impl utoipa::PartialSchema for ReportMonthFilter {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::platform::openapi::schema_from_json(serde_json::json!({
            "type": "string", "pattern": "^((20[2-9][0-9]|2100)-(0[1-9]|1[0-2]))?$",
            "description": "月份，YYYY-MM；留空为全部月份"
        }))
    }
}

impl utoipa::ToSchema for ReportMonthFilter {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ReportMonthFilter")
    }
}

/// The province (51), one of its cities (4 digits) or counties (6 digits).
pub struct ReportRegion;

impl utoipa::PartialSchema for ReportRegion {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::platform::openapi::schema_from_json(serde_json::json!({
            "type": "string", "pattern": "^51([0-9]{2}([0-9]{2})?)?$",
            "description": "本省、市（州）或区县的行政区划代码"
        }))
    }
}

impl utoipa::ToSchema for ReportRegion {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ReportRegion")
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportListQuery {
    /// Reports of this region and the regions inside it (within my scope).
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFormat>)]
    pub region_code: Option<String>,
    /// Only this month.
    #[param(value_type = Option<ReportMonthFilter>)]
    pub month: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MonthlyReportLine)]
pub struct ReportLine {
    pub region_code: String,
    pub region_name: String,
    pub month: String,
    /// When version 1 was issued.
    pub issued_at: DateTime<Utc>,
    /// The latest version (1 when never corrected).
    pub latest_version: i32,
    pub href: String,
}

/// The scope a list request asks for, inside the caller's.
pub async fn list_scope(
    app: &AppState,
    actor: &Actor,
    region_code: Option<&str>,
    ip: Option<&str>,
) -> Result<RegionScope, AppError> {
    let own = scope::staff_scope(actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let requested = match region_code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => Some(
            RegionCode::parse(code)
                .map_err(|e| AppError::validation("region_code", e.to_string()))?,
        ),
        None => None,
    };
    let narrowed = own.narrow(requested.as_ref());
    scope::ensure(app, actor, narrowed.is_some(), "reports:list", ip).await?;
    Ok(narrowed.unwrap_or(own))
}

pub async fn lines(
    app: &AppState,
    within: &RegionScope,
    month: &str,
    paging: Paging,
) -> Result<ListResponse<ReportLine>, AppError> {
    let (low, high) = match within {
        RegionScope::All => (String::new(), "~".to_owned()),
        RegionScope::Subtree(root) => root.subtree_bounds(),
    };
    let (rows, total) = store::list(
        &app.db,
        (&low, &high),
        month,
        paging.limit(),
        paging.offset(),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|r| ReportLine {
            region_name: app.regions.full_name_of(&r.region_code),
            href: format!("/admin/reports/{}/{}", r.region_code, r.month),
            region_code: r.region_code,
            month: r.month,
            issued_at: r.issued_at,
            latest_version: r.latest,
        })
        .collect();
    Ok(ListResponse { items, total })
}

/// The month filter: empty, or a well-formed month.
pub fn month_filter(month: Option<&str>) -> Result<String, AppError> {
    match month.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => Ok(parse_month(m)?.key()),
        None => Ok(String::new()),
    }
}

/// The reports issued for regions in my scope, newest month first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", params(ReportListQuery),
    responses((status = 200, body = inline(ListResponse<ReportLine>)), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<ReportListQuery>,
) -> Result<Json<ListResponse<ReportLine>>, AppError> {
    let month = month_filter(query.month.as_deref())?;
    let within = list_scope(&app, &actor, query.region_code.as_deref(), ip.as_deref()).await?;
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    Ok(Json(lines(&app, &within, &month, paging).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A version; the latest when absent.
    #[param(minimum = 1, maximum = 1000000)]
    pub version: Option<i32>,
}

fn json_body(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A region's report for a month, exactly as issued (the latest version unless one is named).
#[utoipa::path(get, path = "/api/v1/reports/{region}/{month}", tag = "reports",
    params(("region" = ReportRegion, Path), ("month" = ReportMonth, Path), VersionQuery),
    responses((status = 200, body = MonthlyReport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn report(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath((region, month)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<VersionQuery>,
) -> Result<Response, AppError> {
    let region = service::reported_region(&app, &region)?;
    let month = parse_month(&month)?;
    if query.version.is_some_and(|v| v < 1) {
        return Err(AppError::validation("version", "版本号从1开始"));
    }
    ensure_readable(&app, &actor, &region, ip.as_deref()).await?;
    let body = store::body(&app.db, region.as_str(), &month.key(), query.version)
        .await?
        .ok_or_else(|| AppError::NotFound("该地区该月的月报（或该版本）尚未生成".into()))?;
    Ok(json_body(StatusCode::OK, body))
}

/// Issues version 1 of a missing report of an ended month (staff of the region or above; the
/// job of the 1st issues every region's). An existing report is answered as it is (200).
#[utoipa::path(post, path = "/api/v1/reports/{region}/{month}", tag = "reports",
    params(("region" = ReportRegion, Path), ("month" = ReportMonth, Path)),
    responses((status = 200, body = MonthlyReport), (status = 201, body = MonthlyReport), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn generate(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath((region, month)): ApiPath<(String, String)>,
) -> Result<Response, AppError> {
    let region = service::reported_region(&app, &region)?;
    let month = service::ended_month(&app, &month)?;
    ensure_readable(&app, &actor, &region, ip.as_deref()).await?;
    let (body, created) = service::issue_one(&app, &region, month).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(json_body(status, body))
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = ReportCorrection)]
pub struct CorrectionRequest {
    /// Why the report is corrected (2–500 characters); shown with the version.
    #[schema(min_length = 2, max_length = 500)]
    pub reason: String,
}

/// Issues a corrected version, recomputed from the ledger as it stands, with its reason (the
/// province's staff and the region's own staff). Earlier versions stay as issued.
#[utoipa::path(post, path = "/api/v1/reports/{region}/{month}/corrections", tag = "reports",
    params(("region" = ReportRegion, Path), ("month" = ReportMonth, Path)), request_body = CorrectionRequest,
    responses((status = 201, body = MonthlyReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn correct(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath((region, month)): ApiPath<(String, String)>,
    ApiJson(request): ApiJson<CorrectionRequest>,
) -> Result<Response, AppError> {
    let region = service::reported_region(&app, &region)?;
    let month = parse_month(&month)?;
    let allowed = may_correct(&actor, &region);
    scope::ensure(
        &app,
        &actor,
        allowed,
        &format!("reports:{region}:correct"),
        ip.as_deref(),
    )
    .await?;
    let body = service::correct(&app, &actor, &region, month, &request.reason).await?;
    Ok(json_body(StatusCode::CREATED, body))
}
