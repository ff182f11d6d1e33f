//! 精准资金分配: a year's pool in fen split among the province's cities, then within a city
//! among its counties — a base share evenly and the rest by score, by a formula shown in words;
//! the amounts add up to the pool exactly, each with its why. A what-if first; a saved
//! allocation is never edited, only superseded; each can be downloaded as Excel.

pub mod api;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;
pub mod xlsx;

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/funding", get(api::list).post(api::allocate))
        .route("/api/v1/admin/funding/{id}", get(api::get))
        .route("/admin/funding", get(pages::index).post(pages::save))
        // `{file}` is an id, or an id with `.xlsx` for the Excel download.
        .route("/admin/funding/{file}", get(pages::detail))
}

#[derive(OpenApi)]
#[openapi(
    paths(api::allocate, api::list, api::get),
    components(schemas(api::FundingFormulaName))
)]
struct FundingApi;

pub fn api_doc() -> utoipa::openapi::OpenApi {
    FundingApi::openapi()
}
