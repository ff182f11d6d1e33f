use chrono::{DateTime, Utc};
use tianfu_domain::UserId;

use crate::on_db;
use crate::platform::api::Paging;
use crate::platform::db::Db;

// Notifications are written by the act that causes them, in its own transaction:
// `crate::platform::tx::Tx::notify`.

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub text: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

pub async fn list(
    db: &Db,
    user: UserId,
    paging: Paging,
) -> Result<(Vec<NotificationRow>, i64, i64), sqlx::Error> {
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, NotificationRow>(
            "SELECT id, text, link, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(user.0)
        .bind(paging.limit())
        .bind(paging.offset())
        .fetch_all(pool)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1").bind(user.0).fetch_one(pool).await?;
        let unread: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.0)
            .fetch_one(pool)
            .await?;
        Ok((rows, total, unread))
    })
}

pub async fn mark_all_read(db: &Db, user: UserId, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now)
            .bind(user.0)
            .execute(pool)
            .await
            .map(|_| ())
    })
}
