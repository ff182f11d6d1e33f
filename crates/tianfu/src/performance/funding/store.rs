//! Saved allocations: one row each, never updated except for its superseded marker. A save
//! inserts the new row naming the one it supersedes — (year, parent_code, supersedes) is unique,
//! so of two saves starting from the same current allocation one fails — and marks the old one
//! with one guarded UPDATE in the same transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{Allocation, Item};
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::tx::Guarded;
use crate::{on_db, on_tx};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    year: i32,
    parent_code: String,
    period: String,
    pool_fen: i64,
    base_share: f64,
    formula: String,
    min_score: Option<f64>,
    formula_text: String,
    score_version: Option<i32>,
    scores_published: bool,
    items: String,
    author: String,
    created_at: DateTime<Utc>,
    superseded_by: Option<i64>,
    superseded_at: Option<DateTime<Utc>>,
}

/// A line of the list of saved allocations.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = FundingSummary)]
pub struct Summary {
    pub id: i64,
    pub year: i32,
    pub parent: String,
    pub period: String,
    pub pool_fen: i64,
    pub base_share: f64,
    pub formula_text: String,
    /// current or superseded.
    pub status: String,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub superseded_by: Option<i64>,
    pub superseded_at: Option<DateTime<Utc>>,
}

fn status(superseded_by: Option<i64>) -> String {
    if superseded_by.is_some() {
        "superseded".into()
    } else {
        "current".into()
    }
}

/// The parent's name is left for the service to fill in from the region tree.
fn parse(row: Row) -> Result<Allocation, AppError> {
    let items: Vec<Item> =
        serde_json::from_str(&row.items).map_err(|e| AppError::Internal(e.into()))?;
    let period = crate::performance::scores::period::ScorePeriod::parse(
        row.year,
        Some(row.period.as_str()),
    )?;
    Ok(Allocation {
        total_fen: items.iter().map(|i| i.amount_fen).sum(),
        items,
        pool_fen: row.pool_fen,
        base_share: row.base_share,
        formula: row.formula,
        min_score: row.min_score,
        formula_text: row.formula_text,
        year: row.year,
        period: period.param(),
        period_label: period.label(),
        parent_name: String::new(),
        parent: row.parent_code,
        score_version: row.score_version,
        scores_published: row.scores_published,
        saved_id: Some(row.id),
        status: Some(status(row.superseded_by)),
        author: Some(row.author),
        created_at: Some(row.created_at),
        superseded_by: row.superseded_by,
        superseded_at: row.superseded_at,
    })
}

pub async fn find(db: &Db, id: i64) -> Result<Option<Allocation>, AppError> {
    const SQL: &str = concat!(
        "SELECT id, year, parent_code, period, pool_fen, base_share, formula, min_score, ",
        "formula_text, score_version, scores_published, items, author, created_at, superseded_by, superseded_at ",
        "FROM funding_allocations WHERE id = $1"
    );
    let row: Option<Row> =
        on_db!(db, pool => sqlx::query_as(SQL).bind(id).fetch_optional(pool).await)?;
    row.map(parse).transpose()
}

/// The current allocation of (year, parent), if one is saved.
pub async fn current(db: &Db, year: i32, parent: &str) -> Result<Option<Allocation>, AppError> {
    const SQL: &str = concat!(
        "SELECT id, year, parent_code, period, pool_fen, base_share, formula, min_score, ",
        "formula_text, score_version, scores_published, items, author, created_at, superseded_by, superseded_at ",
        "FROM funding_allocations WHERE year = $1 AND parent_code = $2 AND superseded_by IS NULL ",
        "ORDER BY id DESC LIMIT 1"
    );
    let row: Option<Row> =
        on_db!(db, pool => sqlx::query_as(SQL).bind(year).bind(parent).fetch_optional(pool).await)?;
    row.map(parse).transpose()
}

/// Saved allocations, newest first, of a year and/or a parent (both optional).
pub async fn list(
    db: &Db,
    year: Option<i32>,
    parent: Option<&str>,
) -> Result<Vec<Summary>, AppError> {
    macro_rules! select {
        ($filter:literal) => {
            concat!(
                "SELECT id, year, parent_code, period, pool_fen, base_share, formula, min_score, ",
                "formula_text, score_version, scores_published, '' AS items, author, created_at, superseded_by, superseded_at ",
                "FROM funding_allocations ",
                $filter,
                " ORDER BY id DESC LIMIT 500"
            )
        };
    }
    const ALL: &str = select!("");
    const YEAR: &str = select!("WHERE year = $1");
    const PARENT: &str = select!("WHERE parent_code = $1");
    const BOTH: &str = select!("WHERE year = $1 AND parent_code = $2");
    let rows: Vec<Row> = on_db!(db, pool => match (year, parent) {
        (None, None) => sqlx::query_as(ALL).fetch_all(pool).await,
        (Some(y), None) => sqlx::query_as(YEAR).bind(y).fetch_all(pool).await,
        (None, Some(p)) => sqlx::query_as(PARENT).bind(p).fetch_all(pool).await,
        (Some(y), Some(p)) => sqlx::query_as(BOTH).bind(y).bind(p).fetch_all(pool).await,
    })?;
    Ok(rows
        .into_iter()
        .map(|r| Summary {
            id: r.id,
            year: r.year,
            status: status(r.superseded_by),
            parent: r.parent_code,
            period: r.period,
            pool_fen: r.pool_fen,
            base_share: r.base_share,
            formula_text: r.formula_text,
            author: r.author,
            created_at: r.created_at,
            superseded_by: r.superseded_by,
            superseded_at: r.superseded_at,
        })
        .collect())
}

fn raced() -> AppError {
    AppError::Conflict {
        message: "另一位工作人员刚刚保存了该范围的分配方案，请刷新后查看现行方案".into(),
        fields: tianfu_domain::FieldErrors::new(),
    }
}

/// Saves `allocation` as the current one of its (year, parent); answers the new id.
pub async fn save(
    db: &Db,
    allocation: &Allocation,
    author: (i64, &str),
    at: DateTime<Utc>,
) -> Result<i64, AppError> {
    // Read before the transaction (a SQLite transaction that writes starts with its write); a
    // save in between makes the insert below break the unique key, and this one fails with 409.
    let previous = current(db, allocation.year, &allocation.parent)
        .await?
        .and_then(|a| a.saved_id);
    let items =
        serde_json::to_string(&allocation.items).map_err(|e| AppError::Internal(e.into()))?;
    const INSERT: &str = "INSERT INTO funding_allocations (year, parent_code, period, pool_fen, \
        base_share, formula, min_score, formula_text, score_version, scores_published, items, author_id, author, \
        created_at, supersedes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
        RETURNING id";
    const SUPERSEDE: &str = "UPDATE funding_allocations SET superseded_by = $1, superseded_at = $2 \
        WHERE id = $3 AND superseded_by IS NULL";
    let mut tx = db.begin().await?;
    let inserted: Result<i64, sqlx::Error> = on_tx!(&mut tx, conn => sqlx::query_scalar(INSERT)
        .bind(allocation.year).bind(&allocation.parent).bind(&allocation.period)
        .bind(allocation.pool_fen).bind(allocation.base_share).bind(&allocation.formula)
        .bind(allocation.min_score).bind(&allocation.formula_text).bind(allocation.score_version)
        .bind(allocation.scores_published)        .bind(&items).bind(author.0).bind(author.1).bind(at).bind(previous.unwrap_or(0))
        .fetch_one(&mut **conn).await);
    let id = match inserted {
        Ok(id) => id,
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            return Err(raced());
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(old) = previous {
        let done = on_tx!(&mut tx, conn => sqlx::query(SUPERSEDE).bind(id).bind(at).bind(old)
            .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
        if Guarded::of(done) == Guarded::Lost {
            return Err(raced());
        }
    }
    tx.commit().await?;
    Ok(id)
}
