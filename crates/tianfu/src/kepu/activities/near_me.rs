//! 离我最近 for the list of activities (the page and the API): the candidates are the first
//! [`CANDIDATES`] of the list as it is asked for (a region's coming activities, soonest first:
//! one index range of `kepu_activities_region`, never a scan), ordered by their place's distance
//! from the caller with those without coordinates after them, then cut into the page asked for.

use super::nearby::{self, Point};
use super::service::{self, ActivityView};
use super::store::ActivityFilter;
use crate::App;
use crate::platform::api::Paging;
use crate::platform::error::AppError;

/// How many of the coming activities are ordered by distance: the region's next hundred.
pub const CANDIDATES: u32 = 100;

/// The page of `filter`'s first [`CANDIDATES`] activities nearest `me`, and how many there are
/// to page through (at most [`CANDIDATES`]).
pub async fn list(
    app: &App,
    filter: &ActivityFilter,
    paging: Paging,
    me: Point,
) -> Result<(Vec<ActivityView>, i64), AppError> {
    let window = Paging {
        page: Some(1),
        per_page: Some(CANDIDATES),
    };
    let now = app.clock.now();
    let (rows, total) = super::store::list(&app.db, filter, window).await?;
    let ordered = nearby::by_distance(rows, me, |row| {
        row.place_latitude
            .zip(row.place_longitude)
            .map(|(lat, lng)| Point { lat, lng })
    });
    let items = ordered
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.per_page() as usize)
        .map(|(row, km)| ActivityView {
            distance_km: km.map(|km| (km * 10.0).round() / 10.0),
            ..service::view(app, &row, now)
        })
        .collect();
    Ok((items, total.min(i64::from(CANDIDATES))))
}

impl ActivityView {
    /// "约 3.2 公里" when the list was ordered by distance and the place has coordinates.
    pub fn distance_text(&self) -> Option<String> {
        self.distance_km.map(nearby::shown)
    }
}
