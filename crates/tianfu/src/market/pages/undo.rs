//! The buttons after a 撤回 or 关闭: 撤销 within the window, then 重新提交审核 / 重新开放.

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tianfu_domain::ListingStatus;

use super::MyListing;
use crate::AppState;
use crate::market::undo;
use crate::platform::done::{self, Done};
use crate::platform::page::{PageError, safe_next};

#[derive(Debug, Default, Deserialize)]
pub struct BackForm {
    next: Option<String>,
}

fn back(form: &BackForm) -> String {
    match form.next.as_deref() {
        Some(next) => safe_next(Some(next)),
        None => "/me/listings".to_owned(),
    }
}

/// `POST /me/listings/{id}/undo`.
pub async fn undo(
    State(app): State<AppState>,
    MyListing { actor, row, .. }: MyListing,
    Form(form): Form<BackForm>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, Some(actor.clone()));
    undo::undo(&app, &row).await.map_err(fail)?;
    Ok(done::redirect(&back(&form), Done::Undone).into_response())
}

/// `POST /me/listings/{id}/reopen`: 重新提交审核 or 重新开放.
pub async fn reopen(
    State(app): State<AppState>,
    MyListing { actor, row, .. }: MyListing,
    Form(form): Form<BackForm>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, Some(actor.clone()));
    let was_closed = row.status() == Some(ListingStatus::Closed);
    undo::reopen(&app, &row).await.map_err(fail)?;
    let done = if was_closed {
        Done::Reopened
    } else {
        Done::Resubmitted
    };
    Ok(done::redirect(&back(&form), done).into_response())
}
