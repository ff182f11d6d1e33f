use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tianfu_domain::{FieldErrors, ListingKind, ListingStatus, PersonName, Role, UserId};
use utoipa::ToSchema;

use super::store::{self, NewStudio, StudioRow};
use crate::market::store::{self as listings, ListingFilter};
use crate::market::view::ListingView;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiMaybeUser, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope;
use crate::{App, AppState};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudioRequest {
    pub name: Option<String>,
    pub intro: Option<String>,
    /// Research fields, e.g. ["蛋鸡养殖", "饲料营养"].
    pub fields: Option<Vec<String>>,
    pub members: Option<Vec<MemberRequest>>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    pub name: String,
    /// e.g. 研究员、高级工程师.
    #[serde(default)]
    pub title: String,
}

pub fn validate(request: &StudioRequest) -> Result<NewStudio, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = errors.check(
        "name",
        PersonName::parse(request.name.as_deref().unwrap_or(""), "工作室名称", 40),
    );
    let intro = request.intro.as_deref().unwrap_or("").trim().to_owned();
    if intro.is_empty() {
        errors.add("intro", "请填写工作室简介");
    } else if intro.chars().count() > 2000 {
        errors.add("intro", "工作室简介不能超过2000字");
    }
    let fields = errors.check(
        "fields",
        tianfu_domain::market::parse_keywords(request.fields.as_deref().unwrap_or(&[])),
    );
    if fields.as_ref().is_some_and(Vec::is_empty) {
        errors.add("fields", "请至少填写一个研究领域");
    }
    let members = request.members.as_deref().unwrap_or(&[]);
    if members.len() > 50 {
        errors.add("members", "团队成员最多50人");
    }
    let mut parsed = Vec::new();
    for member in members {
        match PersonName::parse(&member.name, "成员姓名", 50) {
            Ok(name) => parsed.push((
                name.into_string(),
                member.title.trim().chars().take(30).collect(),
            )),
            Err(e) => errors.add("members", e),
        }
    }
    errors.into_result()?;
    Ok(NewStudio {
        name: name.expect("checked").into_string(),
        intro,
        fields: fields.unwrap_or_default(),
        members: parsed,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StudioView {
    pub id: i64,
    pub name: String,
    pub intro: String,
    pub fields: Vec<String>,
    pub region_code: String,
    pub region_name: String,
    /// normal（普通）, typical（典型）, excellent（精品）.
    pub rating: String,
    pub rating_label: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub members: Vec<MemberRequest>,
    /// Published capabilities.
    pub offers: Vec<ListingView>,
    /// Published achievements.
    pub achievements: Vec<ListingView>,
    pub completed_deals: i64,
    /// Deals signed with the owner as provider (签约, 履约 or 完成), the completed among them.
    pub signed_deals: i64,
    /// pending（审核中，尚未公开）, published（已公开）or rejected（未通过审核）.
    pub status: String,
    /// Something waits for staff review: the studio itself, or an edit of a public one (the
    /// public reads the approved text until the edit is approved).
    pub in_review: bool,
}

/// May `actor` see the studio? Everyone once it is public; before that its owner and the staff
/// of its region.
pub fn visible(actor: Option<&crate::platform::auth::Actor>, row: &StudioRow) -> bool {
    row.is_public()
        || actor.is_some_and(|a| {
            scope::owns(a, UserId(row.owner_id))
                || tianfu_domain::RegionCode::parse(&row.region_code)
                    .is_ok_and(|region| scope::can_view_region(a, &region))
        })
}

pub fn rating_label(rating: &str) -> &'static str {
    match rating {
        "typical" => "典型",
        "excellent" => "精品",
        _ => "普通",
    }
}

pub async fn studio_view(app: &App, row: StudioRow) -> Result<StudioView, AppError> {
    let members = store::members(&app.db, row.id)
        .await?
        .into_iter()
        .map(|m| MemberRequest {
            name: m.name,
            title: m.title,
        })
        .collect();
    let shown = |kind| ListingFilter {
        kinds: None,
        kind: Some(kind),
        status: Some(ListingStatus::Published),
        owner: Some(UserId(row.owner_id)),
        scope: None,
    };
    let paging = Paging {
        page: Some(1),
        per_page: Some(50),
    };
    let (offers, _) = listings::list(&app.db, &shown(ListingKind::Offer), paging).await?;
    let (achievements, _) =
        listings::list(&app.db, &shown(ListingKind::Achievement), paging).await?;
    let region_name = app.regions.full_name_of(&row.region_code);
    let in_review = row.in_review();
    Ok(StudioView {
        in_review,
        status: row.status.clone(),
        completed_deals: store::completed_deals(&app.db, row.owner_id).await?,
        signed_deals: store::signed_deals(&app.db, row.owner_id).await?,
        offers: offers
            .into_iter()
            .map(|l| ListingView::new(app, l))
            .collect(),
        achievements: achievements
            .into_iter()
            .map(|l| ListingView::new(app, l))
            .collect(),
        members,
        rating_label: rating_label(&row.rating).to_owned(),
        fields: row
            .fields
            .split('\n')
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
        id: row.id,
        name: row.name,
        intro: row.intro,
        region_code: row.region_code,
        region_name,
        rating: row.rating,
        owner_id: row.owner_id,
        owner_name: row.owner_name,
    })
}

/// Open one's studio (科技工作者 only, one each). It is public once staff approve it
/// (`status` pending until then).
#[utoipa::path(post, path = "/api/v1/studios", tag = "market", request_body = StudioRequest,
    responses((status = 201, body = StudioView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<StudioRequest>,
) -> Result<(StatusCode, Json<StudioView>), AppError> {
    scope::ensure(
        &app,
        &actor,
        actor.role == Role::Worker,
        "studio:open",
        ip.as_deref(),
    )
    .await
    .map_err(|_| AppError::Forbidden("仅科技工作者可以开设科创工作室".into()))?;
    let studio = validate(&request)?;
    let id = store::open(&app.db, actor.id, &actor.region, &studio, app.clock.now()).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("工作室"))?;
    Ok((StatusCode::CREATED, Json(studio_view(&app, row).await?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StudioSummary {
    pub id: i64,
    pub name: String,
    pub intro: String,
    pub fields: Vec<String>,
    pub region_code: String,
    pub region_name: String,
    pub rating: String,
    pub rating_label: String,
    pub owner_name: String,
}

impl StudioSummary {
    pub fn new(app: &App, row: StudioRow) -> Self {
        StudioSummary {
            region_name: app.regions.full_name_of(&row.region_code),
            rating_label: rating_label(&row.rating).to_owned(),
            fields: row
                .fields
                .split('\n')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            id: row.id,
            name: row.name,
            intro: row.intro,
            region_code: row.region_code,
            rating: row.rating,
            owner_name: row.owner_name,
        }
    }
}

/// All public (approved) studios, newest first.
#[utoipa::path(get, path = "/api/v1/studios", tag = "market", params(Paging), responses((status = 200, body = inline(ListResponse<StudioSummary>))))]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<StudioSummary>>, AppError> {
    let (rows, total) = store::list(&app.db, paging).await?;
    Ok(Json(ListResponse {
        items: rows
            .into_iter()
            .map(|row| StudioSummary::new(&app, row))
            .collect(),
        total,
    }))
}

/// A studio with its published capabilities and achievements. A studio not yet approved is
/// shown only to its owner and the staff of its region.
#[utoipa::path(get, path = "/api/v1/studios/{id}", tag = "market", params(("id" = i64, Path)),
    responses((status = 200, body = StudioView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiMaybeUser(me): ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<StudioView>, AppError> {
    let row = store::find(&app.db, id)
        .await?
        .filter(|row| visible(me.as_ref(), row))
        .ok_or_else(|| AppError::not_found("工作室"))?;
    Ok(Json(studio_view(&app, row).await?))
}
