//! `POST /api/v1/admin/funding` (what-if, or save), `GET /api/v1/admin/funding` (the saved
//! allocations) and `GET /api/v1/admin/funding/{id}`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::service::{self, Allocation, Inputs};
use super::store::{self, Summary};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::{Actor, ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope;

crate::platform::openapi::wire_enum!(
    /// linear (by score) or squared (by score squared, favouring the best).
    FundingFormulaName,
    vec!["linear".to_owned(), "squared".to_owned()]
);

#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = FundingRequest)]
pub struct FundingRequest {
    #[schema(minimum = 2020, maximum = 2100)]
    pub year: i32,
    /// The pool in fen, 1 to 10^13.
    #[schema(minimum = 1, maximum = 10000000000000_i64)]
    pub pool_fen: i64,
    /// The share split evenly, 0 to 1 (taken to a millionth); the rest goes by score.
    #[schema(minimum = 0, maximum = 1)]
    pub base_share: f64,
    /// linear (the default) or squared.
    #[schema(value_type = Option<FundingFormulaName>)]
    pub formula: Option<String>,
    /// Units scoring below this, or without a score, get no share of the part by score.
    #[schema(minimum = 0, maximum = 1000)]
    pub min_score: Option<f64>,
    /// 51 (the default) for the province's cities; a city's code for its counties.
    #[schema(value_type = Option<crate::platform::openapi::RegionCodeFormat>)]
    pub parent: Option<String>,
    /// The score period: year (the default), q1…q4 or m1…m12.
    #[schema(value_type = Option<crate::performance::scores::api::ScorePeriodName>)]
    pub period: Option<String>,
    /// Save it as the current allocation of (year, parent), superseding the previous one.
    pub save: Option<bool>,
}

/// Allocates a year's pool in fen: a base share split evenly and the rest by score, among the
/// province's cities or a city's counties. The items add up to `pool_fen` exactly (largest
/// remainder in whole fen), each with its why. A what-if unless `save` is true; a saved
/// allocation is never edited, only superseded by the next save (409 if another save of the
/// same year and parent won the race). The province's administrators allocate among the
/// cities; a city's counties by them or that city's staff.
#[utoipa::path(post, path = "/api/v1/admin/funding", tag = "performance",
    request_body = FundingRequest,
    responses((status = 200, body = Allocation), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn allocate(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiJson(body): ApiJson<FundingRequest>,
) -> Result<Json<Allocation>, AppError> {
    let save = body.save.unwrap_or(false);
    let inputs = Inputs {
        year: body.year,
        pool_fen: body.pool_fen,
        base_share: body.base_share,
        formula: body.formula,
        min_score: body.min_score,
        parent: body.parent,
        period: body.period,
    };
    Ok(Json(run(&app, &actor, ip.as_deref(), inputs, save).await?))
}

/// Checks, authorises, computes and (when asked) saves: the API and the page share it.
pub async fn run(
    app: &crate::App,
    actor: &Actor,
    ip: Option<&str>,
    inputs: Inputs,
    save: bool,
) -> Result<Allocation, AppError> {
    let checked = service::check(app, inputs)?;
    let subject = format!("funding:{}:{}", checked.year, checked.parent.as_str());
    scope::ensure(
        app,
        actor,
        service::may_allocate(actor, &checked.parent),
        &subject,
        ip,
    )
    .await?;
    let allocation = service::compute(app, &checked).await?;
    if !save {
        return Ok(allocation);
    }
    let saved = service::save(app, actor, allocation, app.clock.now()).await?;
    let detail = format!("pool_fen={}", saved.pool_fen);
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(actor.id),
            action: "funding.saved",
            subject: &format!("funding:{}", saved.saved_id.unwrap_or_default()),
            ip,
            detail: &detail,
        },
    )
    .await;
    Ok(saved)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FundingQuery {
    #[param(minimum = 2020, maximum = 2100)]
    pub year: Option<i32>,
    /// 51 for the province's allocations among the cities; a city's code for its counties.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFormat>)]
    pub parent: Option<String>,
}

/// The saved allocations, current and superseded, newest first, with who saved each and when.
#[utoipa::path(get, path = "/api/v1/admin/funding", tag = "performance", params(FundingQuery),
    responses((status = 200, body = inline(ListResponse<Summary>)), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ApiQuery(query): ApiQuery<FundingQuery>,
) -> Result<Json<ListResponse<Summary>>, AppError> {
    if query.year.is_some_and(|y| !(2020..=2100).contains(&y)) {
        return Err(AppError::validation("year", "年度应在2020至2100之间"));
    }
    let parent = query
        .parent
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if parent.is_some_and(|p| tianfu_domain::RegionCode::parse(p).is_err()) {
        return Err(AppError::validation("parent", "地区代码格式不正确"));
    }
    let items: Vec<Summary> = store::list(&app.db, query.year, parent)
        .await?
        .into_iter()
        .filter(|s| service::may_read(&actor, &s.parent))
        .collect();
    Ok(Json(ListResponse {
        total: items.len() as i64,
        items,
    }))
}

/// A saved allocation with its items and status.
#[utoipa::path(get, path = "/api/v1/admin/funding/{id}", tag = "performance",
    params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = Allocation), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Allocation>, AppError> {
    service::find(&app, id)
        .await?
        .filter(|a| service::may_read(&actor, &a.parent))
        .map(Json)
        .ok_or_else(|| AppError::not_found("该分配方案"))
}
