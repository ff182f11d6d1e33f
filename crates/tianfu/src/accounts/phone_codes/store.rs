//! SQL for one-time codes: one row per phone and purpose, replaced by a new code at most once a
//! minute, used at most once.

use chrono::{DateTime, Utc};

use crate::on_db;
use crate::platform::db::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CodeRow {
    pub code_hash: String,
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub attempts: i32,
    pub used_at: Option<DateTime<Utc>>,
}

pub async fn current(db: &Db, phone: &str, purpose: &str) -> Result<Option<CodeRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, CodeRow>(
            "SELECT code_hash, sent_at, expires_at, attempts, used_at FROM phone_codes WHERE phone = $1 AND purpose = $2",
        )
        .bind(phone)
        .bind(purpose)
        .fetch_optional(pool)
        .await
    })
}

/// Stores a new code unless one was sent at or after `resend_after` (one guarded upsert, so two
/// requests at once send one code). Returns whether it was stored.
pub async fn issue(
    db: &Db,
    phone: &str,
    purpose: &str,
    code_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    resend_after: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let stored = on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO phone_codes (phone, purpose, code_hash, sent_at, expires_at, attempts, used_at) \
             VALUES ($1, $2, $3, $4, $5, 0, NULL) \
             ON CONFLICT (phone, purpose) DO UPDATE SET code_hash = excluded.code_hash, \
                 sent_at = excluded.sent_at, expires_at = excluded.expires_at, attempts = 0, used_at = NULL \
             WHERE phone_codes.sent_at < $6",
        )
        .bind(phone)
        .bind(purpose)
        .bind(code_hash)
        .bind(now)
        .bind(expires_at)
        .bind(resend_after)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(stored == 1)
}

/// Marks the code (identified by its hash, unique per code) used, if it still may be: one
/// guarded statement, so a code is used once however many requests present it at once.
pub async fn consume(
    db: &Db,
    phone: &str,
    purpose: &str,
    code_hash: &str,
    now: DateTime<Utc>,
    max_attempts: i32,
) -> Result<bool, sqlx::Error> {
    let used = on_db!(db, pool => {
        sqlx::query(
            "UPDATE phone_codes SET used_at = $1 WHERE phone = $2 AND purpose = $3 AND code_hash = $4 \
             AND used_at IS NULL AND attempts < $5 AND expires_at > $1",
        )
        .bind(now)
        .bind(phone)
        .bind(purpose)
        .bind(code_hash)
        .bind(max_attempts)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(used == 1)
}

/// Counts a wrong try against the current code.
pub async fn count_wrong(
    db: &Db,
    phone: &str,
    purpose: &str,
    code_hash: &str,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query(
            "UPDATE phone_codes SET attempts = attempts + 1 WHERE phone = $1 AND purpose = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(phone)
        .bind(purpose)
        .bind(code_hash)
        .execute(pool)
        .await
        .map(|_| ())
    })
}

pub async fn user_with_phone(db: &Db, phone: &str) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM users WHERE phone = $1")
            .bind(phone)
            .fetch_optional(pool)
            .await
    })
}
