//! The resources' rows.

use chrono::{DateTime, Utc};

use crate::on_db;
use crate::platform::db::Db;
use crate::platform::error::AppError;

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
}

pub const COLUMNS: &str = "id, author_id, title, summary, body_html, body_text, format, channel, audiences, tags, \
     region_code, media_id, cover_id, status, review_reason, reads, completions, likes, created_at, updated_at, published_at";

pub async fn find(db: &Db, id: i64) -> Result<Option<ResourceRow>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM kepu_resources WHERE id = $1");
    Ok(on_db!(db, pool => {
        sqlx::query_as::<_, ResourceRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await
    })?)
}
