//! `GET/PUT /api/v1/me/profile` and the staff's aggregates.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use tianfu_domain::{FieldErrors, RegionCode};
use utoipa::{IntoParams, ToSchema};

use super::region;
use super::store::{self, Aggregates, Profile};
use crate::accounts;
use crate::kepu::audience::{self, Audience};
use crate::platform::api::{ApiJson, ApiQuery};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::auth::{Actor, ApiStaff, ApiUser};
use crate::platform::error::{AppError, ErrorBody};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::platform::tx::Guarded;
use crate::{App, AppState};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterestView {
    pub interest: String,
    /// Chosen by the person (kept until they drop it), else learned.
    pub chosen: bool,
    /// What was learned from reading, searching and asking, decayed to now (halves in 30 days).
    pub learned: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProfileView {
    #[schema(value_type = Option<crate::kepu::audience::AudienceName>)]
    pub audience: Option<String>,
    /// The chosen interests.
    pub interests: Vec<String>,
    /// Every interest the feed uses, strongest first.
    pub weights: Vec<InterestView>,
}

impl From<Profile> for ProfileView {
    fn from(profile: Profile) -> Self {
        ProfileView {
            audience: profile.audience,
            interests: profile
                .interests
                .iter()
                .filter(|i| i.chosen)
                .map(|i| i.interest.clone())
                .collect(),
            weights: profile
                .interests
                .into_iter()
                .map(|i| InterestView {
                    interest: i.interest,
                    chosen: i.chosen,
                    learned: (i.learned * 100.0).round() / 100.0,
                })
                .collect(),
        }
    }
}

/// The signed-in person's profile.
#[utoipa::path(get, path = "/api/v1/me/profile", tag = "kepu",
    responses((status = 200, body = ProfileView), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
) -> Result<Json<ProfileView>, AppError> {
    Ok(Json(
        store::load(&app.db, me.id.0, app.clock.now()).await?.into(),
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileBody {
    /// The person's group; none to leave it unsaid.
    #[schema(value_type = Option<crate::kepu::audience::AudienceName>)]
    pub audience: Option<String>,
    /// The chosen interests (channel codes or tags, up to 12 characters each, at most 20); they
    /// replace the chosen ones. Learned interests are kept.
    #[serde(default)]
    pub interests: Vec<String>,
    /// Learned interests to forget.
    #[serde(default)]
    pub forget: Vec<String>,
    /// Where the person lives: a township (乡镇/街道) of the county they are in, or the county
    /// itself; absent to leave it as it is. Moving to another county is for the service centre.
    #[schema(value_type = Option<crate::platform::openapi::RegionCode>)]
    pub region_code: Option<String>,
}

pub const MAX_INTERESTS: usize = 20;

/// A profile as submitted, checked.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub audience: Option<String>,
    pub interests: Vec<String>,
    pub forget: Vec<String>,
}

/// Checks a profile as submitted.
pub fn parse(body: &ProfileBody) -> Result<Choice, AppError> {
    let mut errors = FieldErrors::new();
    let audience = match body
        .audience
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(text) => match Audience::parse(text) {
            Some(a) => Some(a.as_str().to_owned()),
            None => {
                errors.add(
                    "audience",
                    "人群只能是：youth（青少年）、farmer（农民）、worker（产业工人）、elder（老年人）、cadre（领导干部和公务员）",
                );
                None
            }
        },
        None => None,
    };
    let mut interests: Vec<String> = Vec::new();
    for item in &body.interests {
        match audience::parse_tag(item) {
            Ok(tag) if !interests.contains(&tag) => interests.push(tag),
            Ok(_) => {}
            Err(message) => errors.add("interests", message),
        }
    }
    if interests.len() > MAX_INTERESTS {
        errors.add("interests", format!("关注最多{MAX_INTERESTS}个"));
    }
    let forget: Vec<String> = body
        .forget
        .iter()
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty())
        .collect();
    if errors.is_empty() {
        Ok(Choice {
            audience,
            interests,
            forget,
        })
    } else {
        Err(errors.into())
    }
}

/// Saves the person's profile, and their township when they name one, in one transaction.
pub async fn save(app: &App, me: &Actor, body: &ProfileBody) -> Result<Profile, AppError> {
    let moved = region::requested_move(&app.regions, me, body.region_code.as_deref());
    // Every bad field at once; a refusal outranks them.
    let (choice, moved) = match (parse(body), moved) {
        (_, Err(refused @ AppError::Forbidden(_))) => {
            audit::record(
                &app.db,
                app.clock.now(),
                AuditEntry {
                    actor: Some(me.id),
                    action: "permission.denied",
                    subject: &format!("user:{}:region", me.id.0),
                    ip: None,
                    detail: "staff region is set from above",
                },
            )
            .await;
            return Err(refused);
        }
        (Ok(choice), Ok(moved)) => (choice, moved),
        (Err(AppError::Validation(mut errors)), Err(AppError::Validation(more))) => {
            for (field, message) in more.iter() {
                errors.add(field, message);
            }
            return Err(AppError::Validation(errors));
        }
        (Err(error), _) | (_, Err(error)) => return Err(error),
    };
    let now = app.clock.now();
    let user = me.id.0;
    let mut tx = app.db.begin().await?;
    store::save(
        &mut tx,
        user,
        choice.audience.as_deref(),
        &choice.interests,
        &choice.forget,
        now,
    )
    .await?;
    if let Some(moved) = &moved {
        let guarded =
            accounts::store::move_within_county(&mut tx, me.id, &moved.to, &moved.county).await?;
        if guarded == Guarded::Lost {
            return Err(accounts::store::conflict(
                "region_code",
                "您的所在地区刚刚已有变化，请刷新后重试",
            ));
        }
    }
    tx.commit().await?;
    if let Some(moved) = &moved {
        audit::record(
            &app.db,
            now,
            AuditEntry {
                actor: Some(me.id),
                action: "user.region_changed",
                subject: &format!("user:{user}"),
                ip: None,
                detail: &format!("{} -> {}", me.region, moved.to),
            },
        )
        .await;
    }
    store::load(&app.db, user, now).await
}

/// Sets the person's audience and chosen interests (and forgets learned ones), and optionally
/// their township within their county (`region_code`).
#[utoipa::path(put, path = "/api/v1/me/profile", tag = "kepu", request_body = ProfileBody,
    responses((status = 200, body = ProfileView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put(
    State(app): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<ProfileBody>,
) -> Result<Json<ProfileView>, AppError> {
    Ok(Json(save(&app, &me, &body).await?.into()))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// A region in the caller's subtree; theirs when absent.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    /// Only people of this group.
    #[param(value_type = Option<crate::kepu::audience::AudienceName>)]
    pub audience: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatsView {
    pub region_code: String,
    pub people_with_profile: i64,
    pub by_audience: Vec<Count>,
    /// Most followed first.
    pub top_interests: Vec<Count>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    pub people: i64,
}

/// Where the aggregates are read, checked against the caller's scope.
pub fn stats_region(scope: &RegionScope, requested: Option<&str>) -> Result<RegionCode, AppError> {
    let region = match requested.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => RegionCode::parse(code)
            .map_err(|_| AppError::validation("region_code", "地区代码格式不对"))?,
        None => match scope {
            RegionScope::All => RegionCode::parse("51").expect("province"),
            RegionScope::Subtree(root) => root.clone(),
        },
    };
    if scope.contains(&region) {
        Ok(region)
    } else {
        Err(AppError::Forbidden(
            "您无权访问该内容（超出您的管辖范围）".into(),
        ))
    }
}

pub async fn aggregates(
    app: &App,
    region: &RegionCode,
    audience: Option<&str>,
) -> Result<Aggregates, AppError> {
    let (low, high) = region.subtree_bounds();
    store::aggregates(&app.db, &low, &high, audience, app.clock.now()).await
}

/// How many people in a region follow what, by group — aggregates only, never a person.
#[utoipa::path(get, path = "/api/v1/kepu/profiles/stats", tag = "kepu", params(StatsQuery),
    responses((status = 200, body = StatsView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn stats(
    State(app): State<AppState>,
    ApiStaff(me): ApiStaff,
    ApiQuery(query): ApiQuery<StatsQuery>,
) -> Result<Json<StatsView>, AppError> {
    let scope = staff_scope(&me).ok_or_else(|| AppError::Forbidden("仅限工作人员".into()))?;
    let region = stats_region(&scope, query.region_code.as_deref())?;
    if app.regions.get(&region).is_none() {
        return Err(AppError::validation("region_code", "地区代码不存在"));
    }
    let audience = match query
        .audience
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(a) => Some(
            Audience::parse(a)
                .ok_or_else(|| AppError::validation("audience", "未知的人群"))?
                .as_str(),
        ),
        None => None,
    };
    let found = aggregates(&app, &region, audience).await?;
    let counts = |rows: Vec<(String, i64)>| {
        rows.into_iter()
            .map(|(key, people)| Count { key, people })
            .collect()
    };
    Ok(Json(StatsView {
        region_code: region.as_str().to_owned(),
        people_with_profile: found.people_with_profile,
        by_audience: counts(found.by_audience),
        top_interests: counts(found.top_interests),
    }))
}
