//! 科普资源: articles, video and audio with their channel, audiences, tags and optional region.
//! 全民科普服务部 staff publish directly; scientists and volunteers publish through review.

pub mod index;
pub mod store;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
