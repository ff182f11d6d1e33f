//! The staff workbench's reads and its one combined act: the landing page's counts (each one
//! indexed query within the staff member's region subtree and department), the next ticket in
//! my queue, the "seen" mark of a newly assigned ticket, the current step of listed tickets, and
//! a follow-up logged with the current step completed in one guarded transaction.

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tianfu_domain::{ListingStatus, Role, TicketKind};

use super::service::{self, FollowupRequest};
use super::store::{self, StepRow, TicketRow};
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope::{RegionScope, staff_scope};
use crate::{App, on_db};

/// Today in Beijing time as a UTC range `[start, start + 1 day)`.
pub fn today_bounds(now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let day = crate::platform::clock::shanghai_date(now);
    let midnight = day.and_hms_opt(0, 0, 0).expect("valid time");
    let start = Utc.from_utc_datetime(&midnight) - Duration::hours(8);
    (start, start + Duration::days(1))
}

/// 新分派 means handed over within the last 24 hours (or not yet opened).
pub fn fresh_since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(24)
}

/// The `q=` of the ticket list as a LIKE pattern, its wildcards taken literally.
pub fn search_pattern(q: Option<&str>) -> Result<Option<String>, AppError> {
    match q.map(str::trim).filter(|q| !q.is_empty()) {
        None => Ok(None),
        Some(q) if q.chars().count() > 30 => Err(AppError::validation("q", "搜索词不能超过30个字")),
        Some(q) => Ok(Some(crate::staff::store::contains_pattern(q))),
    }
}

/// The workbench's four figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub pending_reviews: i64,
    pub due_today: i64,
    pub overdue: i64,
    pub fresh: i64,
}

const DUE_SQL: &str = "SELECT COUNT(*) FROM tickets t WHERE t.department = $1 AND t.status = 'open' \
     AND t.next_due_at >= $2 AND t.next_due_at < $3 AND t.region_code >= $4 AND t.region_code < $5";
const OVERDUE_SQL: &str = "SELECT COUNT(*) FROM tickets t WHERE t.department = $1 \
     AND t.overdue_since IS NOT NULL AND t.region_code >= $2 AND t.region_code < $3";
const FRESH_SQL: &str = "SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = $1 AND t.status = 'open' \
     AND (t.assigned_at >= $2 OR t.seen_at IS NULL)";

/// The departments whose tickets the actor works: their own, or every one for administrators.
fn departments(actor: &Actor) -> Vec<String> {
    if actor.role == Role::Admin {
        let mut all: Vec<String> = TicketKind::ALL
            .iter()
            .map(|k| k.department().as_str().to_owned())
            .collect();
        all.dedup();
        all
    } else {
        vec![
            actor
                .department
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default(),
        ]
    }
}

/// The figures the workbench shows, within the actor's region subtree and department(s).
pub async fn counts(app: &App, actor: &Actor) -> Result<Counts, AppError> {
    let scope = staff_scope(actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let (low, high) = match &scope {
        RegionScope::Subtree(root) => root.subtree_bounds(),
        RegionScope::All => (String::new(), "~".to_owned()),
    };
    let now = app.clock.now();
    let (start, end) = today_bounds(now);
    let mut counts = Counts::default();
    for department in departments(actor) {
        let (due, overdue): (i64, i64) = on_db!(&app.db, pool => {
            let due: i64 = sqlx::query_scalar(DUE_SQL)
                .bind(&department).bind(start).bind(end).bind(&low).bind(&high)
                .fetch_one(pool).await?;
            let overdue: i64 = sqlx::query_scalar(OVERDUE_SQL)
                .bind(&department).bind(&low).bind(&high)
                .fetch_one(pool).await?;
            Ok::<_, sqlx::Error>((due, overdue))
        })?;
        counts.due_today += due;
        counts.overdue += overdue;
    }
    counts.fresh = on_db!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>(FRESH_SQL).bind(actor.id.0).bind(fresh_since(now)).fetch_one(pool).await
    })?;
    let filter = crate::market::store::ListingFilter {
        kind: None,
        kinds: crate::platform::scope::reviewable_kinds(actor, &app.config.review),
        status: Some(ListingStatus::Pending),
        owner: None,
        scope: Some(scope),
    };
    counts.pending_reviews = crate::market::store::count(&app.db, &filter).await?;
    Ok(counts)
}

/// My open tickets in the order I work them: due soonest first, the undated last.
const QUEUE_ORDER: &str =
    " ORDER BY CASE WHEN t.next_due_at IS NULL THEN 1 ELSE 0 END, t.next_due_at, t.id LIMIT 1";

/// The ticket after `current` in my queue (by due time, then id), or the first of the queue
/// when `current` is the last; never `current` itself.
pub async fn next_in_queue(
    app: &App,
    me: i64,
    current: &TicketRow,
) -> Result<Option<i64>, sqlx::Error> {
    const AFTER_DATED: &str = "SELECT t.id FROM tickets t WHERE t.assignee_id = $1 AND t.status = 'open' AND t.id <> $2 \
         AND (t.next_due_at > $3 OR (t.next_due_at = $3 AND t.id > $2) OR t.next_due_at IS NULL)";
    const AFTER_UNDATED: &str = "SELECT t.id FROM tickets t WHERE t.assignee_id = $1 AND t.status = 'open' \
         AND t.next_due_at IS NULL AND t.id > $2";
    const FIRST: &str =
        "SELECT t.id FROM tickets t WHERE t.assignee_id = $1 AND t.status = 'open' AND t.id <> $2";
    let after = match current.next_due_at {
        Some(due) => on_db!(&app.db, pool => {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("{AFTER_DATED}{QUEUE_ORDER}")))
                .bind(me).bind(current.id).bind(due).fetch_optional(pool).await
        })?,
        None => on_db!(&app.db, pool => {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("{AFTER_UNDATED}{QUEUE_ORDER}")))
                .bind(me).bind(current.id).fetch_optional(pool).await
        })?,
    };
    if after.is_some() {
        return Ok(after);
    }
    on_db!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("{FIRST}{QUEUE_ORDER}")))
            .bind(me).bind(current.id).fetch_optional(pool).await
    })
}

/// The most urgent ticket in my queue (where 开始处理 leads).
pub async fn first_in_queue(app: &App, me: i64) -> Result<Option<i64>, sqlx::Error> {
    on_db!(&app.db, pool => {
        sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
            "SELECT t.id FROM tickets t WHERE t.assignee_id = $1 AND t.status = 'open'{QUEUE_ORDER}"
        )))
        .bind(me).fetch_optional(pool).await
    })
}

/// The assignee opened the ticket: it is no longer 新分派 once a day has passed.
pub async fn mark_seen(app: &App, ticket: &TicketRow, me: i64) -> Result<(), sqlx::Error> {
    if ticket.seen_at.is_some() || ticket.assignee_id != Some(me) {
        return Ok(());
    }
    on_db!(&app.db, pool => {
        sqlx::query("UPDATE tickets SET seen_at = $1 WHERE id = $2 AND assignee_id = $3 AND seen_at IS NULL")
            .bind(app.clock.now()).bind(ticket.id).bind(me).execute(pool).await.map(|_| ())
    })
}

/// The current (earliest undone) step of each listed ticket.
pub async fn current_steps(
    app: &App,
    tickets: &[i64],
) -> Result<HashMap<i64, StepRow>, sqlx::Error> {
    if tickets.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<StepRow> = on_db!(&app.db, pool => {
        let mut query = sqlx::QueryBuilder::new(
            "SELECT id, ticket_id, name, due_at, repeat_days, done_at, overdue_at FROM ticket_steps WHERE done_at IS NULL AND ticket_id IN (",
        );
        let mut list = query.separated(", ");
        for id in tickets {
            list.push_bind(*id);
        }
        query.push(") ORDER BY ticket_id, due_at, id");
        query.build_query_as::<StepRow>().fetch_all(pool).await
    })?;
    let mut current = HashMap::new();
    for row in rows {
        current.entry(row.ticket_id).or_insert(row);
    }
    Ok(current)
}

fn conflict(message: &str) -> AppError {
    AppError::Conflict {
        message: message.into(),
        fields: Default::default(),
    }
}

/// 保存并完成此步: logs the follow-up and completes `step` in one transaction; when the step
/// was completed by someone else meanwhile (or the ticket closed), nothing is written. Answers
/// the step's name.
pub async fn save_and_complete(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
    request: &FollowupRequest,
    step_id: i64,
) -> Result<String, AppError> {
    let (followup, links) = service::check_followup(app, ticket, request).await?;
    let step = store::steps(&app.db, ticket.id)
        .await?
        .into_iter()
        .find(|s| s.id == step_id)
        .ok_or_else(|| AppError::not_found("步骤"))?;
    if step.done_at.is_some() {
        return Err(conflict("该步骤已完成，跟进记录未保存，请刷新后重试"));
    }
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::still_open(&mut tx, ticket.id, now).await? {
        return Err(conflict("该服务单已办结，不能再变更"));
    }
    store::write_followup(&mut tx, ticket, actor.id, &followup, &links, now).await?;
    if !store::write_step_done(&mut tx, ticket.id, &step, actor.id, now).await? {
        // Dropping the transaction rolls the follow-up back with it.
        return Err(conflict("该步骤刚被他人完成，跟进记录未保存，请刷新后重试"));
    }
    tx.commit().await?;
    Ok(step.name)
}

/// Completes the ticket's current step from the list, if it is still the one the list showed.
pub async fn complete_current(
    app: &App,
    actor: &Actor,
    ticket: &TicketRow,
    step_id: i64,
) -> Result<String, AppError> {
    let steps = store::steps(&app.db, ticket.id).await?;
    let current = steps.iter().find(|s| s.done_at.is_none());
    match current {
        Some(step) if step.id == step_id => {
            let name = step.name.clone();
            service::complete_step(app, actor, ticket, step_id).await?;
            Ok(name)
        }
        _ => Err(conflict("该服务单的当前步骤已变化，请刷新后重试")),
    }
}
