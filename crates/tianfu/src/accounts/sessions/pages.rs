//! `/me/sessions`: one's signed-in browsers and API tokens, with a button to end each and one to
//! sign out everywhere else.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::api::{self, ApiSession, SessionView};
use crate::AppState;
use crate::platform::auth::{Actor, PageUser, client_ip, current_session_id};
use crate::platform::clock::shanghai;
use crate::platform::page::PageError;

/// A signed-in person on a page, with the session they came with.
pub struct PageSession(pub ApiSession);

impl FromRequestParts<AppState> for PageSession {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let PageUser(actor) = PageUser::from_request_parts(parts, app).await?;
        let session = current_session_id(parts).unwrap_or_default();
        Ok(PageSession(ApiSession {
            actor,
            session,
            ip: client_ip(parts),
        }))
    }
}

pub struct SessionLine {
    pub view: SessionView,
    pub created: String,
    pub last_seen: String,
    pub kind_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/sessions.html")]
pub struct SessionsPage {
    me: Option<Actor>,
    sessions: Vec<SessionLine>,
    is_staff: bool,
    notice: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SessionsQuery {
    ended: Option<u64>,
}

pub async fn page(
    State(app): State<AppState>,
    PageSession(me): PageSession,
    Query(query): Query<SessionsQuery>,
) -> Result<SessionsPage, PageError> {
    let views = api::views(&app, &me.actor, &me.session)
        .await
        .map_err(|e| PageError::new(e, Some(me.actor.clone())))?;
    let sessions = views
        .into_iter()
        .map(|view| SessionLine {
            created: shanghai(view.created_at),
            last_seen: shanghai(view.last_seen_at),
            kind_label: if view.kind == "bearer" {
                "接口令牌"
            } else {
                "网页登录"
            },
            view,
        })
        .collect();
    Ok(SessionsPage {
        sessions,
        is_staff: me.actor.is_staff(),
        notice: query.ended.map(|n| format!("已退出{n}个其他设备上的登录")),
        me: Some(me.actor),
    })
}

pub async fn end(
    State(app): State<AppState>,
    PageSession(me): PageSession,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    api::end_one(&app, &me, &id)
        .await
        .map_err(|e| PageError::new(e, Some(me.actor.clone())))?;
    if id == me.session {
        return Ok(Redirect::to("/login").into_response());
    }
    Ok(Redirect::to("/me/sessions?ended=1").into_response())
}

pub async fn sign_out_others(
    State(app): State<AppState>,
    PageSession(me): PageSession,
) -> Result<Response, PageError> {
    let ended = api::end_others(&app, &me)
        .await
        .map_err(|e| PageError::new(e, Some(me.actor.clone())))?;
    Ok(Redirect::to(&format!("/me/sessions?ended={ended}")).into_response())
}
