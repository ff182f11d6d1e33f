//! `/kepu`: the feed, channels, search and 向科学要答案, phone first.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};

use super::FeedItem;
use super::api::{FeedQuery, parse};
use crate::AppState;
use crate::platform::auth::{Actor, MaybeUser};
use crate::platform::page::PageError;

#[derive(Template, WebTemplate)]
#[template(path = "kepu/feed.html")]
pub struct FeedPage {
    me: Option<Actor>,
    items: Vec<FeedItem>,
    channels: Vec<(String, String)>,
    channel: String,
    region_code: String,
    region_name: String,
    page: usize,
    more: bool,
}

pub async fn feed(
    State(app): State<AppState>,
    MaybeUser(me): MaybeUser,
    Query(query): Query<FeedQuery>,
) -> Result<FeedPage, PageError> {
    let fail = |e| PageError::new(e, me.clone());
    let query = FeedQuery {
        per_page: Some(20),
        ..query
    };
    let page = query.page.unwrap_or(1).max(1) as usize;
    let request = parse(&app, me.as_ref(), &query).await.map_err(fail)?;
    let channel = request.channel.clone().unwrap_or_default();
    let region_code = match &me {
        Some(me) => me.region.as_str().to_owned(),
        None => request.region_code.clone().unwrap_or_else(|| "51".into()),
    };
    let (items, total) = super::build(&app, request).await.map_err(fail)?;
    let channels = app.kepu_feed.channels(&app.db).await.map_err(fail)?;
    Ok(FeedPage {
        region_name: app.regions.full_name_of(&region_code),
        more: page * 20 < total,
        me,
        items,
        channels,
        channel,
        region_code,
        page,
    })
}
