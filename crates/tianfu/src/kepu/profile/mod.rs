//! 需求画像: a person's audience group and interests — chosen, or learned from reading, searching
//! and asking with weights that decay — shown to them and editable. Staff see aggregates only.

pub mod store;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
