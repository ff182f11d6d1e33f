//! In-app notifications (站内通知): a line of Chinese and a link, written in the same transaction
//! as the act they announce.

pub mod api;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/notifications", get(api::list))
        .route("/api/v1/notifications/read", post(api::mark_read))
        .route("/me/notifications", get(pages::list))
        .route("/me/notifications/read", post(pages::mark_read))
}
