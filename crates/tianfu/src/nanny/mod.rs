//! The nanny service (保姆式服务): every registered scientist (一人一策) and every published need
//! (一单一策) gets a ticket, a nanny of the right region and department, and a plan with dated
//! steps; the nanny logs follow-ups; a clock marks overdue steps and escalates; a signed deal
//! closes the ticket; reports count it all per region and per nanny.

pub mod api;
pub mod bench;
pub mod clock;
pub mod open;
pub mod pages;
pub mod plan;
pub mod report;
pub mod report_pages;
pub mod service;
pub mod store;
pub mod view;

use axum::Router;
use axum::routing::{get, patch, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tickets", get(api::list))
        .route("/api/v1/tickets/report", get(api::report))
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
            get(api::get_template).put(api::put_template),
        )
        .merge(pages::routes())
}

/// Closes the open tickets a signed deal answers, inside the deal's transaction: the need's
/// 一单一策 and the 一人一策 of each party who is a scientist with a ticket.
#[macro_export]
macro_rules! close_tickets_on_deal {
    ($tx:ident, $deal:expr, $at:expr) => {
        async {
            let deal: &$crate::market::deals::store::DealRow = $deal;
            let note = format!("交易 #{} 已签约，服务单自动办结", deal.id);
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, note) SELECT id, $1, NULL, 'closed', $2 FROM tickets \
                 WHERE status = 'open' AND ((kind = 'need' AND subject_id = $3) OR (kind = 'person' AND subject_id IN ($4, $5)))",
            )
            .bind($at).bind(&note).bind(deal.need_id).bind(deal.buyer_id).bind(deal.seller_id)
            .execute(&mut *$tx)
            .await?;
            sqlx::query(
                "UPDATE tickets SET status = 'closed', outcome = 'deal', deal_id = $2, closed_at = $1, next_due_at = NULL, \
                 overdue_since = NULL, escalated_at = NULL, updated_at = $1 \
                 WHERE status = 'open' AND ((kind = 'need' AND subject_id = $3) OR (kind = 'person' AND subject_id IN ($4, $5)))",
            )
            .bind($at).bind(deal.id).bind(deal.need_id).bind(deal.buyer_id).bind(deal.seller_id)
            .execute(&mut *$tx)
            .await
        }
        .await
    };
}
