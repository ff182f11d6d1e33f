//! `GET /api/v1/kepu/feed`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{FeedItem, Request};
use crate::AppState;
use crate::platform::api::{ApiQuery, ListResponse};
use crate::platform::auth::ApiMaybeUser;
use crate::platform::error::{AppError, ErrorBody};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Only this channel; empty for all.
    pub channel: Option<String>,
    /// For a visitor who is not signed in: their region (what it reads most comes first).
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFilter>)]
    pub region_code: Option<String>,
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// The caller's feed, best first, skipping what they read; each item says why it is there.
/// Without a token: what the given region (or the province) reads most, and the newest.
#[utoipa::path(get, path = "/api/v1/kepu/feed", tag = "kepu", params(FeedQuery),
    responses((status = 200, body = inline(ListResponse<FeedItem>)), (status = 422, body = ErrorBody)))]
pub async fn feed(
    State(app): State<AppState>,
    ApiMaybeUser(me): ApiMaybeUser,
    ApiQuery(query): ApiQuery<FeedQuery>,
) -> Result<Json<ListResponse<FeedItem>>, AppError> {
    let request = parse(&app, me.as_ref(), &query).await?;
    let (items, total) = super::build(&app, request).await?;
    Ok(Json(ListResponse {
        items,
        total: total as i64,
    }))
}

pub async fn parse<'a>(
    app: &crate::App,
    me: Option<&'a crate::platform::auth::Actor>,
    query: &FeedQuery,
) -> Result<Request<'a>, AppError> {
    let channel = query
        .channel
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    if let Some(channel) = &channel {
        let channels = crate::kepu::resources::store::channels(&app.db).await?;
        if !channels.iter().any(|(c, _)| c == channel) {
            return Err(AppError::validation("channel", "栏目不存在"));
        }
    }
    let region_code = match query
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => Some(
            app.regions
                .find(code)
                .map(|r| r.code.as_str().to_owned())
                .ok_or_else(|| AppError::validation("region_code", "地区代码不存在"))?,
        ),
        None => None,
    };
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100) as usize;
    let page = query.page.unwrap_or(1).max(1) as usize;
    Ok(Request {
        me,
        region_code,
        channel,
        offset: (page - 1).saturating_mul(per_page),
        limit: per_page,
    })
}
