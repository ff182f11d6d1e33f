//! The inquiry pages: start one from a listing, my inquiries, one thread with reply, decline,
//! close, and "签订交易" which proposes a deal from the conversation.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::ListingKind;

use super::api::{InquiryView, full_view, inquiry_view};
use super::{service, store};
use crate::AppState;
use crate::market::deals::propose::{self, DealForm, Typed};
use crate::market::store as listings;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};

#[derive(Debug, Default, Deserialize)]
pub struct StartForm {
    #[serde(default)]
    listing_id: i64,
    #[serde(default)]
    message: String,
}

/// `POST /inquiries` from a listing page.
pub async fn start(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Form(form): Form<StartForm>,
) -> Result<Response, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let listing = listings::find(&app.db, form.listing_id)
        .await?
        .ok_or_else(|| page_error(AppError::not_found("内容")))?;
    let kind = listing.kind().unwrap_or(ListingKind::Offer);
    let id = service::open(&app, &actor, kind, listing.id, &form.message)
        .await
        .map_err(page_error)?;
    Ok(Redirect::to(&format!("/me/inquiries/{id}")).into_response())
}

pub struct InquiryLine {
    pub view: InquiryView,
    pub counterpart: String,
    pub updated: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inquiries/list.html")]
pub struct ListPage {
    me: Option<Actor>,
    inquiries: Vec<InquiryLine>,
    pager: Pager,
}

pub async fn list(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(paging): Query<Paging>,
) -> Result<ListPage, PageError> {
    let (rows, total) = store::mine(&app.db, actor.id, paging).await?;
    let inquiries = rows
        .into_iter()
        .map(|row| {
            let counterpart = if row.owner_id == actor.id.0 {
                row.requester_name.clone()
            } else {
                row.owner_name.clone()
            };
            InquiryLine {
                updated: shanghai(row.updated_at),
                counterpart,
                view: inquiry_view(row, Vec::new()),
            }
        })
        .collect();
    Ok(ListPage {
        me: Some(actor),
        inquiries,
        pager: Pager::new(paging.page(), paging.per_page(), total),
    })
}

pub struct MessageLine {
    pub mine: bool,
    pub author: String,
    pub body: String,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "inquiries/thread.html")]
pub struct ThreadPage {
    me: Option<Actor>,
    inquiry: InquiryView,
    messages: Vec<MessageLine>,
    is_owner: bool,
    error: Option<String>,
    /// A 科创会 edition at which this deal may be signed (the listing is a selected project).
    fair: Option<(i64, String)>,
    /// The 签订交易 form: from the listing, or as typed into a refused proposal (then open).
    deal: DealForm,
    /// What the last action did (`?done=`), and whether this person may still undo its end.
    done: Option<String>,
    undoable: bool,
}

/// The thread page; `typed` is what a refused deal proposal held, shown again.
pub async fn thread(
    app: &AppState,
    actor: Actor,
    id: i64,
    ip: Option<&str>,
    error: Option<String>,
    typed: Option<Typed>,
) -> Result<ThreadPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let row = service::participant(app, &actor, id, ip)
        .await
        .map_err(page_error)?;
    let is_owner = row.owner_id == actor.id.0;
    let undoable = super::undo::undoable(&row, actor.id, app.clock.now());
    let fair =
        crate::fair::store::signing_fair_of_listing(&app.db, row.listing_id, app.clock.now())
            .await
            .map_err(|e| page_error(e.into()))?;
    let deal = propose::form(app, &row, typed).await.map_err(page_error)?;
    let inquiry = full_view(app, row).await.map_err(page_error)?;
    let messages = inquiry
        .messages
        .iter()
        .map(|m| MessageLine {
            mine: m.author_id == actor.id.0,
            author: m.author_name.clone(),
            body: m.body.clone(),
            at: shanghai(m.created_at),
        })
        .collect();
    Ok(ThreadPage {
        me: Some(actor),
        inquiry,
        messages,
        is_owner,
        error,
        fair,
        deal,
        done: None,
        undoable,
    })
}

pub async fn show(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Query(done): Query<DoneQuery>,
) -> Result<ThreadPage, PageError> {
    let user = actor.id;
    let mut page = thread(&app, actor, id, ip.as_deref(), None, None).await?;
    // Opened by a participant (`thread` checked): its messages are read.
    store::mark_read(&app.db, id, user).await?;
    page.done = done.message();
    Ok(page)
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    body: String,
}

/// One form endpoint for the thread's actions: reply, decline, close (a deal is proposed at
/// `/me/inquiries/{id}/deal`, `deals::propose`).
pub async fn act(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    let row = service::participant(&app, &actor, id, ip.as_deref())
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let outcome: Result<String, AppError> = match form.action.as_str() {
        "reply" => service::reply(&app, &actor, &row, &form.body)
            .await
            .map(|_| done::href(&format!("/me/inquiries/{id}"), Done::Replied)),
        "declined" | "closed" => service::set_status(&app, &actor, &row, &form.action)
            .await
            .map(|_| {
                let done = if form.action == "declined" {
                    Done::Declined
                } else {
                    Done::Ended
                };
                done::href(&format!("/me/inquiries/{id}"), done)
            }),
        _ => Err(AppError::validation("action", "未知操作")),
    };
    match outcome {
        Ok(target) => Ok(Redirect::to(&target).into_response()),
        Err(AppError::Internal(cause)) => {
            Err(PageError::new(AppError::Internal(cause), Some(actor)))
        }
        Err(refusal) => {
            let message = refusal
                .fields()
                .into_values()
                .next()
                .unwrap_or_else(|| refusal.to_string());
            let status = refusal.status();
            Ok((
                status,
                thread(&app, actor, id, ip.as_deref(), Some(message), None).await?,
            )
                .into_response())
        }
    }
}
