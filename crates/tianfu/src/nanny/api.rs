//! The nanny service's JSON API for tickets: the lists, one ticket, and the nanny's and the
//! served person's acts on it. Which tickets a list shows is `ticket_query`; the report is
//! `report_api`, the plan templates `plan_api`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tianfu_domain::TicketKind;
use utoipa::ToSchema;

use super::service::{self, FollowupRequest, StepRequest};
use super::store;
use super::ticket_query::{TicketQuery, filter_for};
use super::view::{TicketDetail, TicketView};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiStaff, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

use crate::platform::openapi::{schema_from_json, wire_enum, wire_names};
use tianfu_domain::ticket::Channel;

wire_enum!(
    TicketKindName,
    wire_names(TicketKind::ALL, TicketKind::as_str, false)
);
wire_enum!(
    ChannelName,
    wire_names(Channel::ALL, Channel::as_str, false)
);

/// The body of a follow-up, as [`FollowupRequest`] reads it.
pub struct FollowupBody;

impl utoipa::PartialSchema for FollowupBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schema_from_json(serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["channel", "note"],
            "properties": {
                "channel": {"$ref": "#/components/schemas/ChannelName",
                            "description": "phone（电话）, visit（上门走访）, online（线上沟通） or meeting（会议座谈）"},
                "note": {"type": "string", "pattern": "\\S", "maxLength": 2000,
                         "description": "What was discussed, up to 2,000 characters."},
                "outcome": {"type": ["string", "null"], "maxLength": 200,
                            "description": "What came of it, up to 200 characters."},
                "links": {"type": "array", "items": {"$ref": "#/components/schemas/LinkRequest"},
                          "description": "Matches recommended, inquiries or deals that followed: public listings, the served person's own inquiries and deals."},
            },
        }))
    }
}

impl utoipa::ToSchema for FollowupBody {}

/// The body of a step, as [`StepRequest`] reads it.
pub struct StepBody;

impl utoipa::PartialSchema for StepBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        schema_from_json(serde_json::json!({
            "type": "object",
            "additionalProperties": false,
            "required": ["name", "due_date"],
            "properties": {
                "name": {"type": "string", "pattern": "\\S", "maxLength": 30},
                "due_date": {"type": "string", "format": "date",
                             "description": "The day it is due, YYYY-MM-DD (Beijing time; due at the end of that day), not before today, before 2101."},
            },
        }))
    }
}

impl utoipa::ToSchema for StepBody {}

/// Nanny tickets (保姆单) in my region's subtree, due soonest first.
#[utoipa::path(get, path = "/api/v1/tickets", tag = "nanny", params(TicketQuery),
    responses((status = 200, body = inline(ListResponse<TicketView>)), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> Result<Json<ListResponse<TicketView>>, AppError> {
    let filter = filter_for(&app, &actor, &query, ip.as_deref()).await?;
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (rows, total) = store::list(&app.db, &filter, paging).await?;
    Ok(Json(ListResponse {
        items: rows.into_iter().map(|r| TicketView::new(&app, r)).collect(),
        total,
    }))
}

/// One ticket with its plan and history.
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "nanny", params(("id" = i64, Path)),
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_staff(&app, &actor, id, ip.as_deref()).await?;
    Ok(Json(TicketDetail::load(&app, ticket).await?))
}

async fn detail(app: &crate::App, id: i64) -> Result<Json<TicketDetail>, AppError> {
    let ticket = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("服务单"))?;
    Ok(Json(TicketDetail::load(app, ticket).await?))
}

/// Log a follow-up (跟踪问效): phone, visit, online or meeting, with a note and an outcome.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/followups", tag = "nanny", params(("id" = i64, Path)), request_body = FollowupBody,
    responses((status = 201, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn add_followup(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<FollowupRequest>,
) -> Result<(StatusCode, Json<TicketDetail>), AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::add_followup(&app, &actor, &ticket, &request).await?;
    Ok((StatusCode::CREATED, detail(&app, id).await?))
}

/// Add a step to the ticket's plan.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/steps", tag = "nanny", params(("id" = i64, Path)), request_body = StepBody,
    responses((status = 201, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn add_step(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<StepRequest>,
) -> Result<(StatusCode, Json<TicketDetail>), AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::add_step(&app, &actor, &ticket, &request).await?;
    Ok((StatusCode::CREATED, detail(&app, id).await?))
}

/// Rename or move an undone step.
#[utoipa::path(patch, path = "/api/v1/tickets/{id}/steps/{step}", tag = "nanny", params(("id" = i64, Path), ("step" = i64, Path)), request_body = StepBody,
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn change_step(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath((id, step)): ApiPath<(i64, i64)>,
    ApiJson(request): ApiJson<StepRequest>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::change_step(&app, &actor, &ticket, step, &request).await?;
    detail(&app, id).await
}

/// Remove an undone step.
#[utoipa::path(delete, path = "/api/v1/tickets/{id}/steps/{step}", tag = "nanny", params(("id" = i64, Path), ("step" = i64, Path)),
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn remove_step(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath((id, step)): ApiPath<(i64, i64)>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::remove_step(&app, &actor, &ticket, step).await?;
    detail(&app, id).await
}

/// Mark a step done; a repeating step comes back after its period.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/steps/{step}/done", tag = "nanny", params(("id" = i64, Path), ("step" = i64, Path)),
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn complete_step(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath((id, step)): ApiPath<(i64, i64)>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::complete_step(&app, &actor, &ticket, step).await?;
    detail(&app, id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// A staff member whose region covers the ticket's.
    #[serde(default)]
    #[schema(required = true, minimum = 1)]
    pub assignee_id: i64,
}

/// Reassign the ticket to a staff member within my scope whose region covers it.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/assign", tag = "nanny", params(("id" = i64, Path)), request_body = AssignRequest,
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn assign(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::reassign(&app, &actor, &ticket, request.assignee_id, ip.as_deref()).await?;
    detail(&app, id).await
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// 2 to 200 characters.
    #[serde(default)]
    #[schema(required = true, max_length = 200, pattern = r"\S[\s\S]*\S")]
    pub reason: String,
}

/// Close the ticket by hand, with a reason (a signed deal closes it by itself).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/close", tag = "nanny", params(("id" = i64, Path)), request_body = CloseRequest,
    responses((status = 200, body = TicketDetail), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn close(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<CloseRequest>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_action(&app, &actor, id, ip.as_deref()).await?;
    service::close(&app, &actor, &ticket, &request.reason).await?;
    detail(&app, id).await
}

/// The tickets that serve me: who my nanny is, the plan and the progress.
#[utoipa::path(get, path = "/api/v1/me/tickets", tag = "nanny", params(Paging),
    responses((status = 200, body = inline(ListResponse<TicketDetail>))), security(("bearer" = [])))]
pub async fn mine(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<TicketDetail>>, AppError> {
    let (items, total) = TicketDetail::served_by(&app, actor.id.0, paging).await?;
    Ok(Json(ListResponse { items, total }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// 1 to 5.
    #[serde(default)]
    #[schema(required = true, minimum = 1, maximum = 5)]
    pub stars: i64,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub comment: Option<String>,
}

/// Rate the service I received (rating again replaces it).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/rating", tag = "nanny", params(("id" = i64, Path)), request_body = RatingRequest,
    responses((status = 200, body = TicketDetail), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn rate(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<RatingRequest>,
) -> Result<Json<TicketDetail>, AppError> {
    let ticket = service::for_served(&app, &actor, id).await?;
    service::rate(&app, &ticket, request.stars, request.comment.as_deref()).await?;
    let ticket = service::for_served(&app, &actor, id).await?;
    Ok(Json(TicketDetail::load(&app, ticket).await?.for_served()))
}
