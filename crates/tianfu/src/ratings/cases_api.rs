//! `/api/v1/cases…`: write up a completed deal, list and read cases, edit one.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::cases;
use super::rules;
use super::view::CaseView;
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::ApiUser;
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseRequest {
    /// A completed deal the caller is a party to.
    #[schema(required = true)]
    pub deal_id: Option<i64>,
    #[serde(default)]
    #[schema(required = true, min_length = 4, max_length = 60)]
    pub title: String,
    /// What happened, in plain text: 50 to 5000 characters.
    #[serde(default)]
    #[schema(required = true, min_length = 50, max_length = 5000)]
    pub story: String,
    /// Lessons for others, optional, at most 2000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub lessons: String,
}

/// Write up a completed deal as a case (案例): its parties only, one case per deal.
#[utoipa::path(post, path = "/api/v1/cases", tag = "ratings", request_body = CaseRequest,
    responses((status = 201, body = CaseView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(request): ApiJson<CaseRequest>,
) -> Result<(StatusCode, Json<CaseView>), AppError> {
    let id = cases::create(
        &app,
        &actor,
        request.deal_id,
        &request.title,
        &request.story,
        &request.lessons,
    )
    .await?;
    let row = cases::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("案例"))?;
    Ok((StatusCode::CREATED, Json(CaseView::new(&app, row).await?)))
}

/// All cases, newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "ratings", params(Paging),
    responses((status = 200, body = inline(ListResponse<CaseView>))))]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<CaseView>>, AppError> {
    let (rows, total) = cases::list(&app.db, paging).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(CaseView::new(&app, row).await?);
    }
    Ok(Json(ListResponse { items, total }))
}

/// One case, with its ratings in force.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "ratings", params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<CaseView>, AppError> {
    let row = cases::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("案例"))?;
    Ok(Json(CaseView::new(&app, row).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    #[schema(min_length = 4, max_length = 60)]
    pub title: Option<String>,
    #[schema(min_length = 50, max_length = 5000)]
    pub story: Option<String>,
    #[schema(max_length = 2000)]
    pub lessons: Option<String>,
}

/// Edit a case: either party of its deal, while it is not under review or rated (409 then).
#[utoipa::path(patch, path = "/api/v1/cases/{id}", tag = "ratings", params(("id" = i64, Path)), request_body = CasePatch,
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn patch(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<CasePatch>,
) -> Result<Json<CaseView>, AppError> {
    let row = cases::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("案例"))?;
    if !row.is_party(actor.id) {
        return Err(AppError::Forbidden("只有交易双方可以修改该案例".into()));
    }
    let text = rules::check_case(
        request.title.as_deref().unwrap_or(&row.title),
        request.story.as_deref().unwrap_or(&row.story),
        request.lessons.as_deref().unwrap_or(&row.lessons),
    )?;
    cases::update(&app, &actor, &row, &text).await?;
    let row = cases::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("案例"))?;
    Ok(Json(CaseView::new(&app, row).await?))
}
