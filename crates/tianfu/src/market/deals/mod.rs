//! Deals (交易): a technology contract of one of the four kinds between the side that needs
//! and the side that provides, moved through 意向 → 洽谈 → 签约 → 履约 → 完成 / 终止 by the rules in
//! `tianfu_domain::deal`. Signing, completion and achievement transfers are ledger events.

pub mod api;
pub mod pages;
pub mod service;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/deals", post(api::create).get(api::list))
        .route("/api/v1/deals/{id}", get(api::get))
        .route("/api/v1/deals/{id}/transition", post(api::transition))
        .route("/me/deals", get(pages::list))
        .route("/me/deals/{id}/transition", post(pages::transition))
}
