//! The score sheet of a period: every city and county of the province scored, ranked and
//! compared with the previous period. A period that has ended can be published: its sheet is
//! then kept as computed (with the system version of that moment) and served from the store,
//! so that neither new events nor a new version of the system change it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tianfu_domain::{RegionCode, RegionLevel};
use utoipa::ToSchema;

use super::period::ScorePeriod;
use super::rules::{self, RegionScore};
use crate::performance::indicators::model::IndicatorSystem;
use crate::performance::indicators::store as systems;
use crate::performance::measures;
use crate::platform::clock::shanghai_date;
use crate::platform::error::AppError;
use crate::{App, on_db};

pub const PROVINCE: &str = "51";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScoreSheet {
    pub year: i32,
    /// 2026, 2026-Q3 or 2026-07.
    pub period: String,
    pub period_label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The indicator system version the scores were computed with.
    pub version: i32,
    /// True once the province published the period: the scores no longer change.
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub computed_at: DateTime<Utc>,
    pub alert_below: f64,
    pub cities: Vec<RegionScore>,
    pub counties: Vec<RegionScore>,
}

impl ScoreSheet {
    pub fn find(&self, code: &str) -> Option<&RegionScore> {
        self.cities
            .iter()
            .chain(&self.counties)
            .find(|s| s.region_code == code)
    }
}

fn no_system(year: i32) -> AppError {
    AppError::NotFound(format!("{year}年度尚未制定指标体系"))
}

/// The cities of the province and the counties of each.
pub fn units(app: &App) -> (Vec<RegionCode>, Vec<RegionCode>) {
    let province = RegionCode::parse(PROVINCE).expect("the province's code");
    let cities: Vec<RegionCode> = app
        .regions
        .children(Some(&province))
        .into_iter()
        .map(|r| r.code.clone())
        .collect();
    let counties = cities
        .iter()
        .flat_map(|c| app.regions.children(Some(c)))
        .filter(|r| r.level() == RegionLevel::County)
        .map(|r| r.code.clone())
        .collect();
    (cities, counties)
}

/// Scores every unit with `system`, without movement.
pub async fn compute_with(
    app: &App,
    system: &IndicatorSystem,
    period: ScorePeriod,
) -> Result<ScoreSheet, AppError> {
    let (cities, counties) = units(app);
    let days = period.days();
    let city_codes: Vec<&str> = cities.iter().map(|c| c.as_str()).collect();
    let county_codes: Vec<&str> = counties.iter().map(|c| c.as_str()).collect();
    let city_values = measures::values_of(app, &city_codes, &[PROVINCE], days).await?;
    let county_values = measures::values_of(app, &county_codes, &city_codes, days).await?;
    let empty = Default::default();
    let score_all = |codes: &[RegionCode], values: &std::collections::HashMap<String, _>| {
        let mut scores: Vec<RegionScore> = codes
            .iter()
            .map(|code| {
                let v = values.get(code.as_str()).unwrap_or(&empty);
                rules::score(system, &app.regions, code, v, period.fraction())
            })
            .collect();
        rules::rank(&mut scores);
        scores
    };
    Ok(ScoreSheet {
        year: period.year,
        period: period.key(),
        period_label: period.label(),
        from: days.from,
        to: days.to,
        version: system.version,
        published: false,
        published_at: None,
        computed_at: app.clock.now(),
        alert_below: system.alert_below,
        cities: score_all(&cities, &city_values),
        counties: score_all(&counties, &county_values),
    })
}

/// The kept sheet of a published period.
pub async fn published(app: &App, period: ScorePeriod) -> Result<Option<ScoreSheet>, AppError> {
    const SQL: &str = "SELECT body FROM performance_scores WHERE period = $1";
    let body: Option<String> = on_db!(&app.db, pool => sqlx::query_scalar(SQL).bind(period.key()).fetch_optional(pool).await)?;
    body.map(|b| serde_json::from_str(&b).map_err(|e| AppError::Internal(e.into())))
        .transpose()
}

/// A period's sheet without movement: kept if published, else computed with the version in force.
async fn bare(app: &App, period: ScorePeriod) -> Result<Option<ScoreSheet>, AppError> {
    if let Some(kept) = published(app, period).await? {
        return Ok(Some(kept));
    }
    match systems::find(&app.db, period.year, None).await? {
        Some(system) => Ok(Some(compute_with(app, &system, period).await?)),
        None => Ok(None),
    }
}

/// The sheet of a period as everyone sees it: the kept one once published; until then computed
/// now, with movement since the previous period.
pub async fn sheet(app: &App, period: ScorePeriod) -> Result<ScoreSheet, AppError> {
    if let Some(kept) = published(app, period).await? {
        return Ok(kept);
    }
    let system = systems::find(&app.db, period.year, None)
        .await?
        .ok_or_else(|| no_system(period.year))?;
    let ttl = std::time::Duration::from_secs(app.config.scores_cache_seconds);
    if let Some(shared) = app.score_sheets.get(&period.key(), system.version, ttl) {
        return Ok((*shared).clone());
    }
    let mut sheet = compute_with(app, &system, period).await?;
    if let Some(previous) = bare(app, period.previous()).await? {
        rules::compare(&mut sheet.cities, &previous.cities);
        rules::compare(&mut sheet.counties, &previous.counties);
    }
    if !ttl.is_zero() {
        app.score_sheets.put(std::sync::Arc::new(sheet.clone()));
    }
    Ok(sheet)
}

/// Publishes an ended period: computes its sheet and keeps it. Publishing twice keeps the first
/// (the key is unique); answers the kept sheet.
pub async fn publish(app: &App, period: ScorePeriod) -> Result<ScoreSheet, AppError> {
    let today = shanghai_date(app.clock.now());
    if !period.has_ended(today) {
        return Err(AppError::validation(
            "period",
            format!("{}尚未结束，结束后才能发布", period.label()),
        ));
    }
    if let Some(kept) = published(app, period).await? {
        return Ok(kept);
    }
    rollup_is_current(app, period).await?;
    let mut sheet = sheet(app, period).await?;
    let now = app.clock.now();
    sheet.published = true;
    sheet.published_at = Some(now);
    let body = serde_json::to_string(&sheet).map_err(|e| AppError::Internal(e.into()))?;
    const SQL: &str = "INSERT INTO performance_scores (period, year, version, body, published_at) \
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (period) DO NOTHING";
    on_db!(&app.db, pool => sqlx::query(SQL)
        .bind(&sheet.period).bind(sheet.year).bind(sheet.version).bind(&body).bind(now)
        .execute(pool).await.map(|done| done.rows_affected()))?;
    published(app, period)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("published sheet missing")))
}

/// Refuses (409) while the rollup has not yet applied every event of the period: a kept sheet
/// must hold them all.
async fn rollup_is_current(app: &App, period: ScorePeriod) -> Result<(), AppError> {
    let position =
        crate::ledger::follow::position(app, crate::ledger::rollup::FOLLOWER.name).await?;
    let (_, end) = period.days().bounds();
    const SQL: &str = "SELECT COUNT(*) FROM ledger_events WHERE id > $1 AND at < $2";
    let pending: i64 = on_db!(&app.db, pool => sqlx::query_scalar(SQL).bind(position).bind(end).fetch_one(pool).await)?;
    if pending > 0 {
        return Err(AppError::Conflict {
            message: format!("台账汇总尚有{pending}条记录未完成，请稍后再发布"),
            fields: tianfu_domain::FieldErrors::new(),
        });
    }
    Ok(())
}

/// Publishes every ended period of this year and the last that has a system and is not yet
/// published (the job on the 1st of each month; idempotent). Answers what it published.
pub async fn publish_due(app: &App) -> Result<Vec<String>, AppError> {
    let today = shanghai_date(app.clock.now());
    let mut done = Vec::new();
    for year in [
        chrono::Datelike::year(&today) - 1,
        chrono::Datelike::year(&today),
    ] {
        if systems::find(&app.db, year, None).await?.is_none() {
            continue;
        }
        for period in ScorePeriod::all_of(year) {
            if period.has_ended(today) && published(app, period).await?.is_none() {
                publish(app, period).await?;
                done.push(period.key());
            }
        }
    }
    Ok(done)
}
