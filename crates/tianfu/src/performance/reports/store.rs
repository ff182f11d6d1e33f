//! The kept reports: rows are only ever inserted, once per (region, month, version).

use chrono::{DateTime, Utc};

use super::model::MonthlyReport;
use crate::on_db;
use crate::platform::db::Db;
use crate::platform::error::AppError;

/// Keeps a report; answers false when that version was already there (nothing is replaced).
pub async fn insert(
    db: &Db,
    report: &MonthlyReport,
    issued_by: Option<i64>,
) -> Result<bool, AppError> {
    const SQL: &str = "INSERT INTO monthly_reports (region_code, month, version, body, reason, issued_at, issued_by) \
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (region_code, month, version) DO NOTHING";
    let body = serde_json::to_string(report).map_err(|e| AppError::Internal(e.into()))?;
    let done = on_db!(db, pool => sqlx::query(SQL)
        .bind(&report.region_code).bind(&report.month).bind(report.version).bind(&body)
        .bind(&report.reason).bind(report.issued_at).bind(issued_by)
        .execute(pool).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

/// A version's body as issued (the latest when `version` is none).
pub async fn body(
    db: &Db,
    region: &str,
    month: &str,
    version: Option<i32>,
) -> Result<Option<String>, AppError> {
    const SQL: &str = "SELECT body FROM monthly_reports WHERE region_code = $1 AND month = $2 \
        AND ($3 = 0 OR version = $3) ORDER BY version DESC LIMIT 1";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL)
        .bind(region).bind(month).bind(version.unwrap_or(0))
        .fetch_optional(pool).await)?)
}

pub fn parse(body: &str) -> Result<MonthlyReport, AppError> {
    serde_json::from_str(body).map_err(|e| AppError::Internal(e.into()))
}

/// Every version of a report, oldest first.
pub async fn versions(db: &Db, region: &str, month: &str) -> Result<Vec<MonthlyReport>, AppError> {
    const SQL: &str =
        "SELECT body FROM monthly_reports WHERE region_code = $1 AND month = $2 ORDER BY version";
    let bodies: Vec<String> = on_db!(db, pool => sqlx::query_scalar(SQL)
        .bind(region).bind(month).fetch_all(pool).await)?;
    bodies.iter().map(|b| parse(b)).collect()
}

pub async fn latest_version(db: &Db, region: &str, month: &str) -> Result<i32, AppError> {
    const SQL: &str = "SELECT CAST(COALESCE(MAX(version), 0) AS INTEGER) FROM monthly_reports \
        WHERE region_code = $1 AND month = $2";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(region).bind(month).fetch_one(pool).await)?)
}

/// The regions that already have version 1 of `month`.
pub async fn issued_regions(db: &Db, month: &str) -> Result<Vec<String>, AppError> {
    const SQL: &str = "SELECT region_code FROM monthly_reports WHERE month = $1 AND version = 1";
    Ok(on_db!(db, pool => sqlx::query_scalar(SQL).bind(month).fetch_all(pool).await)?)
}

/// A report in a list: its first issue and how many versions it has.
#[derive(Debug, sqlx::FromRow)]
pub struct Listed {
    pub region_code: String,
    pub month: String,
    pub issued_at: DateTime<Utc>,
    pub latest: i32,
}

/// Reports of regions in `[low, high)` (and of `month`, unless empty), newest month first.
pub async fn list(
    db: &Db,
    (low, high): (&str, &str),
    month: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Listed>, i64), AppError> {
    const ROWS: &str = "SELECT r.region_code, r.month, r.issued_at, \
        CAST((SELECT MAX(v.version) FROM monthly_reports v WHERE v.region_code = r.region_code AND v.month = r.month) AS INTEGER) AS latest \
        FROM monthly_reports r WHERE r.version = 1 AND r.region_code >= $1 AND r.region_code < $2 \
        AND ($3 = '' OR r.month = $3) ORDER BY r.month DESC, r.region_code LIMIT $4 OFFSET $5";
    const COUNT: &str = "SELECT COUNT(*) FROM monthly_reports WHERE version = 1 \
        AND region_code >= $1 AND region_code < $2 AND ($3 = '' OR month = $3)";
    Ok(on_db!(db, pool => {
        let rows: Vec<Listed> = sqlx::query_as(ROWS).bind(low).bind(high).bind(month)
            .bind(limit).bind(offset).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar(COUNT).bind(low).bind(high).bind(month).fetch_one(pool).await?;
        Ok::<_, sqlx::Error>((rows, total))
    })?)
}
