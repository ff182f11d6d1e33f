//! SQL for places and their managers.

use chrono::{DateTime, Utc};
use tianfu_domain::RegionCode;

use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::Tx;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlaceRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub region_code: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub opening_hours: String,
    pub capacity: Option<i64>,
    pub offers: String,
    pub photos: String,
    pub intro: String,
    pub status: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A place's fields as stored (lists are JSON text).
#[derive(Debug, Clone)]
pub struct PlaceFields {
    pub kind: String,
    pub name: String,
    pub region_code: RegionCode,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub opening_hours: String,
    pub capacity: Option<i64>,
    pub offers: Vec<String>,
    pub photos: Vec<String>,
    pub intro: String,
    pub status: String,
}

macro_rules! place_columns {
    () => {
        "id, kind, name, region_code, address, latitude, longitude, opening_hours, capacity, \
     offers, photos, intro, status, created_by, created_at, updated_at"
    };
}

pub async fn insert(
    tx: &mut Tx,
    fields: &PlaceFields,
    creator: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let offers = serde_json::to_string(&fields.offers).expect("strings serialise");
    let photos = serde_json::to_string(&fields.photos).expect("strings serialise");
    on_tx!(tx, conn => sqlx::query_scalar(
        "INSERT INTO kepu_places (kind, name, region_code, address, latitude, longitude, opening_hours, capacity, \
         offers, photos, intro, status, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id")
        .bind(&fields.kind).bind(&fields.name).bind(fields.region_code.as_str()).bind(&fields.address)
        .bind(fields.latitude).bind(fields.longitude).bind(&fields.opening_hours).bind(fields.capacity)
        .bind(&offers).bind(&photos).bind(&fields.intro).bind(&fields.status).bind(creator).bind(now)
        .fetch_one(&mut **conn).await)
}

/// Writes every field over the version read at `seen` (guarded: a change made meanwhile by
/// someone else is not overwritten); answers whether it was that version.
pub async fn update(
    tx: &mut Tx,
    id: i64,
    fields: &PlaceFields,
    seen: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let offers = serde_json::to_string(&fields.offers).expect("strings serialise");
    let photos = serde_json::to_string(&fields.photos).expect("strings serialise");
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE kepu_places SET kind = $2, name = $3, region_code = $4, address = $5, latitude = $6, longitude = $7, \
         opening_hours = $8, capacity = $9, offers = $10, photos = $11, intro = $12, status = $13, updated_at = $14 \
         WHERE id = $1 AND updated_at = $15")
        .bind(id).bind(&fields.kind).bind(&fields.name).bind(fields.region_code.as_str()).bind(&fields.address)
        .bind(fields.latitude).bind(fields.longitude).bind(&fields.opening_hours).bind(fields.capacity)
        .bind(&offers).bind(&photos).bind(&fields.intro).bind(&fields.status).bind(now).bind(seen)
        .execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

pub async fn find(db: &Db, id: i64) -> Result<Option<PlaceRow>, sqlx::Error> {
    let sql = concat!(
        "SELECT ",
        place_columns!(),
        " FROM kepu_places WHERE id = $1"
    );
    on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)
}

#[derive(Debug, Clone, Default)]
pub struct PlaceFilter {
    pub region: Option<RegionCode>,
    pub kind: Option<String>,
    /// Only open places (what the public sees).
    pub open_only: bool,
}

macro_rules! push_place_filter {
    ($q:expr, $filter:expr) => {{
        $q.push(" WHERE 1 = 1");
        if let Some(region) = &$filter.region {
            let (low, high) = region.subtree_bounds();
            $q.push(" AND region_code >= ").push_bind(low);
            $q.push(" AND region_code < ").push_bind(high);
        }
        if let Some(kind) = &$filter.kind {
            $q.push(" AND kind = ").push_bind(kind.clone());
        }
        if $filter.open_only {
            $q.push(" AND status = 'open'");
        }
    }};
}

/// Places in a region's subtree, by region then newest; with the total.
pub async fn list(
    db: &Db,
    filter: &PlaceFilter,
    paging: Paging,
) -> Result<(Vec<PlaceRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(concat!("SELECT ", place_columns!(), " FROM kepu_places"));
        push_place_filter!(rows, filter);
        rows.push(" ORDER BY region_code, id DESC LIMIT ").push_bind(paging.limit())
            .push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<PlaceRow>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM kepu_places");
        push_place_filter!(count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// Adds a manager; answers false when they already manage the place.
pub async fn add_manager(tx: &mut Tx, place: i64, user: i64) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => sqlx::query(
        "INSERT INTO kepu_place_managers (place_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(place).bind(user).execute(&mut **conn).await.map(|d| d.rows_affected()))?;
    Ok(done == 1)
}

pub async fn managers(db: &Db, place: i64) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT u.id, u.name FROM kepu_place_managers m JOIN users u ON u.id = m.user_id \
         WHERE m.place_id = $1 ORDER BY u.id")
        .bind(place).fetch_all(pool).await)
}

pub async fn is_manager(db: &Db, place: i64, user: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT user_id FROM kepu_place_managers WHERE place_id = $1 AND user_id = $2")
        .bind(place).bind(user).fetch_optional(pool).await)?;
    Ok(found.is_some())
}

/// The places a person manages (for the activity form).
pub async fn managed_by(db: &Db, user: i64) -> Result<Vec<PlaceRow>, sqlx::Error> {
    let sql = concat!(
        "SELECT ",
        place_columns!(),
        " FROM kepu_places WHERE id IN (SELECT place_id FROM kepu_place_managers WHERE user_id = $1) ORDER BY id"
    );
    on_db!(db, pool => sqlx::query_as(sql).bind(user).fetch_all(pool).await)
}
