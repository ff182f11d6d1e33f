//! The newest published listings of every kind, for the home page: one range read of the
//! `listings_status_published` index (status, published_at, id), newest first.

use super::store::{ListingRow, listing_select};
use crate::on_db;
use crate::platform::db::Db;

/// How many the home page shows.
pub const SHOWN: i64 = 6;

pub async fn latest_published(db: &Db, limit: i64) -> Result<Vec<ListingRow>, sqlx::Error> {
    const SQL: &str = concat!(
        listing_select!(),
        "WHERE l.status = 'published' ORDER BY l.published_at DESC, l.id DESC LIMIT $1"
    );
    on_db!(db, pool => sqlx::query_as::<_, ListingRow>(SQL).bind(limit).fetch_all(pool).await)
}
