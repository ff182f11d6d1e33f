//! Activities as people see them, and the acts: post, sign up (a seat or the waiting list),
//! cancel (the head of the waiting list moves up), feedback. Check-in is in `checkin`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::{FieldErrors, RegionCode, Role as AccountRole};
use utoipa::ToSchema;

use super::rules::{self, Role};
use super::store::{self, ActivityFilter, ActivityRow, NewActivity};
use crate::App;
use crate::kepu::audience::Audience;
use crate::kepu::places;
use crate::platform::api::Paging;
use crate::platform::auth::Actor;
use crate::platform::clock::shanghai;
use crate::platform::error::AppError;
use crate::platform::scope;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub region_code: String,
    pub region_name: String,
    pub place_id: Option<i64>,
    pub place_name: Option<String>,
    /// The 志愿服务队 running it, if one does.
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub organiser_name: String,
    #[schema(value_type = Vec<crate::kepu::audience::AudienceName>)]
    pub audiences: Vec<String>,
    /// 农民、老年人…
    pub audience_labels: Vec<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// "2026-12-05 09:30 至 11:30" in Beijing time.
    pub when: String,
    pub capacity: i64,
    /// Seats taken by confirmed attendees.
    pub confirmed: i64,
    pub seats_left: i64,
    /// open, or cancelled.
    pub status: String,
    /// The activity is over.
    pub ended: bool,
    /// The caller's own sign-up, when signed in and signed up.
    pub my_signup: Option<MySignup>,
    /// Kilometres from the caller's location, when they asked for 离我最近 (`lat`, `lng`) and
    /// the activity's place has coordinates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MySignup {
    /// attendee or volunteer.
    pub role: String,
    /// confirmed, waitlisted or cancelled.
    pub status: String,
    pub status_label: String,
    /// Place in the waiting list (1 moves up next) while waitlisted.
    pub position: Option<i64>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub rating: Option<i64>,
}

fn when_label(starts: DateTime<Utc>, ends: DateTime<Utc>) -> String {
    let start = shanghai(starts);
    let end = shanghai(ends);
    if start[..10] == end[..10] {
        format!("{start} 至 {}", &end[11..])
    } else {
        format!("{start} 至 {end}")
    }
}

pub fn view(app: &App, row: &ActivityRow, now: DateTime<Utc>) -> ActivityView {
    let audiences: Vec<String> = serde_json::from_str(&row.audiences).unwrap_or_default();
    ActivityView {
        id: row.id,
        title: row.title.clone(),
        description: row.description.clone(),
        region_code: row.region_code.clone(),
        region_name: app.regions.full_name_of(&row.region_code),
        place_id: row.place_id,
        place_name: row.place_name.clone(),
        team_id: row.team_id,
        team_name: row.team_name.clone(),
        organiser_name: row.organiser_name.clone(),
        audience_labels: audiences
            .iter()
            .filter_map(|a| Audience::parse(a))
            .map(|a| a.label().to_owned())
            .collect(),
        audiences,
        starts_at: row.starts_at,
        ends_at: row.ends_at,
        when: when_label(row.starts_at, row.ends_at),
        capacity: row.capacity,
        confirmed: row.confirmed,
        seats_left: (row.capacity - row.confirmed).max(0),
        status: row.status.clone(),
        ended: row.ends_at <= now,
        my_signup: None,
        distance_km: None,
    }
}

/// The view with the caller's sign-up filled in.
pub async fn view_for(
    app: &App,
    row: &ActivityRow,
    viewer: Option<&Actor>,
) -> Result<ActivityView, AppError> {
    let mut out = view(app, row, app.clock.now());
    if let Some(viewer) = viewer
        && let Some(signup) = store::signup_of(&app.db, row.id, viewer.id.0).await?
    {
        let position = if signup.status == "waitlisted" {
            Some(store::queue_position(&app.db, &signup).await?)
        } else {
            None
        };
        out.my_signup = Some(MySignup {
            role: signup.role.clone(),
            status_label: rules::signup_status_label(&signup.status).to_owned(),
            status: signup.status,
            position,
            checked_in_at: signup.checked_in_at,
            rating: signup.rating,
        });
    }
    Ok(out)
}

pub fn region_of(row: &ActivityRow) -> Result<RegionCode, AppError> {
    RegionCode::parse(&row.region_code)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("activity {} region: {e}", row.id)))
}

pub async fn find(app: &App, id: i64) -> Result<ActivityRow, AppError> {
    store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普活动"))
}

/// An activity as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    pub title: String,
    pub description: String,
    pub region_code: String,
    pub place_id: Option<i64>,
    pub team_id: Option<i64>,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: i64,
    pub audiences: Vec<String>,
}

/// Who may run an activity's check-in and read its roster: its organiser, the 全民科普服务部
/// staff of its region, its place's managers and its team's leaders.
pub async fn may_manage(app: &App, actor: &Actor, row: &ActivityRow) -> Result<bool, AppError> {
    if actor.id.0 == row.organiser_id
        || (scope::works_in(actor, places::service::DEPARTMENT)
            && scope::can_view_region(actor, &region_of(row)?))
    {
        return Ok(true);
    }
    if let Some(place) = row.place_id
        && places::store::is_manager(&app.db, place, actor.id.0).await?
    {
        return Ok(true);
    }
    if let Some(team) = row.team_id
        && store::is_team_member(&app.db, team, actor.id.0, true).await?
    {
        return Ok(true);
    }
    Ok(false)
}

pub async fn ensure_manager(
    app: &App,
    actor: &Actor,
    row: &ActivityRow,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let allowed = may_manage(app, actor, row).await?;
    scope::ensure(
        app,
        actor,
        allowed,
        &format!("kepu.activity:{}", row.id),
        ip,
    )
    .await
}

fn text(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    what: &str,
    max: usize,
    required: bool,
) -> String {
    let value = value.trim();
    if required && value.is_empty() {
        errors.add(field, format!("请填写{what}"));
    } else if value.chars().count() > max {
        errors.add(field, format!("{what}不能超过{max}个字"));
    }
    value.to_owned()
}

/// 发布活动: staff of the region's 全民科普服务部, a place's managers (at their place) and a
/// team's leaders (for their team). Every field is checked at once.
pub async fn create(
    app: &App,
    actor: &Actor,
    input: &ActivityInput,
    ip: Option<&str>,
) -> Result<i64, AppError> {
    let now = app.clock.now();
    let mut errors = FieldErrors::new();
    let title = text(&mut errors, "title", &input.title, "活动名称", 60, true);
    let description = text(
        &mut errors,
        "description",
        &input.description,
        "活动介绍",
        3000,
        false,
    );
    let starts_at = errors.check("starts_at", rules::parse_time(&input.starts_at));
    let ends_at = errors.check("ends_at", rules::parse_time(&input.ends_at));
    if let (Some(starts), Some(ends)) = (starts_at, ends_at)
        && let Err((field, message)) = rules::check_times(starts, ends, now)
    {
        errors.add(field, message);
    }
    if !(1..=rules::MAX_CAPACITY).contains(&input.capacity) {
        errors.add("capacity", "名额应在1至100000人之间");
    }
    let audiences = match Audience::parse_list(&input.audiences) {
        Ok(list) => list.iter().map(|a| a.as_str().to_owned()).collect(),
        Err(message) => {
            errors.add("audiences", message);
            Vec::new()
        }
    };
    let place = match input.place_id {
        None => None,
        Some(id) => match places::store::find(&app.db, id).await? {
            Some(place) if place.status == "open" => Some(place),
            Some(_) => {
                errors.add("place_id", "该科普场所已暂停开放");
                None
            }
            None => {
                errors.add("place_id", "科普场所不存在");
                None
            }
        },
    };
    let team = match input.team_id {
        None => None,
        Some(id) => {
            let found: Option<(i64, String)> = crate::on_db!(&app.db, pool => sqlx::query_as(
                "SELECT id, region_code FROM kepu_teams WHERE id = $1").bind(id).fetch_optional(pool).await)?;
            if found.is_none() {
                errors.add("team_id", "志愿服务队不存在");
            }
            found
        }
    };
    // The place's region when the activity is at a place and names no finer one inside it.
    let typed = input.region_code.trim();
    let region_code = match (&place, typed) {
        (Some(place), "") => place.region_code.clone(),
        _ => typed.to_owned(),
    };
    let region = match app.regions.find(&region_code) {
        Some(region) => Some(region.code.clone()),
        None => {
            errors.add("region_code", "请选择活动所在的地区");
            None
        }
    };
    // At a place, the activity happens there: in its region or a township inside it.
    if let (Some(place), Some(region)) = (&place, &region)
        && !region.as_str().starts_with(&place.region_code)
    {
        errors.add("region_code", "活动地区应在科普场所所在地区之内");
    }
    errors.into_result()?;
    let region = region.expect("checked");
    // Everything attached must be the poster's to attach: a place they run (or keep as staff),
    // a team they lead (or oversee as staff); and the region must be theirs through one of them.
    let kepu_staff_over = |code: &str| {
        scope::works_in(actor, places::service::DEPARTMENT)
            && RegionCode::parse(code).is_ok_and(|c| scope::can_view_region(actor, &c))
    };
    let staff_here = kepu_staff_over(region.as_str());
    let place_ok = match &place {
        Some(place) => {
            kepu_staff_over(&place.region_code)
                || places::store::is_manager(&app.db, place.id, actor.id.0).await?
        }
        None => true,
    };
    let team_ok = match &team {
        Some((id, team_region)) => {
            kepu_staff_over(team_region)
                || store::is_team_member(&app.db, *id, actor.id.0, true).await?
        }
        None => true,
    };
    let region_theirs = staff_here
        || place.is_some()
        || team
            .as_ref()
            .is_some_and(|(_, team_region)| region.as_str().starts_with(team_region.as_str()));
    if !(place_ok && team_ok && region_theirs && (staff_here || place.is_some() || team.is_some()))
    {
        let message = if actor.is_staff() && scope::works_in(actor, places::service::DEPARTMENT) {
            "只能在本辖区内发布科普活动"
        } else {
            "科普活动由全民科普服务部工作人员、科普场所管理员或志愿服务队队长发布"
        };
        crate::platform::audit::record(
            &app.db,
            now,
            crate::platform::audit::AuditEntry {
                actor: Some(actor.id),
                action: "permission.denied",
                subject: "kepu.activities",
                ip,
                detail: "may not post here",
            },
        )
        .await;
        return Err(AppError::Forbidden(message.into()));
    }
    let mut tx = app.db.begin().await?;
    let id = store::insert(
        &mut tx,
        &NewActivity {
            title: &title,
            description: &description,
            region_code: region.as_str(),
            place_id: place.as_ref().map(|p| p.id),
            team_id: team.as_ref().map(|t| t.0),
            organiser_id: actor.id.0,
            audiences: &audiences,
            starts_at: starts_at.expect("checked"),
            ends_at: ends_at.expect("checked"),
            capacity: input.capacity,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn conflict(message: &str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        fields: FieldErrors::new(),
    }
}

/// What a sign-up came to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignupResult {
    pub activity_id: i64,
    /// attendee or volunteer.
    pub role: String,
    /// confirmed (a seat is yours) or waitlisted (you move up when someone cancels).
    pub status: String,
    pub status_label: String,
    /// Place in the waiting list while waitlisted.
    pub position: Option<i64>,
}

/// 报名: a seat while any is free (never more than capacity, whatever arrives at once), else
/// the waiting list. Volunteers serving the activity take no seat.
pub async fn sign_up(
    app: &App,
    actor: &Actor,
    id: i64,
    role: Role,
) -> Result<SignupResult, AppError> {
    if role == Role::Volunteer {
        let row = find(app, id).await?;
        // A team's activity is served by its members; any other by 科技志愿者.
        let may_serve = match row.team_id {
            Some(team) => store::is_team_member(&app.db, team, actor.id.0, false).await?,
            None => {
                actor.role == AccountRole::Volunteer
                    || store::in_any_team(&app.db, actor.id.0).await?
            }
        };
        if !may_serve {
            return Err(AppError::Forbidden(if row.team_id.is_some() {
                "该活动由志愿服务队承办，需加入该服务队才能以志愿者身份报名".into()
            } else {
                "以志愿者身份报名需先注册为科技志愿者或加入志愿服务队".into()
            }));
        }
        // Those who run it issue its codes: they cannot also earn hours by them.
        if may_manage(app, actor, &row).await? {
            return Err(AppError::Forbidden(
                "活动的组织者和管理者不能以志愿者身份为本活动计时".into(),
            ));
        }
    }
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::lock(&mut tx, id).await? {
        return Err(AppError::not_found("科普活动"));
    }
    let row = store::find_in(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普活动"))?;
    if row.status != "open" {
        return Err(conflict("该活动已取消"));
    }
    if row.ends_at <= now {
        return Err(conflict("该活动已结束，不能报名"));
    }
    if let Some(existing) = store::signup_in(&mut tx, id, actor.id.0).await?
        && existing.status != "cancelled"
    {
        return Err(conflict(if existing.status == "waitlisted" {
            "您已在该活动的候补名单中"
        } else {
            "您已报名该活动"
        }));
    }
    if role == Role::Volunteer && store::volunteers(&mut tx, id).await? >= rules::MAX_VOLUNTEERS {
        return Err(conflict("该活动的志愿者已满"));
    }
    let status = match role {
        Role::Volunteer => "confirmed",
        Role::Attendee if store::take_seat(&mut tx, id).await? => "confirmed",
        Role::Attendee => "waitlisted",
    };
    if !store::put_signup(&mut tx, id, actor.id.0, role.as_str(), status, now).await? {
        return Err(conflict("您已报名该活动"));
    }
    tx.commit().await?;
    let position = match store::signup_of(&app.db, id, actor.id.0).await? {
        Some(signup) if signup.status == "waitlisted" => {
            Some(store::queue_position(&app.db, &signup).await?)
        }
        _ => None,
    };
    Ok(SignupResult {
        activity_id: id,
        role: role.as_str().to_owned(),
        status: status.to_owned(),
        status_label: rules::signup_status_label(status).to_owned(),
        position,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CancelResult {
    pub activity_id: i64,
    /// Always cancelled.
    pub status: String,
    /// Someone on the waiting list got the seat.
    pub promoted: bool,
}

/// 取消报名 before the activity starts; a freed seat goes to the head of the waiting list,
/// who is told.
pub async fn cancel(app: &App, actor: &Actor, id: i64) -> Result<CancelResult, AppError> {
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::lock(&mut tx, id).await? {
        return Err(AppError::not_found("科普活动"));
    }
    let row = store::find_in(&mut tx, id)
        .await?
        .ok_or_else(|| AppError::not_found("科普活动"))?;
    let signup = store::signup_in(&mut tx, id, actor.id.0)
        .await?
        .filter(|s| s.status != "cancelled")
        .ok_or_else(|| AppError::not_found("您在该活动的报名"))?;
    if signup.checked_in_at.is_some() {
        return Err(conflict("您已签到，不能取消报名"));
    }
    if row.starts_at <= now {
        return Err(conflict("活动已开始，不能取消报名"));
    }
    if !store::move_signup(&mut tx, signup.id, &signup.status, "cancelled", now).await? {
        return Err(conflict("报名状态已变化，请刷新后重试"));
    }
    let mut promoted = false;
    if signup.status == "confirmed" && signup.role == Role::Attendee.as_str() {
        match store::next_waiting(&mut tx, id).await? {
            Some((next, user))
                if store::move_signup(&mut tx, next, "waitlisted", "confirmed", now).await? =>
            {
                promoted = true;
                tx.notify(
                    user,
                    &format!("您候补的科普活动“{}”有了空位，已为您确认报名", row.title),
                    &format!("/kepu/activities/{id}"),
                    now,
                )
                .await?;
            }
            _ => store::release_seat(&mut tx, id).await?,
        }
    }
    tx.commit().await?;
    Ok(CancelResult {
        activity_id: id,
        status: "cancelled".into(),
        promoted,
    })
}

/// 活动评价 by someone who checked in: 1 to 5 stars and a comment (a later one replaces it).
pub async fn give_feedback(
    app: &App,
    actor: &Actor,
    id: i64,
    rating: i64,
    comment: &str,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if !(1..=5).contains(&rating) {
        errors.add("rating", "评分应为1至5星");
    }
    let comment = text(&mut errors, "comment", comment, "评价", 500, false);
    errors.into_result()?;
    let row = find(app, id).await?;
    if row.starts_at > app.clock.now() {
        return Err(conflict("活动开始后才能评价"));
    }
    let mut tx = app.db.begin().await?;
    if !store::feedback(&mut tx, id, actor.id.0, rating, &comment, app.clock.now()).await? {
        return Err(conflict("参加活动并签到后才能评价"));
    }
    tx.commit().await?;
    Ok(())
}

pub async fn list(
    app: &App,
    filter: &ActivityFilter,
    paging: Paging,
) -> Result<(Vec<ActivityView>, i64), AppError> {
    let now = app.clock.now();
    let (rows, total) = store::list(&app.db, filter, paging).await?;
    Ok((rows.iter().map(|r| view(app, r, now)).collect(), total))
}

/// The coming activities at a place (its page shows them).
pub async fn upcoming_at_place(app: &App, place: i64) -> Result<Vec<ActivityView>, AppError> {
    let filter = ActivityFilter {
        place_id: Some(place),
        upcoming: Some(true),
        now: Some(app.clock.now()),
        open_only: true,
        ..Default::default()
    };
    let paging = Paging {
        page: Some(1),
        per_page: Some(20),
    };
    Ok(list(app, &filter, paging).await?.0)
}

/// 取消活动: those who run it call it off before it ends, with a reason everyone signed up is
/// told. Check-ins already made stay booked (they happened); nobody can sign up or check in.
pub async fn call_off(
    app: &App,
    actor: &Actor,
    id: i64,
    reason: &str,
    ip: Option<&str>,
) -> Result<u64, AppError> {
    let mut errors = FieldErrors::new();
    let reason = text(&mut errors, "reason", reason, "取消原因", 200, true);
    errors.into_result()?;
    let row = find(app, id).await?;
    ensure_manager(app, actor, &row, ip).await?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::lock(&mut tx, id).await? {
        return Err(AppError::not_found("科普活动"));
    }
    if !store::call_off(&mut tx, id, now).await? {
        return Err(conflict("该活动已取消或已结束"));
    }
    let told = store::notify_signed_up(
        &mut tx,
        id,
        &format!("您报名的科普活动“{}”已取消：{reason}", row.title),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(told)
}
