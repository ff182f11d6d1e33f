//! The report page (figures, the twelve-month trend, the people sortable by any column) with
//! its Excel export.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::report::{Report, department_label};
use super::report_api::{ReportQuery, report_for};
use crate::AppState;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, url_encode};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::staff::pages::{RegionOption, region_options};

pub struct NannyRow {
    pub name: String,
    pub phone: String,
    pub region: String,
    pub department: &'static str,
    pub active: i64,
    pub overdue_now: i64,
    pub followups: i64,
    pub on_time: String,
    pub closed_with_deal: i64,
    pub rating: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "nanny/report.html")]
pub struct ReportPage {
    me: Option<Actor>,
    r: Report,
    regions: Vec<RegionOption>,
    on_time: String,
    per_staff: String,
    first_contact: String,
    nannies: Vec<NannyRow>,
    export_href: String,
    /// The column headers, each a link sorting by it.
    columns: Vec<Column>,
    /// The twelve months' trend as JSON for the chart, and as rows for the table beside it.
    trend_json: String,
    trend: super::trend::Trend,
}

/// A sortable column of the people table.
pub struct Column {
    pub label: &'static str,
    pub href: String,
    /// ▲ or ▼ on the column sorted by, else empty.
    pub arrow: &'static str,
}

/// The people table's columns: (key, label).
const COLUMNS: &[(&str, &str)] = &[
    ("name", "姓名"),
    ("region", "地区"),
    ("active", "跟进中"),
    ("overdue", "当前逾期"),
    ("followups", "跟进次数"),
    ("on_time", "按时完成率"),
    ("deals", "签约办结"),
    ("rating", "平均评分"),
];

#[derive(Debug, Default, serde::Deserialize)]
pub struct SortQuery {
    sort: Option<String>,
    /// asc or desc (the default).
    dir: Option<String>,
}

/// Sorts the people by a column: numbers highest first unless `asc`; names in order.
fn sort_lines(lines: &mut [super::report::NannyLine], key: &str, asc: bool) {
    let rate = |v: Option<f64>| v.unwrap_or(-1.0);
    lines.sort_by(|a, b| {
        let order = match key {
            "name" => a.name.cmp(&b.name),
            "region" => a.region_code.cmp(&b.region_code),
            "active" => a.active.cmp(&b.active),
            "overdue" => a.overdue_now.cmp(&b.overdue_now),
            "followups" => a.followups.cmp(&b.followups),
            "on_time" => rate(a.on_time_rate()).total_cmp(&rate(b.on_time_rate())),
            "deals" => a.closed_with_deal.cmp(&b.closed_with_deal),
            "rating" => rate(a.average_rating()).total_cmp(&rate(b.average_rating())),
            _ => std::cmp::Ordering::Equal,
        };
        if asc { order } else { order.reverse() }
    });
}

fn percent(value: Option<f64>) -> String {
    value.map_or("—".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

fn one_decimal(value: Option<f64>) -> String {
    value.map_or("—".to_owned(), |v| format!("{v:.1}"))
}

pub async fn report(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<ReportQuery>,
    Query(sort): Query<SortQuery>,
) -> Result<ReportPage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let mut r = report_for(&app, &actor, &query, ip.as_deref())
        .await
        .map_err(fail)?;
    let key = sort
        .sort
        .as_deref()
        .filter(|k| COLUMNS.iter().any(|(c, _)| c == k))
        .unwrap_or("");
    let asc = sort.dir.as_deref() == Some("asc");
    if !key.is_empty() {
        sort_lines(&mut r.nannies, key, asc);
    }
    let base = format!(
        "/admin/tickets/report?region_code={}&from={}&to={}",
        url_encode(&r.region_code),
        r.from,
        r.to
    );
    let columns = COLUMNS
        .iter()
        .map(|(k, label)| {
            let current = *k == key;
            // Names read A to Z first; figures highest first; a second click reverses.
            let first_asc = matches!(*k, "name" | "region");
            let next_asc = if current { !asc } else { first_asc };
            Column {
                label,
                href: format!(
                    "{base}&sort={k}&dir={}",
                    if next_asc { "asc" } else { "desc" }
                ),
                arrow: match (current, asc) {
                    (false, _) => "",
                    (true, true) => "▲",
                    (true, false) => "▼",
                },
            }
        })
        .collect();
    let ledger_region = if r.region_code.is_empty() {
        "51".to_owned()
    } else {
        r.region_code.clone()
    };
    let trend = super::trend::last_twelve_months(&app, &ledger_region)
        .await
        .map_err(|e| fail(e.into()))?;
    let trend_json = serde_json::to_string(&trend)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c");
    let nannies = r
        .nannies
        .iter()
        .map(|n| NannyRow {
            phone: n.phone.clone().unwrap_or_default(),
            name: n.name.clone(),
            region: app.regions.full_name_of(&n.region_code),
            department: department_label(&n.department),
            active: n.active,
            overdue_now: n.overdue_now,
            followups: n.followups,
            on_time: percent(n.on_time_rate()),
            closed_with_deal: n.closed_with_deal,
            rating: one_decimal(n.average_rating()),
        })
        .collect();
    let export_href = format!(
        "/admin/tickets/report.xlsx?region_code={}&from={}&to={}",
        url_encode(&r.region_code),
        r.from,
        r.to
    );
    Ok(ReportPage {
        regions: region_options(
            &app,
            &staff_scope(&actor).unwrap_or(RegionScope::All),
            true,
            &r.region_code,
        ),
        on_time: percent(r.on_time_rate),
        per_staff: one_decimal(r.tickets_per_staff),
        first_contact: one_decimal(r.avg_hours_to_first_contact),
        me: Some(actor),
        r,
        nannies,
        export_href,
        columns,
        trend_json,
        trend,
    })
}

pub async fn export(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let r = report_for(&app, &actor, &query, ip.as_deref())
        .await
        .map_err(page_error)?;
    let bytes =
        super::report::to_xlsx(&app, &r).map_err(|e| page_error(AppError::Internal(e.into())))?;
    let filename = format!(
        "nanny-report-{}-{}-{}.xlsx",
        if r.region_code.is_empty() {
            "all"
        } else {
            &r.region_code
        },
        r.from,
        r.to
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
