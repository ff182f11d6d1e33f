//! The aimed feed: resources ranked by the person's profile, their region, freshness and quality,
//! skipping what they read, mixing channels, each with a one-line reason.

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
