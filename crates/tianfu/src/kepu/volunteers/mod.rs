//! 科技志愿者 and 志愿服务队: 全民科普服务部 staff form teams in their region and name a leader;
//! volunteers and scientists join and leave; leaders add and remove members and post the
//! team's activities (`activities::service`); questions in a team's fields reach its members
//! (`answerers`, called by `questions::routing`); and a volunteer's service hours — booked by
//! verified check-ins as `volunteer.served` in the ledger — are read back from the ledger for
//! their page and printable certificate, so they agree with the province's `volunteer_hours`.
//!
//! - `rules`: fields, roles, the Beijing year, the certificate's number — pure.
//! - `store`: teams and members; a membership change is serialised on the team's row.
//! - `hours`: hours from the ledger — a person's, a team's, a region's volunteers'.
//! - `service`: the acts (form, join, add, leave/remove) and who may do them.
//! - `views`: teams and members as the API and pages show them.
//! - `answerers`: the team members a question is routed to.
//! - `verify`: `/kepu/certificates/verify`, where anyone checks a certificate's number.
//! - `api`, `pages`, `me_pages`, `staff_pages`: `/api/v1/kepu/teams…`,
//!   `/api/v1/me/volunteer-hours`, `/kepu/teams…`, `/me/volunteer…`, `/admin/kepu/teams…`.

pub mod answerers;
pub mod api;
pub mod hours;
pub mod me_pages;
pub mod pages;
pub mod rules;
pub mod service;
pub mod staff_pages;
pub mod store;
pub mod verify;
pub mod views;

use axum::Router;
use axum::routing::{delete, get, post};
use utoipa::OpenApi;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kepu/teams", get(api::list).post(api::create))
        .route("/api/v1/kepu/teams/{id}", get(api::get))
        .route(
            "/api/v1/kepu/teams/{id}/members",
            get(api::members).post(api::add_member),
        )
        .route(
            "/api/v1/kepu/teams/{id}/members/{user_id}",
            delete(api::remove_member),
        )
        .route("/api/v1/me/volunteer-hours", get(api::my_hours))
        .route("/kepu/teams", get(pages::index))
        .route("/kepu/teams/{id}", get(pages::show))
        .route("/kepu/teams/{id}/join", post(pages::join))
        .route("/kepu/teams/{id}/leave", post(pages::leave))
        .route("/kepu/teams/{id}/members", post(pages::add_member))
        .route(
            "/kepu/teams/{id}/members/{user_id}/remove",
            post(pages::remove_member),
        )
        .route("/me/volunteer", get(me_pages::mine))
        .route("/me/volunteer/certificate", get(me_pages::certificate))
        .route("/kepu/certificates/verify", get(verify::verify))
        .route(
            "/admin/kepu/teams",
            get(staff_pages::staff).post(staff_pages::create),
        )
        .route("/admin/kepu/teams/{id}", get(staff_pages::team))
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    VolunteerApi::openapi()
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::create,
        api::list,
        api::get,
        api::members,
        api::add_member,
        api::remove_member,
        api::my_hours,
    ),
    components(schemas(
        api::TeamRequest,
        api::MemberRequest,
        api::Membership,
        api::TeamRoleName,
        views::TeamSummary,
        views::TeamView,
        views::MemberView,
        hours::VolunteerHours,
        hours::ServedItem,
    ))
)]
struct VolunteerApi;
