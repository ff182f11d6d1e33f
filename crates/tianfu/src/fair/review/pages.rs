//! The reviewer's page, `/fairs/{id}/reviews`: the projects assigned to the signed-in reviewer,
//! each with a form scoring every criterion 0–100 and a comment. A saved score redirects back
//! with a message; a refused one shows the errors by the fields, the input kept. No JavaScript.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tianfu_domain::FieldErrors;
use tianfu_domain::fair::Criterion;

use super::api::MyReviewView;
use super::scores::{self, ScoreInput};
use crate::AppState;
use crate::fair::editions::service::find as find_fair;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, PageUser};
use crate::platform::done::{self, Done, DoneQuery};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};

/// A score as a form shows it: whole numbers bare, others to one decimal.
pub fn score_text(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// One assigned project with its form.
pub struct Card {
    pub view: MyReviewView,
    /// What each criterion's field shows (the saved score, or what was typed).
    pub values: BTreeMap<String, String>,
    pub comment: String,
    pub errors: FieldErrors,
}

impl Card {
    fn value(&self, key: &str) -> &str {
        self.values.get(key).map_or("", String::as_str)
    }

    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or_default()
    }

    fn criterion_error(&self, key: &str) -> &str {
        self.error(&format!("criteria.{key}"))
    }

    fn my_score(&self) -> Option<String> {
        self.view.score.map(score_text)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/review/mine.html")]
pub struct MinePage {
    me: Option<Actor>,
    fair_id: i64,
    fair_name: String,
    phase_label: &'static str,
    /// Why scoring is closed, when it is.
    closed: Option<String>,
    criteria: Vec<Criterion>,
    cards: Vec<Card>,
    pager: Pager,
    pager_base: String,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct MineParams {
    page: Option<u32>,
}

/// What the page shows after an act: the fields kept and the errors of one card, or a message.
#[derive(Default)]
struct Outcome {
    card: Option<(i64, BTreeMap<String, String>, String, FieldErrors)>,
    notice: Option<String>,
    error: Option<String>,
}

const PER_PAGE: u32 = 20;

async fn mine_page(
    app: &AppState,
    me: Actor,
    id: i64,
    page: Option<u32>,
    outcome: Outcome,
) -> Result<MinePage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(me.clone()));
    let fair = find_fair(app, id).await.map_err(fail)?;
    let paging = Paging {
        page,
        per_page: Some(PER_PAGE),
    };
    let (rows, total) = scores::mine(app, &me, &fair, paging).await.map_err(fail)?;
    let mut kept = outcome.card;
    let cards = rows
        .into_iter()
        .map(|row| {
            let view = MyReviewView::of(app, row);
            if let Some((_, values, comment, errors)) =
                kept.take_if(|(pid, ..)| *pid == view.project_id)
            {
                return Card {
                    view,
                    values,
                    comment,
                    errors,
                };
            }
            let values = view
                .criteria
                .iter()
                .flatten()
                .map(|(k, v)| (k.clone(), score_text(*v)))
                .collect();
            Card {
                comment: view.comment.clone().unwrap_or_default(),
                values,
                errors: FieldErrors::new(),
                view,
            }
        })
        .collect();
    let closed = scores::scoring_open(app, &fair)
        .err()
        .map(|e| e.to_string());
    Ok(MinePage {
        fair_id: fair.id,
        phase_label: fair.phase(app.clock.now()).label(),
        criteria: fair.criteria(),
        fair_name: fair.name,
        closed,
        cards,
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: format!("/fairs/{id}/reviews?"),
        notice: outcome.notice,
        error: outcome.error,
        me: Some(me),
    })
}

/// 我的评审: the projects assigned to me in this edition.
pub async fn mine(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    Path(id): Path<i64>,
    Query(params): Query<MineParams>,
    Query(done): Query<DoneQuery>,
) -> Result<MinePage, PageError> {
    let outcome = Outcome {
        notice: done.message(),
        ..Outcome::default()
    };
    mine_page(&app, me, id, params.page, outcome).await
}

/// Saves a score from the page's form (`criteria.<key>` fields, `comment`, `page`).
pub async fn score(
    State(app): State<AppState>,
    PageUser(me): PageUser,
    Path((id, pid)): Path<(i64, i64)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let value = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let page = value("page").parse::<u32>().ok();
    let comment = value("comment");
    let fair = find_fair(&app, id)
        .await
        .map_err(|e| PageError::new(e, Some(me.clone())))?;
    let mut errors = FieldErrors::new();
    let mut typed = BTreeMap::new();
    let mut given = std::collections::HashMap::new();
    for c in fair.criteria() {
        let text = value(&format!("criteria.{}", c.key));
        if !text.is_empty() {
            match text.parse::<f64>() {
                Ok(v) => {
                    given.insert(c.key.clone(), v);
                }
                Err(_) => errors.add(&format!("criteria.{}", c.key), "请填写0到100的分数"),
            }
        }
        typed.insert(c.key, text);
    }
    let input = ScoreInput {
        score: None,
        criteria: Some(given),
        comment: comment.clone(),
    };
    let result = if errors.is_empty() {
        scores::score(&app, &me, &fair, pid, &input)
            .await
            .map(|_| ())
    } else {
        Err(AppError::Validation(errors))
    };
    let (status, outcome) = match result {
        Ok(()) => {
            let page = page.map(|p| format!("?page={p}")).unwrap_or_default();
            let back = format!("/fairs/{id}/reviews{page}#p{pid}");
            return Ok(done::redirect(&back, Done::ScoreSaved).into_response());
        }
        Err(AppError::Validation(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Outcome {
                card: Some((pid, typed, comment, errors)),
                ..Outcome::default()
            },
        ),
        Err(e @ (AppError::Conflict { .. } | AppError::Forbidden(_))) => (
            e.status(),
            Outcome {
                error: Some(e.to_string()),
                ..Outcome::default()
            },
        ),
        Err(other) => return Err(PageError::new(other, Some(me))),
    };
    let page = mine_page(&app, me, id, page, outcome).await?;
    Ok((status, page).into_response())
}
