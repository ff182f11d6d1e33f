//! SQL for one's own sessions. Every statement names the owner, so that another person's session
//! id matches nothing (and the caller answers 404).

use chrono::{DateTime, Utc};
use tianfu_domain::UserId;

use crate::on_db;
use crate::platform::db::Db;

#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub public_id: Option<String>,
    pub kind: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: Option<DateTime<Utc>>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// One's sessions still within their kind's lifetime, most recently seen first. (A session idle
/// too long still shows until it is next presented or ended; it resolves for nobody.)
pub async fn list(
    db: &Db,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<SessionRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, SessionRow>(
            "SELECT public_id, kind, created_at, last_seen_at, ip, user_agent FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY COALESCE(last_seen_at, created_at) DESC, created_at DESC",
        )
        .bind(user.0)
        .bind(now)
        .fetch_all(pool)
        .await
    })
}

/// Ends one of one's own sessions; false when no such session is one's own.
pub async fn end_own(db: &Db, user: UserId, public_id: &str) -> Result<bool, sqlx::Error> {
    let done = on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND public_id = $2")
            .bind(user.0)
            .bind(public_id)
            .execute(pool)
            .await
            .map(|d| d.rows_affected())
    })?;
    Ok(done == 1)
}

/// Ends all of one's sessions but `keep` (the one asking); returns how many ended.
pub async fn end_others(db: &Db, user: UserId, keep: &str) -> Result<u64, sqlx::Error> {
    let done = on_db!(db, pool => {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND (public_id IS NULL OR public_id <> $2)")
            .bind(user.0)
            .bind(keep)
            .execute(pool)
            .await
            .map(|d| d.rows_affected())
    })?;
    Ok(done)
}
