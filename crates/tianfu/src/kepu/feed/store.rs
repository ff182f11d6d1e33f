//! The feed's reads: candidates from the newest resources of each term the reader is aimed by
//! (their interests, group and region, plus the newest overall), the pushes waiting for them,
//! what they read, and what their region reads most. A dozen index range scans, whatever the
//! number of residents or resources.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::rank::Candidate;
use crate::on_db;
use crate::platform::db::Db;
use crate::platform::error::AppError;

/// Newest resources taken per term.
const PER_TERM: i64 = 60;
/// Pushes older than this no longer top the feed.
const PUSH_FRESH_DAYS: i64 = 14;

async fn newest_for_term(db: &Db, term: &str, limit: i64) -> Result<Vec<i64>, AppError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT resource_id FROM kepu_resource_terms WHERE term = $1 ORDER BY published_at DESC LIMIT $2")
        .bind(term).bind(limit).fetch_all(pool).await)?)
}

/// Resource ids for the terms, each term's newest first.
pub async fn candidates_for_terms(
    db: &Db,
    terms: &[String],
    per_term: Option<i64>,
) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::new();
    for term in terms {
        ids.extend(newest_for_term(db, term, per_term.unwrap_or(PER_TERM)).await?);
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The resources pushed to `user` that they have not opened yet.
pub async fn pushed_to(db: &Db, user: i64, now: DateTime<Utc>) -> Result<Vec<i64>, AppError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT p.resource_id FROM kepu_push_deliveries d JOIN kepu_pushes p ON p.id = d.push_id \
         WHERE d.user_id = $1 AND d.status = 'delivered' AND d.delivered_at > $2")
        .bind(user).bind(now - Duration::days(PUSH_FRESH_DAYS)).fetch_all(pool).await)?)
}

/// Which of `ids` the reader has read.
pub async fn read_by(db: &Db, user: i64, ids: &[i64]) -> Result<HashSet<i64>, AppError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let marks: Vec<String> = (2..=ids.len() + 1).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT resource_id FROM kepu_reads WHERE user_id = $1 AND resource_id IN ({})",
        marks.join(", ")
    );
    let rows: Vec<i64> = on_db!(db, pool => {
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(user);
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?;
    Ok(rows.into_iter().collect())
}

/// What a region reads most: (resource, reads), most read first.
pub async fn region_top(db: &Db, region: &str, limit: i64) -> Result<Vec<(i64, i64)>, AppError> {
    Ok(on_db!(db, pool => sqlx::query_as(
        "SELECT resource_id, reads FROM kepu_region_reads WHERE region_code = $1 ORDER BY reads DESC LIMIT $2")
        .bind(region).bind(limit).fetch_all(pool).await)?)
}

/// What the feed shows of a resource: no body.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedRow {
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub format: String,
    pub channel: String,
    pub audiences: String,
    pub tags: String,
    pub region_code: Option<String>,
    pub cover_id: Option<i64>,
    pub reads: i64,
    pub completions: i64,
    pub likes: i64,
    pub published_at: DateTime<Utc>,
}

impl FeedRow {
    pub fn candidate(&self, pushed: bool, region_reads: i64) -> Candidate {
        Candidate {
            id: self.id,
            channel: self.channel.clone(),
            tags: serde_json::from_str(&self.tags).unwrap_or_default(),
            audiences: serde_json::from_str(&self.audiences).unwrap_or_default(),
            region_code: self.region_code.clone(),
            published_at: self.published_at,
            reads: self.reads,
            completions: self.completions,
            likes: self.likes,
            region_reads,
            pushed,
        }
    }
}

/// Published resources by id.
pub async fn rows(db: &Db, ids: &[i64]) -> Result<HashMap<i64, FeedRow>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, title, summary, format, channel, audiences, tags, region_code, cover_id, reads, completions, likes, published_at \
         FROM kepu_resources WHERE status = 'published' AND id IN ({})",
        marks.join(", ")
    );
    let rows: Vec<FeedRow> = on_db!(db, pool => {
        let mut query = sqlx::query_as::<_, FeedRow>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?;
    Ok(rows.into_iter().map(|r| (r.id, r)).collect())
}

/// The covers' URLs by media id.
pub async fn covers(db: &Db, ids: &[i64]) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, sha256 FROM kepu_media WHERE id IN ({})",
        marks.join(", ")
    );
    let rows: Vec<(i64, String)> = on_db!(db, pool => {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, sha)| (id, format!("/kepu/media/{sha}")))
        .collect())
}
