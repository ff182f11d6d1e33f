//! `/api/v1/kepu/teams…`: 志愿服务队 — formed by staff, joined by volunteers and scientists,
//! managed by their leaders; `/api/v1/me/volunteer-hours`: my hours of a year, from the ledger.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::hours::{self, VolunteerHours};
use super::rules;
use super::service::{self, TeamInput};
use super::store;
use super::views::{self, MemberView, TeamSummary, TeamView};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiMaybeUser, ApiStaff, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamRequest {
    /// Unique across the province.
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 30)]
    pub name: String,
    /// Where the team serves; within the staff member's region.
    #[serde(default)]
    #[schema(value_type = crate::platform::openapi::RegionCode, required = true)]
    pub region_code: String,
    /// What it answers: channel codes (`GET /api/v1/kepu/channels`) or their names, and tags
    /// (1 to 12 characters); 1 to 8 in all.
    #[serde(default)]
    #[schema(required = true, min_items = 1, max_items = 8)]
    pub fields: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub intro: String,
    /// The leader: the registered phone of a 科技志愿者 or 科技工作者.
    #[serde(default)]
    #[schema(required = true, pattern = r"^1[3-9]\d{9}$")]
    pub leader_phone: String,
}

/// Form a team and name its leader: 全民科普服务部 staff within their region, administrators
/// anywhere. A name already taken is a 409 naming `name`.
#[utoipa::path(post, path = "/api/v1/kepu/teams", tag = "kepu", request_body = TeamRequest,
    responses((status = 201, body = TeamView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<TeamRequest>,
) -> Result<(StatusCode, Json<TeamView>), AppError> {
    let input = TeamInput {
        name: request.name,
        region_code: request.region_code,
        fields: request.fields,
        intro: request.intro,
        leader_phone: request.leader_phone,
    };
    let id = service::create(&app, &actor, &input, ip.as_deref()).await?;
    let row = service::find(&app, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(views::view(&app, &row, Some(&actor)).await?),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Teams in this region's subtree.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// A region asked for in a list: 422 when the tree has no such region.
pub fn region_filter(
    app: &AppState,
    code: Option<&str>,
) -> Result<Option<tianfu_domain::RegionCode>, AppError> {
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(code) => Ok(Some(
            app.regions
                .find(code)
                .ok_or_else(|| AppError::validation("region_code", "地区不存在"))?
                .code
                .clone(),
        )),
    }
}

/// Teams, by region; public.
#[utoipa::path(get, path = "/api/v1/kepu/teams", tag = "kepu", params(ListParams),
    responses((status = 200, body = inline(ListResponse<TeamSummary>)), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ListResponse<TeamSummary>>, AppError> {
    let region = region_filter(&app, params.region_code.as_deref())?;
    let paging = Paging {
        page: params.page,
        per_page: params.per_page,
    };
    let (items, total) = views::list(&app, region.as_ref(), paging).await?;
    Ok(Json(ListResponse { items, total }))
}

/// One team: members, coming and past activities, hours served this year; public.
#[utoipa::path(get, path = "/api/v1/kepu/teams/{id}", tag = "kepu", params(("id" = i64, Path)),
    responses((status = 200, body = TeamView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiMaybeUser(me): ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TeamView>, AppError> {
    let row = service::find(&app, id).await?;
    Ok(Json(views::view(&app, &row, me.as_ref()).await?))
}

/// A team's members, leaders first; public.
#[utoipa::path(get, path = "/api/v1/kepu/teams/{id}/members", tag = "kepu", params(("id" = i64, Path), Paging),
    responses((status = 200, body = inline(ListResponse<MemberView>)), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn members(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<MemberView>>, AppError> {
    service::find(&app, id).await?;
    let (rows, total) = store::members(&app.db, id, paging).await?;
    Ok(Json(ListResponse {
        items: rows.into_iter().map(views::member_view).collect(),
        total,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TeamMemberRequest)]
pub struct MemberRequest {
    /// Left out: the caller joins as a member. Given: a leader of the team (or its region's
    /// staff) adds this registered 科技志愿者 or 科技工作者.
    #[serde(default)]
    #[schema(pattern = r"^1[3-9]\d{9}$")]
    pub phone: Option<String>,
    /// member (default) or leader; only with `phone`.
    #[serde(default)]
    #[schema(value_type = Option<TeamRoleName>)]
    pub role: Option<String>,
}

crate::platform::openapi::wire_enum!(
    /// member 队员 or leader 队长.
    TeamRoleName,
    vec!["member".into(), "leader".into()]
);

/// Someone's place in a team after a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct Membership {
    pub team_id: i64,
    pub user_id: i64,
    /// leader or member; none once they left or were removed.
    pub role: Option<String>,
}

/// Join a team (no `phone`), or add someone to it (a leader or the region's staff, by phone).
#[utoipa::path(post, path = "/api/v1/kepu/teams/{id}/members", tag = "kepu", params(("id" = i64, Path)), request_body = MemberRequest,
    responses((status = 201, body = Membership), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_member(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<MemberRequest>,
) -> Result<(StatusCode, Json<Membership>), AppError> {
    let user = match request.phone.as_deref().map(str::trim) {
        None | Some("") => {
            let role = rules::TeamRole::parse(request.role.as_deref())
                .map_err(|m| AppError::validation("role", m))?;
            if role != rules::TeamRole::Member {
                return Err(AppError::validation(
                    "role",
                    "自行加入只能作为队员，队长由队长或工作人员添加",
                ));
            }
            service::join(&app, &actor, id).await?;
            actor.id.0
        }
        Some(phone) => {
            service::add_member(
                &app,
                &actor,
                id,
                phone,
                request.role.as_deref(),
                ip.as_deref(),
            )
            .await?
        }
    };
    let role = store::role_of(&app.db, id, user).await?;
    Ok((
        StatusCode::CREATED,
        Json(Membership {
            team_id: id,
            user_id: user,
            role,
        }),
    ))
}

/// Leave a team (your own id), or remove a member (a leader or the region's staff). The last
/// leader cannot go (409).
#[utoipa::path(delete, path = "/api/v1/kepu/teams/{id}/members/{user_id}", tag = "kepu",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = Membership), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_member(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath((id, user)): ApiPath<(i64, i64)>,
) -> Result<Json<Membership>, AppError> {
    service::remove(&app, &actor, id, user, ip.as_deref()).await?;
    Ok(Json(Membership {
        team_id: id,
        user_id: user,
        role: None,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HoursParams {
    /// A Beijing calendar year; this year when left out.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// My volunteer service hours of a year: every `volunteer.served` row of the ledger booked by
/// my verified check-ins, summed exactly as the province's `volunteer_hours` sums them. Only
/// ever the caller's own.
#[utoipa::path(get, path = "/api/v1/me/volunteer-hours", tag = "kepu", params(HoursParams),
    responses((status = 200, body = VolunteerHours), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn my_hours(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(params): ApiQuery<HoursParams>,
) -> Result<Json<VolunteerHours>, AppError> {
    let year = match params.year {
        Some(year) => rules::check_year(year).map_err(|m| AppError::validation("year", m))?,
        None => rules::year_of(app.clock.now()),
    };
    Ok(Json(hours::of_person(&app.db, actor.id.0, year).await?))
}
