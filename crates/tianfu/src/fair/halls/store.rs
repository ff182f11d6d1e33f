//! SQL for the halls: selected counts per hall, a hall's page of projects (on the index
//! `fair_projects_hall`: edition, hall and status are always bound, the optional filters only
//! when set), visitors' interests, and 1:1 meetings with their slots.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::Tx;
use crate::{on_db, on_tx};

/// Selected projects per hall of an edition.
pub async fn selected_counts(db: &Db, fair_id: i64) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT hall_code, COUNT(*) FROM fair_projects WHERE fair_id = $1 AND status = 'selected' GROUP BY hall_code")
        .bind(fair_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().collect())
}

/// A project as a hall's card shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardRow {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub sector: String,
    pub region_code: String,
    pub org_name: Option<String>,
    pub owner_name: String,
    pub pitch: String,
    pub images: String,
    pub video_url: Option<String>,
    pub major: bool,
    /// How many projects the whole filtered list has (a window count, read with the page).
    pub total: i64,
}

/// What a hall's visitor narrows it to.
#[derive(Debug, Clone, Default)]
pub struct HallFilter {
    pub category: Option<String>,
    pub sector: Option<String>,
    /// Words in the title or pitch (without `%` or `_`).
    pub q: Option<String>,
}

macro_rules! push_hall_filter {
    ($q:expr, $fair:expr, $hall:expr, $filter:expr) => {{
        $q.push(" WHERE p.fair_id = ").push_bind($fair);
        $q.push(" AND p.hall_code = ").push_bind($hall);
        $q.push(" AND p.status = 'selected'");
        if let Some(category) = &$filter.category {
            $q.push(" AND p.category = ").push_bind(category.clone());
        }
        if let Some(sector) = &$filter.sector {
            $q.push(" AND p.sector = ").push_bind(sector.clone());
        }
        if let Some(words) = &$filter.q {
            let like = format!("%{words}%");
            $q.push(" AND (p.title LIKE ").push_bind(like.clone());
            $q.push(" OR p.pitch LIKE ").push_bind(like).push(")");
        }
    }};
}

/// A page of a hall's selected projects: the province's major projects first, then newest. The
/// list's size comes with the page (one statement); only a page past the end counts apart.
pub async fn hall_projects(
    db: &Db,
    fair_id: i64,
    hall: &str,
    filter: &HallFilter,
    paging: Paging,
) -> Result<(Vec<CardRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(
            "SELECT p.id, p.title, p.category, p.sector, p.region_code, p.org_name, u.name AS owner_name, p.pitch, \
             p.images, p.video_url, p.major, COUNT(*) OVER () AS total FROM fair_projects p JOIN users u ON u.id = p.owner_id");
        push_hall_filter!(rows, fair_id, hall.to_owned(), filter);
        rows.push(" ORDER BY p.major DESC, p.id DESC LIMIT ").push_bind(paging.limit())
            .push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<CardRow>().fetch_all(pool).await?;
        let total = match rows.first() {
            Some(row) => row.total,
            None if paging.offset() == 0 => 0,
            None => {
                let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM fair_projects p");
                push_hall_filter!(count, fair_id, hall.to_owned(), filter);
                count.build_query_scalar().fetch_one(pool).await?
            }
        };
        Ok((rows, total))
    })
}

/// The inquiry a person's earlier interest in a project became (`Some(None)` if it has none).
pub async fn interest_of(
    db: &Db,
    project: i64,
    user: i64,
) -> Result<Option<Option<i64>>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT inquiry_id FROM fair_interests WHERE project_id = $1 AND user_id = $2")
        .bind(project).bind(user).fetch_optional(pool).await)
}

/// Records an interest once per person and project; false when there already was one.
pub async fn insert_interest(
    tx: &mut Tx,
    fair: i64,
    project: i64,
    user: i64,
    inquiry: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO fair_interests (project_id, user_id, fair_id, inquiry_id, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (project_id, user_id) DO NOTHING")
        .bind(project).bind(user).bind(fair).bind(inquiry).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// The project's follow-up ticket and its nanny, when one was opened.
pub async fn follow_up_ticket(
    db: &Db,
    project: i64,
) -> Result<Option<(i64, Option<i64>)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT id, assignee_id FROM tickets WHERE kind = 'fair' AND subject_id = $1")
        .bind(project).fetch_optional(pool).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: i64,
    pub fair_id: i64,
    pub project_id: i64,
    pub project_title: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub slot_at: DateTime<Utc>,
    pub message: String,
    pub status: String,
    pub reply: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
}

macro_rules! meeting_select {
    () => {
        "SELECT m.id, m.fair_id, m.project_id, p.title AS project_title, m.requester_id, r.name AS requester_name, \
         m.owner_id, o.name AS owner_name, m.slot_at, m.message, m.status, m.reply, m.created_at, m.expires_at, m.answered_at \
         FROM fair_meetings m JOIN fair_projects p ON p.id = m.project_id JOIN users r ON r.id = m.requester_id \
         JOIN users o ON o.id = m.owner_id "
    };
}

pub async fn find_meeting(db: &Db, id: i64) -> Result<Option<MeetingRow>, sqlx::Error> {
    const SQL: &str = concat!(meeting_select!(), "WHERE m.id = $1");
    on_db!(db, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await)
}

/// Lapses the unanswered requests past their time that hold `project`'s `slot`, so they never
/// block it: (meeting, requester) of each.
pub async fn expire_slot(
    tx: &mut Tx,
    project: i64,
    slot: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_as(
        "UPDATE fair_meetings SET status = 'expired' \
         WHERE project_id = $1 AND slot_at = $2 AND status = 'requested' AND expires_at <= $3 RETURNING id, requester_id")
        .bind(project).bind(slot).bind(now).fetch_all(&mut **conn).await)
}

/// Lapses every unanswered request past its time, a batch at a time: (meeting, requester,
/// project) of each.
pub async fn expire_lapsed(
    tx: &mut Tx,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_as(
        "UPDATE fair_meetings SET status = 'expired' WHERE id IN \
         (SELECT id FROM fair_meetings WHERE status = 'requested' AND expires_at <= $1 ORDER BY expires_at LIMIT 500) \
         AND status = 'requested' RETURNING id, requester_id, project_id")
        .bind(now).fetch_all(&mut **conn).await)
}

pub async fn project_title(tx: &mut Tx, project: i64) -> Result<String, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar("SELECT title FROM fair_projects WHERE id = $1")
        .bind(project).fetch_one(&mut **conn).await)
}

/// Whether the person already holds a live (requested or accepted) meeting on the project.
pub async fn holds_live(tx: &mut Tx, project: i64, requester: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT id FROM fair_meetings WHERE project_id = $1 AND requester_id = $2 AND status IN ('requested', 'accepted') LIMIT 1")
        .bind(project).bind(requester).fetch_optional(&mut **conn).await)?;
    Ok(found.is_some())
}

pub struct NewMeeting<'a> {
    pub fair_id: i64,
    pub project_id: i64,
    pub requester_id: i64,
    pub owner_id: i64,
    pub slot_at: DateTime<Utc>,
    pub message: &'a str,
    pub expires_at: DateTime<Utc>,
}

/// Writes a request; a unique violation (`fair_meetings_slot_key`) means the slot is held.
pub async fn insert_meeting(
    tx: &mut Tx,
    new: &NewMeeting<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO fair_meetings (fair_id, project_id, requester_id, owner_id, slot_at, message, status, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'requested', $7, $8) RETURNING id")
        .bind(new.fair_id).bind(new.project_id).bind(new.requester_id).bind(new.owner_id).bind(new.slot_at)
        .bind(new.message).bind(now).bind(new.expires_at)
        .fetch_one(&mut **conn).await)
}

/// The owner's answer (guarded: still requested and not lapsed); answers whether it was taken.
pub async fn answer(
    tx: &mut Tx,
    id: i64,
    status: &str,
    reply: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE fair_meetings SET status = $2, reply = $3, answered_at = $4 \
         WHERE id = $1 AND status = 'requested' AND expires_at > $4")
        .bind(id).bind(status).bind(reply).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// The requester calls a live request off (guarded); answers whether it was.
/// A meeting whose slot has passed stays on record (for the six-month survey).
pub async fn cancel_meeting(
    tx: &mut Tx,
    id: i64,
    requester: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE fair_meetings SET status = 'cancelled' \
         WHERE id = $1 AND requester_id = $2 AND status IN ('requested', 'accepted') AND slot_at > $3")
        .bind(id).bind(requester).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// Whose meetings a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Owner,
    Requester,
    Either,
}

/// A person's meetings, newest first: of one edition when `fair` is given.
pub async fn meetings_of(
    db: &Db,
    user: i64,
    side: Side,
    fair: Option<i64>,
    paging: Paging,
) -> Result<(Vec<MeetingRow>, i64), sqlx::Error> {
    macro_rules! push_where {
        ($q:expr) => {{
            match side {
                Side::Owner => $q.push(" WHERE m.owner_id = ").push_bind(user),
                Side::Requester => $q.push(" WHERE m.requester_id = ").push_bind(user),
                Side::Either => $q
                    .push(" WHERE (m.owner_id = ")
                    .push_bind(user)
                    .push(" OR m.requester_id = ")
                    .push_bind(user)
                    .push(")"),
            };
            if let Some(fair) = fair {
                $q.push(" AND m.fair_id = ").push_bind(fair);
            }
        }};
    }
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(meeting_select!());
        push_where!(rows);
        rows.push(" ORDER BY m.id DESC LIMIT ").push_bind(paging.limit())
            .push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<MeetingRow>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM fair_meetings m");
        push_where!(count);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// The coming slots of a project already held (requested and not lapsed, or accepted).
pub async fn held_slots(
    db: &Db,
    project: i64,
    now: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT slot_at FROM fair_meetings WHERE project_id = $1 AND slot_at > $2 \
         AND (status = 'accepted' OR (status = 'requested' AND expires_at > $2)) ORDER BY slot_at LIMIT 100")
        .bind(project).bind(now).fetch_all(pool).await)
}
