//! `/api/v1/fairs/{id}/reviewers`, `…/assignments`, `…/projects/{pid}/reviewers`,
//! `…/projects/{pid}/scores` and `…/reviews/mine`: inviting reviewers, assigning them, and their
//! scores.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tianfu_domain::fair::{Category, Sector};
use utoipa::ToSchema;

use super::reviewers::{self, ReviewerInput};
use super::scores::{self, ScoreInput};
use super::store::{MyReviewRow, ReviewerRow, ScoreRow};
use crate::fair::editions::service::find as find_fair;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::ApiUser;
use crate::platform::error::{AppError, ErrorBody};
use crate::{App, AppState};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairReviewerRequest)]
pub struct ReviewerRequest {
    /// A scientist (worker) or a staff member.
    #[schema(value_type = i64, required = true, minimum = 1)]
    pub user_id: Option<i64>,
    /// The fields they review; empty for any.
    #[serde(default)]
    #[schema(value_type = Vec<crate::fair::projects::api::FairSectorName>)]
    pub sectors: Vec<String>,
    /// Their organisation (工作单位), for conflicts of interest.
    #[serde(default)]
    #[schema(max_length = 60)]
    pub org_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairReviewer)]
pub struct ReviewerView {
    pub user_id: i64,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    #[schema(value_type = Vec<crate::fair::projects::api::FairSectorName>)]
    pub sectors: Vec<String>,
    /// 不限 for any field.
    pub sectors_label: String,
    pub org_name: Option<String>,
    /// Projects assigned to them.
    pub assigned: i64,
    /// Of those, scored.
    pub scored: i64,
    pub invited_at: DateTime<Utc>,
}

impl ReviewerView {
    pub fn of(app: &App, row: ReviewerRow) -> Self {
        let sectors = row.sectors();
        let labels: Vec<&str> = sectors
            .iter()
            .filter_map(|s| Sector::parse(s).ok())
            .map(Sector::label)
            .collect();
        ReviewerView {
            region_name: app.regions.full_name_of(&row.region_code),
            sectors_label: if labels.is_empty() {
                "不限".into()
            } else {
                labels.join("、")
            },
            sectors,
            user_id: row.user_id,
            name: row.name,
            region_code: row.region_code,
            org_name: row.org_name,
            assigned: row.assigned,
            scored: row.scored,
            invited_at: row.created_at,
        }
    }
}

/// Invite a scientist or a staff member to review the edition (organisers), or change an invited
/// one's fields and organisation (200).
#[utoipa::path(post, path = "/api/v1/fairs/{id}/reviewers", tag = "fairs", request_body = ReviewerRequest,
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 201, body = ReviewerView), (status = 200, body = ReviewerView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn invite(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ReviewerRequest>,
) -> Result<(StatusCode, Json<ReviewerView>), AppError> {
    let fair = find_fair(&app, id).await?;
    let input = ReviewerInput {
        user_id: request.user_id,
        phone: None,
        sectors: request.sectors,
        org_name: request.org_name.unwrap_or_default(),
    };
    let (user_id, created) = reviewers::invite(&app, &actor, &fair, &input).await?;
    let row = super::store::find_reviewer(&app.db, fair.id, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("评审专家"))?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(ReviewerView::of(&app, row))))
}

/// The edition's reviewers with their load (organisers).
#[utoipa::path(get, path = "/api/v1/fairs/{id}/reviewers", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), Paging),
    responses((status = 200, body = ListResponse<ReviewerView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_reviewers(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<ReviewerView>>, AppError> {
    let fair = find_fair(&app, id).await?;
    let (rows, total) = reviewers::list(&app, &actor, &fair, paging).await?;
    let items = rows
        .into_iter()
        .map(|r| ReviewerView::of(&app, r))
        .collect();
    Ok(Json(ListResponse { items, total }))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairAssignmentResult)]
pub struct AssignmentResult {
    /// New assignments made.
    pub assigned: u64,
    /// Projects that still have fewer reviewers than required (no one else may review them).
    pub short: Vec<i64>,
}

/// Give every collected project its reviewers (the edition's minimum, 3): of its field first,
/// then the least loaded, never with a conflict of interest (organisers, while collecting or
/// reviewing, until the selection is published).
#[utoipa::path(post, path = "/api/v1/fairs/{id}/assignments", tag = "fairs",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = AssignmentResult), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn assign_all(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AssignmentResult>, AppError> {
    let fair = find_fair(&app, id).await?;
    let done = reviewers::assign_all(&app, &actor, &fair).await?;
    Ok(Json(AssignmentResult {
        assigned: done.assigned,
        short: done.short,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairAssignRequest)]
pub struct AssignRequest {
    /// An invited reviewer.
    #[schema(value_type = i64, required = true, minimum = 1)]
    pub user_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairAssignment)]
pub struct AssignmentView {
    pub project_id: i64,
    pub reviewer: ReviewerView,
}

/// Assign one invited reviewer to a project by hand (organisers). A conflict of interest (the
/// owner, the same organisation, the same county) is refused with 422 on `user_id`.
#[utoipa::path(post, path = "/api/v1/fairs/{id}/projects/{pid}/reviewers", tag = "fairs", request_body = AssignRequest,
    params(("id" = i64, Path, minimum = 1), ("pid" = i64, Path, minimum = 1)),
    responses((status = 201, body = AssignmentView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn assign_one(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((id, pid)): ApiPath<(i64, i64)>,
    ApiJson(request): ApiJson<AssignRequest>,
) -> Result<(StatusCode, Json<AssignmentView>), AppError> {
    let fair = find_fair(&app, id).await?;
    let (project, reviewer) =
        reviewers::assign_one(&app, &actor, &fair, pid, request.user_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(AssignmentView {
            project_id: project.id,
            reviewer: ReviewerView::of(&app, reviewer),
        }),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairScoreRequest)]
pub struct ScoreRequest {
    /// The total, 0 to 100: required without `criteria`; with them, it must agree with their
    /// weighted mean within 0.5.
    #[schema(minimum = 0, maximum = 100)]
    pub score: Option<f64>,
    /// Every criterion of the edition by its key, each 0 to 100.
    pub criteria: Option<HashMap<String, f64>>,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairScore)]
pub struct ScoreView {
    pub project_id: i64,
    pub reviewer_id: i64,
    pub score: f64,
    pub criteria: Option<BTreeMap<String, f64>>,
    pub comment: String,
    pub scored_at: DateTime<Utc>,
}

impl From<ScoreRow> for ScoreView {
    fn from(row: ScoreRow) -> Self {
        ScoreView {
            criteria: scores::criteria_of(row.criteria.as_deref()),
            project_id: row.project_id,
            reviewer_id: row.reviewer_id,
            score: row.score,
            comment: row.comment,
            scored_at: row.scored_at,
        }
    }
}

/// Score a project assigned to me (0–100, per criterion or as a whole, with a comment) while the
/// edition is in 遴选 and until the selection is published; scoring again replaces my score.
#[utoipa::path(post, path = "/api/v1/fairs/{id}/projects/{pid}/scores", tag = "fairs", request_body = ScoreRequest,
    params(("id" = i64, Path, minimum = 1), ("pid" = i64, Path, minimum = 1)),
    responses((status = 200, body = ScoreView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn score(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((id, pid)): ApiPath<(i64, i64)>,
    ApiJson(request): ApiJson<ScoreRequest>,
) -> Result<Json<ScoreView>, AppError> {
    let fair = find_fair(&app, id).await?;
    let input = ScoreInput {
        score: request.score,
        criteria: request.criteria,
        comment: request.comment.unwrap_or_default(),
    };
    let row = scores::score(&app, &actor, &fair, pid, &input).await?;
    Ok(Json(row.into()))
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairMyReview)]
pub struct MyReviewView {
    pub project_id: i64,
    pub title: String,
    #[schema(value_type = crate::fair::editions::api::FairCategoryName)]
    pub category: String,
    pub category_label: &'static str,
    #[schema(value_type = crate::fair::projects::api::FairSectorName)]
    pub sector: String,
    pub sector_label: &'static str,
    pub region_name: String,
    pub hall_code: String,
    pub org_name: Option<String>,
    pub pitch: String,
    /// My score, once given.
    pub score: Option<f64>,
    pub criteria: Option<BTreeMap<String, f64>>,
    pub comment: Option<String>,
    pub scored_at: Option<DateTime<Utc>>,
}

impl MyReviewView {
    pub fn of(app: &App, row: MyReviewRow) -> Self {
        MyReviewView {
            category_label: Category::parse(&row.category).map_or("未知", Category::label),
            sector_label: Sector::parse(&row.sector).map_or("未知", Sector::label),
            region_name: app.regions.full_name_of(&row.region_code),
            criteria: scores::criteria_of(row.criteria.as_deref()),
            project_id: row.project_id,
            title: row.title,
            category: row.category,
            sector: row.sector,
            hall_code: row.hall_code,
            org_name: row.org_name,
            pitch: row.pitch,
            score: row.score,
            comment: row.comment,
            scored_at: row.scored_at,
        }
    }
}

/// The projects assigned to me in the edition, unscored first, with my scores.
#[utoipa::path(get, path = "/api/v1/fairs/{id}/reviews/mine", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), Paging),
    responses((status = 200, body = ListResponse<MyReviewView>), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mine(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<MyReviewView>>, AppError> {
    let fair = find_fair(&app, id).await?;
    let (rows, total) = scores::mine(&app, &actor, &fair, paging).await?;
    let items = rows
        .into_iter()
        .map(|r| MyReviewView::of(&app, r))
        .collect();
    Ok(Json(ListResponse { items, total }))
}
