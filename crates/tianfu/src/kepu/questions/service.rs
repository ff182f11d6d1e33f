//! The acts on questions, shared by the API and the pages: ask, answer, accept, and reading a
//! question as the viewer may see it. Who may do what is decided in `rules`; refusals of a
//! signed-in person are audited through `platform::scope`.

use serde::Serialize;
use utoipa::ToSchema;

use super::routing;
use super::rules::{self, Seen, Status};
use super::store::{self, AnswerRow, QuestionRow};
use crate::App;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;
use crate::platform::tx::Guarded;

/// What a question asks, as a request carries it.
#[derive(Debug, Clone, Default)]
pub struct AskInput {
    pub title: String,
    pub body: String,
    pub channel: Option<String>,
    pub private: bool,
    pub photo_id: Option<i64>,
}

/// 提问: checks the question, routes it and stores it. Answers its id.
pub async fn ask(app: &App, actor: &Actor, input: &AskInput) -> Result<i64, AppError> {
    let channels: Vec<String> = store::channels(&app.db)
        .await?
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    let question = rules::parse_question(
        &input.title,
        &input.body,
        input.channel.as_deref(),
        input.private,
        input.photo_id,
        &channels,
    )?;
    if let Some(photo) = question.photo_id {
        match store::media_of(&app.db, photo, actor.id.0).await? {
            None => return Err(AppError::validation("photo_id", "图片不存在或不是您上传的")),
            Some(mime) if !mime.starts_with("image/") => {
                return Err(AppError::validation("photo_id", "只能附上图片"));
            }
            Some(_) => {}
        }
    }
    let text = format!("{} {}", question.title, question.body);
    let routes = routing::routes_for(
        app,
        actor.id.0,
        &actor.region,
        &text,
        question.channel.as_deref(),
    )
    .await?;
    let interests = rules::interests_of(
        question.channel.as_deref(),
        &app.search.tokens(&question.title),
    );
    let id = store::ask(
        &app.db,
        actor.id.0,
        &actor.region,
        &question,
        &routes,
        &interests,
        app.clock.now(),
    )
    .await?;
    Ok(id)
}

/// The question if `viewer` may read it, with whether it was routed to them. Anonymous visitors
/// are told it does not exist; a signed-in person refused is audited (403).
pub async fn visible(
    app: &App,
    viewer: Option<&Actor>,
    id: i64,
    ip: Option<&str>,
) -> Result<(QuestionRow, bool), AppError> {
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("问题"))?;
    let routed = match viewer {
        Some(viewer) => store::is_routed(&app.db, id, viewer.id.0).await?,
        None => false,
    };
    let region = row.region()?;
    let seen = seen(&row, &region, routed);
    let allowed = rules::can_view(&seen, viewer);
    match viewer {
        None if !allowed => Err(AppError::not_found("问题")),
        None => Ok((row, routed)),
        Some(viewer) => {
            scope::ensure(app, viewer, allowed, &format!("question:{id}"), ip).await?;
            Ok((row, routed))
        }
    }
}

fn seen<'a>(row: &QuestionRow, region: &'a tianfu_domain::RegionCode, routed: bool) -> Seen<'a> {
    Seen {
        asker_id: row.asker_id,
        region,
        private: row.private,
        status: row.status(),
        routed,
    }
}

/// May the viewer answer this question (for the page's form)?
pub fn may_answer(row: &QuestionRow, routed: bool, viewer: &Actor) -> bool {
    row.region()
        .is_ok_and(|region| rules::can_answer(&seen(row, &region, routed), viewer))
}

/// 回答 (or a reply in the thread when `parent_id` is set). Answers the answer's id.
pub async fn answer(
    app: &App,
    actor: &Actor,
    id: i64,
    body: &str,
    parent_id: Option<i64>,
    ip: Option<&str>,
) -> Result<i64, AppError> {
    let (row, routed) = visible(app, Some(actor), id, ip).await?;
    if !may_answer(&row, routed, actor) {
        return Err(AppError::Forbidden(
            "只有科技工作者、科技志愿者、受邀解答者和本地科普工作人员可以回答".into(),
        ));
    }
    let body = rules::parse_answer(body)?;
    let parent = match parent_id {
        None => None,
        Some(parent_id) => Some(
            store::answers(&app.db, id)
                .await?
                .into_iter()
                .find(|a| a.id == parent_id)
                .ok_or_else(|| AppError::validation("parent_id", "所回复的回答不存在"))?,
        ),
    };
    Ok(store::answer(
        &app.db,
        &row,
        actor.id.0,
        parent.as_ref(),
        &body,
        app.clock.now(),
    )
    .await?)
}

/// 采纳: the asker accepts one answer by someone else and may rate it 1–5, once.
pub async fn accept(
    app: &App,
    actor: &Actor,
    id: i64,
    answer_id: i64,
    rating: Option<i64>,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let (row, _) = visible(app, Some(actor), id, ip).await?;
    if row.asker_id != actor.id.0 {
        return Err(AppError::Forbidden("只有提问者可以采纳回答".into()));
    }
    let rating = rules::parse_rating(rating)?;
    let answer: AnswerRow = store::answers(&app.db, id)
        .await?
        .into_iter()
        .find(|a| a.id == answer_id)
        .ok_or_else(|| AppError::validation("answer_id", "该回答不存在"))?;
    if answer.author_id == actor.id.0 {
        return Err(AppError::validation("answer_id", "不能采纳自己的补充说明"));
    }
    match store::accept(&app.db, &row, &answer, rating, app.clock.now()).await? {
        Guarded::Changed => Ok(()),
        Guarded::Lost => Err(AppError::Conflict {
            message: "该问题已经采纳过回答".into(),
            fields: Default::default(),
        }),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerView {
    pub id: i64,
    /// The answer this one replies to.
    pub parent_id: Option<i64>,
    pub author_id: i64,
    pub author_name: String,
    /// 科技工作者, 科技志愿者, 服务中心工作人员…; 提问者 for the asker's own follow-ups.
    pub author_label: String,
    pub body: String,
    pub accepted: bool,
    /// 0 for an answer, 1.. for replies (at most 3), in thread order.
    pub depth: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RouteView {
    pub user_id: i64,
    pub name: String,
    /// studio, team:<队名>, field, county or city.
    pub reason: String,
    pub reason_label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub channel: Option<String>,
    pub channel_name: Option<String>,
    /// How the asker is shown, e.g. 邻水县网友.
    pub asker_label: String,
    /// Is the viewer the asker?
    pub mine: bool,
    pub private: bool,
    /// open, answered or accepted.
    pub status: String,
    pub status_label: String,
    pub photo_id: Option<i64>,
    /// Where the photo is served.
    pub photo_url: Option<String>,
    pub accepted_answer_id: Option<i64>,
    pub rating: Option<i64>,
    /// Escalated to the city after 48 hours without an answer.
    pub escalated: bool,
    pub answer_count: i64,
    pub region_code: String,
    pub region_name: String,
    /// Only in single-question answers, in thread order.
    pub answers: Vec<AnswerView>,
    /// Who it was routed to; only for its asker, the people routed and staff.
    pub routes: Vec<RouteView>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub fn question_view(
    app: &App,
    row: QuestionRow,
    viewer: Option<&Actor>,
    channels: &[(String, String)],
) -> QuestionView {
    // The public sees the asker's county at most ("邻水县网友"): a township would narrow a
    // resident down to a few thousand people.
    let region_name = app
        .regions
        .find(&row.region_code)
        .and_then(|r| app.regions.get(&r.code.up_to_county()))
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let status = row.status();
    QuestionView {
        asker_label: rules::asker_label(&region_name),
        mine: viewer.is_some_and(|v| v.id.0 == row.asker_id),
        channel_name: row
            .channel
            .as_ref()
            .and_then(|c| channels.iter().find(|(code, _)| code == c))
            .map(|(_, name)| name.clone()),
        region_name: app.regions.full_name_of(&row.region_code),
        status: status.as_str().to_owned(),
        status_label: status.label().to_owned(),
        escalated: row.escalated_at.is_some(),
        answer_count: row.answers,
        id: row.id,
        title: row.title,
        body: row.body,
        channel: row.channel,
        private: row.private,
        photo_id: row.photo_id,
        photo_url: row.photo_sha256.map(|sha| format!("/kepu/media/{sha}")),
        accepted_answer_id: row.accepted_answer_id,
        rating: row.rating,
        region_code: row.region_code,
        answers: Vec::new(),
        routes: Vec::new(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// A question with its threaded answers, and its routes for those who may see them.
pub async fn full_view(
    app: &App,
    row: QuestionRow,
    routed: bool,
    viewer: Option<&Actor>,
) -> Result<QuestionView, AppError> {
    let channels = store::channels(&app.db).await?;
    let answers = store::answers(&app.db, row.id).await?;
    let shows_routes = viewer.is_some_and(|v| {
        routed
            || v.id.0 == row.asker_id
            || row
                .region()
                .is_ok_and(|region| scope::can_view_region(v, &region))
    });
    let routes = if shows_routes {
        store::routes(&app.db, row.id)
            .await?
            .into_iter()
            .map(|r| RouteView {
                reason_label: rules::reason_label(&r.reason),
                user_id: r.user_id,
                name: r.name,
                reason: r.reason,
            })
            .collect()
    } else {
        Vec::new()
    };
    let pairs: Vec<(i64, Option<i64>)> = answers.iter().map(|a| (a.id, a.parent_id)).collect();
    let order = rules::thread_order(&pairs);
    let asker = row.asker_id;
    let accepted = row.accepted_answer_id;
    let mut view = question_view(app, row, viewer, &channels);
    view.routes = routes;
    view.answers = order
        .into_iter()
        .map(|(index, depth)| {
            let a = &answers[index];
            AnswerView {
                id: a.id,
                parent_id: a.parent_id,
                author_id: a.author_id,
                author_name: if a.author_id == asker {
                    view.asker_label.clone()
                } else {
                    a.author_name.clone()
                },
                author_label: if a.author_id == asker {
                    "提问者".to_owned()
                } else {
                    tianfu_domain::Role::parse(&a.author_role)
                        .map(|r| r.label().to_owned())
                        .unwrap_or_default()
                },
                body: a.body.clone(),
                accepted: accepted == Some(a.id),
                depth: depth as i64,
                created_at: a.created_at,
            }
        })
        .collect();
    Ok(view)
}

/// Is `status` one a list may filter by?
pub fn parse_status(text: Option<&str>) -> Result<Option<Status>, AppError> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Status::parse(s).map(Some).ok_or_else(|| {
            AppError::validation(
                "status",
                "状态只能是 open（待回答）、answered（已回答）或 accepted（已采纳）",
            )
        }),
    }
}
