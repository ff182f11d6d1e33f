//! Known devices: what keeps the owner's usual browser (or app install) out of reach of the
//! account's sign-in delay (OWASP's "device cookies").
//!
//! Strangers' wrong passwords grow the delay of the account they try, so without this anyone
//! could hold an account at a 15-minute wait, the administrator's included. A browser that has
//! once signed in to the account holds a random device token (an HttpOnly cookie for a year; the
//! API returns it as `device_token` for an app to send back). An attempt that presents a token
//! known for the phone tried is counted against that device instead of the account: a thief with
//! the token still needs the password and still meets growing delays, now only their own. Only
//! the token's SHA-256 is stored.

use axum::http::HeaderMap;
use axum::http::HeaderValue;
use chrono::{DateTime, Duration, Utc};
use tianfu_domain::UserId;

use crate::on_db;
use crate::platform::auth::{random_hex, token_hash};
use crate::platform::db::Db;

pub const COOKIE_NAME: &str = "tianfu_device";
pub const DAYS: i64 = 365;

/// The device token the request carries in its cookie, if any.
pub fn from_cookie(headers: &HeaderMap) -> Option<String> {
    crate::platform::cookies::read(headers, COOKIE_NAME)
}

pub fn cookie(token: &str) -> HeaderValue {
    let max_age = Duration::days(DAYS).num_seconds();
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}"
    ))
    .expect("hex token is a valid header")
}

/// The key a known device's failures are counted under; `None` when `token` is not a device
/// that signed in to the account of `phone` within the last year.
pub async fn known_for(
    db: &Db,
    token: Option<&str>,
    phone: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, sqlx::Error> {
    let Some(token) = token.filter(|t| !t.is_empty() && t.len() <= 128) else {
        return Ok(None);
    };
    let hash = token_hash(token);
    let found: Option<i64> = on_db!(db, pool => {
        sqlx::query_scalar(
            "SELECT d.user_id FROM known_devices d JOIN users u ON u.id = d.user_id \
             WHERE d.token_hash = $1 AND u.phone = $2 AND d.created_at > $3",
        )
        .bind(&hash)
        .bind(phone)
        .bind(now - Duration::days(DAYS))
        .fetch_optional(pool)
        .await
    })?;
    Ok(found.map(|_| hash))
}

/// After a successful sign-in: the token to hand back — the one presented when it is already
/// this user's, else a new one, remembered.
pub async fn remember(
    db: &Db,
    user: UserId,
    presented: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String, sqlx::Error> {
    if let Some(token) = presented.filter(|t| !t.is_empty() && t.len() <= 128) {
        let mine: Option<i64> = on_db!(db, pool => {
            sqlx::query_scalar(
                "SELECT user_id FROM known_devices WHERE token_hash = $1 AND user_id = $2 \
                 AND created_at > $3",
            )
            .bind(token_hash(token))
            .bind(user.0)
            .bind(now - Duration::days(DAYS))
            .fetch_optional(pool)
            .await
        })?;
        if mine.is_some() {
            return Ok(token.to_owned());
        }
    }
    // Devices older than a year count for nothing (`known_for`); they go when a new one comes,
    // so the table holds about a year of sign-ins. One statement on the `created_at` index.
    on_db!(db, pool => {
        sqlx::query("DELETE FROM known_devices WHERE created_at <= $1")
            .bind(now - Duration::days(DAYS))
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    let token = random_hex(32);
    on_db!(db, pool => {
        sqlx::query("INSERT INTO known_devices (token_hash, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(token_hash(&token))
            .bind(user.0)
            .bind(now)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
    })?;
    Ok(token)
}
