//! Appointment rows. A person has one row for life (`user_id` is unique): appointing writes it,
//! revoking marks it, appointing again after a revocation reuses it with the same share code, so
//! the links already handed out keep counting to the same person.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{DateTime, Utc};
use tianfu_domain::RegionCode;

use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::scope::RegionScope;
use crate::platform::tx::Guarded;
use crate::{on_db, on_tx};

/// Letters and digits that cannot be mistaken for one another when read aloud or off a poster
/// (no 0/o, 1/l/i).
const CODE_ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";
/// Ten characters of 31: about 50 bits, so codes cannot be guessed or walked.
const CODE_LENGTH: usize = 10;

/// A new share code from the operating system's randomness.
pub fn new_code() -> String {
    // Bytes at or above the largest multiple of 31 are drawn again, so every character is
    // equally likely.
    let limit = (256 / CODE_ALPHABET.len() * CODE_ALPHABET.len()) as u8;
    let mut code = String::with_capacity(CODE_LENGTH);
    let mut raw = [0u8; 32];
    while code.len() < CODE_LENGTH {
        OsRng.fill_bytes(&mut raw);
        for byte in raw.iter().filter(|b| **b < limit) {
            if code.len() < CODE_LENGTH {
                code.push(CODE_ALPHABET[usize::from(*byte) % CODE_ALPHABET.len()] as char);
            }
        }
    }
    code
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SharerRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub phone: String,
    pub role: String,
    pub code: String,
    pub region_code: String,
    pub village: Option<String>,
    pub status: String,
    pub appointed_by: i64,
    pub appointed_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl SharerRow {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }

    /// The township, parsed; a stored code that does not parse is a corrupt row, not the province.
    pub fn region(&self) -> Result<RegionCode, AppError> {
        RegionCode::parse(&self.region_code).map_err(|_| {
            AppError::Internal(anyhow::anyhow!(
                "sharer {} has a bad region {:?}",
                self.id,
                self.region_code
            ))
        })
    }
}

const SELECT: &str = "SELECT s.id, s.user_id, u.name, u.phone, u.role, s.code, s.region_code, s.village, s.status, \
     s.appointed_by, s.appointed_at, s.revoked_at FROM kepu_sharers s JOIN users u ON u.id = s.user_id";

/// The person to appoint, as found by phone or id.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub region_code: String,
}

pub async fn candidate_by_phone(db: &Db, phone: &str) -> Result<Option<Candidate>, AppError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Candidate>(
        "SELECT id, name, role, region_code FROM users WHERE phone = $1")
        .bind(phone).fetch_optional(pool).await)?)
}

pub async fn candidate_by_id(db: &Db, id: i64) -> Result<Option<Candidate>, AppError> {
    Ok(on_db!(db, pool => sqlx::query_as::<_, Candidate>(
        "SELECT id, name, role, region_code FROM users WHERE id = $1")
        .bind(id).fetch_optional(pool).await)?)
}

/// What an appointment names.
pub struct Appointment<'a> {
    pub person: i64,
    pub township: &'a RegionCode,
    pub village: Option<&'a str>,
    pub by: i64,
    pub notice: &'a str,
}

/// 任命: a new row, or the person's revoked row made active again for the new township (its
/// code kept), with the person told — one guarded statement and the notice in one
/// transaction. `None` when the person already holds an active appointment.
pub async fn appoint(
    db: &Db,
    appointment: &Appointment<'_>,
    at: DateTime<Utc>,
) -> Result<Option<i64>, AppError> {
    let mut tx = db.begin().await?;
    let id: Option<i64> = on_tx!(&mut tx, conn => sqlx::query_scalar(
        "INSERT INTO kepu_sharers (user_id, code, region_code, village, status, appointed_by, appointed_at) \
         VALUES ($1, $2, $3, $4, 'active', $5, $6) \
         ON CONFLICT (user_id) DO UPDATE SET region_code = excluded.region_code, village = excluded.village, \
         status = 'active', appointed_by = excluded.appointed_by, appointed_at = excluded.appointed_at, revoked_at = NULL \
         WHERE kepu_sharers.status = 'revoked' RETURNING id")
        .bind(appointment.person)
        .bind(new_code())
        .bind(appointment.township.as_str())
        .bind(appointment.village)
        .bind(appointment.by)
        .bind(at)
        .fetch_optional(&mut **conn).await)?;
    let Some(id) = id else {
        return Ok(None);
    };
    tx.notify(appointment.person, appointment.notice, "/me/sharer", at)
        .await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// 撤销: active → revoked, the person told; `Lost` when it was not active (revoked already, or
/// by someone else a moment ago).
pub async fn revoke(
    db: &Db,
    sharer: &SharerRow,
    notice: &str,
    at: DateTime<Utc>,
) -> Result<Guarded, AppError> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE kepu_sharers SET status = 'revoked', revoked_at = $2 WHERE id = $1 AND status = 'active'")
        .bind(sharer.id).bind(at)
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    if Guarded::of(changed) == Guarded::Lost {
        return Ok(Guarded::Lost);
    }
    tx.notify(sharer.user_id, notice, "/me/sharer", at).await?;
    tx.commit().await?;
    Ok(Guarded::Changed)
}

pub async fn find(db: &Db, id: i64) -> Result<Option<SharerRow>, AppError> {
    let sql = format!("{SELECT} WHERE s.id = $1");
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, SharerRow>(sqlx::AssertSqlSafe(sql))
        .bind(id).fetch_optional(pool).await)?,
    )
}

/// The person's appointment, active or not.
pub async fn of_user(db: &Db, user: i64) -> Result<Option<SharerRow>, AppError> {
    let sql = format!("{SELECT} WHERE s.user_id = $1");
    Ok(
        on_db!(db, pool => sqlx::query_as::<_, SharerRow>(sqlx::AssertSqlSafe(sql))
        .bind(user).fetch_optional(pool).await)?,
    )
}

/// The person's share code while they are an active 科普员 (one indexed read, for the resource
/// page's 分享 box).
pub async fn active_code(db: &Db, user: i64) -> Result<Option<String>, AppError> {
    Ok(on_db!(db, pool => sqlx::query_scalar::<_, String>(
        "SELECT code FROM kepu_sharers WHERE user_id = $1 AND status = 'active'")
        .bind(user).fetch_optional(pool).await)?)
}

/// Which appointments a list shows.
#[derive(Debug, Clone)]
pub struct SharerFilter {
    pub scope: RegionScope,
    /// active or revoked; none for both.
    pub status: Option<String>,
}

/// Appointments inside the scope, township by township (the region index's order).
pub async fn list(
    db: &Db,
    filter: &SharerFilter,
    paging: Paging,
) -> Result<(Vec<SharerRow>, i64), AppError> {
    let (low, high) = match &filter.scope {
        RegionScope::All => (String::new(), "~".to_owned()),
        RegionScope::Subtree(root) => root.subtree_bounds(),
    };
    // Only the conditions the request sets are written, each bound.
    let mut condition = String::from("s.region_code >= $1 AND s.region_code < $2");
    if filter.status.is_some() {
        condition.push_str(" AND s.status = $3");
    }
    let (limit, offset) = if filter.status.is_some() {
        ("$4", "$5")
    } else {
        ("$3", "$4")
    };
    let sql = format!(
        "{SELECT} WHERE {condition} ORDER BY s.region_code, s.id LIMIT {limit} OFFSET {offset}"
    );
    let count = format!("SELECT COUNT(*) FROM kepu_sharers s WHERE {condition}");
    let rows = on_db!(db, pool => {
        let mut query = sqlx::query_as::<_, SharerRow>(sqlx::AssertSqlSafe(sql)).bind(&low).bind(&high);
        if let Some(status) = &filter.status {
            query = query.bind(status);
        }
        query.bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await
    })?;
    let total: i64 = on_db!(db, pool => {
        let mut query = sqlx::query_scalar(sqlx::AssertSqlSafe(count)).bind(&low).bind(&high);
        if let Some(status) = &filter.status {
            query = query.bind(status);
        }
        query.fetch_one(pool).await
    })?;
    Ok((rows, total))
}

/// Active appointments per township inside `root`: (township, 科普员, villages named).
pub async fn active_by_township(
    db: &Db,
    root: &RegionCode,
) -> Result<Vec<(String, i64, i64)>, AppError> {
    let (low, high) = root.subtree_bounds();
    Ok(on_db!(db, pool => sqlx::query_as::<_, (String, i64, i64)>(
        "SELECT region_code, COUNT(*), COUNT(DISTINCT village) FROM kepu_sharers \
         WHERE region_code >= $1 AND region_code < $2 AND status = 'active' GROUP BY region_code")
        .bind(&low).bind(&high).fetch_all(pool).await)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_ten_unambiguous_characters_and_differ() {
        let a = new_code();
        let b = new_code();
        assert_eq!(a.len(), CODE_LENGTH);
        assert!(a.bytes().all(|c| CODE_ALPHABET.contains(&c)), "{a}");
        assert_ne!(a, b);
    }
}
