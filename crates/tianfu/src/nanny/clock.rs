//! The SLA clock: a job that marks overdue steps, tells each nanny once per pass how many of
//! theirs went overdue, and escalates tickets overdue beyond their kind's threshold to the
//! staff of the parent region. It also finds a nanny for tickets that waited without one. In a
//! server it runs under a lease, so two nodes never escalate the same ticket twice. Time is `app.clock`, which tests move.
//!
//! Marking is set-based (a handful of statements whatever the number of tickets), so a pass
//! over 100,000 open tickets stays short; `tianfu bench sla` measures it.

use std::collections::HashMap;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, DurationRound, Utc};
use tianfu_domain::{RegionCode, TicketKind};

use super::{open, plan, store};
use crate::ledger::{Event, EventKind};
use crate::platform::error::AppError;
use crate::{App, AppState, on_db, on_tx};

/// How often the job runs in a server.
const PERIOD: StdDuration = StdDuration::from_secs(60);

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClockReport {
    pub assigned: usize,
    pub overdue_steps: u64,
    pub escalated: usize,
}

/// One pass of the clock at `app.clock.now()`.
pub async fn tick(app: &App) -> Result<ClockReport, AppError> {
    let assigned = open::assign_waiting(app).await?;
    // Whole microseconds, so the marks written and read back compare equal on both databases.
    let now = app
        .clock
        .now()
        .duration_trunc(Duration::microseconds(1))
        .expect("truncating to a microsecond fits");
    let overdue_steps = mark_overdue(app, now).await?;
    let mut escalated = 0;
    for kind in TicketKind::ALL {
        escalated += escalate(app, *kind, now).await?;
    }
    Ok(ClockReport {
        assigned,
        overdue_steps,
        escalated,
    })
}

async fn mark_overdue(app: &App, now: DateTime<Utc>) -> Result<u64, AppError> {
    let marked = on_db!(&app.db, pool => async {
        let mut tx = pool.begin().await?;
        let marked = sqlx::query(
            "UPDATE ticket_steps SET overdue_at = $1 WHERE done_at IS NULL AND overdue_at IS NULL AND due_at < $1 \
             AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = ticket_steps.ticket_id AND t.status = 'open')",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked > 0 {
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, note) \
                 SELECT ticket_id, $1, NULL, 'overdue', '步骤“' || name || '”已逾期' FROM ticket_steps WHERE overdue_at = $1",
            )
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE tickets SET overdue_since = (SELECT MIN(s.due_at) FROM ticket_steps s \
                   WHERE s.ticket_id = tickets.id AND s.done_at IS NULL AND s.overdue_at IS NOT NULL), updated_at = $1 \
                 WHERE id IN (SELECT ticket_id FROM ticket_steps WHERE overdue_at = $1)",
            )
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO notifications (user_id, text, link, created_at) \
                 SELECT t.assignee_id, '您有' || COUNT(*) || '个服务步骤已逾期，请尽快跟进', '/admin/tickets?mine=1&overdue=1', $1 \
                 FROM ticket_steps s JOIN tickets t ON t.id = s.ticket_id \
                 WHERE s.overdue_at = $1 AND t.assignee_id IS NOT NULL GROUP BY t.assignee_id",
            )
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok::<u64, sqlx::Error>(marked)
    }.await)?;
    Ok(marked)
}

#[derive(sqlx::FromRow)]
struct Lapsed {
    id: i64,
    region_code: String,
    department: String,
    title: String,
    served_id: i64,
    assignee_id: Option<i64>,
    assignee_region: Option<String>,
}

/// Tickets of `kind` whose oldest overdue step is past the threshold go up one level above the
/// nanny's region: that region's staff of the same department are told (the nearest level that has any),
/// and the ticket shows as escalated until nothing on it is overdue.
async fn escalate(app: &App, kind: TicketKind, now: DateTime<Utc>) -> Result<usize, AppError> {
    let template = plan::load(&app.db, kind).await?;
    let cutoff = now - Duration::days(i64::from(template.escalate_after_days));
    let mut escalated = 0;
    let mut supervisors_of: HashMap<(RegionCode, String), Vec<i64>> = HashMap::new();
    loop {
        let lapsed: Vec<Lapsed> = on_db!(&app.db, pool => {
            sqlx::query_as(
                "SELECT t.id, t.region_code, t.department, t.title, t.served_id, t.assignee_id, a.region_code AS assignee_region FROM tickets t \
                 LEFT JOIN users a ON a.id = t.assignee_id \
                 WHERE t.overdue_since < $1 AND t.kind = $2 AND t.status = 'open' AND t.escalated_at IS NULL ORDER BY t.id LIMIT 500",
            )
            .bind(cutoff)
            .bind(kind.as_str())
            .fetch_all(pool)
            .await
        })?;
        if lapsed.is_empty() {
            return Ok(escalated);
        }
        let mut targets = Vec::with_capacity(lapsed.len());
        for ticket in &lapsed {
            // One level above whoever is responsible: a county ticket its city nanny holds (the
            // county had nobody) goes to the province, not back to the same person. A waiting
            // township ticket is its county's (no staff below the county), so it goes to the city.
            let holder = ticket
                .assignee_region
                .as_deref()
                .or(Some(&ticket.region_code))
                .and_then(|code| RegionCode::parse(code).ok())
                .map(|code| code.up_to_county())
                .unwrap_or_else(|| RegionCode::parse("51").expect("valid"));
            let above = holder.parent().unwrap_or(holder);
            let key = (above.clone(), ticket.department.clone());
            if !supervisors_of.contains_key(&key) {
                let staff = supervisors(app, &above, &ticket.department).await?;
                supervisors_of.insert(key.clone(), staff);
            }
            targets.push((above, supervisors_of[&key].clone()));
        }
        let mut tx = app.db.begin().await?;
        for (ticket, (above, staff)) in lapsed.iter().zip(&targets) {
            let above_name = app.regions.full_name(above);
            // Guarded: a ticket another pass (or node) escalated meanwhile is left alone.
            let changed = on_tx!(&mut tx, conn => {
                sqlx::query(
                    "UPDATE tickets SET escalated_at = $1, escalated_to = $2, updated_at = $1 \
                     WHERE id = $3 AND escalated_at IS NULL AND status = 'open'",
                )
                .bind(now).bind(above.as_str()).bind(ticket.id)
                .execute(&mut **conn).await.map(|done| done.rows_affected())
            })?;
            if changed != 1 {
                continue;
            }
            let note = format!(
                "逾期超过{}天，已升级至{above_name}",
                template.escalate_after_days
            );
            store::history(&mut tx, ticket.id, now, None, "escalated", &note).await?;
            let region = RegionCode::parse(&ticket.region_code).unwrap_or_else(|_| above.clone());
            let event = Event::new(
                EventKind::TicketEscalated,
                &region,
                kind.as_str(),
                ticket.id,
            )
            .counterpart(ticket.served_id)
            .source(above.as_str());
            tx.record(now, &event).await?;
            let link = format!("/admin/tickets/{}", ticket.id);
            for user in staff {
                let text = format!("下级保姆单“{}”逾期未办，已升级至您处督办", ticket.title);
                tx.notify(*user, &text, &link, now).await?;
            }
            if let Some(nanny) = ticket.assignee_id {
                let text = format!(
                    "保姆单“{}”逾期超过{}天，已升级至{above_name}",
                    ticket.title, template.escalate_after_days
                );
                tx.notify(nanny, &text, &link, now).await?;
            }
            escalated += 1;
        }
        tx.commit().await?;
    }
}

/// The staff of `department` at `region`, or at the nearest level above that has any.
async fn supervisors(
    app: &App,
    region: &RegionCode,
    department: &str,
) -> Result<Vec<i64>, AppError> {
    for level in region.up_to_county().ancestors_and_self().iter().rev() {
        let staff: Vec<i64> = on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT id FROM users WHERE role = 'staff' AND region_code = $1 AND department = $2 ORDER BY id LIMIT 50")
                .bind(level.as_str())
                .bind(department)
                .fetch_all(pool)
                .await
        })?;
        if !staff.is_empty() {
            return Ok(staff);
        }
    }
    Ok(Vec::new())
}

/// One pass if this node holds the clock's lease (`None` while another node runs the clock).
pub async fn tick_if_leader(app: &App) -> Result<Option<ClockReport>, AppError> {
    if !crate::ledger::lease::hold(&app.db, LEASE, &app.node).await? {
        return Ok(None);
    }
    tick(app).await.map(Some)
}

const LEASE: &str = "nanny.clock";

/// Runs the clock every minute until aborted.
pub fn spawn(app: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(PERIOD);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match tick_if_leader(&app).await {
                Ok(Some(report)) if report != ClockReport::default() => {
                    tracing::info!(?report, "nanny clock pass");
                }
                Ok(_) => {}
                Err(error) => error.log_if_internal(),
            }
        }
    })
}
