//! `GET/PUT /api/v1/admin/indicators/{year}` and the version history.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{IndicatorSystem, IndicatorSystemInput, template};
use super::store::{self, VersionLine};
use super::validate;
use crate::AppState;
use crate::performance::scores::period::YEARS;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery};
use crate::platform::auth::{ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope;

pub fn check_year(year: i32) -> Result<i32, AppError> {
    if YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(AppError::validation("year", "年度应在2020至2100之间"))
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// A saved version; the one in force (the latest) when absent.
    #[param(minimum = 1, maximum = 1000000)]
    pub version: Option<i32>,
}

/// The year's indicator system in force (any staff member may read it); the default template
/// (version 0) for a year with none saved.
#[utoipa::path(get, path = "/api/v1/admin/indicators/{year}", tag = "performance",
    params(("year" = i32, Path, minimum = 2020, maximum = 2100), VersionQuery),
    responses((status = 200, body = IndicatorSystem), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ApiStaff(_actor): ApiStaff,
    ApiPath(year): ApiPath<i32>,
    ApiQuery(query): ApiQuery<VersionQuery>,
) -> Result<Json<IndicatorSystem>, AppError> {
    let year = check_year(year)?;
    match (
        store::find(&app.db, year, query.version).await?,
        query.version,
    ) {
        (Some(system), _) => Ok(Json(system)),
        (None, None) => Ok(Json(template(year))),
        (None, Some(_)) => Err(AppError::not_found("该版本")),
    }
}

/// Saves a new version of the year's system (the province's administrators). Scores of
/// periods already published keep the version they were computed with.
#[utoipa::path(put, path = "/api/v1/admin/indicators/{year}", tag = "performance",
    params(("year" = i32, Path, minimum = 2020, maximum = 2100)), request_body = IndicatorSystemInput,
    responses((status = 200, body = IndicatorSystem), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(year): ApiPath<i32>,
    ApiJson(input): ApiJson<IndicatorSystemInput>,
) -> Result<Json<IndicatorSystem>, AppError> {
    scope::ensure(
        &app,
        &actor,
        super::may_keep(&actor),
        &format!("indicators:{year}"),
        ip.as_deref(),
    )
    .await?;
    let year = check_year(year)?;
    let base = input.base_version;
    let checked = validate::check(input, &app.regions).map_err(AppError::Validation)?;
    let saved = store::save(
        &app.db,
        year,
        checked,
        base,
        (Some(actor.id.0), &actor.name),
        app.clock.now(),
    )
    .await?;
    Ok(Json(saved))
}

/// Every saved version of the year's system, newest first.
#[utoipa::path(get, path = "/api/v1/admin/indicators/{year}/versions", tag = "performance",
    params(("year" = i32, Path, minimum = 2020, maximum = 2100)),
    responses((status = 200, body = Vec<VersionLine>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn versions(
    State(app): State<AppState>,
    ApiStaff(_actor): ApiStaff,
    ApiPath(year): ApiPath<i32>,
) -> Result<Json<Vec<VersionLine>>, AppError> {
    let year = check_year(year)?;
    Ok(Json(store::versions(&app.db, year).await?))
}
