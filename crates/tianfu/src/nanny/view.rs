//! A ticket as the API and the pages show it, with Chinese labels and Beijing times.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::{Channel, TicketKind, TicketStatus};
use utoipa::ToSchema;

use super::store::{self, EventRow, LinkRow, StepRow, TicketRow};
use crate::App;
use crate::platform::clock::shanghai;

#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub phone: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StepView {
    pub id: i64,
    pub name: String,
    pub due_at: DateTime<Utc>,
    pub due_label: String,
    /// The due day in Beijing time, YYYY-MM-DD.
    pub due_date: String,
    pub done_at: Option<DateTime<Utc>>,
    pub repeat_days: Option<i64>,
    /// Undone and past its due time.
    pub overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    /// listing, inquiry or deal.
    pub kind: String,
    pub id: i64,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub at: DateTime<Utc>,
    pub at_label: String,
    /// Who did it; empty for the system.
    pub actor: String,
    /// opened, assigned, followup, step_done, plan_changed, overdue, escalated, closed, rated.
    pub kind: String,
    pub channel: Option<String>,
    pub channel_label: String,
    pub note: String,
    pub outcome: Option<String>,
    pub links: Vec<LinkView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketView {
    pub id: i64,
    /// person（一人一策）, need（一单一策） or fair（一项一策（科创会））.
    pub kind: String,
    pub kind_label: String,
    /// The scientist's user id, the need's listing id or the 科创会 project's id.
    pub subject_id: i64,
    pub subject: String,
    pub served: Person,
    pub assignee: Option<Person>,
    /// open or closed.
    pub status: String,
    pub status_label: String,
    pub region_code: String,
    pub region_name: String,
    pub opened_at: DateTime<Utc>,
    pub opened_label: String,
    pub first_contact_at: Option<DateTime<Utc>>,
    pub next_due_at: Option<DateTime<Utc>>,
    pub next_due_label: String,
    /// The next step's countdown in Beijing days: 剩 3 天, 今日到期, 逾期 2 天 (open tickets).
    pub countdown: Option<String>,
    pub overdue: bool,
    /// Handed to its nanny within the last day, or not yet opened by them (新分派).
    #[serde(skip)]
    pub fresh: bool,
    /// The region the ticket was escalated to while it is overdue beyond the threshold.
    pub escalated_to: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    /// deal (closed by a signed deal) or closed (by the nanny, with a reason).
    pub outcome: Option<String>,
    pub close_reason: Option<String>,
    pub deal_id: Option<i64>,
    pub rating: Option<i64>,
    pub rating_comment: Option<String>,
}

impl TicketView {
    pub fn new(app: &App, row: TicketRow) -> Self {
        let assignee = match (row.assignee_id, row.assignee_name, row.assignee_phone) {
            (Some(id), Some(name), Some(phone)) => Some(Person { id, name, phone }),
            _ => None,
        };
        TicketView {
            kind_label: TicketKind::parse(&row.kind)
                .map_or("", |k| k.label())
                .to_owned(),
            status_label: match (row.status.as_str(), row.outcome.as_deref()) {
                ("closed", Some("deal")) => "已签约办结".to_owned(),
                (status, _) => TicketStatus::parse(status)
                    .map_or("", |s| s.label())
                    .to_owned(),
            },
            region_name: app.regions.full_name_of(&row.region_code),
            opened_label: shanghai(row.opened_at),
            next_due_label: row.next_due_at.map(shanghai).unwrap_or_default(),
            countdown: row
                .next_due_at
                .filter(|_| row.status == "open")
                .map(|due| countdown(due, app.clock.now())),
            fresh: row.status == "open"
                && row.assignee_id.is_some()
                && (row.seen_at.is_none()
                    || row
                        .assigned_at
                        .is_some_and(|at| at >= super::desk::fresh_since(app.clock.now()))),
            overdue: row.overdue_since.is_some(),
            escalated_to: row.escalated_at.and(row.escalated_to),
            served: Person {
                id: row.served_id,
                name: row.served_name,
                phone: row.served_phone,
            },
            assignee,
            id: row.id,
            kind: row.kind,
            subject_id: row.subject_id,
            subject: row.title,
            status: row.status,
            region_code: row.region_code,
            opened_at: row.opened_at,
            first_contact_at: row.first_contact_at,
            next_due_at: row.next_due_at,
            closed_at: row.closed_at,
            outcome: row.outcome,
            close_reason: row.close_reason,
            deal_id: row.deal_id,
            rating: row.rating,
            rating_comment: row.rating_comment,
        }
    }
}

/// Days left until `due` (by Beijing calendar days), or days it is late.
pub fn countdown(due: DateTime<Utc>, now: DateTime<Utc>) -> String {
    use crate::platform::clock::shanghai_date;
    let days = (shanghai_date(due) - shanghai_date(now)).num_days();
    match days {
        _ if due < now && days >= 0 => "今日逾期".to_owned(),
        0 => "今日到期".to_owned(),
        d if d > 0 => format!("剩 {d} 天"),
        d => format!("逾期 {} 天", -d),
    }
}

impl StepView {
    /// `open` is the ticket's state: steps of a closed ticket are no longer owed.
    pub fn new(row: StepRow, now: DateTime<Utc>, open: bool) -> Self {
        StepView {
            overdue: open && row.done_at.is_none() && row.due_at < now,
            due_label: shanghai(row.due_at),
            due_date: crate::platform::clock::shanghai_date(row.due_at).to_string(),
            id: row.id,
            name: row.name,
            due_at: row.due_at,
            done_at: row.done_at,
            repeat_days: row.repeat_days,
        }
    }
}

impl EventView {
    fn new(row: EventRow, links: &[LinkRow]) -> Self {
        EventView {
            at_label: shanghai(row.at),
            channel_label: row
                .channel
                .as_deref()
                .and_then(|c| Channel::parse(c).ok())
                .map_or("", |c| c.label())
                .to_owned(),
            links: links
                .iter()
                .filter(|l| l.event_id == row.id)
                .map(|l| LinkView {
                    kind: l.kind.clone(),
                    id: l.target_id,
                    title: l.title.clone(),
                })
                .collect(),
            at: row.at,
            actor: row.actor_name.unwrap_or_default(),
            kind: row.kind,
            channel: row.channel,
            note: row.note,
            outcome: row.outcome,
        }
    }
}

/// A ticket with its plan and its whole history, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub steps: Vec<StepView>,
    pub history: Vec<EventView>,
}

impl TicketDetail {
    pub async fn load(app: &App, row: TicketRow) -> Result<Self, sqlx::Error> {
        let now = app.clock.now();
        let steps = store::steps(&app.db, row.id).await?;
        let events = store::events(&app.db, row.id).await?;
        let links = store::links(&app.db, row.id).await?;
        Ok(TicketDetail {
            steps: steps
                .into_iter()
                .map(|s| StepView::new(s, now, row.is_open()))
                .collect(),
            history: events
                .into_iter()
                .map(|e| EventView::new(e, &links))
                .collect(),
            ticket: TicketView::new(app, row),
        })
    }

    /// One page of the tickets that serve `user` (one for a scientist, one per need an
    /// organisation published), as they may see them, and how many there are in all.
    pub async fn served_by(
        app: &App,
        user: i64,
        paging: crate::platform::api::Paging,
    ) -> Result<(Vec<Self>, i64), sqlx::Error> {
        let filter = store::TicketFilter {
            served: Some(user),
            ..Default::default()
        };
        let (rows, total) = store::list(&app.db, &filter, paging).await?;
        let mut tickets = Vec::with_capacity(rows.len());
        for row in rows {
            tickets.push(Self::load(app, row).await?.for_served());
        }
        Ok((tickets, total))
    }

    /// What the served person sees: the plan and the follow-ups' channel, time and outcome,
    /// not the nanny's working notes.
    pub fn for_served(mut self) -> Self {
        self.history.retain(|e| {
            matches!(
                e.kind.as_str(),
                "followup" | "step_done" | "closed" | "rated" | "opened"
            )
        });
        for event in &mut self.history {
            if event.kind == "followup" {
                event.note.clear();
            }
        }
        self
    }
}
