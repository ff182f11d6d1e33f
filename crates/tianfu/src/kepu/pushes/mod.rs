//! 精准推送: campaigns of 全民科普服务部 staff — a resource and an audience, fanned out to the
//! residents it names by a background job, at most a few pushes a week per resident.

use axum::Router;
use tokio::task::JoinHandle;
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

pub fn spawn_jobs(_app: AppState) -> Vec<JoinHandle<()>> {
    Vec::new()
}

/// What the jobs would have done by now (tests call it through `kepu::settle`).
pub async fn settle(_app: &crate::App) -> Result<(), crate::platform::error::AppError> {
    Ok(())
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    PushApi::openapi()
}

#[derive(OpenApi)]
#[openapi(paths())]
struct PushApi;
