//! 科普活动 on the ground: posted by staff, places or volunteer teams; residents sign up (a
//! seat, or the waiting list that moves up on cancellation), check in by scanning the code
//! shown at the venue, and give feedback. Check-ins count in 服务量 and 服务群众数, and a
//! volunteer's verified check-in earns their service hours, all through the ledger.
//!
//! - `rules`: times, check-in window, codes, hours — pure.
//! - `store`: SQL; one activity's acts are serialised on its row.
//! - `service`: views and the acts (post, sign up, cancel, feedback).
//! - `checkin`: the venue's one-use codes and their QR image, and the check-in act.
//! - `nearby`: 离我最近 — the caller's point, haversine distance, the order (pure);
//!   `near_me`: the region's next activities ordered by it.
//! - `api`, `pages`: `/api/v1/kepu/activities…`, `/kepu/activities…`, `/me/activities`;
//!   `venue_pages`: the check-in screen, attendance and the check-in page.

pub mod api;
pub mod bench;
pub mod checkin;
pub mod near_me;
pub mod nearby;
pub mod pages;
pub mod rules;
pub mod service;
pub mod staff_pages;
pub mod store;
pub mod venue_pages;

use axum::Router;
use axum::routing::{delete, get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kepu/activities", get(api::list).post(api::create))
        .route("/api/v1/kepu/activities/{id}", get(api::get))
        .route(
            "/api/v1/kepu/activities/{id}/signups",
            get(api::roster).post(api::sign_up),
        )
        .route(
            "/api/v1/kepu/activities/{id}/signups/me",
            delete(api::cancel),
        )
        .route("/api/v1/kepu/activities/{id}/checkins", post(api::check_in))
        .route("/api/v1/kepu/activities/{id}/codes", post(api::issue_code))
        .route("/api/v1/kepu/activities/{id}/feedback", post(api::feedback))
        .route("/api/v1/kepu/activities/{id}/cancel", post(api::call_off))
        .route("/api/v1/me/activities", get(api::mine))
        .route("/kepu/activities", get(pages::index))
        .route("/kepu/activities/{id}", get(pages::show))
        .route("/kepu/activities/{id}/signup", post(pages::sign_up))
        .route("/kepu/activities/{id}/cancel", post(pages::cancel))
        .route("/kepu/activities/{id}/feedback", post(pages::feedback))
        .route("/kepu/activities/{id}/call-off", post(pages::call_off))
        .route("/kepu/activities/{id}/screen", get(venue_pages::screen))
        .route(
            "/kepu/activities/{id}/screen/code",
            get(venue_pages::screen_code),
        )
        .route(
            "/kepu/activities/{id}/attendance",
            get(venue_pages::attendance),
        )
        .route(
            "/kepu/checkin",
            get(venue_pages::checkin_page).post(venue_pages::checkin),
        )
        .route("/me/activities", get(pages::mine))
        .route(
            "/kepu/activities/new",
            get(staff_pages::new).post(staff_pages::create),
        )
        .route("/admin/kepu/activities", get(staff_pages::staff))
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    ActivityApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::create,
        api::list,
        api::get,
        api::sign_up,
        api::cancel,
        api::check_in,
        api::issue_code,
        api::feedback,
        api::roster,
        api::mine,
        api::call_off,
    ),
    components(schemas(
        api::ActivityRequest,
        api::SignupRequest,
        api::CheckinRequest,
        api::FeedbackRequest,
        api::WhenFilter,
        api::SignupRoleName,
        api::FeedbackResult,
        api::CallOffRequest,
        api::CallOffResult,
        api::RosterItem,
        api::MyActivity,
        service::ActivityView,
        service::MySignup,
        service::SignupResult,
        service::CancelResult,
        checkin::CheckinCode,
        checkin::CheckinResult,
    ))
)]
struct ActivityApi;
