//! The hourly job that asks for the six-month outcomes (under a lease, so one node runs it; the
//! guarded claim of each edition makes a second asker harmless anyway).

use std::time::Duration;

use crate::AppState;

const LEASE: &str = "fair.outcomes";
const PERIOD: Duration = Duration::from_secs(3600);

/// Runs [`super::service::ask_due`] every hour until aborted.
pub fn spawn(app: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(PERIOD);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            let pass = async {
                if crate::ledger::lease::hold(&app.db, LEASE, &app.node).await? {
                    super::service::ask_due(&app).await
                } else {
                    Ok(0)
                }
            };
            match pass.await {
                Ok(0) => {}
                Ok(asked) => tracing::info!(asked, "fair outcomes asked"),
                Err(error) => error.log_if_internal(),
            }
        }
    })
}
