//! The service-centre staff console: the users of a staff member's region with paging and
//! search, and staff accounts created by a higher-level staff member or an administrator.

pub mod accounts;
pub mod api;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::get;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/users", get(api::list_users))
        .route("/api/v1/admin/users/{id}", get(api::get_user))
        .route(
            "/api/v1/admin/staff",
            axum::routing::post(api::create_staff),
        )
        .route("/admin/users", get(pages::users))
        .route("/admin/staff/new", get(pages::new_staff_form))
        .route("/admin/staff", axum::routing::post(pages::create_staff))
        .merge(accounts::routes())
}
