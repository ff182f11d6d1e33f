//! The administrative tree: Sichuan (51) with its 21 cities and prefectures, 183 county-level
//! divisions and 3,111 townships (乡镇/街道, 9-digit codes), and Chongqing (50) down to its
//! counties for the 巴蜀科技云 extension, with GB/T 2260 codes.

pub mod api;
pub mod geo;
pub mod picker;
pub mod store;
pub mod tree;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub use tree::{Region, RegionTree};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/regions/{code}", get(api::get_region))
        .route("/api/v1/regions/{code}/children", get(api::children))
        .route("/regions/picker", get(picker::fragment))
        .route("/assets/geo/{code}", get(geo::outline))
}
