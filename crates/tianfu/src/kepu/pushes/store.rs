//! Campaigns' rows: sending one (the row and its ledger event in one transaction), reading them
//! back, and the per-region figures of their deliveries.

use chrono::{DateTime, Utc};

use super::target::Target;
use crate::ledger::{Event, EventKind};
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::scope::RegionScope;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PushRow {
    pub id: i64,
    pub resource_id: i64,
    pub resource_title: String,
    pub author_id: i64,
    pub author_name: String,
    pub region_code: String,
    /// JSON array of audience codes.
    pub audiences: String,
    /// JSON array of interests.
    pub interests: String,
    pub status: String,
    pub recipients: i64,
    pub delivered: i64,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl PushRow {
    pub fn audience_list(&self) -> Vec<String> {
        serde_json::from_str(&self.audiences).unwrap_or_default()
    }

    pub fn interest_list(&self) -> Vec<String> {
        serde_json::from_str(&self.interests).unwrap_or_default()
    }
}

const SELECT: &str = "SELECT p.id, p.resource_id, r.title AS resource_title, p.author_id, a.name AS author_name, \
     p.region_code, p.audiences, p.interests, p.status, p.recipients, p.delivered, p.created_at, p.finished_at \
     FROM kepu_pushes p JOIN kepu_resources r ON r.id = p.resource_id JOIN users a ON a.id = p.author_id";

/// 发送: the campaign row, queued for the fan-out job, and `kepu.pushed` in the ledger, in one
/// transaction. `recipients` is the audience's size as counted now.
pub async fn send(
    db: &Db,
    author: i64,
    resource_id: i64,
    target: &Target,
    recipients: i64,
    at: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let audiences = serde_json::to_string(&target.audience_codes()).map_err(anyhow::Error::from)?;
    let interests = serde_json::to_string(&target.interests).map_err(anyhow::Error::from)?;
    let mut tx = db.begin().await?;
    // Guarded by the resource's status: one withdrawn since the request was checked is not
    // pushed (no row, and the caller refuses).
    let id: Option<i64> = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO kepu_pushes (resource_id, author_id, region_code, audiences, interests, status, recipients, delivered, created_at) \
             SELECT id, $2, $3, $4, $5, 'queued', $6, 0, $7 FROM kepu_resources WHERE id = $1 AND status = 'published' RETURNING id",
        )
        .bind(resource_id)
        .bind(author)
        .bind(target.region.as_str())
        .bind(&audiences)
        .bind(&interests)
        .bind(recipients)
        .bind(at)
        .fetch_optional(&mut **conn)
        .await
    })?;
    let Some(id) = id else {
        return Ok(None);
    };
    let mut event = Event::new(EventKind::KepuPushed, &target.region, "push", id)
        .actor(author)
        .once();
    event.quantity = Some(recipients);
    tx.record(at, &event).await?;
    tx.commit().await?;
    Ok(Some(id))
}

pub async fn find(db: &Db, id: i64) -> Result<Option<PushRow>, AppError> {
    let sql = format!("{SELECT} WHERE p.id = $1");
    Ok(on_db!(db, pool => {
        sqlx::query_as::<_, PushRow>(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await
    })?)
}

/// Campaigns aimed inside `scope`, newest first.
pub async fn list(
    db: &Db,
    scope: &RegionScope,
    paging: Paging,
) -> Result<(Vec<PushRow>, i64), AppError> {
    let (low, high) = match scope {
        RegionScope::All => (String::new(), "~".to_owned()),
        RegionScope::Subtree(root) => root.subtree_bounds(),
    };
    let sql = format!(
        "{SELECT} WHERE p.region_code >= $1 AND p.region_code < $2 ORDER BY p.id DESC LIMIT $3 OFFSET $4"
    );
    let rows = on_db!(db, pool => {
        sqlx::query_as::<_, PushRow>(sqlx::AssertSqlSafe(sql))
            .bind(&low).bind(&high).bind(paging.limit()).bind(paging.offset())
            .fetch_all(pool).await
    })?;
    let total: i64 = on_db!(db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM kepu_pushes WHERE region_code >= $1 AND region_code < $2")
            .bind(&low).bind(&high).fetch_one(pool).await
    })?;
    Ok((rows, total))
}

/// A campaign's deliveries in one region below its own (a province's cities, a city's counties,
/// a county's townships; a township's are the township itself). People who named no region that
/// deep are grouped under the region they did name, e.g. the county itself.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct RegionFigures {
    pub region_code: String,
    /// Told (a notification sent), opened or not.
    pub delivered: i64,
    /// Held back by the weekly limit.
    pub waiting: i64,
    pub opened: i64,
}

/// The campaign's deliveries grouped by the regions one level below its own.
pub async fn figures_by_region(db: &Db, push: &PushRow) -> Result<Vec<RegionFigures>, AppError> {
    let width: i32 = match push.region_code.len() {
        2 => 4,
        4 => 6,
        _ => 9,
    };
    const SQL: &str = "SELECT SUBSTR(region_code, 1, $2) AS region_code, \
         SUM(CASE WHEN status <> 'waiting' THEN 1 ELSE 0 END) AS delivered, \
         SUM(CASE WHEN status = 'waiting' THEN 1 ELSE 0 END) AS waiting, \
         SUM(CASE WHEN opened_at IS NOT NULL THEN 1 ELSE 0 END) AS opened \
         FROM kepu_push_deliveries WHERE push_id = $1 GROUP BY 1 ORDER BY 1";
    Ok(on_db!(db, pool => {
        sqlx::query_as::<_, RegionFigures>(SQL).bind(push.id).bind(width).fetch_all(pool).await
    })?)
}

/// Recently published resources, for the compose form's choice.
pub async fn recent_resources(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    Ok(on_db!(db, pool => {
        sqlx::query_as::<_, (i64, String)>(
            "SELECT id, title FROM kepu_resources WHERE status = 'published' ORDER BY id DESC LIMIT 30",
        )
        .fetch_all(pool)
        .await
    })?)
}
