//! 精准推送: campaigns of 全民科普服务部 staff — a resource and an audience (a region subtree
//! within their scope, audience groups, interests), counted before sending, fanned out to the
//! residents it names by a background job, at most a few pushes a week per resident.
//!
//! - `target`: who a campaign reaches (residents: roles public, volunteer, worker) as SQL.
//! - `store`: the campaign row and its ledger event; reading campaigns and their figures.
//! - `service`: who may push where; preview, send, list, detail.
//! - `fanout`: the job (deliveries, notifications, the weekly limit and its waiting list).
//! - `api`, `pages`: `/api/v1/kepu/pushes…` and `/admin/kepu/pushes…`.
//! - `bench`: fan-out to a million residents.

pub mod api;
pub mod bench;
pub mod fanout;
pub mod pages;
pub mod service;
pub mod store;
pub mod target;

use axum::Router;
use axum::routing::get;
use tokio::task::JoinHandle;
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kepu/pushes", get(api::list).post(api::create))
        .route("/api/v1/kepu/pushes/preview", get(api::preview))
        .route("/api/v1/kepu/pushes/{id}", get(api::get))
        .route("/admin/kepu/pushes", get(pages::list).post(pages::compose))
        .route("/admin/kepu/pushes/{id}", get(pages::detail))
}

pub fn spawn_jobs(app: AppState) -> Vec<JoinHandle<()>> {
    vec![fanout::spawn(app)]
}

/// What the jobs would have done by now (tests call it through `kepu::settle`): every queued
/// campaign fanned out, and waiting deliveries whose week has room delivered.
pub async fn settle(app: &crate::App) -> Result<(), crate::platform::error::AppError> {
    fanout::pass(app, true).await.map(|_| ())
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    PushApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(api::create, api::preview, api::list, api::get),
    components(schemas(
        api::PushRequest,
        api::CreatedPush,
        api::PreviewView,
        service::PushSummary,
        service::PushDetail,
        service::PushRegionFigures
    ))
)]
struct PushApi;
