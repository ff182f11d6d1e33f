//! Collection (征集): a published listing entered into an edition — by its owner, or nominated
//! by county, city or province staff within their region — as one of the three categories, with
//! a short pitch, its sector, pictures and a video. The same listing enters an edition once.

pub mod api;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/fairs/{id}/projects",
            get(api::list).post(api::create),
        )
        .route("/api/v1/fairs/{id}/projects/{pid}", get(api::get))
        .route(
            "/api/v1/fairs/{id}/projects/{pid}/withdraw",
            post(api::withdraw),
        )
        .route("/me/fair-projects", get(pages::mine).post(pages::enter))
        .route("/me/fair-reviews", get(pages::my_reviews))
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    ProjectsApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(api::create, api::list, api::get, api::withdraw),
    components(schemas(
        api::FairSectorName,
        api::FairProjectStatusName,
        api::FairCategoryFilter,
        api::FairSectorFilter,
        api::FairProjectStatusFilter
    ))
)]
struct ProjectsApi;
