//! The feed's reads: candidates from the newest resources of each term the reader is aimed by
//! (their interests, group and region, plus the newest overall), the pushes waiting for them,
//! what they read, and what their region reads most. A dozen index range scans, whatever the
//! number of residents or resources.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::rank::Candidate;
use crate::on_db;
use crate::platform::db::{Db, placeholders};
use crate::platform::error::AppError;

/// Newest resources taken per term.
pub const PER_TERM: i64 = 16;
/// Most-read resources taken per region (county, city, province).
pub const PER_REGION: i64 = 12;
/// Pushes older than this no longer top the feed.
const PUSH_FRESH_DAYS: i64 = 14;

/// Where the feed looks, in one statement.
pub struct Sources<'a> {
    /// Feed terms (`tag:柑橘`, `region:5116`, `all` …) and how many of each term's newest.
    pub terms: &'a [String],
    pub per_term: i64,
    /// Regions whose most-read resources are candidates too, nearest first.
    pub regions: &'a [String],
    /// The reader, for the pushes waiting for them.
    pub user: Option<i64>,
}

/// What the candidates' sources say: every resource id, which were pushed to the reader and not
/// opened, and how much the reader's regions read each (the nearest region's count).
#[derive(Debug, Default)]
pub struct Found {
    pub ids: Vec<i64>,
    pub pushed: HashSet<i64>,
    pub region_reads: HashMap<i64, i64>,
}

/// The candidates of every source in one round trip: a `UNION ALL` of index range scans (the
/// newest per term, the most read per region, the reader's pushes).
pub async fn candidates(
    db: &Db,
    sources: &Sources<'_>,
    now: DateTime<Utc>,
) -> Result<Found, AppError> {
    let mut parts: Vec<String> = Vec::new();
    let mut n = 0;
    let mut mark = || {
        n += 1;
        format!("${n}")
    };
    for _ in sources.terms {
        let m = mark();
        parts.push(format!(
            "SELECT * FROM (SELECT resource_id, 0 AS src, CAST(0 AS BIGINT) AS n FROM kepu_resource_terms \
             WHERE term = {m} ORDER BY published_at DESC LIMIT {}) t{}",
            sources.per_term,
            parts.len()
        ));
    }
    for (rank, _) in sources.regions.iter().enumerate() {
        let m = mark();
        parts.push(format!(
            "SELECT * FROM (SELECT resource_id, {} AS src, reads AS n FROM kepu_region_reads \
             WHERE region_code = {m} ORDER BY reads DESC LIMIT {PER_REGION}) t{}",
            rank + 2,
            parts.len()
        ));
    }
    if sources.user.is_some() {
        let (user, since) = (mark(), mark());
        parts.push(format!(
            "SELECT p.resource_id, 1 AS src, CAST(0 AS BIGINT) AS n FROM kepu_push_deliveries d \
             JOIN kepu_pushes p ON p.id = d.push_id \
             WHERE d.user_id = {user} AND d.status = 'delivered' AND d.delivered_at > {since}"
        ));
    }
    if parts.is_empty() {
        return Ok(Found::default());
    }
    let sql = parts.join(" UNION ALL ");
    let rows: Vec<(i64, i32, i64)> = on_db!(db, pool => {
        let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for term in sources.terms {
            query = query.bind(term);
        }
        for region in sources.regions {
            query = query.bind(region);
        }
        if let Some(user) = sources.user {
            query = query.bind(user).bind(now - Duration::days(PUSH_FRESH_DAYS));
        }
        query.fetch_all(pool).await
    })?;
    let mut found = Found::default();
    // Regions come nearest first (src 2 is the reader's own region).
    let mut nearest: HashMap<i64, i32> = HashMap::new();
    for (id, src, reads) in rows {
        found.ids.push(id);
        match src {
            1 => {
                found.pushed.insert(id);
            }
            s if s >= 2 && nearest.get(&id).is_none_or(|best| s < *best) => {
                nearest.insert(id, s);
                found.region_reads.insert(id, reads);
            }
            _ => {}
        }
    }
    found.ids.sort_unstable();
    found.ids.dedup();
    Ok(found)
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
    let sql = format!(
        "SELECT id, title, summary, format, channel, audiences, tags, region_code, cover_id, reads, completions, likes, published_at \
         FROM kepu_resources WHERE status = 'published' AND id IN ({})",
        placeholders(0, ids.len())
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

/// Which of `ids` the reader has read.
pub async fn read_by(db: &Db, user: i64, ids: &[i64]) -> Result<HashSet<i64>, AppError> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = format!(
        "SELECT resource_id FROM kepu_reads WHERE user_id = $1 AND resource_id IN ({})",
        placeholders(1, ids.len())
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

/// The covers' URLs by media id.
pub async fn covers(db: &Db, ids: &[i64]) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT id, sha256 FROM kepu_media WHERE id IN ({})",
        placeholders(0, ids.len())
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
