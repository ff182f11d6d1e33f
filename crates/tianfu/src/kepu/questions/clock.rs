//! The 48-hour clock: a question nobody but its asker has answered within
//! [`ESCALATE_AFTER_HOURS`] goes to its city's 全民科普服务部 staff. Every minute, under a lease
//! so that one node runs it; time is `app.clock`, which tests move.

use std::time::Duration;

use super::rules::ESCALATE_AFTER_HOURS;
use super::store;
use crate::platform::error::AppError;
use crate::{App, AppState};

const LEASE: &str = "kepu.questions.clock";
const PERIOD: Duration = Duration::from_secs(60);

/// One pass: escalates every question that waited too long. Answers how many.
pub async fn tick(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let cutoff = now - chrono::Duration::hours(ESCALATE_AFTER_HOURS);
    Ok(store::escalate(&app.db, cutoff, now).await?)
}

pub fn spawn(app: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(PERIOD);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let pass = async {
                if crate::ledger::lease::hold(&app.db, LEASE, &app.node).await? {
                    tick(&app).await
                } else {
                    Ok(0)
                }
            };
            match pass.await {
                Ok(0) => {}
                Ok(escalated) => tracing::info!(escalated, "questions escalated to the city"),
                Err(error) => error.log_if_internal(),
            }
        }
    })
}
