//! Figures that resist gaming (精准绩效, issue 13 part 7).
//!
//! - A need that is a near-duplicate of the same account's recent needs, or one of a burst, is
//!   held on submission: it stays pending with the evidence (`listing_holds`), the review queue
//!   shows why, and approving it needs an override reason. It never reaches `listing.published`
//!   (what `needs_published` counts) unless staff approve it.
//! - A deal signed at or above `TIANFU_DEAL_VERIFY_ABOVE_FEN` books `deal.signed_unverified`
//!   instead of `deal.signed`: it counts in `deals_awaiting_verification(_fen)`, not in
//!   `deals_signed`/`deals_amount_fen`, until staff verify its contract (uploaded by the
//!   parties). Verification takes the unverified row back and books `deal.signed`, both dated at
//!   the signing; rejection only takes it back; a termination compensates whichever was booked.
//!   The nanny's tickets close on `deal.signed` only, so a large deal closes them once verified
//!   (dated at the signing), never while its amount is unproven.
//! - `/admin/integrity` and `GET /api/v1/admin/integrity/exclusions` list what is left out and
//!   why, with flagged 科普 views beside them.

pub mod api;
pub mod contracts;
pub mod exclusions;
pub mod pages;
pub mod rules;
pub mod service;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/integrity/exclusions", get(api::list))
        .route("/api/v1/admin/integrity/awaiting", get(api::awaiting))
        .route("/api/v1/admin/integrity/deals/{id}", post(api::decide))
        .route(
            "/api/v1/deals/{id}/contract",
            post(contracts::upload).get(contracts::download),
        )
        .route("/admin/integrity", get(pages::index))
        .route("/admin/integrity/deals/{id}", post(pages::decide))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::list,
        api::awaiting,
        api::decide,
        contracts::upload,
        contracts::download
    ),
    components(schemas(api::ExclusionKindName))
)]
struct IntegrityApi;

pub fn api_doc() -> utoipa::openapi::OpenApi {
    IntegrityApi::openapi()
}
