//! `/me/fair-outcomes`: the questions put to me six months after a fair, each answered once by
//! choosing one of the five outcomes.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::fair::Outcome;

use super::api::OutcomeView;
use super::{service, store};
use crate::AppState;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, PageUser};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};

pub struct OutcomeChoice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/after/outcomes.html")]
pub struct OutcomesPage {
    me: Option<Actor>,
    items: Vec<OutcomeView>,
    choices: Vec<OutcomeChoice>,
    pager: Pager,
    pager_base: String,
    error: Option<(i64, String)>,
    saved: bool,
}

async fn outcomes_page(
    app: &AppState,
    actor: Actor,
    paging: Paging,
    error: Option<(i64, String)>,
    saved: bool,
) -> Result<OutcomesPage, PageError> {
    let (rows, total) = store::mine(&app.db, actor.id.0, paging).await?;
    Ok(OutcomesPage {
        me: Some(actor),
        items: rows.into_iter().map(|r| OutcomeView::of(app, r)).collect(),
        choices: Outcome::ALL
            .iter()
            .map(|o| OutcomeChoice {
                value: o.as_str(),
                label: o.label(),
            })
            .collect(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: "/me/fair-outcomes?".into(),
        error,
        saved,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    page: Option<u32>,
    saved: Option<bool>,
}

pub async fn list(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(query): Query<ListQuery>,
) -> Result<OutcomesPage, PageError> {
    let paging = Paging {
        page: query.page,
        per_page: None,
    };
    outcomes_page(&app, actor, paging, None, query.saved.unwrap_or(false)).await
}

#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    note: String,
}

pub async fn answer(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(oid): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    match service::answer(&app, &actor, oid, &form.outcome, Some(&form.note)).await {
        Ok(_) => Ok(Redirect::to("/me/fair-outcomes?saved=true").into_response()),
        Err(AppError::Internal(cause)) => {
            Err(PageError::new(AppError::Internal(cause), Some(actor)))
        }
        Err(refusal) => {
            let status = refusal.status();
            let message = match &refusal {
                AppError::Validation(fields) => fields
                    .iter()
                    .map(|(_, m)| m.to_owned())
                    .collect::<Vec<_>>()
                    .join("；"),
                other => other.to_string(),
            };
            let paging = Paging {
                page: None,
                per_page: None,
            };
            let page = outcomes_page(&app, actor, paging, Some((oid, message)), false).await?;
            Ok((status, page).into_response())
        }
    }
}
