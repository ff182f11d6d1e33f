//! `/api/v1/ratings…`: apply or nominate, the yearly list, one rating with its figures, the
//! staff's decisions and revocation, and the staff queue.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::rules::{Level, SubjectKind};
use super::service::{self, RatingInput};
use super::store::{self, ListFilter};
use super::view::RatingView;
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiMaybeUser, ApiStaff, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

crate::platform::openapi::wire_enum!(
    /// studio 科创工作室, case 案例.
    RatingSubjectKind,
    vec!["studio".into(), "case".into()]
);
crate::platform::openapi::wire_enum!(
    /// typical 典型, excellent 精品.
    RatingLevel,
    vec!["typical".into(), "excellent".into()]
);
crate::platform::openapi::wire_enum!(
    /// studio, case, or empty for both.
    RatingSubjectKindFilter,
    vec!["".into(), "studio".into(), "case".into()]
);
crate::platform::openapi::wire_enum!(
    /// typical, excellent, or empty for both.
    RatingLevelFilter,
    vec!["".into(), "typical".into(), "excellent".into()]
);
crate::platform::openapi::wire_enum!(
    /// approve 通过, reject 不通过.
    RatingDecisionName,
    vec!["approve".into(), "reject".into()]
);

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = RatingApplication)]
pub struct RatingRequest {
    #[serde(default)]
    #[schema(value_type = RatingSubjectKind, required = true)]
    pub subject_kind: String,
    /// The studio's or the case's id.
    #[schema(required = true)]
    pub subject_id: Option<i64>,
    #[serde(default)]
    #[schema(value_type = RatingLevel, required = true)]
    pub level: String,
    /// This year (the default) or last year.
    pub year: Option<i32>,
    /// Why it deserves the rating, 10 to 2000 characters.
    #[serde(default)]
    #[schema(required = true, min_length = 10, max_length = 2000)]
    pub statement: String,
}

/// Apply for a rating (the studio's owner, a party of the case's deal) or nominate (staff within
/// their region and department). It starts at the county step (the city's when the subject lies
/// in a city's own region).
#[utoipa::path(post, path = "/api/v1/ratings", tag = "ratings", request_body = RatingRequest,
    responses((status = 201, body = RatingView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<RatingRequest>,
) -> Result<(StatusCode, Json<RatingView>), AppError> {
    let input = RatingInput {
        subject_kind: request.subject_kind,
        subject_id: request.subject_id,
        level: request.level,
        year: request.year,
        statement: request.statement,
    };
    let id = service::apply(&app, &actor, &input, ip.as_deref()).await?;
    let row = service::visible(&app, Some(&actor), id).await?;
    Ok((
        StatusCode::CREATED,
        Json(RatingView::full(&app, row).await?),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// The rating year, e.g. 2026; all years when absent.
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    #[param(value_type = Option<RatingLevelFilter>)]
    pub level: Option<String>,
    #[param(value_type = Option<RatingSubjectKindFilter>)]
    pub subject_kind: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

impl ListParams {
    pub fn filter(&self) -> Result<ListFilter, AppError> {
        let given = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        if let Some(year) = self.year
            && !(2000..=2100).contains(&year)
        {
            return Err(AppError::validation("year", "年度应在2000到2100之间"));
        }
        Ok(ListFilter {
            year: self.year,
            level: given(&self.level)
                .map(|l| Level::parse(&l).map_err(|e| AppError::validation("level", e)))
                .transpose()?,
            kind: given(&self.subject_kind)
                .map(|k| {
                    SubjectKind::parse(&k).map_err(|e| AppError::validation("subject_kind", e))
                })
                .transpose()?,
        })
    }

    pub fn paging(&self) -> Paging {
        Paging {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// The ratings in force (典型/精品 studios and cases), a year's list, 精品 first.
#[utoipa::path(get, path = "/api/v1/ratings", tag = "ratings", params(ListParams),
    responses((status = 200, body = inline(ListResponse<RatingView>)), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ListResponse<RatingView>>, AppError> {
    let (rows, total) = store::list(&app.db, &params.filter()?, params.paging()).await?;
    Ok(Json(ListResponse {
        items: rows.into_iter().map(|r| RatingView::new(&app, r)).collect(),
        total,
    }))
}

/// One rating with the figures from the platform's records and the steps taken. Public once in
/// force or revoked; before that, its owner, applicant and the region's staff.
#[utoipa::path(get, path = "/api/v1/ratings/{id}", tag = "ratings", params(("id" = i64, Path)),
    responses((status = 200, body = RatingView), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiMaybeUser(actor): ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RatingView>, AppError> {
    let row = service::visible(&app, actor.as_ref(), id).await?;
    Ok(Json(RatingView::full(&app, row).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingDecisionRequest {
    #[serde(default)]
    #[schema(value_type = RatingDecisionName, required = true)]
    pub decision: String,
    /// Required when rejecting; at most 500 characters.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// Take the step the rating awaits: staff of that level (county, then city, then province) whose
/// region contains the subject. The province's approval puts it in force and books
/// `studio.rated`/`case.rated` in the ledger. 409 when someone decided first.
#[utoipa::path(post, path = "/api/v1/ratings/{id}/decision", tag = "ratings", params(("id" = i64, Path)), request_body = RatingDecisionRequest,
    responses((status = 200, body = RatingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn decide(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<RatingDecisionRequest>,
) -> Result<Json<RatingView>, AppError> {
    let row = service::to_act_on(&app, id).await?;
    service::decide(
        &app,
        &actor,
        &row,
        &request.decision,
        request.reason.as_deref(),
        ip.as_deref(),
    )
    .await?;
    let row = service::visible(&app, Some(&actor), id).await?;
    Ok(Json(RatingView::full(&app, row).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRevokeRequest {
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 500)]
    pub reason: String,
}

/// Revoke a rating in force, with a reason (province staff, or the city's staff for subjects in
/// their city): the ledger row is compensated and the owner told.
#[utoipa::path(post, path = "/api/v1/ratings/{id}/revoke", tag = "ratings", params(("id" = i64, Path)), request_body = RatingRevokeRequest,
    responses((status = 200, body = RatingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<RatingRevokeRequest>,
) -> Result<Json<RatingView>, AppError> {
    let row = service::to_act_on(&app, id).await?;
    service::revoke(&app, &actor, &row, &request.reason, ip.as_deref()).await?;
    let row = service::visible(&app, Some(&actor), id).await?;
    Ok(Json(RatingView::full(&app, row).await?))
}

/// What awaits the caller's step in their region, oldest first (at most 100).
#[utoipa::path(get, path = "/api/v1/admin/ratings", tag = "ratings",
    responses((status = 200, body = inline(ListResponse<RatingView>)), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn queue(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
) -> Result<Json<ListResponse<RatingView>>, AppError> {
    let rows = super::queue::for_actor(&app, &actor, 100).await?;
    let total = rows.len() as i64;
    Ok(Json(ListResponse {
        items: rows.into_iter().map(|r| RatingView::new(&app, r)).collect(),
        total,
    }))
}
