//! `GET /api/v1/stats/…`: figures, rankings and the ledger rows behind them.

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, RegionFigures};
use crate::AppState;
use crate::ledger::LedgerRow;
use crate::ledger::catalogue::{METRICS, MetricInfo};
use crate::ledger::rollup;
use crate::platform::api::{ApiQuery, Paging};
use crate::platform::auth::{ApiMaybeUser, ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

crate::platform::openapi::wire_enum!(
    /// A metric's name (see /api/v1/stats/metrics).
    MetricName,
    METRICS.iter().map(|m| m.name.to_owned()).collect()
);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day (YYYY-MM-DD, Beijing time, 2000 to 2100); 1 January of this year when absent.
    #[param(value_type = Option<crate::market::api::Deadline>)]
    pub from: Option<String>,
    /// Last day, inclusive, not before `from`; today when absent.
    #[param(value_type = Option<crate::market::api::Deadline>)]
    pub to: Option<String>,
}

/// The metrics every figure is one of, with the events they count.
#[utoipa::path(get, path = "/api/v1/stats/metrics", tag = "stats", responses((status = 200, body = Vec<MetricInfo>)))]
pub async fn metrics() -> Json<Vec<MetricInfo>> {
    Json(METRICS.iter().map(MetricInfo::from).collect())
}

/// A region's figures for a period, its whole subtree counted. The province's are public; other
/// regions' are for the staff whose region covers them.
#[utoipa::path(get, path = "/api/v1/stats/regions/{code}", tag = "stats", params(("code" = crate::platform::openapi::RegionCodeFormat, Path), PeriodQuery),
    responses((status = 200, body = RegionFigures), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security((), ("bearer" = [])))]
pub async fn region(
    State(app): State<AppState>,
    ApiMaybeUser(actor): ApiMaybeUser,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> Result<Json<RegionFigures>, AppError> {
    let period = service::period(query.from.as_deref(), query.to.as_deref(), app.clock.now())?;
    let region = service::readable(&app, actor.as_ref(), &code, false, ip.as_deref()).await?;
    Ok(Json(service::figures(&app, &region, period).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChildrenQuery {
    /// First day (YYYY-MM-DD, Beijing time, 2000 to 2100); 1 January of this year when absent.
    #[param(value_type = Option<crate::market::api::Deadline>)]
    pub from: Option<String>,
    /// Last day, inclusive, not before `from`; today when absent.
    #[param(value_type = Option<crate::market::api::Deadline>)]
    pub to: Option<String>,
    /// The metric to rank by; deals_signed when absent.
    #[param(value_type = Option<MetricName>)]
    pub metric: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChildrenFigures {
    pub region_code: String,
    pub region_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub metric: &'static str,
    /// Every child region, best first by `metric`.
    pub items: Vec<RegionFigures>,
}

/// Each child region's figures, ranked by one metric (staff of the region and above). A
/// county's children are its townships (乡镇/街道); what was booked at the county itself (people
/// who named no township) counts in the county's own figures only, so the children may add up
/// to less than the county, as a city's counties may to less than the city.
#[utoipa::path(get, path = "/api/v1/stats/regions/{code}/children", tag = "stats", params(("code" = crate::platform::openapi::RegionCodeFormat, Path), ChildrenQuery),
    responses((status = 200, body = ChildrenFigures), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn children(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<ChildrenQuery>,
) -> Result<Json<ChildrenFigures>, AppError> {
    let period = service::period(query.from.as_deref(), query.to.as_deref(), app.clock.now())?;
    let metric = service::metric(query.metric.as_deref(), "deals_signed")?;
    let region = service::readable(&app, Some(&actor), &code, true, ip.as_deref()).await?;
    Ok(Json(ChildrenFigures {
        region_code: region.to_string(),
        region_name: app.regions.full_name(&region),
        from: period.from,
        to: period.to,
        metric: metric.name,
        items: service::children(&app, &region, period, metric).await?,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// The metric whose rows to list (see /api/v1/stats/metrics).
    #[param(value_type = MetricName, required = true)]
    pub metric: Option<String>,
    /// First day (YYYY-MM-DD, Beijing time, 2000 to 2100); 1 January of this year when absent.
    #[param(value_type = Option<crate::market::api::Deadline>)]
    pub from: Option<String>,
    /// Last day, inclusive, not before `from`; today when absent.
    #[param(value_type = Option<crate::market::api::Deadline>)]
    pub to: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Evidence {
    pub metric: &'static str,
    /// The figure these rows make: for a count, the sum of their weights (equal to `total`
    /// unless a compensating row of weight -1 is among them).
    #[serde(serialize_with = "service::figure_as_number")]
    pub figure: f64,
    pub items: Vec<LedgerRow>,
    pub total: i64,
}

/// The ledger rows behind one figure of a region's subtree, oldest first (staff only).
#[utoipa::path(get, path = "/api/v1/stats/regions/{code}/events", tag = "stats", params(("code" = crate::platform::openapi::RegionCodeFormat, Path), EventsQuery),
    responses((status = 200, body = Evidence), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn events(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Json<Evidence>, AppError> {
    let period = service::period(query.from.as_deref(), query.to.as_deref(), app.clock.now())?;
    if query.metric.as_deref().is_none_or(|m| m.trim().is_empty()) {
        return Err(AppError::validation(
            "metric",
            "请指明要查看哪一项指标的明细",
        ));
    }
    let metric = service::metric(query.metric.as_deref(), "")?;
    let region = service::readable(&app, Some(&actor), &code, true, ip.as_deref()).await?;
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (items, total) = service::evidence(&app, &region, period, metric, paging).await?;
    let figure = rollup::figure(&app.db, region.as_str(), metric, period.from, period.to).await?;
    Ok(Json(Evidence {
        metric: metric.name,
        figure,
        items,
        total,
    }))
}
