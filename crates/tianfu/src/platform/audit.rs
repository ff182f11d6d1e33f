//! The audit log: every login, failed login, lockout and permission refusal, and every act that
//! changes who may do what (staff created), with who did it and from where.

use chrono::{DateTime, Utc};
use tianfu_domain::UserId;

use super::db::Db;
use crate::on_db;

pub struct AuditEntry<'a> {
    pub actor: Option<UserId>,
    /// A dotted English verb, e.g. `login.failure`, `permission.denied`.
    pub action: &'a str,
    /// What was acted on, e.g. `user:42` or the phone number tried.
    pub subject: &'a str,
    pub ip: Option<&'a str>,
    pub detail: &'a str,
}

/// Writes one audit row. A failure to audit is logged but does not fail the request it records.
pub async fn record(db: &Db, at: DateTime<Utc>, entry: AuditEntry<'_>) {
    let result = on_db!(db, pool => {
        sqlx::query("INSERT INTO audit_log (at, actor_id, action, subject, ip, detail) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(at)
            .bind(entry.actor.map(|id| id.0))
            .bind(entry.action)
            .bind(entry.subject)
            .bind(entry.ip)
            .bind(entry.detail)
            .execute(pool)
            .await
            .map(|_| ())
    });
    if let Err(error) = result {
        tracing::error!(?error, action = entry.action, "could not write audit row");
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// The newest audit rows, for the staff console and for tests that check what was recorded.
pub async fn latest(db: &Db, limit: i64) -> Result<Vec<AuditRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, AuditRow>(
            "SELECT at, actor_id, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}
