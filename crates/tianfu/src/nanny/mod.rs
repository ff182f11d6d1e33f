//! The nanny service (保姆式服务): every registered scientist (一人一策) and every published need
//! (一单一策) gets a ticket, a nanny of the right region and department, and a plan with dated
//! steps; the nanny logs follow-ups; a clock marks overdue steps and escalates; a signed deal
//! closes the ticket; reports count it all per region and per nanny.

pub mod api;
pub mod bench;
pub mod clock;
pub mod desk;
pub mod follow;
pub mod open;
pub mod pages;
pub mod plan;
pub mod plan_api;
pub mod plan_pages;
pub mod queue;
pub mod report;
pub mod report_api;
pub mod report_pages;
pub mod served_pages;
pub mod service;
pub mod store;
pub mod ticket_page;
pub mod ticket_query;
pub mod trend;
pub mod view;
pub mod workbench;

use axum::Router;
use axum::routing::{get, patch, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tickets", get(api::list))
        .route("/api/v1/tickets/report", get(report_api::report))
        .route("/api/v1/tickets/{id}", get(api::get))
        .route("/api/v1/tickets/{id}/followups", post(api::add_followup))
        .route("/api/v1/tickets/{id}/steps", post(api::add_step))
        .route(
            "/api/v1/tickets/{id}/steps/{step}",
            patch(api::change_step).delete(api::remove_step),
        )
        .route(
            "/api/v1/tickets/{id}/steps/{step}/done",
            post(api::complete_step),
        )
        .route("/api/v1/tickets/{id}/assign", post(api::assign))
        .route("/api/v1/tickets/{id}/close", post(api::close))
        .route("/api/v1/tickets/{id}/rating", post(api::rate))
        .route("/api/v1/me/tickets", get(api::mine))
        .route(
            "/api/v1/admin/plan-templates/{kind}",
            get(plan_api::get_template).put(plan_api::put_template),
        )
        .merge(pages::routes())
}
