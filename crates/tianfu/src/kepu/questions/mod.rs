//! 向科学要答案: residents ask, the matching engine routes each question to the scientists and
//! volunteers who fit it and to the county's 全民科普服务部 staff; answers are threaded; the asker
//! accepts one; answered questions are public and searchable.
//!
//! - `rules`: pure rules — what a question must say, who may see and answer it, the public's
//!   name for the asker (邻水县网友), thread order, the interests a question teaches.
//! - `routing`: who a question goes to (studios through the matching engine, volunteers by
//!   channel, the county's staff), decided when it is asked.
//! - `store`: SQL; each act one transaction with its ledger events and notifications.
//! - `service`: the acts (ask, answer, accept, read) shared by the API and the pages.
//! - `clock`: the 48-hour escalation to the city's staff.
//! - `api`, `pages`: JSON and HTML.
//!
//! Ledger: `question.asked` once per question; `question.answered` (the metric 科普问答) and
//! `kepu.served` from `answer` (the asker served, 服务量) once per question, at its first answer
//! by someone other than the asker — more answers do not count the question again; and
//! `answer.accepted` once.

pub mod api;
pub mod clock;
pub mod pages;
pub mod routing;
pub mod rules;
pub mod service;
pub mod store;

use axum::Router;
use axum::routing::{get, post};
use tianfu_search::{ListingDoc, ListingKind};
use tokio::task::JoinHandle;
use utoipa::OpenApi;

use crate::AppState;
use crate::platform::error::AppError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kepu/questions", post(api::create).get(api::list))
        .route("/api/v1/kepu/questions/similar", get(api::similar))
        .route("/api/v1/kepu/questions/{id}", get(api::get))
        .route("/api/v1/kepu/questions/{id}/answers", post(api::answer))
        .route("/api/v1/kepu/questions/{id}/accept", post(api::accept))
        .route(
            "/api/v1/kepu/answerer/channels",
            get(api::my_channels).put(api::set_my_channels),
        )
        .route("/kepu/questions", get(pages::index))
        .route("/kepu/questions/{id}", get(pages::show))
        .route("/kepu/questions/{id}/answers", post(pages::answer))
        .route("/kepu/questions/{id}/accept", post(pages::accept))
        .route("/kepu/ask", get(pages::ask_form).post(pages::ask))
        .route("/me/questions", get(pages::mine).post(pages::set_channels))
}

pub fn spawn_jobs(app: AppState) -> Vec<JoinHandle<()>> {
    vec![clock::spawn(app)]
}

/// What the jobs would have done by now (tests call it through `kepu::settle`): one pass of the
/// 48-hour clock.
pub async fn settle(app: &crate::App) -> Result<(), AppError> {
    clock::tick(app).await?;
    Ok(())
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    QuestionApi::openapi()
}

/// The search document of question `id` when it is public and answered; `None` takes it out of
/// the index. Its text is the question and its answers, the accepted one first.
pub async fn document(app: &crate::App, id: i64) -> Result<Option<ListingDoc>, AppError> {
    let Some(row) = store::find(&app.db, id).await? else {
        return Ok(None);
    };
    if row.private || !row.status().is_answered() {
        return Ok(None);
    }
    let mut answers = store::answers(&app.db, id).await?;
    answers.sort_by_key(|a| (Some(a.id) != row.accepted_answer_id, a.id));
    let answer_text: Vec<String> = answers
        .into_iter()
        .filter(|a| a.author_id != row.asker_id)
        .map(|a| a.body)
        .collect();
    let channel_name = match &row.channel {
        Some(code) => store::channels(&app.db)
            .await?
            .into_iter()
            .find(|(c, _)| c == code)
            .map(|(_, name)| name),
        None => None,
    };
    Ok(Some(ListingDoc {
        kind: ListingKind::Question,
        id: row.id,
        title: row.title,
        body: format!("{}\n{}", row.body, answer_text.join("\n")),
        keywords: channel_name.into_iter().collect(),
        region_code: row.region_code,
        industry: String::new(),
        service_type: row.channel,
        price_fen: None,
        published_at: row.updated_at.timestamp(),
    }))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        api::create,
        api::list,
        api::similar,
        api::get,
        api::answer,
        api::accept,
        api::my_channels,
        api::set_my_channels,
    ),
    components(schemas(api::MeFilter, api::QuestionStatusFilter))
)]
struct QuestionApi;
