//! The staff review of studios (科创工作室审核), beside the listing queue at `/admin/reviews`:
//! new studios and edits of public ones in the staff member's region subtree, oldest first,
//! each with its proposed text (and, for an edit, the public text it would replace). Studios are
//! reviewed by the department that reviews capabilities (科技工作者服务部 by default).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{ListingKind, RegionCode};

use super::parse_id;
use crate::market::studios::{review, store};
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::scope::{self, RegionScope, staff_scope};
use crate::platform::tx::Guarded;
use crate::{App, AppState};

/// The queue shows this many at a time; the oldest first, so nothing waits for ever.
const SHOWN: i64 = 50;

/// One studio waiting: what the owner proposes, and what the public reads now (for an edit).
pub struct Waiting {
    id: i64,
    revision: i64,
    owner_name: String,
    region_name: String,
    submitted: String,
    name: String,
    intro: String,
    fields: Vec<String>,
    /// For an edit of a public studio: its public (name, intro, fields).
    current: Option<(String, String, Vec<String>)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "market/studio_reviews.html")]
pub struct StudioReviewsPage {
    me: Option<Actor>,
    scope_name: String,
    allowed: bool,
    items: Vec<Waiting>,
    error_for: i64,
    error: Option<String>,
}

fn field_list(fields: &str) -> Vec<String> {
    fields
        .split('\n')
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .collect()
}

/// May the actor review studios at all (their department)? The region is checked per studio.
fn reviews_studios(app: &App, actor: &Actor) -> bool {
    scope::reviewable_kinds(actor, &app.config.review)
        .is_none_or(|kinds| kinds.contains(&ListingKind::Offer))
}

async fn queue_page(
    app: &App,
    actor: Actor,
    error: Option<(i64, String)>,
) -> Result<StudioReviewsPage, PageError> {
    let scope = staff_scope(&actor).unwrap_or(RegionScope::All);
    let allowed = reviews_studios(app, &actor);
    let rows = if allowed {
        review::waiting(&app.db, &scope, SHOWN)
            .await
            .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?
    } else {
        Vec::new()
    };
    let items = rows
        .into_iter()
        .map(|row| {
            let (name, intro, fields) = row.proposed();
            Waiting {
                current: (row.is_public() && row.draft_name.is_some())
                    .then(|| (row.name.clone(), row.intro.clone(), field_list(&row.fields))),
                id: row.id,
                revision: row.revision,
                region_name: app.regions.full_name_of(&row.region_code),
                submitted: row.submitted_at.map(shanghai).unwrap_or_default(),
                owner_name: row.owner_name,
                name,
                intro,
                fields: field_list(&fields),
            }
        })
        .collect();
    Ok(StudioReviewsPage {
        scope_name: scope.name(&app.regions),
        allowed,
        items,
        error_for: error.as_ref().map_or(0, |(id, _)| *id),
        error: error.map(|(_, message)| message),
        me: Some(actor),
    })
}

pub async fn queue(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
) -> Result<StudioReviewsPage, PageError> {
    queue_page(&app, actor, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StudioDecision {
    decision: String,
    reason: String,
    revision: String,
}

pub async fn decide(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    Form(form): Form<StudioDecision>,
) -> Result<Response, PageError> {
    let fail = |e, actor: &Actor| PageError::new(e, Some(actor.clone()));
    let id = parse_id(&id, "工作室").map_err(|e| fail(e, &actor))?;
    let row = store::find(&app.db, id)
        .await
        .map_err(|e| fail(e.into(), &actor))?
        .ok_or_else(|| fail(AppError::not_found("工作室"), &actor))?;
    let region = RegionCode::parse(&row.region_code)
        .map_err(|_| fail(AppError::not_found("工作室"), &actor))?;
    let subject = format!("review:studio:{id}");
    let allowed = scope::can_review(&actor, &app.config.review, ListingKind::Offer, &region);
    scope::ensure(&app, &actor, allowed, &subject, ip.as_deref())
        .await
        .map_err(|_| {
            let message = "这个工作室不在您的审核范围内（所在地区或部门不符）";
            fail(AppError::Forbidden(message.into()), &actor)
        })?;
    let revision = form.revision.trim().parse::<i64>().unwrap_or(-1);
    let reason = form.reason.trim();
    let now = app.clock.now();
    let outcome = match form.decision.as_str() {
        "approve" => review::approve(&app.db, &row, revision, actor.id, now).await,
        "reject" if reason.is_empty() => {
            return refuse(&app, actor, id, "不通过时请填写原因，工作室负责人会看到").await;
        }
        "reject" if reason.chars().count() > 200 => {
            return refuse(&app, actor, id, "原因不能超过200个字").await;
        }
        "reject" => review::reject(&app.db, &row, revision, actor.id, reason, now).await,
        _ => {
            let message = "审核结论只能是通过或不通过";
            return refuse(&app, actor, id, message).await;
        }
    };
    match outcome.map_err(|e| fail(e.into(), &actor))? {
        Guarded::Changed => Ok(Redirect::to("/admin/studios/reviews").into_response()),
        Guarded::Lost => {
            let message = "该工作室已被审核，或负责人刚刚又修改了内容，请查看最新内容后再审核";
            let page = queue_page(&app, actor, Some((id, message.into()))).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
    }
}

async fn refuse(app: &App, actor: Actor, id: i64, message: &str) -> Result<Response, PageError> {
    let page = queue_page(app, actor, Some((id, message.into()))).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
