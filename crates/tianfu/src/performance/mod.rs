//! 精准绩效: the province measures every city and county from the ledger — the indicator system
//! of each year, scores and rankings by month, quarter and year, the 通报 of units behind.

pub mod bench;
pub mod dashboard;
pub mod funding;
pub mod indicators;
pub mod measures;
pub mod monthly;
pub mod reports;
pub mod scores;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/indicators/{year}",
            get(indicators::api::get).put(indicators::api::put),
        )
        .route(
            "/api/v1/admin/indicators/{year}/versions",
            get(indicators::api::versions),
        )
        .route("/api/v1/stats/scores/{year}", get(scores::api::scores))
        .route(
            "/api/v1/admin/scores/{year}/publish",
            post(scores::api::publish),
        )
        .route("/admin/performance", get(dashboard::pages::dashboard))
        .route(
            "/admin/indicators/{year}",
            get(indicators::pages::editor).post(indicators::pages::save),
        )
        .route(
            "/admin/performance/regions/{code}",
            get(dashboard::pages::region),
        )
        .route("/press", get(dashboard::press::page))
        .merge(funding::routes())
        .merge(reports::routes())
}

#[derive(OpenApi)]
#[openapi(
    paths(
        indicators::api::get, indicators::api::put, indicators::api::versions,
        scores::api::scores, scores::api::publish,
    ),
    components(schemas(scores::api::ScorePeriodName, scores::api::ScoreLevel)),
    tags((name = "performance", description = "精准绩效：指标体系、各市州与区县的得分、排名与通报"))
)]
struct PerformanceApi;

pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = PerformanceApi::openapi();
    doc.merge(funding::api_doc());
    doc.merge(reports::api_doc());
    doc
}
