//! `/admin/kepu/sharers/reports`: offline activity reports of the region's 科普员, by status,
//! with the forms to confirm or send back each waiting one.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::admin_pages::scope_of;
use super::report_service;
use super::reports::ReportView;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};
use crate::{App, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "kepu/sharers/reports.html")]
pub struct ReportsPage {
    me: Option<Actor>,
    scope_name: String,
    status: String,
    reports: Vec<ReportView>,
    pager: Pager,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReportsParams {
    status: Option<String>,
    page: Option<u32>,
}

async fn reports_page(
    app: &App,
    actor: Actor,
    params: ReportsParams,
    error: Option<String>,
    ip: Option<&str>,
) -> Result<ReportsPage, PageError> {
    let status = params
        .status
        .as_deref()
        .filter(|s| matches!(*s, "confirmed" | "rejected"))
        .unwrap_or("pending");
    let paging = Paging {
        page: params.page,
        per_page: Some(20),
    };
    let (reports, total) =
        match report_service::in_scope(app, &actor, None, status, paging, ip).await {
            Ok(found) => found,
            Err(e) => return Err(PageError::new(e, Some(actor))),
        };
    Ok(ReportsPage {
        scope_name: scope_of(&actor).name(&app.regions),
        status: status.to_owned(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        reports,
        error,
        me: Some(actor),
    })
}

pub async fn reports(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(params): Query<ReportsParams>,
) -> Result<ReportsPage, PageError> {
    reports_page(&app, actor, params, None, ip.as_deref()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    decision: String,
    reason: String,
}

pub async fn review(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    let ip = ip.as_deref();
    let reason = Some(form.reason.as_str());
    match report_service::review(&app, &actor, id, &form.decision, reason, ip).await {
        Ok(_) => Ok(Redirect::to("/admin/kepu/sharers/reports").into_response()),
        Err(error @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let status = error.status();
            let message = match &error {
                AppError::Validation(fields) => fields
                    .iter()
                    .map(|(_, m)| m.to_owned())
                    .collect::<Vec<_>>()
                    .join("；"),
                other => other.to_string(),
            };
            let page =
                reports_page(&app, actor, ReportsParams::default(), Some(message), ip).await?;
            Ok((status, page).into_response())
        }
        Err(other) => Err(PageError::new(other, Some(actor))),
    }
}
