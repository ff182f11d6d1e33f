//! SQL for sign-in failure counters and alerts. Every change is one guarded statement.

use chrono::{DateTime, Utc};

use crate::on_db;
use crate::platform::db::Db;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Failures {
    pub failures: i32,
    pub last_at: DateTime<Utc>,
    pub wait_until: DateTime<Utc>,
    pub window_started: DateTime<Utc>,
    pub window_failures: i32,
}

pub async fn get(db: &Db, scope: &str, subject: &str) -> Result<Option<Failures>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, Failures>(
            "SELECT failures, last_at, wait_until, window_started, window_failures FROM login_failures \
             WHERE scope = $1 AND subject = $2",
        )
        .bind(scope)
        .bind(subject)
        .fetch_optional(pool)
        .await
    })
}

/// Writes `new` over `old` (or as the first row when there is none) unless another request
/// changed the row meanwhile; returns whether it was written.
pub async fn replace(
    db: &Db,
    scope: &str,
    subject: &str,
    old: Option<&Failures>,
    new: &Failures,
) -> Result<bool, sqlx::Error> {
    let written = match old {
        None => on_db!(db, pool => {
            sqlx::query(
                "INSERT INTO login_failures (scope, subject, failures, last_at, wait_until, window_started, window_failures) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (scope, subject) DO NOTHING",
            )
            .bind(scope)
            .bind(subject)
            .bind(new.failures)
            .bind(new.last_at)
            .bind(new.wait_until)
            .bind(new.window_started)
            .bind(new.window_failures)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?,
        Some(old) => on_db!(db, pool => {
            sqlx::query(
                "UPDATE login_failures SET failures = $1, last_at = $2, wait_until = $3, window_started = $4, \
                 window_failures = $5 WHERE scope = $6 AND subject = $7 AND failures = $8 AND last_at = $9",
            )
            .bind(new.failures)
            .bind(new.last_at)
            .bind(new.wait_until)
            .bind(new.window_started)
            .bind(new.window_failures)
            .bind(scope)
            .bind(subject)
            .bind(old.failures)
            .bind(old.last_at)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?,
    };
    Ok(written == 1)
}

pub async fn forget(db: &Db, scope: &str, subject: &str) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM login_failures WHERE scope = $1 AND subject = $2")
            .bind(scope)
            .bind(subject)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Records the alert `key` and notifies every administrator, in one transaction; only the first
/// request with a key does (the key is the table's primary key). Returns whether this one did.
pub async fn alert_once(
    db: &Db,
    key: &str,
    text: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let first = crate::on_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO security_alerts (alert_key, created_at) VALUES ($1, $2) ON CONFLICT (alert_key) DO NOTHING")
            .bind(key)
            .bind(now)
            .execute(&mut **conn)
            .await
            .map(|done| done.rows_affected())
    })?;
    if first != 1 {
        return Ok(false);
    }
    crate::on_tx!(&mut tx, conn => {
        sqlx::query(
            "INSERT INTO notifications (user_id, text, link, created_at) SELECT id, $1, $2, $3 FROM users WHERE role = 'admin'",
        )
        .bind(text)
        .bind(link)
        .bind(now)
        .execute(&mut **conn)
        .await
        .map(|_| ())
    })?;
    tx.commit().await?;
    Ok(true)
}
