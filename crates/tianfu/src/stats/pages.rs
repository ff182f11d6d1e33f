//! `/admin/stats`: the staff member's region and its children for a period, every figure a link
//! to the ledger rows it was counted from (`/admin/stats/events`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::service::{self, Period};
use crate::ledger::catalogue::{METRICS, Measure, Metric};
use crate::ledger::rollup;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, url_encode};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::staff::pages::{RegionOption, region_options};
use crate::{App, AppState};
use tianfu_domain::RegionCode;

#[derive(Debug, Default, Deserialize)]
pub struct StatsQuery {
    region_code: Option<String>,
    from: Option<String>,
    to: Option<String>,
    metric: Option<String>,
    page: Option<u32>,
}

/// A figure as a page shows it, with the link to its rows.
pub struct Cell {
    pub label: &'static str,
    pub name: &'static str,
    pub text: String,
    pub href: String,
}

pub struct Row {
    pub rank: usize,
    pub code: String,
    pub name: String,
    pub cells: Vec<Cell>,
}

pub struct MetricOption {
    pub name: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// The columns of the ranking table: the metric ranked by first, then the market's headline
/// figures.
const COLUMNS: &[&str] = &[
    "workers_registered",
    "needs_published",
    "deals_signed",
    "deals_amount_fen",
    "tickets_opened",
];

#[derive(Template, WebTemplate)]
#[template(path = "stats/overview.html")]
pub struct OverviewPage {
    me: Option<Actor>,
    region_name: String,
    from: String,
    to: String,
    regions: Vec<RegionOption>,
    metrics: Vec<MetricOption>,
    ranked_by: &'static str,
    total: Row,
    children: Vec<Row>,
}

fn shown(metric: &Metric, value: f64) -> String {
    match metric.measure {
        Measure::Amount => format!("{:.2}万元", value / 1_000_000.0),
        Measure::Hours => format!("{value:.1}"),
        Measure::Count | Measure::DistinctActors => format!("{value:.0}"),
    }
}

fn row(
    rank: usize,
    code: &str,
    name: String,
    figures: &std::collections::BTreeMap<&'static str, f64>,
    period: Period,
    metrics: &[&'static Metric],
) -> Row {
    Row {
        rank,
        code: code.to_owned(),
        name,
        cells: metrics
            .iter()
            .map(|m| Cell {
                label: m.label,
                name: m.name,
                text: shown(m, figures[m.name]),
                href: format!(
                    "/admin/stats/events?region_code={}&metric={}&from={}&to={}",
                    url_encode(code),
                    m.name,
                    period.from,
                    period.to
                ),
            })
            .collect(),
    }
}

/// The period, region and metric a page asks for, if the staff member may read them.
async fn asked(
    app: &App,
    actor: &Actor,
    query: &StatsQuery,
    ip: Option<&str>,
) -> Result<(Period, RegionCode, &'static Metric), AppError> {
    let period = service::period(query.from.as_deref(), query.to.as_deref(), app.clock.now())?;
    let region = service::readable(app, Some(actor), &chosen(actor, query), true, ip).await?;
    let metric = service::metric(query.metric.as_deref(), "deals_signed")?;
    Ok((period, region, metric))
}

/// The staff member's own region unless they chose one within their scope.
fn chosen(actor: &Actor, query: &StatsQuery) -> String {
    query
        .region_code
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| match staff_scope(actor) {
            Some(RegionScope::Subtree(root)) => root.to_string(),
            _ => service::PROVINCE.to_owned(),
        })
}

pub async fn overview(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<StatsQuery>,
) -> Result<OverviewPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let (period, region, metric) = asked(&app, &actor, &query, ip.as_deref())
        .await
        .map_err(page_error)?;
    let own = service::figures(&app, &region, period)
        .await
        .map_err(page_error)?;
    let children = service::children(&app, &region, period, metric)
        .await
        .map_err(page_error)?;
    let all: Vec<&'static Metric> = METRICS.iter().collect();
    let columns: Vec<&'static Metric> = std::iter::once(metric)
        .chain(
            COLUMNS
                .iter()
                .filter(|c| **c != metric.name)
                .filter_map(|c| crate::ledger::catalogue::metric_named(c)),
        )
        .collect();
    Ok(OverviewPage {
        region_name: own.region_name.clone(),
        from: period.from.to_string(),
        to: period.to.to_string(),
        regions: region_options(
            &app,
            &staff_scope(&actor).unwrap_or(RegionScope::All),
            true,
            region.as_str(),
        ),
        metrics: METRICS
            .iter()
            .map(|m| MetricOption {
                name: m.name,
                label: m.label,
                selected: m.name == metric.name,
            })
            .collect(),
        ranked_by: metric.label,
        total: row(
            0,
            region.as_str(),
            own.region_name.clone(),
            &own.metrics,
            period,
            &all,
        ),
        children: children
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let name = c.region_name.clone();
                row(i + 1, &c.region_code, name, &c.metrics, period, &columns)
            })
            .collect(),
        me: Some(actor),
    })
}

pub struct EventLine {
    pub id: i64,
    pub at: String,
    pub region: String,
    pub kind: String,
    pub subject: String,
    /// Where the subject can be opened, if it has a page.
    pub subject_href: Option<String>,
    pub actor: String,
    pub amount: String,
    pub weight: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "stats/events.html")]
pub struct EventsPage {
    me: Option<Actor>,
    region_name: String,
    metric_label: &'static str,
    from: String,
    to: String,
    figure: String,
    total: i64,
    lines: Vec<EventLine>,
    pager: Pager,
    pager_base: String,
    back: String,
}

pub async fn events(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<StatsQuery>,
) -> Result<EventsPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let (period, region, metric) = asked(&app, &actor, &query, ip.as_deref())
        .await
        .map_err(page_error)?;
    let paging = Paging {
        page: query.page,
        per_page: Some(50),
    };
    let (rows, total) = service::evidence(&app, &region, period, metric, paging)
        .await
        .map_err(page_error)?;
    let figure = rollup::figure(&app.db, region.as_str(), metric, period.from, period.to)
        .await
        .map_err(|e| page_error(e.into()))?;
    let actors: Vec<i64> = rows.iter().filter_map(|r| r.actor_id).collect();
    let names = service::names(&app, &actors).await.map_err(page_error)?;
    let base = format!(
        "/admin/stats/events?region_code={}&metric={}&from={}&to={}",
        url_encode(region.as_str()),
        metric.name,
        period.from,
        period.to
    );
    Ok(EventsPage {
        region_name: app.regions.full_name(&region),
        metric_label: metric.label,
        from: period.from.to_string(),
        to: period.to.to_string(),
        figure: shown(metric, figure),
        total,
        lines: rows
            .into_iter()
            .map(|r| EventLine {
                id: r.id,
                at: shanghai(r.at),
                region: app.regions.full_name_of(&r.region_code),
                kind: r.kind().map_or(r.kind.clone(), |k| k.label().to_owned()),
                subject: format!("{} #{}", subject_label(&r.subject_kind), r.subject_id),
                subject_href: subject_href(&r.subject_kind, r.subject_id),
                actor: r.actor_id.map_or("系统".to_owned(), |a| {
                    names
                        .get(&a)
                        .cloned()
                        .unwrap_or_else(|| format!("用户 #{a}"))
                }),
                amount: r
                    .amount_fen
                    .map_or(String::new(), |f| format!("{:.2}元", f as f64 / 100.0)),
                weight: r.weight,
            })
            .collect(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!("{base}&"),
        back: format!(
            "/admin/stats?region_code={}&from={}&to={}",
            url_encode(region.as_str()),
            period.from,
            period.to
        ),
        me: Some(actor),
    })
}

/// How a page names what an event is about.
fn subject_label(kind: &str) -> &str {
    match kind {
        "offer" => "科技所能",
        "achievement" => "科技成果",
        "need" => "科技所需",
        "deal" => "交易",
        "inquiry" => "洽谈",
        "studio" => "科创工作室",
        "recommendation" => "推荐",
        "person" => "一人一策服务单",
        "fair" => "科创会项目服务单",
        "fair_project" => "科创会项目",
        "worker" | "org" | "public" | "volunteer" => "用户",
        "resource" => "科普资源",
        "question" => "科普问答",
        "push" => "精准推送",
        "activity" => "科普活动",
        other => other,
    }
}

fn subject_href(kind: &str, id: i64) -> Option<String> {
    match kind {
        "offer" | "achievement" | "need" => Some(format!("/{kind}s/{id}")),
        "studio" => Some(format!("/studios/{id}")),
        "resource" => Some(format!("/kepu/resources/{id}")),
        "question" => Some(format!("/kepu/questions/{id}")),
        "activity" => Some(format!("/kepu/activities/{id}")),
        _ => None,
    }
}
