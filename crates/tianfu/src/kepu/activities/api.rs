//! `/api/v1/kepu/activities…`: post and find activities; sign up, cancel, check in, give
//! feedback; the venue's check-in codes and the roster for those who run it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::checkin::{self, CheckinCode, CheckinResult};
use super::rules::Role;
use super::service::{self, ActivityInput, ActivityView, CancelResult, SignupResult};
use super::store::{self, ActivityFilter};
use super::{near_me, nearby};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiMaybeUser, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityRequest {
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 60)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 3000)]
    pub description: String,
    /// Where it happens (county or township); may be left out when `place_id` is given.
    #[serde(default)]
    #[schema(value_type = Option<crate::platform::openapi::RegionCode>)]
    pub region_code: Option<String>,
    /// A 科普共享基地 or 科普e站 (`GET /api/v1/kepu/places`).
    #[serde(default)]
    pub place_id: Option<i64>,
    /// The 志愿服务队 running it; its leaders may post for it.
    #[serde(default)]
    pub team_id: Option<i64>,
    /// RFC 3339, or a Beijing local time such as 2026-12-05T09:30.
    #[serde(default)]
    #[schema(required = true, format = DateTime)]
    pub starts_at: String,
    /// After `starts_at`, at most 7 days later, not yet past.
    #[serde(default)]
    #[schema(required = true, format = DateTime)]
    pub ends_at: String,
    /// Seats for attendees (volunteers serving it take none).
    #[serde(default)]
    #[schema(required = true, minimum = 1, maximum = 100000)]
    pub capacity: i64,
    #[serde(default)]
    #[schema(value_type = Vec<crate::kepu::audience::AudienceName>)]
    pub audiences: Vec<String>,
}

/// Post an activity: 全民科普服务部 staff in their region, a place's managers at their place,
/// a 志愿服务队's leaders for their team.
#[utoipa::path(post, path = "/api/v1/kepu/activities", tag = "kepu", request_body = ActivityRequest,
    responses((status = 201, body = ActivityView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<ActivityRequest>,
) -> Result<(StatusCode, Json<ActivityView>), AppError> {
    let input = ActivityInput {
        title: request.title,
        description: request.description,
        region_code: request.region_code.unwrap_or_default(),
        place_id: request.place_id,
        team_id: request.team_id,
        starts_at: request.starts_at,
        ends_at: request.ends_at,
        capacity: request.capacity,
        audiences: request.audiences,
    };
    let id = service::create(&app, &actor, &input, ip.as_deref()).await?;
    let row = service::find(&app, id).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::view_for(&app, &row, Some(&actor)).await?),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Activities in this region's subtree.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    /// upcoming (default: not ended, soonest first), past (latest first) or all.
    #[param(value_type = Option<WhenFilter>)]
    pub when: Option<String>,
    pub place_id: Option<i64>,
    pub team_id: Option<i64>,
    /// 离我最近: the caller's latitude (WGS-84, 18 to 54), given with `lng`. The list (its first
    /// 100) is then ordered by the distance of each activity's place, those without coordinates
    /// last, and items carry `distance_km`. Never stored.
    #[param(value_type = Option<f64>, minimum = 18, maximum = 54)]
    pub lat: Option<String>,
    /// The caller's longitude (WGS-84, 73 to 136), given with `lat`.
    #[param(value_type = Option<f64>, minimum = 73, maximum = 136)]
    pub lng: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

crate::platform::openapi::wire_enum!(
    /// upcoming, past, all; empty for upcoming.
    WhenFilter,
    vec!["".into(), "upcoming".into(), "past".into(), "all".into()]
);

/// Turns list parameters into a filter (422 on an unknown region or `when`).
pub fn filter_of(
    app: &AppState,
    region_code: Option<&str>,
    when: Option<&str>,
) -> Result<ActivityFilter, AppError> {
    let region = match region_code.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => Some(
            app.regions
                .find(code)
                .ok_or_else(|| AppError::validation("region_code", "地区不存在"))?
                .code
                .clone(),
        ),
    };
    let upcoming = match when.map(str::trim).unwrap_or("") {
        "" | "upcoming" => Some(true),
        "past" => Some(false),
        "all" => None,
        _ => {
            return Err(AppError::validation(
                "when",
                "只能是 upcoming（即将开始）、past（已结束）或 all（全部）",
            ));
        }
    };
    Ok(ActivityFilter {
        region,
        upcoming,
        now: Some(app.clock.now()),
        open_only: true,
        ..Default::default()
    })
}

/// Activities, coming ones first; public.
#[utoipa::path(get, path = "/api/v1/kepu/activities", tag = "kepu", params(ListParams),
    responses((status = 200, body = inline(ListResponse<ActivityView>)), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ListResponse<ActivityView>>, AppError> {
    let point = nearby::parse_point(params.lat.as_deref(), params.lng.as_deref());
    let filter = filter_of(&app, params.region_code.as_deref(), params.when.as_deref());
    // Every bad field at once.
    let (mut filter, point) = match (filter, point) {
        (Ok(filter), Ok(point)) => (filter, point),
        (Err(AppError::Validation(mut errors)), point) => {
            if let Err(more) = point {
                errors.extend(more);
            }
            return Err(AppError::Validation(errors));
        }
        (Err(other), _) => return Err(other),
        (Ok(_), Err(errors)) => return Err(errors.into()),
    };
    filter.place_id = params.place_id;
    filter.team_id = params.team_id;
    let paging = Paging {
        page: params.page,
        per_page: params.per_page,
    };
    let (items, total) = match point {
        Some(me) => near_me::list(&app, &filter, paging, me).await?,
        None => service::list(&app, &filter, paging).await?,
    };
    Ok(Json(ListResponse { items, total }))
}

/// One activity, with the caller's sign-up when signed in.
#[utoipa::path(get, path = "/api/v1/kepu/activities/{id}", tag = "kepu", params(("id" = i64, Path)),
    responses((status = 200, body = ActivityView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiMaybeUser(me): ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ActivityView>, AppError> {
    let row = service::find(&app, id).await?;
    Ok(Json(service::view_for(&app, &row, me.as_ref()).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignupRequest {
    /// attendee (default: takes a seat) or volunteer (serves the activity; 科技志愿者 only).
    #[serde(default)]
    #[schema(value_type = Option<SignupRoleName>)]
    pub role: Option<String>,
}

crate::platform::openapi::wire_enum!(
    /// attendee or volunteer.
    SignupRoleName,
    vec!["attendee".into(), "volunteer".into()]
);

/// Sign up: `confirmed` while seats are free, else `waitlisted`.
#[utoipa::path(post, path = "/api/v1/kepu/activities/{id}/signups", tag = "kepu", params(("id" = i64, Path)), request_body = SignupRequest,
    responses((status = 201, body = SignupResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn sign_up(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<SignupRequest>,
) -> Result<(StatusCode, Json<SignupResult>), AppError> {
    let role = Role::parse(request.role.as_deref()).map_err(|m| AppError::validation("role", m))?;
    Ok((
        StatusCode::CREATED,
        Json(service::sign_up(&app, &actor, id, role).await?),
    ))
}

/// Cancel my sign-up before the activity starts; the waiting list moves up.
#[utoipa::path(delete, path = "/api/v1/kepu/activities/{id}/signups/me", tag = "kepu", params(("id" = i64, Path)),
    responses((status = 200, body = CancelResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CancelResult>, AppError> {
    Ok(Json(service::cancel(&app, &actor, id).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckinRequest {
    /// The code shown at the venue (in its QR image's link).
    #[serde(default)]
    #[schema(required = true, pattern = "^[2-9A-HJKMNP-Za-hjkmnp-z]{8}$")]
    pub code: String,
}

/// Check in with the venue's code (signed in); a code serves one account once, until the end.
#[utoipa::path(post, path = "/api/v1/kepu/activities/{id}/checkins", tag = "kepu", params(("id" = i64, Path)), request_body = CheckinRequest,
    responses((status = 201, body = CheckinResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn check_in(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<CheckinRequest>,
) -> Result<(StatusCode, Json<CheckinResult>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(checkin::check_in(&app, &actor, id, &request.code).await?),
    ))
}

/// A new check-in code for the venue (those who run the activity).
#[utoipa::path(post, path = "/api/v1/kepu/activities/{id}/codes", tag = "kepu", params(("id" = i64, Path)),
    responses((status = 201, body = CheckinCode), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn issue_code(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<CheckinCode>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(checkin::issue(&app, &actor, id, ip.as_deref()).await?),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    #[serde(default)]
    #[schema(required = true, minimum = 1, maximum = 5)]
    pub rating: i64,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub comment: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackResult {
    pub activity_id: i64,
    pub rating: i64,
}

/// Feedback after checking in.
#[utoipa::path(post, path = "/api/v1/kepu/activities/{id}/feedback", tag = "kepu", params(("id" = i64, Path)), request_body = FeedbackRequest,
    responses((status = 200, body = FeedbackResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn feedback(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<FeedbackRequest>,
) -> Result<Json<FeedbackResult>, AppError> {
    service::give_feedback(&app, &actor, id, request.rating, &request.comment).await?;
    Ok(Json(FeedbackResult {
        activity_id: id,
        rating: request.rating,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RosterItem {
    pub user_id: i64,
    pub name: String,
    /// Masked: 138****0000.
    pub phone: String,
    /// attendee or volunteer.
    pub role: String,
    /// confirmed or waitlisted.
    pub status: String,
    pub checked_in_at: Option<chrono::DateTime<chrono::Utc>>,
    pub rating: Option<i64>,
    pub feedback: Option<String>,
}

/// A roster row as shown to those who run the activity (the API and the attendance page):
/// the phone masked.
impl From<store::RosterRow> for RosterItem {
    fn from(r: store::RosterRow) -> Self {
        RosterItem {
            user_id: r.user_id,
            name: r.name,
            phone: mask_phone(&r.phone),
            role: r.role,
            status: r.status,
            checked_in_at: r.checked_in_at,
            rating: r.rating,
            feedback: r.feedback,
        }
    }
}

pub fn mask_phone(phone: &str) -> String {
    if phone.len() == 11 && phone.is_ascii() {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "****".to_owned()
    }
}

/// The roster (报名与签到名单): those who run the activity.
#[utoipa::path(get, path = "/api/v1/kepu/activities/{id}/signups", tag = "kepu", params(("id" = i64, Path), Paging),
    responses((status = 200, body = inline(ListResponse<RosterItem>)), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn roster(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<RosterItem>>, AppError> {
    let row = service::find(&app, id).await?;
    service::ensure_manager(&app, &actor, &row, ip.as_deref()).await?;
    let (rows, total) = store::roster(&app.db, id, paging).await?;
    let items = rows.into_iter().map(RosterItem::from).collect();
    Ok(Json(ListResponse { items, total }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MyActivity {
    pub activity_id: i64,
    pub title: String,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub place_name: Option<String>,
    pub region_name: String,
    /// attendee or volunteer.
    pub role: String,
    /// confirmed, waitlisted or cancelled.
    pub status: String,
    pub checked_in_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// My sign-ups (我的活动), newest first.
#[utoipa::path(get, path = "/api/v1/me/activities", tag = "kepu", params(Paging),
    responses((status = 200, body = inline(ListResponse<MyActivity>)), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mine(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<MyActivity>>, AppError> {
    let (rows, total) = store::mine(&app.db, actor.id.0, paging).await?;
    let items = rows
        .into_iter()
        .map(|r| MyActivity {
            activity_id: r.activity_id,
            title: r.title,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            place_name: r.place_name,
            region_name: app.regions.full_name_of(&r.region_code),
            role: r.role,
            status: r.status,
            checked_in_at: r.checked_in_at,
        })
        .collect();
    Ok(Json(ListResponse { items, total }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallOffRequest {
    /// Told to everyone signed up.
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 200)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CallOffResult {
    pub activity_id: i64,
    /// Always cancelled.
    pub status: String,
    /// How many people signed up were told.
    pub notified: u64,
}

/// Call an activity off before it ends (those who run it); everyone signed up is told why.
#[utoipa::path(post, path = "/api/v1/kepu/activities/{id}/cancel", tag = "kepu", params(("id" = i64, Path)), request_body = CallOffRequest,
    responses((status = 200, body = CallOffResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn call_off(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<CallOffRequest>,
) -> Result<Json<CallOffResult>, AppError> {
    let notified = service::call_off(&app, &actor, id, &request.reason, ip.as_deref()).await?;
    Ok(Json(CallOffResult {
        activity_id: id,
        status: "cancelled".into(),
        notified,
    }))
}
