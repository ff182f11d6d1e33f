//! The resources' rows: writing one (row, feed terms, outbox and ledger in one transaction),
//! review, edits and lists.

use chrono::{DateTime, Utc};
use tianfu_domain::RegionCode;

use crate::ledger::{Event, EventKind};
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::scope::RegionScope;
use crate::platform::tx::{Guarded, Tx};
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ResourceRow {
    pub id: i64,
    pub author_id: i64,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub body_text: String,
    pub format: String,
    pub channel: String,
    /// JSON array of audience codes.
    pub audiences: String,
    /// JSON array of tags.
    pub tags: String,
    pub region_code: Option<String>,
    pub media_id: Option<i64>,
    pub cover_id: Option<i64>,
    pub status: String,
    pub review_reason: Option<String>,
    pub reads: i64,
    pub completions: i64,
    pub likes: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl ResourceRow {
    pub fn audience_list(&self) -> Vec<String> {
        serde_json::from_str(&self.audiences).unwrap_or_default()
    }

    pub fn tag_list(&self) -> Vec<String> {
        serde_json::from_str(&self.tags).unwrap_or_default()
    }

    pub fn is_published(&self) -> bool {
        self.status == "published"
    }

    /// The region the resource counts in: its own, or the province's for one meant for all.
    pub fn region_or_province(&self) -> String {
        self.region_code.clone().unwrap_or_else(|| "51".into())
    }
}

pub const COLUMNS: &str = "id, author_id, title, summary, body_html, body_text, format, channel, audiences, tags, \
     region_code, media_id, cover_id, status, review_reason, reads, completions, likes, created_at, updated_at, published_at";

/// What a resource says, validated.
#[derive(Debug, Clone)]
pub struct Content {
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub body_text: String,
    pub format: String,
    pub channel: String,
    pub audiences: Vec<String>,
    pub tags: Vec<String>,
    pub region_code: Option<RegionCode>,
    pub media_id: Option<i64>,
    pub cover_id: Option<i64>,
}

pub async fn find(db: &Db, id: i64) -> Result<Option<ResourceRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM kepu_resources WHERE id = $1");
    Ok(on_db!(db, pool => {
        sqlx::query_as::<_, ResourceRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await
    })?)
}

/// Rows by id whatever their status.
pub async fn find_any(db: &Db, ids: &[i64]) -> Result<Vec<ResourceRow>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM kepu_resources WHERE id IN ({})",
        crate::platform::db::placeholders(0, ids.len())
    );
    Ok(on_db!(db, pool => {
        let mut query = sqlx::query_as::<_, ResourceRow>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(*id);
        }
        query.fetch_all(pool).await
    })?)
}

/// The feed terms of a published resource (see the migration): its tags, channel, audiences,
/// every prefix of its region, and `all`.
pub fn terms(
    content_channel: &str,
    audiences: &[String],
    tags: &[String],
    region: Option<&str>,
) -> Vec<String> {
    let mut terms = vec!["all".to_owned(), format!("channel:{content_channel}")];
    terms.extend(audiences.iter().map(|a| format!("audience:{a}")));
    terms.extend(tags.iter().map(|t| format!("tag:{t}")));
    if let Some(region) = region.and_then(|r| RegionCode::parse(r).ok()) {
        terms.extend(
            region
                .ancestors_and_self()
                .iter()
                .map(|code| format!("region:{code}")),
        );
    }
    terms.sort();
    terms.dedup();
    terms
}

async fn write_terms(tx: &mut Tx, row: &ResourceRow) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query("DELETE FROM kepu_resource_terms WHERE resource_id = $1").bind(row.id).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    let Some(published_at) = row.published_at.filter(|_| row.is_published()) else {
        return Ok(());
    };
    for term in terms(
        &row.channel,
        &row.audience_list(),
        &row.tag_list(),
        row.region_code.as_deref(),
    ) {
        on_tx!(tx, conn => sqlx::query("INSERT INTO kepu_resource_terms (term, resource_id, published_at) VALUES ($1, $2, $3)")
            .bind(term).bind(row.id).bind(published_at).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    }
    Ok(())
}

async fn find_in(tx: &mut Tx, id: i64) -> Result<ResourceRow, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM kepu_resources WHERE id = $1");
    on_tx!(tx, conn => sqlx::query_as::<_, ResourceRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_one(&mut **conn).await)
}

/// Writes a new resource: published at once when `publish` (a 全民科普服务部 author), else
/// waiting for review. The row, its feed terms, the outbox row and the ledger event commit
/// together.
pub async fn create(
    db: &Db,
    author: i64,
    content: &Content,
    publish: bool,
    at: DateTime<Utc>,
) -> Result<ResourceRow, AppError> {
    let mut tx = db.begin().await?;
    let status = if publish { "published" } else { "pending" };
    let published_at = publish.then_some(at);
    const SQL: &str = "INSERT INTO kepu_resources (author_id, title, summary, body_html, body_text, format, channel, audiences, tags, \
         region_code, media_id, cover_id, status, created_at, updated_at, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) RETURNING id";
    let id: i64 = on_tx!(&mut tx, conn => sqlx::query_scalar(SQL)
        .bind(author)
        .bind(&content.title)
        .bind(&content.summary)
        .bind(&content.body_html)
        .bind(&content.body_text)
        .bind(&content.format)
        .bind(&content.channel)
        .bind(serde_json::to_string(&content.audiences).unwrap_or_default())
        .bind(serde_json::to_string(&content.tags).unwrap_or_default())
        .bind(content.region_code.as_ref().map(RegionCode::as_str))
        .bind(content.media_id)
        .bind(content.cover_id)
        .bind(status)
        .bind(at)
        .bind(published_at)
        .fetch_one(&mut **conn).await)?;
    let row = find_in(&mut tx, id).await?;
    if publish {
        published(&mut tx, &row, author, at).await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// What follows a publication inside its transaction: feed terms, index, ledger.
async fn published(
    tx: &mut Tx,
    row: &ResourceRow,
    actor: i64,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    write_terms(tx, row).await?;
    tx.outbox("kepu", row.id, at).await?;
    let region = RegionCode::parse(&row.region_or_province()).map_err(|e| {
        sqlx::Error::Decode(format!("resource {} has a bad region: {e}", row.id).into())
    })?;
    tx.record(
        at,
        &Event::new(EventKind::KepuPublished, &region, "resource", row.id)
            .actor(row.author_id)
            .counterpart((actor != row.author_id).then_some(actor))
            .once(),
    )
    .await?;
    Ok(())
}

/// Approves or rejects a resource waiting for review: one guarded statement, and the author's
/// notice in the same transaction.
pub async fn decide(
    db: &Db,
    id: i64,
    reviewer: i64,
    approve: bool,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<Guarded, AppError> {
    let mut tx = db.begin().await?;
    let (status, published_at) = if approve {
        ("published", Some(at))
    } else {
        ("rejected", None)
    };
    let changed = on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE kepu_resources SET status = $1, review_reason = $2, updated_at = $3, published_at = COALESCE(published_at, $4) \
         WHERE id = $5 AND status = 'pending'")
        .bind(status).bind(reason).bind(at).bind(published_at).bind(id)
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    if Guarded::of(changed) == Guarded::Lost {
        return Ok(Guarded::Lost);
    }
    let row = find_in(&mut tx, id).await?;
    if approve {
        published(&mut tx, &row, reviewer, at).await?;
    }
    let notice = if approve {
        format!("您的科普资源“{}”已审核通过并发布", row.title)
    } else {
        format!(
            "您的科普资源“{}”未通过审核：{}",
            row.title,
            reason.unwrap_or_default()
        )
    };
    tx.notify(row.author_id, &notice, &format!("/kepu/resources/{id}"), at)
        .await?;
    tx.commit().await?;
    Ok(Guarded::Changed)
}

/// Replaces what a resource says. A published resource edited by someone who may not publish
/// directly goes back to review (and leaves the feed and the index until approved).
pub async fn update(
    db: &Db,
    id: i64,
    content: &Content,
    expected_updated_at: DateTime<Utc>,
    publish: bool,
    actor: i64,
    at: DateTime<Utc>,
) -> Result<Guarded, AppError> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE kepu_resources SET title = $1, summary = $2, body_html = $3, body_text = $4, format = $5, channel = $6, \
         audiences = $7, tags = $8, region_code = $9, media_id = $10, cover_id = $11, updated_at = $12, \
         status = CASE WHEN $13 THEN 'published' ELSE 'pending' END, \
         published_at = CASE WHEN $13 THEN COALESCE(published_at, $12) ELSE published_at END \
         WHERE id = $14 AND updated_at = $15 AND status IN ('pending', 'published', 'rejected')")
        .bind(&content.title)
        .bind(&content.summary)
        .bind(&content.body_html)
        .bind(&content.body_text)
        .bind(&content.format)
        .bind(&content.channel)
        .bind(serde_json::to_string(&content.audiences).unwrap_or_default())
        .bind(serde_json::to_string(&content.tags).unwrap_or_default())
        .bind(content.region_code.as_ref().map(RegionCode::as_str))
        .bind(content.media_id)
        .bind(content.cover_id)
        .bind(at)
        .bind(publish)
        .bind(id)
        .bind(expected_updated_at)
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    if Guarded::of(changed) == Guarded::Lost {
        return Ok(Guarded::Lost);
    }
    let row = find_in(&mut tx, id).await?;
    if publish {
        published(&mut tx, &row, actor, at).await?;
    } else {
        write_terms(&mut tx, &row).await?;
        tx.outbox("kepu", id, at).await?;
    }
    tx.commit().await?;
    Ok(Guarded::Changed)
}

/// The author withdraws a resource: it leaves the feed and the index.
pub async fn withdraw(db: &Db, id: i64, at: DateTime<Utc>) -> Result<Guarded, AppError> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE kepu_resources SET status = 'withdrawn', updated_at = $1 WHERE id = $2 AND status IN ('pending', 'published', 'rejected')")
        .bind(at).bind(id).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    if Guarded::of(changed) == Guarded::Lost {
        return Ok(Guarded::Lost);
    }
    on_tx!(&mut tx, conn => sqlx::query("DELETE FROM kepu_resource_terms WHERE resource_id = $1").bind(id).execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    tx.outbox("kepu", id, at).await?;
    tx.commit().await?;
    Ok(Guarded::Changed)
}

/// Which resources a list shows.
#[derive(Debug, Default, Clone)]
pub struct ResourceFilter {
    pub status: Option<String>,
    pub author: Option<i64>,
    pub channel: Option<String>,
    /// Only resources whose region lies in this subtree (a review queue).
    pub scope: Option<RegionScope>,
}

/// A page of resources, newest first, and how many there are.
pub async fn list(
    db: &Db,
    filter: &ResourceFilter,
    paging: Paging,
) -> Result<(Vec<ResourceRow>, i64), AppError> {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let mut author = None;
    if let Some(status) = &filter.status {
        binds.push(status.clone());
        conditions.push(format!("status = ${}", binds.len()));
    }
    if let Some(channel) = &filter.channel {
        binds.push(channel.clone());
        conditions.push(format!("channel = ${}", binds.len()));
    }
    if let Some(RegionScope::Subtree(root)) = &filter.scope {
        let (low, high) = root.subtree_bounds();
        binds.push(low);
        binds.push(high);
        // A resource for the whole province lies in the province's subtree only.
        conditions.push(format!(
            "COALESCE(region_code, '51') >= ${} AND COALESCE(region_code, '51') < ${}",
            binds.len() - 1,
            binds.len()
        ));
    }
    if let Some(id) = filter.author {
        author = Some(id);
        conditions.push(format!("author_id = ${}", binds.len() + 1));
    }
    let filter_sql = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let rows_sql = format!(
        "SELECT {COLUMNS} FROM kepu_resources{filter_sql} ORDER BY id DESC LIMIT {} OFFSET {}",
        paging.limit(),
        paging.offset()
    );
    let count_sql = format!("SELECT COUNT(*) FROM kepu_resources{filter_sql}");
    let (rows, total) = on_db!(db, pool => {
        let mut rows = sqlx::query_as::<_, ResourceRow>(sqlx::AssertSqlSafe(rows_sql));
        let mut total = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
        for value in &binds {
            rows = rows.bind(value.clone());
            total = total.bind(value.clone());
        }
        if let Some(id) = author {
            rows = rows.bind(id);
            total = total.bind(id);
        }
        (rows.fetch_all(pool).await?, total.fetch_one(pool).await?)
    });
    Ok((rows, total))
}

/// The channels, in their order: (code, name).
pub async fn channels(db: &Db) -> Result<Vec<(String, String)>, AppError> {
    Ok(
        on_db!(db, pool => sqlx::query_as("SELECT code, name FROM kepu_channels ORDER BY position, code").fetch_all(pool).await)?,
    )
}

/// An administrator adds a channel.
pub async fn add_channel(
    db: &Db,
    code: &str,
    name: &str,
    at: DateTime<Utc>,
) -> Result<(), AppError> {
    let result = on_db!(db, pool => sqlx::query(
        "INSERT INTO kepu_channels (code, name, position, created_at) SELECT $1, $2, COALESCE(MAX(position), 0) + 1, $3 FROM kepu_channels")
        .bind(code).bind(name).bind(at).execute(pool).await.map(|done| done.rows_affected()));
    match result {
        Ok(_) => Ok(()),
        Err(error) if crate::platform::db::is_unique_violation(&error, "kepu_channels", "code") => {
            Err(AppError::validation("code", "该栏目代码已存在"))
        }
        Err(error) if crate::platform::db::is_unique_violation(&error, "kepu_channels", "name") => {
            Err(AppError::validation("name", "该栏目名称已存在"))
        }
        Err(error) => Err(error.into()),
    }
}
