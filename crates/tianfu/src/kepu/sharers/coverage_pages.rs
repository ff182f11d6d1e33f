//! `/admin/kepu/sharers/coverage`: a map of the region coloured by the share of townships with a
//! 科普员 (the province by city, a city by county, a county alone), then the accessible version:
//! townships drawn county by county as a grid for a county or a city, a table of cities for the
//! province.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;
use tianfu_domain::{RegionCode, RegionLevel};

use super::admin_pages::{COUNTIES_LISTED, scope_of};
use super::coverage::{self, CoverageView};
use super::coverage_map::{self, ChildCoverage};
use crate::AppState;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::page::PageError;

#[derive(Template, WebTemplate)]
#[template(path = "kepu/sharers/coverage.html")]
pub struct CoveragePage {
    me: Option<Actor>,
    c: CoverageView,
    /// Few enough counties to draw each one's townships.
    grids: bool,
    /// The region above, if the staff member may look there.
    up: Option<(String, String)>,
    /// When there are too many counties to draw: each city's totals, to look into one.
    cities: Vec<ChildCoverage>,
    /// The map's data for `region-map.js`, none for a township.
    map_json: Option<String>,
    /// A county's map is its outline alone: the page says why the townships are a grid.
    county: bool,
}

impl CoveragePage {
    fn percent(&self) -> i64 {
        if self.c.townships == 0 {
            0
        } else {
            self.c.covered * 100 / self.c.townships
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CoverageParams {
    region_code: Option<String>,
}

pub async fn coverage(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(params): Query<CoverageParams>,
) -> Result<CoveragePage, PageError> {
    let c = match coverage::of_region(&app, &actor, params.region_code.as_deref(), ip.as_deref())
        .await
    {
        Ok(c) => c,
        Err(e) => return Err(PageError::new(e, Some(actor))),
    };
    let root = RegionCode::parse(&c.region_code).ok();
    let up = root
        .as_ref()
        .and_then(|r| r.parent())
        .filter(|p| scope_of(&actor).contains(p))
        .map(|p| (p.to_string(), app.regions.full_name(&p)));
    let grids = c.counties.len() <= COUNTIES_LISTED;
    let children = coverage_map::children(&app, &c);
    let map_json =
        coverage_map::map_of(&actor, &c, &children).map(|m| coverage_map::script_json(&m));
    Ok(CoveragePage {
        cities: if grids { Vec::new() } else { children },
        county: root.is_some_and(|r| r.level() == RegionLevel::County),
        map_json,
        grids,
        c,
        up,
        me: Some(actor),
    })
}
