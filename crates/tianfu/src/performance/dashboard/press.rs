//! `/press`: the province's headline figures for the press — open to anyone, read from the same
//! ledger rollups as every figure staff see, this year so far beside the same days of last year,
//! with the months of this year as a chart.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::AppState;
use crate::ledger::catalogue;
use crate::ledger::rollup;
use crate::performance::measures::{self, Measurable};
use crate::performance::scores::service::PROVINCE;
use crate::platform::auth::{Actor, MaybeUser};
use crate::platform::clock::{shanghai, shanghai_date};
use crate::platform::error::AppError;
use crate::platform::page::PageError;

/// The figures the press quotes, in the order the province's reports name them.
const HEADLINE: &[&str] = &[
    "workers_registered",
    "orgs_registered",
    "studios_opened",
    "offers_published",
    "needs_published",
    "deals_signed",
    "deals_amount_fen",
    "transfers",
    "kepu_services",
    "kepu_people_served",
    "questions_answered",
    "volunteer_hours",
];

pub struct Headline {
    pub label: &'static str,
    pub value: String,
    pub last_year: String,
}

#[derive(Serialize)]
struct Series {
    name: &'static str,
    values: Vec<f64>,
}

#[derive(Serialize)]
struct PressTrend {
    months: Vec<String>,
    series: Vec<Series>,
}

#[derive(Template, WebTemplate)]
#[template(path = "performance/press.html")]
pub struct PressPage {
    me: Option<Actor>,
    year: i32,
    through: String,
    updated: String,
    headlines: Vec<Headline>,
    trend_json: String,
}

/// The same date a year before (28 February for a 29th).
fn same_day_last_year(day: NaiveDate) -> NaiveDate {
    day.with_year(day.year() - 1)
        .or_else(|| NaiveDate::from_ymd_opt(day.year() - 1, 2, 28))
        .unwrap_or(day)
}

pub async fn page(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
) -> Result<PressPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, me.clone());
    let now = app.clock.now();
    let today = shanghai_date(now);
    let start = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("1 January");
    let db = &app.db;
    let read = |from, to| async move {
        rollup::figures(db, PROVINCE, from, to)
            .await
            .map_err(AppError::from)
    };
    let this_year = read(start, today).await.map_err(page_error)?;
    let last_year = read(same_day_last_year(start), same_day_last_year(today))
        .await
        .map_err(page_error)?;
    let headlines = HEADLINE
        .iter()
        .filter_map(|name| measures::named(name))
        .map(|m: Measurable| Headline {
            label: m.label,
            value: m.shown(this_year.get(m.name).copied().unwrap_or(0.0)),
            last_year: m.shown(last_year.get(m.name).copied().unwrap_or(0.0)),
        })
        .collect();
    let charted = ["deals_signed", "needs_published", "kepu_services"];
    let mut trend = PressTrend {
        months: Vec::new(),
        series: charted
            .iter()
            .filter_map(|n| catalogue::metric_named(n))
            .map(|m| Series {
                name: m.label,
                values: Vec::new(),
            })
            .collect(),
    };
    for month in 1..=today.month() {
        let Some(days) = measures::days(today.year(), month..=month) else {
            continue;
        };
        let figures = read(days.from, days.to.min(today))
            .await
            .map_err(page_error)?;
        trend.months.push(format!("{month}月"));
        for (series, name) in trend.series.iter_mut().zip(charted) {
            series
                .values
                .push(figures.get(name).copied().unwrap_or(0.0));
        }
    }
    Ok(PressPage {
        year: today.year(),
        through: format!("{}月{}日", today.month(), today.day()),
        updated: shanghai(now),
        headlines,
        trend_json: serde_json::to_string(&trend)
            .unwrap_or_else(|_| "null".into())
            .replace('<', "\\u003c"),
        me,
    })
}
