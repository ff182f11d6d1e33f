//! Review and selection (遴选): organisers invite reviewers (scientists or staff, with their
//! fields and organisation) and give every collected project at least three of them, by field
//! and load, never with a conflict of interest (the owner, the same organisation, the same
//! county). Reviewers score on the edition's criteria, 0–100; each project's aggregate is the
//! trimmed mean, robust to one extreme reviewer. Projects rank within their hall and category,
//! the selection is published once by quota, and the province picks 10 + 10 + 10 major projects.
//!
//! - `store`, `selection_store`: SQL (reviewers, assignments, scores; ranking and selection).
//! - `reviewers`: inviting and assigning; `scores`: scoring; `selection`: ranking, the
//!   selection ([`selection::run_selection`]) and major projects.
//! - `api`, `selection_api`: the JSON endpoints; `pages`: the reviewer's page
//!   (`/fairs/{id}/reviews`); `console`: the organisers' console (`/admin/fairs/{id}/review`).

pub mod api;
pub mod console;
pub mod pages;
pub mod reviewers;
pub mod scores;
pub mod selection;
pub mod selection_api;
pub mod selection_store;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

pub use selection::{SelectionSummary, run_selection};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/fairs/{id}/reviewers",
            get(api::list_reviewers).post(api::invite),
        )
        .route("/api/v1/fairs/{id}/assignments", post(api::assign_all))
        .route(
            "/api/v1/fairs/{id}/projects/{pid}/reviewers",
            post(api::assign_one),
        )
        .route("/api/v1/fairs/{id}/projects/{pid}/scores", post(api::score))
        .route("/api/v1/fairs/{id}/reviews/mine", get(api::mine))
        .route("/api/v1/fairs/{id}/ranking", get(selection_api::ranking))
        .route("/api/v1/fairs/{id}/selection", post(selection_api::publish))
        .route(
            "/api/v1/fairs/{id}/projects/{pid}/major",
            post(selection_api::major),
        )
        .route("/fairs/{id}/reviews", get(pages::mine))
        .route("/fairs/{id}/reviews/{pid}", post(pages::score))
        .route("/admin/fairs/{id}/review", get(console::show))
        .route("/admin/fairs/{id}/review/reviewers", post(console::invite))
        .route("/admin/fairs/{id}/review/assign", post(console::assign))
        .route("/admin/fairs/{id}/review/selection", post(console::publish))
        .route("/admin/fairs/{id}/review/major/{pid}", post(console::major))
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    ReviewApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::invite,
        api::list_reviewers,
        api::assign_all,
        api::assign_one,
        api::score,
        api::mine,
        selection_api::ranking,
        selection_api::publish,
        selection_api::major,
    ),
    components(schemas(
        api::ReviewerRequest,
        api::ReviewerView,
        api::AssignmentResult,
        api::AssignRequest,
        api::AssignmentView,
        api::ScoreRequest,
        api::ScoreView,
        api::MyReviewView,
        selection_api::RankingItem,
        selection_api::MajorRequest,
        selection::SelectionSummary,
        selection::ByCategory,
        selection::SelectionCount,
    ))
)]
struct ReviewApi;
