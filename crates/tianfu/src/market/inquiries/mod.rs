//! Inquiries (洽谈): a signed-in user opens a conversation on a public listing; both sides see
//! the thread in their workspace and are notified; the owner can reply, decline or close.

pub mod api;
pub mod pages;
pub mod service;
pub mod store;
pub mod undo;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/inquiries", post(api::create).get(api::list))
        .route("/api/v1/inquiries/{id}", get(api::get))
        .route("/api/v1/inquiries/{id}/messages", post(api::reply))
        .route("/api/v1/inquiries/{id}/status", post(api::set_status))
        .route("/api/v1/inquiries/{id}/undo", post(api::undo))
        .route("/inquiries", post(pages::start))
        .route("/me/inquiries", get(pages::list))
        .route("/me/inquiries/{id}", get(pages::show).post(pages::act))
        .route("/me/inquiries/{id}/undo", post(undo::page))
}
