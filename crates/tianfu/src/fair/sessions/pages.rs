//! One session's page (`/fairs/{id}/sessions/{sid}`): agenda, venue, the projects presented,
//! seats left, and the register / cancel buttons (forms that work without JavaScript).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

use super::api::{SessionDetail, detail};
use super::service;
use crate::AppState;
use crate::fair::editions::service::find as find_fair;
use crate::platform::auth::{Actor, MaybeUser, PageUser};
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::error::AppError;
use crate::platform::page::PageError;

#[derive(Template, WebTemplate)]
#[template(path = "fair/sessions/show.html")]
pub struct ShowPage {
    me: Option<Actor>,
    fair_id: i64,
    fair_name: String,
    detail: SessionDetail,
    notice: Option<String>,
    error: Option<String>,
    /// Organisers and the session region's staff get the door's screen.
    may_check_in: bool,
}

impl ShowPage {
    fn registered(&self) -> bool {
        self.detail
            .my_registration
            .as_ref()
            .is_some_and(|r| r.status == "registered")
    }

    fn checked_in(&self) -> bool {
        self.detail
            .my_registration
            .as_ref()
            .is_some_and(|r| r.checked_in_at.is_some())
    }
}

async fn page(
    app: &AppState,
    me: Option<Actor>,
    id: i64,
    sid: i64,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let fair = find_fair(app, id)
        .await
        .map_err(|e| PageError::new(e, me.clone()))?;
    let row = service::find(app, &fair, sid)
        .await
        .map_err(|e| PageError::new(e, me.clone()))?;
    let may_check_in = me.as_ref().is_some_and(|m| service::may_check_in(m, &row));
    let detail = detail(app, me.as_ref(), &fair, row)
        .await
        .map_err(|e| PageError::new(e, me.clone()))?;
    Ok(ShowPage {
        me,
        fair_id: fair.id,
        fair_name: fair.name,
        detail,
        notice,
        error,
        may_check_in,
    })
}

pub async fn show(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Path((id, sid)): Path<(i64, i64)>,
    Query(done): Query<DoneQuery>,
) -> Result<ShowPage, PageError> {
    page(&app, me, id, sid, done.message(), None).await
}

/// A refused act shown on the session's page (its status kept), anything else as an error page.
async fn refused(
    app: &AppState,
    actor: Actor,
    id: i64,
    sid: i64,
    error: AppError,
) -> Result<Response, PageError> {
    match error {
        AppError::Conflict { .. } | AppError::Validation(_) | AppError::Forbidden(_) => {
            let status = error.status();
            let message = error.to_string();
            let page = page(app, Some(actor), id, sid, None, Some(message)).await?;
            Ok((status, page).into_response())
        }
        other => Err(PageError::new(other, Some(actor))),
    }
}

async fn act(app: AppState, actor: Actor, id: i64, sid: i64, cancel: bool) -> Response {
    let result = async {
        let fair = find_fair(&app, id).await?;
        let row = service::find(&app, &fair, sid).await?;
        if cancel {
            service::cancel(&app, &actor, &row).await
        } else {
            service::register(&app, &actor, &row).await
        }
    }
    .await;
    match result {
        Ok(_) => {
            let done = if cancel {
                Done::SessionCancelled
            } else {
                Done::SessionRegistered
            };
            done::redirect(&format!("/fairs/{id}/sessions/{sid}"), done).into_response()
        }
        Err(error) => refused(&app, actor, id, sid, error)
            .await
            .unwrap_or_else(IntoResponse::into_response),
    }
}

pub async fn register(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path((id, sid)): Path<(i64, i64)>,
) -> Response {
    act(app, actor, id, sid, false).await
}

pub async fn cancel(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path((id, sid)): Path<(i64, i64)>,
) -> Response {
    act(app, actor, id, sid, true).await
}
