//! `/api/v1/fairs…`: the editions of the fair — list and read for everyone, create and change for
//! the province's organisers.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tianfu_domain::fair::{Category, Criterion, Phase};
use utoipa::ToSchema;

use super::service::{self, EditionInput};
use crate::AppState;
use crate::fair::store::{self, FairRow, QuotaRow};
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::ApiUser;
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::openapi::wire_names;

crate::platform::openapi::wire_enum!(
    /// technology 待推广的高新技术, achievement 待转化的科技成果, problem 待攻克的科技难题.
    FairCategoryName,
    wire_names(Category::ALL, Category::as_str, false)
);
crate::platform::openapi::wire_enum!(
    /// collecting 征集, reviewing 遴选, in_session 会期, signing 签约, follow_up 跟踪.
    FairPhaseName,
    wire_names(Phase::ALL, Phase::as_str, false)
);

/// One review criterion: a stable key, its name, its weight (all weights sum to 100).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairCriterion)]
pub struct CriterionBody {
    #[schema(pattern = "^[a-z0-9_]{1,30}$")]
    pub key: String,
    #[schema(min_length = 2, max_length = 20)]
    pub name: String,
    #[schema(minimum = 1, maximum = 100)]
    pub weight: u32,
}

/// How many projects of a category a hall (a city, or 51 for province institutions) may have
/// selected.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairQuota)]
pub struct QuotaBody {
    #[schema(value_type = crate::platform::openapi::RegionCode)]
    pub region_code: String,
    #[schema(value_type = FairCategoryName)]
    pub category: String,
    #[schema(minimum = 0, maximum = 10000)]
    pub quota: i32,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairRequest)]
pub struct FairRequest {
    #[serde(default)]
    #[schema(required = true, min_length = 4, max_length = 60)]
    pub name: Option<String>,
    #[schema(required = true, minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    #[serde(default)]
    #[schema(max_length = 3000)]
    pub intro: Option<String>,
    /// End of 征集 (RFC 3339, or Beijing local time such as 2026-05-01T00:00).
    #[serde(default)]
    #[schema(required = true, format = DateTime)]
    pub collect_until: Option<String>,
    /// The fair opens (遴选 runs from `collect_until` to here).
    #[serde(default)]
    #[schema(required = true, format = DateTime)]
    pub opens_at: Option<String>,
    /// The fair closes; at most 31 days after it opens.
    #[serde(default)]
    #[schema(required = true, format = DateTime)]
    pub closes_at: Option<String>,
    /// End of 签约 (default 30 days after closing); 跟踪 after that.
    #[serde(default)]
    #[schema(format = DateTime)]
    pub signing_until: Option<String>,
    /// Review criteria (default 技术先进性 30, 市场前景 30, 转化可行性 25, 带动效益 15).
    #[serde(default)]
    #[schema(min_items = 1, max_items = 10)]
    pub criteria: Option<Vec<CriterionBody>>,
    /// Quotas per hall and category; a group without one selects every ranked project.
    #[serde(default)]
    pub quotas: Option<Vec<QuotaBody>>,
}

/// A change to an edition: any of the fields of a new one (the year excepted); the others stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairChange)]
pub struct FairPatch {
    #[schema(min_length = 4, max_length = 60)]
    pub name: Option<String>,
    #[schema(max_length = 3000)]
    pub intro: Option<String>,
    #[schema(format = DateTime)]
    pub collect_until: Option<String>,
    #[schema(format = DateTime)]
    pub opens_at: Option<String>,
    #[schema(format = DateTime)]
    pub closes_at: Option<String>,
    #[schema(format = DateTime)]
    pub signing_until: Option<String>,
    #[schema(min_items = 1, max_items = 10)]
    pub criteria: Option<Vec<CriterionBody>>,
    pub quotas: Option<Vec<QuotaBody>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Fair)]
pub struct FairView {
    pub id: i64,
    pub name: String,
    pub year: i32,
    pub intro: String,
    pub collect_until: DateTime<Utc>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub signing_until: DateTime<Utc>,
    #[schema(value_type = FairPhaseName)]
    pub phase: &'static str,
    /// The phase in Chinese (征集, 遴选…).
    pub phase_label: &'static str,
    pub criteria: Vec<CriterionBody>,
    pub quotas: Vec<QuotaBody>,
    /// When the selected list was published; none before.
    pub selection_published_at: Option<DateTime<Utc>>,
}

impl FairView {
    pub async fn of(app: &crate::App, row: FairRow) -> Result<FairView, AppError> {
        let phase = row.phase(app.clock.now());
        let quotas = store::quotas(&app.db, row.id)
            .await?
            .into_iter()
            .map(|q| QuotaBody {
                region_code: q.region_code,
                category: q.category,
                quota: q.quota,
            })
            .collect();
        Ok(FairView {
            criteria: row
                .criteria()
                .into_iter()
                .map(|c| CriterionBody {
                    key: c.key,
                    name: c.name,
                    weight: c.weight,
                })
                .collect(),
            quotas,
            phase: phase.as_str(),
            phase_label: phase.label(),
            id: row.id,
            name: row.name,
            year: row.year,
            intro: row.intro,
            collect_until: row.collect_until,
            opens_at: row.opens_at,
            closes_at: row.closes_at,
            signing_until: row.signing_until,
            selection_published_at: row.selection_published_at,
        })
    }
}

fn criteria_of(body: Option<Vec<CriterionBody>>) -> Option<Vec<Criterion>> {
    body.map(|list| {
        list.into_iter()
            .map(|c| Criterion {
                key: c.key,
                name: c.name,
                weight: c.weight,
            })
            .collect()
    })
}

fn quotas_of(body: Option<Vec<QuotaBody>>) -> Option<Vec<QuotaRow>> {
    body.map(|list| {
        list.into_iter()
            .map(|q| QuotaRow {
                region_code: q.region_code.trim().to_owned(),
                category: q.category.trim().to_owned(),
                quota: q.quota,
            })
            .collect()
    })
}

/// Create an edition (administrators and province staff).
#[utoipa::path(post, path = "/api/v1/fairs", tag = "fairs", request_body = FairRequest,
    responses((status = 201, body = FairView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(request): ApiJson<FairRequest>,
) -> Result<(StatusCode, Json<FairView>), AppError> {
    let input = EditionInput {
        name: request.name.unwrap_or_default(),
        year: request.year,
        intro: request.intro.unwrap_or_default(),
        collect_until: request.collect_until.unwrap_or_default(),
        opens_at: request.opens_at.unwrap_or_default(),
        closes_at: request.closes_at.unwrap_or_default(),
        signing_until: request.signing_until.unwrap_or_default(),
        criteria: criteria_of(request.criteria),
        quotas: quotas_of(request.quotas),
    };
    let id = service::create(&app, &actor, &input).await?;
    let row = service::find(&app, id).await?;
    Ok((StatusCode::CREATED, Json(FairView::of(&app, row).await?)))
}

/// The editions, newest first.
#[utoipa::path(get, path = "/api/v1/fairs", tag = "fairs", params(Paging),
    responses((status = 200, body = ListResponse<FairView>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<FairView>>, AppError> {
    let (rows, total) = store::list_fairs(&app.db, paging).await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        items.push(FairView::of(&app, row).await?);
    }
    Ok(Json(ListResponse { items, total }))
}

/// One edition with its phase, criteria and quotas.
#[utoipa::path(get, path = "/api/v1/fairs/{id}", tag = "fairs",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = FairView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<FairView>, AppError> {
    let row = service::find(&app, id).await?;
    Ok(Json(FairView::of(&app, row).await?))
}

/// Change an edition's name, dates, criteria (until the first score) or quotas.
#[utoipa::path(patch, path = "/api/v1/fairs/{id}", tag = "fairs", request_body = FairPatch,
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = FairView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn update(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<FairPatch>,
) -> Result<Json<FairView>, AppError> {
    let fair = service::find(&app, id).await?;
    let time = |given: Option<String>, current: DateTime<Utc>| {
        given.unwrap_or_else(|| current.to_rfc3339())
    };
    let input = EditionInput {
        name: patch.name.unwrap_or_else(|| fair.name.clone()),
        year: Some(fair.year),
        intro: patch.intro.unwrap_or_else(|| fair.intro.clone()),
        collect_until: time(patch.collect_until, fair.collect_until),
        opens_at: time(patch.opens_at, fair.opens_at),
        closes_at: time(patch.closes_at, fair.closes_at),
        signing_until: time(patch.signing_until, fair.signing_until),
        criteria: criteria_of(patch.criteria),
        quotas: quotas_of(patch.quotas),
    };
    service::update(&app, &actor, &fair, &input).await?;
    let row = service::find(&app, id).await?;
    Ok(Json(FairView::of(&app, row).await?))
}
