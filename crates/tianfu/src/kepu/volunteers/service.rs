//! The acts on 志愿服务队: staff form a team and name its leader; volunteers and scientists join
//! and leave; leaders (and the region's 全民科普服务部 staff) add and remove members. Who may do
//! what is decided here, once, for the API and the pages alike.

use tianfu_domain::{FieldErrors, Phone, RegionCode};

use super::rules::{self, TeamRole};
use super::store::{self, TeamRow};
use super::views::channel_list;
use crate::App;
use crate::platform::auth::Actor;
use crate::platform::db::is_unique_violation;
use crate::platform::error::AppError;
use crate::platform::scope;

/// The department that forms and oversees teams.
pub const DEPARTMENT: &str = crate::kepu::places::service::DEPARTMENT;

pub async fn find(app: &App, id: i64) -> Result<TeamRow, AppError> {
    store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("志愿服务队"))
}

fn region_of(row: &TeamRow) -> Result<RegionCode, AppError> {
    row.region().map_err(AppError::from)
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
/// member or as another leader; they are told. Answers who was added.
pub async fn add_member(
    app: &App,
    actor: &Actor,
    id: i64,
    phone: &str,
    role: Option<&str>,
    ip: Option<&str>,
) -> Result<i64, AppError> {
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
    Ok(person)
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
