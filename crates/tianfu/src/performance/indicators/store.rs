//! Saved versions of the indicator systems: one row per (year, version), never updated.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::IndicatorSystem;
use super::validate::Checked;
use crate::on_db;
use crate::platform::db::Db;
use crate::platform::error::AppError;

#[derive(sqlx::FromRow)]
struct Row {
    body: String,
}

fn parse(row: Row) -> Result<IndicatorSystem, AppError> {
    serde_json::from_str(&row.body).map_err(|e| AppError::Internal(e.into()))
}

/// The version in force (the latest saved), or a given one.
pub async fn find(
    db: &Db,
    year: i32,
    version: Option<i32>,
) -> Result<Option<IndicatorSystem>, AppError> {
    const LATEST: &str =
        "SELECT body FROM indicator_systems WHERE year = $1 ORDER BY version DESC LIMIT 1";
    const GIVEN: &str = "SELECT body FROM indicator_systems WHERE year = $1 AND version = $2";
    let row: Option<Row> = on_db!(db, pool => match version {
        None => sqlx::query_as(LATEST).bind(year).fetch_optional(pool).await,
        Some(v) => sqlx::query_as(GIVEN).bind(year).bind(v).fetch_optional(pool).await,
    })?;
    row.map(parse).transpose()
}

/// A line of the version history.
#[derive(Debug, Serialize, ToSchema, sqlx::FromRow)]
pub struct VersionLine {
    pub version: i32,
    pub author: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
}

pub async fn versions(db: &Db, year: i32) -> Result<Vec<VersionLine>, AppError> {
    const SQL: &str = "SELECT version, author, note, created_at FROM indicator_systems WHERE year = $1 ORDER BY version DESC";
    Ok(on_db!(db, pool => sqlx::query_as(SQL).bind(year).fetch_all(pool).await)?)
}

/// Saves the next version of `year`'s system. With `base_version`, refused (409) unless that is
/// still the latest; two saves at once get different versions or one 409 (the key is unique).
pub async fn save(
    db: &Db,
    year: i32,
    checked: Checked,
    base_version: Option<i32>,
    author: (Option<i64>, &str),
    now: DateTime<Utc>,
) -> Result<IndicatorSystem, AppError> {
    let latest = find(db, year, None).await?.map_or(0, |s| s.version);
    if base_version.is_some_and(|base| base != latest) {
        return Err(AppError::Conflict {
            message: format!("该年度指标体系已有更新的版本（第{latest}版），请在最新版本上修改"),
            fields: tianfu_domain::FieldErrors::single("base_version", "不是最新版本"),
        });
    }
    let system = IndicatorSystem {
        year,
        version: latest + 1,
        created_at: Some(now),
        author: Some(author.1.to_owned()),
        note: checked.note,
        indicators: checked.indicators,
        targets: checked.targets,
        populations: checked.populations,
        alert_below: checked.alert_below,
        cap: checked.cap,
    };
    let body = serde_json::to_string(&system).map_err(|e| AppError::Internal(e.into()))?;
    const SQL: &str = "INSERT INTO indicator_systems (year, version, body, author_id, author, note, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6, $7)";
    let saved = on_db!(db, pool => sqlx::query(SQL)
        .bind(year).bind(system.version).bind(&body).bind(author.0).bind(author.1)
        .bind(&system.note).bind(now)
        .execute(pool).await.map(|done| done.rows_affected()));
    match saved {
        Ok(_) => Ok(system),
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            Err(AppError::Conflict {
                message: "另一位管理员同时保存了该年度指标体系，请刷新后再修改".into(),
                fields: tianfu_domain::FieldErrors::new(),
            })
        }
        Err(e) => Err(e.into()),
    }
}
