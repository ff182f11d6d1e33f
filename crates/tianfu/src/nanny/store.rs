//! SQL for tickets: reading them with their steps and history, and the nanny's acts on them.
//! Every act writes its history row in the same transaction as the change it records.

use chrono::{DateTime, Utc};
use tianfu_domain::ticket::Followup;
use tianfu_domain::{RegionCode, TicketKind, UserId};

use crate::ledger::{Event, EventKind};
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::scope::RegionScope;
use crate::platform::tx::{Guarded, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    pub id: i64,
    pub kind: String,
    pub subject_id: i64,
    pub served_id: i64,
    pub served_name: String,
    pub served_phone: String,
    pub title: String,
    pub region_code: String,
    pub department: String,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub assignee_phone: Option<String>,
    pub status: String,
    pub outcome: Option<String>,
    pub close_reason: Option<String>,
    pub deal_id: Option<i64>,
    pub opened_at: DateTime<Utc>,
    pub first_contact_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub overdue_since: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub escalated_to: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
    /// When the ticket was last handed to its nanny, and when that nanny first opened it since.
    pub assigned_at: Option<DateTime<Utc>>,
    pub seen_at: Option<DateTime<Utc>>,
}

impl TicketRow {
    pub fn region(&self) -> Option<RegionCode> {
        RegionCode::parse(&self.region_code).ok()
    }

    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

macro_rules! ticket_select {
    () => {
        "SELECT t.id, t.kind, t.subject_id, t.served_id, s.name AS served_name, s.phone AS served_phone, t.title, \
         t.region_code, t.department, t.assignee_id, a.name AS assignee_name, a.phone AS assignee_phone, t.status, \
         t.outcome, t.close_reason, t.deal_id, t.opened_at, t.first_contact_at, t.next_due_at, t.overdue_since, \
         t.escalated_at, t.escalated_to, t.closed_at, t.rating, t.rating_comment, t.assigned_at, t.seen_at \
         FROM tickets t JOIN users s ON s.id = t.served_id LEFT JOIN users a ON a.id = t.assignee_id "
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StepRow {
    pub id: i64,
    pub ticket_id: i64,
    pub name: String,
    pub due_at: DateTime<Utc>,
    pub repeat_days: Option<i64>,
    pub done_at: Option<DateTime<Utc>>,
    pub overdue_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub kind: String,
    pub channel: Option<String>,
    pub note: String,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub event_id: i64,
    pub kind: String,
    pub target_id: i64,
    pub title: String,
}

pub async fn find(db: &Db, id: i64) -> Result<Option<TicketRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, TicketRow>(concat!(ticket_select!(), "WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// The nanny following a subject (name and phone), while its ticket is open and assigned.
pub async fn nanny_of(
    db: &Db,
    kind: TicketKind,
    subject: i64,
) -> Result<Option<(String, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT a.name, a.phone FROM tickets t JOIN users a ON a.id = t.assignee_id \
         WHERE t.kind = $1 AND t.subject_id = $2 AND t.status = 'open'")
        .bind(kind.as_str()).bind(subject).fetch_optional(pool).await)
}

pub async fn steps(db: &Db, ticket: i64) -> Result<Vec<StepRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, StepRow>(
            "SELECT id, ticket_id, name, due_at, repeat_days, done_at, overdue_at FROM ticket_steps \
             WHERE ticket_id = $1 ORDER BY due_at, id",
        )
        .bind(ticket)
        .fetch_all(pool)
        .await
    })
}

/// The ticket's whole history, newest first.
pub async fn events(db: &Db, ticket: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, EventRow>(
            "SELECT e.id, e.at, u.name AS actor_name, e.kind, e.channel, e.note, e.outcome FROM ticket_events e \
             LEFT JOIN users u ON u.id = e.actor_id WHERE e.ticket_id = $1 ORDER BY e.id DESC",
        )
        .bind(ticket)
        .fetch_all(pool)
        .await
    })
}

/// What the ticket's follow-ups attached, with each target's title.
pub async fn links(db: &Db, ticket: i64) -> Result<Vec<LinkRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, LinkRow>(
            "SELECT k.event_id, k.kind, k.target_id, COALESCE(l.title, il.title, dl.title, '') AS title \
             FROM ticket_links k \
             LEFT JOIN listings l ON k.kind = 'listing' AND l.id = k.target_id \
             LEFT JOIN inquiries i ON k.kind = 'inquiry' AND i.id = k.target_id \
             LEFT JOIN listings il ON il.id = i.listing_id \
             LEFT JOIN deals d ON k.kind = 'deal' AND d.id = k.target_id \
             LEFT JOIN listings dl ON dl.id = COALESCE(d.need_id, d.offer_id, d.achievement_id) \
             WHERE k.ticket_id = $1 ORDER BY k.event_id",
        )
        .bind(ticket)
        .fetch_all(pool)
        .await
    })
}

/// Which tickets a list shows.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub scope: Option<RegionScope>,
    /// Only this department's tickets (staff see their own department's work).
    pub department: Option<String>,
    pub assignee: Option<i64>,
    pub served: Option<i64>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub overdue_only: bool,
    pub escalated_only: bool,
    /// Open tickets whose next step falls due in `[from, to)` (今日到期).
    pub due_between: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// 新分派: open tickets handed over since this time or not yet opened by their nanny.
    pub fresh_since: Option<DateTime<Utc>>,
    /// A LIKE pattern matched against the subject, the served person's name and phone.
    pub search: Option<String>,
}

/// Appends `WHERE` with only the conditions the filter sets, so that each list reads its own
/// index (a nanny's tickets by assignee, a person's by `served_id`, a region's by region code)
/// instead of one catch-all condition that no index serves. Values are bound, never spliced.
macro_rules! push_ticket_filter {
    ($query:expr, $filter:expr) => {{
        let query = &mut $query;
        let filter: &TicketFilter = $filter;
        query.push(" WHERE 1 = 1");
        if let Some(RegionScope::Subtree(root)) = &filter.scope {
            let (low, high) = root.subtree_bounds();
            query.push(" AND t.region_code >= ").push_bind(low);
            query.push(" AND t.region_code < ").push_bind(high);
        }
        if let Some(department) = filter.department.clone() {
            query.push(" AND t.department = ").push_bind(department);
        }
        if let Some(assignee) = filter.assignee {
            query.push(" AND t.assignee_id = ").push_bind(assignee);
        }
        if let Some(served) = filter.served {
            query.push(" AND t.served_id = ").push_bind(served);
        }
        if let Some(kind) = filter.kind.clone().filter(|k| !k.is_empty()) {
            query.push(" AND t.kind = ").push_bind(kind);
        }
        if let Some(status) = filter.status.clone().filter(|s| !s.is_empty()) {
            query.push(" AND t.status = ").push_bind(status);
        }
        if filter.overdue_only {
            query.push(" AND t.overdue_since IS NOT NULL");
        }
        if filter.escalated_only {
            query.push(" AND t.escalated_at IS NOT NULL");
        }
        if let Some((from, to)) = filter.due_between {
            query
                .push(" AND t.status = 'open' AND t.next_due_at >= ")
                .push_bind(from);
            query.push(" AND t.next_due_at < ").push_bind(to);
        }
        if let Some(since) = filter.fresh_since {
            query
                .push(" AND t.status = 'open' AND (t.assigned_at >= ")
                .push_bind(since);
            query.push(" OR t.seen_at IS NULL)");
        }
        if let Some(pattern) = filter.search.clone() {
            query.push(" AND (t.title LIKE ").push_bind(pattern.clone());
            query
                .push(" ESCAPE '\\' OR s.name LIKE ")
                .push_bind(pattern.clone());
            query
                .push(" ESCAPE '\\' OR s.phone LIKE ")
                .push_bind(pattern);
            query.push(" ESCAPE '\\')");
        }
    }};
}

/// A page of tickets, those due soonest first (the undated last), and how many match.
pub async fn list(
    db: &Db,
    filter: &TicketFilter,
    paging: Paging,
) -> Result<(Vec<TicketRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(ticket_select!());
        push_ticket_filter!(rows, filter);
        rows.push(
            " ORDER BY CASE WHEN t.status = 'open' THEN 0 ELSE 1 END, \
             CASE WHEN t.next_due_at IS NULL THEN 1 ELSE 0 END, t.next_due_at, t.id DESC LIMIT ",
        )
        .push_bind(paging.limit())
        .push(" OFFSET ")
        .push_bind(paging.offset());
        let rows = rows.build_query_as::<TicketRow>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new(if filter.search.is_some() {
            "SELECT COUNT(*) FROM tickets t JOIN users s ON s.id = t.served_id"
        } else {
            "SELECT COUNT(*) FROM tickets t"
        });
        push_ticket_filter!(count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

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
pub(super) async fn still_open(
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
    let mut tx = db.begin().await?;
    if !still_open(&mut tx, ticket.id, now).await? {
        return Ok(Err(TicketClosed));
    }
    let id = write_followup(&mut tx, ticket, actor, followup, links, now).await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// Writes a follow-up, its links, the first contact and its ledger event in the caller's
/// transaction (which has checked that the ticket is open).
pub(super) async fn write_followup(
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
    let mut tx = db.begin().await?;
    if !still_open(&mut tx, ticket, now).await? {
        return Ok(Err(TicketClosed));
    }
    let changed = write_step_done(&mut tx, ticket, step, actor, now).await?;
    tx.commit().await?;
    Ok(Ok(changed))
}

/// Marks a step done in the caller's transaction by one guarded statement (false, and nothing
/// written, when it already was done), with its next occurrence, history and due times.
pub(super) async fn write_step_done(
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
    let mut tx = db.begin().await?;
    if !still_open(&mut tx, ticket, now).await? {
        return Ok(Err(TicketClosed));
    }
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

/// Hands an open ticket from the nanny it was read with to another, who is told; `Lost` when
/// it was closed or handed on meanwhile.
pub async fn reassign(
    db: &Db,
    ticket: &TicketRow,
    to: (i64, &str),
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let note = format!("改派给{}", to.1);
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE tickets SET assignee_id = $1, updated_at = $2, assigned_at = $2, seen_at = NULL WHERE id = $3 AND status = 'open' \
             AND (assignee_id = $4 OR (assignee_id IS NULL AND $4 IS NULL))",
        )
        .bind(to.0).bind(now).bind(ticket.id).bind(ticket.assignee_id)
        .execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Lost {
        return Ok(guarded);
    }
    history(&mut tx, ticket.id, now, Some(actor.0), "assigned", &note).await?;
    let event = ledger_event(EventKind::TicketAssigned, ticket)
        .actor(actor.0)
        .outcome("manual");
    tx.record(now, &event).await?;
    tx.notify(
        to.0,
        &format!("保姆单“{}”已改派给您", ticket.title),
        &format!("/admin/tickets/{}", ticket.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(guarded)
}

/// Closes an open ticket by the nanny's hand, with the reason; the served person is told.
pub async fn close(
    db: &Db,
    ticket: &TicketRow,
    reason: &str,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE tickets SET status = 'closed', outcome = 'closed', close_reason = $1, closed_at = $2, \
             next_due_at = NULL, overdue_since = NULL, escalated_at = NULL, updated_at = $2 WHERE id = $3 AND status = 'open'",
        )
        .bind(reason).bind(now).bind(ticket.id)
        .execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    if changed == 1 {
        history(
            &mut tx,
            ticket.id,
            now,
            Some(actor.0),
            "closed",
            &format!("办结：{reason}"),
        )
        .await?;
        let event = ledger_event(EventKind::TicketClosed, ticket)
            .actor(actor.0)
            .outcome("closed")
            .once();
        tx.record(now, &event).await?;
        tx.notify(
            ticket.served_id,
            &format!("您的服务单“{}”已办结", ticket.title),
            "/me/nanny",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed == 1)
}

/// Closes the open tickets a signed deal answers, as of the signing (`now`): the need's 一单一策,
/// the 一人一策 of each party who is a scientist with a ticket, and the 一项一策 of any 科创会
/// project that is one of the deal's listings. Answers how many it closed.
pub async fn close_on_deal(
    db: &Db,
    deal: i64,
    need: Option<i64>,
    listings: [Option<i64>; 3],
    parties: [i64; 2],
    now: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    const OPEN_SQL: &str = concat!(
        ticket_select!(),
        "WHERE t.status = 'open' AND ((t.kind = 'need' AND t.subject_id = $1) OR (t.kind = 'person' AND t.subject_id IN ($2, $3)) \
         OR (t.kind = 'fair' AND t.subject_id IN (SELECT p.id FROM fair_projects p WHERE p.listing_id IN ($4, $5, $6))))"
    );
    let tickets: Vec<TicketRow> = on_db!(db, pool => {
        sqlx::query_as::<_, TicketRow>(OPEN_SQL).bind(need).bind(parties[0]).bind(parties[1])
            .bind(listings[0]).bind(listings[1]).bind(listings[2]).fetch_all(pool).await
    })?;
    let note = format!("交易 #{deal} 已签约，服务单自动办结");
    let mut closed = 0;
    for ticket in &tickets {
        // A ticket opened after the signing (its follower ran late) closes as it opens.
        let now = now.max(ticket.opened_at);
        let mut tx = db.begin().await?;
        let changed = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE tickets SET status = 'closed', outcome = 'deal', deal_id = $2, closed_at = $1, next_due_at = NULL, \
                 overdue_since = NULL, escalated_at = NULL, updated_at = $1 WHERE id = $3 AND status = 'open'",
            )
            .bind(now).bind(deal).bind(ticket.id)
            .execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
        if changed == 1 {
            history(&mut tx, ticket.id, now, None, "closed", &note).await?;
            let event = ledger_event(EventKind::TicketClosed, ticket)
                .outcome("deal")
                .source(&format!("deal:{deal}"))
                .once();
            tx.record(now, &event).await?;
            tx.commit().await?;
            closed += 1;
        }
    }
    Ok(closed)
}

/// The served person's rating; rating again replaces it.
pub async fn rate(
    db: &Db,
    ticket: &TicketRow,
    stars: u8,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let note = match comment {
        Some(c) => format!("服务评价：{stars}星，{c}"),
        None => format!("服务评价：{stars}星"),
    };
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE tickets SET rating = $1, rating_comment = $2, updated_at = $3 WHERE id = $4 \
             AND (rating = $5 OR (rating IS NULL AND $5 IS NULL))",
        )
        .bind(i64::from(stars)).bind(comment).bind(now).bind(ticket.id).bind(ticket.rating)
        .execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    if changed != 1 {
        return Ok(Guarded::Lost);
    }
    history(
        &mut tx,
        ticket.id,
        now,
        Some(ticket.served_id),
        "rated",
        &note,
    )
    .await?;
    let mut event = ledger_event(EventKind::TicketRated, ticket).actor(ticket.served_id);
    event.quantity = Some(i64::from(stars));
    tx.record(now, &event).await?;
    if let Some(nanny) = ticket.assignee_id {
        tx.notify(
            nanny,
            &format!("“{}”对您的服务评价了{stars}星", ticket.served_name),
            &format!("/admin/tickets/{}", ticket.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Guarded::Changed)
}
