//! SQL for the second factor: a person's TOTP state, and logins waiting for their code. Each
//! change is one guarded statement: enrolment confirms only the pending secret shown, a step is
//! accepted only if later than the last accepted (so a code works once), a challenge is taken
//! once.

use chrono::{DateTime, Utc};
use tianfu_domain::UserId;

use crate::on_db;
use crate::platform::db::Db;

#[derive(Debug, sqlx::FromRow)]
pub struct Factor {
    pub role: String,
    pub phone: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
}

pub async fn factor(db: &Db, user: UserId) -> Result<Option<Factor>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, Factor>(
            "SELECT role, phone, disabled_at, totp_secret, totp_pending_secret FROM users WHERE id = $1",
        )
        .bind(user.0)
        .fetch_optional(pool)
        .await
    })
}

/// Accepts time step `step` for `user` if it is later than the last one accepted.
pub async fn accept_step(db: &Db, user: UserId, step: i64) -> Result<bool, sqlx::Error> {
    let done = on_db!(db, pool => {
        sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user.0)
        .execute(pool)
        .await
            .map(|d| d.rows_affected())
    })?;
    Ok(done == 1)
}

/// Keeps a new secret as pending (replacing an earlier pending one) while not enrolled.
pub async fn set_pending(db: &Db, user: UserId, secret: &str) -> Result<bool, sqlx::Error> {
    let done = on_db!(db, pool => {
        sqlx::query("UPDATE users SET totp_pending_secret = $1 WHERE id = $2 AND totp_secret IS NULL")
            .bind(secret)
            .bind(user.0)
            .execute(pool)
            .await
            .map(|d| d.rows_affected())
    })?;
    Ok(done == 1)
}

/// Turns the factor on with `secret` (the one the person's app was shown and the first code
/// proved), recording the step of that code as used.
pub async fn enable(db: &Db, user: UserId, secret: &str, step: i64) -> Result<bool, sqlx::Error> {
    let done = on_db!(db, pool => {
        sqlx::query(
            "UPDATE users SET totp_secret = $1, totp_pending_secret = NULL, totp_last_step = $2 \
             WHERE id = $3 AND totp_secret IS NULL",
        )
        .bind(secret)
        .bind(step)
        .bind(user.0)
        .execute(pool)
        .await
            .map(|d| d.rows_affected())
    })?;
    Ok(done == 1)
}

/// Turns the factor off, with the step of the code that proved the person holds it.
pub async fn disable(db: &Db, user: UserId, secret: &str, step: i64) -> Result<bool, sqlx::Error> {
    let done = on_db!(db, pool => {
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = $1 \
             WHERE id = $2 AND totp_secret = $3 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(user.0)
        .bind(secret)
        .execute(pool)
        .await
            .map(|d| d.rows_affected())
    })?;
    Ok(done == 1)
}

#[derive(Debug, sqlx::FromRow)]
pub struct Challenge {
    pub user_id: i64,
    pub next: String,
    pub enrol_secret: Option<String>,
}

pub async fn create_challenge(
    db: &Db,
    token_hash: &str,
    user: UserId,
    next: &str,
    enrol_secret: Option<&str>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query(
            "INSERT INTO login_challenges (token_hash, user_id, next, enrol_secret, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(user.0)
        .bind(next)
        .bind(enrol_secret)
        .bind(now)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|_| ())
    })
}

/// Counts one attempt at a live challenge with attempts left; None when there is none (unknown,
/// expired or out of attempts).
pub async fn attempt_challenge(
    db: &Db,
    token_hash: &str,
    now: DateTime<Utc>,
    max_attempts: i32,
) -> Result<Option<Challenge>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, Challenge>(
            "UPDATE login_challenges SET attempts = attempts + 1 \
             WHERE token_hash = $1 AND expires_at > $2 AND attempts < $3 \
             RETURNING user_id, next, enrol_secret",
        )
        .bind(token_hash)
        .bind(now)
        .bind(max_attempts)
        .fetch_optional(pool)
        .await
    })
}

/// Takes the challenge once its code was right: true only for the one request that deletes it.
pub async fn take_challenge(db: &Db, token_hash: &str) -> Result<bool, sqlx::Error> {
    let done = on_db!(db, pool => {
        sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
            .bind(token_hash)
            .execute(pool)
            .await
            .map(|d| d.rows_affected())
    })?;
    Ok(done == 1)
}

/// Expired challenges go whenever a new one starts, so they do not pile up.
pub async fn drop_expired_challenges(db: &Db, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query("DELETE FROM login_challenges WHERE expires_at <= $1")
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
    })
}
