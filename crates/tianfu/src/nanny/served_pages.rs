//! The served person's view of the nanny service, `/me/nanny`: who their nanny is, the plan
//! and its progress, and rating the service.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::pages::summary;
use super::service;
use super::view::TicketDetail;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};
use crate::{App, AppState};

#[derive(Template, WebTemplate)]
#[template(path = "nanny/served.html")]
pub struct ServedPage {
    me: Option<Actor>,
    tickets: Vec<TicketDetail>,
    error: Option<String>,
    pager: Pager,
    pager_base: &'static str,
}

/// Each ticket shows its whole plan and history: a few to a page.
const SERVED_PER_PAGE: u32 = 10;

async fn served_page(
    app: &App,
    actor: Actor,
    page: Option<u32>,
    error: Option<String>,
) -> Result<ServedPage, PageError> {
    let paging = Paging {
        page,
        per_page: Some(SERVED_PER_PAGE),
    };
    let (tickets, total) = TicketDetail::served_by(app, actor.id.0, paging).await?;
    Ok(ServedPage {
        me: Some(actor),
        tickets,
        error,
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: "/me/nanny?",
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ServedQuery {
    page: Option<String>,
}

pub async fn served(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(query): Query<ServedQuery>,
) -> Result<ServedPage, PageError> {
    let page = query.page.and_then(|p| p.trim().parse().ok());
    served_page(&app, actor, page, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    stars: String,
    #[serde(default)]
    comment: String,
}

pub async fn rate(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<RatingForm>,
) -> Result<Response, PageError> {
    let ticket = service::for_served(&app, &actor, id)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let stars = form.stars.trim().parse().unwrap_or(0);
    match service::rate(&app, &ticket, stars, Some(&form.comment)).await {
        Ok(()) => Ok(Redirect::to("/me/nanny").into_response()),
        Err(AppError::Validation(errors)) => {
            let message = summary(&errors);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                served_page(&app, actor, None, Some(message)).await?,
            )
                .into_response())
        }
        Err(other) => Err(PageError::new(other, Some(actor))),
    }
}
