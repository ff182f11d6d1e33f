//! 智慧科普传播员 (科普员): residents and volunteers whom 全民科普服务部 staff appoint for a
//! township (乡镇/街道, and optionally one village in it). Each carries a short share code; a
//! resource read through a link with `?from=<code>` is attributed to them once the booking job
//! has counted it (deduplicated like every view, the 科普员's own reads left out). They report
//! the offline activities they hold, which the region's staff confirm; the county sees which
//! townships have a 科普员 and which have none.
//!
//! - `service`: who may appoint, see and revoke (department and region subtree), and the acts.
//! - `store`: the appointment rows (one per person: appoint, revoke, appoint again).
//! - `reach`: reads through a 科普员's links, all time and this month, and what they shared most.
//! - `reports`: offline activities reported, confirmed or rejected (rows); `report_service`: the acts.
//! - `coverage`: townships with and without a 科普员, by county; `coverage_map`: the same added
//!   up by child region (cities, counties) for the map and the province's table.
//! - `share`: share links and their QR images.
//! - `api`, `report_api`: `/api/v1/kepu/sharers…`; `pages` (`/me/sharer`); `admin_pages`,
//!   `coverage_pages`, `report_pages` (`/admin/kepu/sharers…`).

pub mod admin_pages;
pub mod api;
pub mod coverage;
pub mod coverage_map;
pub mod coverage_pages;
pub mod pages;
pub mod reach;
pub mod report_api;
pub mod report_pages;
pub mod report_service;
pub mod reports;
pub mod service;
pub mod share;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kepu/sharers", get(api::list).post(api::appoint))
        .route("/api/v1/kepu/sharers/me", get(api::me))
        .route("/api/v1/kepu/sharers/coverage", get(api::coverage))
        .route("/api/v1/kepu/sharers/{id}", get(api::get))
        .route("/api/v1/kepu/sharers/{id}/revoke", post(api::revoke))
        .route(
            "/api/v1/kepu/sharers/me/reports",
            get(report_api::mine).post(report_api::create),
        )
        .route("/api/v1/kepu/sharers/reports", get(report_api::list))
        .route(
            "/api/v1/kepu/sharers/reports/{id}/review",
            post(report_api::review),
        )
        .route("/me/sharer", get(pages::dashboard))
        .route("/me/sharer/reports", post(pages::report))
        .route("/me/sharer/qr.svg", get(pages::qr))
        .route(
            "/admin/kepu/sharers",
            get(admin_pages::list).post(admin_pages::appoint),
        )
        .route("/admin/kepu/sharers/{id}/revoke", post(admin_pages::revoke))
        .route(
            "/admin/kepu/sharers/coverage",
            get(coverage_pages::coverage),
        )
        .route("/admin/kepu/sharers/reports", get(report_pages::reports))
        .route(
            "/admin/kepu/sharers/reports/{id}/review",
            post(report_pages::review),
        )
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    SharerApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::appoint,
        api::list,
        api::me,
        api::get,
        api::revoke,
        api::coverage,
        report_api::create,
        report_api::mine,
        report_api::list,
        report_api::review,
    ),
    components(schemas(
        api::AppointRequest,
        api::TownshipCode,
        api::SharerStatusFilter,
        service::SharerView,
        service::SharerDetail,
        reach::Reach,
        reach::Figures,
        reach::SharedResource,
        coverage::CoverageView,
        coverage::CountyCoverage,
        coverage::TownshipCoverage,
        report_api::ReportRequest,
        report_api::ReviewRequest,
        report_api::SharerReportStatusFilter,
        report_api::SharerReportDecision,
        reports::ReportView,
        reports::OfflineTotals,
    ))
)]
struct SharerApi;
