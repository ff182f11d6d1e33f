use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tianfu_domain::{DealStage, Fen, ServiceType};
use utoipa::ToSchema;

use super::service::{self, DealInput};
use super::store::{self, DealRow};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DealRequest {
    pub need_id: Option<i64>,
    pub offer_id: Option<i64>,
    pub achievement_id: Option<i64>,
    /// The inquiry this deal came from, if any.
    pub inquiry_id: Option<i64>,
    /// development, transfer, consulting or service (四技).
    #[serde(default)]
    #[schema(value_type = crate::market::api::OfferServiceType, required = true)]
    pub contract_type: String,
    /// Contract amount in fen, not negative.
    #[schema(value_type = i64, required = true, minimum = 0, maximum = 10_000_000_000_000_i64)]
    pub amount_fen: Option<i64>,
    /// A deal made at a 科创会 edition: while it is in session or signing, and only when one of
    /// the listings named is a project selected for it. Its ledger rows carry `fair:<id>`.
    pub fair_id: Option<i64>,
    /// The edition's session it is signed in (集中签约…); needs `fair_id`.
    pub fair_session_id: Option<i64>,
    /// What the work covers (合作内容), at most 2000 characters.
    pub scope: Option<String>,
    /// When the work starts and ends, YYYY-MM-DD (2000–2100; the end not before the start).
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DealView {
    pub id: i64,
    pub need_id: Option<i64>,
    pub offer_id: Option<i64>,
    pub achievement_id: Option<i64>,
    pub inquiry_id: Option<i64>,
    pub buyer_id: i64,
    pub buyer_name: String,
    pub seller_id: i64,
    pub seller_name: String,
    pub contract_type: String,
    pub contract_type_label: String,
    pub amount_fen: i64,
    pub amount_label: String,
    /// intent, negotiating, signed, performing, completed, terminated.
    pub stage: String,
    pub stage_label: String,
    pub buyer_signed: bool,
    pub seller_signed: bool,
    pub region_code: String,
    /// The 科创会 edition it was made at, if any.
    pub fair_id: Option<i64>,
    /// The session of that edition it was signed in, if any.
    pub fair_session_id: Option<i64>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// What the work covers (合作内容).
    pub scope: Option<String>,
    /// When the work starts and ends (YYYY-MM-DD).
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

impl From<DealRow> for DealView {
    fn from(row: DealRow) -> Self {
        DealView {
            scope: row.scope,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            contract_type_label: ServiceType::parse(&row.contract_type)
                .map(|t| t.label())
                .unwrap_or("")
                .to_owned(),
            amount_label: Fen::new(row.amount_fen)
                .map(|f| f.display_yuan())
                .unwrap_or_default(),
            stage_label: DealStage::parse(&row.stage)
                .map(|s| s.label())
                .unwrap_or("")
                .to_owned(),
            id: row.id,
            need_id: row.need_id,
            offer_id: row.offer_id,
            achievement_id: row.achievement_id,
            inquiry_id: row.inquiry_id,
            buyer_id: row.buyer_id,
            buyer_name: row.buyer_name,
            seller_id: row.seller_id,
            seller_name: row.seller_name,
            contract_type: row.contract_type,
            amount_fen: row.amount_fen,
            stage: row.stage,
            buyer_signed: row.buyer_signed,
            seller_signed: row.seller_signed,
            region_code: row.region_code,
            fair_id: row.fair_id,
            fair_session_id: row.fair_session_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Propose a deal (交易) between a need and a capability or achievement; it starts at 意向.
#[utoipa::path(post, path = "/api/v1/deals", tag = "market", request_body = DealRequest,
    responses((status = 201, body = DealView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(request): ApiJson<DealRequest>,
) -> Result<(StatusCode, Json<DealView>), AppError> {
    let input = DealInput {
        need_id: request.need_id,
        offer_id: request.offer_id,
        achievement_id: request.achievement_id,
        inquiry_id: request.inquiry_id,
        contract_type: request.contract_type,
        amount_fen: request.amount_fen,
        fair_id: request.fair_id,
        fair_session_id: request.fair_session_id,
        terms: service::TermsInput {
            scope: request.scope,
            starts_on: request.starts_on,
            ends_on: request.ends_on,
        },
    };
    let id = service::create(&app, &actor, input).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("交易"))?;
    Ok((StatusCode::CREATED, Json(row.into())))
}

/// My deals, as buyer or seller.
#[utoipa::path(get, path = "/api/v1/deals", tag = "market", params(Paging),
    responses((status = 200, body = inline(ListResponse<DealView>))), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<DealView>>, AppError> {
    let (rows, total) = store::mine(&app.db, actor.id, paging).await?;
    Ok(Json(ListResponse {
        items: rows.into_iter().map(DealView::from).collect(),
        total,
    }))
}

/// One deal: its parties and the staff of its region.
#[utoipa::path(get, path = "/api/v1/deals/{id}", tag = "market", params(("id" = i64, Path)),
    responses((status = 200, body = DealView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DealView>, AppError> {
    Ok(Json(
        service::visible(&app, &actor, id, ip.as_deref())
            .await?
            .into(),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The stage to move to; signing needs both parties to ask for `signed`.
    #[serde(default)]
    #[schema(value_type = crate::market::api::DealStageName, required = true)]
    pub to: String,
}

/// Move a deal to its next stage (or terminate it); parties only.
#[utoipa::path(post, path = "/api/v1/deals/{id}/transition", tag = "market", params(("id" = i64, Path)), request_body = TransitionRequest,
    responses((status = 200, body = DealView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn transition(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<TransitionRequest>,
) -> Result<Json<DealView>, AppError> {
    let deal = service::visible(&app, &actor, id, ip.as_deref()).await?;
    service::transition(&app, &actor, &deal, &request.to, ip.as_deref()).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("交易"))?;
    Ok(Json(row.into()))
}

/// Take back an ending made before the signing: only whoever ended the deal, within ten
/// minutes; the deal returns to the stage it left (409 otherwise).
#[utoipa::path(post, path = "/api/v1/deals/{id}/undo-termination", tag = "market", params(("id" = i64, Path)),
    responses((status = 200, body = DealView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn undo_termination(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DealView>, AppError> {
    let deal = service::visible(&app, &actor, id, ip.as_deref()).await?;
    service::undo_termination(&app, &actor, &deal).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("交易"))?;
    Ok(Json(row.into()))
}
