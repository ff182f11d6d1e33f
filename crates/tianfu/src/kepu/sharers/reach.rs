//! 传播量: what a 科普员's links brought. A read counts to them when the view carries their code
//! and the booking job counted it (a repeat within half an hour or a flagged read never does,
//! exactly as for 浏览量); their own signed-in reads are left out. Readers are distinct reader
//! keys (a signed-in person, or one browser without an account). Every query starts from the
//! `kepu_views_sharer (sharer_code, state)` index.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::store::SharerRow;
use crate::platform::db::{Db, placeholders};
use crate::platform::error::AppError;
use crate::platform::period::{Period, Since};
use crate::{App, on_db};

/// Reads and distinct readers over one period.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
#[schema(as = SharerReachFigures)]
pub struct Figures {
    /// Counted reads through the 科普员's links.
    pub reads: i64,
    /// Distinct readers among them.
    pub readers: i64,
}

/// A 科普员's reach: all time and this calendar month (Beijing time).
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
#[schema(as = SharerReach)]
pub struct Reach {
    pub all_time: Figures,
    pub this_month: Figures,
}

/// A resource and the counted reads it had through the 科普员's links.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
#[schema(as = SharerSharedResource)]
pub struct SharedResource {
    pub resource_id: i64,
    pub title: String,
    pub reads: i64,
}

/// Where this month began, in UTC.
pub fn month_start(app: &App) -> DateTime<Utc> {
    Period::parse(None, None, app.clock.now(), Since::MonthStart)
        .map(|p| p.bounds().0)
        .unwrap_or_else(|_| app.clock.now())
}

#[derive(sqlx::FromRow)]
struct ReachRow {
    id: i64,
    reads: i64,
    readers: i64,
    month_reads: i64,
    month_readers: i64,
}

/// The reach of each of `sharers` (a page of a list: one grouped statement for all of them).
pub async fn of_many(
    db: &Db,
    sharers: &[&SharerRow],
    month_start: DateTime<Utc>,
) -> Result<HashMap<i64, Reach>, AppError> {
    if sharers.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT s.id, COUNT(*) AS reads, COUNT(DISTINCT v.reader) AS readers, \
         SUM(CASE WHEN v.at >= $1 THEN 1 ELSE 0 END) AS month_reads, \
         COUNT(DISTINCT CASE WHEN v.at >= $1 THEN v.reader END) AS month_readers \
         FROM kepu_sharers s JOIN kepu_views v ON v.sharer_code = s.code AND v.state = 'counted' \
         WHERE s.id IN ({}) AND (v.user_id IS NULL OR v.user_id <> s.user_id) GROUP BY s.id",
        placeholders(1, sharers.len())
    );
    let rows: Vec<ReachRow> = on_db!(db, pool => {
        let mut query = sqlx::query_as::<_, ReachRow>(sqlx::AssertSqlSafe(sql)).bind(month_start);
        for sharer in sharers {
            query = query.bind(sharer.id);
        }
        query.fetch_all(pool).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                Reach {
                    all_time: Figures {
                        reads: r.reads,
                        readers: r.readers,
                    },
                    this_month: Figures {
                        reads: r.month_reads,
                        readers: r.month_readers,
                    },
                },
            )
        })
        .collect())
}

pub async fn of_one(
    db: &Db,
    sharer: &SharerRow,
    month_start: DateTime<Utc>,
) -> Result<Reach, AppError> {
    Ok(of_many(db, &[sharer], month_start)
        .await?
        .remove(&sharer.id)
        .unwrap_or_default())
}

/// The resources read most through the 科普员's links, most first.
pub async fn top_resources(
    db: &Db,
    sharer: &SharerRow,
    limit: i64,
) -> Result<Vec<SharedResource>, AppError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, SharedResource>(
        "SELECT v.resource_id, r.title, COUNT(*) AS reads FROM kepu_views v \
         JOIN kepu_resources r ON r.id = v.resource_id \
         WHERE v.sharer_code = $1 AND v.state = 'counted' AND (v.user_id IS NULL OR v.user_id <> $2) \
         GROUP BY v.resource_id, r.title ORDER BY 3 DESC, v.resource_id LIMIT $3")
        .bind(&sharer.code).bind(sharer.user_id).bind(limit)
        .fetch_all(pool).await)?)
}
