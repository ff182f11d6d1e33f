//! 科普资源: articles, video and audio with their channel, audiences, tags and optional region.
//! 全民科普服务部 staff publish directly; scientists and volunteers publish through review.

pub mod api;
pub mod content;
pub mod index;
pub mod media;
pub mod pages;
pub mod reader;
pub mod store;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kepu/resources", post(api::create).get(api::list))
        .route(
            "/api/v1/kepu/resources/{id}",
            get(api::get).patch(api::patch),
        )
        .route("/api/v1/kepu/resources/{id}/progress", post(api::progress))
        .route("/api/v1/kepu/resources/{id}/review", post(api::review))
        .route(
            "/api/v1/kepu/channels",
            get(api::channels).post(api::add_channel),
        )
        .route(
            "/api/v1/kepu/media",
            // The handler enforces the configured limit itself, answering 413 in Chinese.
            post(api::upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/kepu/media/{sha256}", get(media::serve))
        .merge(pages::routes())
}
