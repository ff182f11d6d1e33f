//! The programme's acts: creating a session (organisers; a city's staff their city's 地区专场),
//! registering for one within its capacity, cancelling, and checking a registered person in at
//! the door.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::fair::{Category, SessionKind};
use tianfu_domain::fair_halls::{self, MAX_CAPACITY, MAX_SESSION_PROJECTS};
use tianfu_domain::{FieldErrors, RegionCode, RegionLevel, Role};
use utoipa::ToSchema;

use super::store::{self, NewSession, PresentedRow, SessionRow};
use crate::App;
use crate::fair::store::{FairRow, find_project};
use crate::kepu::activities::rules::{checkin_open, parse_time};
use crate::platform::auth::Actor;
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::scope;

/// A session as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct SessionInput {
    pub kind: String,
    pub title: String,
    pub agenda: String,
    pub venue: String,
    pub region_code: Option<String>,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
    pub project_ids: Vec<i64>,
}

fn conflict(message: &str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        fields: FieldErrors::new(),
    }
}

fn text(errors: &mut FieldErrors, field: &str, value: &str, what: &str, max: usize) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, format!("请填写{what}"));
    } else if value.chars().count() > max {
        errors.add(field, format!("{what}不能超过{max}个字"));
    }
    value.to_owned()
}

/// A city's own staff (not the province's, who organise everything).
fn city_staff(actor: &Actor) -> bool {
    actor.role == Role::Staff && actor.region.level() == RegionLevel::City
}

/// 创建活动: organisers any session; a city's staff a 地区专场 for their own city. Every field
/// is checked at once; the projects must be this edition's selected ones.
pub async fn create(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    input: &SessionInput,
) -> Result<i64, AppError> {
    let organiser = crate::fair::organiser(actor);
    if !organiser && !city_staff(actor) {
        return Err(AppError::Forbidden(
            "科创会活动由省级组织者创建，市（州）工作人员可创建本地的地区专场".into(),
        ));
    }
    let now = app.clock.now();
    let mut errors = FieldErrors::new();
    let kind = errors.check("kind", SessionKind::parse(&input.kind));
    let title = text(&mut errors, "title", &input.title, "活动名称", 60);
    let agenda = text(&mut errors, "agenda", &input.agenda, "活动议程", 5000);
    let venue = text(&mut errors, "venue", &input.venue, "活动地点", 100);
    let typed_region = input
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    // A city's staff create their own city's zone: its region defaults to theirs.
    let region_code = match typed_region {
        Some(code) => Some(code.to_owned()),
        None if !organiser => Some(actor.region.as_str().to_owned()),
        None => None,
    };
    let region = match &region_code {
        Some(code) => match app.regions.find(code) {
            Some(region) => Some(region.code.clone()),
            None => {
                errors.add("region_code", "地区不存在");
                None
            }
        },
        None => {
            if kind == Some(SessionKind::Zone) {
                errors.add("region_code", "地区专场请选择所属地区");
            }
            None
        }
    };
    let starts_at = errors.check("starts_at", parse_time(&input.starts_at));
    let ends_at = errors.check("ends_at", parse_time(&input.ends_at));
    if let (Some(starts), Some(ends)) = (starts_at, ends_at) {
        if let Err((field, message)) =
            fair_halls::session_times(starts, ends, fair.opens_at, fair.closes_at)
        {
            errors.add(field, message);
        } else if ends <= now {
            errors.add("ends_at", "结束时间已过，不能创建已结束的活动");
        }
    }
    if !(1..=MAX_CAPACITY).contains(&input.capacity) {
        errors.add("capacity", format!("名额应在1至{MAX_CAPACITY}人之间"));
    }
    let mut projects: Vec<i64> = Vec::with_capacity(input.project_ids.len());
    if input.project_ids.len() > MAX_SESSION_PROJECTS {
        errors.add(
            "project_ids",
            format!("一场活动最多展示{MAX_SESSION_PROJECTS}个项目"),
        );
    } else {
        for (i, id) in input.project_ids.iter().enumerate() {
            let selected = find_project(&app.db, fair.id, *id)
                .await?
                .is_some_and(|p| p.is_selected());
            if !selected {
                errors.add(&format!("project_ids[{i}]"), "不是本届科创会的入选项目");
            } else if !projects.contains(id) {
                projects.push(*id);
            }
        }
    }
    errors.into_result()?;
    let kind = kind.expect("checked");
    if !organiser {
        let own = region.as_ref().is_some_and(|r| r == &actor.region);
        if kind != SessionKind::Zone || !own {
            return Err(AppError::Forbidden(
                "市（州）工作人员只能为本市（州）创建地区专场".into(),
            ));
        }
    }
    let capacity = i32::try_from(input.capacity).expect("checked range");
    let mut tx = app.db.begin().await?;
    let id = store::insert(
        &mut tx,
        &NewSession {
            fair_id: fair.id,
            kind: kind.as_str(),
            title: &title,
            agenda: &agenda,
            venue: &venue,
            region_code: region.as_ref().map(RegionCode::as_str),
            starts_at: starts_at.expect("checked"),
            ends_at: ends_at.expect("checked"),
            capacity,
        },
        &projects,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn find(app: &App, fair: &FairRow, id: i64) -> Result<SessionRow, AppError> {
    store::find(&app.db, fair.id, id)
        .await?
        .ok_or_else(|| AppError::not_found("科创会活动"))
}

/// "2026-12-05 09:30 至 11:30" in Beijing time.
pub fn when_label(starts: DateTime<Utc>, ends: DateTime<Utc>) -> String {
    let (start, end) = (shanghai(starts), shanghai(ends));
    if start[..10] == end[..10] {
        format!("{start} 至 {}", &end[11..])
    } else {
        format!("{start} 至 {end}")
    }
}

/// What a registration came to.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FairRegistrationResult)]
pub struct RegistrationResult {
    pub session_id: i64,
    /// registered or cancelled.
    pub status: String,
    pub registered: i32,
    pub seats_left: i32,
}

async fn seats(
    app: &App,
    session: &SessionRow,
    status: &str,
) -> Result<RegistrationResult, AppError> {
    let row = store::find(&app.db, session.fair_id, session.id)
        .await?
        .ok_or_else(|| AppError::not_found("科创会活动"))?;
    Ok(RegistrationResult {
        session_id: session.id,
        status: status.to_owned(),
        registered: row.registered,
        seats_left: (row.capacity - row.registered).max(0),
    })
}

/// 报名: a seat while any is free — never more than capacity, whatever arrives at once — and one
/// per person; refused once the session has ended.
pub async fn register(
    app: &App,
    actor: &Actor,
    session: &SessionRow,
) -> Result<RegistrationResult, AppError> {
    let now = app.clock.now();
    if session.ends_at <= now {
        return Err(conflict("该活动已结束，不能报名"));
    }
    let mut tx = app.db.begin().await?;
    if !store::lock(&mut tx, session.id).await? {
        return Err(AppError::not_found("科创会活动"));
    }
    if store::registration_in(&mut tx, session.id, actor.id.0)
        .await?
        .is_some_and(|r| r.status == "registered")
    {
        return Err(conflict("您已报名该活动"));
    }
    if !store::take_seat(&mut tx, session.id).await? {
        return Err(conflict("名额已满"));
    }
    if !store::put_registration(&mut tx, session.id, actor.id.0, now).await? {
        return Err(conflict("您已报名该活动"));
    }
    tx.commit().await?;
    seats(app, session, "registered").await
}

/// 取消报名 before the session starts and before checking in: the seat is freed.
pub async fn cancel(
    app: &App,
    actor: &Actor,
    session: &SessionRow,
) -> Result<RegistrationResult, AppError> {
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::lock(&mut tx, session.id).await? {
        return Err(AppError::not_found("科创会活动"));
    }
    let registration = store::registration_in(&mut tx, session.id, actor.id.0)
        .await?
        .filter(|r| r.status == "registered")
        .ok_or_else(|| conflict("您没有报名该活动"))?;
    if registration.checked_in_at.is_some() {
        return Err(conflict("您已签到，不能取消报名"));
    }
    if session.starts_at <= now {
        return Err(conflict("活动已开始，不能取消报名"));
    }
    if !store::cancel_registration(&mut tx, session.id, actor.id.0).await? {
        return Err(conflict("报名状态已变化，请刷新后重试"));
    }
    store::release_seat(&mut tx, session.id).await?;
    tx.commit().await?;
    seats(app, session, "cancelled").await
}

/// Who may check people in: organisers, and staff whose region contains the session's.
pub fn may_check_in(actor: &Actor, session: &SessionRow) -> bool {
    if crate::fair::organiser(actor) {
        return true;
    }
    session
        .region_code
        .as_deref()
        .and_then(|code| RegionCode::parse(code).ok())
        .is_some_and(|region| scope::can_view_region(actor, &region))
}

/// 签到: a registered person, once, from an hour before the start until the end, by those
/// who run the session.
pub async fn check_in(
    app: &App,
    actor: &Actor,
    session: &SessionRow,
    user_id: i64,
    ip: Option<&str>,
) -> Result<DateTime<Utc>, AppError> {
    scope::ensure(
        app,
        actor,
        may_check_in(actor, session),
        &format!("fair.session:{}", session.id),
        ip,
    )
    .await?;
    let now = app.clock.now();
    if !checkin_open(session.starts_at, session.ends_at, now) {
        return Err(conflict("签到在活动开始前1小时至活动结束之间进行"));
    }
    let registration = store::registration_of(&app.db, session.id, user_id).await?;
    match registration {
        Some(r) if r.status == "registered" => {
            if r.checked_in_at.is_some() {
                return Err(conflict("该参会人已签到"));
            }
        }
        _ => return Err(AppError::validation("user_id", "该用户未报名本场活动")),
    }
    let mut tx = app.db.begin().await?;
    if !store::check_in(&mut tx, session.id, user_id, now).await? {
        return Err(conflict("该参会人已签到或已取消报名"));
    }
    tx.commit().await?;
    Ok(now)
}

/// A project as a session's page lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FairSessionProject)]
pub struct PresentedView {
    pub id: i64,
    pub title: String,
    pub category_label: &'static str,
    pub hall_code: String,
    pub region_name: String,
    pub org_name: Option<String>,
    pub owner_name: String,
}

/// The session's projects the reader may see: all once selection is published; before, the
/// owner's own and those in a staff member's region.
pub async fn presented(
    app: &App,
    actor: Option<&Actor>,
    fair: &FairRow,
    session: i64,
) -> Result<Vec<PresentedView>, AppError> {
    let rows = store::presented(&app.db, session).await?;
    let visible = |p: &PresentedRow| {
        fair.selection_published()
            || actor.is_some_and(|a| {
                a.id.0 == p.owner_id
                    || RegionCode::parse(&p.region_code)
                        .is_ok_and(|r| scope::can_view_region(a, &r))
            })
    };
    Ok(rows
        .into_iter()
        .filter(|p| p.status == "selected" && visible(p))
        .map(|p| PresentedView {
            category_label: Category::parse(&p.category).map_or("未知", Category::label),
            region_name: app.regions.full_name_of(&p.region_code),
            id: p.id,
            title: p.title,
            hall_code: p.hall_code,
            org_name: p.org_name,
            owner_name: p.owner_name,
        })
        .collect())
}
