//! `/api/v1/offers`, `/achievements`, `/needs`: publish, read, edit, withdraw, close; and the
//! owner's own list.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tianfu_domain::{FieldErrors, ListingKind, ListingStatus};
use utoipa::IntoParams;

use super::listing::{self, AchievementRequest, NeedRequest, NewListing, OfferRequest};
use super::store::{self, ListingFilter, ListingRow};
use super::view::ListingView;
use super::{patch, service};
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{Actor, ApiMaybeUser, ApiUser, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope::RegionScope;
use crate::{App, AppState};

type Created = (StatusCode, Json<ListingView>);

use crate::platform::openapi::{wire_enum, wire_names};
use tianfu_domain::{
    AchievementKind, DealStage, Industry, Maturity, NeedKind, ServiceType, TransferMode,
};

wire_enum!(
    /// 四技: development（技术开发）, transfer（技术转让）, consulting（技术咨询）, service（技术服务）.
    OfferServiceType,
    wire_names(ServiceType::ALL, ServiceType::as_str, false)
);
wire_enum!(
    /// A service type to filter by; empty means any.
    ServiceTypeFilter,
    wire_names(ServiceType::ALL, ServiceType::as_str, true)
);
wire_enum!(
    AchievementKindName,
    wire_names(AchievementKind::ALL, AchievementKind::as_str, false)
);
wire_enum!(
    MaturityName,
    wire_names(Maturity::ALL, Maturity::as_str, false)
);
wire_enum!(
    TransferModeName,
    wire_names(TransferMode::ALL, TransferMode::as_str, false)
);
wire_enum!(
    NeedKindName,
    wire_names(NeedKind::ALL, NeedKind::as_str, false)
);
wire_enum!(
    /// PATCH: withdraw or close one's listing.
    StatusChange,
    vec!["withdrawn".into(), "closed".into()]
);
wire_enum!(
    ListingKindName,
    wire_names(ListingKind::ALL, ListingKind::as_str, false)
);
wire_enum!(
    /// A listing kind to filter by; empty means every kind.
    ListingKindFilter,
    wire_names(ListingKind::ALL, ListingKind::as_str, true)
);
wire_enum!(
    /// What to search: a listing kind or studios; empty means all of them.
    SearchKind,
    vec!["".into(), "offer".into(), "achievement".into(), "need".into(), "studio".into(), "kepu".into(), "question".into()]
);
wire_enum!(
    /// relevance (default) or newest; empty means relevance.
    SearchSort,
    vec!["".into(), "relevance".into(), "newest".into()]
);
wire_enum!(ReviewDecisionName, vec!["approve".into(), "reject".into()]);
wire_enum!(
    /// declined (the owner) or closed (either side).
    InquiryStatusName,
    vec!["declined".into(), "closed".into()]
);
wire_enum!(
    DealStageName,
    wire_names(DealStage::ALL, DealStage::as_str, false)
);
wire_enum!(
    /// A GB/T 4754 code: a section letter or a division, e.g. C, A03.
    IndustryCode,
    Industry::all().map(|i| i.code().to_owned()).collect()
);
wire_enum!(
    /// An industry to filter by; empty means any.
    IndustryFilter,
    std::iter::once(String::new())
        .chain(Industry::all().map(|i| i.code().to_owned()))
        .collect()
);

/// A keyword: up to 20 characters, not blank, without the separators , ， 、 ; ；
/// (a string holding them is split into several keywords).
pub struct Keyword;

impl utoipa::PartialSchema for Keyword {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::platform::openapi::schema_from_json(serde_json::json!({
            "type": "string",
            "maxLength": 20,
            "pattern": "^[^,，、;；]*[^\\s,，、;；][^,，、;；]*$",
        }))
    }
}

impl utoipa::ToSchema for Keyword {}

/// A date (YYYY-MM-DD, Beijing time, 2000 to 2100), or empty for none (a default). A need's
/// deadline must also not be before today.
pub struct Deadline;

impl utoipa::PartialSchema for Deadline {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::platform::openapi::schema_from_json(serde_json::json!({
            "oneOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}],
        }))
    }
}

impl utoipa::ToSchema for Deadline {}

/// A creation's body: the PATCH body's schema with the fields a new listing needs made required
/// and not null (the wire format is the same struct; a missing field is a 422 naming it).
fn creation_schema(
    patch: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    required: &[&str],
    extra: Option<serde_json::Value>,
) -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    let mut schema = serde_json::to_value(patch).expect("a schema is JSON");
    for field in required {
        let property = &mut schema["properties"][*field];
        // Option<T> is written as T or null; a required field is T.
        if let Some(types) = property["type"].as_array() {
            let kept: Vec<serde_json::Value> =
                types.iter().filter(|t| *t != "null").cloned().collect();
            property["type"] =
                serde_json::Value::from(kept)
                    .as_array()
                    .map_or(serde_json::Value::Null, |k| {
                        if k.len() == 1 {
                            k[0].clone()
                        } else {
                            serde_json::Value::from(k.clone())
                        }
                    });
        }
        if let Some(one_of) = property["oneOf"].as_array() {
            let kept: Vec<serde_json::Value> = one_of
                .iter()
                .filter(|s| s["type"] != "null")
                .cloned()
                .collect();
            if kept.len() == 1 {
                *property = kept[0].clone();
            } else {
                property["oneOf"] = kept.into();
            }
        }
    }
    schema["required"] = required
        .iter()
        .map(|f| serde_json::Value::from(*f))
        .collect();
    if let Some(extra) = extra {
        // Each alternative is the whole object with one more rule (an `allOf` would say the
        // same, but the document's types cannot hold one around an `anyOf`).
        let alternatives: Vec<serde_json::Value> = extra
            .as_array()
            .expect("alternatives")
            .iter()
            .map(|rule| {
                let mut whole = schema.clone();
                for (field, property) in rule["properties"].as_object().into_iter().flatten() {
                    whole["properties"][field] = property.clone();
                }
                for field in rule["required"].as_array().into_iter().flatten() {
                    whole["required"]
                        .as_array_mut()
                        .expect("required")
                        .push(field.clone());
                }
                whole
            })
            .collect();
        schema = serde_json::json!({"oneOf": alternatives});
    }
    crate::platform::openapi::schema_from_json(schema)
}

/// A new capability: title, description, service_type and industry are required.
pub struct OfferCreate;

impl utoipa::PartialSchema for OfferCreate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        creation_schema(
            <OfferRequest as utoipa::PartialSchema>::schema(),
            &["title", "description", "service_type", "industry"],
            None,
        )
    }
}

impl utoipa::ToSchema for OfferCreate {}

/// A new achievement: title, description, kind, maturity, transfer_mode and industry are
/// required, and patent_no for a patent.
pub struct AchievementCreate;

impl utoipa::PartialSchema for AchievementCreate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        creation_schema(
            <AchievementRequest as utoipa::PartialSchema>::schema(),
            &[
                "title",
                "description",
                "kind",
                "maturity",
                "transfer_mode",
                "industry",
            ],
            Some(serde_json::json!([
                {"properties": {"kind": {"type": "string", "enum": AchievementKind::ALL
                    .iter()
                    .filter(|k| **k != AchievementKind::Patent)
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()}}},
                {"required": ["patent_no"], "properties": {"kind": {"type": "string", "enum": ["patent"]},
                    "patent_no": {"type": "string", "pattern": "\\S", "maxLength": 30}}},
            ])),
        )
    }
}

impl utoipa::ToSchema for AchievementCreate {}

/// A new need: title, description, kind and industry are required.
pub struct NeedCreate;

impl utoipa::PartialSchema for NeedCreate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        creation_schema(
            <NeedRequest as utoipa::PartialSchema>::schema(),
            &["title", "description", "kind", "industry"],
            None,
        )
    }
}

impl utoipa::ToSchema for NeedCreate {}
/// Turns the stored listing plus a PATCH into a validated listing.
type Validate<'a> = &'a (dyn Fn(&ListingRow) -> Result<NewListing, FieldErrors> + Send + Sync);

async fn publish(
    app: &App,
    actor: &Actor,
    listing: NewListing,
    ip: Option<String>,
) -> Result<Created, AppError> {
    let id = service::submit(app, actor, &listing, ip.as_deref()).await?;
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| service::not_found(listing.kind))?;
    let mut view = [ListingView::new(app, row)];
    crate::market::integrity::api::attach_holds(app, &mut view).await?;
    let [view] = view;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn show(
    app: &App,
    actor: Option<&Actor>,
    kind: ListingKind,
    id: i64,
) -> Result<Json<ListingView>, AppError> {
    Ok(Json(ListingView::new(
        app,
        service::visible(app, actor, kind, id).await?,
    )))
}

/// Applies a PATCH: a status change, or new content (which goes back to review), or both.
async fn change(
    app: &App,
    actor: &Actor,
    kind: ListingKind,
    id: i64,
    ip: Option<String>,
    status: Option<&str>,
    content: Option<Validate<'_>>,
) -> Result<Json<ListingView>, AppError> {
    let row = service::owned(app, actor, kind, id, ip.as_deref()).await?;
    // Everything is checked before anything is written: a refused request changes nothing.
    let edited = match content {
        Some(validate) => {
            service::check_editable(&row)?;
            Some(validate(&row)?)
        }
        None => None,
    };
    let status = status
        .map(|s| service::status_change(&row, s))
        .transpose()?;
    // An edit with a withdrawal or closing is one guarded change, so it lands whole or not at all.
    match (edited, status) {
        (Some(listing), status) => service::edit(app, &row, &listing, status).await?,
        (None, Some(status)) => service::change_status(app, &row, status.as_str()).await?,
        (None, None) => {}
    }
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| service::not_found(kind))?;
    let mut view = [ListingView::new(app, row)];
    crate::market::integrity::api::attach_holds(app, &mut view).await?;
    let [view] = view;
    Ok(Json(view))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicListQuery {
    /// Only this region's subtree.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

async fn public_list(
    app: &App,
    kind: ListingKind,
    query: PublicListQuery,
) -> Result<Json<ListResponse<ListingView>>, AppError> {
    let scope = match query.region_code.as_deref().filter(|c| !c.is_empty()) {
        Some(code) => Some(RegionScope::Subtree(
            app.regions
                .find(code)
                .map(|r| r.code.clone())
                .ok_or_else(|| AppError::validation("region_code", "地区代码不存在"))?,
        )),
        None => None,
    };
    let filter = ListingFilter {
        kinds: None,
        kind: Some(kind),
        status: Some(ListingStatus::Published),
        owner: None,
        scope,
    };
    let (rows, total) = store::list(
        &app.db,
        &filter,
        Paging {
            page: query.page,
            per_page: query.per_page,
        },
    )
    .await?;
    Ok(Json(ListResponse {
        items: rows.into_iter().map(|r| ListingView::new(app, r)).collect(),
        total,
    }))
}

fn today(app: &App) -> chrono::NaiveDate {
    crate::platform::clock::shanghai_date(app.clock.now())
}

/// Publish a capability (科技所能); it waits for review by the region's staff.
#[utoipa::path(post, path = "/api/v1/offers", tag = "market", request_body = OfferCreate,
    responses((status = 201, body = ListingView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_offer(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<OfferRequest>,
) -> Result<Created, AppError> {
    publish(&app, &actor, listing::validate_offer(&request)?, ip).await
}

/// Published capabilities, newest first.
#[utoipa::path(get, path = "/api/v1/offers", tag = "market", params(PublicListQuery), responses((status = 200, body = inline(ListResponse<ListingView>))))]
pub async fn list_offers(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<PublicListQuery>,
) -> Result<Json<ListResponse<ListingView>>, AppError> {
    public_list(&app, ListingKind::Offer, query).await
}

/// One capability: public once published; before that only its owner and the region's staff see it.
#[utoipa::path(get, path = "/api/v1/offers/{id}", tag = "market", params(("id" = i64, Path)), responses((status = 200, body = ListingView), (status = 404, body = ErrorBody)))]
pub async fn get_offer(
    State(app): State<AppState>,
    ApiMaybeUser(actor): ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ListingView>, AppError> {
    show(&app, actor.as_ref(), ListingKind::Offer, id).await
}

/// Edit (back to review), withdraw or close one's capability.
#[utoipa::path(patch, path = "/api/v1/offers/{id}", tag = "market", params(("id" = i64, Path)), request_body = OfferRequest,
    responses((status = 200, body = ListingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn patch_offer(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<OfferRequest>,
) -> Result<Json<ListingView>, AppError> {
    let validate = |row: &ListingRow| listing::validate_offer(&patch::offer(row, &request));
    let content: Option<Validate<'_>> = patch::has_content(&request).then_some(&validate);
    change(
        &app,
        &actor,
        ListingKind::Offer,
        id,
        ip,
        request.status.as_deref(),
        content,
    )
    .await
}

/// Publish an achievement (科技成果).
#[utoipa::path(post, path = "/api/v1/achievements", tag = "market", request_body = AchievementCreate,
    responses((status = 201, body = ListingView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_achievement(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<AchievementRequest>,
) -> Result<Created, AppError> {
    publish(&app, &actor, listing::validate_achievement(&request)?, ip).await
}

/// Published achievements, newest first.
#[utoipa::path(get, path = "/api/v1/achievements", tag = "market", params(PublicListQuery), responses((status = 200, body = inline(ListResponse<ListingView>))))]
pub async fn list_achievements(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<PublicListQuery>,
) -> Result<Json<ListResponse<ListingView>>, AppError> {
    public_list(&app, ListingKind::Achievement, query).await
}

/// One achievement.
#[utoipa::path(get, path = "/api/v1/achievements/{id}", tag = "market", params(("id" = i64, Path)), responses((status = 200, body = ListingView), (status = 404, body = ErrorBody)))]
pub async fn get_achievement(
    State(app): State<AppState>,
    ApiMaybeUser(actor): ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ListingView>, AppError> {
    show(&app, actor.as_ref(), ListingKind::Achievement, id).await
}

/// Edit, withdraw or close one's achievement.
#[utoipa::path(patch, path = "/api/v1/achievements/{id}", tag = "market", params(("id" = i64, Path)), request_body = AchievementRequest,
    responses((status = 200, body = ListingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn patch_achievement(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<AchievementRequest>,
) -> Result<Json<ListingView>, AppError> {
    let validate =
        |row: &ListingRow| listing::validate_achievement(&patch::achievement(row, &request));
    let content: Option<Validate<'_>> = patch::has_content(&request).then_some(&validate);
    change(
        &app,
        &actor,
        ListingKind::Achievement,
        id,
        ip,
        request.status.as_deref(),
        content,
    )
    .await
}

/// Post a need (科技所需).
#[utoipa::path(post, path = "/api/v1/needs", tag = "market", request_body = NeedCreate,
    responses((status = 201, body = ListingView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn create_need(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<NeedRequest>,
) -> Result<Created, AppError> {
    publish(
        &app,
        &actor,
        listing::validate_need(&request, today(&app))?,
        ip,
    )
    .await
}

/// Published needs, newest first.
#[utoipa::path(get, path = "/api/v1/needs", tag = "market", params(PublicListQuery), responses((status = 200, body = inline(ListResponse<ListingView>))))]
pub async fn list_needs(
    State(app): State<AppState>,
    ApiQuery(query): ApiQuery<PublicListQuery>,
) -> Result<Json<ListResponse<ListingView>>, AppError> {
    public_list(&app, ListingKind::Need, query).await
}

/// One need.
#[utoipa::path(get, path = "/api/v1/needs/{id}", tag = "market", params(("id" = i64, Path)), responses((status = 200, body = ListingView), (status = 404, body = ErrorBody)))]
pub async fn get_need(
    State(app): State<AppState>,
    ApiMaybeUser(actor): ApiMaybeUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ListingView>, AppError> {
    show(&app, actor.as_ref(), ListingKind::Need, id).await
}

/// Edit, withdraw or close one's need.
#[utoipa::path(patch, path = "/api/v1/needs/{id}", tag = "market", params(("id" = i64, Path)), request_body = NeedRequest,
    responses((status = 200, body = ListingView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn patch_need(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<NeedRequest>,
) -> Result<Json<ListingView>, AppError> {
    let today = today(&app);
    let validate = |row: &ListingRow| listing::validate_need(&patch::need(row, &request), today);
    let content: Option<Validate<'_>> = patch::has_content(&request).then_some(&validate);
    change(
        &app,
        &actor,
        ListingKind::Need,
        id,
        ip,
        request.status.as_deref(),
        content,
    )
    .await
}

/// The signed-in user's own listings of every kind and status.
#[utoipa::path(get, path = "/api/v1/me/listings", tag = "market", params(Paging), responses((status = 200, body = inline(ListResponse<ListingView>))), security(("bearer" = [])))]
pub async fn my_listings(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<ListingView>>, AppError> {
    let filter = ListingFilter {
        kinds: None,
        owner: Some(actor.id),
        ..ListingFilter::default()
    };
    let (rows, total) = store::list(&app.db, &filter, paging).await?;
    Ok(Json(ListResponse {
        items: rows
            .into_iter()
            .map(|r| ListingView::new(&app, r))
            .collect(),
        total,
    }))
}
