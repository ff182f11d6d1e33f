//! `GET /api/v1/me/fair-outcomes` (the questions put to me, unanswered first) and
//! `POST /api/v1/fair-outcomes/{oid}` (my answer, once).

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tianfu_domain::fair::Outcome;
use utoipa::ToSchema;

use super::service;
use super::store::{self, OutcomeRow};
use crate::fair::signing::service::hall_name;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery, ListResponse, Paging};
use crate::platform::auth::ApiUser;
use crate::platform::clock::shanghai;
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::openapi::wire_names;
use crate::{App, AppState};

crate::platform::openapi::wire_enum!(
    /// none 无进一步联系, knowledge 获得知识, contact 建立有价值的联系, negotiating 正在洽谈,
    /// agreement 达成协议.
    FairOutcomeName,
    wire_names(Outcome::ALL, Outcome::as_str, false)
);
crate::platform::openapi::wire_enum!(
    /// meeting (a 1:1 meeting at the fair) or deal (a deal made at it).
    FairOutcomeSubject,
    vec!["meeting".into(), "deal".into()]
);

/// One question put to me six months after the fair.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = FairOutcome)]
pub struct OutcomeView {
    pub id: i64,
    pub fair_id: i64,
    pub fair_name: String,
    #[schema(value_type = FairOutcomeSubject)]
    pub subject_kind: String,
    pub subject_kind_label: &'static str,
    pub subject_id: i64,
    /// The project met about, or the deal's listing.
    pub title: String,
    /// The other side.
    pub counterpart_name: Option<String>,
    pub hall_code: String,
    pub hall_name: String,
    /// My answer; null while it awaits one.
    #[schema(value_type = Option<FairOutcomeName>)]
    pub outcome: Option<String>,
    pub outcome_label: Option<&'static str>,
    pub note: Option<String>,
    pub asked_at: DateTime<Utc>,
    pub asked_label: String,
    pub answered_at: Option<DateTime<Utc>>,
}

impl OutcomeView {
    pub fn of(app: &App, row: OutcomeRow) -> Self {
        OutcomeView {
            subject_kind_label: if row.subject_kind == "meeting" {
                "一对一洽谈"
            } else {
                "签约交易"
            },
            hall_name: hall_name(app, &row.hall_code),
            outcome_label: row
                .outcome
                .as_deref()
                .and_then(|o| Outcome::parse(o).ok())
                .map(Outcome::label),
            asked_label: shanghai(row.asked_at),
            id: row.id,
            fair_id: row.fair_id,
            fair_name: row.fair_name,
            subject_kind: row.subject_kind,
            subject_id: row.subject_id,
            title: row.title,
            counterpart_name: row.counterpart_name,
            hall_code: row.hall_code,
            outcome: row.outcome,
            note: row.note,
            asked_at: row.asked_at,
            answered_at: row.answered_at,
        }
    }
}

/// The outcome questions put to me (both sides of each accepted meeting and each deal made at a
/// fair are asked six months after it closed), those awaiting my answer first.
#[utoipa::path(get, path = "/api/v1/me/fair-outcomes", tag = "fairs", params(Paging),
    responses((status = 200, body = inline(ListResponse<OutcomeView>)), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mine(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<ListResponse<OutcomeView>>, AppError> {
    let (rows, total) = store::mine(&app.db, actor.id.0, paging).await?;
    Ok(Json(ListResponse {
        items: rows.into_iter().map(|r| OutcomeView::of(&app, r)).collect(),
        total,
    }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FairOutcomeAnswer)]
pub struct AnswerRequest {
    #[serde(default)]
    #[schema(value_type = FairOutcomeName, required = true)]
    pub outcome: String,
    /// Anything to add, up to 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// Answer an outcome question (only the person asked, once: 409 the second time).
#[utoipa::path(post, path = "/api/v1/fair-outcomes/{oid}", tag = "fairs", request_body = AnswerRequest,
    params(("oid" = i64, Path, minimum = 1)),
    responses((status = 200, body = OutcomeView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn answer(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiPath(oid): ApiPath<i64>,
    ApiJson(request): ApiJson<AnswerRequest>,
) -> Result<Json<OutcomeView>, AppError> {
    let row = service::answer(&app, &actor, oid, &request.outcome, request.note.as_deref()).await?;
    Ok(Json(OutcomeView::of(&app, row)))
}
