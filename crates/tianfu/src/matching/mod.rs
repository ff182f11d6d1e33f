//! Intelligent matching (智能匹配) in front of users: the ranked matches of a listing with their
//! reasons. The engine lives in `tianfu_search::matching`; this slice decides who may ask and
//! turns the engine's reasons into words on screen.

pub mod api;
pub mod follow;
pub mod recommend;
pub mod recommendations;
pub mod track;

use axum::Router;
use axum::routing::{get, post};
use serde::Serialize;
use tianfu_domain::{Industry, ListingKind};
use tianfu_search::ListingKind as IndexKind;
use tianfu_search::matching::{Engine, MatchQuery, Reason};
use utoipa::ToSchema;

use crate::market::store::ListingRow;
use crate::platform::error::AppError;
use crate::{App, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/needs/{id}/matches", get(api::need_matches))
        .route("/api/v1/offers/{id}/matches", get(api::offer_matches))
        .route(
            "/api/v1/achievements/{id}/matches",
            get(api::achievement_matches),
        )
        .route("/api/v1/recommendations", get(recommendations::list))
        .route(
            "/api/v1/recommendations/{id}/feedback",
            post(recommendations::feedback),
        )
        .route("/me/recommendations", get(recommendations::page))
        .route(
            "/me/recommendations/{id}",
            post(recommendations::page_feedback),
        )
        .route("/me/recommendations/{id}/open", get(recommendations::open))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchItem {
    /// offer, achievement or need; studio for a scientist matched by their studio.
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub score: f32,
    /// Short reasons in Chinese: shared concepts (after synonym mapping), shared words,
    /// industry, region.
    pub reasons: Vec<String>,
    pub region_code: String,
    pub region_name: String,
    /// Whether it answers the listing (a concept, a near word or a telling word in common);
    /// false for a lead that shares only characters or a broad area.
    pub fits: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MatchList {
    pub items: Vec<MatchItem>,
}

/// What a listing of `kind` is matched against: needs look for capabilities and achievements,
/// capabilities and achievements look for needs.
fn wanted(kind: ListingKind) -> Vec<IndexKind> {
    match kind {
        ListingKind::Need => vec![IndexKind::Offer, IndexKind::Achievement],
        ListingKind::Offer | ListingKind::Achievement => vec![IndexKind::Need],
    }
}

fn reason_text(reason: &Reason) -> String {
    match reason {
        Reason::SameIndustry(code) => format!("同属{}", Industry::label_for(code)),
        other => other.to_string(),
    }
}

/// How many scientists (by their studio) a need's matches name beside its listings.
pub const EXPERTS: usize = 3;

/// The best `limit` listings answering `row`, by the full engine.
pub async fn for_listing(
    app: &App,
    row: &ListingRow,
    limit: usize,
) -> Result<Vec<MatchItem>, AppError> {
    let kind = kind_of(row)?;
    let mut query = query_for(app, row);
    query.kinds = wanted(kind);
    // Listings this owner dismissed for this listing stay out.
    let dismissed: Vec<(i64, String)> = crate::on_db!(&app.db, pool => {
        sqlx::query_as("SELECT l.id, l.kind FROM recommendations r JOIN listings l ON l.id = r.listing_id WHERE r.for_listing = $1 AND r.status = 'dismissed'")
            .bind(row.id)
            .fetch_all(pool)
            .await
    })?;
    query.exclude.extend(
        dismissed
            .into_iter()
            .filter_map(|(id, kind)| IndexKind::parse(&kind).map(|k| (k, id))),
    );
    rank(app, row, query, limit).await
}

/// The scientists whose studio and expertise (what they say and what they have published)
/// answer a need best; empty for a capability or achievement, which look for needs.
pub async fn experts_for(
    app: &App,
    row: &ListingRow,
    limit: usize,
) -> Result<Vec<MatchItem>, AppError> {
    if kind_of(row)? != ListingKind::Need {
        return Ok(Vec::new());
    }
    let mut query = query_for(app, row);
    query.kinds = vec![IndexKind::Studio];
    rank(app, row, query, limit).await
}

/// A need's listings and experts together, best first: what the API and the need's page show.
pub async fn all_for(
    app: &App,
    row: &ListingRow,
    limit: usize,
) -> Result<Vec<MatchItem>, AppError> {
    let mut items = for_listing(app, row, limit).await?;
    items.extend(experts_for(app, row, EXPERTS).await?);
    items.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(items)
}

fn kind_of(row: &ListingRow) -> Result<ListingKind, AppError> {
    row.kind()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("listing {} has a bad kind", row.id)))
}

/// The engine's question for a listing: its words and what the platform knows about it.
fn query_for(app: &App, row: &ListingRow) -> MatchQuery {
    MatchQuery {
        text: format!(
            "{} {} {}",
            row.title,
            row.keyword_list().join(" "),
            row.description_text
        ),
        kinds: Vec::new(),
        industry: row.industry.clone(),
        region_code: row.region_code.clone(),
        service_type: row.service_type.clone().or_else(|| row.need_kind.clone()),
        price_fen: row.price_fen,
        now: app.clock.now().timestamp(),
        own: row
            .kind()
            .and_then(|k| IndexKind::parse(k.as_str()))
            .map(|k| (k, row.id)),
        exclude: Vec::new(),
        limit: 0,
    }
}

/// Runs the engine, then lets each provider's track record reorder near neighbours. The
/// listing's own owner never appears among its matches.
async fn rank(
    app: &App,
    row: &ListingRow,
    mut query: MatchQuery,
    limit: usize,
) -> Result<Vec<MatchItem>, AppError> {
    // Twice as many as shown, so the track record can reorder near neighbours.
    query.limit = limit * 2;
    let search = app.search.clone();
    let hits = tokio::task::spawn_blocking(move || search.matches(&query, Engine::Full))
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("matching: {e}")))?;
    // Owners and track records in a few grouped queries rather than several per hit.
    let ids_of = |studios: bool| -> Vec<i64> {
        hits.iter()
            .filter(|h| (h.kind == IndexKind::Studio) == studios)
            .map(|h| h.id)
            .collect()
    };
    let (studio_ids, listing_ids) = (ids_of(true), ids_of(false));
    let owner_of_studio = track::by_id(
        &app.db,
        "SELECT id, owner_id FROM studios WHERE id IN ({ids})",
        &studio_ids,
    )
    .await?;
    let owner_of_listing = track::by_id(
        &app.db,
        "SELECT id, owner_id FROM listings WHERE id IN ({ids})",
        &listing_ids,
    )
    .await?;
    let owner = |hit: &tianfu_search::matching::MatchHit| {
        let owners = if hit.kind == IndexKind::Studio {
            &owner_of_studio
        } else {
            &owner_of_listing
        };
        owners.get(&hit.id).copied()
    };
    let owners: Vec<i64> = hits.iter().filter_map(owner).collect();
    let records = track::of_many(&app.db, &owners).await?;
    let mut items = Vec::with_capacity(hits.len());
    for hit in &hits {
        let Some(owner) = owner(hit).filter(|o| *o != row.owner_id) else {
            continue;
        };
        let (factor, track_reasons) = records.get(&owner).copied().unwrap_or_default().factor();
        let mut reasons: Vec<String> = hit.reasons.iter().map(reason_text).collect();
        reasons.extend(track_reasons);
        items.push(MatchItem {
            kind: hit.kind.as_str().to_owned(),
            id: hit.id,
            title: hit.title.clone(),
            score: hit.score * factor,
            reasons,
            region_name: app.regions.full_name_of(&hit.region_code),
            region_code: hit.region_code.clone(),
            fits: hit.fits,
        });
    }
    items.sort_by(|a, b| b.score.total_cmp(&a.score));
    items.truncate(limit);
    Ok(items)
}
