//! `/api/v1/fairs/{id}/projects…`: enter or nominate a project, list and read an edition's
//! projects as the reader may see them, withdraw one while collecting.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tianfu_domain::fair::{Category, Sector};
use utoipa::{IntoParams, ToSchema};

use super::service::{self, ProjectInput};
use crate::fair::editions::api::FairCategoryName;
use crate::fair::editions::service::find as find_fair;
use crate::fair::store::{FairRow, ProjectFilter, ProjectRow};
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiMaybeUser, ApiUser};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::openapi::wire_names;
use crate::{App, AppState};

crate::platform::openapi::wire_enum!(
    /// electronics 电子信息, equipment 装备制造, food 食品轻纺, energy 能源化工, materials 先进材料,
    /// medicine 医药健康, agriculture 现代农业.
    FairSectorName,
    wire_names(Sector::ALL, Sector::as_str, false)
);
crate::platform::openapi::wire_enum!(
    /// collected 已征集, selected 入选, not_selected 未入选, withdrawn 已撤回.
    FairProjectStatusName,
    vec!["collected".into(), "selected".into(), "not_selected".into(), "withdrawn".into()]
);
crate::platform::openapi::wire_enum!(
    /// A category, or empty for all.
    FairCategoryFilter,
    wire_names(Category::ALL, Category::as_str, true)
);
crate::platform::openapi::wire_enum!(
    /// A sector, or empty for all.
    FairSectorFilter,
    wire_names(Sector::ALL, Sector::as_str, true)
);
crate::platform::openapi::wire_enum!(
    /// A status, or empty for all.
    FairProjectStatusFilter,
    vec!["".into(), "collected".into(), "selected".into(), "not_selected".into(), "withdrawn".into()]
);

pub fn status_label(status: &str) -> &'static str {
    match status {
        "collected" => "已征集",
        "selected" => "入选",
        "not_selected" => "未入选",
        "withdrawn" => "已撤回",
        _ => "未知",
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairProjectRequest)]
pub struct ProjectRequest {
    /// Defaults by the listing: a capability is technology, an achievement achievement, a need
    /// problem.
    #[serde(default)]
    #[schema(value_type = Option<FairCategoryName>)]
    pub category: Option<String>,
    #[serde(default)]
    #[schema(value_type = crate::market::api::ListingKindName, required = true)]
    pub listing_kind: String,
    #[schema(required = true, minimum = 1)]
    pub listing_id: Option<i64>,
    /// Defaults from the listing's industry where it tells.
    #[serde(default)]
    #[schema(value_type = Option<FairSectorName>)]
    pub sector: Option<String>,
    /// A short pitch, 10 to 500 characters (default the listing's first 200 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub pitch: Option<String>,
    /// The organisation behind it (default the owner's, for an organisation).
    #[serde(default)]
    #[schema(max_length = 60)]
    pub org_name: Option<String>,
    /// Up to 9 pictures: files uploaded here (`/files/…`) or https addresses.
    #[serde(default)]
    pub images: Vec<String>,
    #[serde(default)]
    pub video_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairProject)]
pub struct ProjectView {
    pub id: i64,
    pub fair_id: i64,
    #[schema(value_type = FairCategoryName)]
    pub category: String,
    pub category_label: &'static str,
    #[schema(value_type = crate::market::api::ListingKindName)]
    pub listing_kind: String,
    pub listing_id: i64,
    pub title: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub org_name: Option<String>,
    pub region_code: String,
    pub region_name: String,
    /// The hall it shows in: a city's code, or 51 for province institutions.
    pub hall_code: String,
    #[schema(value_type = FairSectorName)]
    pub sector: String,
    pub sector_label: &'static str,
    pub pitch: String,
    pub images: Vec<String>,
    pub video_url: Option<String>,
    /// Nominated by staff (rather than entered by the owner).
    pub nominated: bool,
    #[schema(value_type = FairProjectStatusName)]
    pub status: String,
    pub status_label: &'static str,
    /// The trimmed mean of the reviewers' scores, once ranked (staff, or anyone once published).
    pub score: Option<f64>,
    pub review_count: i32,
    /// Rank within its hall and category.
    pub group_rank: Option<i32>,
    /// One of the province's 10 + 10 + 10 major projects.
    pub major: bool,
    pub created_at: DateTime<Utc>,
}

impl ProjectView {
    pub fn of(
        app: &App,
        actor: Option<&crate::platform::auth::Actor>,
        fair: &FairRow,
        row: ProjectRow,
    ) -> Self {
        let show_score = fair.selection_published() || actor.is_some_and(|a| a.is_staff());
        ProjectView {
            category_label: row.category().map_or("未知", Category::label),
            sector_label: row.sector().map_or("未知", Sector::label),
            status_label: status_label(&row.status),
            region_name: app.regions.full_name_of(&row.region_code),
            images: row.images(),
            score: row
                .score
                .filter(|_| show_score)
                .map(|s| (s * 100.0).round() / 100.0),
            group_rank: row.group_rank.filter(|_| show_score),
            id: row.id,
            fair_id: row.fair_id,
            category: row.category,
            listing_kind: row.listing_kind,
            listing_id: row.listing_id,
            title: row.title,
            owner_id: row.owner_id,
            owner_name: row.owner_name,
            org_name: row.org_name,
            region_code: row.region_code,
            hall_code: row.hall_code,
            sector: row.sector,
            pitch: row.pitch,
            video_url: row.video_url,
            nominated: row.nominated,
            status: row.status,
            review_count: row.review_count,
            major: row.major,
            created_at: row.created_at,
        }
    }
}

/// Enter a published listing into the edition while it collects: its owner, or staff of its
/// region (a nomination). The same listing twice is refused (409).
#[utoipa::path(post, path = "/api/v1/fairs/{id}/projects", tag = "fairs", request_body = ProjectRequest,
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 201, body = ProjectView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ProjectRequest>,
) -> Result<(StatusCode, Json<ProjectView>), AppError> {
    let fair = find_fair(&app, id).await?;
    let input = ProjectInput {
        category: request.category.unwrap_or_default(),
        listing_kind: request.listing_kind,
        listing_id: request.listing_id,
        sector: request.sector.unwrap_or_default(),
        pitch: request.pitch.unwrap_or_default(),
        org_name: request.org_name.unwrap_or_default(),
        images: request.images,
        video_url: request.video_url.unwrap_or_default(),
    };
    let pid = service::enter(&app, &actor, &fair, &input).await?;
    let row = service::visible(&app, Some(&actor), &fair, pid).await?;
    Ok((
        StatusCode::CREATED,
        Json(ProjectView::of(&app, Some(&actor), &fair, row)),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectListParams {
    /// A hall: a city's code (5110), or 51 for province institutions.
    #[param(pattern = "^$|^51(\\d{2})?$")]
    pub hall: Option<String>,
    /// Projects within this region's subtree (staff).
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    #[param(value_type = Option<FairCategoryFilter>)]
    pub category: Option<String>,
    #[param(value_type = Option<FairSectorFilter>)]
    pub sector: Option<String>,
    /// Staff only; everyone else sees the published selected list.
    #[param(value_type = Option<FairProjectStatusFilter>)]
    pub status: Option<String>,
    /// Only the province's major projects.
    pub major: Option<bool>,
    /// Only my own projects, whatever their status.
    pub mine: Option<bool>,
    /// Words in the title or pitch.
    #[param(max_length = 50)]
    pub q: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

impl ProjectListParams {
    pub fn filter(&self) -> Result<ProjectFilter, AppError> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let mut errors = tianfu_domain::FieldErrors::new();
        let hall = given(&self.hall);
        if let Some(h) = &hall
            && !(h == "51"
                || (h.len() == 4 && h.starts_with("51") && h.chars().all(|c| c.is_ascii_digit())))
        {
            errors.add(
                "hall",
                "展厅应为市（州）代码（如 5110），或 51 表示省直单位",
            );
        }
        let within = given(&self.region_code);
        if let Some(code) = &within {
            errors.check("region_code", tianfu_domain::RegionCode::parse(code));
        }
        let category = given(&self.category);
        if let Some(c) = &category {
            errors.check("category", Category::parse(c));
        }
        let sector = given(&self.sector);
        if let Some(s) = &sector {
            errors.check("sector", Sector::parse(s));
        }
        let status = given(&self.status);
        if let Some(s) = &status
            && status_label(s) == "未知"
        {
            errors.add(
                "status",
                "状态只能是 collected、selected、not_selected 或 withdrawn",
            );
        }
        let q = given(&self.q);
        if q.as_ref().is_some_and(|q| q.chars().count() > 50) {
            errors.add("q", "搜索词不能超过50字");
        }
        errors.into_result()?;
        Ok(ProjectFilter {
            hall,
            within,
            category,
            sector,
            status,
            owner: None,
            major: self.major,
            q,
        })
    }

    pub fn paging(&self) -> Paging {
        Paging {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// An edition's projects as the reader may see them: staff their region's (organisers all),
/// everyone the selected list once it is published, and `mine=true` one's own.
#[utoipa::path(get, path = "/api/v1/fairs/{id}/projects", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), ProjectListParams),
    responses((status = 200, body = ListResponse<ProjectView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiMaybeUser(actor): ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<ProjectListParams>,
) -> Result<Json<ListResponse<ProjectView>>, AppError> {
    let fair = find_fair(&app, id).await?;
    let filter = params.filter()?;
    let (rows, total) = service::list(
        &app,
        actor.as_ref(),
        &fair,
        filter,
        params.mine.unwrap_or(false),
        params.paging(),
    )
    .await?;
    let items = rows
        .into_iter()
        .map(|row| ProjectView::of(&app, actor.as_ref(), &fair, row))
        .collect();
    Ok(Json(ListResponse { items, total }))
}

/// One project, if the reader may see it.
#[utoipa::path(get, path = "/api/v1/fairs/{id}/projects/{pid}", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), ("pid" = i64, Path, minimum = 1)),
    responses((status = 200, body = ProjectView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiMaybeUser(actor): ApiMaybeUser,
    ApiPath((id, pid)): ApiPath<(i64, i64)>,
) -> Result<Json<ProjectView>, AppError> {
    let fair = find_fair(&app, id).await?;
    let row = service::visible(&app, actor.as_ref(), &fair, pid).await?;
    Ok(Json(ProjectView::of(&app, actor.as_ref(), &fair, row)))
}

/// Withdraw a project while the edition still collects (its owner or who nominated it).
#[utoipa::path(post, path = "/api/v1/fairs/{id}/projects/{pid}/withdraw", tag = "fairs",
    params(("id" = i64, Path, minimum = 1), ("pid" = i64, Path, minimum = 1)),
    responses((status = 200, body = ProjectView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn withdraw(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath((id, pid)): ApiPath<(i64, i64)>,
) -> Result<Json<ProjectView>, AppError> {
    let fair = find_fair(&app, id).await?;
    let row = service::visible(&app, Some(&actor), &fair, pid).await?;
    service::withdraw(&app, &actor, &fair, &row).await?;
    let row = service::visible(&app, Some(&actor), &fair, pid).await?;
    Ok(Json(ProjectView::of(&app, Some(&actor), &fair, row)))
}
