//! `/admin/kepu/sharers/coverage`: townships with and without a 科普员, drawn county by county
//! as a grid for a county or a city, and as a table of cities for the province.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;
use tianfu_domain::RegionCode;

use super::admin_pages::{COUNTIES_LISTED, scope_of};
use super::coverage::{self, CoverageView};
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::page::PageError;
use crate::{App, AppState};

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
    cities: Vec<CityLine>,
}

/// A city's coverage on the province's page.
pub struct CityLine {
    pub code: String,
    pub name: String,
    pub townships: i64,
    pub covered: i64,
    pub sharers: i64,
}

impl CityLine {
    pub fn percent(&self) -> i64 {
        if self.townships == 0 {
            0
        } else {
            self.covered * 100 / self.townships
        }
    }
}

/// The counties' figures added up by city (a county's code starts with its city's four digits).
fn by_city(app: &App, c: &CoverageView) -> Vec<CityLine> {
    let mut cities: Vec<CityLine> = Vec::new();
    for county in &c.counties {
        let code = &county.region_code[..4];
        if cities.last().is_none_or(|last| last.code != code) {
            cities.push(CityLine {
                code: code.to_owned(),
                name: app
                    .regions
                    .find(code)
                    .map(|r| r.name.clone())
                    .unwrap_or_default(),
                townships: 0,
                covered: 0,
                sharers: 0,
            });
        }
        if let Some(city) = cities.last_mut() {
            city.townships += county.townships;
            city.covered += county.covered;
            city.sharers += county.sharers;
        }
    }
    cities
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
    let up = RegionCode::parse(&c.region_code)
        .ok()
        .and_then(|r| r.parent())
        .filter(|p| scope_of(&actor).contains(p))
        .map(|p| (p.to_string(), app.regions.full_name(&p)));
    let grids = c.counties.len() <= COUNTIES_LISTED;
    Ok(CoveragePage {
        cities: if grids { Vec::new() } else { by_city(&app, &c) },
        grids,
        c,
        up,
        me: Some(actor),
    })
}
