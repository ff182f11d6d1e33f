//! The nanny's and the served person's acts on a ticket, shared by the API and the pages. Who
//! may do what is asked of `platform::scope`: staff act on tickets in their region's subtree
//! (the nanny's county, the city above it, the province); the served person sees their own
//! tickets and rates the service.

use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;
use tianfu_domain::ticket::{self, step_name};
use tianfu_domain::{FieldErrors, RegionCode, UserId};
use utoipa::ToSchema;

use super::store::{self, PlanChange, TicketRow};
use crate::App;
use crate::on_db;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;

/// A ticket staff may see: 403 (audited) outside their scope.
pub async fn for_staff(
    app: &App,
    actor: &Actor,
    id: i64,
    ip: Option<&str>,
) -> Result<TicketRow, AppError> {
    let ticket = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("服务单"))?;
    let Some(region) = ticket.region() else {
        return Err(AppError::not_found("服务单"));
    };
    let within = scope::can_view_region(actor, &region);
    scope::ensure(app, actor, within, &format!("ticket:{id}"), ip).await?;
    // Each department works its own tickets: scientists' (一人一策) or needs' (一单一策).
    let department = scope::can_work_ticket(actor, &ticket.department, &region);
    scope::ensure(
        app,
        actor,
        department,
        &format!("ticket:{id}:department"),
        ip,
    )
    .await
    .map_err(|_| AppError::Forbidden("该服务单不属于您所在部门的职责".into()))?;
    Ok(ticket)
}

/// A ticket staff may act on: in scope and still open.
pub async fn for_action(
    app: &App,
    actor: &Actor,
    id: i64,
    ip: Option<&str>,
) -> Result<TicketRow, AppError> {
    let ticket = for_staff(app, actor, id, ip).await?;
    if !ticket.is_open() {
        return Err(AppError::Conflict {
            message: "该服务单已办结，不能再变更".into(),
            fields: Default::default(),
        });
    }
    Ok(ticket)
}

/// One of the served person's own tickets; anyone else's answers 404.
pub async fn for_served(app: &App, actor: &Actor, id: i64) -> Result<TicketRow, AppError> {
    store::find(&app.db, id)
        .await?
        .filter(|t| scope::owns(actor, UserId(t.served_id)))
        .ok_or_else(|| AppError::not_found("服务单"))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// listing (a match the nanny recommended), inquiry or deal.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub id: i64,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowupRequest {
    /// phone（电话）, visit（上门走访）, online（线上沟通） or meeting（会议座谈）.
    #[serde(default)]
    pub channel: String,
    /// What was discussed, up to 2,000 characters.
    #[serde(default)]
    pub note: String,
    /// What came of it, up to 200 characters.
    pub outcome: Option<String>,
    /// Matches recommended, inquiries or deals that followed.
    #[serde(default)]
    pub links: Vec<LinkRequest>,
}

/// Logs a follow-up. Attached listings must be public; attached inquiries and deals must be
/// the served person's own.
pub async fn add_followup(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
    request: &FollowupRequest,
) -> Result<i64, AppError> {
    let (followup, links) = check_followup(app, ticket, request).await?;
    store::add_followup(
        &app.db,
        ticket,
        actor.id,
        &followup,
        &links,
        app.clock.now(),
    )
    .await?
    .map_err(closed)
}

/// A follow-up and its links as checked (every refusal at once, beside its field).
pub(super) async fn check_followup(
    app: &App,
    ticket: &TicketRow,
    request: &FollowupRequest,
) -> Result<(ticket::Followup, Vec<(String, i64)>), AppError> {
    let mut errors = FieldErrors::new();
    let followup =
        ticket::validate_followup(&request.channel, &request.note, request.outcome.as_deref());
    if let Err(e) = &followup {
        for (field, message) in e.iter() {
            errors.add(field, message);
        }
    }
    if request.links.len() > 10 {
        errors.add("links", "一次最多关联10项");
    }
    let mut links = Vec::new();
    for (i, link) in request.links.iter().enumerate().take(10) {
        match check_link(app, ticket, link).await? {
            Ok(()) => links.push((link.kind.clone(), link.id)),
            Err(message) => errors.add(&format!("links[{i}]"), message),
        }
    }
    match followup {
        Ok(f) if errors.is_empty() => Ok((f, links)),
        _ => Err(errors.into()),
    }
}

/// The ticket was closed while the change was on its way.
fn closed(_: store::TicketClosed) -> AppError {
    AppError::Conflict {
        message: "该服务单已办结，不能再变更".into(),
        fields: Default::default(),
    }
}

async fn check_link(
    app: &App,
    ticket: &TicketRow,
    link: &LinkRequest,
) -> Result<Result<(), String>, AppError> {
    let served = ticket.served_id;
    let found: bool = match link.kind.as_str() {
        "listing" => on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM listings WHERE id = $1 AND status = 'published')")
                .bind(link.id).fetch_one(pool).await
        })?,
        "inquiry" => on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM inquiries WHERE id = $1 AND (owner_id = $2 OR requester_id = $2))")
                .bind(link.id).bind(served).fetch_one(pool).await
        })?,
        "deal" => on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM deals WHERE id = $1 AND (buyer_id = $2 OR seller_id = $2))")
                .bind(link.id).bind(served).fetch_one(pool).await
        })?,
        _ => {
            return Ok(Err(
                "关联类型只能是 listing（推荐的匹配）、inquiry（洽谈）或 deal（交易）".into(),
            ));
        }
    };
    Ok(if found {
        Ok(())
    } else if link.kind == "listing" {
        Err(format!("推荐的内容 #{} 不存在或未公开", link.id))
    } else {
        Err(format!("#{} 不存在或与服务对象无关", link.id))
    })
}

pub async fn complete_step(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
    step_id: i64,
) -> Result<(), AppError> {
    let steps = store::steps(&app.db, ticket.id).await?;
    let step = steps
        .into_iter()
        .find(|s| s.id == step_id)
        .ok_or_else(|| AppError::not_found("步骤"))?;
    if step.done_at.is_some() {
        return Err(AppError::Conflict {
            message: "该步骤已完成".into(),
            fields: Default::default(),
        });
    }
    let done = store::complete_step(&app.db, ticket.id, &step, actor.id, app.clock.now())
        .await?
        .map_err(closed)?;
    if !done {
        return Err(AppError::Conflict {
            message: "该步骤已完成".into(),
            fields: Default::default(),
        });
    }
    Ok(())
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    #[serde(default)]
    pub name: String,
    /// The day it is due, YYYY-MM-DD (Beijing time; due at the end of that day).
    #[serde(default)]
    pub due_date: String,
}

/// Reads a due date as the end of that day in Beijing time; not before today.
fn due_date(input: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let date = crate::platform::period::parse_day(input, "完成日期")?;
    if date < crate::platform::clock::shanghai_date(now) {
        return Err("完成日期不能早于今天".into());
    }
    let end_of_day = date.and_hms_opt(23, 59, 59).expect("valid time");
    Ok(Utc.from_utc_datetime(&end_of_day) - chrono::Duration::hours(8))
}

fn parse_step(
    request: &StepRequest,
    now: DateTime<Utc>,
) -> Result<(String, DateTime<Utc>), AppError> {
    let mut errors = FieldErrors::new();
    let name = errors.check("name", step_name(&request.name));
    let due = errors.check("due_date", due_date(&request.due_date, now));
    match (name, due) {
        (Some(name), Some(due)) => Ok((name, due)),
        _ => Err(errors.into()),
    }
}

/// Adds a step to the ticket's plan.
pub async fn add_step(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
    request: &StepRequest,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let (name, due_at) = parse_step(request, now)?;
    if store::steps(&app.db, ticket.id).await?.len() >= 60 {
        return Err(AppError::validation("name", "该服务单的步骤已达上限"));
    }
    let note = format!(
        "新增步骤“{name}”，{}前完成",
        crate::platform::clock::shanghai(due_at)
    );
    store::change_plan(
        &app.db,
        ticket.id,
        &PlanChange::Add { name, due_at },
        &note,
        actor.id,
        now,
    )
    .await?
    .map_err(closed)?;
    Ok(())
}

/// Renames or moves an undone step.
pub async fn change_step(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
    step: i64,
    request: &StepRequest,
) -> Result<(), AppError> {
    let now = app.clock.now();
    let (name, due_at) = parse_step(request, now)?;
    let note = format!(
        "调整步骤“{name}”，{}前完成",
        crate::platform::clock::shanghai(due_at)
    );
    let change = PlanChange::Reschedule { step, name, due_at };
    if store::change_plan(&app.db, ticket.id, &change, &note, actor.id, now)
        .await?
        .map_err(closed)?
    {
        Ok(())
    } else {
        Err(AppError::not_found("未完成的步骤"))
    }
}

pub async fn remove_step(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
    step: i64,
) -> Result<(), AppError> {
    let name = store::steps(&app.db, ticket.id)
        .await?
        .into_iter()
        .find(|s| s.id == step && s.done_at.is_none())
        .map(|s| s.name)
        .ok_or_else(|| AppError::not_found("未完成的步骤"))?;
    let note = format!("删除步骤“{name}”");
    store::change_plan(
        &app.db,
        ticket.id,
        &PlanChange::Remove { step },
        &note,
        actor.id,
        app.clock.now(),
    )
    .await?
    .map_err(closed)?;
    Ok(())
}

/// Hands the ticket to another staff member. The new nanny must be staff whose region covers
/// the ticket (so they can see it) and lies within the actor's own scope.
pub async fn reassign(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
    assignee: i64,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let target = crate::platform::auth::actor_by_id(&app.db, UserId(assignee)).await?;
    let ticket_region = ticket
        .region()
        .unwrap_or_else(|| RegionCode::parse("51").expect("valid"));
    let Some(target) = target.filter(|t| t.role == tianfu_domain::Role::Staff) else {
        return Err(AppError::validation("assignee_id", "请选择一位工作人员"));
    };
    if target.department.map(|d| d.as_str()) != Some(ticket.department.as_str()) {
        return Err(AppError::validation(
            "assignee_id",
            "只能改派给负责该类服务单的部门的工作人员",
        ));
    }
    if !target.region.contains(&ticket_region) {
        return Err(AppError::validation(
            "assignee_id",
            "只能改派给服务单所在地区或其上级地区的工作人员",
        ));
    }
    let within = scope::can_view_region(actor, &target.region);
    scope::ensure(
        app,
        actor,
        within,
        &format!("ticket:{}:assign", ticket.id),
        ip,
    )
    .await?;
    if ticket.assignee_id == Some(assignee) {
        return Err(AppError::validation("assignee_id", "该服务单已由此人负责"));
    }
    let guarded = store::reassign(
        &app.db,
        ticket,
        (target.id.0, &target.name),
        actor.id,
        app.clock.now(),
    )
    .await?;
    if guarded == crate::platform::tx::Guarded::Lost {
        return Err(AppError::Conflict {
            message: "该服务单刚被他人改派或办结，请刷新后重试".into(),
            fields: Default::default(),
        });
    }
    Ok(())
}

pub async fn close(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
    reason: &str,
) -> Result<(), AppError> {
    let reason = ticket::close_reason(reason).map_err(|e| AppError::validation("reason", e))?;
    if !store::close(&app.db, ticket, &reason, actor.id, app.clock.now()).await? {
        return Err(AppError::Conflict {
            message: "该服务单已办结".into(),
            fields: Default::default(),
        });
    }
    Ok(())
}

pub async fn rate(
    app: &App,
    ticket: &TicketRow,
    stars: i64,
    comment: Option<&str>,
) -> Result<(), AppError> {
    let (stars, comment) = ticket::validate_rating(stars, comment)?;
    match store::rate(&app.db, ticket, stars, comment.as_deref(), app.clock.now()).await? {
        crate::platform::tx::Guarded::Changed => Ok(()),
        crate::platform::tx::Guarded::Lost => Err(AppError::Conflict {
            message: "评价刚刚已更新，请刷新后再评".into(),
            fields: Default::default(),
        }),
    }
}

/// The staff who could take this ticket from the actor: staff whose region covers the ticket's
/// and lies within the actor's scope, least loaded first.
pub async fn candidates(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
) -> Result<Vec<(i64, String, String, i64)>, AppError> {
    let Some(region) = ticket.region() else {
        return Ok(Vec::new());
    };
    let levels: Vec<String> = region
        .up_to_county()
        .ancestors_and_self()
        .into_iter()
        .filter(|r| scope::can_view_region(actor, r))
        .map(|r| r.to_string())
        .collect();
    let mut all = Vec::new();
    for level in levels {
        let rows: Vec<(i64, String, String, i64)> = on_db!(&app.db, pool => {
            sqlx::query_as(
                "SELECT u.id, u.name, u.region_code, (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = u.id AND t.status = 'open') \
                 FROM users u WHERE u.role = 'staff' AND u.region_code = $1 AND u.department = $2 ORDER BY 4, u.id LIMIT 50",
            )
            .bind(&level)
            .bind(&ticket.department)
            .fetch_all(pool)
            .await
        })?;
        all.extend(rows);
    }
    Ok(all)
}
