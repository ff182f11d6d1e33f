//! The SQL of ranking and selection: an edition's projects and scores read set-wise (one query
//! each, whatever the number of projects), the placings written a few hundred rows per
//! statement, the owners told in bulk, the major projects counted and marked.

use chrono::{DateTime, Utc};

use crate::platform::db::Db;
use crate::platform::tx::Tx;
use crate::{on_db, on_tx};

/// A project as ranking reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RankRow {
    pub id: i64,
    pub title: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub org_name: Option<String>,
    pub region_code: String,
    pub hall_code: String,
    pub category: String,
    pub sector: String,
    pub status: String,
    pub major: bool,
}

macro_rules! rank_select {
    () => {
        "SELECT p.id, p.title, p.owner_id, u.name AS owner_name, p.org_name, p.region_code, p.hall_code, p.category, \
         p.sector, p.status, p.major FROM fair_projects p JOIN users u ON u.id = p.owner_id "
    };
}

/// Every project of the edition that takes part in ranking (not withdrawn), every score and
/// the number of reviewers of each project.
pub struct RankInputs {
    pub projects: Vec<RankRow>,
    pub scores: Vec<(i64, f64)>,
    pub assigned: Vec<(i64, i64)>,
}

const SCORES_SQL: &str = "SELECT project_id, score FROM fair_scores WHERE fair_id = $1";
const ASSIGNED_SQL: &str =
    "SELECT project_id, COUNT(*) FROM fair_assignments WHERE fair_id = $1 GROUP BY project_id";

pub async fn ranking_inputs(db: &Db, fair_id: i64) -> Result<RankInputs, sqlx::Error> {
    const SQL: &str = concat!(
        rank_select!(),
        "WHERE p.fair_id = $1 AND p.status IN ('collected', 'selected', 'not_selected') ORDER BY p.id"
    );
    on_db!(db, pool => {
        let projects = sqlx::query_as::<_, RankRow>(SQL).bind(fair_id).fetch_all(pool).await?;
        let scores = sqlx::query_as::<_, (i64, f64)>(SCORES_SQL).bind(fair_id).fetch_all(pool).await?;
        let assigned = sqlx::query_as::<_, (i64, i64)>(ASSIGNED_SQL).bind(fair_id).fetch_all(pool).await?;
        Ok(RankInputs { projects, scores, assigned })
    })
}

/// The collected projects and their scores, read inside the selection's transaction (after it
/// took the edition's row, so no score lands in between).
pub async fn selection_inputs(tx: &mut Tx, fair_id: i64) -> Result<RankInputs, sqlx::Error> {
    const SQL: &str = concat!(
        rank_select!(),
        "WHERE p.fair_id = $1 AND p.status = 'collected' ORDER BY p.id"
    );
    on_tx!(tx, conn => {
        let projects = sqlx::query_as::<_, RankRow>(SQL).bind(fair_id).fetch_all(&mut **conn).await?;
        let scores = sqlx::query_as::<_, (i64, f64)>(SCORES_SQL).bind(fair_id).fetch_all(&mut **conn).await?;
        Ok(RankInputs { projects, scores, assigned: Vec::new() })
    })
}

/// Where selection put one project.
#[derive(Debug, Clone)]
pub struct PlacingWrite {
    pub id: i64,
    pub score: Option<f64>,
    pub review_count: i32,
    pub group_rank: Option<i32>,
    pub selected: bool,
}

/// Writes each project's aggregate, number of scores, rank and status, a few hundred projects
/// per statement (`WITH v(…) AS (VALUES …) UPDATE … FROM v`, on both engines). Only projects
/// still collected change. Answers how many did.
pub async fn write_placings(
    tx: &mut Tx,
    fair_id: i64,
    placings: &[PlacingWrite],
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let mut written = 0;
    for chunk in placings.chunks(500) {
        written += on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new("WITH v (id, score, review_count, group_rank, status) AS (");
            query.push_values(chunk, |mut b, p| {
                b.push_bind(p.id)
                    .push_bind(p.score)
                    .push_bind(p.review_count)
                    .push_bind(p.group_rank)
                    .push_bind(if p.selected { "selected" } else { "not_selected" });
            });
            query.push(") UPDATE fair_projects SET score = v.score, review_count = v.review_count, \
                        group_rank = v.group_rank, status = v.status, updated_at = ");
            query.push_bind(now);
            query.push(" FROM v WHERE fair_projects.id = v.id AND fair_projects.fair_id = ");
            query.push_bind(fair_id);
            query.push(" AND fair_projects.status = 'collected'");
            query.build().execute(&mut **conn).await.map(|d| d.rows_affected())
        })?;
    }
    Ok(written)
}

/// One in-app notification.
pub struct Note {
    pub user_id: i64,
    pub text: String,
    pub link: String,
}

/// Tells many people something at once, a thousand notifications per statement.
pub async fn notify_many(
    tx: &mut Tx,
    notes: &[Note],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in notes.chunks(1000) {
        on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO notifications (user_id, text, link, created_at) ");
            query.push_values(chunk, |mut b, n| {
                b.push_bind(n.user_id).push_bind(n.text.clone()).push_bind(n.link.clone()).push_bind(now);
            });
            query.build().execute(&mut **conn).await.map(|d| d.rows_affected())
        })?;
    }
    Ok(())
}

/// The edition's major projects of `category` (inside the transaction that holds the edition).
pub async fn count_majors(tx: &mut Tx, fair_id: i64, category: &str) -> Result<i64, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM fair_projects WHERE fair_id = $1 AND category = $2 AND major")
        .bind(fair_id).bind(category).fetch_one(&mut **conn).await)
}

/// Marks a selected project as major or not; `false` when it is not selected.
pub async fn set_major(
    tx: &mut Tx,
    fair_id: i64,
    id: i64,
    major: bool,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE fair_projects SET major = $1, updated_at = $2 WHERE id = $3 AND fair_id = $4 AND status = 'selected'")
        .bind(major).bind(now).bind(id).bind(fair_id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// Major projects per category, for the console.
pub async fn majors_by_category(db: &Db, fair_id: i64) -> Result<Vec<(String, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, (String, i64)>(
        "SELECT category, COUNT(*) FROM fair_projects WHERE fair_id = $1 AND major GROUP BY category")
        .bind(fair_id).fetch_all(pool).await)
}

/// Whether a project is major now (inside the transaction that holds the edition).
pub async fn project_major(tx: &mut Tx, id: i64) -> Result<bool, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar::<_, bool>("SELECT major FROM fair_projects WHERE id = $1")
        .bind(id).fetch_one(&mut **conn).await)
}
