//! `/api/v1/kepu/resources`, channels and media.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tianfu_domain::{RegionCode, Role};
use utoipa::{IntoParams, ToSchema};

use super::content::{self, ResourceBody};
use super::media::{self, MediaView};
use super::store::{self, ResourceFilter, ResourceRow};
use crate::kepu::audience::Audience;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{Actor, ApiMaybeUser, ApiStaff, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope::{self, RegionScope, staff_scope, works_in};
use crate::platform::tx::Guarded;
use crate::{App, AppState};

/// May the actor write resources at all? 全民科普服务部 staff and administrators (published at
/// once), scientists and volunteers (through review).
pub fn may_write(actor: &Actor) -> bool {
    works_in(actor, "kepu") || matches!(actor.role, Role::Worker | Role::Volunteer)
}

/// Publishes without review: 全民科普服务部 staff and administrators.
pub fn publishes_directly(actor: &Actor) -> bool {
    works_in(actor, "kepu")
}

/// May the actor review (or see unpublished) resources located in `region` (none: the
/// province's)?
pub fn may_review(actor: &Actor, region: &RegionCode) -> bool {
    works_in(actor, "kepu") && scope::can_view_region(actor, region)
}

fn region_of(row: &ResourceRow) -> RegionCode {
    RegionCode::parse(&row.region_or_province()).unwrap_or_else(|_| province())
}

fn province() -> RegionCode {
    RegionCode::parse("51").expect("the province's code")
}

/// Who may see a resource: everyone once published; its author and its region's 科普 staff
/// before.
pub fn may_view(actor: Option<&Actor>, row: &ResourceRow) -> bool {
    row.is_published()
        || actor.is_some_and(|a| a.id.0 == row.author_id || may_review(a, &region_of(row)))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResourceView {
    pub id: i64,
    pub title: String,
    pub summary: String,
    /// Sanitised HTML.
    pub body_html: String,
    #[schema(value_type = crate::kepu::audience::FormatName)]
    pub format: String,
    pub channel: String,
    pub channel_name: String,
    #[schema(value_type = Vec<crate::kepu::audience::AudienceName>)]
    pub audiences: Vec<String>,
    pub tags: Vec<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub media: Option<MediaView>,
    pub cover: Option<MediaView>,
    /// pending（待审核）, published（已发布）, rejected（未通过）, withdrawn（已撤回）.
    pub status: String,
    pub review_reason: Option<String>,
    pub author_id: i64,
    pub reads: i64,
    pub completions: i64,
    pub likes: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub published_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl ResourceView {
    pub async fn new(app: &App, row: ResourceRow) -> Result<Self, AppError> {
        let channels = store::channels(&app.db).await?;
        let media = match row.media_id {
            Some(id) => media::find(&app.db, id).await?,
            None => None,
        };
        let cover = match row.cover_id {
            Some(id) => media::find(&app.db, id).await?,
            None => None,
        };
        Ok(Self::with(app, row, &channels, media, cover))
    }

    pub fn with(
        app: &App,
        row: ResourceRow,
        channels: &[(String, String)],
        media: Option<MediaView>,
        cover: Option<MediaView>,
    ) -> Self {
        ResourceView {
            channel_name: channels
                .iter()
                .find(|(c, _)| *c == row.channel)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            audiences: row.audience_list(),
            tags: row.tag_list(),
            region_name: row
                .region_code
                .as_deref()
                .map(|c| app.regions.full_name_of(c)),
            id: row.id,
            title: row.title,
            summary: row.summary,
            body_html: row.body_html,
            format: row.format,
            channel: row.channel,
            region_code: row.region_code,
            media,
            cover,
            status: row.status,
            review_reason: row.review_reason,
            author_id: row.author_id,
            reads: row.reads,
            completions: row.completions,
            likes: row.likes,
            created_at: row.created_at,
            updated_at: row.updated_at,
            published_at: row.published_at,
        }
    }

    pub fn audience_labels(&self) -> String {
        self.audiences
            .iter()
            .filter_map(|a| Audience::parse(a))
            .map(Audience::label)
            .collect::<Vec<_>>()
            .join("、")
    }
}

/// Where a writer may place a resource: staff within their subtree (the whole province only
/// from the province or as an administrator); others anywhere.
fn check_region(actor: &Actor, region: Option<&RegionCode>) -> Result<(), AppError> {
    if !actor.is_staff() {
        return Ok(());
    }
    let target = region.cloned().unwrap_or_else(province);
    if scope::can_view_region(actor, &target) {
        Ok(())
    } else {
        Err(AppError::validation(
            "region_code",
            "只能为本级及下辖地区发布（全省资源须由省级发布）",
        ))
    }
}

/// Creates a resource. 全民科普服务部 staff publish at once; scientists and volunteers submit it
/// for review by the 科普 staff of its region.
#[utoipa::path(post, path = "/api/v1/kepu/resources", tag = "kepu", request_body = ResourceBody,
    responses((status = 201, body = ResourceView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(body): ApiJson<ResourceBody>,
) -> Result<(StatusCode, Json<ResourceView>), AppError> {
    let row = create_as(&app, &actor, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(ResourceView::new(&app, row).await?),
    ))
}

pub async fn create_as(
    app: &App,
    actor: &Actor,
    body: &ResourceBody,
) -> Result<ResourceRow, AppError> {
    if !may_write(actor) {
        return Err(AppError::Forbidden(
            "只有全民科普服务部工作人员、科技工作者和科技志愿者可以发布科普资源".into(),
        ));
    }
    let content = content::validate(app, body).await?;
    check_region(actor, content.region_code.as_ref())?;
    store::create(
        &app.db,
        actor.id.0,
        &content,
        publishes_directly(actor),
        app.clock.now(),
    )
    .await
}

crate::platform::openapi::wire_enum!(
    /// published (default), or pending / rejected / withdrawn; empty means published.
    ResourceStatusFilter,
    vec!["".into(), "published".into(), "pending".into(), "rejected".into(), "withdrawn".into()]
);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A channel code; empty for all.
    pub channel: Option<String>,
    /// published (default), or for 科普 staff pending / rejected in their region.
    #[param(value_type = Option<ResourceStatusFilter>)]
    pub status: Option<String>,
    /// true: the caller's own resources, whatever their status.
    pub mine: Option<bool>,
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Resources, newest first: published ones for everyone; the caller's own with `mine=true`;
/// those waiting for review with `status=pending` for 全民科普服务部 staff (their region).
#[utoipa::path(get, path = "/api/v1/kepu/resources", tag = "kepu", params(ListQuery),
    responses((status = 200, body = inline(ListResponse<ResourceView>)), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiMaybeUser(actor): ApiMaybeUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<ListResponse<ResourceView>>, AppError> {
    let status = query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("published");
    if !["published", "pending", "rejected", "withdrawn"].contains(&status) {
        return Err(AppError::validation(
            "status",
            "状态只能是：published、pending、rejected、withdrawn",
        ));
    }
    let channel = query
        .channel
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let mut filter = ResourceFilter {
        status: Some(status.to_owned()),
        channel,
        ..Default::default()
    };
    if query.mine == Some(true) {
        let actor = actor.as_ref().ok_or_else(AppError::unauthorized)?;
        filter.author = Some(actor.id.0);
    } else if status != "published" {
        let actor = actor.as_ref().ok_or_else(AppError::unauthorized)?;
        if !works_in(actor, "kepu") {
            return Err(AppError::Forbidden(
                "只有全民科普服务部工作人员可以查看待审核的科普资源".into(),
            ));
        }
        filter.scope = staff_scope(actor);
    }
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (rows, total) = store::list(&app.db, &filter, paging).await?;
    let channels = store::channels(&app.db).await?;
    let items = rows
        .into_iter()
        .map(|row| ResourceView::with(&app, row, &channels, None, None))
        .collect();
    Ok(Json(ListResponse { items, total }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadQuery {
    /// A 科普员's share code, as their shared link carries it: the read counts to them (empty:
    /// none).
    #[param(pattern = "^[A-Za-z0-9]{0,32}$")]
    pub from: Option<String>,
}

/// One resource. A signed-in reader's read is recorded (浏览量, 服务量); the same reader within
/// 30 minutes counts once. With `from`, the read also counts to the 科普员 whose link it was.
#[utoipa::path(get, path = "/api/v1/kepu/resources/{id}", tag = "kepu", params(("id" = i64, Path), ReadQuery),
    responses((status = 200, body = ResourceView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiMaybeUser(actor): ApiMaybeUser,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<ReadQuery>,
) -> Result<Json<ResourceView>, AppError> {
    let sharer = match query.from.as_deref() {
        None | Some("") => None,
        Some(code) if crate::kepu::sharers::share::is_code_shaped(code) => Some(code.to_owned()),
        Some(_) => {
            return Err(AppError::validation("from", "分享码应为1到32位字母或数字"));
        }
    };
    let row = readable(&app, actor.as_ref(), id).await?;
    if let Some(actor) = &actor
        && row.is_published()
    {
        let device = headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| format!("ua:{}", super::reader::short_hash(ua)));
        super::reader::note_read(&app, &row, Some(actor), None, ip, device, sharer).await;
    }
    Ok(Json(ResourceView::new(&app, row).await?))
}

/// The resource if the actor may see it; a 404 otherwise (an unpublished resource is not
/// announced to strangers).
pub async fn readable(app: &App, actor: Option<&Actor>, id: i64) -> Result<ResourceRow, AppError> {
    match store::find(&app.db, id).await? {
        Some(row) if may_view(actor, &row) => Ok(row),
        _ => Err(AppError::not_found("科普资源")),
    }
}

/// An edit by the author: the whole resource again, or `{"status": "withdrawn"}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ResourceChange {
    /// withdrawn: take it down. Otherwise send every field as in creation.
    pub status: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    #[schema(value_type = Option<crate::kepu::audience::FormatName>)]
    pub format: Option<String>,
    pub channel: Option<String>,
    #[schema(value_type = Option<Vec<crate::kepu::audience::AudienceName>>)]
    pub audiences: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    #[schema(value_type = Option<crate::platform::openapi::RegionCode>)]
    pub region_code: Option<String>,
    #[schema(max_length = 120)]
    pub summary: Option<String>,
    pub media_id: Option<i64>,
    pub cover_id: Option<i64>,
}

/// The author edits or withdraws their resource. An edit by someone who does not publish
/// directly goes back to review.
#[utoipa::path(patch, path = "/api/v1/kepu/resources/{id}", tag = "kepu", params(("id" = i64, Path)), request_body = ResourceChange,
    responses((status = 200, body = ResourceView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<ResourceChange>,
) -> Result<Json<ResourceView>, AppError> {
    let row = readable(&app, Some(&actor), id).await?;
    if row.author_id != actor.id.0 {
        return Err(AppError::Forbidden("只能修改自己发布的科普资源".into()));
    }
    let now = app.clock.now();
    let outcome = match change.status.as_deref().map(str::trim) {
        Some("withdrawn") => store::withdraw(&app.db, id, now).await?,
        Some(other) if !other.is_empty() => {
            return Err(AppError::validation(
                "status",
                "状态只能改为 withdrawn（撤回）",
            ));
        }
        _ => {
            let body = ResourceBody {
                title: change.title.unwrap_or(row.title.clone()),
                body: change.body.unwrap_or(row.body_html.clone()),
                format: change.format.unwrap_or(row.format.clone()),
                channel: change.channel.unwrap_or(row.channel.clone()),
                audiences: change.audiences.unwrap_or_else(|| row.audience_list()),
                tags: change.tags.unwrap_or_else(|| row.tag_list()),
                region_code: change.region_code.or(row.region_code.clone()),
                summary: change.summary.or(Some(row.summary.clone())),
                media_id: change.media_id.or(row.media_id),
                cover_id: change.cover_id.or(row.cover_id),
            };
            let content = content::validate(&app, &body).await?;
            check_region(&actor, content.region_code.as_ref())?;
            store::update(
                &app.db,
                id,
                &content,
                row.updated_at,
                publishes_directly(&actor),
                actor.id.0,
                now,
            )
            .await?
        }
    };
    if outcome == Guarded::Lost {
        return Err(changed_meanwhile());
    }
    app.kepu_feed.forget(id);
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普资源"))?;
    Ok(Json(ResourceView::new(&app, row).await?))
}

fn changed_meanwhile() -> AppError {
    AppError::Conflict {
        message: "该资源已被修改或处理，请刷新后再试".into(),
        fields: Default::default(),
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Progress {
    /// The reader reached the end.
    pub completed: Option<bool>,
    /// The reader likes it.
    pub liked: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressView {
    pub completed: bool,
    pub liked: bool,
}

/// The reader read to the end, or liked it: the resource's quality signals (each once per
/// reader).
#[utoipa::path(post, path = "/api/v1/kepu/resources/{id}/progress", tag = "kepu", params(("id" = i64, Path)), request_body = Progress,
    responses((status = 200, body = ProgressView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn progress(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(progress): ApiJson<Progress>,
) -> Result<Json<ProgressView>, AppError> {
    let row = readable(&app, Some(&actor), id).await?;
    if !row.is_published() {
        return Err(AppError::not_found("科普资源"));
    }
    let (completed, liked) = super::reader::mark_progress(
        &app,
        actor.id.0,
        id,
        progress.completed.unwrap_or(false),
        progress.liked.unwrap_or(false),
    )
    .await?;
    Ok(Json(ProgressView { completed, liked }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    #[serde(default)]
    #[schema(value_type = crate::market::api::ReviewDecisionName, required = true)]
    pub decision: String,
    /// Required when rejecting; up to 200 characters; the author sees it.
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}

/// 全民科普服务部 staff approve (publish) or reject a resource waiting in their region.
#[utoipa::path(post, path = "/api/v1/kepu/resources/{id}/review", tag = "kepu", params(("id" = i64, Path)), request_body = ReviewBody,
    responses((status = 200, body = ResourceView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn review(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Json<ResourceView>, AppError> {
    decide(
        &app,
        &actor,
        id,
        &body.decision,
        body.reason.as_deref(),
        ip.as_deref(),
    )
    .await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普资源"))?;
    Ok(Json(ResourceView::new(&app, row).await?))
}

/// The review act, shared by the API and the review page.
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    decision: &str,
    reason: Option<&str>,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let approve = match decision.trim() {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(AppError::validation(
                "decision",
                "审核结果只能是 approve（通过）或 reject（不通过）",
            ));
        }
    };
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if !approve && reason.is_none() {
        return Err(AppError::validation("reason", "不通过时请填写原因"));
    }
    if reason.is_some_and(|r| r.chars().count() > 200) {
        return Err(AppError::validation("reason", "原因不能超过200字"));
    }
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普资源"))?;
    scope::ensure(
        app,
        actor,
        may_review(actor, &region_of(&row)),
        &format!("review:kepu:{id}"),
        ip,
    )
    .await?;
    let now = app.clock.now();
    match store::decide(&app.db, id, actor.id.0, approve, reason, now).await? {
        Guarded::Changed => Ok(()),
        Guarded::Lost => Err(AppError::Conflict {
            message: "该资源不在待审核状态（可能已被他人审核）".into(),
            fields: Default::default(),
        }),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChannelView {
    pub code: String,
    pub name: String,
}

/// The channels (科学百科, 健康生活 …), in their order.
#[utoipa::path(get, path = "/api/v1/kepu/channels", tag = "kepu",
    responses((status = 200, body = Vec<ChannelView>)))]
pub async fn channels(State(app): State<AppState>) -> Result<Json<Vec<ChannelView>>, AppError> {
    Ok(Json(
        store::channels(&app.db)
            .await?
            .into_iter()
            .map(|(code, name)| ChannelView { code, name })
            .collect(),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelBody {
    /// Lower-case letters, 2 to 20.
    #[serde(default)]
    #[schema(pattern = "^[a-z]{2,20}$", required = true)]
    pub code: String,
    /// 2 to 8 characters.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 8, required = true)]
    pub name: String,
}

/// An administrator adds a channel.
#[utoipa::path(post, path = "/api/v1/kepu/channels", tag = "kepu", request_body = ChannelBody,
    responses((status = 201, body = ChannelView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_channel(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ApiJson(body): ApiJson<ChannelBody>,
) -> Result<(StatusCode, Json<ChannelView>), AppError> {
    if actor.role != Role::Admin {
        return Err(AppError::Forbidden("只有管理员可以增加栏目".into()));
    }
    let code = body.code.trim();
    let name = body.name.trim();
    let mut errors = tianfu_domain::FieldErrors::new();
    if !(2..=20).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_lowercase()) {
        errors.add("code", "栏目代码应为2到20个小写英文字母");
    }
    if !(2..=8).contains(&name.chars().count()) {
        errors.add("name", "栏目名称应为2到8个字");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    store::add_channel(&app.db, code, name, app.clock.now()).await?;
    app.kepu_feed.forget_channels();
    Ok((
        StatusCode::CREATED,
        Json(ChannelView {
            code: code.to_owned(),
            name: name.to_owned(),
        }),
    ))
}

/// Where staff of `actor`'s scope may look: used by pages to list the review queue.
pub fn review_scope(actor: &Actor) -> Option<RegionScope> {
    works_in(actor, "kepu")
        .then(|| staff_scope(actor))
        .flatten()
}

pub use media::upload;
