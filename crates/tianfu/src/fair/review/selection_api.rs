//! `/api/v1/fairs/{id}/ranking`, `…/selection` and `…/projects/{pid}/major`: the ranking as
//! staff may see it, publishing the selection once, and the province's major projects.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tianfu_domain::FieldErrors;
use tianfu_domain::fair::{Category, Sector};
use utoipa::{IntoParams, ToSchema};

use super::selection::{self, RankFilter, RankedProject, SelectionSummary};
use crate::fair::editions::service::find as find_fair;
use crate::fair::projects::api::ProjectView;
use crate::fair::projects::service::visible;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::ApiUser;
use crate::platform::error::{AppError, ErrorBody};
use crate::{App, AppState};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingParams {
    /// A hall: a city's code (5110), or 51 for province institutions.
    #[param(pattern = "^$|^51(\\d{2})?$")]
    pub hall: Option<String>,
    #[param(value_type = Option<crate::fair::projects::api::FairCategoryFilter>)]
    pub category: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// A hall's code as typed: '51', or a city's four digits.
pub fn hall_ok(hall: &str) -> bool {
    hall == "51"
        || (hall.len() == 4 && hall.starts_with("51") && hall.chars().all(|c| c.is_ascii_digit()))
}

impl RankingParams {
    pub fn filter(&self) -> Result<RankFilter, AppError> {
        let mut errors = FieldErrors::new();
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let hall = given(&self.hall);
        if hall.as_deref().is_some_and(|h| !hall_ok(h)) {
            errors.add(
                "hall",
                "展厅应为市（州）代码（如 5110），或 51 表示省直单位",
            );
        }
        let category =
            given(&self.category).and_then(|c| errors.check("category", Category::parse(&c)));
        errors.into_result()?;
        Ok(RankFilter { hall, category })
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairRankingItem)]
pub struct RankingItem {
    pub project_id: i64,
    pub title: String,
    pub owner_name: String,
    pub org_name: Option<String>,
    pub region_code: String,
    pub region_name: String,
    pub hall_code: String,
    #[schema(value_type = crate::fair::editions::api::FairCategoryName)]
    pub category: String,
    pub category_label: &'static str,
    #[schema(value_type = crate::fair::projects::api::FairSectorName)]
    pub sector: String,
    pub sector_label: &'static str,
    #[schema(value_type = crate::fair::projects::api::FairProjectStatusName)]
    pub status: String,
    /// The trimmed mean of the scores (the highest and lowest dropped); none with fewer than 3.
    pub score: Option<f64>,
    /// Scores given.
    pub score_count: u32,
    /// Reviewers assigned.
    pub reviewers: i64,
    /// Rank within its hall and category.
    pub group_rank: Option<u32>,
    /// The hall's quota for the category; none for no limit.
    pub quota: Option<u32>,
    /// Selected under the quotas as the scores stand (once published, what was selected).
    pub would_select: bool,
    pub major: bool,
}

impl RankingItem {
    pub fn of(app: &App, p: RankedProject) -> Self {
        RankingItem {
            region_name: app.regions.full_name_of(&p.row.region_code),
            category_label: p.category.map_or("未知", Category::label),
            sector_label: Sector::parse(&p.row.sector).map_or("未知", Sector::label),
            score: p.score.map(|s| (s * 100.0).round() / 100.0),
            score_count: p.score_count,
            reviewers: p.reviewers,
            group_rank: p.group_rank,
            quota: p.quota,
            would_select: p.would_select,
            project_id: p.row.id,
            title: p.row.title,
            owner_name: p.row.owner_name,
            org_name: p.row.org_name,
            region_code: p.row.region_code,
            hall_code: p.row.hall_code,
            category: p.row.category,
            sector: p.row.sector,
            status: p.row.status,
            major: p.row.major,
        }
    }
}

/// The ranking by hall and category with the trimmed means and who would be selected under the
/// quotas (organisers every project; other staff their region's, ranked among all).
#[utoipa::path(get, path = "/api/v1/fairs/{id}/ranking", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), RankingParams),
    responses((status = 200, body = ListResponse<RankingItem>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn ranking(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<RankingParams>,
) -> Result<Json<ListResponse<RankingItem>>, AppError> {
    let fair = find_fair(&app, id).await?;
    let filter = params.filter()?;
    let ranked = selection::ranking(&app, &actor, &fair, &filter).await?;
    let paging = Paging {
        page: params.page,
        per_page: params.per_page,
    };
    let total = i64::try_from(ranked.len()).unwrap_or(i64::MAX);
    let items = ranked
        .into_iter()
        .skip(usize::try_from(paging.offset()).unwrap_or(usize::MAX))
        .take(usize::try_from(paging.limit()).unwrap_or(0))
        .map(|p| RankingItem::of(&app, p))
        .collect();
    Ok(Json(ListResponse { items, total }))
}

/// Publish the selection (organisers, in 遴选, once): every collected project is ranked within
/// its hall and category and selected up to the hall's quota; projects with fewer than 3 scores
/// are not selected. A second request answers 409.
#[utoipa::path(post, path = "/api/v1/fairs/{id}/selection", tag = "fairs",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = SelectionSummary), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn publish(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<SelectionSummary>, AppError> {
    let fair = find_fair(&app, id).await?;
    Ok(Json(selection::publish(&app, &actor, &fair).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairMajorRequest)]
pub struct MajorRequest {
    #[schema(value_type = bool, required = true)]
    pub major: Option<bool>,
}

/// Mark a selected project as one of the province's major projects (at most 10 per category),
/// or take the mark off (organisers).
#[utoipa::path(post, path = "/api/v1/fairs/{id}/projects/{pid}/major", tag = "fairs", request_body = MajorRequest,
    params(("id" = i64, Path, minimum = 1), ("pid" = i64, Path, minimum = 1)),
    responses((status = 200, body = ProjectView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn major(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((id, pid)): ApiPath<(i64, i64)>,
    ApiJson(request): ApiJson<MajorRequest>,
) -> Result<Json<ProjectView>, AppError> {
    let fair = find_fair(&app, id).await?;
    let Some(major) = request.major else {
        return Err(AppError::validation("major", "请指明是否列为重大项目"));
    };
    selection::set_major(&app, &actor, &fair, pid, major).await?;
    let row = visible(&app, Some(&actor), &fair, pid).await?;
    Ok(Json(ProjectView::of(&app, Some(&actor), &fair, row)))
}
