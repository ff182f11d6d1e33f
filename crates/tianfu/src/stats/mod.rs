//! Figures from the ledger (统计): a region's metrics for a period (its whole subtree), the same
//! for each child region ranked by one metric, and the ledger rows behind any figure. Read from
//! the daily rollups (`ledger/rollup.rs`); the definitions live in `ledger/catalogue.rs`.

pub mod api;
pub mod bench;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/stats/metrics", get(api::metrics))
        .route("/api/v1/stats/regions/{code}", get(api::region))
        .route("/api/v1/stats/regions/{code}/children", get(api::children))
        .route("/api/v1/stats/regions/{code}/events", get(api::events))
        .route("/admin/stats", get(pages::overview))
        .route("/admin/stats/events", get(pages::events))
}
