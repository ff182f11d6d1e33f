//! `GET /api/v1/stats/scores/{year}`: scores and ranks; `POST /api/v1/admin/scores/{year}/publish`.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::period::ScorePeriod;
use super::rules::RegionScore;
use super::service::{self, PROVINCE, ScoreSheet};
use super::visible;
use crate::AppState;
use crate::performance::indicators;
use crate::platform::api::{ApiJson, ApiPath, ApiQuery};
use crate::platform::auth::{ApiStaff, ClientIp};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope;

crate::platform::openapi::wire_enum!(
    /// year, q1…q4 or m1…m12.
    ScorePeriodName,
    std::iter::once("year".to_owned())
        .chain((1..=4).map(|q| format!("q{q}")))
        .chain((1..=12).map(|m| format!("m{m}")))
        .collect()
);

crate::platform::openapi::wire_enum!(
    /// city or county.
    ScoreLevel,
    vec!["city".to_owned(), "county".to_owned()]
);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScoresQuery {
    /// city (the default) or county.
    #[param(value_type = Option<ScoreLevel>)]
    pub level: Option<String>,
    /// For counties: only those of this city.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFormat>)]
    pub parent: Option<String>,
    /// The period: the whole year when absent.
    #[param(value_type = Option<ScorePeriodName>)]
    pub period: Option<String>,
}

/// A unit named in the 通报.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertLine {
    pub region_code: String,
    pub name: String,
    pub total: Option<f64>,
    pub rank: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoresResponse {
    pub year: i32,
    pub period: String,
    pub period_label: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub version: i32,
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub level: String,
    pub parent: Option<String>,
    pub alert_below: f64,
    /// Best first. Regions outside the caller's subtree appear only for a published period, and
    /// then without their breakdown.
    pub items: Vec<RegionScore>,
    pub total: i64,
    /// The 通报: units below the line.
    pub alerts: Vec<AlertLine>,
}

/// Scores and ranks of the cities, or of the counties (all, or one city's), for a year,
/// quarter or month, with completion against target, score per indicator, movement since the
/// previous period and the 通报.
#[utoipa::path(get, path = "/api/v1/stats/scores/{year}", tag = "performance",
    params(("year" = i32, Path, minimum = 2020, maximum = 2100), ScoresQuery),
    responses((status = 200, body = ScoresResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn scores(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ApiPath(year): ApiPath<i32>,
    ApiQuery(query): ApiQuery<ScoresQuery>,
) -> Result<Json<ScoresResponse>, AppError> {
    let period = ScorePeriod::parse(year, query.period.as_deref())?;
    let level = match query.level.as_deref().map(str::trim) {
        None | Some("") | Some("city") => "city",
        Some("county") => "county",
        Some(_) => return Err(AppError::validation("level", "层级应为 city 或 county")),
    };
    let parent = query
        .parent
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let (cities, _) = service::units(&app);
    if let Some(parent) = parent {
        let known = match level {
            "city" => parent == PROVINCE,
            _ => cities.iter().any(|c| c.as_str() == parent),
        };
        if !known {
            return Err(AppError::validation(
                "parent",
                "上级地区应为本省的市（州）代码（查看区县时）或省代码（查看市州时）",
            ));
        }
    }
    let sheet = service::sheet(&app, period).await?;
    let scores: Vec<RegionScore> = match level {
        "city" => sheet.cities.clone(),
        _ => sheet
            .counties
            .iter()
            .filter(|c| {
                level != "county" || parent.is_none_or(|p| c.parent_code.as_deref() == Some(p))
            })
            .cloned()
            .collect(),
    };
    let items = visible::lines(&actor, &sheet, &scores);
    Ok(Json(respond(&sheet, level, parent, items)))
}

fn respond(
    sheet: &ScoreSheet,
    level: &str,
    parent: Option<&str>,
    items: Vec<RegionScore>,
) -> ScoresResponse {
    let alerts = items
        .iter()
        .filter(|s| s.alert)
        .map(|s| AlertLine {
            region_code: s.region_code.clone(),
            name: s.name.clone(),
            total: s.total,
            rank: s.rank,
        })
        .collect();
    ScoresResponse {
        year: sheet.year,
        period: sheet.period.clone(),
        period_label: sheet.period_label.clone(),
        from: sheet.from,
        to: sheet.to,
        version: sheet.version,
        published: sheet.published,
        published_at: sheet.published_at,
        level: level.to_owned(),
        parent: parent.map(str::to_owned),
        alert_below: sheet.alert_below,
        total: items.len() as i64,
        items,
        alerts,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PublishRequest {
    /// year, q1…q4 or m1…m12; the period must have ended.
    #[schema(value_type = ScorePeriodName)]
    pub period: String,
}

/// Publishes an ended period's scores (the province's administrators; also done on the 1st of
/// each month for what ended): from then on they are kept as computed.
#[utoipa::path(post, path = "/api/v1/admin/scores/{year}/publish", tag = "performance",
    params(("year" = i32, Path, minimum = 2020, maximum = 2100)), request_body = PublishRequest,
    responses((status = 200, body = ScoresResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn publish(
    State(app): State<AppState>,
    ApiStaff(actor): ApiStaff,
    ClientIp(ip): ClientIp,
    ApiPath(year): ApiPath<i32>,
    ApiJson(request): ApiJson<PublishRequest>,
) -> Result<Json<ScoresResponse>, AppError> {
    scope::ensure(
        &app,
        &actor,
        indicators::may_keep(&actor),
        &format!("scores:{year}"),
        ip.as_deref(),
    )
    .await?;
    let period = ScorePeriod::parse(year, Some(&request.period))?;
    let sheet = service::publish(&app, period).await?;
    let items = sheet.cities.clone();
    Ok(Json(respond(&sheet, "city", None, items)))
}
