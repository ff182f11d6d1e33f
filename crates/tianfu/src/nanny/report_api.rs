//! The nanny service's figures over the API (`GET /api/v1/tickets/report`), and the region and
//! period they are for, read the same way by the report page.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::report::{self, Period, Report};
use super::ticket_query::{TicketQuery, filter_for};
use crate::AppState;
use crate::platform::api::ApiQuery;
use crate::platform::auth::{ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope::RegionScope;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFormat>)]
    pub region_code: Option<String>,
    /// YYYY-MM-DD, Beijing time, 2000 to 2100; default the first of this month.
    #[param(value_type = Option<crate::market::api::Deadline>)]
    pub from: Option<String>,
    /// YYYY-MM-DD inclusive, not before `from`; default today.
    #[param(value_type = Option<crate::market::api::Deadline>)]
    pub to: Option<String>,
}

/// Resolves the report's region inside the actor's scope.
pub async fn report_for(
    app: &crate::App,
    actor: &crate::platform::auth::Actor,
    query: &ReportQuery,
    ip: Option<&str>,
) -> Result<Report, AppError> {
    let ticket_query = TicketQuery {
        region_code: query.region_code.clone(),
        ..Default::default()
    };
    let filter = filter_for(app, actor, &ticket_query, ip).await?;
    let period = Period::parse(
        query.from.as_deref(),
        query.to.as_deref(),
        app.clock.now(),
        crate::platform::period::Since::MonthStart,
    )?;
    report::build(app, &filter.scope.unwrap_or(RegionScope::All), period).await
}

/// The nanny service's figures for a region and period, with a line per nanny.
#[utoipa::path(get, path = "/api/v1/tickets/report", tag = "nanny", params(ReportQuery),
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn report(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<Report>, AppError> {
    Ok(Json(report_for(&app, &actor, &query, ip.as_deref()).await?))
}
