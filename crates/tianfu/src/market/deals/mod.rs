//! Deals (交易): a technology contract of one of the four kinds between the side that needs
//! and the side that provides, moved through 意向 → 洽谈 → 签约 → 履约 → 完成 / 终止 by the rules in
//! `tianfu_domain::deal`. Signing, completion and achievement transfers are ledger events.

pub mod api;
pub mod detail;
pub mod pages;
pub mod propose;
pub mod service;
pub mod store;
pub mod upload;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/deals", post(api::create).get(api::list))
        .route("/api/v1/deals/{id}", get(api::get))
        .route("/api/v1/deals/{id}/transition", post(api::transition))
        .route(
            "/api/v1/deals/{id}/undo-termination",
            post(api::undo_termination),
        )
        .route("/me/deals", get(pages::list))
        .route("/me/deals/{id}", get(detail::detail))
        .route("/me/deals/{id}/transition", post(pages::transition))
        .route(
            "/me/deals/{id}/contract",
            post(pages::upload_contract).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route(
            "/me/inquiries/{id}/deal",
            post(propose::propose).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
}

/// A form with a contract file: the file and the form's few fields.
const UPLOAD_LIMIT: usize = crate::market::integrity::contracts::MAX_BYTES + 64 * 1024;
