//! SQL for holds on needs and for large deals' verification. Functions taking a [`Tx`] write
//! inside the business act that calls them (a submission, a review, a deal's move), so a hold or a
//! verification never commits without the act, nor the act without it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tianfu_domain::RegionCode;

use super::rules::{Earlier, Hold};
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::scope::RegionScope;
use crate::platform::tx::{Guarded, Tx};
use crate::{on_db, on_tx};

/// The account's needs submitted since `since` (any status), newest first, without `except`.
pub async fn recent_needs(
    db: &Db,
    owner: i64,
    since: DateTime<Utc>,
    except: Option<i64>,
) -> Result<Vec<Earlier>, sqlx::Error> {
    // Reads the owner's own rows (index listings_owner); a script posting thousands is cut at 500.
    const SQL: &str = "SELECT id, title, description_text, created_at FROM listings \
         WHERE owner_id = $1 AND kind = 'need' AND created_at >= $2 AND id <> $3 ORDER BY id DESC LIMIT 500";
    let rows: Vec<(i64, String, String, DateTime<Utc>)> = on_db!(db, pool => sqlx::query_as(SQL)
        .bind(owner).bind(since).bind(except.unwrap_or(0)).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, text, created_at)| Earlier {
            text: super::rules::comparable(&title, &text),
            id,
            title,
            created_at,
        })
        .collect())
}

/// Holds the listing with `hold`'s evidence, or (no hold) clears a hold an earlier version of it
/// had: the edit no longer resembles anything.
pub async fn apply_hold(
    tx: &mut Tx,
    listing_id: i64,
    owner: i64,
    region: &RegionCode,
    hold: Option<&Hold>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let Some(hold) = hold else {
        on_tx!(tx, conn => sqlx::query("UPDATE listing_holds SET status = 'cleared', updated_at = $1 WHERE listing_id = $2 AND status = 'held'")
            .bind(now).bind(listing_id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
        return Ok(());
    };
    const SQL: &str = "INSERT INTO listing_holds (listing_id, owner_id, region_code, rule, similar_id, similarity_permille, \
         burst_count, reason, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'held', $9, $9) \
         ON CONFLICT (listing_id) DO UPDATE SET rule = excluded.rule, similar_id = excluded.similar_id, \
         similarity_permille = excluded.similarity_permille, burst_count = excluded.burst_count, reason = excluded.reason, \
         status = 'held', decided_by = NULL, decision_reason = NULL, decided_at = NULL, updated_at = excluded.updated_at";
    on_tx!(tx, conn => sqlx::query(SQL)
        .bind(listing_id).bind(owner).bind(region.as_str()).bind(hold.rule.as_str())
        .bind(hold.similar.as_ref().map(|s| s.0)).bind(hold.similarity_permille())
        .bind(hold.burst_count as i64).bind(hold.reason()).bind(now)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(())
}

/// Staff's decision settles the hold: `overridden` (approved, with the reviewer's reason) or
/// `rejected`. Guarded on `held`; a listing without a hold changes nothing.
pub async fn settle_hold(
    tx: &mut Tx,
    listing_id: i64,
    approve: bool,
    reviewer: i64,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let status = if approve { "overridden" } else { "rejected" };
    on_tx!(tx, conn => sqlx::query(
        "UPDATE listing_holds SET status = $1, decided_by = $2, decision_reason = $3, decided_at = $4, updated_at = $4 \
         WHERE listing_id = $5 AND status = 'held'")
        .bind(status).bind(reviewer).bind(reason).bind(now).bind(listing_id).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HoldRow {
    pub listing_id: i64,
    pub title: String,
    pub owner_name: String,
    pub region_code: String,
    pub rule: String,
    pub similar_id: Option<i64>,
    pub similarity_permille: Option<i64>,
    pub burst_count: i64,
    pub reason: String,
    pub status: String,
    pub decision_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! hold_select {
    () => {
        "SELECT h.listing_id, l.title, u.name AS owner_name, h.region_code, h.rule, h.similar_id, h.similarity_permille, \
         h.burst_count, h.reason, h.status, h.decision_reason, h.updated_at \
         FROM listing_holds h JOIN listings l ON l.id = h.listing_id JOIN users u ON u.id = h.owner_id "
    };
}

/// The holds still in force on these listings, by listing (one query for a page of them).
pub async fn held_among(db: &Db, ids: &[i64]) -> Result<HashMap<i64, HoldRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<HoldRow> = on_db!(db, pool => {
        let mut query = sqlx::QueryBuilder::new(concat!(hold_select!(), "WHERE h.status = 'held' AND h.listing_id IN ("));
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        query.build_query_as::<HoldRow>().fetch_all(pool).await
    })?;
    Ok(rows.into_iter().map(|r| (r.listing_id, r)).collect())
}

pub async fn held(db: &Db, id: i64) -> Result<Option<HoldRow>, sqlx::Error> {
    Ok(held_among(db, &[id]).await?.remove(&id))
}

fn push_scope<DB: sqlx::Database>(
    query: &mut sqlx::QueryBuilder<DB>,
    column: &str,
    scope: &RegionScope,
) where
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if let RegionScope::Subtree(root) = scope {
        let (low, high) = root.subtree_bounds();
        query.push(format_args!(" AND {column} >= ")).push_bind(low);
        query.push(format_args!(" AND {column} < ")).push_bind(high);
    }
}

/// Holds with one of `statuses` in the scope, newest first (index listing_holds_status_region).
pub async fn holds(
    db: &Db,
    status: &'static str,
    scope: &RegionScope,
    paging: Paging,
) -> Result<(Vec<HoldRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(concat!(hold_select!(), "WHERE h.status = "));
        rows.push_bind(status);
        push_scope(&mut rows, "h.region_code", scope);
        rows.push(" ORDER BY h.listing_id DESC LIMIT ").push_bind(paging.limit()).push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<HoldRow>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM listing_holds h WHERE h.status = ");
        count.push_bind(status);
        push_scope(&mut count, "h.region_code", scope);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// Opens the verification of a deal just signed at or above the threshold.
pub async fn open_verification(
    tx: &mut Tx,
    deal_id: i64,
    region: &RegionCode,
    amount_fen: i64,
    threshold_fen: i64,
    signed_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO deal_verifications (deal_id, region_code, amount_fen, threshold_fen, status, signed_at) \
         VALUES ($1, $2, $3, $4, 'awaiting', $5) ON CONFLICT (deal_id) DO NOTHING")
        .bind(deal_id).bind(region.as_str()).bind(amount_fen).bind(threshold_fen).bind(signed_at)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(())
}

/// What a signed deal's termination must take back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Booked {
    /// An ordinary deal: its `deal.signed`.
    Signed,
    /// A large deal still awaiting verification (now withdrawn): its `deal.signed_unverified`,
    /// dated at the signing.
    Unverified(DateTime<Utc>),
    /// A large deal staff rejected: nothing is counted, nothing to take back.
    Nothing,
}

/// Withdraws a pending verification as the deal is terminated (in the termination's
/// transaction) and says what the ledger booked for the deal. The verification row is where a
/// termination and a concurrent verification meet: whichever changes it first wins, the other
/// sees its result (`verified` books `deal.signed`, which the termination then reverses).
pub async fn withdraw_on_termination(
    tx: &mut Tx,
    deal_id: i64,
    now: DateTime<Utc>,
) -> Result<Booked, sqlx::Error> {
    let withdrawn: Option<DateTime<Utc>> = on_tx!(tx, conn => sqlx::query_scalar(
        "UPDATE deal_verifications SET status = 'withdrawn', reason = '交易已终止', decided_at = $1 \
         WHERE deal_id = $2 AND status = 'awaiting' RETURNING signed_at")
        .bind(now).bind(deal_id).fetch_optional(&mut **conn).await)?;
    if let Some(signed_at) = withdrawn {
        return Ok(Booked::Unverified(signed_at));
    }
    let status: Option<String> = on_tx!(tx, conn => sqlx::query_scalar(
        "SELECT status FROM deal_verifications WHERE deal_id = $1")
        .bind(deal_id).fetch_optional(&mut **conn).await)?;
    Ok(match status.as_deref() {
        None | Some("verified") => Booked::Signed,
        Some(_) => Booked::Nothing,
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VerificationRow {
    pub deal_id: i64,
    pub region_code: String,
    pub amount_fen: i64,
    pub threshold_fen: i64,
    pub status: String,
    pub signed_at: DateTime<Utc>,
    pub reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub title: String,
    pub buyer_name: String,
    pub seller_name: String,
    pub contracts: i64,
}

macro_rules! verification_select {
    () => {
        "SELECT v.deal_id, v.region_code, v.amount_fen, v.threshold_fen, v.status, v.signed_at, v.reason, v.decided_at, \
         COALESCE(l.title, '') AS title, b.name AS buyer_name, s.name AS seller_name, \
         (SELECT COUNT(*) FROM deal_contracts c WHERE c.deal_id = v.deal_id) AS contracts \
         FROM deal_verifications v JOIN deals d ON d.id = v.deal_id JOIN users b ON b.id = d.buyer_id \
         JOIN users s ON s.id = d.seller_id LEFT JOIN listings l ON l.id = COALESCE(d.need_id, d.offer_id, d.achievement_id) "
    };
}

pub async fn verification(db: &Db, deal_id: i64) -> Result<Option<VerificationRow>, sqlx::Error> {
    const SQL: &str = concat!(verification_select!(), "WHERE v.deal_id = $1");
    on_db!(db, pool => sqlx::query_as::<_, VerificationRow>(SQL).bind(deal_id).fetch_optional(pool).await)
}

/// Verifications with `status` in the scope, newest first.
pub async fn verifications(
    db: &Db,
    status: &'static str,
    scope: &RegionScope,
    paging: Paging,
) -> Result<(Vec<VerificationRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(concat!(verification_select!(), "WHERE v.status = "));
        rows.push_bind(status);
        push_scope(&mut rows, "v.region_code", scope);
        rows.push(" ORDER BY v.deal_id DESC LIMIT ").push_bind(paging.limit()).push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<VerificationRow>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM deal_verifications v WHERE v.status = ");
        count.push_bind(status);
        push_scope(&mut count, "v.region_code", scope);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// Staff's decision: one guarded statement from `awaiting` (a second decision, or one racing a
/// termination, finds it changed).
pub async fn decide(
    tx: &mut Tx,
    deal_id: i64,
    verified: bool,
    staff: i64,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let status = if verified { "verified" } else { "rejected" };
    let changed = on_tx!(tx, conn => sqlx::query(
        "UPDATE deal_verifications SET status = $1, decided_by = $2, reason = $3, decided_at = $4 \
         WHERE deal_id = $5 AND status = 'awaiting'")
        .bind(status).bind(staff).bind(reason).bind(now).bind(deal_id)
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    Ok(Guarded::of(changed))
}

/// The deal's verification status, if it has one (a large deal's completion asks whether its
/// transfer may count yet).
pub async fn status_in(tx: &mut Tx, deal_id: i64) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, conn => sqlx::query_scalar("SELECT status FROM deal_verifications WHERE deal_id = $1")
        .bind(deal_id).fetch_optional(&mut **conn).await)
}
