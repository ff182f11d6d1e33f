//! 月研月报: the monthly report of every region (province, cities, counties) — figures with
//! their change, score and ranking, a line per nanny, a summary — issued on the 1st for the
//! month just ended and kept as issued; a correction is a new version with its reason.

pub mod api;
pub mod build;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
pub mod xlsx;

use axum::Router;
use axum::routing::{get, post};
use tianfu_domain::{RegionCode, Role};
use utoipa::OpenApi;

use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;
use crate::{App, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports", get(api::list))
        .route(
            "/api/v1/reports/{region}/{month}",
            get(api::report).post(api::generate),
        )
        .route(
            "/api/v1/reports/{region}/{month}/corrections",
            post(api::correct),
        )
        .route("/admin/reports", get(pages::list))
        .route("/admin/reports/{region}/{month}", get(pages::report))
        .route(
            "/admin/reports/{region}/{month}/corrections",
            post(pages::correct),
        )
}

#[derive(OpenApi)]
#[openapi(
    paths(api::list, api::report, api::generate, api::correct),
    components(schemas(api::ReportMonth, api::ReportMonthFilter, api::ReportRegion)),
    tags((name = "reports", description = "月研月报：各地区每月的数据、变化、排名与保姆式服务明细，按月生成、留存不变，更正另发新版本"))
)]
struct ReportsApi;

pub fn api_doc() -> utoipa::openapi::OpenApi {
    ReportsApi::openapi()
}

/// May the actor read the reports of `region`? Staff of it or above it (administrators all).
pub async fn ensure_readable(
    app: &App,
    actor: &Actor,
    region: &RegionCode,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let allowed = scope::can_view_region(actor, region);
    scope::ensure(app, actor, allowed, &format!("reports:{region}"), ip).await
}

/// May the actor issue a correction of `region`'s report? The province (its staff and the
/// administrators) and the region's own staff.
pub fn may_correct(actor: &Actor, region: &RegionCode) -> bool {
    actor.role == Role::Admin
        || (actor.role == Role::Staff
            && (actor.region == *region
                || actor.region.as_str() == crate::performance::scores::service::PROVINCE))
}
