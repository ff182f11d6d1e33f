//! Editions (届) of the fair: created and configured by the province's organisers — name, year,
//! the dates of its phases, the review criteria and each hall's quota per category.

pub mod api;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/fairs", get(api::list).post(api::create))
        .route("/api/v1/fairs/{id}", get(api::get).patch(api::update))
        .route("/admin/fairs", get(pages::index).post(pages::create))
        .route("/admin/fairs/{id}", get(pages::show).post(pages::save))
        .route("/admin/fairs/{id}/nominate", post(pages::nominate))
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    EditionsApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(api::create, api::list, api::get, api::update),
    components(schemas(api::FairCategoryName, api::FairPhaseName)),
    tags((name = "fairs", description = "科创会：届次、项目征集、评审遴选、会期活动、云展厅、签约与会后跟踪")),
)]
struct EditionsApi;
