//! What a saved system must satisfy. Every problem names its field (`indicators[1].weight`) in
//! Chinese, all of them at once, and nothing is saved.

use std::collections::HashSet;

use tianfu_domain::{FieldErrors, RegionLevel};

use super::model::{
    DEFAULT_ALERT_BELOW, DEFAULT_CAP, Indicator, IndicatorSystemInput, Normalise, Population,
    Target,
};
use crate::performance::measures;
use crate::regions::RegionTree;

pub const MAX_INDICATORS: usize = 6;
pub const MAX_METRICS: usize = 12;
pub const MAX_TARGETS: usize = 20_000;

/// The parts of a valid input.
#[derive(Debug)]
pub struct Checked {
    pub indicators: Vec<Indicator>,
    pub targets: Vec<Target>,
    pub populations: Vec<Population>,
    pub alert_below: f64,
    pub cap: f64,
    pub note: String,
}

fn weight_ok(weight: f64) -> bool {
    weight.is_finite() && weight > 0.0 && weight <= 1000.0
}

/// The regions a system scores: the province, its cities and its counties.
fn scored_level(tree: &RegionTree, code: &str) -> bool {
    tree.find(code).is_some_and(|r| {
        matches!(
            r.level(),
            RegionLevel::Province | RegionLevel::City | RegionLevel::County
        )
    })
}

pub fn check(input: IndicatorSystemInput, tree: &RegionTree) -> Result<Checked, FieldErrors> {
    let mut errors = FieldErrors::new();
    if input.indicators.is_empty() || input.indicators.len() > MAX_INDICATORS {
        errors.add(
            "indicators",
            format!("指标应有1至{MAX_INDICATORS}项（通常为三项指标）"),
        );
    }
    let mut keys = HashSet::new();
    let mut used = HashSet::new();
    for (i, indicator) in input.indicators.iter().enumerate() {
        let at = |field: &str| format!("indicators[{i}].{field}");
        let key_ok = !indicator.key.is_empty()
            && indicator.key.len() <= 32
            && indicator
                .key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !key_ok {
            errors.add(&at("key"), "指标代码应为1至32位小写字母、数字或下划线");
        } else if !keys.insert(indicator.key.as_str()) {
            errors.add(&at("key"), "指标代码重复");
        }
        let name = indicator.name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            errors.add(&at("name"), "指标名称应为1至40个字");
        }
        if !weight_ok(indicator.weight) {
            errors.add(&at("weight"), "权重应为大于0且不超过1000的数");
        }
        if indicator.metrics.is_empty() || indicator.metrics.len() > MAX_METRICS {
            errors.add(
                &at("metrics"),
                format!("每项指标应包含1至{MAX_METRICS}个统计项"),
            );
        }
        let mut seen = HashSet::new();
        for (j, m) in indicator.metrics.iter().enumerate() {
            let field = |f: &str| format!("indicators[{i}].metrics[{j}].{f}");
            match measures::named(&m.metric) {
                None => errors.add(&field("metric"), "统计项不存在（见 /api/v1/stats/metrics）"),
                Some(known) => {
                    if !seen.insert(m.metric.as_str()) {
                        errors.add(&field("metric"), "同一指标内统计项重复");
                    }
                    if known.is_rate() && m.normalise == Normalise::Per10k {
                        errors.add(&field("normalise"), "比率类统计项不能按每万人口折算");
                    }
                    used.insert(m.metric.clone());
                }
            }
            if !weight_ok(m.weight) {
                errors.add(&field("weight"), "权重应为大于0且不超过1000的数");
            }
        }
    }
    // A target is kept per (region, figure): one figure cannot be a count in one indicator and
    // per 10,000 residents in another.
    for (i, indicator) in input.indicators.iter().enumerate() {
        for (j, m) in indicator.metrics.iter().enumerate() {
            let first = input
                .indicators
                .iter()
                .flat_map(|x| &x.metrics)
                .find(|other| other.metric == m.metric);
            if first.is_some_and(|f| f.normalise != m.normalise) {
                errors.add(
                    &format!("indicators[{i}].metrics[{j}].normalise"),
                    "同一统计项在各指标中的折算方式应一致",
                );
            }
        }
    }
    if input.targets.len() > MAX_TARGETS {
        errors.add("targets", format!("目标最多{MAX_TARGETS}条"));
    }
    let mut target_keys = HashSet::new();
    for (i, target) in input.targets.iter().enumerate() {
        let field = |f: &str| format!("targets[{i}].{f}");
        if !scored_level(tree, &target.region_code) {
            errors.add(&field("region_code"), "地区不存在或不是省、市、县级");
        }
        if !used.contains(&target.metric) {
            errors.add(&field("metric"), "目标所属统计项不在本年度指标中");
        }
        if !(target.value.is_finite() && target.value > 0.0 && target.value < 1e15) {
            errors.add(&field("value"), "目标值应为大于0的数");
        }
        if !target_keys.insert((target.region_code.as_str(), target.metric.as_str())) {
            errors.add(&field("metric"), "同一地区同一统计项的目标重复");
        }
    }
    let mut population_keys = HashSet::new();
    for (i, population) in input.populations.iter().enumerate() {
        let field = |f: &str| format!("populations[{i}].{f}");
        if !scored_level(tree, &population.region_code) {
            errors.add(&field("region_code"), "地区不存在或不是省、市、县级");
        } else if !population_keys.insert(population.region_code.as_str()) {
            errors.add(&field("region_code"), "同一地区的常住人口重复");
        }
        if !(1..=200_000_000).contains(&population.residents) {
            errors.add(&field("residents"), "常住人口应在1至2亿之间");
        }
    }
    let alert_below = input.alert_below.unwrap_or(DEFAULT_ALERT_BELOW);
    if !(alert_below.is_finite() && (0.0..=200.0).contains(&alert_below)) {
        errors.add("alert_below", "通报分数线应在0至200之间");
    }
    let cap = input.cap.unwrap_or(DEFAULT_CAP);
    if !(cap.is_finite() && (1.0..=3.0).contains(&cap)) {
        errors.add("cap", "完成率封顶倍数应在1至3之间");
    }
    let note = input.note.unwrap_or_default().trim().to_owned();
    if note.chars().count() > 200 {
        errors.add("note", "修订说明不超过200字");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let indicators = input
        .indicators
        .into_iter()
        .map(|mut i| {
            i.name = i.name.trim().to_owned();
            i
        })
        .collect();
    Ok(Checked {
        indicators,
        targets: input.targets,
        populations: input.populations,
        alert_below,
        cap,
        note,
    })
}
