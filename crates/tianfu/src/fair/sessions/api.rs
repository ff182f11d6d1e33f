//! `/api/v1/fairs/{id}/sessions…`: the programme, one session with its projects, registration
//! within capacity, cancelling, and check-in at the door.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tianfu_domain::fair::SessionKind;
use utoipa::{IntoParams, ToSchema};

use super::service::{self, PresentedView, RegistrationResult, SessionInput};
use super::store::{self, SessionRow};
use crate::fair::editions::service::find as find_fair;
use crate::fair::store::FairRow;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{Actor, ApiMaybeUser, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::openapi::wire_names;
use crate::{App, AppState};

crate::platform::openapi::wire_enum!(
    /// opening 开幕式, salon 科创沙龙, roadshow 重大项目路演, zone 地区专场, signing 集中签约,
    /// other 其他活动.
    FairSessionKindName,
    wire_names(SessionKind::ALL, SessionKind::as_str, false)
);
crate::platform::openapi::wire_enum!(
    /// A kind of session, or empty for all.
    FairSessionKindFilter,
    wire_names(SessionKind::ALL, SessionKind::as_str, true)
);

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairSession)]
pub struct SessionView {
    pub id: i64,
    pub fair_id: i64,
    #[schema(value_type = FairSessionKindName)]
    pub kind: String,
    pub kind_label: &'static str,
    pub title: String,
    pub agenda: String,
    pub venue: String,
    /// The region of a 地区专场 (its staff check people in); none for the province's own.
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// "2026-12-05 09:30 至 11:30" in Beijing time.
    pub when: String,
    pub capacity: i32,
    pub registered: i32,
    pub seats_left: i32,
    pub ended: bool,
    /// It has begun (registrations can no longer be cancelled).
    pub started: bool,
}

impl SessionView {
    pub fn of(app: &App, row: SessionRow) -> Self {
        SessionView {
            kind_label: SessionKind::parse(&row.kind).map_or("其他活动", SessionKind::label),
            region_name: row
                .region_code
                .as_deref()
                .map(|c| app.regions.full_name_of(c)),
            when: service::when_label(row.starts_at, row.ends_at),
            seats_left: (row.capacity - row.registered).max(0),
            ended: row.ends_at <= app.clock.now(),
            started: row.starts_at <= app.clock.now(),
            id: row.id,
            fair_id: row.fair_id,
            kind: row.kind,
            title: row.title,
            agenda: row.agenda,
            venue: row.venue,
            region_code: row.region_code,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            capacity: row.capacity,
            registered: row.registered,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairMyRegistration)]
pub struct MyRegistration {
    /// registered or cancelled.
    pub status: String,
    pub status_label: &'static str,
    pub checked_in_at: Option<DateTime<Utc>>,
}

/// One session with the projects it presents and the caller's registration.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairSessionDetail)]
pub struct SessionDetail {
    pub session: SessionView,
    pub projects: Vec<PresentedView>,
    pub my_registration: Option<MyRegistration>,
}

pub async fn detail(
    app: &App,
    actor: Option<&Actor>,
    fair: &FairRow,
    row: SessionRow,
) -> Result<SessionDetail, AppError> {
    let projects = service::presented(app, actor, fair, row.id).await?;
    let my_registration = match actor {
        Some(actor) => store::registration_of(&app.db, row.id, actor.id.0)
            .await?
            .map(|r| MyRegistration {
                status_label: if r.status == "registered" {
                    "已报名"
                } else {
                    "已取消"
                },
                status: r.status,
                checked_in_at: r.checked_in_at,
            }),
        None => None,
    };
    Ok(SessionDetail {
        session: SessionView::of(app, row),
        projects,
        my_registration,
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairSessionRequest)]
pub struct SessionRequest {
    #[serde(default)]
    #[schema(value_type = FairSessionKindName, required = true)]
    pub kind: String,
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 60)]
    pub title: String,
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 5000)]
    pub agenda: String,
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 100)]
    pub venue: String,
    /// Required for a 地区专场; a city's staff may leave it out (their city).
    #[serde(default)]
    #[schema(value_type = Option<crate::platform::openapi::RegionCode>)]
    pub region_code: Option<String>,
    /// RFC 3339, or a Beijing local time such as 2026-12-05T09:30; within the fair's days.
    #[serde(default)]
    #[schema(required = true, format = DateTime)]
    pub starts_at: String,
    #[serde(default)]
    #[schema(required = true, format = DateTime)]
    pub ends_at: String,
    #[serde(default)]
    #[schema(required = true, minimum = 1, maximum = 100000)]
    pub capacity: i64,
    /// Selected projects of this edition the session presents, in order.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub project_ids: Vec<i64>,
}

/// Create a session (organisers; a city's staff their city's 地区专场).
#[utoipa::path(post, path = "/api/v1/fairs/{id}/sessions", tag = "fairs", request_body = SessionRequest,
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 201, body = SessionDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<SessionRequest>,
) -> Result<(StatusCode, Json<SessionDetail>), AppError> {
    let fair = find_fair(&app, id).await?;
    let input = SessionInput {
        kind: request.kind,
        title: request.title,
        agenda: request.agenda,
        venue: request.venue,
        region_code: request.region_code,
        starts_at: request.starts_at,
        ends_at: request.ends_at,
        capacity: request.capacity,
        project_ids: request.project_ids,
    };
    let sid = service::create(&app, &actor, &fair, &input).await?;
    let row = service::find(&app, &fair, sid).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&app, Some(&actor), &fair, row).await?),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionListParams {
    #[param(value_type = Option<FairSessionKindFilter>)]
    pub kind: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// The programme by start time (public), of one kind when asked.
#[utoipa::path(get, path = "/api/v1/fairs/{id}/sessions", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), SessionListParams),
    responses((status = 200, body = ListResponse<SessionView>), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<SessionListParams>,
) -> Result<Json<ListResponse<SessionView>>, AppError> {
    let fair = find_fair(&app, id).await?;
    let kind = match params.kind.as_deref().map(str::trim).unwrap_or("") {
        "" => None,
        kind => Some(
            SessionKind::parse(kind)
                .map_err(|m| AppError::validation("kind", m))?
                .as_str(),
        ),
    };
    let paging = Paging {
        page: params.page,
        per_page: params.per_page,
    };
    let (rows, total) = store::list(&app.db, fair.id, kind, paging).await?;
    let items = rows.into_iter().map(|r| SessionView::of(&app, r)).collect();
    Ok(Json(ListResponse { items, total }))
}

/// One session with its projects (and the caller's registration when signed in).
#[utoipa::path(get, path = "/api/v1/fairs/{id}/sessions/{sid}", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), ("sid" = i64, Path, minimum = 1)),
    responses((status = 200, body = SessionDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiMaybeUser(actor): ApiMaybeUser,
    ApiPath((id, sid)): ApiPath<(i64, i64)>,
) -> Result<Json<SessionDetail>, AppError> {
    let fair = find_fair(&app, id).await?;
    let row = service::find(&app, &fair, sid).await?;
    Ok(Json(detail(&app, actor.as_ref(), &fair, row).await?))
}

/// Register for a session: 409 名额已满 when every seat is taken, or when already registered
/// or the session has ended.
#[utoipa::path(post, path = "/api/v1/fairs/{id}/sessions/{sid}/registrations", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), ("sid" = i64, Path, minimum = 1)),
    responses((status = 201, body = RegistrationResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn register(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((id, sid)): ApiPath<(i64, i64)>,
) -> Result<(StatusCode, Json<RegistrationResult>), AppError> {
    let fair = find_fair(&app, id).await?;
    let row = service::find(&app, &fair, sid).await?;
    Ok((
        StatusCode::CREATED,
        Json(service::register(&app, &actor, &row).await?),
    ))
}

/// Cancel my registration before the session starts; the seat is freed.
#[utoipa::path(post, path = "/api/v1/fairs/{id}/sessions/{sid}/registrations/cancel", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), ("sid" = i64, Path, minimum = 1)),
    responses((status = 200, body = RegistrationResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((id, sid)): ApiPath<(i64, i64)>,
) -> Result<Json<RegistrationResult>, AppError> {
    let fair = find_fair(&app, id).await?;
    let row = service::find(&app, &fair, sid).await?;
    Ok(Json(service::cancel(&app, &actor, &row).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairCheckinRequest)]
pub struct CheckinRequest {
    /// The registered person arriving.
    #[serde(default)]
    #[schema(required = true, minimum = 1)]
    pub user_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairCheckinResult)]
pub struct CheckinResult {
    pub session_id: i64,
    pub user_id: i64,
    pub checked_in_at: DateTime<Utc>,
}

/// Check a registered person in, once, from an hour before the start until the end:
/// organisers, and staff of the session's region.
#[utoipa::path(post, path = "/api/v1/fairs/{id}/sessions/{sid}/checkins", tag = "fairs", request_body = CheckinRequest,
    params(("id" = i64, Path, minimum = 1), ("sid" = i64, Path, minimum = 1)),
    responses((status = 200, body = CheckinResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn check_in(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath((id, sid)): ApiPath<(i64, i64)>,
    ApiJson(request): ApiJson<CheckinRequest>,
) -> Result<Json<CheckinResult>, AppError> {
    let fair = find_fair(&app, id).await?;
    let row = service::find(&app, &fair, sid).await?;
    let at = service::check_in(&app, &actor, &row, request.user_id, ip.as_deref()).await?;
    Ok(Json(CheckinResult {
        session_id: sid,
        user_id: request.user_id,
        checked_in_at: at,
    }))
}
