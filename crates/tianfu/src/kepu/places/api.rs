//! `/api/v1/kepu/places…`: 科普共享基地 and 科普e站 — kept by staff, read by anyone.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::service::{self, PlaceInput, PlaceView};
use super::store::{self, PlaceFilter};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlaceRequest {
    #[serde(default)]
    #[schema(value_type = service::PlaceKindName, required = true)]
    pub kind: String,
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 60)]
    pub name: String,
    /// The county or township the place is in; within the keeper's region.
    #[serde(default)]
    #[schema(value_type = crate::platform::openapi::RegionCode, required = true)]
    pub region_code: String,
    #[serde(default)]
    #[schema(required = true, pattern = r"\S", max_length = 120)]
    pub address: String,
    /// WGS-84 latitude (18 to 54), given with `longitude`.
    #[serde(default)]
    #[schema(minimum = 18.0, maximum = 54.0)]
    pub latitude: Option<f64>,
    /// WGS-84 longitude (73 to 136), given with `latitude`.
    #[serde(default)]
    #[schema(minimum = 73.0, maximum = 136.0)]
    pub longitude: Option<f64>,
    /// e.g. 周二至周日 9:00-17:00.
    #[serde(default)]
    #[schema(max_length = 60)]
    pub opening_hours: String,
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: Option<i64>,
    /// What it offers (展品, 课程, 设备…), up to 12, each up to 20 characters.
    #[serde(default)]
    #[schema(max_items = 12)]
    pub offers: Vec<String>,
    /// Images uploaded with `POST /api/v1/kepu/media`, up to 9.
    #[serde(default)]
    #[schema(max_items = 9)]
    pub photo_ids: Vec<i64>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub intro: String,
}

impl From<PlaceRequest> for PlaceInput {
    fn from(r: PlaceRequest) -> Self {
        PlaceInput {
            kind: r.kind,
            name: r.name,
            region_code: r.region_code,
            address: r.address,
            latitude: r.latitude,
            longitude: r.longitude,
            opening_hours: r.opening_hours,
            capacity: r.capacity,
            offers: r.offers,
            photo_ids: r.photo_ids,
            intro: r.intro,
            status: "open".into(),
        }
    }
}

/// Register a place: 全民科普服务部 staff within their region, administrators anywhere.
#[utoipa::path(post, path = "/api/v1/kepu/places", tag = "kepu", request_body = PlaceRequest,
    responses((status = 201, body = PlaceView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<PlaceRequest>,
) -> Result<(StatusCode, Json<PlaceView>), AppError> {
    let id = service::create(&app, &actor, &request.into(), ip.as_deref()).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普场所"))?;
    Ok((StatusCode::CREATED, Json(service::view(&app, &row))))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Places in this region's subtree.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    /// base or estation; empty for both.
    #[param(value_type = Option<KindFilter>)]
    pub kind: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

crate::platform::openapi::wire_enum!(
    /// base, estation, or empty for both.
    KindFilter,
    vec!["".into(), "base".into(), "estation".into()]
);

/// Turns list parameters into a filter (422 on an unknown region or kind).
pub fn filter_of(
    app: &AppState,
    region_code: Option<&str>,
    kind: Option<&str>,
) -> Result<PlaceFilter, AppError> {
    let region = match region_code.map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => Some(
            app.regions
                .find(code)
                .ok_or_else(|| AppError::validation("region_code", "地区不存在"))?
                .code
                .clone(),
        ),
    };
    let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
        None => None,
        Some(k @ ("base" | "estation")) => Some(k.to_owned()),
        Some(_) => {
            return Err(AppError::validation(
                "kind",
                "场所类型只能是 base 或 estation",
            ));
        }
    };
    Ok(PlaceFilter {
        region,
        kind,
        open_only: false,
    })
}

/// Places in a region (open and closed), by region; public.
#[utoipa::path(get, path = "/api/v1/kepu/places", tag = "kepu", params(ListParams),
    responses((status = 200, body = inline(ListResponse<PlaceView>)), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(app): State<AppState>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<ListResponse<PlaceView>>, AppError> {
    let filter = filter_of(&app, params.region_code.as_deref(), params.kind.as_deref())?;
    let paging = Paging {
        page: params.page,
        per_page: params.per_page,
    };
    let (rows, total) = store::list(&app.db, &filter, paging).await?;
    let items = rows.iter().map(|row| service::view(&app, row)).collect();
    Ok(Json(ListResponse { items, total }))
}

/// One place; public.
#[utoipa::path(get, path = "/api/v1/kepu/places/{id}", tag = "kepu", params(("id" = i64, Path)),
    responses((status = 200, body = PlaceView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(app): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PlaceView>, AppError> {
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普场所"))?;
    Ok(Json(service::view(&app, &row)))
}

/// Fields to change; those left out (or null) keep their value.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlacePatch {
    #[schema(value_type = Option<service::PlaceKindName>)]
    pub kind: Option<String>,
    #[schema(pattern = r"\S", max_length = 60)]
    pub name: Option<String>,
    #[schema(value_type = Option<crate::platform::openapi::RegionCode>)]
    pub region_code: Option<String>,
    #[schema(pattern = r"\S", max_length = 120)]
    pub address: Option<String>,
    #[schema(minimum = 18.0, maximum = 54.0)]
    pub latitude: Option<f64>,
    #[schema(minimum = 73.0, maximum = 136.0)]
    pub longitude: Option<f64>,
    #[schema(max_length = 60)]
    pub opening_hours: Option<String>,
    #[schema(minimum = 1, maximum = 100000)]
    pub capacity: Option<i64>,
    #[schema(max_items = 12)]
    pub offers: Option<Vec<String>>,
    #[schema(max_items = 9)]
    pub photo_ids: Option<Vec<i64>>,
    #[schema(max_length = 2000)]
    pub intro: Option<String>,
    /// open 开放中 or closed 暂停开放.
    #[schema(value_type = Option<StatusName>)]
    pub status: Option<String>,
}

crate::platform::openapi::wire_enum!(
    /// open or closed.
    StatusName,
    vec!["open".into(), "closed".into()]
);

/// Change a place: its region's keepers (and the keepers of the region it moves to).
#[utoipa::path(patch, path = "/api/v1/kepu/places/{id}", tag = "kepu", params(("id" = i64, Path)), request_body = PlacePatch,
    responses((status = 200, body = PlaceView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn patch(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<PlacePatch>,
) -> Result<Json<PlaceView>, AppError> {
    let row = service::update(&app, &actor, id, patch, ip.as_deref()).await?;
    Ok(Json(service::view(&app, &row)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ManagerRequest {
    /// The registered phone number of the person who runs the place.
    #[serde(default)]
    #[schema(required = true, pattern = r"^1[3-9]\d{9}$")]
    pub phone: String,
}

/// Name a person who runs the place (管理员): they may post its activities.
#[utoipa::path(post, path = "/api/v1/kepu/places/{id}/managers", tag = "kepu", params(("id" = i64, Path)), request_body = ManagerRequest,
    responses((status = 201, body = PlaceView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_manager(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<ManagerRequest>,
) -> Result<(StatusCode, Json<PlaceView>), AppError> {
    service::add_manager(&app, &actor, id, &request.phone, ip.as_deref()).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普场所"))?;
    Ok((StatusCode::CREATED, Json(service::view(&app, &row))))
}
