use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::tree::Region;
use crate::AppState;
use crate::platform::api::{ApiPath, ListResponse};
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionView {
    /// GB/T 2260 code in short form: 51, 5110, 511011, or a township's 9 digits: 511011001.
    pub code: String,
    pub name: String,
    /// province, city, county or township (乡镇/街道, Sichuan only).
    #[schema(value_type = String)]
    pub level: tianfu_domain::RegionLevel,
    pub parent_code: Option<String>,
    /// Names from the province down, e.g. "四川省 内江市 东兴区".
    pub full_name: String,
}

impl RegionView {
    fn new(app: &AppState, region: &Region) -> Self {
        RegionView {
            code: region.code.to_string(),
            name: region.name.clone(),
            level: region.level(),
            parent_code: region.parent.as_ref().map(ToString::to_string),
            full_name: app.regions.full_name(&region.code),
        }
    }
}

/// One region of the administrative tree.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "regions",
    params(("code" = String, Path, description = "地区代码")),
    responses((status = 200, body = RegionView), (status = 404, body = ErrorBody)))]
pub async fn get_region(
    State(app): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<RegionView>, AppError> {
    let region = app
        .regions
        .find(&code)
        .ok_or_else(|| AppError::not_found("地区"))?;
    Ok(Json(RegionView::new(&app, region)))
}

/// The regions directly below one region (a province's cities, a city's counties, a Sichuan
/// county's townships).
#[utoipa::path(get, path = "/api/v1/regions/{code}/children", tag = "regions",
    params(("code" = String, Path, description = "地区代码")),
    responses((status = 200, body = inline(ListResponse<RegionView>)), (status = 404, body = ErrorBody)))]
pub async fn children(
    State(app): State<AppState>,
    ApiPath(code): ApiPath<String>,
) -> Result<Json<ListResponse<RegionView>>, AppError> {
    let region = app
        .regions
        .find(&code)
        .ok_or_else(|| AppError::not_found("地区"))?;
    let items: Vec<RegionView> = app
        .regions
        .children(Some(&region.code))
        .into_iter()
        .map(|r| RegionView::new(&app, r))
        .collect();
    Ok(Json(ListResponse {
        total: items.len() as i64,
        items,
    }))
}
