//! Writes reports from the ledger as it stands. Several regions are built together: each month's
//! figures are read once for all of them (the province's totals, then the totals of every child
//! of each parent: one grouped read per parent), and the month's score sheet once.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use tianfu_domain::{RegionCode, RegionLevel};

use super::model::{self, FigureLine, MonthlyReport, RankLine, ScoreCard};
use crate::ledger::catalogue;
use crate::ledger::rollup::{self, Totals};
use crate::performance::measures;
use crate::performance::scores::period::ScorePeriod;
use crate::performance::scores::rules::RegionScore;
use crate::performance::scores::service::{self, ScoreSheet};
use crate::platform::error::AppError;
use crate::platform::page::url_encode;
use crate::platform::period::Period;
use crate::platform::scope::RegionScope;
use crate::{App, on_db};

type Figures = HashMap<String, BTreeMap<&'static str, f64>>;

/// Who issues and why.
pub struct Issue {
    pub version: i32,
    pub reason: Option<String>,
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
}

/// Every ledger figure of each region for a period, the reads grouped by parent.
async fn figures(app: &App, codes: &[RegionCode], period: Period) -> Result<Figures, AppError> {
    let mut totals: HashMap<String, Totals> = HashMap::new();
    let mut parents: Vec<String> = Vec::new();
    for code in codes {
        match code.parent() {
            // A lone region is read alone; siblings are read together through their parent.
            Some(parent) if codes.len() > 1 => parents.push(parent.as_str().to_owned()),
            _ => {
                let own =
                    rollup::region_totals(&app.db, code.as_str(), period.from, period.to).await?;
                totals.insert(code.as_str().to_owned(), own);
            }
        }
    }
    parents.sort();
    parents.dedup();
    for parent in parents {
        totals.extend(rollup::children_totals(&app.db, &parent, period.from, period.to).await?);
    }
    let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    Ok(rollup::figures_of(&app.db, &totals, &names, period.from, period.to).await?)
}

/// True when the ledger has anything on or before `day`.
async fn ledger_reaches(app: &App, day: NaiveDate) -> Result<bool, AppError> {
    // The province's rows hold every event's day; reading them walks the key, not the table.
    const SQL: &str = "SELECT MIN(day) FROM ledger_daily WHERE region_code = '51'";
    let first: Option<String> =
        on_db!(&app.db, pool => sqlx::query_scalar(SQL).fetch_one(pool).await)?;
    Ok(first.is_some_and(|f| f <= day.format("%Y-%m-%d").to_string()))
}

fn shown(metric: &str, value: f64) -> String {
    measures::named(metric).map_or_else(|| format!("{value}"), |m| m.shown(value))
}

fn figure_lines(
    code: &str,
    days: Period,
    now: &BTreeMap<&'static str, f64>,
    before: Option<&BTreeMap<&'static str, f64>>,
    last_year: Option<&BTreeMap<&'static str, f64>>,
) -> Vec<FigureLine> {
    catalogue::METRICS
        .iter()
        .map(|m| {
            let value = now.get(m.name).copied().unwrap_or(0.0);
            let previous = before.and_then(|b| b.get(m.name)).copied().unwrap_or(0.0);
            let (change, change_percent) = model::change(value, previous);
            let year = last_year.map(|y| y.get(m.name).copied().unwrap_or(0.0));
            FigureLine {
                metric: m.name.to_owned(),
                label: m.label.to_owned(),
                value,
                shown: shown(m.name, value),
                previous,
                previous_shown: shown(m.name, previous),
                change,
                change_percent,
                last_year: year,
                last_year_shown: year.map(|y| shown(m.name, y)),
                year_change_percent: year.and_then(|y| model::change(value, y).1),
                evidence: format!(
                    "/admin/stats/events?region_code={}&metric={}&from={}&to={}",
                    url_encode(code),
                    m.name,
                    days.from,
                    days.to
                ),
            }
        })
        .collect()
}

fn card(score: &RegionScore, of: usize, sheet: &ScoreSheet) -> ScoreCard {
    ScoreCard {
        total: score.total,
        rank: score.rank,
        rank_of: of,
        rank_in_city: score.rank_in_city,
        total_change: score.total_change,
        rank_change: score.rank_change,
        alert: score.alert,
        alert_below: sheet.alert_below,
        indicators: score.indicators.clone(),
        published: sheet.published,
        system_version: sheet.version,
    }
}

fn rank_line(score: &RegionScore, in_city: bool) -> RankLine {
    RankLine {
        region_code: score.region_code.clone(),
        name: score.name.clone(),
        total: score.total,
        rank: if in_city {
            score.rank_in_city
        } else {
            score.rank
        },
        rank_change: if in_city {
            score.rank_in_city_change
        } else {
            score.rank_change
        },
        alert: score.alert,
    }
}

/// The score card, the peers it is ranked among, and the ranking table of a region.
fn standing(
    code: &RegionCode,
    sheet: Option<&ScoreSheet>,
) -> (Option<(ScoreCard, String)>, Option<String>, Vec<RankLine>) {
    let Some(sheet) = sheet else {
        return (None, None, Vec::new());
    };
    match code.level() {
        RegionLevel::Province => {
            let ranking = sheet.cities.iter().map(|s| rank_line(s, false)).collect();
            (None, Some("各市（州）排名".into()), ranking)
        }
        RegionLevel::City => {
            let own = sheet.find(code.as_str()).map(|s| {
                let peers = format!("全省{}个市（州）", sheet.cities.len());
                (card(s, sheet.cities.len(), sheet), peers)
            });
            let mut counties: Vec<RankLine> = sheet
                .counties
                .iter()
                .filter(|c| c.parent_code.as_deref() == Some(code.as_str()))
                .map(|s| rank_line(s, true))
                .collect();
            counties.sort_by_key(|l| l.rank.unwrap_or(u32::MAX));
            (own, Some("所辖区县排名".into()), counties)
        }
        _ => {
            let own = sheet.find(code.as_str()).map(|s| {
                let peers = format!("全省{}个区县", sheet.counties.len());
                (card(s, sheet.counties.len(), sheet), peers)
            });
            (own, None, Vec::new())
        }
    }
}

/// The reports of `codes` for `month`, each as `issue` says.
pub async fn build(
    app: &App,
    codes: &[RegionCode],
    month: ScorePeriod,
    issue: &Issue,
) -> Result<Vec<MonthlyReport>, AppError> {
    let days = month.days();
    let now = figures(app, codes, days).await?;
    let before = figures(app, codes, month.previous().days()).await?;
    let year_days = model::year_before(month).days();
    let last_year_available = ledger_reaches(app, year_days.to).await?;
    let last_year = if last_year_available {
        Some(figures(app, codes, year_days).await?)
    } else {
        None
    };
    let sheet = match service::sheet(app, month).await {
        Ok(sheet) => Some(sheet),
        Err(AppError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let empty = BTreeMap::new();
    let mut reports = Vec::with_capacity(codes.len());
    for code in codes {
        let key = code.as_str();
        let figures = figure_lines(
            key,
            days,
            now.get(key).unwrap_or(&empty),
            before.get(key),
            last_year.as_ref().map(|y| y.get(key).unwrap_or(&empty)),
        );
        let nanny =
            crate::nanny::report::build(app, &RegionScope::Subtree(code.clone()), days).await?;
        let (score, ranking_title, ranking) = standing(code, sheet.as_ref());
        let region_name = app.regions.full_name(code);
        let summary = model::summary(
            &region_name,
            &month.label(),
            &figures,
            score.as_ref().map(|(c, p)| (c, p.as_str())),
            &nanny,
        );
        reports.push(MonthlyReport {
            region_code: key.to_owned(),
            level: level_name(code).to_owned(),
            region_name,
            month: month.key(),
            month_label: month.label(),
            from: days.from,
            to: days.to,
            version: issue.version,
            reason: issue.reason.clone(),
            issued_at: issue.issued_at,
            issued_by: issue.issued_by.clone(),
            summary,
            figures,
            last_year_available,
            score: score.map(|(c, _)| c),
            ranking_title,
            ranking,
            nanny,
        });
    }
    Ok(reports)
}

pub fn level_name(code: &RegionCode) -> &'static str {
    match code.level() {
        RegionLevel::Province => "province",
        RegionLevel::City => "city",
        _ => "county",
    }
}

/// Every region a report is issued for: the province, its cities and its counties.
pub fn all_regions(app: &App) -> Vec<RegionCode> {
    let (cities, counties) = service::units(app);
    std::iter::once(RegionCode::parse(service::PROVINCE).expect("the province's code"))
        .chain(cities)
        .chain(counties)
        .collect()
}
