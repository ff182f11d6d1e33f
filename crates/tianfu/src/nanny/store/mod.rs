//! SQL for tickets: reading them with their steps and history (here), the nanny's work on an
//! open ticket (`work`: follow-ups, steps, the plan) and its ending (`ending`: handing over,
//! closing by hand or by a deal, the served person's rating). Every act writes its history row
//! in the same transaction as the change it records.

mod ending;
mod work;

pub use ending::{close, close_on_deal, rate, reassign};
pub use work::{
    PlanChange, REFRESH_DUE_SQL, TicketClosed, add_followup, change_plan, complete_step, history,
    insert_step, ledger_event,
};
pub(super) use work::{still_open, write_followup, write_step_done};

use chrono::{DateTime, Utc};
use tianfu_domain::{RegionCode, TicketKind};

use crate::on_db;
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::scope::RegionScope;

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
pub(crate) use ticket_select;

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
