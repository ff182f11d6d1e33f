//! Who sees which score. Staff see the full card of every region in their subtree; of a
//! published period they also see every unit's total and rank (what the province publishes, the
//! 通报 included); of a period not yet published, nothing outside their subtree.

use tianfu_domain::RegionCode;

use super::rules::RegionScore;
use super::service::ScoreSheet;
use crate::platform::auth::Actor;
use crate::platform::scope;

/// A unit's line without its breakdown.
fn summary(score: &RegionScore) -> RegionScore {
    RegionScore {
        indicators: Vec::new(),
        metrics: Vec::new(),
        ..score.clone()
    }
}

/// The lines of `scores` the actor may see, each full or summarised.
pub fn lines(actor: &Actor, sheet: &ScoreSheet, scores: &[RegionScore]) -> Vec<RegionScore> {
    scores
        .iter()
        .filter_map(|score| {
            let code = RegionCode::parse(&score.region_code).ok()?;
            if scope::can_view_region(actor, &code) {
                Some(score.clone())
            } else if sheet.published {
                Some(summary(score))
            } else {
                None
            }
        })
        .collect()
}
