//! The data behind the dashboard's charts: the values the map is coloured by, and the monthly
//! trend of one region, as JSON the page hands to ECharts.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use tianfu_domain::RegionCode;

use super::measure::Colour;
use crate::App;
use crate::performance::measures;
use crate::performance::scores::period::{ScorePeriod, Span};
use crate::performance::scores::rules::RegionScore;
use crate::performance::scores::service::{self, PROVINCE};
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;

#[derive(Debug, Serialize)]
pub struct MapValue {
    pub code: String,
    pub name: String,
    pub value: Option<f64>,
    pub text: String,
}

#[derive(Debug, Serialize)]
pub struct MapData {
    /// The outline to draw: the province ("51") or a city.
    pub outline: String,
    pub label: String,
    pub values: Vec<MapValue>,
    /// Where a click on a region goes, with `{code}` in it.
    pub link: String,
}

#[derive(Debug, Serialize)]
pub struct Trend {
    pub label: String,
    pub region: String,
    pub months: Vec<String>,
    pub values: Vec<Option<f64>>,
}

/// The values of `lines` (the regions shown) for the colour: scores from the lines, figures read
/// for the regions the actor may see.
pub async fn map_values(
    app: &App,
    actor: &Actor,
    colour: &Colour,
    lines: &[RegionScore],
    parent: &str,
    period: ScorePeriod,
) -> Result<Vec<MapValue>, AppError> {
    let figures = match colour {
        Colour::Figure(_) => {
            let codes: Vec<&str> = lines
                .iter()
                .filter(|l| {
                    RegionCode::parse(&l.region_code)
                        .is_ok_and(|c| scope::can_view_region(actor, &c))
                })
                .map(|l| l.region_code.as_str())
                .collect();
            if codes.is_empty() {
                Default::default()
            } else {
                measures::values_of(app, &codes, &[parent], period.days()).await?
            }
        }
        _ => Default::default(),
    };
    Ok(lines
        .iter()
        .map(|line| {
            let value = match colour {
                Colour::Figure(m) => figures
                    .get(&line.region_code)
                    .and_then(|v| v.get(m.name).copied()),
                _ => colour.score_of(line),
            };
            MapValue {
                code: line.region_code.clone(),
                name: line.name.clone(),
                text: value.map_or_else(|| "—".to_owned(), |v| colour.shown(v)),
                value,
            }
        })
        .collect())
}

/// Month by month through the year up to today: a figure read from the rollups; a score from
/// the published months (and the month shown, if live).
pub async fn trend(
    app: &App,
    colour: &Colour,
    region: &RegionCode,
    year: i32,
    today: NaiveDate,
    live: Option<&service::ScoreSheet>,
) -> Result<Trend, AppError> {
    let last = if year < today.year() {
        12
    } else {
        today.month()
    };
    let mut months = Vec::new();
    let mut values = Vec::new();
    for month in 1..=last {
        let period = ScorePeriod {
            year,
            span: Span::Month(month),
        };
        months.push(format!("{month}月"));
        let value = match colour {
            Colour::Figure(m) => {
                let code = region.as_str();
                let by_region = measures::values_of(app, &[code], &[], period.days()).await?;
                by_region.get(code).and_then(|v| v.get(m.name).copied())
            }
            _ => {
                let sheet = match live.filter(|s| s.period == period.key()) {
                    Some(sheet) => Some(sheet.clone()),
                    None => service::published(app, period).await?,
                };
                sheet.and_then(|s| {
                    if region.as_str() == PROVINCE {
                        // The province's score: the mean of its cities'.
                        let totals: Vec<f64> =
                            s.cities.iter().filter_map(|c| colour.score_of(c)).collect();
                        (!totals.is_empty())
                            .then(|| totals.iter().sum::<f64>() / totals.len() as f64)
                    } else {
                        s.find(region.as_str()).and_then(|l| colour.score_of(l))
                    }
                })
            }
        };
        values.push(value);
    }
    Ok(Trend {
        label: colour.label(),
        region: app.regions.full_name(region),
        months,
        values,
    })
}
