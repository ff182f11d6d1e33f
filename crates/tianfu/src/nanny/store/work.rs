//! The nanny's work on an open ticket: follow-ups with what they attach, steps done, the plan
//! changed. Each change starts by touching the ticket only while it is open (`still_open`), so a
//! ticket closed meanwhile takes nothing; the due times are kept true in the same transaction.

use chrono::{DateTime, Utc};
use tianfu_domain::ticket::Followup;
use tianfu_domain::{RegionCode, UserId};

use super::{StepRow, TicketRow};
use crate::ledger::{Event, EventKind};
use crate::on_tx;
use crate::platform::db::Db;
use crate::platform::tx::Tx;

/// SQL that keeps `next_due_at` and `overdue_since` true to the ticket's undone steps; run after
/// every change to its steps, in the same transaction. Once nothing is overdue the escalation is
/// over too (the history keeps it), so a later lapse escalates again.
pub const REFRESH_DUE_SQL: &str = "UPDATE tickets SET \
     next_due_at = (SELECT MIN(due_at) FROM ticket_steps WHERE ticket_id = $1 AND done_at IS NULL), \
     overdue_since = (SELECT MIN(due_at) FROM ticket_steps WHERE ticket_id = $1 AND done_at IS NULL AND overdue_at IS NOT NULL), \
     escalated_at = CASE WHEN EXISTS (SELECT 1 FROM ticket_steps WHERE ticket_id = $1 AND done_at IS NULL AND overdue_at IS NOT NULL) \
       THEN escalated_at ELSE NULL END, \
     updated_at = $2 WHERE id = $1";

const EVENT_SQL: &str = "INSERT INTO ticket_events (ticket_id, at, actor_id, kind, channel, note, outcome) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";

/// Appends a row to the ticket's history in the caller's transaction and gives its id.
pub async fn history(
    tx: &mut Tx,
    ticket: i64,
    at: DateTime<Utc>,
    actor: Option<i64>,
    kind: &str,
    note: &str,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query_scalar::<_, i64>(EVENT_SQL)
            .bind(ticket).bind(at).bind(actor).bind(kind).bind(None::<String>).bind(note).bind(None::<String>)
            .fetch_one(&mut **conn)
            .await
    })
}

/// Adds a step to the ticket's plan in the caller's transaction.
pub async fn insert_step(
    tx: &mut Tx,
    ticket: i64,
    name: &str,
    due_at: DateTime<Utc>,
    repeat_days: Option<u32>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("INSERT INTO ticket_steps (ticket_id, name, due_at, repeat_days, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(ticket).bind(name).bind(due_at).bind(repeat_days.map(i64::from)).bind(now)
            .execute(&mut **conn)
            .await.map(|done| done.rows_affected())
    })?;
    Ok(())
}

async fn refresh_due(tx: &mut Tx, ticket: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(REFRESH_DUE_SQL).bind(ticket).bind(now).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    Ok(())
}

/// The ticket was closed while the request was on its way: nothing was written.
#[derive(Debug)]
pub struct TicketClosed;

/// The first statement of every change to an open ticket: touches it only while it is open (on
/// PostgreSQL this also locks it against a concurrent close until the change commits).
pub(in crate::nanny) async fn still_open(
    tx: &mut Tx,
    ticket: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let changed = on_tx!(tx, conn => {
        sqlx::query("UPDATE tickets SET updated_at = $2 WHERE id = $1 AND status = 'open'")
            .bind(ticket).bind(now)
            .execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    Ok(changed == 1)
}

/// The transaction of a change to `ticket`, begun with [`still_open`]; `TicketClosed` (nothing
/// written) when the ticket was closed meanwhile.
async fn begin_while_open(
    db: &Db,
    ticket: i64,
    now: DateTime<Utc>,
) -> Result<Result<Tx, TicketClosed>, sqlx::Error> {
    let mut tx = db.begin().await?;
    if !still_open(&mut tx, ticket, now).await? {
        return Ok(Err(TicketClosed));
    }
    Ok(Ok(tx))
}

/// The ledger event of an act on `ticket`: its region, its kind of subject, its served person.
pub fn ledger_event(kind: EventKind, ticket: &TicketRow) -> Event {
    let region = ticket
        .region()
        .unwrap_or_else(|| RegionCode::parse("51").expect("valid"));
    Event::new(kind, &region, &ticket.kind, ticket.id).counterpart(ticket.served_id)
}

/// A follow-up the nanny logged, with what it attached. The first follow-up is the ticket's
/// first contact.
pub async fn add_followup(
    db: &Db,
    ticket: &TicketRow,
    actor: UserId,
    followup: &Followup,
    links: &[(String, i64)],
    now: DateTime<Utc>,
) -> Result<Result<i64, TicketClosed>, sqlx::Error> {
    let Ok(mut tx) = begin_while_open(db, ticket.id, now).await? else {
        return Ok(Err(TicketClosed));
    };
    let id = write_followup(&mut tx, ticket, actor, followup, links, now).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// Writes a follow-up, its links, the first contact and its ledger event in the caller's
/// transaction (which has checked that the ticket is open).
pub(in crate::nanny) async fn write_followup(
    tx: &mut Tx,
    ticket: &TicketRow,
    actor: UserId,
    followup: &Followup,
    links: &[(String, i64)],
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let seconds = (now - ticket.opened_at).num_seconds().max(0);
    let id: i64 = on_tx!(tx, conn => {
        let id: i64 = sqlx::query_scalar(EVENT_SQL)
            .bind(ticket.id).bind(now).bind(actor.0).bind("followup")
            .bind(followup.channel.as_str()).bind(&followup.note).bind(&followup.outcome)
            .fetch_one(&mut **conn)
            .await?;
        for (kind, target) in links {
            sqlx::query("INSERT INTO ticket_links (event_id, ticket_id, kind, target_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(id).bind(ticket.id).bind(kind).bind(target)
                .execute(&mut **conn)
                .await?;
        }
        sqlx::query(
            "UPDATE tickets SET first_contact_at = COALESCE(first_contact_at, $2), \
             first_contact_secs = COALESCE(first_contact_secs, $3), updated_at = $2 WHERE id = $1",
        )
        .bind(ticket.id).bind(now).bind(seconds)
        .execute(&mut **conn)
        .await?;
        Ok::<i64, sqlx::Error>(id)
    })?;
    let event = ledger_event(EventKind::TicketFollowedUp, ticket)
        .actor(actor.0)
        .source(followup.channel.as_str());
    tx.record(now, &event).await?;
    Ok(id)
}

/// Marks a step done (false when it already was); a repeating step schedules its next
/// occurrence.
pub async fn complete_step(
    db: &Db,
    ticket: i64,
    step: &StepRow,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<Result<bool, TicketClosed>, sqlx::Error> {
    let Ok(mut tx) = begin_while_open(db, ticket, now).await? else {
        return Ok(Err(TicketClosed));
    };
    let changed = write_step_done(&mut tx, ticket, step, actor, now).await?;
    tx.commit().await?;
    Ok(Ok(changed))
}

/// Marks a step done in the caller's transaction by one guarded statement (false, and nothing
/// written, when it already was done), with its next occurrence, history and due times.
pub(in crate::nanny) async fn write_step_done(
    tx: &mut Tx,
    ticket: i64,
    step: &StepRow,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let next = tianfu_domain::ticket::next_occurrence(
        &step.name,
        step.repeat_days.and_then(|d| u32::try_from(d).ok()),
        now,
    );
    let note = match &next {
        Some(next) => format!(
            "完成“{}”，下次{}前",
            step.name,
            crate::platform::clock::shanghai(next.due_at)
        ),
        None => format!("完成“{}”", step.name),
    };
    let changed = on_tx!(tx, conn => {
        sqlx::query("UPDATE ticket_steps SET done_at = $1, done_by = $2 WHERE id = $3 AND ticket_id = $4 AND done_at IS NULL")
            .bind(now).bind(actor.0).bind(step.id).bind(ticket)
            .execute(&mut **conn)
            .await.map(|done| done.rows_affected())
    })?;
    if changed == 1 {
        if let Some(next) = &next {
            insert_step(tx, ticket, &next.name, next.due_at, next.repeat_days, now).await?;
        }
        history(tx, ticket, now, Some(actor.0), "step_done", &note).await?;
        refresh_due(tx, ticket, now).await?;
    }
    Ok(changed == 1)
}

/// The nanny's changes to the plan ("一人一策": the plan is theirs to adapt).
pub enum PlanChange {
    Add {
        name: String,
        due_at: DateTime<Utc>,
    },
    Reschedule {
        step: i64,
        name: String,
        due_at: DateTime<Utc>,
    },
    Remove {
        step: i64,
    },
}

pub async fn change_plan(
    db: &Db,
    ticket: i64,
    change: &PlanChange,
    note: &str,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<Result<bool, TicketClosed>, sqlx::Error> {
    let Ok(mut tx) = begin_while_open(db, ticket, now).await? else {
        return Ok(Err(TicketClosed));
    };
    let changed = match change {
        PlanChange::Add { name, due_at } => {
            insert_step(&mut tx, ticket, name, *due_at, None, now).await?;
            1
        }
        // A moved step is judged against its new date: an overdue mark no longer holds.
        PlanChange::Reschedule { step, name, due_at } => on_tx!(&mut tx, conn => sqlx::query(
            "UPDATE ticket_steps SET name = $1, due_at = $2, overdue_at = NULL WHERE id = $3 AND ticket_id = $4 AND done_at IS NULL",
        )
        .bind(name).bind(*due_at).bind(*step).bind(ticket)
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?,
        PlanChange::Remove { step } => {
            on_tx!(&mut tx, conn => sqlx::query("DELETE FROM ticket_steps WHERE id = $1 AND ticket_id = $2 AND done_at IS NULL")
            .bind(*step).bind(ticket)
            .execute(&mut **conn).await.map(|done| done.rows_affected()))?
        }
    };
    if changed == 1 {
        history(&mut tx, ticket, now, Some(actor.0), "plan_changed", note).await?;
        refresh_due(&mut tx, ticket, now).await?;
    }
    tx.commit().await?;
    Ok(Ok(changed == 1))
}
