//! 精准资金分配 in the demo: this year's pool among the cities by the scores so far (the demo's
//! data begins this January), saved twice (the first superseded by the second), and 内江市's share
//! split among its counties by the city's own staff. Without an indicator system for the year
//! every unit counts 0 and the part by score is split evenly.

use anyhow::Context;
use chrono::{Datelike, Duration};
use tianfu_domain::Department;

use super::{ADMIN_PHONE, market, people};
use crate::App;
use crate::performance::funding::service::{self, Inputs};
use crate::platform::auth::Actor;
use crate::platform::clock::shanghai_date;

const NEIJIANG: &str = "5110";

async fn saved(
    app: &App,
    who: &Actor,
    inputs: Inputs,
    days_ago: i64,
) -> anyhow::Result<service::Allocation> {
    let fail =
        |e: crate::platform::error::AppError| anyhow::anyhow!("demo funding: {e} {:?}", e.fields());
    let checked = service::check(app, inputs).map_err(fail)?;
    let allocation = service::compute(app, &checked).await.map_err(fail)?;
    let at = app.clock.now() - Duration::days(days_ago);
    service::save(app, who, allocation, at).await.map_err(fail)
}

pub async fn load(app: &App) -> anyhow::Result<String> {
    let year = shanghai_date(app.clock.now()).year();
    let admin = market::user(app, ADMIN_PHONE).await?;
    let province = |base_share: f64, formula: &str| Inputs {
        year,
        pool_fen: 5_000_000_000,
        base_share,
        formula: Some(formula.into()),
        min_score: None,
        parent: Some("51".into()),
        period: None,
    };
    let first = saved(app, &admin, province(0.5, "linear"), 40).await?;
    let current = saved(app, &admin, province(0.3, "linear"), 30).await?;
    let pool_fen = current
        .items
        .iter()
        .find(|i| i.region_code == NEIJIANG)
        .map(|i| i.amount_fen)
        .context("内江市 is among the cities")?;
    let city_staff = market::user(app, &people::city_staff_phone(10, Department::Worker)).await?;
    let county = saved(
        app,
        &city_staff,
        Inputs {
            year,
            pool_fen,
            base_share: 0.4,
            formula: Some("squared".into()),
            min_score: None,
            parent: Some(NEIJIANG.into()),
            period: None,
        },
        20,
    )
    .await?;
    Ok(format!(
        "精准资金分配：{year}年度省级方案 2 个（#{} 已被 #{} 取代，5000万元分到 {} 个市州），内江市区县方案 #{}（{} 个区县）",
        first.saved_id.unwrap_or_default(),
        current.saved_id.unwrap_or_default(),
        current.items.len(),
        county.saved_id.unwrap_or_default(),
        county.items.len()
    ))
}
