//! 需求画像: a person's audience group and interests — chosen, or learned from reading, searching
//! and asking with weights that decay — shown to them and editable. Staff see aggregates only.

pub mod api;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/profile", get(api::get).put(api::put))
        .route("/api/v1/kepu/profiles/stats", get(api::stats))
        .route("/me/profile", get(pages::show).post(pages::save))
        .route("/me/profile/forget", post(pages::forget))
        .route("/admin/kepu/profiles", get(pages::stats))
}
