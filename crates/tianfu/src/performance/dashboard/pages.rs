//! `/admin/performance`: the map of Sichuan coloured by a score or a figure (a click on a city
//! drills into its counties), the monthly trend, the ranking and the 通报; and
//! `/admin/performance/regions/{code}`: one region's score card, every figure a link to the
//! ledger rows it was counted from.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use chrono::Datelike;
use serde::Deserialize;
use tianfu_domain::RegionCode;

use super::data::{self, MapData};
use super::measure::{Colour, number_text, score_text};
use crate::performance::measures::{self, Source};
use crate::performance::scores::period::ScorePeriod;
use crate::performance::scores::rules::RegionScore;
use crate::performance::scores::service::{self, PROVINCE, ScoreSheet};
use crate::performance::scores::visible;
use crate::platform::auth::{Actor, PageStaff};
use crate::platform::clock::shanghai_date;
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::scope;
use crate::{App, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    year: Option<i32>,
    period: Option<String>,
    colour: Option<String>,
    city: Option<String>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct RankRow {
    pub rank: String,
    pub code: String,
    pub name: String,
    pub total: String,
    pub indicators: Vec<String>,
    pub change: String,
    pub alert: bool,
    pub card: String,
    pub drill: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "performance/dashboard.html")]
pub struct DashboardPage {
    me: Option<Actor>,
    year: i32,
    period: String,
    period_label: String,
    status: String,
    city: Option<(String, String)>,
    periods: Vec<Choice>,
    colours: Vec<Choice>,
    indicator_names: Vec<String>,
    rows: Vec<RankRow>,
    alerts: Vec<RankRow>,
    alert_below: String,
    map_json: String,
    trend_json: String,
    missing: Option<String>,
    /// Large deals signed in the period whose contracts await verification: (count, 万元).
    awaiting: Option<(i64, String)>,
}

fn periods(year: i32, selected: ScorePeriod, today: chrono::NaiveDate) -> Vec<Choice> {
    ScorePeriod::all_of(year)
        .into_iter()
        .filter(|p| p.days().from <= today || *p == selected)
        .rev()
        .map(|p| Choice {
            value: p.param(),
            label: p.label(),
            selected: p == selected,
        })
        .collect()
}

fn colours(sheet: &ScoreSheet, selected: &Colour) -> Vec<Choice> {
    let mut list = vec![Colour::Total];
    if let Some(first) = sheet.cities.first() {
        list.extend(first.indicators.iter().map(|i| Colour::Indicator {
            key: i.key.clone(),
            name: i.name.clone(),
        }));
    }
    list.extend(measures::all().into_iter().map(Colour::Figure));
    list.into_iter()
        .map(|c| Choice {
            value: c.param(),
            label: c.label(),
            selected: c.param() == selected.param(),
        })
        .collect()
}

/// The movement beside the rank shown: a county's within its city on a city's page.
fn change_text(line: &RegionScore, in_city: bool) -> String {
    let places = if in_city {
        line.rank_in_city_change
    } else {
        line.rank_change
    };
    match (places, line.total_change) {
        (Some(r), Some(t)) if r > 0 => format!("↑{r} 名（{t:+.1}）"),
        (Some(r), Some(t)) if r < 0 => format!("↓{} 名（{t:+.1}）", -r),
        (Some(_), Some(t)) => format!("持平（{t:+.1}）"),
        _ => "—".into(),
    }
}

fn card_link(code: &str, period: ScorePeriod) -> String {
    format!(
        "/admin/performance/regions/{code}?year={}&period={}",
        period.year,
        period.param()
    )
}

fn rank_row(line: &RegionScore, period: ScorePeriod, colour: &Colour, drill: bool) -> RankRow {
    RankRow {
        rank: line
            .rank_in_city
            .or(line.rank)
            .map_or("—".into(), |r| r.to_string()),
        code: line.region_code.clone(),
        name: line.name.clone(),
        total: score_text(line.total),
        indicators: line
            .indicators
            .iter()
            .map(|i| score_text(i.score))
            .collect(),
        change: change_text(line, line.rank_in_city.is_some()),
        alert: line.alert,
        card: card_link(&line.region_code, period),
        drill: drill.then(|| {
            format!(
                "/admin/performance?year={}&period={}&colour={}&city={}",
                period.year,
                period.param(),
                colour.param(),
                line.region_code
            )
        }),
    }
}

/// The period asked for: this month of this year when absent.
fn asked_period(
    app: &App,
    query_year: Option<i32>,
    text: Option<&str>,
) -> Result<ScorePeriod, AppError> {
    let today = shanghai_date(app.clock.now());
    let year = query_year.unwrap_or(today.year());
    match text.filter(|t| !t.is_empty()) {
        Some(t) => ScorePeriod::parse(year, Some(t)),
        None if year == today.year() => Ok(ScorePeriod::month_of(today)),
        None => ScorePeriod::parse(year, None),
    }
}

pub async fn dashboard(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Query(query): Query<DashboardQuery>,
) -> Result<DashboardPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let period = asked_period(&app, query.year, query.period.as_deref()).map_err(page_error)?;
    let today = shanghai_date(app.clock.now());
    let sheet = match service::sheet(&app, period).await {
        Ok(sheet) => sheet,
        Err(AppError::NotFound(message)) => {
            return Ok(empty_page(actor, period, today, message));
        }
        Err(e) => return Err(page_error(e)),
    };
    let colour = Colour::parse(query.colour.as_deref(), Some(&sheet));
    let city = query
        .city
        .as_deref()
        .and_then(|c| app.regions.find(c))
        .filter(|r| r.code.parent().is_some_and(|p| p.as_str() == PROVINCE))
        .map(|r| r.code.clone());
    let (lines, parent) = match &city {
        Some(code) => {
            let counties: Vec<RegionScore> = sheet
                .counties
                .iter()
                .filter(|c| c.parent_code.as_deref() == Some(code.as_str()))
                .cloned()
                .collect();
            (visible::lines(&actor, &sheet, &counties), code.to_string())
        }
        None => (
            visible::lines(&actor, &sheet, &sheet.cities),
            PROVINCE.to_owned(),
        ),
    };
    let values = data::map_values(&app, &actor, &colour, &lines, &parent, period)
        .await
        .map_err(page_error)?;
    let map = MapData {
        outline: parent.clone(),
        label: colour.label(),
        values,
        link: if city.is_some() {
            card_link("{code}", period)
        } else {
            format!(
                "/admin/performance?year={}&period={}&colour={}&city={{code}}",
                period.year,
                period.param(),
                colour.param()
            )
        },
    };
    let trend_region = city
        .clone()
        .unwrap_or_else(|| RegionCode::parse(PROVINCE).expect("province code"));
    // Outside their subtree staff see published scores only: the trend then leaves out the
    // live month, and no figures at all.
    let own_region = scope::can_view_region(&actor, &trend_region);
    let trend = if own_region || colour.is_score() {
        let live = (own_region || sheet.published).then_some(&sheet);
        Some(
            data::trend(&app, &colour, &trend_region, period.year, today, live)
                .await
                .map_err(page_error)?,
        )
    } else {
        None
    };
    let rows: Vec<RankRow> = lines
        .iter()
        .map(|l| rank_row(l, period, &colour, city.is_none()))
        .collect();
    let alerts = lines
        .iter()
        .filter(|l| l.alert)
        .map(|l| rank_row(l, period, &colour, false))
        .collect();
    let json = |v: &dyn erased::Json| v.text();
    // What official figures leave out until staff verify the contracts, for the region shown.
    let awaiting = if scope::can_view_region(&actor, &trend_region) {
        let days = period.days();
        let (count, fen) = crate::market::integrity::service::awaiting_verification(
            &app,
            &trend_region,
            days.from,
            days.to,
        )
        .await
        .map_err(page_error)?;
        (count > 0).then(|| (count, format!("{:.2}", fen as f64 / 1_000_000.0)))
    } else {
        None
    };
    Ok(DashboardPage {
        year: period.year,
        period: period.param(),
        period_label: period.label(),
        status: status_text(&sheet),
        city: city.map(|c| (c.to_string(), app.regions.full_name(&c))),
        periods: periods(period.year, period, shanghai_date(app.clock.now())),
        colours: colours(&sheet, &colour),
        indicator_names: sheet
            .cities
            .first()
            .map(|c| c.indicators.iter().map(|i| i.name.clone()).collect())
            .unwrap_or_default(),
        rows,
        alerts,
        alert_below: format!("{:.0}", sheet.alert_below),
        map_json: json(&map),
        trend_json: json(&trend),
        missing: None,
        awaiting,
        me: Some(actor),
    })
}

/// JSON for a `<script type="application/json">` block: `<` escaped so no text can close it.
mod erased {
    pub trait Json {
        fn text(&self) -> String;
    }

    impl<T: serde::Serialize> Json for T {
        fn text(&self) -> String {
            serde_json::to_string(self)
                .unwrap_or_else(|_| "null".into())
                .replace('<', "\\u003c")
        }
    }
}

fn status_text(sheet: &ScoreSheet) -> String {
    match sheet.published_at {
        Some(at) => format!(
            "已发布（{}，指标体系第{}版），数据不再变动",
            shanghai_date(at),
            sheet.version
        ),
        None => format!(
            "实时计算（指标体系第{}版，数据截至{}），本期结束后于次月1日发布，发布后不再变动",
            sheet.version,
            crate::platform::clock::shanghai(sheet.computed_at)
        ),
    }
}

fn empty_page(
    actor: Actor,
    period: ScorePeriod,
    today: chrono::NaiveDate,
    message: String,
) -> DashboardPage {
    DashboardPage {
        year: period.year,
        period: period.param(),
        period_label: period.label(),
        status: String::new(),
        city: None,
        periods: periods(period.year, period, today),
        colours: Vec::new(),
        indicator_names: Vec::new(),
        rows: Vec::new(),
        alerts: Vec::new(),
        alert_below: String::new(),
        map_json: "null".into(),
        trend_json: "null".into(),
        missing: Some(message),
        awaiting: None,
        me: Some(actor),
    }
}

pub struct CardLine {
    pub indicator: String,
    pub label: String,
    pub value: String,
    pub target: String,
    pub source: String,
    pub completion: String,
    pub score: String,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "performance/region.html")]
pub struct RegionPage {
    me: Option<Actor>,
    name: String,
    period_label: String,
    status: String,
    total: String,
    rank: String,
    change: String,
    alert: bool,
    indicators: Vec<(String, String, String)>,
    lines: Vec<CardLine>,
    back: String,
    full: bool,
}

fn evidence(line_metric: &str, code: &str, sheet: &ScoreSheet) -> String {
    match measures::named(line_metric).map(|m| m.source) {
        Some(Source::Ledger(m)) => format!(
            "/admin/stats/events?region_code={code}&metric={}&from={}&to={}",
            m.name, sheet.from, sheet.to
        ),
        _ => format!(
            "/admin/tickets/report?region_code={code}&from={}&to={}",
            sheet.from, sheet.to
        ),
    }
}

pub async fn region(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Path(code): Path<String>,
    Query(query): Query<DashboardQuery>,
) -> Result<RegionPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let period = asked_period(&app, query.year, query.period.as_deref()).map_err(page_error)?;
    let sheet = service::sheet(&app, period).await.map_err(page_error)?;
    let line = sheet
        .find(&code)
        .cloned()
        .ok_or_else(|| page_error(AppError::not_found("该地区的得分")))?;
    let region = RegionCode::parse(&code).map_err(|_| page_error(AppError::not_found("地区")))?;
    let full = scope::can_view_region(&actor, &region);
    if !full && !sheet.published {
        return Err(page_error(AppError::Forbidden(
            "本期得分尚未发布，您只能查看本辖区的得分".into(),
        )));
    }
    let lines = if full {
        line.metrics
            .iter()
            .map(|m| {
                let measurable = measures::named(&m.metric);
                let shown = |v: f64| match measurable {
                    Some(x) if x.is_rate() || x.is_amount() => x.shown(v),
                    _ => number_text(v),
                };
                CardLine {
                    indicator: line
                        .indicators
                        .iter()
                        .find(|i| i.key == m.indicator)
                        .map(|i| i.name.clone())
                        .unwrap_or_default(),
                    label: format!("{}（{}）", m.label, m.normalise.label()),
                    value: shown(m.value),
                    target: m.target.map_or("—".into(), shown),
                    source: m.target_source.clone(),
                    completion: m
                        .completion
                        .map_or("—".into(), |c| format!("{:.1}%", c * 100.0)),
                    score: score_text(m.score),
                    href: evidence(&m.metric, &code, &sheet),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(RegionPage {
        name: app.regions.full_name(&region),
        period_label: sheet.period_label.clone(),
        status: status_text(&sheet),
        total: score_text(line.total),
        rank: match (line.rank, line.rank_in_city) {
            (Some(r), Some(c)) => format!("全省区县第{r}名，市内第{c}名"),
            (Some(r), None) => format!("全省第{r}名"),
            _ => "未排名（未设目标）".into(),
        },
        change: change_text(&line, false),
        alert: line.alert,
        // Outside the subtree only the total and rank are published, as in the API.
        indicators: line
            .indicators
            .iter()
            .filter(|_| full)
            .map(|i| {
                (
                    i.name.clone(),
                    format!("{:.0}", i.weight),
                    score_text(i.score),
                )
            })
            .collect(),
        lines,
        back: format!(
            "/admin/performance?year={}&period={}{}",
            period.year,
            period.param(),
            line.parent_code
                .filter(|p| p != PROVINCE)
                .map(|p| format!("&city={p}"))
                .unwrap_or_default()
        ),
        full,
        me: Some(actor),
    })
}
