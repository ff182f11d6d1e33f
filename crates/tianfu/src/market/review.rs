//! The review queue: listings waiting for the staff whose region covers them.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tianfu_domain::{ListingKind, ListingStatus};
use utoipa::{IntoParams, ToSchema};

use super::service;
use super::store::{self, ListingFilter};
use super::view::ListingView;
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope::staff_scope;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// offer, achievement or need; all kinds when absent.
    #[param(value_type = Option<crate::market::api::ListingKindFilter>)]
    pub kind: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

pub fn parse_kind(kind: Option<&str>) -> Result<Option<ListingKind>, AppError> {
    match kind.filter(|k| !k.is_empty()) {
        Some(kind) => ListingKind::parse(kind)
            .map(Some)
            .map_err(|e| AppError::validation("kind", e)),
        None => Ok(None),
    }
}

/// Listings awaiting review in the staff member's region subtree, the longest waiting first (as
/// the review page lists them).
#[utoipa::path(get, path = "/api/v1/admin/reviews", tag = "staff", params(ReviewQuery),
    responses((status = 200, body = inline(ListResponse<ListingView>)), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn queue(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ApiQuery(query): ApiQuery<ReviewQuery>,
) -> Result<Json<ListResponse<ListingView>>, AppError> {
    let filter = ListingFilter {
        kind: parse_kind(query.kind.as_deref())?,
        kinds: crate::platform::scope::reviewable_kinds(&actor, &app.config.review),
        status: Some(ListingStatus::Pending),
        owner: None,
        scope: staff_scope(&actor),
    };
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let rows = store::oldest_first(&app.db, &filter, paging).await?;
    let total = store::count(&app.db, &filter).await?;
    let mut items: Vec<ListingView> = rows
        .into_iter()
        .map(|r| ListingView::new(&app, r))
        .collect();
    // Each held need says why it is held.
    crate::market::integrity::api::attach_holds(&app, &mut items).await?;
    Ok(Json(ListResponse { items, total }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDecision {
    /// approve or reject.
    #[serde(default)]
    #[schema(value_type = crate::market::api::ReviewDecisionName, required = true)]
    pub decision: String,
    /// Required when rejecting (not blank); up to 200 characters; the owner sees it.
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}

/// Approve (publish) or reject a pending listing in one's region.
#[utoipa::path(post, path = "/api/v1/admin/reviews/{kind}/{id}", tag = "staff", request_body = ReviewDecision,
    params(("kind" = crate::market::api::ListingKindName, Path, description = "offer, achievement or need"), ("id" = i64, Path)),
    responses((status = 200, body = ListingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn decide(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath((kind, id)): ApiPath<(String, i64)>,
    ApiJson(decision): ApiJson<ReviewDecision>,
) -> Result<Json<ListingView>, AppError> {
    let kind =
        ListingKind::parse(&kind).map_err(|_| AppError::NotFound("审核类别不存在".into()))?;
    service::decide(
        &app,
        &actor,
        kind,
        id,
        &decision.decision,
        decision.reason.as_deref(),
        ip.as_deref(),
    )
    .await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| service::not_found(kind))?;
    Ok(Json(ListingView::new(&app, row)))
}
