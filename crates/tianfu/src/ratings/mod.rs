//! 典型/精品 ratings (精准绩效): studios, and cases — completed deals written up by their parties
//! (案例) — are applied for by their owners or nominated by staff, shown with figures from the
//! platform's own records, and reviewed county → city → province. The province's approval puts
//! a rating in force for its year and books `studio.rated`/`case.rated`; revocation books the
//! compensating row. The badge shows on the studio's and the case's pages, in the yearly list
//! and among a match's reasons.
//!
//! - `rules`: pure — kinds, levels, the chain as a state machine, who may take which step.
//! - `cases`: writing up and editing a case (SQL and checks).
//! - `criteria`: the figures shown to reviewers.
//! - `store`: ratings' SQL; each act one guarded transaction with its ledger row and notices.
//! - `service`: the acts; `queue`: what awaits a staff member's step; `view`: shapes shown.
//! - `api`, `cases_api`, `pages`, `admin_pages`: JSON and HTML.

pub mod admin_pages;
pub mod api;
pub mod cases;
pub mod cases_api;
pub mod criteria;
pub mod pages;
pub mod queue;
pub mod rules;
pub mod service;
pub mod store;
pub mod view;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ratings", post(api::create).get(api::list))
        .route("/api/v1/ratings/{id}", get(api::get))
        .route("/api/v1/ratings/{id}/decision", post(api::decide))
        .route("/api/v1/ratings/{id}/revoke", post(api::revoke))
        .route("/api/v1/admin/ratings", get(api::queue))
        .route(
            "/api/v1/cases",
            post(cases_api::create).get(cases_api::list),
        )
        .route(
            "/api/v1/cases/{id}",
            get(cases_api::get).patch(cases_api::patch),
        )
        .route("/ratings", get(pages::list))
        .route("/ratings/{id}", get(pages::show))
        .route("/ratings/{id}/decision", post(pages::decide))
        .route("/ratings/{id}/revoke", post(pages::revoke))
        .route("/cases/{id}", get(pages::case))
        .route(
            "/cases/{id}/edit",
            get(pages::edit_case).post(pages::update_case),
        )
        .route("/me/ratings", get(pages::mine).post(pages::apply))
        .route("/me/cases", get(pages::new_case).post(pages::create_case))
        .route(
            "/admin/ratings",
            get(admin_pages::index).post(admin_pages::nominate),
        )
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    RatingsApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::create, api::list, api::get, api::decide, api::revoke, api::queue,
        cases_api::create, cases_api::list, cases_api::get, cases_api::patch,
    ),
    components(schemas(
        api::RatingSubjectKind, api::RatingLevel, api::RatingSubjectKindFilter,
        api::RatingLevelFilter, api::RatingDecisionName,
    )),
    tags((name = "ratings", description = "精准绩效：典型/精品科创工作室与案例的申报、县市省三级审核、年度名单与撤销")),
)]
struct RatingsApi;
