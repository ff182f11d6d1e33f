//! SQL for accounts. Each public function is one business act in one transaction.

use chrono::{DateTime, Utc};
use tianfu_domain::{FieldErrors, RegionCode, UserId};

use super::register::NewAccount;
use crate::ledger::{Event, EventKind};
use crate::platform::db::{Db, is_unique_violation};
use crate::platform::error::AppError;
use crate::platform::tx::{Guarded, Tx};
use crate::{on_db, on_tx};

/// Registers a person or organisation: the user row, the organisation row, and the
/// `user.registered` ledger event commit together or not at all.
pub async fn register(
    db: &Db,
    account: &NewAccount,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<UserId, AppError> {
    // An async block, so that `?` ends the transaction attempt here, not the whole function:
    // the error still has to be read for a unique violation below.
    let result: Result<i64, sqlx::Error> = async {
        let mut tx = db.begin().await?;
        let id: i64 = on_tx!(&mut tx, conn => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (role, phone, password_hash, name, region_code, created_at, terms_accepted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(account.role.as_str())
            .bind(account.phone.as_str())
            .bind(password_hash)
            .bind(account.name.as_str())
            .bind(account.region.as_str())
            .bind(now)
            .bind(account.accepted_terms.then_some(now))
            .fetch_one(&mut **conn)
            .await?;
            if let Some(org) = &account.org {
                sqlx::query("INSERT INTO organizations (user_id, name, credit_code, org_type) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(org.name.as_str())
                    .bind(org.credit_code.as_str())
                    .bind(org.org_type.as_str())
                    .execute(&mut **conn)
                    .await?;
            }
            Ok::<i64, sqlx::Error>(id)
        })?;
        let event = Event::new(EventKind::UserRegistered, &account.region, account.role.as_str(), id)
            .actor(id)
            .once();
        tx.record(now, &event).await?;
        if let Some((audience, interests)) = &account.kepu {
            crate::kepu::profile::store::save(&mut tx, id, audience.as_deref(), interests, &[], now)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }
    .await;
    result.map(UserId).map_err(|error| {
        if is_unique_violation(&error, "users", "phone") {
            conflict("phone", "该手机号已注册，请直接登录")
        } else if is_unique_violation(&error, "organizations", "credit_code") {
            conflict("org.credit_code", "该统一社会信用代码已被其他账号注册")
        } else {
            error.into()
        }
    })
}

/// Moves a person to another region of the county they are in (one of its townships, or the
/// county itself), in the caller's transaction. One guarded statement: a person whose region
/// left the county meanwhile, or a staff account, is not moved (`Guarded::Lost`). Moving county
/// is not offered here: it would move the person's nanny ticket and past figures with them.
pub async fn move_within_county(
    tx: &mut Tx,
    user: UserId,
    to: &RegionCode,
    county: &RegionCode,
) -> Result<Guarded, sqlx::Error> {
    let (low, high) = county.subtree_bounds();
    let changed = on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE users SET region_code = $1 WHERE id = $2 AND region_code >= $3 AND region_code < $4 \
             AND role NOT IN ('staff', 'admin')",
        )
        .bind(to.as_str())
        .bind(user.0)
        .bind(low)
        .bind(high)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(Guarded::of(changed))
}

pub fn conflict(field: &str, message: &str) -> AppError {
    AppError::Conflict {
        message: message.to_owned(),
        fields: FieldErrors::single(field, message),
    }
}

#[derive(Debug, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

pub async fn credentials_by_phone(
    db: &Db,
    phone: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, Credentials>("SELECT id, password_hash FROM users WHERE phone = $1")
            .bind(phone)
            .fetch_optional(pool)
            .await
    })
}

/// Everything the account page and `/me` show.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Profile {
    pub id: i64,
    pub role: String,
    pub name: String,
    pub phone: String,
    pub region_code: String,
    pub department: Option<String>,
    pub created_at: DateTime<Utc>,
    pub org_name: Option<String>,
    pub credit_code: Option<String>,
    pub org_type: Option<String>,
}

pub async fn profile(db: &Db, user: UserId) -> Result<Option<Profile>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, Profile>(
            "SELECT u.id, u.role, u.name, u.phone, u.region_code, u.department, u.created_at, \
                    o.name AS org_name, o.credit_code, o.org_type \
             FROM users u LEFT JOIN organizations o ON o.user_id = u.id WHERE u.id = $1",
        )
        .bind(user.0)
        .fetch_optional(pool)
        .await
    })
}
