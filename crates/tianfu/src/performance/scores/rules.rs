//! Scores from figures, by the year's system: each figure's completion against its target for
//! the period (a month is a twelfth of the year's target, a quarter a quarter; a rate's target
//! is not divided), capped; a figure's score is 100 × capped completion; an indicator's score the
//! weighted mean of its figures' scores, and the total the weighted mean of the indicators'.
//! A figure without a target (or per 10,000 residents without the residents) is left out of the
//! means and says why. Ranks are shared on equal totals (1, 2, 2, 4).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tianfu_domain::RegionCode;
use utoipa::ToSchema;

use super::targets;
use crate::performance::indicators::model::{IndicatorSystem, Normalise};
use crate::performance::measures;
use crate::regions::RegionTree;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MetricScore {
    pub metric: String,
    pub label: String,
    /// The indicator it counts in.
    pub indicator: String,
    /// The figure for the period (per 10,000 residents when so normalised).
    pub value: f64,
    /// The figure as counted, before normalisation: what its ledger rows add up to.
    pub raw: f64,
    /// The target for the period, on the same footing as `value`.
    pub target: Option<f64>,
    pub target_source: String,
    /// value / target, uncapped.
    pub completion: Option<f64>,
    pub score: Option<f64>,
    pub normalise: Normalise,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IndicatorScore {
    pub key: String,
    pub name: String,
    pub weight: f64,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RegionScore {
    pub region_code: String,
    pub name: String,
    pub parent_code: Option<String>,
    /// city or county.
    pub level: String,
    pub total: Option<f64>,
    /// Among the regions of its level in the province.
    pub rank: Option<u32>,
    /// A county's rank among its city's counties.
    pub rank_in_city: Option<u32>,
    /// Since the previous period: points (null when either is missing).
    pub total_change: Option<f64>,
    /// Places moved up since the previous period (negative: down).
    pub rank_change: Option<i32>,
    /// The same within its city, for a county.
    #[serde(default)]
    pub rank_in_city_change: Option<i32>,
    /// Named in the 通报: total below the system's line.
    pub alert: bool,
    pub indicators: Vec<IndicatorScore>,
    pub metrics: Vec<MetricScore>,
}

fn weighted_mean(parts: impl Iterator<Item = (f64, Option<f64>)>) -> Option<f64> {
    let (sum, weights) = parts
        .filter_map(|(w, s)| s.map(|s| (w * s, w)))
        .fold((0.0, 0.0), |(a, b), (x, w)| (a + x, b + w));
    (weights > 0.0).then(|| sum / weights)
}

/// One region's score card from its figures for the period. `fraction` is the share of a year
/// the period is (1, 1/4, 1/12).
pub fn score(
    system: &IndicatorSystem,
    tree: &RegionTree,
    region: &RegionCode,
    values: &HashMap<&'static str, f64>,
    fraction: f64,
) -> RegionScore {
    let mut metrics = Vec::new();
    let mut indicators = Vec::new();
    for indicator in &system.indicators {
        let mut parts = Vec::new();
        for weighted in &indicator.metrics {
            let Some(measurable) = measures::named(&weighted.metric) else {
                continue;
            };
            // A rate with nothing to measure (no step due, no staff) is left out, not 0.
            let missing = !values.contains_key(measurable.name) && measurable.is_rate();
            let raw = values.get(measurable.name).copied().unwrap_or(0.0);
            let resolved = targets::resolve(system, tree, region, &measurable, weighted.normalise);
            let residents = system.residents(region.as_str());
            let value = match (weighted.normalise, residents) {
                (Normalise::Per10k, Some(r)) => raw * 10_000.0 / r as f64,
                _ => raw,
            };
            let share = if measurable.is_rate() { 1.0 } else { fraction };
            let (target, source) = match (&resolved, weighted.normalise, residents) {
                _ if missing => (None, "本期无可计算数据".to_owned()),
                (None, _, _) => (None, "未设目标".to_owned()),
                (Some(_), Normalise::Per10k, None) => (None, "缺少常住人口数".to_owned()),
                (Some(t), _, _) => (Some(t.annual * share), t.source.clone()),
            };
            let completion = target.filter(|t| *t > 0.0).map(|t| value / t);
            let score = completion.map(|c| 100.0 * c.min(system.cap));
            parts.push((weighted.weight, score));
            metrics.push(MetricScore {
                metric: measurable.name.to_owned(),
                label: measurable.label.to_owned(),
                indicator: indicator.key.clone(),
                value,
                raw,
                target,
                target_source: source,
                completion,
                score,
                normalise: weighted.normalise,
            });
        }
        indicators.push(IndicatorScore {
            key: indicator.key.clone(),
            name: indicator.name.clone(),
            weight: indicator.weight,
            score: weighted_mean(parts.into_iter()),
        });
    }
    let total = weighted_mean(indicators.iter().map(|i| (i.weight, i.score)));
    RegionScore {
        region_code: region.to_string(),
        name: tree.get(region).map(|r| r.name.clone()).unwrap_or_default(),
        parent_code: region.parent().map(|p| p.to_string()),
        level: if region.as_str().len() == 4 {
            "city"
        } else {
            "county"
        }
        .into(),
        alert: total.is_some_and(|t| t < system.alert_below),
        total,
        rank: None,
        rank_in_city: None,
        total_change: None,
        rank_change: None,
        rank_in_city_change: None,
        indicators,
        metrics,
    }
}

/// Competition ranks by total, best first; a region without a total has no rank.
pub fn ranks(totals: &[Option<f64>]) -> Vec<Option<u32>> {
    totals
        .iter()
        .map(|total| {
            total.map(|t| {
                let better = totals.iter().flatten().filter(|other| **other > t).count();
                u32::try_from(better + 1).unwrap_or(u32::MAX)
            })
        })
        .collect()
}

/// Ranks a level in the province (and counties within their city), best first.
pub fn rank(scores: &mut [RegionScore]) {
    let totals: Vec<Option<f64>> = scores.iter().map(|s| s.total).collect();
    for (score, rank) in scores.iter_mut().zip(ranks(&totals)) {
        score.rank = rank;
    }
    let mut by_parent: HashMap<Option<String>, Vec<usize>> = HashMap::new();
    for (i, s) in scores.iter().enumerate() {
        if s.level == "county" {
            by_parent.entry(s.parent_code.clone()).or_default().push(i);
        }
    }
    for members in by_parent.values() {
        let totals: Vec<Option<f64>> = members.iter().map(|i| scores[*i].total).collect();
        for (i, rank) in members.iter().zip(ranks(&totals)) {
            scores[*i].rank_in_city = rank;
        }
    }
    scores.sort_by(|a, b| {
        a.rank
            .unwrap_or(u32::MAX)
            .cmp(&b.rank.unwrap_or(u32::MAX))
            .then_with(|| a.region_code.cmp(&b.region_code))
    });
}

/// Movement since the previous period's scores of the same regions.
pub fn compare(scores: &mut [RegionScore], previous: &[RegionScore]) {
    let before: HashMap<&str, &RegionScore> = previous
        .iter()
        .map(|s| (s.region_code.as_str(), s))
        .collect();
    for score in scores {
        if let Some(prev) = before.get(score.region_code.as_str()) {
            score.total_change = score.total.zip(prev.total).map(|(a, b)| a - b);
            let moved = |now: Option<u32>, then: Option<u32>| {
                now.zip(then)
                    .map(|(now, then)| i64::from(then) - i64::from(now))
                    .and_then(|d| i32::try_from(d).ok())
            };
            score.rank_change = moved(score.rank, prev.rank);
            score.rank_in_city_change = moved(score.rank_in_city, prev.rank_in_city);
        }
    }
}
