//! After the fair (跟踪问效): every selected project gets a follow-up ticket of its own (一项一策,
//! opened by the nanny's follower of `fair.project_selected`, closed by a signed deal on its
//! listing); six months after the fair closes both sides of each accepted meeting and each deal
//! made at it are asked for an outcome (`service::ask_due`, hourly in `jobs`), answered once at
//! `/me/fair-outcomes`; the edition's report shows the answers by city (`fair::stats`).

pub mod api;
pub mod jobs;
pub mod pages;
pub mod service;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

pub use service::ask_due;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/fair-outcomes", get(api::mine))
        .route("/api/v1/fair-outcomes/{oid}", post(api::answer))
        .route("/me/fair-outcomes", get(pages::list))
        .route("/me/fair-outcomes/{oid}", post(pages::answer))
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    AfterApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(api::mine, api::answer),
    components(schemas(api::FairOutcomeName, api::FairOutcomeSubject))
)]
struct AfterApi;
