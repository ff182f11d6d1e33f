//! The acts on 志愿服务队: staff form a team and name its leader; volunteers and scientists join
//! and leave; leaders (and the region's 全民科普服务部 staff) add and remove members. Who may do
//! what is decided here, once, for the API and the pages alike.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::{FieldErrors, Phone, RegionCode};
use utoipa::ToSchema;

use super::hours;
use super::rules::{self, TeamRole};
use super::store::{self, TeamRow};
use crate::App;
use crate::kepu::activities::service::{self as activities, ActivityView};
use crate::kepu::activities::store::ActivityFilter;
use crate::kepu::questions::store::channels;
use crate::platform::api::Paging;
use crate::platform::auth::Actor;
use crate::platform::db::is_unique_violation;
use crate::platform::error::AppError;
use crate::platform::scope;

/// The department that forms and oversees teams.
pub const DEPARTMENT: &str = crate::kepu::places::service::DEPARTMENT;

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

pub async fn channel_list(app: &App) -> Result<Vec<(String, String)>, AppError> {
    Ok(channels(&app.db).await?)
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

pub async fn find(app: &App, id: i64) -> Result<TeamRow, AppError> {
    store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("志愿服务队"))
}

fn region_of(row: &TeamRow) -> Result<RegionCode, AppError> {
    row.region().map_err(AppError::from)
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

/// A team as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct TeamInput {
    pub name: String,
    pub region_code: String,
    pub fields: Vec<String>,
    pub intro: String,
    pub leader_phone: String,
}

/// A registered 科技志愿者 or 科技工作者 by phone, or the field error saying why not.
async fn server_by_phone(
    app: &App,
    field: &str,
    phone: &str,
) -> Result<Result<(i64, String), String>, AppError> {
    let Ok(phone) = Phone::parse(phone) else {
        return Ok(Err("请填写11位手机号".into()));
    };
    Ok(match store::user_by_phone(&app.db, phone.as_str()).await? {
        None => Err("该手机号尚未注册".into()),
        Some((id, name, role)) if tianfu_domain::Role::parse(&role).is_ok_and(rules::may_serve) => {
            Ok((id, name))
        }
        Some(_) => Err(match field {
            "leader_phone" => "队长应为已注册的科技志愿者或科技工作者".into(),
            _ => "只能添加已注册的科技志愿者或科技工作者".into(),
        }),
    })
}

fn conflict(field: Option<&str>, message: &str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        fields: field
            .map(|f| FieldErrors::single(f, message))
            .unwrap_or_default(),
    }
}

/// May the actor oversee teams of `region`: its 全民科普服务部 staff, and administrators.
pub fn may_keep(actor: &Actor, region: &RegionCode) -> bool {
    scope::works_in(actor, DEPARTMENT) && scope::can_view_region(actor, region)
}

/// 组建志愿服务队: every field checked at once (422), then the scope (403, audited), then the
/// name's uniqueness (409 on `name`, from the constraint, so two at once cannot both win).
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &TeamInput,
    ip: Option<&str>,
) -> Result<i64, AppError> {
    if !scope::works_in(actor, DEPARTMENT) {
        return Err(AppError::Forbidden(
            "志愿服务队由全民科普服务部工作人员组建".into(),
        ));
    }
    let mut errors = FieldErrors::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.add("name", "请填写队名");
    } else if name.chars().count() > rules::NAME_MAX_CHARS {
        errors.add("name", format!("队名不能超过{}个字", rules::NAME_MAX_CHARS));
    }
    let region = match app.regions.find(input.region_code.trim()) {
        Some(region) => Some(region.code.clone()),
        None => {
            errors.add("region_code", "请选择服务队所在的地区");
            None
        }
    };
    let channels = channel_list(app).await?;
    let fields = errors.check("fields", rules::parse_fields(&input.fields, &channels));
    let intro = input.intro.trim();
    if intro.chars().count() > rules::INTRO_MAX_CHARS {
        errors.add(
            "intro",
            format!("队伍简介不能超过{}个字", rules::INTRO_MAX_CHARS),
        );
    }
    let leader = match server_by_phone(app, "leader_phone", &input.leader_phone).await? {
        Ok(leader) => Some(leader),
        Err(message) => {
            errors.add("leader_phone", message);
            None
        }
    };
    errors.into_result()?;
    let region = region.expect("checked");
    let (leader, _) = leader.expect("checked");
    scope::ensure(
        app,
        actor,
        may_keep(actor, &region),
        &format!("region:{region}"),
        ip,
    )
    .await?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let fields = fields.expect("checked");
    let id = match store::insert(&mut tx, name, &region, &fields, intro, actor.id.0, now).await {
        Ok(id) => id,
        Err(error) if is_unique_violation(&error, "kepu_teams", "name") => {
            return Err(conflict(Some("name"), "该队名已被使用，请换一个"));
        }
        Err(error) => return Err(error.into()),
    };
    store::add_member(&mut tx, id, leader, TeamRole::Leader.as_str(), now).await?;
    tx.notify(
        leader,
        &format!("您已被任命为志愿服务队“{name}”的队长，可以为队伍发布活动、管理队员"),
        &format!("/kepu/teams/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// May the actor manage a team's members: its leaders and the staff who keep its region.
pub async fn may_manage(app: &App, actor: &Actor, row: &TeamRow) -> Result<bool, AppError> {
    if may_keep(actor, &region_of(row)?) {
        return Ok(true);
    }
    Ok(store::role_of(&app.db, row.id, actor.id.0)
        .await?
        .as_deref()
        == Some("leader"))
}

/// 加入: a 科技志愿者 or 科技工作者 joins as a member.
pub async fn join(app: &App, actor: &Actor, id: i64) -> Result<(), AppError> {
    if !rules::may_serve(actor.role) {
        return Err(AppError::Forbidden(
            "只有科技志愿者和科技工作者可以加入志愿服务队".into(),
        ));
    }
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::lock(&mut tx, id).await? {
        return Err(AppError::not_found("志愿服务队"));
    }
    if !store::add_member(&mut tx, id, actor.id.0, TeamRole::Member.as_str(), now).await? {
        return Err(conflict(None, "您已是该队队员"));
    }
    tx.commit().await?;
    Ok(())
}

/// A leader (or the region's staff) adds a registered 科技志愿者 or 科技工作者 by phone, as a
/// member or as another leader; they are told.
pub async fn add_member(
    app: &App,
    actor: &Actor,
    id: i64,
    phone: &str,
    role: Option<&str>,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let row = find(app, id).await?;
    let allowed = may_manage(app, actor, &row).await?;
    scope::ensure(app, actor, allowed, &format!("kepu.team:{id}"), ip).await?;
    let mut errors = FieldErrors::new();
    let role = errors.check("role", TeamRole::parse(role));
    let person = match server_by_phone(app, "phone", phone).await? {
        Ok(person) => Some(person),
        Err(message) => {
            errors.add("phone", message);
            None
        }
    };
    errors.into_result()?;
    let (person, _) = person.expect("checked");
    let role = role.expect("checked");
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::lock(&mut tx, id).await? {
        return Err(AppError::not_found("志愿服务队"));
    }
    if !store::add_member(&mut tx, id, person, role.as_str(), now).await? {
        return Err(conflict(Some("phone"), "此人已是该队队员"));
    }
    tx.notify(
        person,
        &format!(
            "您已加入志愿服务队“{}”（{}）",
            row.name,
            rules::role_label(role.as_str())
        ),
        &format!("/kepu/teams/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 退出 (the person themselves) or 移除 (a leader, or the region's staff). A team always keeps
/// a leader: the last one cannot go (409) until another is named.
pub async fn remove(
    app: &App,
    actor: &Actor,
    id: i64,
    user: i64,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let row = find(app, id).await?;
    let leaving = actor.id.0 == user;
    if !leaving {
        let allowed = may_manage(app, actor, &row).await?;
        scope::ensure(app, actor, allowed, &format!("kepu.team:{id}"), ip).await?;
    }
    let mut tx = app.db.begin().await?;
    if !store::lock(&mut tx, id).await? {
        return Err(AppError::not_found("志愿服务队"));
    }
    if store::role_in(&mut tx, id, user).await?.is_none() {
        return Err(AppError::NotFound(if leaving {
            "您不是该队队员".into()
        } else {
            "该队员不存在".into()
        }));
    }
    if !store::remove_member(&mut tx, id, user).await? {
        return Err(conflict(
            None,
            if leaving {
                "您是该队唯一的队长，请先添加另一位队长再退出"
            } else {
                "不能移除该队唯一的队长，请先添加另一位队长"
            },
        ));
    }
    if !leaving {
        tx.notify(
            user,
            &format!("您已不再是志愿服务队“{}”的队员", row.name),
            &format!("/kepu/teams/{id}"),
            app.clock.now(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
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
