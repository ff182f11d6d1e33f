//! Figures (数据统计): `GET /api/v1/fairs/{id}/stats` for everyone; the report page and its Excel
//! export for staff — collected and selected projects by category, city and sector, meetings,
//! interest and attendance, deals signed and their amounts (from the ledger), and the six-month
//! outcomes by city. Grouped queries only, whatever the number of halls.

pub mod api;
pub mod pages;
pub mod service;
pub mod store;
pub mod xlsx;

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/fairs/{id}/stats", get(api::get))
        .route("/fairs/{id}/report", get(pages::report))
        .route("/fairs/{id}/report.xlsx", get(pages::export))
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    StatsApi::openapi()
}

#[derive(OpenApi)]
#[openapi(paths(api::get))]
struct StatsApi;
