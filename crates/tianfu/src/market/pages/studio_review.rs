//! The staff review of studios (科创工作室审核), beside the listing queue at `/admin/reviews`:
//! new studios and edits of public ones in the staff member's region subtree, oldest first,
//! each with its proposed text (and, for an edit, the public text it would replace). Studios are
//! reviewed by the department that reviews capabilities (科技工作者服务部 by default).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::parse_id;
use crate::market::studios::decision::{self, reviews_studios};
use crate::market::studios::review;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::scope::{RegionScope, staff_scope};
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

async fn queue_page(
    app: &App,
    actor: Actor,
    error: Option<(i64, String)>,
) -> Result<StudioReviewsPage, PageError> {
    let scope = staff_scope(&actor).unwrap_or(RegionScope::All);
    let allowed = reviews_studios(app, &actor);
    let rows = if allowed {
        review::waiting(&app.db, &scope, SHOWN, 0)
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
    let id = parse_id(&id, "工作室").map_err(|e| PageError::new(e, Some(actor.clone())))?;
    // The form always carries the revision shown; one that cannot be read decides nothing.
    let revision = form.revision.trim().parse::<i64>().unwrap_or(-1);
    let outcome = decision::decide(
        &app,
        &actor,
        id,
        &form.decision,
        Some(&form.reason),
        Some(revision),
        ip.as_deref(),
    )
    .await;
    match outcome {
        Ok(_) => Ok(Redirect::to("/admin/studios/reviews").into_response()),
        Err(refusal @ (AppError::Validation(_) | AppError::Conflict { .. })) => {
            let status = refusal.status();
            let message = refusal
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| refusal.to_string());
            let page = queue_page(&app, actor, Some((id, message))).await?;
            Ok((status, page).into_response())
        }
        Err(other) => Err(PageError::new(other, Some(actor))),
    }
}
