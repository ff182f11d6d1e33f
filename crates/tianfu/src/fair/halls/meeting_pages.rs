//! 我的1对1洽谈 (`/me/fair-meetings`): requests to my projects, which I accept or decline with
//! a reply, and my own requests, which I may cancel; statuses in Chinese.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::meetings::{self, MeetingView};
use super::store::Side;
use crate::AppState;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, PageUser};
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::error::AppError;
use crate::platform::page::PageError;

const MEETINGS: &str = "/me/fair-meetings";

#[derive(Template, WebTemplate)]
#[template(path = "fair/halls/meetings.html")]
pub struct MeetingsPage {
    me: Option<Actor>,
    as_owner: Vec<MeetingView>,
    as_requester: Vec<MeetingView>,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(
    app: &AppState,
    actor: Actor,
    notice: Option<String>,
    error: Option<String>,
) -> Result<MeetingsPage, PageError> {
    let paging = Paging {
        page: Some(1),
        per_page: Some(50),
    };
    let (as_owner, _) = meetings::list(app, &actor, Side::Owner, None, paging)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let (as_requester, _) = meetings::list(app, &actor, Side::Requester, None, paging)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    Ok(MeetingsPage {
        me: Some(actor),
        as_owner,
        as_requester,
        notice,
        error,
    })
}

pub async fn list(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(done): Query<DoneQuery>,
) -> Result<MeetingsPage, PageError> {
    page(&app, actor, done.message(), None).await
}

async fn refused(app: &AppState, actor: Actor, error: AppError) -> Response {
    match error {
        AppError::Conflict { .. } | AppError::Validation(_) | AppError::Forbidden(_) => {
            let status = error.status();
            let message = error
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| error.to_string());
            match page(app, actor, None, Some(message)).await {
                Ok(page) => (status, page).into_response(),
                Err(error) => error.into_response(),
            }
        }
        other => PageError::new(other, Some(actor)).into_response(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reply: String,
}

pub async fn answer(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(mid): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Response {
    let done = async {
        let meeting = meetings::find(&app, &actor, None, mid).await?;
        meetings::answer(&app, &actor, &meeting, &form.decision, Some(&form.reply)).await
    }
    .await;
    match done {
        Ok(()) => {
            let done = if form.decision.trim() == "accept" {
                Done::MeetingAccepted
            } else {
                Done::MeetingDeclined
            };
            done::redirect(MEETINGS, done).into_response()
        }
        Err(error) => refused(&app, actor, error).await,
    }
}

pub async fn cancel(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(mid): Path<i64>,
) -> Response {
    let done = async {
        let meeting = meetings::find(&app, &actor, None, mid).await?;
        meetings::cancel(&app, &actor, &meeting).await
    }
    .await;
    match done {
        Ok(()) => done::redirect(MEETINGS, Done::MeetingCancelled).into_response(),
        Err(error) => refused(&app, actor, error).await,
    }
}
