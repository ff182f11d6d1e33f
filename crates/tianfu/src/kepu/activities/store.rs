//! SQL for activities, their sign-ups and their check-in codes. An act on one activity begins
//! by writing its row ([`lock`]): on PostgreSQL that holds the row until commit, on SQLite it
//! takes the write lock, so sign-ups, cancellations and check-ins of one activity happen one
//! after another, and the seat count is raised only below capacity in the same statement.

use chrono::{DateTime, Utc};

use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::Tx;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub region_code: String,
    pub place_id: Option<i64>,
    pub team_id: Option<i64>,
    pub organiser_id: i64,
    pub audiences: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i64,
    pub confirmed: i64,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub place_name: Option<String>,
    /// The place's WGS-84 coordinates, when it has them (离我最近).
    pub place_latitude: Option<f64>,
    pub place_longitude: Option<f64>,
    pub team_name: Option<String>,
    pub organiser_name: String,
}

macro_rules! activity_select {
    () => {
        "SELECT a.id, a.title, a.description, a.region_code, a.place_id, a.team_id, a.organiser_id, \
     a.audiences, a.starts_at, a.ends_at, a.capacity, a.confirmed, a.status, a.created_at, \
     p.name AS place_name, p.latitude AS place_latitude, p.longitude AS place_longitude, t.name AS team_name, u.name AS organiser_name \
     FROM kepu_activities a LEFT JOIN kepu_places p ON p.id = a.place_id \
     LEFT JOIN kepu_teams t ON t.id = a.team_id JOIN users u ON u.id = a.organiser_id"
    };
}

pub struct NewActivity<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub region_code: &'a str,
    pub place_id: Option<i64>,
    pub team_id: Option<i64>,
    pub organiser_id: i64,
    pub audiences: &'a [String],
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: i64,
}

pub async fn insert(
    tx: &mut Tx,
    new: &NewActivity<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let audiences = serde_json::to_string(new.audiences).expect("strings serialise");
    on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO kepu_activities (title, description, region_code, place_id, team_id, organiser_id, audiences, \
         starts_at, ends_at, capacity, confirmed, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, 'open', $11, $11) RETURNING id")
        .bind(new.title).bind(new.description).bind(new.region_code).bind(new.place_id).bind(new.team_id)
        .bind(new.organiser_id).bind(&audiences).bind(new.starts_at).bind(new.ends_at).bind(new.capacity).bind(now)
        .fetch_one(&mut **conn).await)
}

pub async fn find(db: &Db, id: i64) -> Result<Option<ActivityRow>, sqlx::Error> {
    let sql = concat!(activity_select!(), " WHERE a.id = $1");
    on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)
}

/// Takes the activity for the rest of the transaction (see the module's note); answers
/// whether it exists.
pub async fn lock(tx: &mut Tx, id: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query("UPDATE kepu_activities SET confirmed = confirmed WHERE id = $1")
        .bind(id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

pub async fn find_in(tx: &mut Tx, id: i64) -> Result<Option<ActivityRow>, sqlx::Error> {
    let sql = concat!(activity_select!(), " WHERE a.id = $1");
    on_tx!(tx, conn => sqlx::query_as(sql).bind(id).fetch_optional(&mut **conn).await)
}

/// One seat, if one is free: raises the count only below capacity.
pub async fn take_seat(tx: &mut Tx, id: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE kepu_activities SET confirmed = confirmed + 1 WHERE id = $1 AND confirmed < capacity")
        .bind(id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

pub async fn release_seat(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE kepu_activities SET confirmed = confirmed - 1 WHERE id = $1 AND confirmed > 0")
        .bind(id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignupRow {
    pub id: i64,
    pub activity_id: i64,
    pub user_id: i64,
    pub role: String,
    pub status: String,
    pub queued_at: DateTime<Utc>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub rating: Option<i64>,
    pub feedback: Option<String>,
}

macro_rules! signup_select {
    () => {
        "SELECT id, activity_id, user_id, role, status, queued_at, checked_in_at, rating, feedback FROM kepu_signups"
    };
}

pub async fn signup_of(
    db: &Db,
    activity: i64,
    user: i64,
) -> Result<Option<SignupRow>, sqlx::Error> {
    let sql = concat!(signup_select!(), " WHERE activity_id = $1 AND user_id = $2");
    on_db!(db, pool => sqlx::query_as(sql).bind(activity).bind(user).fetch_optional(pool).await)
}

pub async fn signup_in(
    tx: &mut Tx,
    activity: i64,
    user: i64,
) -> Result<Option<SignupRow>, sqlx::Error> {
    let sql = concat!(signup_select!(), " WHERE activity_id = $1 AND user_id = $2");
    on_tx!(tx, conn => sqlx::query_as(sql).bind(activity).bind(user).fetch_optional(&mut **conn).await)
}

/// Writes a sign-up, or revives a cancelled one at the back of the queue; answers false when
/// the person already holds a live sign-up (nothing changes then).
pub async fn put_signup(
    tx: &mut Tx,
    activity: i64,
    user: i64,
    role: &str,
    status: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO kepu_signups (activity_id, user_id, role, status, queued_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) \
         ON CONFLICT (activity_id, user_id) DO UPDATE SET role = excluded.role, status = excluded.status, \
         queued_at = excluded.queued_at, updated_at = excluded.updated_at WHERE kepu_signups.status = 'cancelled'")
        .bind(activity).bind(user).bind(role).bind(status).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// Moves a sign-up from `from` to `to` (guarded); answers whether it moved.
pub async fn move_signup(
    tx: &mut Tx,
    id: i64,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE kepu_signups SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2 AND checked_in_at IS NULL")
        .bind(id).bind(from).bind(to).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// The head of the waiting list: (sign-up id, person).
pub async fn next_waiting(tx: &mut Tx, activity: i64) -> Result<Option<(i64, i64)>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, user_id FROM kepu_signups WHERE activity_id = $1 AND status = 'waitlisted' \
         ORDER BY queued_at, id LIMIT 1")
        .bind(activity).fetch_optional(&mut **conn).await)
}

/// A waiting sign-up's place in the queue (1 for the next to move up).
pub async fn queue_position(db: &Db, signup: &SignupRow) -> Result<i64, sqlx::Error> {
    let ahead: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM kepu_signups WHERE activity_id = $1 AND status = 'waitlisted' \
         AND (queued_at < $2 OR (queued_at = $2 AND id < $3))")
        .bind(signup.activity_id).bind(signup.queued_at).bind(signup.id).fetch_one(pool).await)?;
    Ok(ahead + 1)
}

/// Marks the person checked in (guarded: a confirmed sign-up, not checked in yet).
pub async fn check_in(tx: &mut Tx, signup: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE kepu_signups SET checked_in_at = $2, updated_at = $2 WHERE id = $1 AND status = 'confirmed' AND checked_in_at IS NULL")
        .bind(signup).bind(now).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// Feedback from an attendee who checked in; answers whether they had.
pub async fn feedback(
    tx: &mut Tx,
    activity: i64,
    user: i64,
    rating: i64,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE kepu_signups SET rating = $3, feedback = $4, updated_at = $5 \
         WHERE activity_id = $1 AND user_id = $2 AND checked_in_at IS NOT NULL AND role = 'attendee'")
        .bind(activity).bind(user).bind(rating).bind(comment).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// A code shown at the venue.
pub async fn insert_code(
    tx: &mut Tx,
    code: &str,
    activity: i64,
    issuer: i64,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO kepu_checkin_codes (code, activity_id, issued_by, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(code).bind(activity).bind(issuer).bind(now).bind(expires_at)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(())
}

/// The newest unused code of an activity that is still good at `now`.
pub async fn current_code(
    db: &Db,
    activity: i64,
    now: DateTime<Utc>,
) -> Result<Option<(String, DateTime<Utc>)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT code, expires_at FROM kepu_checkin_codes WHERE activity_id = $1 AND used_by IS NULL AND expires_at > $2 \
         ORDER BY issued_at DESC LIMIT 1")
        .bind(activity).bind(now).fetch_optional(pool).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRow {
    pub activity_id: i64,
    pub issued_by: i64,
    pub expires_at: DateTime<Utc>,
    pub used_by: Option<i64>,
}

pub async fn code_in(tx: &mut Tx, code: &str) -> Result<Option<CodeRow>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_as(
        "SELECT activity_id, issued_by, expires_at, used_by FROM kepu_checkin_codes WHERE code = $1")
        .bind(code).fetch_optional(&mut **conn).await)
}

/// The same read outside a transaction, to refuse a bad code before taking any lock.
pub async fn code_of(db: &Db, code: &str) -> Result<Option<CodeRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT activity_id, issued_by, expires_at, used_by FROM kepu_checkin_codes WHERE code = $1")
        .bind(code).fetch_optional(pool).await)
}

/// Confirmed volunteers serving an activity.
pub async fn volunteers(tx: &mut Tx, activity: i64) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT COUNT(*) FROM kepu_signups WHERE activity_id = $1 AND role = 'volunteer' AND status = 'confirmed'")
        .bind(activity).fetch_one(&mut **conn).await)
}

/// Another activity the person served (checked in as a volunteer) overlapping `starts..ends`.
pub async fn overlapping_service(
    tx: &mut Tx,
    user: i64,
    activity: i64,
    starts: DateTime<Utc>,
    ends: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT a.title FROM kepu_signups s JOIN kepu_activities a ON a.id = s.activity_id \
         WHERE s.user_id = $1 AND s.role = 'volunteer' AND s.checked_in_at IS NOT NULL AND a.id <> $2 \
         AND a.starts_at < $4 AND a.ends_at > $3 LIMIT 1")
        .bind(user).bind(activity).bind(starts).bind(ends).fetch_optional(&mut **conn).await)
}

/// Spends a code (guarded: this activity's, unused, not expired).
pub async fn use_code(
    tx: &mut Tx,
    code: &str,
    activity: i64,
    user: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE kepu_checkin_codes SET used_by = $3, used_at = $4 \
         WHERE code = $1 AND activity_id = $2 AND used_by IS NULL AND expires_at > $4")
        .bind(code).bind(activity).bind(user).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub region: Option<tianfu_domain::RegionCode>,
    pub place_id: Option<i64>,
    pub team_id: Option<i64>,
    /// Some(true): not ended yet at `now`, soonest first; Some(false): ended, latest first.
    pub upcoming: Option<bool>,
    pub now: Option<DateTime<Utc>>,
    pub open_only: bool,
}

macro_rules! push_activity_filter {
    ($q:expr, $filter:expr) => {{
        $q.push(" WHERE 1 = 1");
        if let Some(region) = &$filter.region {
            let (low, high) = region.subtree_bounds();
            $q.push(" AND a.region_code >= ").push_bind(low);
            $q.push(" AND a.region_code < ").push_bind(high);
        }
        if let Some(place) = $filter.place_id {
            $q.push(" AND a.place_id = ").push_bind(place);
        }
        if let Some(team) = $filter.team_id {
            $q.push(" AND a.team_id = ").push_bind(team);
        }
        if let (Some(upcoming), Some(now)) = ($filter.upcoming, $filter.now) {
            $q.push(if upcoming {
                " AND a.ends_at > "
            } else {
                " AND a.ends_at <= "
            })
            .push_bind(now);
        }
        if $filter.open_only {
            $q.push(" AND a.status = 'open'");
        }
    }};
}

pub async fn list(
    db: &Db,
    filter: &ActivityFilter,
    paging: Paging,
) -> Result<(Vec<ActivityRow>, i64), sqlx::Error> {
    let order = if filter.upcoming == Some(false) {
        " ORDER BY a.starts_at DESC, a.id DESC"
    } else {
        " ORDER BY a.starts_at, a.id"
    };
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(activity_select!());
        push_activity_filter!(rows, filter);
        rows.push(order).push(" LIMIT ").push_bind(paging.limit())
            .push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<ActivityRow>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM kepu_activities a");
        push_activity_filter!(count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RosterRow {
    pub user_id: i64,
    pub name: String,
    pub phone: String,
    pub role: String,
    pub status: String,
    pub queued_at: DateTime<Utc>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub rating: Option<i64>,
    pub feedback: Option<String>,
}

/// Everyone signed up (not cancelled): volunteers first, then in queue order.
pub async fn roster(
    db: &Db,
    activity: i64,
    paging: Paging,
) -> Result<(Vec<RosterRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let rows = sqlx::query_as(
            "SELECT s.user_id, u.name, u.phone, s.role, s.status, s.queued_at, s.checked_in_at, s.rating, s.feedback \
             FROM kepu_signups s JOIN users u ON u.id = s.user_id \
             WHERE s.activity_id = $1 AND s.status <> 'cancelled' \
             ORDER BY s.role DESC, s.status, s.queued_at, s.id LIMIT $2 OFFSET $3")
            .bind(activity).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM kepu_signups WHERE activity_id = $1 AND status <> 'cancelled'")
            .bind(activity).fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// (waiting, checked in, volunteers, ratings given, sum of ratings) of one activity. (A sum of
/// BIGINTs is NUMERIC on PostgreSQL, hence the cast.)
pub async fn tallies(db: &Db, activity: i64) -> Result<(i64, i64, i64, i64, i64), sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT \
           COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN checked_in_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN role = 'volunteer' AND status = 'confirmed' THEN 1 ELSE 0 END), 0), \
           COALESCE(SUM(CASE WHEN rating IS NOT NULL THEN 1 ELSE 0 END), 0), \
           CAST(COALESCE(SUM(rating), 0) AS BIGINT) \
         FROM kepu_signups WHERE activity_id = $1")
        .bind(activity).fetch_one(pool).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MineRow {
    pub activity_id: i64,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub region_code: String,
    pub place_name: Option<String>,
    pub role: String,
    pub status: String,
    pub checked_in_at: Option<DateTime<Utc>>,
}

/// A person's sign-ups (我的报名), the newest activity first.
pub async fn mine(db: &Db, user: i64, paging: Paging) -> Result<(Vec<MineRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let rows = sqlx::query_as(
            "SELECT a.id AS activity_id, a.title, a.starts_at, a.ends_at, a.region_code, p.name AS place_name, \
             s.role, s.status, s.checked_in_at \
             FROM kepu_signups s JOIN kepu_activities a ON a.id = s.activity_id LEFT JOIN kepu_places p ON p.id = a.place_id \
             WHERE s.user_id = $1 ORDER BY s.id DESC LIMIT $2 OFFSET $3")
            .bind(user).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM kepu_signups WHERE user_id = $1")
            .bind(user).fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// Members of a team (for who may post and serve its activities).
pub async fn is_team_member(
    db: &Db,
    team: i64,
    user: i64,
    leaders_only: bool,
) -> Result<bool, sqlx::Error> {
    let role: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT role FROM kepu_team_members WHERE team_id = $1 AND user_id = $2")
        .bind(team).bind(user).fetch_optional(pool).await)?;
    Ok(role.is_some_and(|r| !leaders_only || r == "leader"))
}

/// Does the person manage a place or lead a team (so they may post activities for it)?
pub async fn posts_for_something(db: &Db, user: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT place_id FROM kepu_place_managers WHERE user_id = $1 \
         UNION ALL SELECT team_id FROM kepu_team_members WHERE user_id = $1 AND role = 'leader' LIMIT 1")
        .bind(user).fetch_optional(pool).await)?;
    Ok(found.is_some())
}

/// Is the person in any 志愿服务队 (so they may serve activities as a volunteer)?
pub async fn in_any_team(db: &Db, user: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT team_id FROM kepu_team_members WHERE user_id = $1 LIMIT 1")
        .bind(user).fetch_optional(pool).await)?;
    Ok(found.is_some())
}

/// Check-ins per activity, for a page of activities (one grouped query).
pub async fn checked_in_counts(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, i64>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, i64)> = on_db!(db, pool => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT activity_id, COUNT(*) FROM kepu_signups WHERE checked_in_at IS NOT NULL AND activity_id IN (");
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        q.push(") GROUP BY activity_id");
        q.build_query_as().fetch_all(pool).await
    })?;
    Ok(rows.into_iter().collect())
}

/// Calls an activity off (guarded: open and not yet over); answers whether it was.
pub async fn call_off(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE kepu_activities SET status = 'cancelled', updated_at = $2 WHERE id = $1 AND status = 'open' AND ends_at > $2")
        .bind(id).bind(now).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// Tells everyone holding a live sign-up, in one statement whatever their number.
pub async fn notify_signed_up(
    tx: &mut Tx,
    id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let link = format!("/kepu/activities/{id}");
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO notifications (user_id, text, link, created_at) \
         SELECT user_id, $2, $3, $4 FROM kepu_signups WHERE activity_id = $1 AND status <> 'cancelled'")
        .bind(id).bind(text).bind(&link).bind(now).execute(&mut **conn).await.map(|d| d.rows_affected()))
}
