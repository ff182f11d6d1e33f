//! The unread counts in the header: notifications not yet read and inquiries with a message the
//! person has not opened. Read once per page request (the page extractors, not the API), by one
//! statement of three index ranges: `notifications_unread`, `inquiries_owner_unread` and
//! `inquiries_requester_unread` (partial indexes, migration 0023). The notification count stops
//! at 100, shown as 99+.

use tianfu_domain::UserId;

use super::db::Db;
use crate::on_db;

const NOTIFICATIONS_CAP: i64 = 100;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Badges {
    pub notifications: i64,
    pub inquiries: i64,
}

impl Badges {
    /// "3", or "99+" past 99.
    pub fn notifications_label(&self) -> String {
        if self.notifications > 99 {
            "99+".to_owned()
        } else {
            self.notifications.to_string()
        }
    }
}

pub async fn count(db: &Db, user: UserId) -> Result<Badges, sqlx::Error> {
    const SQL: &str = "SELECT \
        (SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE user_id = $1 AND read_at IS NULL LIMIT $2) n) AS notifications, \
        (SELECT COUNT(*) FROM inquiries WHERE owner_id = $1 AND owner_unread = 1) \
        + (SELECT COUNT(*) FROM inquiries WHERE requester_id = $1 AND requester_unread = 1) AS inquiries";
    on_db!(db, pool => {
        sqlx::query_as::<_, Badges>(SQL)
            .bind(user.0)
            .bind(NOTIFICATIONS_CAP)
            .fetch_one(pool)
            .await
    })
}
