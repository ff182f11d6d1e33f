//! The staff review queue (内容审核): pending listings in the staff member's region subtree,
//! each with an approve button and a reject form that needs a reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{ListingKind, ListingStatus};

use super::{Line, first_message, page_number, parse_id};
use crate::market::service;
use crate::market::store::{self, ListingFilter};
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::{App, AppState};

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    kind: Option<String>,
    page: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "market/reviews.html")]
pub struct ReviewsPage {
    me: Option<Actor>,
    scope_name: String,
    kinds: &'static [ListingKind],
    /// The kind tab shown, empty for all kinds.
    kind: String,
    lines: Vec<Line>,
    pager: Pager,
    pager_base: String,
    /// A refused decision: which listing, and why.
    error_for: i64,
    error: Option<String>,
    /// 科普资源 waiting in the same region, for 全民科普服务部 staff (reviewed on their own page).
    kepu_pending: Option<i64>,
}

struct Refusal {
    id: i64,
    message: String,
}

async fn queue_page(
    app: &App,
    actor: Actor,
    kind: Option<ListingKind>,
    page: u32,
    refusal: Option<Refusal>,
) -> Result<ReviewsPage, PageError> {
    let paging = Paging {
        page: Some(page),
        per_page: Some(20),
    };
    let scope = staff_scope(&actor);
    let scope_name = scope
        .as_ref()
        .unwrap_or(&RegionScope::All)
        .name(&app.regions);
    let filter = ListingFilter {
        kind,
        kinds: crate::platform::scope::reviewable_kinds(&actor, &app.config.review),
        status: Some(ListingStatus::Pending),
        owner: None,
        scope,
    };
    let (rows, total) = store::list(&app.db, &filter, paging)
        .await
        .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?;
    let kind = kind.map(|k| k.as_str().to_owned()).unwrap_or_default();
    let kepu_pending = match crate::kepu::resources::api::review_scope(&actor) {
        Some(scope) => Some(
            crate::kepu::resources::store::list(
                &app.db,
                &crate::kepu::resources::store::ResourceFilter {
                    status: Some("pending".into()),
                    scope: Some(scope),
                    ..Default::default()
                },
                Paging {
                    page: Some(1),
                    per_page: Some(1),
                },
            )
            .await
            .map_err(|e| PageError::new(e, Some(actor.clone())))?
            .1,
        ),
        None => None,
    };
    let lines = held_lines(app, rows)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    Ok(ReviewsPage {
        kepu_pending,
        me: Some(actor),
        scope_name,
        kinds: ListingKind::ALL,
        lines,
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!("/admin/reviews?kind={kind}&"),
        kind,
        error_for: refusal.as_ref().map(|r| r.id).unwrap_or(0),
        error: refusal.map(|r| r.message),
    })
}

/// The page's lines, each held need with its hold.
async fn held_lines(app: &App, rows: Vec<store::ListingRow>) -> Result<Vec<Line>, AppError> {
    let mut lines: Vec<Line> = rows.into_iter().map(|row| Line::new(app, row)).collect();
    let ids: Vec<i64> = lines.iter().map(|l| l.view.id).collect();
    let mut holds = crate::market::integrity::store::held_among(&app.db, &ids).await?;
    for line in &mut lines {
        line.view.hold = holds
            .remove(&line.view.id)
            .map(crate::market::integrity::api::HoldNote::from);
    }
    Ok(lines)
}

fn tab_kind(kind: Option<&str>) -> Option<ListingKind> {
    kind.and_then(|k| ListingKind::parse(k).ok())
}

pub async fn queue(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Query(query): Query<QueueQuery>,
) -> Result<ReviewsPage, PageError> {
    let kind = tab_kind(query.kind.as_deref());
    queue_page(&app, actor, kind, page_number(query.page.as_deref()), None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    reason: String,
    /// The kind tab the decision was made from, to go back to it.
    tab: String,
}

pub async fn decide(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path((kind, id)): Path<(String, String)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, Some(actor.clone()));
    let kind =
        ListingKind::parse(&kind).map_err(|_| fail(AppError::NotFound("审核类别不存在".into())))?;
    let id = parse_id(&id, kind.label()).map_err(fail)?;
    let reason = Some(form.reason.as_str());
    let tab = tab_kind(Some(&form.tab));
    match service::decide(
        &app,
        &actor,
        kind,
        id,
        &form.decision,
        reason,
        ip.as_deref(),
    )
    .await
    {
        Ok(()) => {
            let tab = tab.map(|k| k.as_str()).unwrap_or("");
            Ok(Redirect::to(&format!("/admin/reviews?kind={tab}")).into_response())
        }
        Err(error @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let refusal = Refusal {
                id,
                message: first_message(&error),
            };
            let page = queue_page(&app, actor, tab, 1, Some(refusal)).await?;
            Ok((error.status(), page).into_response())
        }
        Err(other) => Err(fail(other)),
    }
}
