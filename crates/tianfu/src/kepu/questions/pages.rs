//! The pages of 向科学要答案: answered questions and their search (`/kepu/questions`), one
//! question with its thread, answer and accept forms, asking (`/kepu/ask`, a GET step that
//! shows similar answered questions first), and `/me/questions` — 待我回答, my questions, a
//! staff member's region queue, and the channels a scientist or volunteer answers in. Every
//! form works without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::Role;

use super::api::{self, SimilarItem};
use super::rules::Status;
use super::service::{self, AskInput, QuestionView};
use super::store::{self, QuestionFilter};
use crate::AppState;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, MaybeUser, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, url_encode};

/// A question in a list, with its time for the screen.
pub struct Line {
    pub view: QuestionView,
    pub asked: String,
}

fn lines(
    app: &AppState,
    rows: Vec<store::QuestionRow>,
    viewer: Option<&Actor>,
    channels: &[(String, String)],
) -> Vec<Line> {
    rows.into_iter()
        .map(|row| {
            let asked = shanghai(row.created_at);
            Line {
                view: service::question_view(app, row, viewer, channels),
                asked,
            }
        })
        .collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct IndexParams {
    q: Option<String>,
    assigned: Option<String>,
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/questions/index.html")]
pub struct IndexPage {
    me: Option<Actor>,
    q: String,
    questions: Vec<Line>,
    hits: Vec<SimilarItem>,
    pager: Pager,
    pager_base: String,
}

/// `/kepu/questions`: the newest answered public questions, or those matching `q`.
pub async fn index(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(params): Query<IndexParams>,
) -> Result<Response, PageError> {
    if params.assigned.as_deref() == Some("me") {
        return Ok(Redirect::to("/me/questions").into_response());
    }
    let q = params.q.unwrap_or_default().trim().to_owned();
    let paging = Paging {
        page: params.page,
        per_page: Some(20),
    };
    let (questions, hits, total) = if q.is_empty() {
        let filter = QuestionFilter {
            public_only: true,
            ..QuestionFilter::default()
        };
        let (rows, total) = store::list(&app.db, &filter, paging).await?;
        let channels = store::channels(&app.db).await?;
        (lines(&app, rows, me.as_ref(), &channels), Vec::new(), total)
    } else {
        let hits = api::similar_to(&app, &q, 20)
            .await
            .map_err(|e| PageError::new(e, me.clone()))?;
        let total = hits.len() as i64;
        (Vec::new(), hits, total)
    };
    Ok(IndexPage {
        pager: Pager::new(paging.page(), paging.per_page(), total),
        pager_base: "/kepu/questions?".to_owned(),
        me,
        q,
        questions,
        hits,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/questions/show.html")]
pub struct ShowPage {
    me: Option<Actor>,
    question: QuestionView,
    asked: String,
    can_answer: bool,
    can_accept: bool,
    asker_id: i64,
    error: Option<String>,
}

impl ShowPage {
    fn at(&self, answer: &super::service::AnswerView) -> String {
        shanghai(answer.created_at)
    }

    /// The class that indents a reply by its depth (`.depth-1` to `.depth-3` in app.css; the
    /// policy allows no style attributes).
    fn indent(&self, depth: &i64) -> String {
        format!(
            "depth-{}",
            (*depth).clamp(0, super::rules::MAX_DEPTH as i64)
        )
    }
}

async fn show_page(
    app: &AppState,
    me: Option<Actor>,
    id: i64,
    ip: Option<&str>,
    error: Option<String>,
) -> Result<ShowPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, me.clone());
    let (row, routed) = service::visible(app, me.as_ref(), id, ip)
        .await
        .map_err(page_error)?;
    let can_answer = me
        .as_ref()
        .is_some_and(|m| service::may_answer(&row, routed, m));
    let can_accept =
        me.as_ref().is_some_and(|m| m.id.0 == row.asker_id) && row.status() == Status::Answered;
    let asked = shanghai(row.created_at);
    let asker_id = row.asker_id;
    let question = service::full_view(app, row, routed, me.as_ref())
        .await
        .map_err(page_error)?;
    Ok(ShowPage {
        me,
        question,
        asked,
        can_answer,
        can_accept,
        asker_id,
        error,
    })
}

pub async fn show(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<ShowPage, PageError> {
    show_page(&app, me, id, ip.as_deref(), None).await
}

/// A refused form shows the page again with the reason and the refusal's status; a server
/// error is the error page.
async fn refused(
    app: &AppState,
    actor: Actor,
    id: i64,
    ip: Option<&str>,
    refusal: AppError,
) -> Result<Response, PageError> {
    if let AppError::Internal(_) = refusal {
        return Err(PageError::new(refusal, Some(actor)));
    }
    let message = refusal
        .fields()
        .into_values()
        .next()
        .unwrap_or_else(|| refusal.to_string());
    let status = refusal.status();
    Ok((
        status,
        show_page(app, Some(actor), id, ip, Some(message)).await?,
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    parent_id: Option<String>,
}

pub async fn answer(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, PageError> {
    let parent = match form
        .parent_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => Ok(None),
        Some(p) => p
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::validation("parent_id", "所回复的回答不存在")),
    };
    let outcome = match parent {
        Ok(parent) => service::answer(&app, &actor, id, &form.body, parent, ip.as_deref()).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(answer) => {
            Ok(Redirect::to(&format!("/kepu/questions/{id}#answer-{answer}")).into_response())
        }
        Err(refusal) => refused(&app, actor, id, ip.as_deref(), refusal).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    answer_id: i64,
    #[serde(default)]
    rating: Option<String>,
}

pub async fn accept(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Form(form): Form<AcceptForm>,
) -> Result<Response, PageError> {
    let rating = match form
        .rating
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        None => Ok(None),
        Some(r) => r
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::validation("rating", "评分应为1到5星")),
    };
    let outcome = match rating {
        Ok(rating) => {
            service::accept(&app, &actor, id, form.answer_id, rating, ip.as_deref()).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/kepu/questions/{id}")).into_response()),
        Err(refusal) => refused(&app, actor, id, ip.as_deref(), refusal).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    private: Option<String>,
    #[serde(default)]
    photo_id: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/questions/ask.html")]
pub struct AskPage {
    me: Option<Actor>,
    form: AskForm,
    channels: Vec<(String, String)>,
    similar: Vec<SimilarItem>,
    /// The similar questions were looked up (the title step is done).
    looked: bool,
    errors: Vec<(String, String)>,
}

impl AskPage {
    fn private(&self) -> bool {
        self.form.private.is_some()
    }
}

/// `/kepu/ask`: the form; with `title` (the first step submitted), answered questions like it
/// are shown above the full form.
pub async fn ask_form(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(form): Query<AskForm>,
) -> Result<AskPage, PageError> {
    let looked = !form.title.trim().is_empty();
    let similar = if looked {
        api::similar_to(&app, &format!("{} {}", form.title, form.body), 5)
            .await
            .map_err(|e| PageError::new(e, Some(actor.clone())))?
    } else {
        Vec::new()
    };
    Ok(AskPage {
        me: Some(actor),
        channels: store::channels(&app.db).await?,
        form,
        similar,
        looked,
        errors: Vec::new(),
    })
}

pub async fn ask(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Form(form): Form<AskForm>,
) -> Result<Response, PageError> {
    let photo_id = match form
        .photo_id
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => Ok(None),
        Some(p) => p
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::validation("photo_id", "图片不存在")),
    };
    let input = photo_id.map(|photo_id| AskInput {
        title: form.title.clone(),
        body: form.body.clone(),
        channel: Some(form.channel.clone()),
        private: form.private.is_some(),
        photo_id,
    });
    let outcome = match input {
        Ok(input) => service::ask(&app, &actor, &input).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(id) => Ok(Redirect::to(&format!("/kepu/questions/{id}")).into_response()),
        Err(AppError::Internal(cause)) => {
            Err(PageError::new(AppError::Internal(cause), Some(actor)))
        }
        Err(refusal) => {
            let status = refusal.status();
            let mut errors: Vec<(String, String)> = refusal.fields().into_iter().collect();
            if errors.is_empty() {
                errors.push((String::new(), refusal.to_string()));
            }
            let page = AskPage {
                me: Some(actor),
                channels: store::channels(&app.db).await?,
                form,
                similar: Vec::new(),
                looked: true,
                errors,
            };
            Ok((status, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "kepu/questions/mine.html")]
pub struct MinePage {
    me: Option<Actor>,
    assigned: Vec<Line>,
    asked: Vec<Line>,
    /// A staff member's region queue: unanswered questions first.
    queue: Vec<Line>,
    queue_name: String,
    /// For scientists and volunteers: every channel and whether they answer it.
    fields: Vec<(String, String, bool)>,
    /// Scientists, volunteers and staff answer questions; residents only ask.
    answerer: bool,
    saved: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct MineParams {
    saved: Option<String>,
}

/// `/me/questions`: 待我回答, 我的提问, and for staff the region's open questions.
pub async fn mine(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(params): Query<MineParams>,
) -> Result<MinePage, PageError> {
    let channels = store::channels(&app.db).await?;
    let first = Paging {
        page: Some(1),
        per_page: Some(50),
    };
    let assigned_filter = QuestionFilter {
        assigned_to: Some(actor.id.0),
        ..QuestionFilter::default()
    };
    let (assigned, _) = store::list(&app.db, &assigned_filter, first).await?;
    let asked_filter = QuestionFilter {
        asker: Some(actor.id.0),
        ..QuestionFilter::default()
    };
    let (asked, _) = store::list(&app.db, &asked_filter, first).await?;
    let (queue, queue_name) = match api::own_region(&actor) {
        Some(region) => {
            let filter = QuestionFilter {
                region: Some(region.clone()),
                status: Some(Status::Open),
                ..QuestionFilter::default()
            };
            let (rows, _) = store::list(&app.db, &filter, first).await?;
            (rows, app.regions.full_name(&region))
        }
        None => (Vec::new(), String::new()),
    };
    let fields = if matches!(actor.role, Role::Worker | Role::Volunteer) {
        let mine = store::fields_of(&app.db, actor.id.0).await?;
        channels
            .iter()
            .map(|(code, name)| (code.clone(), name.clone(), mine.contains(code)))
            .collect()
    } else {
        Vec::new()
    };
    Ok(MinePage {
        assigned: lines(&app, assigned, Some(&actor), &channels),
        asked: lines(&app, asked, Some(&actor), &channels),
        queue: lines(&app, queue, Some(&actor), &channels),
        queue_name,
        fields,
        saved: params.saved.is_some(),
        answerer: actor.is_staff() || matches!(actor.role, Role::Worker | Role::Volunteer),
        me: Some(actor),
    })
}

/// The channels form on `/me/questions` (checkboxes: `channels` repeated).
pub async fn set_channels(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    if !matches!(actor.role, Role::Worker | Role::Volunteer) {
        return Err(page_error(AppError::Forbidden(
            "只有科技工作者和科技志愿者可以选择解答领域".into(),
        )));
    }
    let wanted: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "channels")
        .map(|(_, v)| v)
        .collect();
    let channels = api::parse_channels(&app, &wanted)
        .await
        .map_err(page_error)?;
    store::set_fields(&app.db, actor.id.0, &channels).await?;
    Ok(Redirect::to("/me/questions?saved=1").into_response())
}

/// The link to ask with a title already typed (used by the index's empty-result hint).
pub fn ask_link(title: &str) -> String {
    format!("/kepu/ask?title={}", url_encode(title))
}

impl IndexPage {
    fn ask_link(&self) -> String {
        ask_link(&self.q)
    }
}
