//! A region's target for a figure: its own if the system names one; otherwise its share of the
//! nearest region above that has one (a city's target split among its counties). A sum is
//! split: what the parent's target leaves after its children's own targets goes to the others
//! by their residents if the system knows all of theirs, else evenly. A rate or a figure per
//! 10,000 residents is a level, not a sum: a region without its own takes its parent's.

use tianfu_domain::{RegionCode, RegionLevel};

use crate::performance::indicators::model::{IndicatorSystem, Normalise};
use crate::performance::measures::Measurable;
use crate::regions::RegionTree;

#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// For the whole year.
    pub annual: f64,
    /// Where it came from, in Chinese.
    pub source: String,
}

fn scored_children<'a>(tree: &'a RegionTree, parent: &RegionCode) -> Vec<&'a RegionCode> {
    tree.children(Some(parent))
        .into_iter()
        .filter(|r| r.level() <= RegionLevel::County)
        .map(|r| &r.code)
        .collect()
}

pub fn resolve(
    system: &IndicatorSystem,
    tree: &RegionTree,
    region: &RegionCode,
    metric: &Measurable,
    normalise: Normalise,
) -> Option<Resolved> {
    if let Some(annual) = system.explicit_target(region.as_str(), metric.name) {
        return Some(Resolved {
            annual,
            source: "本地区目标".into(),
        });
    }
    let parent = region.parent()?;
    let above = resolve(system, tree, &parent, metric, normalise)?;
    let parent_name = tree.get(&parent).map_or("上级", |r| r.name.as_str());
    if metric.is_rate() || normalise == Normalise::Per10k {
        return Some(Resolved {
            annual: above.annual,
            source: format!("沿用{parent_name}目标"),
        });
    }
    let siblings = scored_children(tree, &parent);
    let own: f64 = siblings
        .iter()
        .filter_map(|s| system.explicit_target(s.as_str(), metric.name))
        .sum();
    let rest: Vec<&&RegionCode> = siblings
        .iter()
        .filter(|s| system.explicit_target(s.as_str(), metric.name).is_none())
        .collect();
    let left = above.annual - own;
    if left <= 0.0 || rest.is_empty() {
        return None;
    }
    let residents: Option<Vec<i64>> = rest.iter().map(|s| system.residents(s.as_str())).collect();
    match (residents, system.residents(region.as_str())) {
        (Some(all), Some(mine)) if all.iter().sum::<i64>() > 0 => Some(Resolved {
            annual: left * mine as f64 / all.iter().sum::<i64>() as f64,
            source: format!("由{parent_name}目标按常住人口分解"),
        }),
        _ => Some(Resolved {
            annual: left / rest.len() as f64,
            source: format!("由{parent_name}目标平均分解"),
        }),
    }
}
