//! The SQL every part of the fair shares: editions (`fairs`, `fair_quotas`) and their projects
//! (`fair_projects`). Each part's own tables have their SQL in its own folder.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tianfu_domain::fair::{Category, Criterion, Phase, Schedule, Sector};

use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::Tx;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FairRow {
    pub id: i64,
    pub name: String,
    pub year: i32,
    pub intro: String,
    pub collect_until: DateTime<Utc>,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub signing_until: DateTime<Utc>,
    pub criteria: String,
    pub min_reviewers: i32,
    pub selection_published_at: Option<DateTime<Utc>>,
    pub outcomes_asked_at: Option<DateTime<Utc>>,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FairRow {
    pub fn schedule(&self) -> Schedule {
        Schedule {
            collect_until: self.collect_until,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            signing_until: self.signing_until,
        }
    }

    pub fn phase(&self, now: DateTime<Utc>) -> Phase {
        self.schedule().phase(now)
    }

    /// The edition's review criteria (the defaults if the stored text is unreadable).
    pub fn criteria(&self) -> Vec<Criterion> {
        serde_json::from_str(&self.criteria)
            .unwrap_or_else(|_| tianfu_domain::fair::default_criteria())
    }

    pub fn selection_published(&self) -> bool {
        self.selection_published_at.is_some()
    }
}

macro_rules! fair_select {
    () => {
        "SELECT id, name, year, intro, collect_until, opens_at, closes_at, signing_until, criteria, min_reviewers, \
         selection_published_at, outcomes_asked_at, created_by, created_at, updated_at FROM fairs "
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProjectRow {
    pub id: i64,
    pub fair_id: i64,
    pub category: String,
    pub listing_kind: String,
    pub listing_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub title: String,
    pub region_code: String,
    pub hall_code: String,
    pub sector: String,
    pub org_name: Option<String>,
    pub pitch: String,
    pub images: String,
    pub video_url: Option<String>,
    pub entered_by: i64,
    pub nominated: bool,
    pub status: String,
    pub score: Option<f64>,
    pub review_count: i32,
    pub group_rank: Option<i32>,
    pub major: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProjectRow {
    pub fn category(&self) -> Option<Category> {
        Category::parse(&self.category).ok()
    }

    pub fn sector(&self) -> Option<Sector> {
        Sector::parse(&self.sector).ok()
    }

    pub fn images(&self) -> Vec<String> {
        serde_json::from_str(&self.images).unwrap_or_default()
    }

    pub fn is_selected(&self) -> bool {
        self.status == "selected"
    }
}

macro_rules! project_select {
    () => {
        "SELECT p.id, p.fair_id, p.category, p.listing_kind, p.listing_id, p.owner_id, u.name AS owner_name, p.title, \
         p.region_code, p.hall_code, p.sector, p.org_name, p.pitch, p.images, p.video_url, p.entered_by, p.nominated, \
         p.status, p.score, p.review_count, p.group_rank, p.major, p.created_at, p.updated_at \
         FROM fair_projects p JOIN users u ON u.id = p.owner_id "
    };
}

pub struct NewFair<'a> {
    pub name: &'a str,
    pub year: i32,
    pub intro: &'a str,
    pub schedule: Schedule,
    pub criteria: &'a [Criterion],
    pub created_by: i64,
}

/// A quota: how many projects of `category` the hall `region_code` may have selected.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct QuotaRow {
    pub region_code: String,
    pub category: String,
    pub quota: i32,
}

pub async fn insert_fair(
    tx: &mut Tx,
    new: &NewFair<'_>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let criteria = serde_json::to_string(new.criteria).expect("criteria serialise");
    on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO fairs (name, year, intro, collect_until, opens_at, closes_at, signing_until, criteria, min_reviewers, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
        )
        .bind(new.name)
        .bind(new.year)
        .bind(new.intro)
        .bind(new.schedule.collect_until)
        .bind(new.schedule.opens_at)
        .bind(new.schedule.closes_at)
        .bind(new.schedule.signing_until)
        .bind(&criteria)
        .bind(tianfu_domain::fair::MIN_REVIEWERS as i32)
        .bind(new.created_by)
        .bind(now)
        .fetch_one(&mut **conn)
        .await
    })
}

/// Replaces the edition's quotas with `quotas`.
pub async fn replace_quotas(
    tx: &mut Tx,
    fair_id: i64,
    quotas: &[QuotaRow],
) -> Result<(), sqlx::Error> {
    on_tx!(tx, conn => {
        sqlx::query("DELETE FROM fair_quotas WHERE fair_id = $1").bind(fair_id).execute(&mut **conn).await?;
        for q in quotas {
            sqlx::query("INSERT INTO fair_quotas (fair_id, region_code, category, quota) VALUES ($1, $2, $3, $4)")
                .bind(fair_id).bind(&q.region_code).bind(&q.category).bind(q.quota)
                .execute(&mut **conn).await?;
        }
        Ok(())
    })
}

pub async fn quotas(db: &Db, fair_id: i64) -> Result<Vec<QuotaRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, QuotaRow>(
            "SELECT region_code, category, quota FROM fair_quotas WHERE fair_id = $1 ORDER BY region_code, category",
        )
        .bind(fair_id)
        .fetch_all(pool)
        .await
    })
}

/// The quotas as selection reads them.
pub fn quota_map(rows: &[QuotaRow]) -> HashMap<(String, Category), u32> {
    rows.iter()
        .filter_map(|q| {
            Some((
                (q.region_code.clone(), Category::parse(&q.category).ok()?),
                u32::try_from(q.quota).ok()?,
            ))
        })
        .collect()
}

pub async fn find_fair(db: &Db, id: i64) -> Result<Option<FairRow>, sqlx::Error> {
    const SQL: &str = concat!(fair_select!(), "WHERE id = $1");
    on_db!(db, pool => sqlx::query_as::<_, FairRow>(SQL).bind(id).fetch_optional(pool).await)
}

/// Editions, newest first.
pub async fn list_fairs(db: &Db, paging: Paging) -> Result<(Vec<FairRow>, i64), sqlx::Error> {
    const SQL: &str = concat!(
        fair_select!(),
        "ORDER BY year DESC, id DESC LIMIT $1 OFFSET $2"
    );
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, FairRow>(SQL).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fairs").fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// The edition whose halls the public sees by default: the latest one already collecting.
pub async fn current_fair(db: &Db, now: DateTime<Utc>) -> Result<Option<FairRow>, sqlx::Error> {
    const SQL: &str = concat!(
        fair_select!(),
        "WHERE created_at <= $1 ORDER BY opens_at DESC, id DESC LIMIT 1"
    );
    on_db!(db, pool => sqlx::query_as::<_, FairRow>(SQL).bind(now).fetch_optional(pool).await)
}

pub struct FairChange<'a> {
    pub name: &'a str,
    pub intro: &'a str,
    pub schedule: Schedule,
    pub criteria: &'a [Criterion],
}

/// Saves an edition's settings if it was not changed since `seen` (else `false`).
pub async fn update_fair(
    tx: &mut Tx,
    id: i64,
    change: &FairChange<'_>,
    seen: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let criteria = serde_json::to_string(change.criteria).expect("criteria serialise");
    let done = on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE fairs SET name = $1, intro = $2, collect_until = $3, opens_at = $4, closes_at = $5, signing_until = $6, \
             criteria = $7, updated_at = $8 WHERE id = $9 AND updated_at = $10",
        )
        .bind(change.name)
        .bind(change.intro)
        .bind(change.schedule.collect_until)
        .bind(change.schedule.opens_at)
        .bind(change.schedule.closes_at)
        .bind(change.schedule.signing_until)
        .bind(&criteria)
        .bind(now)
        .bind(id)
        .bind(seen)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(done == 1)
}

pub struct NewProject<'a> {
    pub fair_id: i64,
    pub category: Category,
    pub listing_kind: &'a str,
    pub listing_id: i64,
    pub owner_id: i64,
    pub title: &'a str,
    pub region_code: &'a str,
    pub sector: Sector,
    pub org_name: Option<&'a str>,
    pub pitch: &'a str,
    pub images: &'a [String],
    pub video_url: Option<&'a str>,
    pub entered_by: i64,
    pub nominated: bool,
}

/// Enters a listing into an edition; `None` when the listing is already in it (the unique key).
pub async fn insert_project(
    tx: &mut Tx,
    new: &NewProject<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let images = serde_json::to_string(new.images).expect("images serialise");
    let hall = tianfu_domain::fair::hall_of(new.region_code);
    on_tx!(tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO fair_projects (fair_id, category, listing_kind, listing_id, owner_id, title, region_code, hall_code, \
             sector, org_name, pitch, images, video_url, entered_by, nominated, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'collected', $16, $16) \
             ON CONFLICT (fair_id, listing_id) DO NOTHING RETURNING id",
        )
        .bind(new.fair_id)
        .bind(new.category.as_str())
        .bind(new.listing_kind)
        .bind(new.listing_id)
        .bind(new.owner_id)
        .bind(new.title)
        .bind(new.region_code)
        .bind(hall)
        .bind(new.sector.as_str())
        .bind(new.org_name)
        .bind(new.pitch)
        .bind(&images)
        .bind(new.video_url)
        .bind(new.entered_by)
        .bind(new.nominated)
        .bind(now)
        .fetch_optional(&mut **conn)
        .await
    })
}

pub async fn find_project(
    db: &Db,
    fair_id: i64,
    id: i64,
) -> Result<Option<ProjectRow>, sqlx::Error> {
    const SQL: &str = concat!(project_select!(), "WHERE p.id = $1 AND p.fair_id = $2");
    on_db!(db, pool => sqlx::query_as::<_, ProjectRow>(SQL).bind(id).bind(fair_id).fetch_optional(pool).await)
}

/// Which projects a list shows.
#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    /// A hall's code ('5110' or '51'); all halls when absent.
    pub hall: Option<String>,
    /// A region subtree (a staff member's scope); everywhere when absent.
    pub within: Option<String>,
    pub category: Option<String>,
    pub sector: Option<String>,
    pub status: Option<String>,
    /// Only the projects of this owner.
    pub owner: Option<i64>,
    pub major: Option<bool>,
    /// Words in the title or pitch.
    pub q: Option<String>,
}

/// Appends the conditions `filter` sets (and only those), values bound, so the planner on either
/// engine sees the indexes that lead with `fair_id` (and `hall_code` or `status`).
macro_rules! push_project_filter {
    ($q:expr, $fair:expr, $filter:expr) => {{
        let filter: &ProjectFilter = $filter;
        $q.push(" WHERE p.fair_id = ").push_bind($fair);
        if let Some(hall) = &filter.hall {
            $q.push(" AND p.hall_code = ").push_bind(hall.clone());
        }
        if let Some(status) = &filter.status {
            $q.push(" AND p.status = ").push_bind(status.clone());
        }
        if let Some(category) = &filter.category {
            $q.push(" AND p.category = ").push_bind(category.clone());
        }
        if let Some(sector) = &filter.sector {
            $q.push(" AND p.sector = ").push_bind(sector.clone());
        }
        if let Some(within) = filter
            .within
            .as_deref()
            .and_then(|w| tianfu_domain::RegionCode::parse(w).ok())
        {
            let (low, high) = within.subtree_bounds();
            $q.push(" AND p.region_code >= ").push_bind(low);
            $q.push(" AND p.region_code < ").push_bind(high);
        }
        if let Some(owner) = filter.owner {
            $q.push(" AND p.owner_id = ").push_bind(owner);
        }
        if let Some(major) = filter.major {
            $q.push(" AND p.major = ").push_bind(major);
        }
        if let Some(words) = filter.q.as_deref().map(|q| q.replace(['%', '_'], "")) {
            let like = format!("%{words}%");
            $q.push(" AND (p.title LIKE ").push_bind(like.clone());
            $q.push(" OR p.pitch LIKE ").push_bind(like).push(")");
        }
    }};
}

/// A page of an edition's projects matching `filter`: major ones first, then by score once
/// ranked, else newest first.
pub async fn list_projects(
    db: &Db,
    fair_id: i64,
    filter: &ProjectFilter,
    paging: Paging,
) -> Result<(Vec<ProjectRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let mut rows = sqlx::QueryBuilder::new(project_select!());
        push_project_filter!(rows, fair_id, filter);
        rows.push(" ORDER BY p.major DESC, p.score IS NULL, p.score DESC, p.id DESC LIMIT ").push_bind(paging.limit())
            .push(" OFFSET ").push_bind(paging.offset());
        let rows = rows.build_query_as::<ProjectRow>().fetch_all(pool).await?;
        let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM fair_projects p");
        push_project_filter!(count, fair_id, filter);
        let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
        Ok((rows, total))
    })
}

/// Withdraws a project still being collected (one guarded statement).
pub async fn withdraw_project(
    tx: &mut Tx,
    fair_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, conn => {
        sqlx::query(
            "UPDATE fair_projects SET status = 'withdrawn', updated_at = $1 WHERE id = $2 AND fair_id = $3 AND status = 'collected'",
        )
        .bind(now)
        .bind(id)
        .bind(fair_id)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    Ok(done == 1)
}

/// The project of an edition that a listing is, if any.
pub async fn project_of_listing(
    db: &Db,
    fair_id: i64,
    listing_id: i64,
) -> Result<Option<ProjectRow>, sqlx::Error> {
    const SQL: &str = concat!(
        project_select!(),
        "WHERE p.fair_id = $1 AND p.listing_id = $2"
    );
    on_db!(db, pool => sqlx::query_as::<_, ProjectRow>(SQL).bind(fair_id).bind(listing_id).fetch_optional(pool).await)
}

/// Whether any reviewer has scored a project of the edition.
pub async fn has_scores(db: &Db, fair_id: i64) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar::<_, bool>("SELECT EXISTS (SELECT 1 FROM fair_scores WHERE fair_id = $1)")
            .bind(fair_id)
            .fetch_one(pool)
            .await
    })
}

/// The edition, if any, at which a deal on this listing may now be signed: one where the listing
/// is a selected project and the fair is in session or signing. (id, name)
pub async fn signing_fair_of_listing(
    db: &Db,
    listing_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, (i64, String)>(
            "SELECT f.id, f.name FROM fair_projects p JOIN fairs f ON f.id = p.fair_id \
             WHERE p.listing_id = $1 AND p.status = 'selected' AND f.opens_at <= $2 AND f.signing_until > $2 \
             ORDER BY f.opens_at DESC LIMIT 1",
        )
        .bind(listing_id)
        .bind(now)
        .fetch_optional(pool)
        .await
    })
}
