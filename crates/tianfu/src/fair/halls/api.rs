//! `/api/v1/fairs/{id}/halls`, a visitor's interest in a hall's project, and 1:1 meetings:
//! request, answer, cancel, mine. (A hall's projects are `GET /api/v1/fairs/{id}/projects?hall=`.)

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::meetings::{self, MeetingView};
use super::service::{self, HallView, InterestResult};
use super::store::Side;
use crate::AppState;
use crate::fair::editions::service::find as find_fair;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::ApiUser;
use crate::platform::error::{AppError, ErrorBody};

/// The halls — the 21 cities' and the province institutions' (51) — with their selected counts
/// (public; the counts stay 0 until the selected list is published).
#[utoipa::path(get, path = "/api/v1/fairs/{id}/halls", tag = "fairs",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = ListResponse<HallView>), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ListResponse<HallView>>, AppError> {
    let fair = find_fair(&app, id).await?;
    let items = service::hall_views(&app, &fair).await?;
    let total = items.len() as i64;
    Ok(Json(ListResponse { items, total }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairInterestRequest)]
pub struct InterestRequest {
    /// What the visitor would like to discuss; the inquiry's first message.
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 2000)]
    pub message: String,
}

/// 我感兴趣: a signed-in visitor (not the owner) on a selected project of a published list.
/// It becomes an inquiry on the project's listing and reaches the project's nanny; a second
/// time answers 409 with the inquiry's link in `fields.inquiry`.
#[utoipa::path(post, path = "/api/v1/fairs/{id}/projects/{pid}/interest", tag = "fairs", request_body = InterestRequest,
    params(("id" = i64, Path, minimum = 1), ("pid" = i64, Path, minimum = 1)),
    responses((status = 201, body = InterestResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn interest(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((id, pid)): ApiPath<(i64, i64)>,
    ApiJson(request): ApiJson<InterestRequest>,
) -> Result<(StatusCode, Json<InterestResult>), AppError> {
    let fair = find_fair(&app, id).await?;
    let done = service::interest(&app, &actor, &fair, pid, &request.message).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairMeetingRequest)]
pub struct MeetingRequest {
    /// On the hour or half hour within the fair's days, RFC 3339 or a Beijing local time
    /// (2026-12-05T10:30).
    #[serde(default)]
    #[schema(required = true, format = DateTime)]
    pub slot_at: String,
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 500)]
    pub message: String,
}

/// Request a 1:1 meeting with a hall project's owner while the fair is in session; a slot held
/// by a waiting or accepted request answers 409 该时段已被预约. Unanswered, it lapses after 3 days.
#[utoipa::path(post, path = "/api/v1/fairs/{id}/projects/{pid}/meetings", tag = "fairs", request_body = MeetingRequest,
    params(("id" = i64, Path, minimum = 1), ("pid" = i64, Path, minimum = 1)),
    responses((status = 201, body = MeetingView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn request(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((id, pid)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<MeetingRequest>,
) -> Result<(StatusCode, Json<MeetingView>), AppError> {
    let fair = find_fair(&app, id).await?;
    let mid = meetings::request(&app, &actor, &fair, pid, &body.slot_at, &body.message).await?;
    let row = meetings::find(&app, &actor, Some(fair.id), mid).await?;
    Ok((
        StatusCode::CREATED,
        Json(MeetingView::of(row, app.clock.now())),
    ))
}

crate::platform::openapi::wire_enum!(
    /// accept 接受, decline 婉拒.
    FairDecisionName,
    vec!["accept".into(), "decline".into()]
);

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairMeetingAnswer)]
pub struct AnswerRequest {
    #[serde(default)]
    #[schema(value_type = FairDecisionName, required = true)]
    pub decision: String,
    /// A word back to the visitor (where to meet, why not).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reply: Option<String>,
}

/// The owner accepts or declines a waiting request (409 once answered, cancelled or lapsed).
#[utoipa::path(post, path = "/api/v1/fairs/{id}/meetings/{mid}/answer", tag = "fairs", request_body = AnswerRequest,
    params(("id" = i64, Path, minimum = 1), ("mid" = i64, Path, minimum = 1)),
    responses((status = 200, body = MeetingView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn answer(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((id, mid)): ApiPath<(i64, i64)>,
    ApiJson(body): ApiJson<AnswerRequest>,
) -> Result<Json<MeetingView>, AppError> {
    let fair = find_fair(&app, id).await?;
    let row = meetings::find(&app, &actor, Some(fair.id), mid).await?;
    meetings::answer(&app, &actor, &row, &body.decision, body.reply.as_deref()).await?;
    let row = meetings::find(&app, &actor, Some(fair.id), mid).await?;
    Ok(Json(MeetingView::of(row, app.clock.now())))
}

/// The requester calls off a waiting or accepted request.
#[utoipa::path(post, path = "/api/v1/fairs/{id}/meetings/{mid}/cancel", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), ("mid" = i64, Path, minimum = 1)),
    responses((status = 200, body = MeetingView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((id, mid)): ApiPath<(i64, i64)>,
) -> Result<Json<MeetingView>, AppError> {
    let fair = find_fair(&app, id).await?;
    let row = meetings::find(&app, &actor, Some(fair.id), mid).await?;
    meetings::cancel(&app, &actor, &row).await?;
    let row = meetings::find(&app, &actor, Some(fair.id), mid).await?;
    Ok(Json(MeetingView::of(row, app.clock.now())))
}

crate::platform::openapi::wire_enum!(
    /// owner (requests to my projects), requester (my requests), or empty for both.
    FairMeetingRoleFilter,
    vec!["".into(), "owner".into(), "requester".into()]
);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingListParams {
    #[param(value_type = Option<FairMeetingRoleFilter>)]
    pub role: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

pub fn side_of(role: Option<&str>) -> Result<Side, AppError> {
    match role.map(str::trim).unwrap_or("") {
        "" => Ok(Side::Either),
        "owner" => Ok(Side::Owner),
        "requester" => Ok(Side::Requester),
        _ => Err(AppError::validation(
            "role",
            "只能是 owner（我的项目收到的预约）或 requester（我发出的预约）",
        )),
    }
}

/// My 1:1 meetings at this edition, newest first.
#[utoipa::path(get, path = "/api/v1/fairs/{id}/meetings", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), MeetingListParams),
    responses((status = 200, body = ListResponse<MeetingView>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mine(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<MeetingListParams>,
) -> Result<Json<ListResponse<MeetingView>>, AppError> {
    let fair = find_fair(&app, id).await?;
    let side = side_of(params.role.as_deref())?;
    let paging = Paging {
        page: params.page,
        per_page: params.per_page,
    };
    let (items, total) = meetings::list(&app, &actor, side, Some(fair.id), paging).await?;
    Ok(Json(ListResponse { items, total }))
}
