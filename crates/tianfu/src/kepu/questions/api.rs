//! `/api/v1/kepu/questions…`: ask, list (public, 待我回答, mine, a staff member's region), read,
//! answer, accept; similar answered questions before asking; the channels a person answers in.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tianfu_domain::{RegionCode, Role};
use tianfu_search::{ListingKind as IndexKind, SearchQuery, Sort};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, AskInput, QuestionView};
use super::store::{self, QuestionFilter};
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{Actor, ApiMaybeUser, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope;
use crate::{App, AppState};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionRequest {
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 60)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub body: String,
    /// A channel code: encyclopedia, health, safety, frontier, practical, earth, emergency,
    /// agriculture.
    #[serde(default)]
    pub channel: Option<String>,
    /// Only the asker, the people it is routed to and local staff may read a private question.
    #[serde(default)]
    pub private: bool,
    /// An image the asker uploaded (`POST /api/v1/kepu/media`).
    #[serde(default)]
    pub photo_id: Option<i64>,
}

/// Ask a question; it is routed to fitting scientists, volunteers and the county's staff.
#[utoipa::path(post, path = "/api/v1/kepu/questions", tag = "kepu", request_body = QuestionRequest,
    responses((status = 201, body = QuestionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(request): ApiJson<QuestionRequest>,
) -> Result<(StatusCode, Json<QuestionView>), AppError> {
    let input = AskInput {
        title: request.title,
        body: request.body,
        channel: request.channel,
        private: request.private,
        photo_id: request.photo_id,
    };
    let id = service::ask(&app, &actor, &input).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("问题"))?;
    Ok((
        StatusCode::CREATED,
        Json(service::full_view(&app, row, false, Some(&actor)).await?),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `me`: the questions routed to the caller (待我回答).
    #[param(value_type = Option<MeFilter>)]
    pub assigned: Option<String>,
    /// `me`: the caller's own questions.
    #[param(value_type = Option<MeFilter>)]
    pub asker: Option<String>,
    /// Staff only: every question asked in this region's subtree (their queue).
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    /// open, answered or accepted.
    #[param(value_type = Option<QuestionStatusFilter>)]
    pub status: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

crate::platform::openapi::wire_enum!(
    /// `me`, or empty for no filter.
    MeFilter,
    vec!["".into(), "me".into()]
);
crate::platform::openapi::wire_enum!(
    /// open 待回答, answered 已回答, accepted 已采纳; empty for any.
    QuestionStatusFilter,
    vec!["".into(), "open".into(), "answered".into(), "accepted".into()]
);

fn me_filter(field: &str, value: Option<&str>) -> Result<bool, AppError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(false),
        Some("me") => Ok(true),
        Some(_) => Err(AppError::validation(field, "只能是 me（我）")),
    }
}

/// Turns the list parameters into a filter the viewer may use: without any, the public's
/// answered questions.
pub async fn filter_for(
    app: &App,
    viewer: Option<&Actor>,
    params: &ListParams,
    ip: Option<&str>,
) -> Result<QuestionFilter, AppError> {
    let assigned = me_filter("assigned", params.assigned.as_deref())?;
    let asker = me_filter("asker", params.asker.as_deref())?;
    let status = service::parse_status(params.status.as_deref())?;
    let region = match params
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(code) => Some(
            app.regions
                .find(code)
                .map(|r| r.code.clone())
                .ok_or_else(|| AppError::validation("region_code", "地区代码不存在"))?,
        ),
    };
    let mut filter = QuestionFilter {
        status,
        ..QuestionFilter::default()
    };
    if !(assigned || asker || region.is_some()) {
        filter.public_only = true;
        return Ok(filter);
    }
    let viewer = viewer.ok_or_else(AppError::unauthorized)?;
    if assigned {
        filter.assigned_to = Some(viewer.id.0);
    }
    if asker {
        filter.asker = Some(viewer.id.0);
    }
    if let Some(region) = region {
        let allowed = scope::can_view_region(viewer, &region);
        scope::ensure(app, viewer, allowed, &format!("questions:{region}"), ip).await?;
        filter.region = Some(region);
    }
    Ok(filter)
}

/// Questions: answered public ones by default; `assigned=me` those routed to the caller,
/// `asker=me` the caller's, `region_code` a staff member's region (private ones included).
#[utoipa::path(get, path = "/api/v1/kepu/questions", tag = "kepu", params(ListParams),
    responses((status = 200, body = inline(ListResponse<QuestionView>)), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiMaybeUser(viewer): ApiMaybeUser,
    ClientIp(ip): ClientIp,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ListResponse<QuestionView>>, AppError> {
    let filter = filter_for(&app, viewer.as_ref(), &params, ip.as_deref()).await?;
    let paging = Paging {
        page: params.page,
        per_page: params.per_page,
    };
    let (rows, total) = store::list(&app.db, &filter, paging).await?;
    let channels = store::channels(&app.db).await?;
    Ok(Json(ListResponse {
        items: rows
            .into_iter()
            .map(|row| service::question_view(&app, row, viewer.as_ref(), &channels))
            .collect(),
        total,
    }))
}

/// One question with its threaded answers.
#[utoipa::path(get, path = "/api/v1/kepu/questions/{id}", tag = "kepu", params(("id" = i64, Path)),
    responses((status = 200, body = QuestionView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security((), ("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ApiMaybeUser(viewer): ApiMaybeUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<QuestionView>, AppError> {
    let (row, routed) = service::visible(&app, viewer.as_ref(), id, ip.as_deref()).await?;
    Ok(Json(
        service::full_view(&app, row, routed, viewer.as_ref()).await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 3000)]
    pub body: String,
    /// The answer this one replies to, in the same question.
    #[serde(default)]
    pub parent_id: Option<i64>,
}

/// Answer a question, or reply to an answer (`parent_id`); the asker is told.
#[utoipa::path(post, path = "/api/v1/kepu/questions/{id}/answers", tag = "kepu", params(("id" = i64, Path)), request_body = AnswerRequest,
    responses((status = 201, body = QuestionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn answer(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<(StatusCode, Json<QuestionView>), AppError> {
    service::answer(
        &app,
        &actor,
        id,
        &request.body,
        request.parent_id,
        ip.as_deref(),
    )
    .await?;
    let (row, routed) = service::visible(&app, Some(&actor), id, ip.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::full_view(&app, row, routed, Some(&actor)).await?),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    #[serde(default)]
    #[schema(required = true)]
    pub answer_id: i64,
    /// 1 to 5 stars.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<i64>,
}

/// The asker accepts one answer and may rate it; once per question.
#[utoipa::path(post, path = "/api/v1/kepu/questions/{id}/accept", tag = "kepu", params(("id" = i64, Path)), request_body = AcceptRequest,
    responses((status = 200, body = QuestionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn accept(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<AcceptRequest>,
) -> Result<Json<QuestionView>, AppError> {
    service::accept(
        &app,
        &actor,
        id,
        request.answer_id,
        request.rating,
        ip.as_deref(),
    )
    .await?;
    let (row, routed) = service::visible(&app, Some(&actor), id, ip.as_deref()).await?;
    Ok(Json(
        service::full_view(&app, row, routed, Some(&actor)).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimilarParams {
    /// The question being typed (its title, perhaps more).
    #[param(max_length = 200)]
    pub q: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarItem {
    pub id: i64,
    pub title: String,
    /// Escaped text with matches in `<mark>`.
    pub snippet: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SimilarList {
    pub items: Vec<SimilarItem>,
}

/// Up to `limit` answered public questions like the words given, best first.
pub async fn similar_to(
    app: &App,
    words: &str,
    limit: usize,
) -> Result<Vec<SimilarItem>, AppError> {
    let q: String = words.trim().chars().take(100).collect();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let query = SearchQuery {
        q,
        kinds: vec![IndexKind::Question],
        region_code: None,
        industry: None,
        service_type: None,
        price_min_fen: None,
        price_max_fen: None,
        sort: Sort::Relevance,
        offset: 0,
        limit,
    };
    let search = app.search.clone();
    let results = tokio::task::spawn_blocking(move || search.search(&query))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("similar questions: {e}")))?;
    Ok(results
        .hits
        .into_iter()
        .filter(|h| h.kind == IndexKind::Question)
        .map(|h| SimilarItem {
            id: h.id,
            title: h.title,
            snippet: h.snippet_html,
        })
        .collect())
}

/// Answered questions like the one being typed: shown before posting.
#[utoipa::path(get, path = "/api/v1/kepu/questions/similar", tag = "kepu", params(SimilarParams),
    responses((status = 200, body = SimilarList), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn similar(
    State(app): State<AppState>,
    ApiQuery(params): ApiQuery<SimilarParams>,
) -> Result<Json<SimilarList>, AppError> {
    if params.q.as_deref().is_some_and(|q| q.chars().count() > 200) {
        return Err(AppError::validation("q", "问题不能超过200字"));
    }
    Ok(Json(SimilarList {
        items: similar_to(&app, params.q.as_deref().unwrap_or_default(), 5).await?,
    }))
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswererChannels {
    /// The channel codes the person answers questions in.
    #[serde(default)]
    #[schema(required = true)]
    pub channels: Vec<String>,
}

fn answers_questions(actor: &Actor) -> Result<(), AppError> {
    if matches!(actor.role, Role::Worker | Role::Volunteer) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "只有科技工作者和科技志愿者可以选择解答领域".into(),
        ))
    }
}

/// The channels whose questions the caller (a scientist or volunteer) is sent.
#[utoipa::path(get, path = "/api/v1/kepu/answerer/channels", tag = "kepu",
    responses((status = 200, body = AnswererChannels), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn my_channels(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> Result<Json<AnswererChannels>, AppError> {
    answers_questions(&actor)?;
    Ok(Json(AnswererChannels {
        channels: store::fields_of(&app.db, actor.id.0).await?,
    }))
}

/// Checks channel codes against the channels: known, no repeats.
pub async fn parse_channels(app: &App, items: &[String]) -> Result<Vec<String>, AppError> {
    let known = store::channels(&app.db).await?;
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let code = item.trim();
        if !known.iter().any(|(c, _)| c == code) {
            return Err(AppError::validation(
                "channels",
                format!("未知的栏目“{code}”"),
            ));
        }
        if !out.iter().any(|c| c == code) {
            out.push(code.to_owned());
        }
    }
    Ok(out)
}

/// Opt in to (replace) the channels whose questions the caller is sent.
#[utoipa::path(put, path = "/api/v1/kepu/answerer/channels", tag = "kepu", request_body = AnswererChannels,
    responses((status = 200, body = AnswererChannels), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_my_channels(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(request): ApiJson<AnswererChannels>,
) -> Result<Json<AnswererChannels>, AppError> {
    answers_questions(&actor)?;
    let channels = parse_channels(&app, &request.channels).await?;
    store::set_fields(&app.db, actor.id.0, &channels).await?;
    Ok(Json(AnswererChannels { channels }))
}

/// The region a staff member's queue defaults to.
pub fn own_region(actor: &Actor) -> Option<RegionCode> {
    actor.is_staff().then(|| actor.region.clone())
}
