//! `GET /api/v1/{needs|offers|achievements}/{id}/matches`. A published listing's matches are
//! public like the listing; an unpublished one's only its owner and the region's staff see
//! (the same rule as the listing itself, from `platform::scope` via `market::service`).

use axum::Json;
use axum::extract::State;
use tianfu_domain::ListingKind;

use super::{MatchList, all_for};
use crate::AppState;
use crate::market::service;
use crate::platform::api::ApiPath;
use crate::platform::auth::ApiMaybeUser;
use crate::platform::error::{AppError, ErrorBody};

const LIMIT: usize = 10;

async fn matches(
    app: &AppState,
    actor: ApiMaybeUser,
    kind: ListingKind,
    id: i64,
) -> Result<Json<MatchList>, AppError> {
    let row = service::visible(app, actor.0.as_ref(), kind, id).await?;
    Ok(Json(MatchList {
        items: all_for(app, &row, LIMIT).await?,
    }))
}

/// The capabilities and achievements that best answer a need, and the scientists (by their
/// studio, kind `studio`) who could, with reasons.
#[utoipa::path(get, path = "/api/v1/needs/{id}/matches", tag = "matching", params(("id" = i64, Path)),
    responses((status = 200, body = MatchList), (status = 404, body = ErrorBody)))]
pub async fn need_matches(
    State(app): State<AppState>,
    actor: ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MatchList>, AppError> {
    matches(&app, actor, ListingKind::Need, id).await
}

/// The needs a capability answers best, with reasons.
#[utoipa::path(get, path = "/api/v1/offers/{id}/matches", tag = "matching", params(("id" = i64, Path)),
    responses((status = 200, body = MatchList), (status = 404, body = ErrorBody)))]
pub async fn offer_matches(
    State(app): State<AppState>,
    actor: ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MatchList>, AppError> {
    matches(&app, actor, ListingKind::Offer, id).await
}

/// The needs an achievement answers best, with reasons.
#[utoipa::path(get, path = "/api/v1/achievements/{id}/matches", tag = "matching", params(("id" = i64, Path)),
    responses((status = 200, body = MatchList), (status = 404, body = ErrorBody)))]
pub async fn achievement_matches(
    State(app): State<AppState>,
    actor: ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MatchList>, AppError> {
    matches(&app, actor, ListingKind::Achievement, id).await
}

crate::platform::openapi::wire_enum!(
    /// Feedback on a recommendation: viewed（已查看）, contacted（已联系）, dismissed（不感兴趣） or deal（已成交）.
    FeedbackAction,
    vec!["viewed".into(), "contacted".into(), "dismissed".into(), "deal".into()]
);
