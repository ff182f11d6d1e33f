//! `/api/v1/kepu/pushes`: compose, preview, send and follow campaigns.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, PushDetail, PushSummary};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    /// A published 科普 resource.
    #[serde(default)]
    #[schema(required = true)]
    pub resource_id: i64,
    /// The region whose residents are reached (with every region inside it); within the
    /// sender's scope.
    #[serde(default)]
    #[schema(value_type = crate::platform::openapi::RegionCode, required = true)]
    pub region_code: String,
    /// Only these audience groups; empty for everyone.
    #[serde(default)]
    #[schema(value_type = Vec<crate::kepu::audience::AudienceName>)]
    pub audiences: Vec<String>,
    /// Only residents with one of these interests (a channel code such as `agriculture`, or a
    /// tag such as 柑橘); empty for any. At most 8, each 1 to 12 characters.
    #[serde(default)]
    #[schema(max_items = 8)]
    pub interests: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPush {
    pub id: i64,
    /// The audience's size when the campaign was sent.
    pub recipients: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewView {
    /// How many residents the audience names now.
    pub recipients: i64,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The region whose residents would be reached.
    #[param(value_type = crate::platform::openapi::RegionCode, required = true)]
    pub region_code: Option<String>,
    /// Audience codes separated by commas (youth, farmer, worker, elder, cadre); empty for
    /// everyone.
    pub audiences: Option<String>,
    /// Interests separated by commas; empty for any.
    pub interests: Option<String>,
}

/// Comma-separated items of a query, without blanks.
fn items(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default()
        .split([',', '，'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Send a targeted push: 201 with the recipients counted now; the fan-out runs in the
/// background. 全民科普服务部 staff (within their region) and administrators only.
#[utoipa::path(post, path = "/api/v1/kepu/pushes", tag = "kepu", request_body = PushRequest,
    responses((status = 201, body = CreatedPush), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<(StatusCode, Json<CreatedPush>), AppError> {
    let (id, recipients) = service::send(&app, &actor, &request, ip.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(CreatedPush { id, recipients })))
}

/// How many residents an audience names now, before sending.
#[utoipa::path(get, path = "/api/v1/kepu/pushes/preview", tag = "kepu", params(PreviewQuery),
    responses((status = 200, body = PreviewView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn preview(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<PreviewQuery>,
) -> Result<Json<PreviewView>, AppError> {
    let recipients = service::preview(
        &app,
        &actor,
        query.region_code.as_deref().unwrap_or_default(),
        &items(query.audiences.as_deref()),
        &items(query.interests.as_deref()),
        ip.as_deref(),
    )
    .await?;
    Ok(Json(PreviewView { recipients }))
}

/// Campaigns aimed inside my region, newest first.
#[utoipa::path(get, path = "/api/v1/kepu/pushes", tag = "kepu", params(Paging),
    responses((status = 200, body = inline(ListResponse<PushSummary>)), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<PushSummary>>, AppError> {
    let (items, total) = service::list(&app, &actor, paging, ip.as_deref()).await?;
    Ok(Json(ListResponse { items, total }))
}

/// One campaign: progress, delivered, waiting, opened and the open rate, by region.
#[utoipa::path(get, path = "/api/v1/kepu/pushes/{id}", tag = "kepu", params(("id" = i64, Path)),
    responses((status = 200, body = PushDetail), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PushDetail>, AppError> {
    Ok(Json(
        service::detail(&app, &actor, id, ip.as_deref()).await?,
    ))
}
