//! 科普共享基地 and 科普e站: where science popularisation happens on the ground. Staff of the
//! region's 全民科普服务部 keep them (down to the township); anyone finds them in a list and on
//! a map; their managers may post the place's activities.
//!
//! - `store`: the place rows and their managers.
//! - `service`: who may keep which place; the checked input.
//! - `api`, `pages`: `/api/v1/kepu/places…`, `/kepu/places…`, `/admin/kepu/places`;
//!   `edit_pages`: `/admin/kepu/places/{id}/edit` (correct, re-pin, pause).

pub mod api;
pub mod edit_pages;
pub mod pages;
pub mod service;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kepu/places", get(api::list).post(api::create))
        .route("/api/v1/kepu/places/{id}", get(api::get).patch(api::patch))
        .route("/api/v1/kepu/places/{id}/managers", post(api::add_manager))
        .route("/kepu/places", get(pages::index))
        .route("/kepu/places/{id}", get(pages::show))
        .route("/admin/kepu/places", get(pages::staff).post(pages::create))
        .route("/admin/kepu/places/{id}/managers", post(pages::add_manager))
        .route(
            "/admin/kepu/places/{id}/edit",
            get(edit_pages::edit).post(edit_pages::save),
        )
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    PlaceApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(api::create, api::list, api::get, api::patch, api::add_manager),
    components(schemas(
        api::PlaceRequest,
        api::PlacePatch,
        api::ManagerRequest,
        api::KindFilter,
        api::StatusName,
        service::PlaceView,
        service::PlaceKindName
    ))
)]
struct PlaceApi;
