//! The staff review queue (内容审核): pending listings in the staff member's region subtree, the
//! longest waiting first, each with a preview (the description's first lines, region, who), an
//! approve button and a reject form with preset reasons plus free text; ticked items are
//! approved together (批量通过), each by its own guarded statement, and the page says how many
//! were approved and which had been handled by someone else meanwhile.

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

/// The reasons a reviewer picks most often; the owner sees the one chosen (and any words added).
pub const PRESET_REASONS: &[&str] = &[
    "信息不完整，请补充具体内容",
    "联系方式或单位信息缺失",
    "与科技服务无关",
    "重复发布",
    "含有广告或违规内容",
];

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    kind: Option<String>,
    page: Option<String>,
    done: Option<String>,
    /// Batch outcome: approved, already handled by someone else, held for a closer look.
    n: Option<u32>,
    raced: Option<u32>,
    held: Option<u32>,
}

/// A pending listing with the first lines of its description.
pub struct Item {
    pub line: Line,
    pub preview: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "market/reviews.html")]
pub struct ReviewsPage {
    me: Option<Actor>,
    scope_name: String,
    kinds: &'static [ListingKind],
    /// The kind tab shown, empty for all kinds.
    kind: String,
    items: Vec<Item>,
    reasons: &'static [&'static str],
    pager: Pager,
    pager_base: String,
    /// A refused decision: which listing, and why.
    error_for: i64,
    error: Option<String>,
    notice: Option<String>,
    /// 科普资源 waiting in the same region, for 全民科普服务部 staff (reviewed on their own page).
    kepu_pending: Option<i64>,
}

struct Refusal {
    id: i64,
    message: String,
}

/// The first ~120 characters of a description, on one line.
fn preview(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut cut: String = flat.chars().take(120).collect();
    if flat.chars().count() > 120 {
        cut.push('…');
    }
    cut
}

fn queue_filter(app: &App, actor: &Actor, kind: Option<ListingKind>) -> ListingFilter {
    ListingFilter {
        kind,
        kinds: crate::platform::scope::reviewable_kinds(actor, &app.config.review),
        status: Some(ListingStatus::Pending),
        owner: None,
        scope: staff_scope(actor),
    }
}

async fn queue_page(
    app: &App,
    actor: Actor,
    kind: Option<ListingKind>,
    page: u32,
    refusal: Option<Refusal>,
    notice: Option<String>,
) -> Result<ReviewsPage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let paging = Paging {
        page: Some(page),
        per_page: Some(20),
    };
    let scope_name = staff_scope(&actor)
        .unwrap_or(RegionScope::All)
        .name(&app.regions);
    let filter = queue_filter(app, &actor, kind);
    let rows = store::oldest_first(&app.db, &filter, paging)
        .await
        .map_err(|e| fail(e.into()))?;
    let total = store::count(&app.db, &filter)
        .await
        .map_err(|e| fail(e.into()))?;
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
            .map_err(fail)?
            .1,
        ),
        None => None,
    };
    let items = held_items(app, rows).await.map_err(fail)?;
    Ok(ReviewsPage {
        kepu_pending,
        me: Some(actor),
        scope_name,
        kinds: ListingKind::ALL,
        items,
        reasons: PRESET_REASONS,
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!("/admin/reviews?kind={kind}&"),
        kind,
        error_for: refusal.as_ref().map(|r| r.id).unwrap_or(0),
        error: refusal.map(|r| r.message),
        notice,
    })
}

/// The page's items, each held need with its hold.
async fn held_items(app: &App, rows: Vec<store::ListingRow>) -> Result<Vec<Item>, AppError> {
    let mut items: Vec<Item> = rows
        .into_iter()
        .map(|row| Item {
            preview: preview(&row.description_text),
            line: Line::new(app, row),
        })
        .collect();
    let ids: Vec<i64> = items.iter().map(|i| i.line.view.id).collect();
    let mut holds = crate::market::integrity::store::held_among(&app.db, &ids).await?;
    for item in &mut items {
        item.line.view.hold = holds
            .remove(&item.line.view.id)
            .map(crate::market::integrity::api::HoldNote::from);
    }
    Ok(items)
}

fn tab_kind(kind: Option<&str>) -> Option<ListingKind> {
    kind.and_then(|k| ListingKind::parse(k).ok())
}

/// What the last decision did, from its codes.
fn notice(query: &QueueQuery) -> Option<String> {
    Some(match query.done.as_deref()? {
        "approved" => "已通过，内容现已公开".to_owned(),
        "rejected" => "已驳回，发布者会收到原因".to_owned(),
        "batch" => {
            let mut text = format!("已批量通过 {} 条", query.n.unwrap_or(0));
            if let Some(raced) = query.raced.filter(|n| *n > 0) {
                text.push_str(&format!("；{raced} 条已被他人处理，未重复通过"));
            }
            if let Some(held) = query.held.filter(|n| *n > 0) {
                text.push_str(&format!("；{held} 条疑似重复或无权审核，请逐条处理"));
            }
            text
        }
        "none" => "请先勾选要通过的内容".to_owned(),
        _ => return None,
    })
}

pub async fn queue(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Query(query): Query<QueueQuery>,
) -> Result<ReviewsPage, PageError> {
    let kind = tab_kind(query.kind.as_deref());
    let page = page_number(query.page.as_deref());
    queue_page(&app, actor, kind, page, None, notice(&query)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
    /// One of [`PRESET_REASONS`], or empty.
    preset: String,
    reason: String,
    /// The kind tab the decision was made from, to go back to it.
    tab: String,
}

/// The reason the owner reads: the preset chosen and the words added.
fn combined_reason(preset: &str, reason: &str) -> String {
    let preset = PRESET_REASONS
        .iter()
        .find(|p| **p == preset.trim())
        .copied()
        .unwrap_or("");
    match (preset, reason.trim()) {
        ("", words) => words.to_owned(),
        (p, "") => p.to_owned(),
        (p, words) => format!("{p}：{words}"),
    }
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
    let reason = combined_reason(&form.preset, &form.reason);
    let tab = tab_kind(Some(&form.tab));
    match service::decide(
        &app,
        &actor,
        kind,
        id,
        &form.decision,
        Some(&reason),
        ip.as_deref(),
    )
    .await
    {
        Ok(()) => {
            let tab = tab.map(|k| k.as_str()).unwrap_or("");
            let done = if form.decision == "approve" {
                "approved"
            } else {
                "rejected"
            };
            Ok(Redirect::to(&format!("/admin/reviews?kind={tab}&done={done}")).into_response())
        }
        Err(error @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let refusal = Refusal {
                id,
                message: first_message(&error),
            };
            let page = queue_page(&app, actor, tab, 1, Some(refusal), None).await?;
            Ok((error.status(), page).into_response())
        }
        Err(other) => Err(fail(other)),
    }
}

/// 批量通过: every ticked `item=kind:id`, each approved by its own guarded statement. One that
/// someone else decided first is counted as raced, not approved again; one the reviewer may
/// not approve in a batch (a held need, another department's) is left for one-by-one review.
pub async fn batch(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut items: Vec<(ListingKind, i64)> = fields
        .iter()
        .filter(|(k, _)| k == "item")
        .filter_map(|(_, v)| v.split_once(':'))
        .filter_map(|(kind, id)| Some((ListingKind::parse(kind).ok()?, id.parse().ok()?)))
        .collect();
    items.sort_by_key(|(_, id)| *id);
    items.dedup_by_key(|(_, id)| *id);
    let tab = fields
        .iter()
        .find(|(k, _)| k == "tab")
        .and_then(|(_, v)| tab_kind(Some(v)))
        .map_or("", |k| k.as_str());
    if items.is_empty() {
        return Ok(Redirect::to(&format!("/admin/reviews?kind={tab}&done=none")).into_response());
    }
    let (mut approved, mut raced, mut held) = (0, 0, 0);
    for (kind, id) in items.into_iter().take(100) {
        match service::decide(&app, &actor, kind, id, "approve", None, ip.as_deref()).await {
            Ok(()) => approved += 1,
            Err(AppError::Conflict { .. }) => raced += 1,
            Err(AppError::Validation(_) | AppError::Forbidden(_) | AppError::NotFound(_)) => {
                held += 1
            }
            Err(other) => return Err(PageError::new(other, Some(actor))),
        }
    }
    Ok(Redirect::to(&format!(
        "/admin/reviews?kind={tab}&done=batch&n={approved}&raced={raced}&held={held}"
    ))
    .into_response())
}
