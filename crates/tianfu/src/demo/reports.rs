//! 月研月报 in the demo: the reports of the last three months as the job of the 1st would have
//! issued them (after the scores are published, when a year has an indicator system), and one
//! correction with its reason, so that the list, the versions and the Excel file have something
//! to show.

use std::time::Instant;

use crate::App;
use crate::performance::reports::service;
use crate::performance::scores::period::ScorePeriod;
use crate::platform::clock::shanghai_date;

/// The months reported on, oldest first.
const MONTHS: u32 = 3;

pub async fn load(app: &App) -> anyhow::Result<String> {
    crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
        .await
        .map_err(|e| anyhow::anyhow!("demo reports: ledger catch-up: {e}"))?;
    crate::performance::scores::service::publish_due(app)
        .await
        .map_err(|e| anyhow::anyhow!("demo reports: scores: {e}"))?;
    let mut month = ScorePeriod::month_of(shanghai_date(app.clock.now()));
    let mut months = Vec::new();
    for _ in 0..MONTHS {
        month = month.previous();
        months.push(month);
    }
    let started = Instant::now();
    let mut issued = 0;
    for month in months.iter().rev() {
        issued += service::issue_month(app, *month)
            .await
            .map_err(|e| anyhow::anyhow!("demo reports {}: {e}", month.key()))?;
    }
    let elapsed = started.elapsed();
    // A correction of 内江市's latest report by the province's staff.
    let staff = super::market::user(app, "13900000001").await?;
    let city = tianfu_domain::RegionCode::parse("5110")?;
    let latest = months[0];
    if crate::performance::reports::store::latest_version(&app.db, "5110", &latest.key())
        .await
        .map_err(|e| anyhow::anyhow!("demo reports: {e}"))?
        == 1
    {
        service::correct(
            app,
            &staff,
            &city,
            latest,
            "补录月末两笔线下签约合同后重新生成",
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo reports: correction: {e}"))?;
    }
    Ok(format!(
        "月研月报：近{MONTHS}个月共生成 {issued} 份（用时 {:.1} 秒），内江市{}月报已更正为第2版",
        elapsed.as_secs_f64(),
        latest.label()
    ))
}
