//! `/api/v1/admin/integrity/...`: what is left out of the official figures and why, the
//! awaiting-verification figure, and staff's decision on a large deal.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{exclusions, service};
use crate::AppState;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope::staff_scope;

/// Why a need is held for review.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ListingHold)]
pub struct HoldNote {
    /// near_duplicate（与本账号近期需求高度相似） or burst（一小时内批量发布）.
    pub rule: String,
    /// As staff and the poster read it, e.g. "疑似批量重复发布：与 11月3日《…》相似度 0.92".
    pub reason: String,
    /// The earlier need of the same account it resembles.
    pub similar_id: Option<i64>,
    /// Jaccard similarity of the two texts' character bigrams, 0 to 1.
    pub similarity: Option<f64>,
    /// How many needs the account posted within the hour, this one included.
    pub burst_count: i64,
}

impl From<super::store::HoldRow> for HoldNote {
    fn from(row: super::store::HoldRow) -> Self {
        HoldNote {
            rule: row.rule,
            reason: row.reason,
            similar_id: row.similar_id,
            similarity: row.similarity_permille.map(|p| p as f64 / 1000.0),
            burst_count: row.burst_count,
        }
    }
}

/// Fills in the hold of each held need among `views` (one query).
pub async fn attach_holds(
    app: &crate::App,
    views: &mut [crate::market::view::ListingView],
) -> Result<(), AppError> {
    let ids: Vec<i64> = views
        .iter()
        .filter(|v| v.kind == "need" && v.status == "pending")
        .map(|v| v.id)
        .collect();
    let mut holds = super::store::held_among(&app.db, &ids).await?;
    for view in views {
        view.hold = holds.remove(&view.id).map(HoldNote::from);
    }
    Ok(())
}

/// What is excluded: need_hold（暂缓的疑似重复需求）, deal_unverified（待核验的大额交易）,
/// deal_rejected（不予认定的大额交易）, kepu_view（异常科普浏览）.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(as = ExclusionKind)]
#[allow(dead_code)]
pub enum ExclusionKindName {
    #[schema(rename = "need_hold")]
    NeedHold,
    #[schema(rename = "deal_unverified")]
    DealUnverified,
    #[schema(rename = "deal_rejected")]
    DealRejected,
    #[schema(rename = "kepu_view")]
    KepuView,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExclusionsQuery {
    /// need_hold (default), deal_unverified, deal_rejected or kepu_view.
    #[param(value_type = Option<ExclusionKindName>)]
    pub kind: Option<String>,
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// One thing left out of the official figures, with the reason.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = IntegrityExclusion)]
pub struct Exclusion {
    pub kind: &'static str,
    /// The need, the deal or the view.
    pub subject_id: i64,
    pub region_code: String,
    pub title: String,
    /// Who: the need's poster, a deal's parties, a view's reader.
    pub who: String,
    /// Why it does not count (Chinese, as staff read it).
    pub reason: String,
    /// held, awaiting, rejected, flagged.
    pub status: String,
    /// A deal's amount in fen.
    pub amount_fen: Option<i64>,
    pub at: DateTime<chrono::Utc>,
    /// Where staff act on it or read its evidence.
    pub link: String,
    /// A large deal's contract, once uploaded.
    pub contract_url: Option<String>,
}

/// Needs held, large deals awaiting verification or rejected, and flagged 科普 views in the
/// staff member's region subtree (the province sees all), newest first, each with its reason.
#[utoipa::path(get, path = "/api/v1/admin/integrity/exclusions", tag = "staff", params(ExclusionsQuery),
    responses((status = 200, body = inline(ListResponse<Exclusion>)), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ApiQuery(query): ApiQuery<ExclusionsQuery>,
) -> Result<Json<ListResponse<Exclusion>>, AppError> {
    let kind = exclusions::Kind::parse(query.kind.as_deref())?;
    let scope = staff_scope(&actor)
        .ok_or_else(|| AppError::Forbidden("仅服务中心工作人员可以查看".into()))?;
    let paging = Paging {
        page: query.page,
        per_page: query.per_page,
    };
    let (items, total) = exclusions::load(&app, kind, &scope, paging).await?;
    Ok(Json(ListResponse { items, total }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AwaitingQuery {
    /// The region (its whole subtree); the staff member's own when absent.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    /// First day (YYYY-MM-DD); 1 January of this year when absent.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD); today when absent.
    pub to: Option<String>,
}

/// 待核验金额: large deals signed in the period that still await verification.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = AwaitingVerification)]
pub struct Awaiting {
    pub region_code: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub deals: i64,
    pub amount_fen: i64,
    /// The threshold in fen: deals signed at or above it await verification.
    pub threshold_fen: i64,
}

/// How much awaits verification in a region's subtree for a period (the dashboards' 待核验金额).
#[utoipa::path(get, path = "/api/v1/admin/integrity/awaiting", tag = "staff", params(AwaitingQuery),
    responses((status = 200, body = Awaiting), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn awaiting(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiQuery(query): ApiQuery<AwaitingQuery>,
) -> Result<Json<Awaiting>, AppError> {
    let code = query
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or(actor.region.as_str())
        .to_owned();
    let region =
        crate::stats::service::readable(&app, Some(&actor), &code, true, ip.as_deref()).await?;
    let period =
        crate::stats::service::period(query.from.as_deref(), query.to.as_deref(), app.clock.now())?;
    let (deals, amount_fen) =
        service::awaiting_verification(&app, &region, period.from, period.to).await?;
    Ok(Json(Awaiting {
        region_code: region.as_str().to_owned(),
        from: period.from,
        to: period.to,
        deals,
        amount_fen,
        threshold_fen: app.config.deal_verify_above_fen,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DealVerificationDecision)]
pub struct VerificationDecision {
    /// verify（核验通过，计入统计） or reject（不予认定，不计入）.
    #[serde(default)]
    #[schema(required = true)]
    pub decision: String,
    /// Required when rejecting; up to 200 characters; both parties see it.
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}

/// Verify or reject a large deal's contract (staff whose region covers the deal). Verifying
/// needs an uploaded contract; a second or concurrent decision answers 409.
#[utoipa::path(post, path = "/api/v1/admin/integrity/deals/{id}", tag = "staff", request_body = VerificationDecision,
    params(("id" = i64, Path)),
    responses((status = 200, body = Exclusion), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn decide(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<VerificationDecision>,
) -> Result<Json<Exclusion>, AppError> {
    service::decide_deal(
        &app,
        &actor,
        id,
        &body.decision,
        body.reason.as_deref(),
        ip.as_deref(),
    )
    .await?;
    let row = super::store::verification(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("交易"))?;
    Ok(Json(exclusions::deal_line(row)))
}
