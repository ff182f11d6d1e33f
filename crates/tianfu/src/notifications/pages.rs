use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::Redirect;

use super::store;
use crate::AppState;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::page::PageError;

pub struct Line {
    pub text: String,
    pub link: String,
    pub at: String,
    pub read: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "notifications/list.html")]
pub struct NotificationsPage {
    me: Option<Actor>,
    items: Vec<Line>,
    unread: i64,
    done: Option<String>,
}

pub async fn list(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(paging): Query<Paging>,
    Query(done): Query<DoneQuery>,
) -> Result<NotificationsPage, PageError> {
    let (rows, _, unread) = store::list(&app.db, actor.id, paging).await?;
    let items = rows
        .into_iter()
        .map(|r| Line {
            text: r.text,
            link: r.link,
            at: shanghai(r.created_at),
            read: r.read_at.is_some(),
        })
        .collect();
    Ok(NotificationsPage {
        me: Some(actor),
        items,
        unread,
        done: done.message(),
    })
}

pub async fn mark_read(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
) -> Result<Redirect, PageError> {
    store::mark_all_read(&app.db, actor.id, app.clock.now()).await?;
    Ok(done::redirect("/me/notifications", Done::Read))
}
