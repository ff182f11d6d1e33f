//! 为您推荐: when a listing is published its best matches are pushed to both sides: the
//! owner gets the listings that answer theirs, and each of those owners gets the new listing.
//! Each recommendation carries the engine's reasons and records the recipient's feedback
//! (viewed, contacted, dismissed, led to a deal); a dismissed one is never pushed again.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::{RegionCode, UserId};
use utoipa::ToSchema;

use super::{MatchItem, for_listing};
use crate::ledger::{Event, EventKind};
use crate::market::store::{self as listings, ListingRow};
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::{App, on_db, on_tx};

/// How many matches are pushed per published listing.
const PUSHED: usize = 5;

pub const FEEDBACK: &[(&str, &str)] = &[
    ("viewed", "已查看"),
    ("contacted", "已联系"),
    ("dismissed", "不感兴趣"),
    ("deal", "已成交"),
];

pub fn status_label(status: &str) -> &'static str {
    match status {
        "new" => "新推荐",
        other => FEEDBACK
            .iter()
            .find(|(s, _)| *s == other)
            .map_or("", |(_, l)| l),
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ToSchema)]
pub struct RecommendationRow {
    pub id: i64,
    /// The recipient's own listing this answers.
    pub for_listing: i64,
    pub for_title: String,
    /// The recommended listing.
    pub listing_id: i64,
    pub kind: String,
    pub title: String,
    pub region_code: String,
    pub score: f64,
    /// One reason per line.
    pub reasons: String,
    /// new, viewed, contacted, dismissed or deal.
    pub status: String,
    pub created_at: DateTime<Utc>,
}

const UPSERT: &str = "INSERT INTO recommendations (user_id, for_listing, listing_id, score, reasons, status, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, 'new', $6, $6) \
     ON CONFLICT (for_listing, listing_id) DO UPDATE SET score = excluded.score, reasons = excluded.reasons, updated_at = excluded.updated_at \
     RETURNING id, (created_at = updated_at)";

/// Computes the published listing's matches and pushes the best to both sides, with an in-app
/// notification to each person who got something new.
pub async fn on_published(app: &App, row: &ListingRow) -> Result<usize, AppError> {
    // Only answers are pushed: a lead that shares only characters is shown on the listing's
    // page when nothing fits, never sent to anyone as a recommendation.
    let matches: Vec<MatchItem> = for_listing(app, row, PUSHED)
        .await?
        .into_iter()
        .filter(|m| m.fits)
        .collect();
    if matches.is_empty() {
        return Ok(0);
    }
    let now = app.clock.now();
    let mut pushed = 0;
    let mut told: Vec<i64> = Vec::new();
    for item in &matches {
        let Some(other) = listings::find(&app.db, item.id).await? else {
            continue;
        };
        if !other.is_published() || other.owner_id == row.owner_id {
            continue;
        }
        let reasons = item.reasons.join("\n");
        let score = f64::from(item.score);
        let sides = [
            (row.owner_id, row.id, other.id, &other.title),
            (other.owner_id, other.id, row.id, &row.title),
        ];
        for (user, for_listing, listing, title) in sides {
            let region = if user == row.owner_id {
                row.region()
            } else {
                other.region()
            };
            let mut tx = app.db.begin().await?;
            let (id, fresh): (i64, bool) = on_tx!(&mut tx, conn => {
                sqlx::query_as(UPSERT)
                    .bind(user).bind(for_listing).bind(listing).bind(score).bind(&reasons).bind(now)
                    .fetch_one(&mut **conn)
                    .await
            })?;
            if fresh {
                if let Some(region) = &region {
                    let event =
                        Event::new(EventKind::RecommendationShown, region, "recommendation", id)
                            .counterpart(user)
                            .once();
                    tx.record(now, &event).await?;
                }
                if !told.contains(&user) {
                    let text = format!("为您推荐：“{title}”可能与您的需求或能力相匹配");
                    tx.notify(user, &text, "/me/recommendations", now).await?;
                }
            }
            tx.commit().await?;
            if fresh {
                pushed += 1;
                told.push(user);
            }
        }
    }
    Ok(pushed)
}

macro_rules! recommendation_select {
    () => {
        "SELECT r.id, r.for_listing, f.title AS for_title, r.listing_id, l.kind, l.title, l.region_code, r.score, r.reasons, r.status, r.created_at \
         FROM recommendations r JOIN listings l ON l.id = r.listing_id JOIN listings f ON f.id = r.for_listing "
    };
}

/// One of the recipient's own recommendations, if it is still shown to them.
pub async fn find_mine(
    db: &Db,
    user: UserId,
    id: i64,
) -> Result<Option<RecommendationRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, RecommendationRow>(concat!(
            recommendation_select!(),
            "WHERE r.id = $1 AND r.user_id = $2 AND r.status <> 'dismissed' AND l.status = 'published'"
        ))
        .bind(id)
        .bind(user.0)
        .fetch_optional(pool)
        .await
    })
}

/// The recipient's recommendations, best first; dismissed ones are gone.
pub async fn mine(
    db: &Db,
    user: UserId,
    paging: Paging,
) -> Result<(Vec<RecommendationRow>, i64), sqlx::Error> {
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, RecommendationRow>(
            concat!(recommendation_select!(), "WHERE r.user_id = $1 AND r.status <> 'dismissed' AND l.status = 'published' \
             ORDER BY r.score DESC, r.id DESC LIMIT $2 OFFSET $3"),
        )
        .bind(user.0)
        .bind(paging.limit())
        .bind(paging.offset())
        .fetch_all(pool)
        .await?;
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM recommendations r JOIN listings l ON l.id = r.listing_id \
             WHERE r.user_id = $1 AND r.status <> 'dismissed' AND l.status = 'published'",
        )
        .bind(user.0)
        .fetch_one(pool)
        .await?;
        Ok((rows, total))
    })
}

/// Records the recipient's feedback on one of their recommendations; anyone else's is 404.
pub async fn feedback(app: &App, user: UserId, id: i64, action: &str) -> Result<(), AppError> {
    if !FEEDBACK.iter().any(|(s, _)| *s == action) {
        return Err(AppError::validation(
            "action",
            "反馈只能是 viewed（已查看）、contacted（已联系）、dismissed（不感兴趣）或 deal（已成交）",
        ));
    }
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    // Feedback only moves forward (new → viewed → contacted → deal; dismissed from any but a
    // deal): pressing a button again, or an older one, changes nothing.
    let sql = match action {
        "viewed" => {
            "UPDATE recommendations SET status = $1, updated_at = $2 WHERE id = $3 AND user_id = $4 AND status = 'new'"
        }
        "contacted" => {
            "UPDATE recommendations SET status = $1, updated_at = $2 WHERE id = $3 AND user_id = $4 AND status IN ('new', 'viewed')"
        }
        "deal" => {
            "UPDATE recommendations SET status = $1, updated_at = $2 WHERE id = $3 AND user_id = $4 AND status IN ('new', 'viewed', 'contacted')"
        }
        _ => {
            "UPDATE recommendations SET status = $1, updated_at = $2 WHERE id = $3 AND user_id = $4 AND status IN ('new', 'viewed', 'contacted')"
        }
    };
    let (updated, region): (u64, Option<String>) = on_tx!(&mut tx, conn => {
        let updated = sqlx::query(sql)
            .bind(action)
            .bind(now)
            .bind(id)
            .bind(user.0)
            .execute(&mut **conn)
            .await?
            .rows_affected();
        let region: Option<String> = sqlx::query_scalar(
            "SELECT l.region_code FROM recommendations r JOIN listings l ON l.id = r.for_listing WHERE r.id = $1 AND r.user_id = $2",
        )
        .bind(id)
        .bind(user.0)
        .fetch_optional(&mut **conn)
        .await?;
        Ok::<_, sqlx::Error>((updated, region))
    })?;
    if region.is_none() {
        return Err(AppError::not_found("推荐"));
    }
    if updated == 0 {
        return Ok(());
    }
    let kind = match action {
        "contacted" => Some(EventKind::RecommendationContacted),
        "dismissed" => Some(EventKind::RecommendationDismissed),
        _ => None,
    };
    if let (Some(kind), Some(region)) = (kind, region.and_then(|r| RegionCode::parse(&r).ok())) {
        // Once per recommendation and feedback, however often the button is pressed.
        let event = Event::new(kind, &region, "recommendation", id)
            .actor(user.0)
            .once();
        tx.record(now, &event).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The nightly refresh: every published listing's matches computed again, so that listings
/// published since find their way to older ones. Returns how many new recommendations it made.
pub async fn refresh_all(app: &App) -> Result<usize, AppError> {
    let mut after = 0i64;
    let mut pushed = 0;
    loop {
        let ids: Vec<i64> = on_db!(&app.db, pool => {
            sqlx::query_scalar("SELECT id FROM listings WHERE status = 'published' AND id > $1 ORDER BY id LIMIT 200")
                .bind(after)
                .fetch_all(pool)
                .await
        })?;
        let Some(&last) = ids.last() else { break };
        for id in ids {
            if let Some(row) = listings::find(&app.db, id).await? {
                pushed += on_published(app, &row).await?;
            }
        }
        after = last;
    }
    Ok(pushed)
}

/// Runs [`refresh_all`] once a day at 03:00 Asia/Shanghai, when the platform is quiet.
pub fn spawn_nightly(app: crate::AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let now = app.clock.now();
            let shanghai_now = now + chrono::Duration::hours(8);
            let next_three = shanghai_now
                .date_naive()
                .and_hms_opt(3, 0, 0)
                .map(|t| t.and_utc() - chrono::Duration::hours(8));
            let next = match next_three {
                Some(t) if t > now => t,
                Some(t) => t + chrono::Duration::days(1),
                None => now + chrono::Duration::days(1),
            };
            let wait = (next - now)
                .to_std()
                .unwrap_or(std::time::Duration::from_secs(3600));
            tokio::time::sleep(wait).await;
            // One node refreshes; the others find the lease taken.
            match crate::ledger::lease::hold(&app.db, "matching.nightly", &app.node).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(error) => {
                    AppError::from(error).log_if_internal();
                    continue;
                }
            }
            match refresh_all(&app).await {
                Ok(pushed) => tracing::info!(pushed, "nightly match refresh done"),
                Err(error) => error.log_if_internal(),
            }
        }
    })
}
