use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tianfu_domain::ListingKind;
use utoipa::ToSchema;

use super::service::{self, status_label};
use super::store::{self, InquiryRow};
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::{App, AppState};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InquiryRequest {
    /// offer, need or achievement.
    #[serde(default)]
    #[schema(value_type = crate::market::api::ListingKindName, required = true)]
    pub target_kind: String,
    /// A published listing of someone else.
    #[serde(default)]
    #[schema(required = true)]
    pub target_id: i64,
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 2000)]
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub author_id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InquiryView {
    pub id: i64,
    pub listing_id: i64,
    pub listing_kind: String,
    pub listing_title: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub requester_id: i64,
    pub requester_name: String,
    /// open, declined or closed.
    pub status: String,
    pub status_label: String,
    /// Only in single-inquiry answers.
    pub messages: Vec<MessageView>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub fn inquiry_view(row: InquiryRow, messages: Vec<MessageView>) -> InquiryView {
    InquiryView {
        status_label: status_label(&row.status).to_owned(),
        id: row.id,
        listing_id: row.listing_id,
        listing_kind: row.listing_kind,
        listing_title: row.listing_title,
        owner_id: row.owner_id,
        owner_name: row.owner_name,
        requester_id: row.requester_id,
        requester_name: row.requester_name,
        status: row.status,
        messages,
        updated_at: row.updated_at,
    }
}

pub async fn full_view(app: &App, row: InquiryRow) -> Result<InquiryView, AppError> {
    let messages = store::messages(&app.db, row.id)
        .await?
        .into_iter()
        .map(|m| MessageView {
            author_id: m.author_id,
            author_name: m.author_name,
            body: m.body,
            created_at: m.created_at,
        })
        .collect();
    Ok(inquiry_view(row, messages))
}

/// Open an inquiry (洽谈) on a published listing; the owner is notified.
#[utoipa::path(post, path = "/api/v1/inquiries", tag = "market", request_body = InquiryRequest,
    responses((status = 201, body = InquiryView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(request): ApiJson<InquiryRequest>,
) -> Result<(StatusCode, Json<InquiryView>), AppError> {
    let kind = ListingKind::parse(&request.target_kind)
        .map_err(|e| AppError::validation("target_kind", e))?;
    let id = service::open(&app, &actor, kind, request.target_id, &request.message).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("洽谈"))?;
    Ok((StatusCode::CREATED, Json(full_view(&app, row).await?)))
}

/// My inquiries, as requester or as the listing's owner.
#[utoipa::path(get, path = "/api/v1/inquiries", tag = "market", params(Paging),
    responses((status = 200, body = inline(ListResponse<InquiryView>)), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<InquiryView>>, AppError> {
    let (rows, total) = store::mine(&app.db, actor.id, paging).await?;
    Ok(Json(ListResponse {
        items: rows
            .into_iter()
            .map(|r| inquiry_view(r, Vec::new()))
            .collect(),
        total,
    }))
}

/// One inquiry with its messages; participants only.
#[utoipa::path(get, path = "/api/v1/inquiries/{id}", tag = "market", params(("id" = i64, Path)),
    responses((status = 200, body = InquiryView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InquiryView>, AppError> {
    let row = service::participant(&app, &actor, id, ip.as_deref()).await?;
    Ok(Json(full_view(&app, row).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 2000)]
    pub body: String,
}

/// Reply in an open inquiry; the other side is notified.
#[utoipa::path(post, path = "/api/v1/inquiries/{id}/messages", tag = "market", params(("id" = i64, Path)), request_body = ReplyRequest,
    responses((status = 201, body = InquiryView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn reply(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ReplyRequest>,
) -> Result<(StatusCode, Json<InquiryView>), AppError> {
    let row = service::participant(&app, &actor, id, ip.as_deref()).await?;
    service::reply(&app, &actor, &row, &request.body).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("洽谈"))?;
    Ok((StatusCode::CREATED, Json(full_view(&app, row).await?)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InquiryStatusRequest {
    /// declined (owner only) or closed.
    #[serde(default)]
    #[schema(value_type = crate::market::api::InquiryStatusName, required = true)]
    pub status: String,
}

/// Decline (owner) or close (either side) an inquiry.
#[utoipa::path(post, path = "/api/v1/inquiries/{id}/status", tag = "market", params(("id" = i64, Path)), request_body = InquiryStatusRequest,
    responses((status = 200, body = InquiryView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn set_status(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<InquiryStatusRequest>,
) -> Result<Json<InquiryView>, AppError> {
    let row = service::participant(&app, &actor, id, ip.as_deref()).await?;
    service::set_status(&app, &actor, &row, &request.status).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("洽谈"))?;
    Ok(Json(full_view(&app, row).await?))
}

/// Take back one's own 婉拒 or 结束洽谈 within ten minutes (`platform::done::UNDO_MINUTES`), as
/// the thread's 撤销 button does: the inquiry is open again and the other side is told. One
/// guarded statement: a second taking-back, one by the other side or one too late is a 409.
#[utoipa::path(post, path = "/api/v1/inquiries/{id}/undo", tag = "market", params(("id" = i64, Path)),
    responses((status = 200, body = InquiryView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn undo(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InquiryView>, AppError> {
    let row = service::participant(&app, &actor, id, ip.as_deref()).await?;
    super::undo::undo(&app, actor.id, &row).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("洽谈"))?;
    Ok(Json(full_view(&app, row).await?))
}
