//! SQL for the programme: sessions, the projects they present, registrations and check-ins.
//! An act on one session's seats begins by writing its row ([`lock`]): on PostgreSQL that holds
//! the row until commit, on SQLite it takes the write lock, so registrations and cancellations of
//! one session happen one after another, and the seat count is raised only below capacity in
//! the same statement ([`take_seat`]).

use chrono::{DateTime, Utc};

use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::Tx;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub fair_id: i64,
    pub kind: String,
    pub title: String,
    pub agenda: String,
    pub venue: String,
    pub region_code: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
    pub registered: i32,
    pub created_at: DateTime<Utc>,
}

macro_rules! session_select {
    () => {
        "SELECT id, fair_id, kind, title, agenda, venue, region_code, starts_at, ends_at, capacity, registered, created_at \
         FROM fair_sessions "
    };
}

pub struct NewSession<'a> {
    pub fair_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub agenda: &'a str,
    pub venue: &'a str,
    pub region_code: Option<&'a str>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i32,
}

/// Writes a session and the projects it presents, in their order.
pub async fn insert(
    tx: &mut Tx,
    new: &NewSession<'_>,
    projects: &[i64],
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO fair_sessions (fair_id, kind, title, agenda, venue, region_code, starts_at, ends_at, capacity, registered, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10) RETURNING id",
        )
        .bind(new.fair_id).bind(new.kind).bind(new.title).bind(new.agenda).bind(new.venue).bind(new.region_code)
        .bind(new.starts_at).bind(new.ends_at).bind(new.capacity).bind(now)
        .fetch_one(&mut **conn)
        .await?;
        for (position, project) in projects.iter().enumerate() {
            sqlx::query("INSERT INTO fair_session_projects (session_id, project_id, position) VALUES ($1, $2, $3)")
                .bind(id).bind(*project).bind(position as i32)
                .execute(&mut **conn).await?;
        }
        Ok(id)
    })
}

pub async fn find(db: &Db, fair_id: i64, id: i64) -> Result<Option<SessionRow>, sqlx::Error> {
    const SQL: &str = concat!(session_select!(), "WHERE id = $1 AND fair_id = $2");
    on_db!(db, pool => sqlx::query_as(SQL).bind(id).bind(fair_id).fetch_optional(pool).await)
}

/// An edition's sessions by start time, of one kind when `kind` is given.
pub async fn list(
    db: &Db,
    fair_id: i64,
    kind: Option<&str>,
    paging: Paging,
) -> Result<(Vec<SessionRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(concat!(session_select!(), "WHERE fair_id = "));
        rows.push_bind(fair_id);
        if let Some(kind) = kind {
            rows.push(" AND kind = ").push_bind(kind);
        }
        rows.push(" ORDER BY starts_at, id LIMIT ").push_bind(paging.limit())
            .push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<SessionRow>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM fair_sessions WHERE fair_id = ");
        count.push_bind(fair_id);
        if let Some(kind) = kind {
            count.push(" AND kind = ").push_bind(kind);
        }
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// An edition's whole programme by start time (an edition has dozens of sessions; at most
/// 500 are shown).
pub async fn programme(db: &Db, fair_id: i64) -> Result<Vec<SessionRow>, sqlx::Error> {
    const SQL: &str = concat!(
        session_select!(),
        "WHERE fair_id = $1 ORDER BY starts_at, id LIMIT 500"
    );
    on_db!(db, pool => sqlx::query_as(SQL).bind(fair_id).fetch_all(pool).await)
}

/// A project a session presents, as its page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PresentedRow {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub sector: String,
    pub region_code: String,
    pub hall_code: String,
    pub org_name: Option<String>,
    pub owner_id: i64,
    pub owner_name: String,
    pub status: String,
}

/// The projects a session presents, in their order.
pub async fn presented(db: &Db, session: i64) -> Result<Vec<PresentedRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT p.id, p.title, p.category, p.sector, p.region_code, p.hall_code, p.org_name, p.owner_id, u.name AS owner_name, p.status \
         FROM fair_session_projects sp JOIN fair_projects p ON p.id = sp.project_id JOIN users u ON u.id = p.owner_id \
         WHERE sp.session_id = $1 ORDER BY sp.position, p.id")
        .bind(session).fetch_all(pool).await)
}

/// Takes the session for the rest of the transaction (see the module's note); answers whether
/// it exists.
pub async fn lock(tx: &mut Tx, id: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query("UPDATE fair_sessions SET registered = registered WHERE id = $1")
        .bind(id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// One seat, if one is free: the count is raised only below capacity.
pub async fn take_seat(tx: &mut Tx, id: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE fair_sessions SET registered = registered + 1 WHERE id = $1 AND registered < capacity")
        .bind(id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

pub async fn release_seat(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE fair_sessions SET registered = registered - 1 WHERE id = $1 AND registered > 0")
        .bind(id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistrationRow {
    pub status: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

const REGISTRATION_SQL: &str = "SELECT status, checked_in_at, created_at FROM fair_registrations WHERE session_id = $1 AND user_id = $2";

pub async fn registration_of(
    db: &Db,
    session: i64,
    user: i64,
) -> Result<Option<RegistrationRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(REGISTRATION_SQL).bind(session).bind(user).fetch_optional(pool).await)
}

pub async fn registration_in(
    tx: &mut Tx,
    session: i64,
    user: i64,
) -> Result<Option<RegistrationRow>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_as(REGISTRATION_SQL).bind(session).bind(user).fetch_optional(&mut **conn).await)
}

/// Writes a registration, or revives a cancelled one; false when the person already holds a
/// live one (nothing changes then).
pub async fn put_registration(
    tx: &mut Tx,
    session: i64,
    user: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO fair_registrations (session_id, user_id, status, created_at) VALUES ($1, $2, 'registered', $3) \
         ON CONFLICT (session_id, user_id) DO UPDATE SET status = 'registered', created_at = excluded.created_at \
         WHERE fair_registrations.status = 'cancelled'")
        .bind(session).bind(user).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// Cancels a live registration not yet checked in (guarded); answers whether it was.
pub async fn cancel_registration(
    tx: &mut Tx,
    session: i64,
    user: i64,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE fair_registrations SET status = 'cancelled' \
         WHERE session_id = $1 AND user_id = $2 AND status = 'registered' AND checked_in_at IS NULL")
        .bind(session).bind(user)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// Marks a registered person arrived, once (guarded: registered, not checked in yet).
pub async fn check_in(
    tx: &mut Tx,
    session: i64,
    user: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE fair_registrations SET checked_in_at = $3 \
         WHERE session_id = $1 AND user_id = $2 AND status = 'registered' AND checked_in_at IS NULL")
        .bind(session).bind(user).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// How many of a session's registered people have checked in.
pub async fn checked_in(db: &Db, session: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM fair_registrations WHERE session_id = $1 AND status = 'registered' AND checked_in_at IS NOT NULL")
        .bind(session).fetch_one(pool).await)
}
