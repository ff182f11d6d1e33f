use std::collections::HashMap;

use tianfu_domain::{RegionCode, RegionLevel};

#[derive(Debug, Clone)]
pub struct Region {
    pub code: RegionCode,
    pub parent: Option<RegionCode>,
    pub name: String,
}

impl Region {
    pub fn level(&self) -> RegionLevel {
        self.code.level()
    }
}

/// The whole tree in memory: some 3,400 rows (most of them townships) that change once a year,
/// read on nearly every page. The `regions` table stays the source of truth (foreign keys point at it).
#[derive(Debug, Default)]
pub struct RegionTree {
    by_code: HashMap<RegionCode, Region>,
    children: HashMap<Option<RegionCode>, Vec<RegionCode>>,
}

impl RegionTree {
    pub fn new(regions: Vec<Region>) -> Self {
        let mut tree = RegionTree::default();
        for region in regions {
            tree.children
                .entry(region.parent.clone())
                .or_default()
                .push(region.code.clone());
            tree.by_code.insert(region.code.clone(), region);
        }
        for codes in tree.children.values_mut() {
            codes.sort();
        }
        tree
    }

    /// Every region, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &Region> {
        self.by_code.values()
    }

    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        self.by_code.get(code)
    }

    /// Looks a code up from raw input: `None` for a malformed or unknown code.
    pub fn find(&self, code: &str) -> Option<&Region> {
        RegionCode::parse(code)
            .ok()
            .and_then(|code| self.by_code.get(&code))
    }

    pub fn children(&self, code: Option<&RegionCode>) -> Vec<&Region> {
        self.children
            .get(&code.cloned())
            .map(|codes| codes.iter().filter_map(|c| self.by_code.get(c)).collect())
            .unwrap_or_default()
    }

    pub fn provinces(&self) -> Vec<&Region> {
        self.children(None)
    }

    /// The full name of a stored code ("四川省 内江市 东兴区"), or empty for an unknown one.
    pub fn full_name_of(&self, code: &str) -> String {
        self.find(code)
            .map(|r| self.full_name(&r.code))
            .unwrap_or_default()
    }

    /// "四川省 内江市 东兴区": the names from the province down.
    pub fn full_name(&self, code: &RegionCode) -> String {
        code.ancestors_and_self()
            .iter()
            .filter_map(|c| self.by_code.get(c))
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}
