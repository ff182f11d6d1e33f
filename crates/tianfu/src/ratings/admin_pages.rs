//! `/admin/ratings`: what awaits my step, oldest first, each with its figures and the approve /
//! reject form (preset reasons); and nominating a studio or a case of my region.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tianfu_domain::FieldErrors;

use super::pages::{ApplyForm, form_errors};
use super::queue;
use super::rules::REJECT_REASONS;
use super::service;
use super::view::RatingView;
use crate::AppState;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::PageError;

/// How many the queue shows with their figures at once (each costs a few indexed reads).
const SHOWN: i64 = 30;

#[derive(Template, WebTemplate)]
#[template(path = "ratings/queue.html")]
pub struct QueuePage {
    me: Option<Actor>,
    items: Vec<RatingView>,
    reject_reasons: &'static [&'static str],
    form: ApplyForm,
    errors: FieldErrors,
}

async fn queue_page(
    app: &AppState,
    actor: Actor,
    form: ApplyForm,
    errors: FieldErrors,
) -> Result<QueuePage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let rows = queue::for_actor(app, &actor, SHOWN).await.map_err(fail)?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(RatingView::full(app, row).await.map_err(fail)?);
    }
    Ok(QueuePage {
        me: Some(actor),
        items,
        reject_reasons: REJECT_REASONS,
        form,
        errors,
    })
}

pub async fn index(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
) -> Result<QueuePage, PageError> {
    queue_page(&app, actor, ApplyForm::default(), FieldErrors::new()).await
}

pub async fn nominate(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(form): Form<ApplyForm>,
) -> Result<Response, PageError> {
    match service::apply(&app, &actor, &form.input(), ip.as_deref()).await {
        Ok(id) => Ok(Redirect::to(&format!("/ratings/{id}")).into_response()),
        Err(error) => match form_errors(error) {
            Ok((status, errors)) => {
                Ok((status, queue_page(&app, actor, form, errors).await?).into_response())
            }
            Err(AppError::Forbidden(message)) => Ok((
                StatusCode::FORBIDDEN,
                queue_page(&app, actor, form, FieldErrors::single("subject", message)).await?,
            )
                .into_response()),
            Err(other) => Err(PageError::new(other, Some(actor))),
        },
    }
}
