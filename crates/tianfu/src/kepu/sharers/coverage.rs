//! 覆盖情况: for a region, every township (乡镇/街道) in it with its active 科普员, county by
//! county, and which have none. The townships come from the region tree in memory; the
//! 科普员 from one grouped range scan of `kepu_sharers_region`.

use std::collections::HashMap;

use serde::Serialize;
use tianfu_domain::{RegionCode, RegionLevel};
use utoipa::ToSchema;

use super::service::ensure_kepu_staff;
use super::store;
use crate::App;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SharerTownshipCoverage)]
pub struct TownshipCoverage {
    pub region_code: String,
    pub name: String,
    /// Active 科普员 appointed for it; 0 means not covered.
    pub sharers: i64,
    /// Distinct villages (communities) they were appointed for.
    pub villages: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SharerCountyCoverage)]
pub struct CountyCoverage {
    pub region_code: String,
    /// "广安市 邻水县".
    pub region_name: String,
    pub townships: i64,
    /// Townships with at least one active 科普员.
    pub covered: i64,
    /// Active 科普员 in the county.
    pub sharers: i64,
    pub items: Vec<TownshipCoverage>,
}

impl CountyCoverage {
    /// Covered townships in percent, rounded down, for pages.
    pub fn percent(&self) -> i64 {
        if self.townships == 0 {
            0
        } else {
            self.covered * 100 / self.townships
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SharerCoverage)]
pub struct CoverageView {
    pub region_code: String,
    pub region_name: String,
    /// Townships in the region.
    pub townships: i64,
    /// Townships with at least one active 科普员.
    pub covered: i64,
    /// Townships without one.
    pub uncovered: i64,
    /// Active 科普员 in the region.
    pub sharers: i64,
    /// Every county of the region (the township's own when the region is a township), in code
    /// order, with each of its townships.
    pub counties: Vec<CountyCoverage>,
}

/// The counties in `root`'s subtree (or the county above a township), in code order.
pub fn counties_of(app: &App, root: &RegionCode) -> Vec<RegionCode> {
    if root.level() == RegionLevel::Township {
        return root.parent().into_iter().collect();
    }
    let mut counties = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(code) = stack.pop() {
        if code.level() == RegionLevel::County {
            counties.push(code);
            continue;
        }
        for child in app.regions.children(Some(&code)).into_iter().rev() {
            stack.push(child.code.clone());
        }
    }
    counties
}

/// Coverage of `region_code` (the actor's own region when empty): 全民科普服务部 staff within
/// their subtree.
pub async fn of_region(
    app: &App,
    actor: &Actor,
    region_code: Option<&str>,
    ip: Option<&str>,
) -> Result<CoverageView, AppError> {
    ensure_kepu_staff(app, actor, ip).await?;
    let root = match region_code.map(str::trim).filter(|c| !c.is_empty()) {
        None => actor.region.clone(),
        Some(code) => app
            .regions
            .find(code)
            .map(|r| r.code.clone())
            .ok_or_else(|| AppError::validation("region_code", "地区代码不存在"))?,
    };
    scope::ensure(
        app,
        actor,
        scope::can_view_region(actor, &root),
        &format!("region:{root}"),
        ip,
    )
    .await?;
    let found: HashMap<String, (i64, i64)> = store::active_by_township(&app.db, &root)
        .await?
        .into_iter()
        .map(|(code, sharers, villages)| (code, (sharers, villages)))
        .collect();
    let mut counties = Vec::new();
    for county in counties_of(app, &root) {
        let items: Vec<TownshipCoverage> = app
            .regions
            .children(Some(&county))
            .into_iter()
            .filter(|t| t.level() == RegionLevel::Township && root.contains(&t.code))
            .map(|t| {
                let (sharers, villages) = found.get(t.code.as_str()).copied().unwrap_or((0, 0));
                TownshipCoverage {
                    region_code: t.code.to_string(),
                    name: t.name.clone(),
                    sharers,
                    villages,
                }
            })
            .collect();
        let short_name = county
            .ancestors_and_self()
            .iter()
            .skip(1)
            .filter_map(|c| app.regions.get(c))
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        counties.push(CountyCoverage {
            region_code: county.to_string(),
            region_name: short_name,
            townships: items.len() as i64,
            covered: items.iter().filter(|t| t.sharers > 0).count() as i64,
            sharers: items.iter().map(|t| t.sharers).sum(),
            items,
        });
    }
    let townships: i64 = counties.iter().map(|c| c.townships).sum();
    let covered: i64 = counties.iter().map(|c| c.covered).sum();
    Ok(CoverageView {
        region_name: app.regions.full_name(&root),
        region_code: root.to_string(),
        townships,
        covered,
        uncovered: townships - covered,
        sharers: counties.iter().map(|c| c.sharers).sum(),
        counties,
    })
}
