//! The "1+3+4+22+N" programme (会期活动): the opening, 科创沙龙, major-project roadshows, the
//! regional zones, the collective signing and the rest — each with an agenda, a venue, the
//! selected projects it presents, registration within its capacity (never overbooked, however
//! many sign up at once) and check-in at the door.
//!
//! - `store`: SQL; one session's seats are taken one act after another.
//! - `service`: creating, registering, cancelling, checking in.
//! - `api`, `pages`: `/api/v1/fairs/{id}/sessions…` and `/fairs/{id}/sessions/{sid}`.

pub mod api;
pub mod pages;
pub mod roster;
pub mod service;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/fairs/{id}/sessions",
            get(api::list).post(api::create),
        )
        .route("/api/v1/fairs/{id}/sessions/{sid}", get(api::get))
        .route(
            "/api/v1/fairs/{id}/sessions/{sid}/registrations",
            post(api::register),
        )
        .route(
            "/api/v1/fairs/{id}/sessions/{sid}/registrations/cancel",
            post(api::cancel),
        )
        .route(
            "/api/v1/fairs/{id}/sessions/{sid}/checkins",
            post(api::check_in),
        )
        .route("/fairs/{id}/sessions/{sid}", get(pages::show))
        .route("/fairs/{id}/sessions/{sid}/register", post(pages::register))
        .route("/fairs/{id}/sessions/{sid}/cancel", post(pages::cancel))
        .route(
            "/fairs/{id}/sessions/{sid}/roster",
            get(roster::show).post(roster::check_in),
        )
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    SessionsApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::create,
        api::list,
        api::get,
        api::register,
        api::cancel,
        api::check_in
    ),
    components(schemas(api::FairSessionKindName, api::FairSessionKindFilter))
)]
struct SessionsApi;
