//! The job of the 1st: once a month (checked hourly, under a lease so one node runs it) every
//! period that has ended is published — its scores kept as computed from then on. Idempotent: a
//! period already published is left as it is, so a node that was down on the 1st catches up.
//! Then the monthly reports of the month just ended are issued (those missing; see reports).

use std::time::Duration;

use crate::platform::error::AppError;
use crate::{App, AppState};

const LEASE: &str = "performance.monthly";
const PERIOD: Duration = Duration::from_secs(3600);

/// One pass: answers the periods it published.
pub async fn tick(app: &App) -> Result<Vec<String>, AppError> {
    let mut done = super::scores::service::publish_due(app).await?;
    // After the scores, so that a report's ranking is the published one.
    done.extend(super::reports::service::issue_due(app).await?);
    Ok(done)
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
                    Ok(Vec::new())
                }
            };
            match pass.await {
                Ok(published) if published.is_empty() => {}
                Ok(published) => tracing::info!(?published, "performance periods published"),
                Err(error) => error.log_if_internal(),
            }
        }
    })
}
