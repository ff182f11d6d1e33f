//! Static files: the site's own stylesheet and script (in the binary), and the front-end packages
//! installed by npm from package.json (htmx, Pico CSS), served from `node_modules`.

use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::services::ServeFile;

use crate::AppState;

const APP_CSS: &str = include_str!("../../static/app.css");
const APP_JS: &str = include_str!("../../static/app.js");
const PLACES_MAP_JS: &str = include_str!("../../static/places-map.js");
const PERFORMANCE_JS: &str = include_str!("../../static/performance.js");
const REGION_MAP_JS: &str = include_str!("../../static/region-map.js");
const NANNY_REPORT_JS: &str = include_str!("../../static/nanny-report.js");

/// One of the site's own scripts, revalidated on every load.
fn script(body: &'static str) -> axum::response::Response {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

pub fn routes(node_modules: &std::path::Path) -> Router<AppState> {
    Router::new()
        .route(
            "/assets/app.css",
            get(|| async {
                (
                    [
                        (CONTENT_TYPE, "text/css; charset=utf-8"),
                        (CACHE_CONTROL, "no-cache"),
                    ],
                    APP_CSS,
                )
                    .into_response()
            }),
        )
        .route("/assets/app.js", get(|| async { script(APP_JS) }))
        .route_service(
            "/assets/vendor/htmx.min.js",
            ServeFile::new(node_modules.join("htmx.org/dist/htmx.min.js")),
        )
        .route_service(
            "/assets/vendor/echarts.min.js",
            ServeFile::new(node_modules.join("echarts/dist/echarts.min.js")),
        )
        .route(
            "/assets/places-map.js",
            get(|| async { script(PLACES_MAP_JS) }),
        )
        .route(
            "/assets/performance.js",
            get(|| async { script(PERFORMANCE_JS) }),
        )
        .route(
            "/assets/region-map.js",
            get(|| async { script(REGION_MAP_JS) }),
        )
        .route(
            "/assets/nanny-report.js",
            get(|| async { script(NANNY_REPORT_JS) }),
        )
        .route_service(
            "/assets/vendor/pico.min.css",
            ServeFile::new(node_modules.join("@picocss/pico/css/pico.min.css")),
        )
}
