//! The audit log: every login, failed login, lockout and permission refusal, and every act that
//! changes who may do what (staff created), with who did it, from where and with what outcome.
//!
//! Rows are append-only: nothing here or elsewhere updates or deletes them, and migration 0017
//! makes the database refuse it. Administrators search and export them (`crate::audit`).

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

/// The outcome an action stands for, stored beside it so that reviewers can filter by it: a
/// refusal (`*.denied`) is `denied`, a failed, refused or locked attempt `failure`, anything
/// else `success`. Migration 0017 derived the outcome of older rows by the same rule.
pub fn outcome_of(action: &str) -> &'static str {
    if action.ends_with(".denied") {
        "denied"
    } else if [".failure", ".failed", ".locked", ".refused", ".limited"]
        .iter()
        .any(|suffix| action.ends_with(suffix))
    {
        "failure"
    } else {
        "success"
    }
}

/// Writes one audit row. A failure to audit is logged but does not fail the request it records.
pub async fn record(db: &Db, at: DateTime<Utc>, entry: AuditEntry<'_>) {
    let result = on_db!(db, pool => {
        sqlx::query("INSERT INTO audit_log (at, actor_id, action, subject, ip, detail, outcome) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(at)
            .bind(entry.actor.map(|id| id.0))
            .bind(entry.action)
            .bind(entry.subject)
            .bind(entry.ip)
            .bind(entry.detail)
            .bind(outcome_of(entry.action))
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

#[cfg(test)]
mod tests {
    use super::outcome_of;

    #[test]
    fn the_outcome_follows_the_action() {
        assert_eq!(outcome_of("permission.denied"), "denied");
        assert_eq!(outcome_of("login.failure"), "failure");
        assert_eq!(outcome_of("login.locked"), "failure");
        assert_eq!(outcome_of("login.success"), "success");
        assert_eq!(outcome_of("staff.created"), "success");
    }
}
