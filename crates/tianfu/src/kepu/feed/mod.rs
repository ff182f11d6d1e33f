//! The aimed feed: resources ranked by the person's profile, their region, freshness and quality,
//! skipping what they read, mixing channels, each with a one-line reason (`rank`). Visitors who
//! are not signed in get what their region reads most.

pub mod api;
pub mod cache;
pub mod pages;
pub mod rank;
pub mod store;

use axum::Router;
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tianfu_domain::{RegionCode, RegionLevel};
use utoipa::ToSchema;

use self::rank::{Names, Reader};
use crate::kepu::audience::Audience;
use crate::kepu::profile::store as profiles;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::{App, AppState};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/kepu/feed", get(api::feed))
        .route("/kepu", get(pages::feed))
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedItem {
    pub id: i64,
    pub title: String,
    pub summary: String,
    #[schema(value_type = crate::kepu::audience::FormatName)]
    pub format: String,
    pub channel: String,
    pub channel_name: String,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    pub cover_url: Option<String>,
    /// Why it is here, in one line: 因为您关注“柑橘”, 邻水县本地科普, 精准推送给您…
    pub reason: String,
    /// Pushed to the reader by 全民科普服务部 and not opened yet.
    pub pushed: bool,
    pub reads: i64,
    pub published_at: DateTime<Utc>,
}

pub struct Request<'a> {
    pub me: Option<&'a Actor>,
    /// A visitor's region (signed-in people are placed by their own).
    pub region_code: Option<String>,
    pub channel: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

struct AppNames<'a> {
    app: &'a App,
    channels: &'a [(String, String)],
}

impl Names for AppNames<'_> {
    fn channel(&self, code: &str) -> String {
        self.channels
            .iter()
            .find(|(c, _)| c == code)
            .map_or_else(|| code.to_owned(), |(_, n)| n.clone())
    }

    fn region(&self, code: &str) -> String {
        self.app
            .regions
            .find(code)
            .map_or_else(|| code.to_owned(), |r| r.name.clone())
    }

    fn audience(&self, code: &str) -> String {
        Audience::parse(code).map_or_else(|| code.to_owned(), |a| a.label().to_owned())
    }
}

/// The feed for a request: (a page of items, how many the feed holds now).
pub async fn build(app: &App, request: Request<'_>) -> Result<(Vec<FeedItem>, usize), AppError> {
    let now = app.clock.now();
    let channels = app.kepu_feed.channels(&app.db).await?;
    let mut reader = Reader::default();
    let mut terms: Vec<String> = Vec::new();
    let region = match request.me {
        Some(me) => Some(me.region.as_str().to_owned()),
        None => request.region_code.clone(),
    }
    .unwrap_or_else(|| "51".to_owned());
    if let Some(me) = request.me {
        let profile = profiles::load(&app.db, me.id.0, now).await?;
        reader.audience = profile.audience.clone();
        reader.interests = profile
            .interests
            .iter()
            .map(|i| (i.interest.clone(), i.weight()))
            .collect();
        for interest in profile.interests.iter().take(8) {
            let is_channel = channels.iter().any(|(c, _)| *c == interest.interest);
            terms.push(if is_channel {
                format!("channel:{}", interest.interest)
            } else {
                format!("tag:{}", interest.interest)
            });
        }
        if let Some(audience) = &profile.audience {
            terms.push(format!("audience:{audience}"));
        }
    }
    reader.region_code = Some(region.clone());
    // Resources aimed at the reader's city, county and township (the province's are `all`).
    let levels = RegionCode::parse(&region)
        .map(|r| r.ancestors_and_self())
        .unwrap_or_default();
    terms.extend(levels.iter().skip(1).map(|code| format!("region:{code}")));
    terms.push("all".into());
    // What the reader's county, city and province read most (nearest first): the whole feed
    // for a visitor, a signal among others for a signed-in reader. Reads are counted down to
    // the county only (`views/book.rs`): a township's few reads would rank nothing.
    let regions: Vec<String> = levels
        .iter()
        .rev()
        .filter(|code| code.level() <= RegionLevel::County)
        .map(ToString::to_string)
        .collect();
    let channel_term: Vec<String> = request
        .channel
        .iter()
        .map(|c| format!("channel:{c}"))
        .collect();
    let sources = if request.channel.is_some() {
        store::Sources {
            terms: &channel_term,
            per_term: 300,
            regions: &[],
            user: None,
        }
    } else {
        store::Sources {
            terms: &terms,
            per_term: store::PER_TERM,
            regions: &regions,
            user: request.me.map(|me| me.id.0),
        }
    };
    let found = store::candidates(&app.db, &sources, now).await?;
    let mut ids = found.ids.clone();
    if let Some(me) = request.me {
        let read = store::read_by(&app.db, me.id.0, &ids).await?;
        ids.retain(|id| !read.contains(id));
    }
    let rows = app.kepu_feed.rows(&app.db, &ids).await?;
    let candidates: Vec<rank::Candidate> = rows
        .values()
        .filter(|r| request.channel.as_ref().is_none_or(|c| *c == r.channel))
        .map(|r| {
            r.candidate(
                found.pushed.contains(&r.id),
                found.region_reads.get(&r.id).copied().unwrap_or(0),
            )
        })
        .collect();
    let names = AppNames {
        app,
        channels: &channels,
    };
    let total = candidates.len();
    let ranked = rank::rank(
        &candidates,
        &reader,
        now,
        &names,
        request.offset.saturating_add(request.limit),
    );
    let page: Vec<&rank::Ranked> = ranked.iter().skip(request.offset).collect();
    let cover_ids: Vec<i64> = page
        .iter()
        .filter_map(|r| rows.get(&r.id).and_then(|row| row.cover_id))
        .collect();
    let covers = store::covers(&app.db, &cover_ids).await?;
    let items = page
        .into_iter()
        .filter_map(|r| {
            let row = rows.get(&r.id)?;
            Some(FeedItem {
                id: row.id,
                title: row.title.clone(),
                summary: row.summary.clone(),
                format: row.format.clone(),
                channel_name: names.channel(&row.channel),
                channel: row.channel.clone(),
                region_name: row
                    .region_code
                    .as_deref()
                    .map(|c| app.regions.full_name_of(c)),
                region_code: row.region_code.clone(),
                cover_url: row.cover_id.and_then(|id| covers.get(&id).cloned()),
                reason: r.reason.clone(),
                pushed: r.pushed,
                reads: row.reads,
                published_at: row.published_at,
            })
        })
        .collect();
    Ok((items, total))
}
