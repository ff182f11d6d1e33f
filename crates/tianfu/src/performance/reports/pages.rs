//! `/admin/reports` (the list) and `/admin/reports/{region}/{month}` (the printable report, its
//! versions, the correction form; with `.xlsx` after the month, the Excel file).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::api::{ReportLine, lines, list_scope, month_filter};
use super::model::{MonthlyReport, parse_month};
use super::{ensure_readable, may_correct, service, store, xlsx};
use crate::AppState;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, url_encode};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::staff::pages::{RegionOption, region_options};

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    region_code: Option<String>,
    month: Option<String>,
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/list.html")]
pub struct ListPage {
    me: Option<Actor>,
    regions: Vec<RegionOption>,
    month: String,
    items: Vec<ReportLine>,
    pager: Pager,
    pager_base: String,
}

impl ListPage {
    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        crate::platform::clock::shanghai(*at)
    }
}

pub async fn list(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let month = month_filter(query.month.as_deref()).map_err(fail)?;
    let within = list_scope(&app, &actor, query.region_code.as_deref(), ip.as_deref())
        .await
        .map_err(fail)?;
    let paging = Paging {
        page: query.page,
        per_page: Some(50),
    };
    let found = lines(&app, &within, &month, paging).await.map_err(fail)?;
    let selected = match &within {
        RegionScope::Subtree(root) => root.to_string(),
        RegionScope::All => String::new(),
    };
    // Reports exist down to the counties only: no township in the choice.
    let mut regions = region_options(
        &app,
        &staff_scope(&actor).unwrap_or(RegionScope::All),
        true,
        &selected,
    );
    regions.retain(|r| r.code.len() <= 6);
    Ok(ListPage {
        pager: Pager::new(paging.page(), paging.per_page(), found.total),
        pager_base: format!(
            "/admin/reports?region_code={}&month={}&",
            url_encode(&selected),
            url_encode(&month)
        ),
        me: Some(actor),
        regions,
        month,
        items: found.items,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct VersionQuery {
    version: Option<i32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/report.html")]
pub struct ReportPage {
    me: Option<Actor>,
    r: MonthlyReport,
    versions: Vec<MonthlyReport>,
    latest: i32,
    can_correct: bool,
    xlsx_href: String,
    app: AppState,
}

impl ReportPage {
    fn percent(&self, value: &Option<f64>) -> String {
        value.map_or("—".to_owned(), |v| format!("{v:+.1}%"))
    }

    fn score(&self, value: &Option<f64>) -> String {
        value.map_or("—".to_owned(), |v| format!("{v:.1}"))
    }

    fn moved(&self, value: &Option<i32>) -> String {
        match value {
            Some(c) if *c > 0 => format!("↑{c}"),
            Some(c) if *c < 0 => format!("↓{}", -c),
            Some(_) => "—".to_owned(),
            None => "".to_owned(),
        }
    }

    fn rate(&self, value: &Option<f64>) -> String {
        value.map_or("—".to_owned(), |v| format!("{:.1}%", v * 100.0))
    }

    fn line_rate(&self, line: &crate::nanny::report::NannyLine) -> String {
        self.rate(&line.on_time_rate())
    }

    fn region(&self, code: &str) -> String {
        self.app.regions.full_name_of(code)
    }

    fn when(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        crate::platform::clock::shanghai(*at)
    }
}

pub async fn report(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path((region, month)): Path<(String, String)>,
    Query(query): Query<VersionQuery>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let (month, excel) = match month.strip_suffix(".xlsx") {
        Some(m) => (m.to_owned(), true),
        None => (month, false),
    };
    let code = service::reported_region(&app, &region).map_err(fail)?;
    let period = parse_month(&month).map_err(fail)?;
    ensure_readable(&app, &actor, &code, ip.as_deref())
        .await
        .map_err(fail)?;
    let versions = store::versions(&app.db, code.as_str(), &period.key())
        .await
        .map_err(fail)?;
    let latest = versions.last().map_or(0, |r| r.version);
    let wanted = query.version.unwrap_or(latest);
    let Some(r) = versions.iter().find(|r| r.version == wanted).cloned() else {
        return Err(fail(AppError::NotFound(
            "该地区该月的月报（或该版本）尚未生成".into(),
        )));
    };
    if excel {
        let bytes = xlsx::to_xlsx(&app, &r).map_err(|e| fail(AppError::Internal(e.into())))?;
        let ascii = format!(
            "monthly-report-{}-{}-v{}.xlsx",
            r.region_code, r.month, r.version
        );
        let name = format!(
            "{}{}月研月报（第{}版）.xlsx",
            r.region_name, r.month_label, r.version
        );
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    xlsx::disposition(&ascii, &name),
                ),
            ],
            bytes,
        )
            .into_response());
    }
    Ok(ReportPage {
        xlsx_href: format!(
            "/admin/reports/{}/{}.xlsx?version={}",
            r.region_code, r.month, r.version
        ),
        can_correct: may_correct(&actor, &code),
        app: app.clone(),
        me: Some(actor),
        r,
        versions,
        latest,
    }
    .into_response())
}

#[derive(Debug, Deserialize)]
pub struct CorrectionForm {
    reason: String,
}

pub async fn correct(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path((region, month)): Path<(String, String)>,
    Form(form): Form<CorrectionForm>,
) -> Result<Redirect, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let code = service::reported_region(&app, &region).map_err(fail)?;
    let period = parse_month(&month).map_err(fail)?;
    let allowed = may_correct(&actor, &code);
    crate::platform::scope::ensure(&app, &actor, allowed, "reports:correct", ip.as_deref())
        .await
        .map_err(fail)?;
    service::correct(&app, &actor, &code, period, &form.reason)
        .await
        .map_err(fail)?;
    Ok(Redirect::to(&format!(
        "/admin/reports/{}/{}",
        code,
        period.key()
    )))
}
