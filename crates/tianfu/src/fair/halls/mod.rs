//! 云展厅: one hall per city and one for the province's institutions, open all year once the
//! selected list is published — each hall's projects with pictures, video and filters (on the
//! index `fair_projects_hall`, a page at a time); a visitor's interest, which becomes an inquiry
//! in the market and reaches the project's nanny; and, during the fair, 1:1 meeting requests
//! that the owner accepts or declines and that lapse after three days unanswered.
//!
//! - `store`: SQL for halls, interests and meetings.
//! - `service`: the halls and the interest; `meetings`: requests, answers, the sweep.
//! - `expiry`: the job lapsing unanswered requests every five minutes.
//! - `api`, `pages`, `project_pages`, `meeting_pages`: `/api/v1/fairs/{id}/halls…`,
//!   `/fairs`, `/fairs/{id}`, `/fairs/{id}/halls/{code}`, `/fairs/{id}/projects/{pid}`,
//!   `/me/fair-meetings`.

pub mod api;
pub mod expiry;
pub mod meeting_pages;
pub mod meetings;
pub mod pages;
pub mod project_pages;
pub mod service;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/fairs/{id}/halls", get(api::list))
        .route(
            "/api/v1/fairs/{id}/projects/{pid}/interest",
            post(api::interest),
        )
        .route(
            "/api/v1/fairs/{id}/projects/{pid}/meetings",
            post(api::request),
        )
        .route("/api/v1/fairs/{id}/meetings", get(api::mine))
        .route(
            "/api/v1/fairs/{id}/meetings/{mid}/answer",
            post(api::answer),
        )
        .route(
            "/api/v1/fairs/{id}/meetings/{mid}/cancel",
            post(api::cancel),
        )
        .route("/fairs", get(pages::fairs))
        .route("/fairs/{id}", get(pages::fair))
        .route("/fairs/{id}/halls/{code}", get(pages::hall))
        .route("/fairs/{id}/projects/{pid}", get(project_pages::show))
        .route(
            "/fairs/{id}/projects/{pid}/interest",
            post(project_pages::interest),
        )
        .route(
            "/fairs/{id}/projects/{pid}/meetings",
            post(project_pages::meeting),
        )
        .route("/me/fair-meetings", get(meeting_pages::list))
        .route(
            "/me/fair-meetings/{mid}/answer",
            post(meeting_pages::answer),
        )
        .route(
            "/me/fair-meetings/{mid}/cancel",
            post(meeting_pages::cancel),
        )
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    HallsApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::list,
        api::interest,
        api::request,
        api::answer,
        api::cancel,
        api::mine
    ),
    components(schemas(
        api::FairDecisionName,
        api::FairMeetingRoleFilter,
        meetings::FairMeetingStatusName
    ))
)]
struct HallsApi;
