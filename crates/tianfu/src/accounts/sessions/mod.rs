//! One's own sessions (等保 level 3, 会话管理): the list of where one is signed in, ending one of
//! them, and signing out everywhere else. Idle timeouts and lifetimes are enforced where a token
//! is resolved (`platform::auth`, `platform::session_policy`).

pub mod api;
pub mod device;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/sessions", get(api::list))
        .route("/api/v1/me/sessions/{id}", delete(api::end))
        .route(
            "/api/v1/me/sessions/sign-out-others",
            post(api::sign_out_others),
        )
        .route("/me/sessions", get(pages::page))
        .route("/me/sessions/sign-out-others", post(pages::sign_out_others))
        .route("/me/sessions/{id}/end", post(pages::end))
}
