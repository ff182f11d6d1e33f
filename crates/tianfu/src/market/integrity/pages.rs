//! `/admin/integrity` (数据核查): what the staff member's region leaves out of the official
//! figures and why — held needs, large deals awaiting verification (with the 待核验金额 and a
//! verify/reject form each), rejected large deals and flagged 科普 views.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::api::Exclusion;
use super::exclusions::{self, Kind, yuan};
use super::service;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::scope::{RegionScope, staff_scope};
use crate::{App, AppState};

pub struct Section {
    pub kind: &'static str,
    pub label: &'static str,
    pub total: i64,
    pub lines: Vec<Line>,
}

pub struct Line {
    pub item: Exclusion,
    pub at: String,
    pub amount: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "integrity/index.html")]
pub struct IntegrityPage {
    me: Option<Actor>,
    scope_name: String,
    /// 待核验金额 this year in the staff member's subtree.
    awaiting_count: i64,
    awaiting_amount: String,
    threshold: String,
    sections: Vec<Section>,
    error_for: i64,
    error: Option<String>,
}

async fn page(
    app: &App,
    me: Actor,
    refusal: Option<(i64, String)>,
) -> Result<IntegrityPage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(me.clone()));
    let scope = staff_scope(&me)
        .ok_or_else(|| fail(AppError::Forbidden("仅服务中心工作人员可以查看".into())))?;
    let root = match &scope {
        RegionScope::All => tianfu_domain::RegionCode::parse("51")
            .map_err(|e| fail(AppError::Internal(anyhow::anyhow!(e))))?,
        RegionScope::Subtree(root) => root.clone(),
    };
    let period = crate::stats::service::period(None, None, app.clock.now()).map_err(fail)?;
    let (awaiting_count, awaiting_fen) =
        service::awaiting_verification(app, &root, period.from, period.to)
            .await
            .map_err(fail)?;
    let mut sections = Vec::new();
    for kind in Kind::ALL {
        let paging = Paging {
            page: Some(1),
            per_page: Some(20),
        };
        let (items, total) = exclusions::load(app, kind, &scope, paging)
            .await
            .map_err(fail)?;
        sections.push(Section {
            kind: kind.as_str(),
            label: kind.label(),
            total,
            lines: items
                .into_iter()
                .map(|item| Line {
                    at: crate::platform::clock::shanghai(item.at),
                    amount: item.amount_fen.map(yuan).unwrap_or_default(),
                    item,
                })
                .collect(),
        });
    }
    Ok(IntegrityPage {
        scope_name: scope.name(&app.regions),
        me: Some(me),
        awaiting_count,
        awaiting_amount: yuan(awaiting_fen),
        threshold: yuan(app.config.deal_verify_above_fen),
        sections,
        error_for: refusal.as_ref().map_or(0, |r| r.0),
        error: refusal.map(|r| r.1),
    })
}

pub async fn index(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
) -> Result<IntegrityPage, PageError> {
    page(&app, me, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
}

pub async fn decide(
    State(app): State<AppState>,
    PageStaff(me): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, Some(me.clone()));
    let id: i64 = id
        .trim()
        .parse()
        .map_err(|_| fail(AppError::not_found("交易")))?;
    match service::decide_deal(
        &app,
        &me,
        id,
        &form.decision,
        Some(&form.reason),
        ip.as_deref(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/admin/integrity").into_response()),
        Err(error @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let message = crate::market::pages::first_message(&error);
            let page = page(&app, me, Some((id, message))).await?;
            Ok((error.status(), page).into_response())
        }
        Err(other) => Err(fail(other)),
    }
}
