//! SQL for listings. Each public function is one business act in one transaction; every change
//! a search index must see writes its outbox row in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use tianfu_domain::{ListingKind, ListingStatus, RegionCode, UserId};

use super::integrity;
use super::integrity::rules::Hold;
use super::listing::NewListing;
use crate::ledger::{Event, EventKind};
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::scope::RegionScope;
use crate::platform::tx::Guarded;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListingRow {
    pub id: i64,
    pub kind: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub studio_id: Option<i64>,
    pub title: String,
    pub description_html: String,
    pub description_text: String,
    pub industry: String,
    pub keywords: String,
    pub region_code: String,
    pub status: String,
    pub review_reason: Option<String>,
    pub price_fen: Option<i64>,
    pub service_type: Option<String>,
    pub service_area: Option<String>,
    pub need_kind: Option<String>,
    pub deadline: Option<String>,
    pub contact_pref: Option<String>,
    pub achievement_kind: Option<String>,
    pub patent_no: Option<String>,
    pub maturity: Option<String>,
    pub transfer_mode: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// Until when the owner's last 撤回 or 关闭 can be undone (`market::undo`).
    pub undo_until: Option<DateTime<Utc>>,
}

impl ListingRow {
    pub fn kind(&self) -> Option<ListingKind> {
        ListingKind::parse(&self.kind).ok()
    }

    pub fn status(&self) -> Option<ListingStatus> {
        ListingStatus::parse(&self.status).ok()
    }

    pub fn is_published(&self) -> bool {
        self.status() == Some(ListingStatus::Published)
    }

    pub fn region(&self) -> Option<RegionCode> {
        RegionCode::parse(&self.region_code).ok()
    }

    pub fn keyword_list(&self) -> Vec<String> {
        self.keywords
            .split('\n')
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

macro_rules! listing_select {
    () => {
        "SELECT l.id, l.kind, l.owner_id, u.name AS owner_name, l.studio_id, l.title, l.description_html, \
         l.description_text, l.industry, l.keywords, l.region_code, l.status, l.review_reason, l.price_fen, \
         l.service_type, l.service_area, l.need_kind, l.deadline, l.contact_pref, l.achievement_kind, l.patent_no, \
         l.maturity, l.transfer_mode, l.created_at, l.updated_at, l.published_at, l.undo_until \
         FROM listings l JOIN users u ON u.id = l.owner_id "
    };
}
pub(crate) use listing_select;

fn date_text(date: Option<NaiveDate>) -> Option<String> {
    date.map(|d| d.format("%Y-%m-%d").to_string())
}

/// Submits a new listing for review. It is not public until staff approve it.
pub async fn create(
    db: &Db,
    owner: UserId,
    studio: Option<i64>,
    region: &RegionCode,
    listing: &NewListing,
    hold: Option<&Hold>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let d = &listing.details;
    let mut tx = db.begin().await?;
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO listings (kind, owner_id, studio_id, title, description_html, description_text, industry, keywords, \
             region_code, status, price_fen, service_type, service_area, need_kind, deadline, contact_pref, achievement_kind, \
             patent_no, maturity, transfer_mode, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20) RETURNING id",
        )
        .bind(listing.kind.as_str())
        .bind(owner.0)
        .bind(studio)
        .bind(&listing.title)
        .bind(&listing.description_html)
        .bind(&listing.description_text)
        .bind(listing.industry.code())
        .bind(listing.keywords.join("\n"))
        .bind(region.as_str())
        .bind(listing.price_fen.map(|f| f.get()))
        .bind(d.service_type.map(|t| t.as_str()))
        .bind(d.service_area.as_deref())
        .bind(d.need_kind.map(|k| k.as_str()))
        .bind(date_text(d.deadline))
        .bind(d.contact_pref.as_deref())
        .bind(d.achievement_kind.map(|k| k.as_str()))
        .bind(d.patent_no.as_deref())
        .bind(d.maturity.map(|m| m.as_str()))
        .bind(d.transfer_mode.map(|m| m.as_str()))
        .bind(now)
        .fetch_one(&mut **conn)
        .await
    })?;
    tx.outbox("listing", id, now).await?;
    let event = Event::new(
        EventKind::ListingSubmitted,
        region,
        listing.kind.as_str(),
        id,
    )
    .actor(owner.0)
    .once();
    tx.record(now, &event).await?;
    if let Some(hold) = hold {
        integrity::store::apply_hold(&mut tx, id, owner.0, region, Some(hold), now).await?;
        let text = integrity::service::held_notice(&listing.title, hold);
        tx.notify(owner.0, &text, &format!("/{}s/{id}", listing.kind), now)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Replaces a listing's content if it is still in the status it was read in; an edited listing
/// goes back to the review queue (and out of search until approved again), or, with `then`,
/// is withdrawn or closed in the same statement.
pub async fn update(
    db: &Db,
    row: &ListingRow,
    listing: &NewListing,
    then: Option<ListingStatus>,
    hold: Option<&Hold>,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let d = &listing.details;
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE listings SET title = $1, description_html = $2, description_text = $3, industry = $4, keywords = $5, \
             price_fen = $6, service_type = $7, service_area = $8, need_kind = $9, deadline = $10, contact_pref = $11, \
             achievement_kind = $12, patent_no = $13, maturity = $14, transfer_mode = $15, status = $19, \
             review_reason = NULL, updated_at = $16 WHERE id = $17 AND status = $18",
        )
        .bind(&listing.title)
        .bind(&listing.description_html)
        .bind(&listing.description_text)
        .bind(listing.industry.code())
        .bind(listing.keywords.join("\n"))
        .bind(listing.price_fen.map(|f| f.get()))
        .bind(d.service_type.map(|t| t.as_str()))
        .bind(d.service_area.as_deref())
        .bind(d.need_kind.map(|k| k.as_str()))
        .bind(date_text(d.deadline))
        .bind(d.contact_pref.as_deref())
        .bind(d.achievement_kind.map(|k| k.as_str()))
        .bind(d.patent_no.as_deref())
        .bind(d.maturity.map(|m| m.as_str()))
        .bind(d.transfer_mode.map(|m| m.as_str()))
        .bind(now)
        .bind(row.id)
        .bind(&row.status)
        .bind(then.unwrap_or(ListingStatus::Pending).as_str())
        .execute(&mut **conn)
        .await.map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Changed {
        tx.outbox("listing", row.id, now).await?;
        if let (Some(kind), Some(region)) = (then.and_then(status_event), row.region()) {
            let event = Event::new(kind, &region, &row.kind, row.id).actor(row.owner_id);
            tx.record(now, &event).await?;
        }
        // Back to review: a need is held (or its old hold cleared) as the new text reads.
        if let (None, Some(ListingKind::Need), Some(region)) = (then, row.kind(), row.region()) {
            integrity::store::apply_hold(&mut tx, row.id, row.owner_id, &region, hold, now).await?;
            if let Some(hold) = hold {
                let text = integrity::service::held_notice(&listing.title, hold);
                tx.notify(row.owner_id, &text, &format!("/needs/{}", row.id), now)
                    .await?;
            }
        }
        tx.commit().await?;
    }
    Ok(guarded)
}

/// The ledger event of an owner's status change.
pub(super) fn status_event(status: ListingStatus) -> Option<EventKind> {
    match status {
        ListingStatus::Closed => Some(EventKind::ListingClosed),
        ListingStatus::Withdrawn => Some(EventKind::ListingWithdrawn),
        _ => None,
    }
}

/// The owner withdraws or closes a listing: it leaves search at once. Guarded on the status the
/// listing was read in, which is kept so that the change can be undone until `undo_until`
/// (`market::undo`).
pub async fn set_status(
    db: &Db,
    row: &ListingRow,
    status: ListingStatus,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let undo_until = now + crate::platform::done::undo_window();
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query("UPDATE listings SET status = $1, updated_at = $2, undo_status = $4, undo_until = $5 WHERE id = $3 AND status = $4")
            .bind(status.as_str())
            .bind(now)
            .bind(row.id)
            .bind(&row.status)
            .bind(undo_until)
            .execute(&mut **conn)
            .await.map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Changed {
        tx.outbox("listing", row.id, now).await?;
        if let (Some(kind), Some(region)) = (status_event(status), row.region()) {
            let event = Event::new(kind, &region, &row.kind, row.id).actor(row.owner_id);
            tx.record(now, &event).await?;
        }
        tx.commit().await?;
    }
    Ok(guarded)
}

/// Staff decide on a pending listing. Approval publishes it (ledger `listing.published` the
/// first time, `listing.republished` after an edit; outbox); rejection keeps it private with the
/// reason, and the owner is told either way. Only a listing still pending is decided on: a
/// second decision, even a concurrent one, finds it changed and is refused.
pub async fn review(
    db: &Db,
    listing: &ListingRow,
    region: &RegionCode,
    reviewer: UserId,
    approve: bool,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    // The notice names who decided, as a letter from the service centre would.
    let reviewer_name: String = on_db!(db, pool => sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(reviewer.0).fetch_one(pool).await)?;
    let (status, text) = if approve {
        (
            "published",
            format!(
                "您发布的“{}”已通过审核（审核人：{reviewer_name}），现已公开",
                listing.title
            ),
        )
    } else {
        (
            "rejected",
            format!(
                "您发布的“{}”未通过审核（审核人：{reviewer_name}）：{}",
                listing.title,
                reason.unwrap_or("")
            ),
        )
    };
    let link = format!("/{}s/{}", listing.kind, listing.id);
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE listings SET status = $1, review_reason = $2, published_at = CASE WHEN $1 = 'published' THEN $3 ELSE published_at END, \
             updated_at = $3 WHERE id = $4 AND status = 'pending'",
        )
        .bind(status)
        .bind(reason)
        .bind(now)
        .bind(listing.id)
        .execute(&mut **conn)
        .await.map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Lost {
        return Ok(guarded);
    }
    let event = |kind| {
        Event::new(kind, region, &listing.kind, listing.id)
            .actor(reviewer.0)
            .counterpart(listing.owner_id)
    };
    if !approve {
        tx.record(now, &event(EventKind::ListingRejected)).await?;
    } else if !tx
        .record(now, &event(EventKind::ListingPublished).once())
        .await?
    {
        // Published before (perhaps after this listing was read): this is a re-publication.
        tx.record(now, &event(EventKind::ListingRepublished))
            .await?;
    }
    integrity::store::settle_hold(&mut tx, listing.id, approve, reviewer.0, reason, now).await?;
    tx.notify(listing.owner_id, &text, &link, now).await?;
    tx.outbox("listing", listing.id, now).await?;
    tx.commit().await?;
    Ok(guarded)
}

pub async fn find(db: &Db, id: i64) -> Result<Option<ListingRow>, sqlx::Error> {
    const SQL: &str = concat!(listing_select!(), "WHERE l.id = $1");
    on_db!(db, pool => sqlx::query_as::<_, ListingRow>(SQL).bind(id).fetch_optional(pool).await)
}

/// Listings filtered by kind, status, owner and region scope, newest first.
#[derive(Debug, Default)]
pub struct ListingFilter {
    pub kind: Option<ListingKind>,
    /// Only these kinds (an empty list: none at all), e.g. those a department reviews.
    pub kinds: Option<Vec<ListingKind>>,
    pub status: Option<ListingStatus>,
    pub owner: Option<UserId>,
    pub scope: Option<RegionScope>,
}

/// Appends `WHERE` with only the conditions the filter sets, so each list reads an index of its
/// own (an owner's by `listings_owner`, a queue by `listings_status_region`). Values are bound.
macro_rules! push_listing_filter {
    ($query:expr, $filter:expr) => {{
        let query = &mut $query;
        let filter: &ListingFilter = $filter;
        query.push(" WHERE 1 = 1");
        if let Some(kind) = filter.kind {
            query.push(" AND l.kind = ").push_bind(kind.as_str());
        }
        match &filter.kinds {
            Some(kinds) if kinds.is_empty() => {
                query.push(" AND 1 = 0");
            }
            Some(kinds) => {
                query.push(" AND l.kind IN (");
                let mut list = query.separated(", ");
                for kind in kinds {
                    list.push_bind(kind.as_str());
                }
                query.push(")");
            }
            None => {}
        }
        if let Some(status) = filter.status {
            query.push(" AND l.status = ").push_bind(status.as_str());
        }
        if let Some(owner) = filter.owner {
            query.push(" AND l.owner_id = ").push_bind(owner.0);
        }
        if let Some(RegionScope::Subtree(root)) = &filter.scope {
            let (low, high) = root.subtree_bounds();
            query.push(" AND l.region_code >= ").push_bind(low);
            query.push(" AND l.region_code < ").push_bind(high);
        }
    }};
}

/// How many listings match (the staff workbench's 待审核), by the filter's index.
pub async fn count(db: &Db, filter: &ListingFilter) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => {
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM listings l");
        push_listing_filter!(count, filter);
        count.build_query_scalar().fetch_one(pool).await
    })
}

/// A page of the review queue, the longest waiting first (by id, as `listings_status_region`
/// holds them), with the description's text for a preview.
pub async fn oldest_first(
    db: &Db,
    filter: &ListingFilter,
    paging: Paging,
) -> Result<Vec<ListingRow>, sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(listing_select!());
        push_listing_filter!(rows, filter);
        rows.push(" ORDER BY l.id LIMIT ").push_bind(paging.limit()).push(" OFFSET ").push_bind(paging.offset());
        rows.build_query_as::<ListingRow>().fetch_all(pool).await
    })
}

pub async fn list(
    db: &Db,
    filter: &ListingFilter,
    paging: Paging,
) -> Result<(Vec<ListingRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(listing_select!());
        push_listing_filter!(rows, filter);
        rows.push(" ORDER BY l.id DESC LIMIT ").push_bind(paging.limit()).push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<ListingRow>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM listings l");
        push_listing_filter!(count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}
