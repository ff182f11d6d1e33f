//! Studio review over the API, beside the page `/admin/studios/reviews`: the queue of studios
//! waiting in the staff member's region subtree (new ones and edits of public ones), the
//! longest waiting first, and the decision (`decision::decide`, shared with the page).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::api::{StudioView, studio_view};
use super::decision::{self, reviews_studios};
use super::review;
use super::store::StudioRow;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::{ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::{App, AppState};

/// A studio's name, introduction and research fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudioText {
    pub name: String,
    pub intro: String,
    pub fields: Vec<String>,
}

impl StudioText {
    fn new((name, intro, fields): (String, String, String)) -> Self {
        StudioText {
            name,
            intro,
            fields: fields
                .split('\n')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

/// A studio waiting for review.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudioReviewItem {
    pub id: i64,
    /// The revision waiting; send it with the decision, so that an edit the owner makes in the
    /// meantime is not decided unseen.
    pub revision: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub region_code: String,
    pub region_name: String,
    /// When the owner submitted it.
    pub submitted_at: Option<DateTime<Utc>>,
    /// A new studio (true) or an edit of a public one (false).
    pub new: bool,
    /// What the owner submitted.
    pub proposed: StudioText,
    /// For an edit: what the public reads now, until the edit is approved.
    pub current: Option<StudioText>,
}

impl StudioReviewItem {
    fn new(app: &App, row: StudioRow) -> Self {
        let edit = row.is_public() && row.draft_name.is_some();
        StudioReviewItem {
            proposed: StudioText::new(row.proposed()),
            current: edit.then(|| {
                StudioText::new((row.name.clone(), row.intro.clone(), row.fields.clone()))
            }),
            new: !row.is_public(),
            region_name: app.regions.full_name_of(&row.region_code),
            id: row.id,
            revision: row.revision,
            owner_id: row.owner_id,
            owner_name: row.owner_name,
            region_code: row.region_code,
            submitted_at: row.submitted_at,
        }
    }
}

/// Studios waiting for review in the staff member's region subtree, the longest waiting first.
/// Empty for a department that does not review studios (they are reviewed by whoever reviews
/// capabilities, 科技工作者服务部 by default).
#[utoipa::path(get, path = "/api/v1/admin/studios/reviews", tag = "staff", params(Paging),
    responses((status = 200, body = inline(ListResponse<StudioReviewItem>)), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn queue(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<StudioReviewItem>>, AppError> {
    if !reviews_studios(&app, &actor) {
        return Ok(Json(ListResponse {
            items: Vec::new(),
            total: 0,
        }));
    }
    let scope = staff_scope(&actor).unwrap_or(RegionScope::All);
    let rows = review::waiting(&app.db, &scope, paging.limit(), paging.offset()).await?;
    let total = review::count_waiting(&app.db, &scope).await?;
    Ok(Json(ListResponse {
        items: rows
            .into_iter()
            .map(|row| StudioReviewItem::new(&app, row))
            .collect(),
        total,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudioReviewDecision {
    /// approve or reject.
    #[serde(default)]
    #[schema(value_type = crate::market::api::ReviewDecisionName, required = true)]
    pub decision: String,
    /// Required when rejecting (not blank); up to 200 characters; the owner reads it.
    #[schema(max_length = 200)]
    pub reason: Option<String>,
    /// The revision decided on (`revision` in the queue); a 409 if the owner has submitted
    /// another since. Without it, whatever waits now is decided.
    pub revision: Option<i64>,
}

/// Approve (the studio, or its edit, becomes public) or reject (with a reason the owner reads)
/// a studio waiting in one's region subtree. A studio decided already, or edited since the
/// revision given, is a 409.
#[utoipa::path(post, path = "/api/v1/admin/studios/{id}/review", tag = "staff", request_body = StudioReviewDecision,
    params(("id" = i64, Path)),
    responses((status = 200, body = StudioView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn decide(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<StudioReviewDecision>,
) -> Result<Json<StudioView>, AppError> {
    let row = decision::decide(
        &app,
        &actor,
        id,
        &request.decision,
        request.reason.as_deref(),
        request.revision,
        ip.as_deref(),
    )
    .await?;
    Ok(Json(studio_view(&app, row).await?))
}
