//! Tickets open themselves: registering a scientist opens 一人一策, approving a need opens
//! 一单一策, selecting a 科创会 project opens 一项一策. The nanny's follower of the ledger
//! (`nanny/follow.rs`) opens them from the `user.registered`, `listing.published` and
//! `fair.project_selected` events, so a crash between the act and the ticket
//! loses nothing. Opening is idempotent: one ticket per subject, enforced by the database.
//!
//! Assignment: the least-loaded staff member of the subject's region and the ticket kind's
//! department; where that region has nobody, its city, then the province. A ticket nobody can
//! take waits unassigned, in sight of every staff member above it, until the clock finds a nanny.

use chrono::{DateTime, Utc};
use tianfu_domain::ticket::schedule;
use tianfu_domain::{RegionCode, TicketKind};

use super::plan;
use super::store;
use crate::ledger::{Event, EventKind};
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::{App, on_db, on_tx};

pub struct Subject {
    pub kind: TicketKind,
    pub subject_id: i64,
    pub served_id: i64,
    pub title: String,
    pub region: RegionCode,
}

/// The least-loaded staff member of `department` in `region`, climbing to the city and the
/// province when a level has nobody. Staff work at the county and above, so a subject in a
/// township is its county's.
pub async fn pick_nanny(
    db: &Db,
    region: &RegionCode,
    department: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    for level in region.up_to_county().ancestors_and_self().iter().rev() {
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
    let mut tx = db.begin().await?;
    let id: Option<i64> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO tickets (kind, subject_id, served_id, title, region_code, department, assignee_id, status, opened_at, next_due_at, updated_at, assigned_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $8, CASE WHEN $7 IS NULL THEN NULL ELSE $8 END) ON CONFLICT (kind, subject_id) DO NOTHING RETURNING id",
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
        .fetch_optional(&mut **conn)
        .await
    })?;
    let Some(id) = id else {
        return Ok(None);
    };
    for step in &steps {
        store::insert_step(&mut tx, id, &step.name, step.due_at, step.repeat_days, now).await?;
    }
    store::history(&mut tx, id, now, None, "opened", &note).await?;
    let event = Event::new(
        EventKind::TicketOpened,
        &subject.region,
        subject.kind.as_str(),
        id,
    )
    .counterpart(subject.served_id)
    .once();
    tx.record(now, &event).await?;
    if let Some((nanny, _)) = &nanny {
        let text = format!("新的{}保姆单：{}", subject.kind.label(), subject.title);
        tx.notify(*nanny, &text, &format!("/admin/tickets/{id}"), now)
            .await?;
    }
    tx.commit().await?;
    Ok(Some(id))
}

/// A scientist who registered. The plan's clock starts when the ticket opens.
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

/// A need that was published.
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

/// A project selected for a 科创会: followed until it is signed (一项一策), its owner served.
pub async fn for_fair_project(app: &App, project: i64) -> Result<Option<i64>, AppError> {
    let row = on_db!(&app.db, pool => {
        sqlx::query_as::<_, (i64, String, String, String)>(
            "SELECT owner_id, title, region_code, status FROM fair_projects WHERE id = $1",
        )
        .bind(project)
        .fetch_optional(pool)
        .await
    })?;
    let Some((owner, title, region, status)) = row else {
        return Ok(None);
    };
    let (Ok(region), "selected") = (RegionCode::parse(&region), status.as_str()) else {
        return Ok(None);
    };
    let subject = Subject {
        kind: TicketKind::Fair,
        subject_id: project,
        served_id: owner,
        title: format!("科创会：{title}"),
        region,
    };
    Ok(open(&app.db, &subject, app.clock.now()).await?)
}

/// Gives a nanny to open tickets that had none, now that someone may have been added.
pub async fn assign_waiting(app: &App) -> Result<usize, AppError> {
    let waiting: Vec<(i64, String, String, String, String)> = on_db!(&app.db, pool => {
        sqlx::query_as("SELECT id, region_code, department, title, kind FROM tickets WHERE assignee_id IS NULL AND status = 'open' ORDER BY id LIMIT 500")
            .fetch_all(pool)
            .await
    })?;
    let now = app.clock.now();
    let mut assigned = 0;
    for (id, region, department, title, kind) in waiting {
        let Ok(region) = RegionCode::parse(&region) else {
            continue;
        };
        let Some((nanny, name)) = pick_nanny(&app.db, &region, &department).await? else {
            continue;
        };
        let mut tx = app.db.begin().await?;
        let changed = on_tx!(&mut tx, conn => {
            sqlx::query("UPDATE tickets SET assignee_id = $1, updated_at = $2, assigned_at = $2, seen_at = NULL WHERE id = $3 AND assignee_id IS NULL AND status = 'open'")
                .bind(nanny).bind(now).bind(id)
                .execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
        if changed != 1 {
            continue;
        }
        store::history(
            &mut tx,
            id,
            now,
            None,
            "assigned",
            &format!("系统分派给{name}"),
        )
        .await?;
        let event = Event::new(EventKind::TicketAssigned, &region, &kind, id).outcome("system");
        tx.record(now, &event).await?;
        tx.notify(
            nanny,
            &format!("新的保姆单：{title}"),
            &format!("/admin/tickets/{id}"),
            now,
        )
        .await?;
        tx.commit().await?;
        assigned += 1;
    }
    Ok(assigned)
}
