//! Issuing reports: version 1 of every region for the month just ended (the job of the 1st, or
//! a region's staff for one missing report), and corrections (a new version with its reason,
//! recomputed from the ledger as it stands). Nothing issued is ever rewritten.

use tianfu_domain::{RegionCode, RegionLevel};

use super::build::{self, Issue};
use super::model::{MonthlyReport, parse_month};
use super::store;
use crate::App;
use crate::performance::scores::period::ScorePeriod;
use crate::platform::auth::Actor;
use crate::platform::clock::shanghai_date;
use crate::platform::error::AppError;

/// Who the job of the 1st signs as.
pub const SYSTEM: &str = "系统（每月1日自动生成）";

/// A region reports are issued for: the province, a city or a county of it.
pub fn reported_region(app: &App, code: &str) -> Result<RegionCode, AppError> {
    let region = RegionCode::parse(code)
        .ok()
        .filter(|r| r.level() <= RegionLevel::County && app.regions.get(r).is_some())
        .filter(|r| {
            r.as_str()
                .starts_with(crate::performance::scores::service::PROVINCE)
        });
    region.ok_or_else(|| {
        AppError::validation(
            "region_code",
            "月报只针对本省、各市（州）和区县，请检查地区代码",
        )
    })
}

/// A month that has ended (reports are of whole months).
pub fn ended_month(app: &App, text: &str) -> Result<ScorePeriod, AppError> {
    let month = parse_month(text)?;
    if !month.has_ended(shanghai_date(app.clock.now())) {
        return Err(AppError::validation(
            "month",
            format!("{}尚未结束，月报于次月1日生成", month.label()),
        ));
    }
    Ok(month)
}

fn first_issue(app: &App) -> Issue {
    Issue {
        version: 1,
        reason: None,
        issued_at: app.clock.now(),
        issued_by: SYSTEM.to_owned(),
    }
}

/// Issues version 1 of `month` for every region that lacks it; answers how many were issued.
pub async fn issue_month(app: &App, month: ScorePeriod) -> Result<usize, AppError> {
    let issued = store::issued_regions(&app.db, &month.key()).await?;
    let missing: Vec<RegionCode> = build::all_regions(app)
        .into_iter()
        .filter(|r| !issued.iter().any(|i| i == r.as_str()))
        .collect();
    if missing.is_empty() {
        return Ok(0);
    }
    let mut count = 0;
    for report in build::build(app, &missing, month, &first_issue(app)).await? {
        count += usize::from(store::insert(&app.db, &report, None).await?);
    }
    Ok(count)
}

/// The job's part: the month just ended, once the ledger has anything in it (a month before
/// the platform had any activity has no report). Idempotent.
pub async fn issue_due(app: &App) -> Result<Vec<String>, AppError> {
    let today = shanghai_date(app.clock.now());
    let month = ScorePeriod::month_of(today).previous();
    let days = month.days();
    let any = crate::ledger::rollup::region_totals(
        &app.db,
        crate::performance::scores::service::PROVINCE,
        days.from,
        days.to,
    )
    .await?;
    if any.is_empty() {
        return Ok(Vec::new());
    }
    let issued = issue_month(app, month).await?;
    Ok(if issued == 0 {
        Vec::new()
    } else {
        vec![format!("reports:{} ({issued})", month.key())]
    })
}

/// Version 1 of one region's report, issued now if missing (answers it and whether it is new).
pub async fn issue_one(
    app: &App,
    region: &RegionCode,
    month: ScorePeriod,
) -> Result<(String, bool), AppError> {
    if let Some(body) = store::body(&app.db, region.as_str(), &month.key(), Some(1)).await? {
        return Ok((body, false));
    }
    // As the monthly job does: the month's scores are published first, so that the ranking kept
    // in the report is the one the province publishes (a year without a system has none).
    if crate::performance::indicators::store::find(&app.db, month.year, None)
        .await?
        .is_some()
    {
        crate::performance::scores::service::publish(app, month).await?;
    }
    let report = one(app, region, month, &first_issue(app)).await?;
    let created = store::insert(&app.db, &report, None).await?;
    let body = store::body(&app.db, region.as_str(), &month.key(), Some(1))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("issued report missing")))?;
    Ok((body, created))
}

async fn one(
    app: &App,
    region: &RegionCode,
    month: ScorePeriod,
    issue: &Issue,
) -> Result<MonthlyReport, AppError> {
    build::build(app, std::slice::from_ref(region), month, issue)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no report built")))
}

/// A correction: the next version, recomputed now, with its reason. Two corrections at once:
/// one is kept, the other answered 409.
pub async fn correct(
    app: &App,
    actor: &Actor,
    region: &RegionCode,
    month: ScorePeriod,
    reason: &str,
) -> Result<String, AppError> {
    let reason = reason.trim();
    if reason.chars().count() < 2 || reason.chars().count() > 500 {
        return Err(AppError::validation("reason", "请填写更正原因（2至500字）"));
    }
    let latest = store::latest_version(&app.db, region.as_str(), &month.key()).await?;
    if latest == 0 {
        return Err(AppError::NotFound("该地区该月的月报尚未生成".into()));
    }
    let issue = Issue {
        version: latest + 1,
        reason: Some(reason.to_owned()),
        issued_at: app.clock.now(),
        issued_by: format!("{}（{}）", actor.name, actor.region_name),
    };
    let report = one(app, region, month, &issue).await?;
    if !store::insert(&app.db, &report, Some(actor.id.0)).await? {
        return Err(AppError::Conflict {
            message: "该月报刚刚已有新的更正版本，请刷新后再试".into(),
            fields: Default::default(),
        });
    }
    store::body(&app.db, region.as_str(), &month.key(), Some(issue.version))
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("corrected report missing")))
}
