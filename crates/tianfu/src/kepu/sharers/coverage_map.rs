//! The 科普员 coverage map: each child region of the page's region (the province's cities, a
//! city's counties; a county is drawn alone, its townships having no outlines) with the share of
//! its townships that have a 科普员, added up from the coverage's counties (themselves from one
//! grouped query over the subtree, never a query per region), as the JSON `region-map.js` draws.

use serde::Serialize;
use tianfu_domain::{RegionCode, RegionLevel};

use super::coverage::CoverageView;
use crate::App;
use crate::platform::auth::Actor;
use crate::platform::scope;

/// One child region's coverage: a row of the province's table of cities, a region of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildCoverage {
    pub code: String,
    pub name: String,
    pub townships: i64,
    /// Townships with at least one active 科普员.
    pub covered: i64,
    /// Active 科普员.
    pub sharers: i64,
}

impl ChildCoverage {
    /// Covered townships in percent, rounded down, for pages.
    pub fn percent(&self) -> i64 {
        if self.townships == 0 {
            0
        } else {
            self.covered * 100 / self.townships
        }
    }

    /// Covered townships in percent to one decimal, for the map's colour; none without townships.
    pub fn share(&self) -> Option<f64> {
        (self.townships > 0)
            .then(|| (self.covered as f64 * 1000.0 / self.townships as f64).round() / 10.0)
    }
}

/// How many leading digits name a child of a region at `level`: the province's cities (4), a
/// city's counties (6); a county is its own single region (6). A township has none.
fn child_digits(level: RegionLevel) -> Option<usize> {
    match level {
        RegionLevel::Province => Some(4),
        RegionLevel::City | RegionLevel::County => Some(6),
        RegionLevel::Township => None,
    }
}

/// The coverage's counties added up by child region of its root (a county's code starts with
/// its city's four digits); the counties come in code order, so each child's are together.
pub fn children(app: &App, c: &CoverageView) -> Vec<ChildCoverage> {
    let Some(digits) = RegionCode::parse(&c.region_code)
        .ok()
        .and_then(|root| child_digits(root.level()))
    else {
        return Vec::new();
    };
    let mut out: Vec<ChildCoverage> = Vec::new();
    for county in &c.counties {
        let Some(code) = county.region_code.get(..digits) else {
            continue;
        };
        if out.last().is_none_or(|last| last.code != code) {
            out.push(ChildCoverage {
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
        if let Some(child) = out.last_mut() {
            child.townships += county.townships;
            child.covered += county.covered;
            child.sharers += county.sharers;
        }
    }
    out
}

/// A region on the map.
#[derive(Debug, Serialize)]
pub struct MapValue {
    pub code: String,
    pub name: String,
    /// Covered townships in percent (0–100); null without townships.
    pub value: Option<f64>,
    pub text: String,
    /// The tooltip's lines under the region's name.
    pub lines: Vec<String>,
    /// Its own coverage page, when the staff member may open it.
    pub link: Option<String>,
}

/// What `region-map.js` draws.
#[derive(Debug, Serialize)]
pub struct CoverageMap {
    /// The outline file: "51" (by city) or a city (by county).
    pub outline: String,
    /// A county page keeps only the county's own outline from its city's file.
    pub only: Option<String>,
    pub label: &'static str,
    pub min: f64,
    pub max: f64,
    pub unit: &'static str,
    pub values: Vec<MapValue>,
}

/// The map of a coverage page, none for a township (nothing to outline).
pub fn map_of(actor: &Actor, c: &CoverageView, children: &[ChildCoverage]) -> Option<CoverageMap> {
    let root = RegionCode::parse(&c.region_code).ok()?;
    let (outline, only) = match root.level() {
        RegionLevel::Province | RegionLevel::City => (root.to_string(), None),
        RegionLevel::County => (root.parent()?.to_string(), Some(root.to_string())),
        RegionLevel::Township => return None,
    };
    let values = children
        .iter()
        .map(|child| {
            // The page's own region (a county drawn alone) is where the staff member already is.
            let link = RegionCode::parse(&child.code)
                .ok()
                .filter(|code| *code != root && scope::can_view_region(actor, code))
                .map(|code| format!("/admin/kepu/sharers/coverage?region_code={code}"));
            MapValue {
                code: child.code.clone(),
                name: child.name.clone(),
                value: child.share(),
                text: format!("{}%", child.percent()),
                lines: vec![
                    format!(
                        "已覆盖 {} / {} 个乡镇（街道）",
                        child.covered, child.townships
                    ),
                    format!("在任科普员 {} 人", child.sharers),
                ],
                link,
            }
        })
        .collect();
    Some(CoverageMap {
        outline,
        only,
        label: "乡镇（街道）科普员覆盖率",
        min: 0.0,
        max: 100.0,
        unit: "%",
        values,
    })
}

/// JSON safe inside a `<script type="application/json">` element (no `</script>` can end it).
pub fn script_json(map: &CoverageMap) -> String {
    serde_json::to_string(map)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(townships: i64, covered: i64) -> ChildCoverage {
        ChildCoverage {
            code: "5110".into(),
            name: "内江市".into(),
            townships,
            covered,
            sharers: covered,
        }
    }

    #[test]
    fn shares_are_percent_to_one_decimal_and_none_without_townships() {
        assert_eq!(child(3, 1).share(), Some(33.3));
        assert_eq!(child(3, 2).share(), Some(66.7));
        assert_eq!(child(8, 8).share(), Some(100.0));
        assert_eq!(child(0, 0).share(), None);
        assert_eq!(child(3, 2).percent(), 66);
    }

    #[test]
    fn children_are_cities_of_the_province_and_counties_of_a_city() {
        assert_eq!(child_digits(RegionLevel::Province), Some(4));
        assert_eq!(child_digits(RegionLevel::City), Some(6));
        assert_eq!(child_digits(RegionLevel::County), Some(6));
        assert_eq!(child_digits(RegionLevel::Township), None);
    }
}
