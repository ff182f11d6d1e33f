//! Tickets open themselves: registering a scientist opens 一人一策, approving a need opens
//! 一单一策. The request that did it opens the ticket right after its commit; in case the process
//! died in between, the clock job also sweeps the ledger (which records both acts in their own
//! transactions) for subjects still without a ticket. Opening is idempotent: one ticket per
//! subject, enforced by the database.
//!
//! Assignment: the least-loaded staff member of the subject's region and the ticket kind's
//! department; where that region has nobody, its city, then the province. A ticket nobody can
//! take waits unassigned, in sight of every staff member above it, until the clock finds a nanny.

use chrono::{DateTime, Duration, Utc};
use tianfu_domain::ticket::schedule;
use tianfu_domain::{RegionCode, TicketKind};

use super::plan;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::{App, notify, on_db};

pub struct Subject {
    pub kind: TicketKind,
    pub subject_id: i64,
    pub served_id: i64,
    pub title: String,
    pub region: RegionCode,
}

/// The least-loaded staff member of `department` in `region`, climbing to the city and the
/// province when a level has nobody.
pub async fn pick_nanny(
    db: &Db,
    region: &RegionCode,
    department: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    for level in region.ancestors_and_self().iter().rev() {
        let found = on_db!(db, pool => {
            sqlx::query_as::<_, (i64, String)>(
                "SELECT u.id, u.name FROM users u WHERE u.role = 'staff' AND u.region_code = $1 AND u.department = $2 \
                 ORDER BY (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = u.id AND t.status = 'open'), u.id LIMIT 1",
            )
            .bind(level.as_str())
            .bind(department)
            .fetch_optional(pool)
            .await
        })?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Opens the subject's ticket with its plan and nanny, unless it already has one. Returns the
/// new ticket's id.
pub async fn open(
    db: &Db,
    subject: &Subject,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let template = plan::load(db, subject.kind).await?;
    let department = subject.kind.department().as_str();
    let nanny = pick_nanny(db, &subject.region, department).await?;
    let steps = schedule(&template, now);
    let note = match &nanny {
        Some((_, name)) => format!("系统自动建单，分派给{name}"),
        None => "系统自动建单，本地区暂无对应部门工作人员，待分派".to_owned(),
    };
    on_db!(db, pool => async {
        let mut tx = pool.begin().await?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO tickets (kind, subject_id, served_id, title, region_code, department, assignee_id, status, opened_at, next_due_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $8) ON CONFLICT (kind, subject_id) DO NOTHING RETURNING id",
        )
        .bind(subject.kind.as_str())
        .bind(subject.subject_id)
        .bind(subject.served_id)
        .bind(&subject.title)
        .bind(subject.region.as_str())
        .bind(department)
        .bind(nanny.as_ref().map(|n| n.0))
        .bind(now)
        .bind(steps.iter().map(|s| s.due_at).min())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            return Ok(None);
        };
        for step in &steps {
            crate::insert_ticket_step!(&mut *tx, id, &step.name, step.due_at, step.repeat_days, now)?;
        }
        crate::ticket_event!(&mut *tx, id, now, None::<i64>, "opened", &note)?;
        if let Some((nanny, _)) = &nanny {
            notify!(&mut *tx, *nanny, format!("新的{}保姆单：{}", subject.kind.label(), subject.title), format!("/admin/tickets/{id}"), now)?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }.await)
}

/// A scientist who just registered.
pub async fn for_scientist(app: &App, user: i64) -> Result<Option<i64>, AppError> {
    let row = on_db!(&app.db, pool => {
        sqlx::query_as::<_, (String, String, String)>("SELECT role, name, region_code FROM users WHERE id = $1")
            .bind(user)
            .fetch_optional(pool)
            .await
    })?;
    let Some((role, name, region)) = row else {
        return Ok(None);
    };
    let Ok(region) = RegionCode::parse(&region) else {
        return Ok(None);
    };
    if role != "worker" {
        return Ok(None);
    }
    let subject = Subject {
        kind: TicketKind::Person,
        subject_id: user,
        served_id: user,
        title: format!("科技工作者{name}"),
        region,
    };
    Ok(open(&app.db, &subject, app.clock.now()).await?)
}

/// A need that was just published.
pub async fn for_need(app: &App, listing: i64) -> Result<Option<i64>, AppError> {
    let Some(row) = crate::market::store::find(&app.db, listing).await? else {
        return Ok(None);
    };
    let (Some(region), true) = (row.region(), row.kind == "need" && row.is_published()) else {
        return Ok(None);
    };
    let subject = Subject {
        kind: TicketKind::Need,
        subject_id: row.id,
        served_id: row.owner_id,
        title: row.title.clone(),
        region,
    };
    Ok(open(&app.db, &subject, app.clock.now()).await?)
}

/// Opens what the requests did not: every scientist registered and need published since the
/// last sweep (less a margin for transactions that committed late) that has no ticket yet.
/// Returns how many tickets it opened.
pub async fn sweep(app: &App) -> Result<usize, AppError> {
    let now = app.clock.now();
    let mark: Option<DateTime<Utc>> = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT at FROM job_marks WHERE name = 'nanny.sweep'")
            .fetch_optional(pool)
            .await
    })?;
    let since = mark.map_or(DateTime::<Utc>::UNIX_EPOCH, |at| at - Duration::hours(1));
    let missing: Vec<(String, i64)> = on_db!(&app.db, pool => {
        sqlx::query_as(
            "SELECT e.kind, e.subject_id FROM ledger_events e WHERE e.at >= $1 AND ( \
               (e.kind = 'user.registered' AND e.subject_kind = 'worker' \
                AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.kind = 'person' AND t.subject_id = e.subject_id)) \
            OR (e.kind = 'listing.published' AND e.subject_kind = 'need' \
                AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.kind = 'need' AND t.subject_id = e.subject_id))) \
             ORDER BY e.id",
        )
        .bind(since)
        .fetch_all(pool)
        .await
    })?;
    let mut opened = 0;
    for (kind, subject) in missing {
        let id = if kind == "user.registered" {
            for_scientist(app, subject).await?
        } else {
            for_need(app, subject).await?
        };
        opened += usize::from(id.is_some());
    }
    on_db!(&app.db, pool => {
        sqlx::query("INSERT INTO job_marks (name, at) VALUES ('nanny.sweep', $1) ON CONFLICT (name) DO UPDATE SET at = excluded.at")
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(opened)
}

/// Gives a nanny to open tickets that had none, now that someone may have been added.
pub async fn assign_waiting(app: &App) -> Result<usize, AppError> {
    let waiting: Vec<(i64, String, String, String)> = on_db!(&app.db, pool => {
        sqlx::query_as("SELECT id, region_code, department, title FROM tickets WHERE assignee_id IS NULL AND status = 'open' ORDER BY id LIMIT 500")
            .fetch_all(pool)
            .await
    })?;
    let now = app.clock.now();
    let mut assigned = 0;
    for (id, region, department, title) in waiting {
        let Ok(region) = RegionCode::parse(&region) else {
            continue;
        };
        let Some((nanny, name)) = pick_nanny(&app.db, &region, &department).await? else {
            continue;
        };
        on_db!(&app.db, pool => async {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query("UPDATE tickets SET assignee_id = $1, updated_at = $2 WHERE id = $3 AND assignee_id IS NULL")
                .bind(nanny).bind(now).bind(id)
                .execute(&mut *tx).await?.rows_affected();
            if changed == 1 {
                crate::ticket_event!(&mut *tx, id, now, None::<i64>, "assigned", &format!("系统分派给{name}"))?;
                notify!(&mut *tx, nanny, format!("新的保姆单：{title}"), format!("/admin/tickets/{id}"), now)?;
            }
            tx.commit().await?;
            Ok::<(), sqlx::Error>(())
        }.await)?;
        assigned += 1;
    }
    Ok(assigned)
}

/// Called by registration after its commit. A failure here loses nothing: the clock's sweep
/// opens the ticket later.
pub async fn after_registration(app: &App, user: i64) {
    if let Err(error) = for_scientist(app, user).await {
        error.log_if_internal();
    }
}

/// Called by review after a listing is approved; needs get their ticket, other kinds nothing.
pub async fn after_publication(app: &App, listing: i64) {
    if let Err(error) = for_need(app, listing).await {
        error.log_if_internal();
    }
}
