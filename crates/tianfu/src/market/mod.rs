//! The technology market (科技市场): studios, capabilities (科技所能), achievements (科技成果)
//! and needs (科技所需); staff review before publication.

pub mod api;
pub mod deals;
pub mod indexer;
pub mod inquiries;
pub mod integrity;
pub mod latest;
pub mod listing;
pub mod pages;
pub mod patch;
pub mod review;
pub mod sanitize;
pub mod search;
pub mod service;
pub mod store;
pub mod studios;
pub mod suggestion;
pub mod undo;
pub mod view;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/offers",
            post(api::create_offer).get(api::list_offers),
        )
        .route(
            "/api/v1/offers/{id}",
            get(api::get_offer).patch(api::patch_offer),
        )
        .route(
            "/api/v1/achievements",
            post(api::create_achievement).get(api::list_achievements),
        )
        .route(
            "/api/v1/achievements/{id}",
            get(api::get_achievement).patch(api::patch_achievement),
        )
        .route("/api/v1/needs", post(api::create_need).get(api::list_needs))
        .route(
            "/api/v1/needs/{id}",
            get(api::get_need).patch(api::patch_need),
        )
        .route("/api/v1/me/listings", get(api::my_listings))
        .route(
            "/api/v1/studios",
            post(studios::api::create).get(studios::api::list),
        )
        .route("/api/v1/studios/{id}", get(studios::api::get))
        .route("/api/v1/search", get(search::api))
        .route("/search", get(search::page))
        .route("/api/v1/admin/reviews", get(review::queue))
        .route("/api/v1/admin/reviews/{kind}/{id}", post(review::decide))
        .route(
            "/api/v1/admin/studios/reviews",
            get(studios::review_api::queue),
        )
        .route(
            "/api/v1/admin/studios/{id}/review",
            post(studios::review_api::decide),
        )
        .merge(pages::routes())
        .merge(inquiries::routes())
        .merge(deals::routes())
        .merge(integrity::routes())
}
