//! Signing (签约): a deal made at the fair names its edition (and session) — `POST /api/v1/deals`
//! with `fair_id`, checked in `service::check_deal` — and every ledger row of it carries
//! `fair:<id>`; the collective-signing list with its totals by category, city (hall) and sector
//! (industry), read from the ledger so that a large deal counts once verified and a termination
//! takes it back.

pub mod api;
pub mod pages;
pub mod service;
pub mod store;

use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/fairs/{id}/signings", get(api::list))
        .route("/fairs/{id}/signing", get(pages::list))
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    SigningApi::openapi()
}

#[derive(OpenApi)]
#[openapi(paths(api::list))]
struct SigningApi;
