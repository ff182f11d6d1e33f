//! The sweep that lapses unanswered 1:1 meeting requests: every five minutes, under a lease so
//! that one node runs it, requests past their time become `expired` and their requesters are
//! told. (A lapsed request never blocks its slot even before the sweep: requesting that slot
//! lapses it first.) Time is `app.clock`, which tests move.

use std::time::Duration;

use super::meetings;
use crate::AppState;
use crate::platform::error::AppError;

const LEASE: &str = "fair.meetings.expiry";
const PERIOD: Duration = Duration::from_secs(300);

/// One pass if this node holds the lease (0 while another node runs it).
pub async fn tick_if_leader(app: &crate::App) -> Result<usize, AppError> {
    if crate::ledger::lease::hold(&app.db, LEASE, &app.node).await? {
        meetings::expire(app).await
    } else {
        Ok(0)
    }
}

/// Runs the sweep every five minutes until aborted.
pub fn spawn(app: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(PERIOD);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match tick_if_leader(&app).await {
                Ok(0) => {}
                Ok(expired) => tracing::info!(expired, "fair meeting requests expired"),
                Err(error) => error.log_if_internal(),
            }
        }
    })
}
