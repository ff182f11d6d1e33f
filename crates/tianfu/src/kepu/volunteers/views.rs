//! Teams as people see them: a team in a list, its members, and one team with its coming and
//! past activities and the hours served at them this year (from the ledger, `hours`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::RegionCode;
use utoipa::ToSchema;

use super::hours;
use super::rules;
use super::store::{self, TeamRow};
use crate::App;
use crate::kepu::activities::service::{self as activities, ActivityView};
use crate::kepu::activities::store::ActivityFilter;
use crate::kepu::questions::store::channels;
use crate::platform::api::Paging;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;

pub async fn channel_list(app: &App) -> Result<Vec<(String, String)>, AppError> {
    Ok(channels(&app.db).await?)
}

/// A team in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamSummary {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    /// "四川省 广安市 邻水县".
    pub region_name: String,
    /// Channel codes and tags: the questions it answers.
    pub fields: Vec<String>,
    /// The fields as they read (农业技术, 柑橘…).
    pub field_labels: Vec<String>,
    pub intro: String,
    pub members: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: i64,
    pub name: String,
    /// leader or member.
    pub role: String,
    pub role_label: String,
    pub joined_at: DateTime<Utc>,
}

/// One team with its members, its coming and past activities and its hours this year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamView {
    pub id: i64,
    pub name: String,
    pub region_code: String,
    pub region_name: String,
    pub fields: Vec<String>,
    pub field_labels: Vec<String>,
    pub intro: String,
    pub created_at: DateTime<Utc>,
    /// The first 50 members, leaders first (all of them: `GET …/members`).
    pub members: Vec<MemberView>,
    pub members_total: i64,
    /// The caller's role in it (leader or member), when signed in and in it.
    pub my_role: Option<String>,
    /// Up to 10 coming activities, soonest first (all: `GET /api/v1/kepu/activities?team_id=`).
    pub coming: Vec<ActivityView>,
    /// Up to 10 past activities, latest first.
    pub past: Vec<ActivityView>,
    /// The Beijing year of the figures below.
    pub year: i32,
    /// Minutes served by volunteers at the team's activities this year (from the ledger).
    pub minutes_this_year: i64,
    pub hours_this_year: f64,
}

pub fn summary(app: &App, row: &TeamRow, channels: &[(String, String)]) -> TeamSummary {
    let fields = row.fields();
    TeamSummary {
        id: row.id,
        name: row.name.clone(),
        region_code: row.region_code.clone(),
        region_name: app.regions.full_name_of(&row.region_code),
        field_labels: rules::field_labels(&fields, channels),
        fields,
        intro: row.intro.clone(),
        members: row.members,
        created_at: row.created_at,
    }
}

pub fn member_view(row: store::MemberRow) -> MemberView {
    MemberView {
        user_id: row.user_id,
        name: row.name,
        role_label: rules::role_label(&row.role).to_owned(),
        role: row.role,
        joined_at: row.joined_at,
    }
}

/// The team as the viewer sees it.
pub async fn view(app: &App, row: &TeamRow, viewer: Option<&Actor>) -> Result<TeamView, AppError> {
    let channels = channel_list(app).await?;
    let first = Paging {
        page: Some(1),
        per_page: Some(50),
    };
    let (members, members_total) = store::members(&app.db, row.id, first).await?;
    let my_role = match viewer {
        Some(v) => store::role_of(&app.db, row.id, v.id.0).await?,
        None => None,
    };
    let now = app.clock.now();
    let ten = Paging {
        page: Some(1),
        per_page: Some(10),
    };
    let mut filter = ActivityFilter {
        team_id: Some(row.id),
        upcoming: Some(true),
        now: Some(now),
        open_only: true,
        ..Default::default()
    };
    let (coming, _) = activities::list(app, &filter, ten).await?;
    filter.upcoming = Some(false);
    let (past, _) = activities::list(app, &filter, ten).await?;
    let year = rules::year_of(now);
    let (from, to) = rules::year_bounds(year);
    let minutes = hours::team_minutes(&app.db, &[row.id], from, to)
        .await?
        .get(&row.id)
        .copied()
        .unwrap_or(0);
    let fields = row.fields();
    Ok(TeamView {
        id: row.id,
        name: row.name.clone(),
        region_code: row.region_code.clone(),
        region_name: app.regions.full_name_of(&row.region_code),
        field_labels: rules::field_labels(&fields, &channels),
        fields,
        intro: row.intro.clone(),
        created_at: row.created_at,
        members: members.into_iter().map(member_view).collect(),
        members_total,
        my_role,
        coming,
        past,
        year,
        minutes_this_year: minutes,
        hours_this_year: minutes as f64 / 60.0,
    })
}

/// Teams in a region's subtree, with the list's total.
pub async fn list(
    app: &App,
    region: Option<&RegionCode>,
    paging: Paging,
) -> Result<(Vec<TeamSummary>, i64), AppError> {
    let channels = channel_list(app).await?;
    let (rows, total) = store::list(&app.db, region, paging).await?;
    Ok((
        rows.iter().map(|r| summary(app, r, &channels)).collect(),
        total,
    ))
}
