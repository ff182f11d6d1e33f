use chrono::{DateTime, Utc};
use tianfu_domain::UserId;

use crate::platform::db::Db;
use crate::{on_db, on_tx};

#[derive(Debug, sqlx::FromRow)]
pub struct AccountState {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub role: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
}

const COLUMNS: &str = "id, name, phone, role, disabled_at, disabled_reason";

pub async fn state(db: &Db, user: UserId) -> Result<Option<AccountState>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    on_db!(db, pool => {
        sqlx::query_as::<_, AccountState>(sqlx::AssertSqlSafe(sql))
            .bind(user.0)
            .fetch_optional(pool)
            .await
    })
}

/// Accounts whose phone is `q` or whose name contains it, at most 50.
pub async fn find(db: &Db, q: &str) -> Result<Vec<AccountState>, sqlx::Error> {
    let pattern = format!(
        "%{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE phone = $1 OR name LIKE $2 ESCAPE '\\' ORDER BY id LIMIT 50"
    );
    on_db!(db, pool => {
        sqlx::query_as::<_, AccountState>(sqlx::AssertSqlSafe(sql))
            .bind(q)
            .bind(&pattern)
            .fetch_all(pool)
            .await
    })
}

/// Disables an enabled account other than `by`'s own and, in the same transaction, ends its
/// sessions and pending logins. False when it was not enabled (or does not exist).
pub async fn disable(
    db: &Db,
    user: UserId,
    by: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let done = on_tx!(&mut tx, conn => {
        let changed = sqlx::query(
            "UPDATE users SET disabled_at = $1, disabled_by = $2, disabled_reason = $3 \
             WHERE id = $4 AND disabled_at IS NULL AND id <> $2",
        )
        .bind(now)
        .bind(by.0)
        .bind(reason)
        .bind(user.0)
        .execute(&mut **conn)
        .await?
        .rows_affected();
        if changed != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(&mut **conn).await?;
        sqlx::query("DELETE FROM login_challenges WHERE user_id = $1").bind(user.0).execute(&mut **conn).await?;
        Ok::<_, sqlx::Error>(true)
    })?;
    if done {
        tx.commit().await?;
    }
    Ok(done)
}

/// Enables a disabled account; false when it was not disabled.
pub async fn enable(db: &Db, user: UserId) -> Result<bool, sqlx::Error> {
    let done = on_db!(db, pool => {
        sqlx::query(
            "UPDATE users SET disabled_at = NULL, disabled_by = NULL, disabled_reason = NULL \
             WHERE id = $1 AND disabled_at IS NOT NULL",
        )
        .bind(user.0)
        .execute(pool)
        .await
            .map(|d| d.rows_affected())
    })?;
    Ok(done == 1)
}
