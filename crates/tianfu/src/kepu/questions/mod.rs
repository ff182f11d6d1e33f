//! 向科学要答案: residents ask, the matching engine routes each question to the scientists and
//! volunteers who fit it and to the county's 全民科普服务部 staff; answers are threaded; the asker
//! accepts one; answered questions are public and searchable.

use axum::Router;
use tokio::task::JoinHandle;
use utoipa::OpenApi;

use crate::AppState;
use crate::platform::error::AppError;

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
    QuestionApi::openapi()
}

/// The search document of question `id` when it is public and answered; `None` takes it out of
/// the index.
pub async fn document(
    _app: &crate::App,
    _id: i64,
) -> Result<Option<tianfu_search::ListingDoc>, AppError> {
    Ok(None)
}

#[derive(OpenApi)]
#[openapi(paths())]
struct QuestionApi;
