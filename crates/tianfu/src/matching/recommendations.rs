//! The workspace side of 为您推荐: the list (API and page) and the feedback buttons.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Redirect;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::recommend::{self, RecommendationRow, status_label};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{Actor, ApiUser, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::page::{PageError, Pager};

/// The signed-in user's recommendations, best first; dismissed ones do not come back.
#[utoipa::path(get, path = "/api/v1/recommendations", tag = "matching", params(Paging),
    responses((status = 200, body = inline(ListResponse<RecommendationRow>)), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<RecommendationRow>>, AppError> {
    let (items, total) = recommend::mine(&app.db, actor.id, paging).await?;
    Ok(Json(ListResponse { items, total }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    /// viewed, contacted, dismissed or deal.
    #[schema(value_type = crate::matching::api::FeedbackAction)]
    pub action: String,
}

/// Feedback on one of one's recommendations.
#[utoipa::path(post, path = "/api/v1/recommendations/{id}/feedback", tag = "matching", params(("id" = i64, Path)), request_body = Feedback,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn feedback(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<Feedback>,
) -> Result<StatusCode, AppError> {
    recommend::feedback(&app, actor.id, id, &body.action).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub struct Line {
    pub row: RecommendationRow,
    pub link: String,
    pub reasons: Vec<String>,
    pub status: &'static str,
    pub at: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "matching/recommendations.html")]
pub struct RecommendationsPage {
    me: Option<Actor>,
    items: Vec<Line>,
    pager: Pager,
    pager_base: &'static str,
}

pub async fn page(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Query(paging): Query<Paging>,
) -> Result<RecommendationsPage, PageError> {
    let (rows, total) = recommend::mine(&app.db, actor.id, paging).await?;
    let items = rows
        .into_iter()
        .map(|row| Line {
            link: format!("/me/recommendations/{}/open", row.id),
            reasons: row.reasons.lines().map(str::to_owned).collect(),
            status: status_label(&row.status),
            at: shanghai(row.created_at),
            row,
        })
        .collect();
    let pager = Pager::new(paging.page(), paging.per_page(), total);
    Ok(RecommendationsPage {
        me: Some(actor),
        items,
        pager,
        pager_base: "/me/recommendations?",
    })
}

#[derive(Debug, Deserialize)]
pub struct FeedbackForm {
    action: String,
}

pub async fn page_feedback(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<FeedbackForm>,
) -> Result<Redirect, PageError> {
    recommend::feedback(&app, actor.id, id, &form.action)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    Ok(Redirect::to("/me/recommendations"))
}

/// Opening a recommendation records that it was viewed, then shows the listing.
pub async fn open(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    Path(id): Path<i64>,
) -> Result<Redirect, PageError> {
    let row = recommend::find_mine(&app.db, actor.id, id)
        .await?
        .ok_or_else(|| PageError::new(AppError::not_found("推荐"), Some(actor.clone())))?;
    if row.status == "new" {
        recommend::feedback(&app, actor.id, id, "viewed")
            .await
            .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    }
    Ok(Redirect::to(&format!("/{}s/{}", row.kind, row.listing_id)))
}
