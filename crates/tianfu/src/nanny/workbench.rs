//! The staff workbench (工作台) at `/admin`: the four counts a clerk starts the day from
//! (待审核, 今日到期, 逾期, 新分派), each linking to its filtered list; 下一单 (the next ticket
//! in my queue by due date); 保存并完成此步 on the ticket page; and the ticket list's inline
//! actions, which return to the list with a message saying what happened.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::desk::{self, Counts};
use super::pages::{act_to, followup_from};
use super::service::{self, FollowupRequest};
use super::store;
use super::ticket_page::FollowupDraft;
use crate::AppState;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::scope::{RegionScope, staff_scope};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(workbench))
        .route("/admin/tickets/{id}/next", get(next))
        .route(
            "/admin/tickets/{id}/save-and-complete",
            post(save_and_complete),
        )
        .route("/admin/tickets/{id}/quick/done", post(quick_done))
        .route("/admin/tickets/{id}/quick/followup", post(quick_followup))
}

#[derive(Template, WebTemplate)]
#[template(path = "nanny/workbench.html")]
pub struct WorkbenchPage {
    me: Option<Actor>,
    scope_name: String,
    department: String,
    counts: Counts,
    /// Where 开始处理 leads: the most urgent ticket in my queue.
    first: Option<i64>,
    is_admin: bool,
}

pub async fn workbench(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
) -> Result<WorkbenchPage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let counts = desk::counts(&app, &actor).await.map_err(fail)?;
    let first = desk::first_in_queue(&app, actor.id.0)
        .await
        .map_err(|e| fail(e.into()))?;
    let scope = staff_scope(&actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    Ok(WorkbenchPage {
        scope_name: scope.name(&app.regions),
        department: match actor.role {
            tianfu_domain::Role::Admin => "全部部门".to_owned(),
            _ => actor.department.map_or("", |d| d.label()).to_owned(),
        },
        is_admin: actor.role == tianfu_domain::Role::Admin,
        counts,
        first,
        me: Some(actor),
    })
}

/// 下一单: the ticket after this one in my queue (due soonest first), wrapping to the first.
pub async fn next(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let current = service::for_staff(&app, &actor, id, ip.as_deref())
        .await
        .map_err(fail)?;
    let next = desk::next_in_queue(&app, actor.id.0, &current)
        .await
        .map_err(|e| fail(e.into()))?;
    Ok(match next {
        Some(next) => Redirect::to(&format!("/admin/tickets/{next}")),
        None => Redirect::to("/admin/tickets?mine=true&done=queue-empty"),
    }
    .into_response())
}

/// What an action did, carried to the page it returns to as codes and ids (never as text).
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    pub done: Option<String>,
    /// The ticket acted on.
    pub t: Option<i64>,
    /// The step completed.
    pub s: Option<i64>,
}

impl DoneQuery {
    /// The message for an action on the ticket titled `subject`, with `step` its step's name.
    pub fn say(&self, subject: &str, step: &str) -> Option<String> {
        Some(match self.done.as_deref()? {
            "saved-completed" => format!("已保存跟进记录，并完成“{step}”"),
            "step" => format!("已完成“{subject}”的步骤“{step}”"),
            "followup" => format!("已为“{subject}”记录跟进"),
            "queue-empty" => "您的队列中没有其他待办的保姆单了".to_owned(),
            _ => return None,
        })
    }
}

/// The list's filters a form carries back (`back`), reduced to what a query string of the list
/// may hold, without an earlier message.
fn back_to_list(back: &str) -> String {
    let kept: Vec<&str> = back
        .split('&')
        .filter(|pair| {
            !pair.is_empty()
                && pair
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "%=_.+-".contains(c))
                && !["done=", "t=", "s="].iter().any(|p| pair.starts_with(p))
        })
        .collect();
    format!("/admin/tickets?{}", kept.join("&"))
}

/// 保存并完成此步: the follow-up form with the current step's id in `step`.
pub async fn save_and_complete(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (draft, request) = followup_from(&fields);
    let step = field(&fields, "step").parse().unwrap_or(0);
    let by = actor.clone();
    act_to(&app, actor, id, ip.as_deref(), draft, async |ticket| {
        desk::save_and_complete(&app, &by, ticket, &request, step).await?;
        Ok(format!(
            "/admin/tickets/{id}?done=saved-completed&t={id}&s={step}"
        ))
    })
    .await
}

fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QuickDone {
    step: String,
    back: String,
}

/// 完成 from the list: completes the current step the list showed, back to the list.
pub async fn quick_done(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<QuickDone>,
) -> Result<Response, PageError> {
    let step = form.step.trim().parse().unwrap_or(0);
    let by = actor.clone();
    act_to(
        &app,
        actor,
        id,
        ip.as_deref(),
        FollowupDraft::default(),
        async |ticket| {
            desk::complete_current(&app, &by, ticket, step).await?;
            Ok(format!(
                "{}&done=step&t={id}&s={step}",
                back_to_list(&form.back)
            ))
        },
    )
    .await
}

/// 记一笔 from the list: a short follow-up, back to the list.
pub async fn quick_followup(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let (draft, request) = followup_from(&fields);
    let back = back_to_list(&field(&fields, "back"));
    let request = FollowupRequest {
        links: Vec::new(),
        ..request
    };
    let by = actor.clone();
    act_to(&app, actor, id, ip.as_deref(), draft, async |ticket| {
        service::add_followup(&app, &by, ticket, &request).await?;
        Ok(format!("{back}&done=followup&t={id}"))
    })
    .await
}

/// The message for a page, naming the ticket and step acted on (a ticket outside the actor's
/// scope is not named).
pub async fn done_message(app: &crate::App, actor: &Actor, done: &DoneQuery) -> Option<String> {
    done.done.as_ref()?;
    let Some(ticket) = done.t else {
        return done.say("", "");
    };
    let row = store::find(&app.db, ticket)
        .await
        .ok()
        .flatten()
        .filter(|row| {
            row.region()
                .is_some_and(|r| crate::platform::scope::can_view_region(actor, &r))
        })?;
    let step = match done.s {
        Some(s) => store::steps(&app.db, ticket)
            .await
            .ok()?
            .into_iter()
            .find(|x| x.id == s)
            .map(|x| x.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    done.say(&row.title, &step)
}
