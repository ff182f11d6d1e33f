use tianfu_domain::UserId;

use crate::on_db;
use crate::on_tx;
use crate::platform::db::Db;

pub async fn password_hash(db: &Db, user: UserId) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(pool)
            .await
    })
}

/// Replaces the password hash if it is still `old` (guarded), and in the same transaction ends
/// every session of the person but `keep`. None when the hash had changed meanwhile.
pub async fn replace(
    db: &Db,
    user: UserId,
    old: &str,
    new: &str,
    keep: &str,
) -> Result<Option<u64>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let ended = on_tx!(&mut tx, conn => {
        let changed = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
            .bind(new)
            .bind(user.0)
            .bind(old)
            .execute(&mut **conn)
            .await?
            .rows_affected();
        if changed != 1 {
            return Ok(None);
        }
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND (public_id IS NULL OR public_id <> $2)")
            .bind(user.0)
            .bind(keep)
            .execute(&mut **conn)
            .await?
            .rows_affected();
        Ok::<_, sqlx::Error>(Some(ended))
    })?;
    if ended.is_some() {
        tx.commit().await?;
    }
    Ok(ended)
}
