//! The SQL of review and selection: reviewers (`fair_reviewers`), assignments
//! (`fair_assignments`), scores (`fair_scores`), and the selection's writes on `fair_projects`.
//! Whatever must not race is serialised on the edition's row: an act's transaction first writes
//! it ([`lock_fair`], [`lock_open_fair`]), then reads and writes.

use chrono::{DateTime, Utc};

use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::Tx;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewerRow {
    pub user_id: i64,
    pub name: String,
    pub role: String,
    pub region_code: String,
    pub sectors: String,
    pub org_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Projects assigned to them in the edition.
    pub assigned: i64,
    /// Of those, the ones they scored.
    pub scored: i64,
}

impl ReviewerRow {
    pub fn sectors(&self) -> Vec<String> {
        serde_json::from_str(&self.sectors).unwrap_or_default()
    }
}

macro_rules! reviewer_select {
    () => {
        "SELECT r.user_id, u.name, u.role, u.region_code, r.sectors, r.org_name, r.created_at, \
         (SELECT COUNT(*) FROM fair_assignments a WHERE a.fair_id = r.fair_id AND a.reviewer_id = r.user_id) AS assigned, \
         (SELECT COUNT(*) FROM fair_scores s WHERE s.fair_id = r.fair_id AND s.reviewer_id = r.user_id) AS scored \
         FROM fair_reviewers r JOIN users u ON u.id = r.user_id "
    };
}

/// A user who might be invited: who they are and where.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub region_code: String,
}

pub async fn find_user(db: &Db, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, UserRow>("SELECT id, name, role, region_code FROM users WHERE id = $1")
        .bind(id).fetch_optional(pool).await)
}

pub async fn user_by_phone(db: &Db, phone: &str) -> Result<Option<UserRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, UserRow>("SELECT id, name, role, region_code FROM users WHERE phone = $1")
        .bind(phone).fetch_optional(pool).await)
}

/// Invites a reviewer, or changes an invited one's fields and organisation. Answers whether the
/// reviewer is new to the edition.
pub async fn upsert_reviewer(
    tx: &mut Tx,
    fair_id: i64,
    user_id: i64,
    sectors: &str,
    org_name: Option<&str>,
    invited_by: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    // Writes only (no read first): on SQLite a transaction that reads before it writes may be
    // refused when another writer commits in between.
    on_tx!(tx, conn => {
        let created = sqlx::query(
            "INSERT INTO fair_reviewers (fair_id, user_id, sectors, org_name, invited_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (fair_id, user_id) DO NOTHING")
            .bind(fair_id).bind(user_id).bind(sectors).bind(org_name).bind(invited_by).bind(now)
            .execute(&mut **conn).await?.rows_affected() == 1;
        if !created {
            sqlx::query("UPDATE fair_reviewers SET sectors = $1, org_name = $2 WHERE fair_id = $3 AND user_id = $4")
                .bind(sectors).bind(org_name).bind(fair_id).bind(user_id)
                .execute(&mut **conn).await?;
        }
        Ok(created)
    })
}

pub async fn find_reviewer(
    db: &Db,
    fair_id: i64,
    user_id: i64,
) -> Result<Option<ReviewerRow>, sqlx::Error> {
    const SQL: &str = concat!(
        reviewer_select!(),
        "WHERE r.fair_id = $1 AND r.user_id = $2"
    );
    on_db!(db, pool => sqlx::query_as::<_, ReviewerRow>(SQL).bind(fair_id).bind(user_id).fetch_optional(pool).await)
}

/// The edition's reviewers in the order they were invited.
pub async fn list_reviewers(
    db: &Db,
    fair_id: i64,
    paging: Paging,
) -> Result<(Vec<ReviewerRow>, i64), sqlx::Error> {
    const SQL: &str = concat!(
        reviewer_select!(),
        "WHERE r.fair_id = $1 ORDER BY r.created_at, r.user_id LIMIT $2 OFFSET $3"
    );
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, ReviewerRow>(SQL).bind(fair_id).bind(paging.limit()).bind(paging.offset())
            .fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fair_reviewers WHERE fair_id = $1")
            .bind(fair_id).fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// Serialises an act on the edition (majors, assignment): writes its row without changing it.
pub async fn lock_fair(tx: &mut Tx, fair_id: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query("UPDATE fairs SET updated_at = updated_at WHERE id = $1")
        .bind(fair_id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// As [`lock_fair`], only while the selection is unpublished: `false` once it is.
pub async fn lock_open_fair(tx: &mut Tx, fair_id: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE fairs SET updated_at = updated_at WHERE id = $1 AND selection_published_at IS NULL")
        .bind(fair_id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// Publishes the selection, once: `false` when it was published before (by anyone).
pub async fn publish_selection(
    tx: &mut Tx,
    fair_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE fairs SET selection_published_at = $1, updated_at = $1 WHERE id = $2 AND selection_published_at IS NULL")
        .bind(now).bind(fair_id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// A reviewer as assignment reads them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PoolRow {
    pub user_id: i64,
    pub region_code: String,
    pub sectors: String,
    pub org_name: Option<String>,
}

/// A project waiting for reviewers.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenProjectRow {
    pub id: i64,
    pub owner_id: i64,
    pub region_code: String,
    pub org_name: Option<String>,
    pub sector: String,
}

/// What assignment needs, read inside its transaction: the reviewers, the collected projects
/// and the current (project, reviewer) pairs.
pub async fn assignment_inputs(
    tx: &mut Tx,
    fair_id: i64,
) -> Result<(Vec<PoolRow>, Vec<OpenProjectRow>, Vec<(i64, i64)>), sqlx::Error> {
    on_tx!(tx, conn => {
        let pool = sqlx::query_as::<_, PoolRow>(
            "SELECT r.user_id, u.region_code, r.sectors, r.org_name FROM fair_reviewers r JOIN users u ON u.id = r.user_id \
             WHERE r.fair_id = $1 ORDER BY r.user_id")
            .bind(fair_id).fetch_all(&mut **conn).await?;
        let projects = sqlx::query_as::<_, OpenProjectRow>(
            "SELECT id, owner_id, region_code, org_name, sector FROM fair_projects \
             WHERE fair_id = $1 AND status = 'collected' ORDER BY id")
            .bind(fair_id).fetch_all(&mut **conn).await?;
        let pairs = sqlx::query_as::<_, (i64, i64)>(
            "SELECT project_id, reviewer_id FROM fair_assignments WHERE fair_id = $1")
            .bind(fair_id).fetch_all(&mut **conn).await?;
        Ok((pool, projects, pairs))
    })
}

/// Writes (project, reviewer) pairs, a thousand per statement; pairs already there are kept.
/// Answers how many were new.
pub async fn insert_assignments(
    tx: &mut Tx,
    fair_id: i64,
    pairs: &[(i64, i64)],
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let mut written = 0;
    for chunk in pairs.chunks(1000) {
        written += on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new(
                "INSERT INTO fair_assignments (project_id, reviewer_id, fair_id, assigned_at) ");
            query.push_values(chunk, |mut b, (project, reviewer)| {
                b.push_bind(*project).push_bind(*reviewer).push_bind(fair_id).push_bind(now);
            });
            query.push(" ON CONFLICT (project_id, reviewer_id) DO NOTHING");
            query.build().execute(&mut **conn).await.map(|d| d.rows_affected())
        })?;
    }
    Ok(written)
}

pub async fn is_assigned(db: &Db, project_id: i64, reviewer_id: i64) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM fair_assignments WHERE project_id = $1 AND reviewer_id = $2)")
        .bind(project_id).bind(reviewer_id).fetch_one(pool).await)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScoreRow {
    pub project_id: i64,
    pub reviewer_id: i64,
    pub score: f64,
    pub criteria: Option<String>,
    pub comment: String,
    pub scored_at: DateTime<Utc>,
}

pub struct NewScore<'a> {
    pub fair_id: i64,
    pub project_id: i64,
    pub reviewer_id: i64,
    pub score: f64,
    pub criteria: Option<&'a str>,
    pub comment: &'a str,
}

/// Saves a reviewer's score for a project, replacing their earlier one.
pub async fn upsert_score(
    tx: &mut Tx,
    new: &NewScore<'_>,
    now: DateTime<Utc>,
) -> Result<ScoreRow, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_as::<_, ScoreRow>(
        "INSERT INTO fair_scores (project_id, reviewer_id, fair_id, score, criteria, comment, scored_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (project_id, reviewer_id) \
         DO UPDATE SET score = excluded.score, criteria = excluded.criteria, comment = excluded.comment, scored_at = excluded.scored_at \
         RETURNING project_id, reviewer_id, score, criteria, comment, scored_at")
        .bind(new.project_id).bind(new.reviewer_id).bind(new.fair_id).bind(new.score).bind(new.criteria)
        .bind(new.comment).bind(now)
        .fetch_one(&mut **conn).await)
}

/// A project assigned to a reviewer, with their score if they gave one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MyReviewRow {
    pub project_id: i64,
    pub title: String,
    pub category: String,
    pub sector: String,
    pub region_code: String,
    pub hall_code: String,
    pub org_name: Option<String>,
    pub pitch: String,
    pub status: String,
    pub score: Option<f64>,
    pub criteria: Option<String>,
    pub comment: Option<String>,
    pub scored_at: Option<DateTime<Utc>>,
}

/// The projects assigned to `reviewer_id` in the edition (not withdrawn): unscored first.
pub async fn my_reviews(
    db: &Db,
    fair_id: i64,
    reviewer_id: i64,
    paging: Paging,
) -> Result<(Vec<MyReviewRow>, i64), sqlx::Error> {
    const FROM: &str = "FROM fair_assignments a JOIN fair_projects p ON p.id = a.project_id \
         LEFT JOIN fair_scores s ON s.project_id = a.project_id AND s.reviewer_id = a.reviewer_id \
         WHERE a.fair_id = $1 AND a.reviewer_id = $2 AND p.status <> 'withdrawn' ";
    let list = format!(
        "SELECT p.id AS project_id, p.title, p.category, p.sector, p.region_code, p.hall_code, p.org_name, p.pitch, \
         p.status, s.score, s.criteria, s.comment, s.scored_at {FROM}\
         ORDER BY s.score IS NOT NULL, p.id LIMIT $3 OFFSET $4"
    );
    let count = format!("SELECT COUNT(*) {FROM}");
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, MyReviewRow>(sqlx::AssertSqlSafe(list.as_str()))
            .bind(fair_id).bind(reviewer_id).bind(paging.limit()).bind(paging.offset())
            .fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(count.as_str()))
            .bind(fair_id).bind(reviewer_id).fetch_one(pool).await?;
        Ok((rows, total))
    })
}
