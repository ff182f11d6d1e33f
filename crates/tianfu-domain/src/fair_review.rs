//! Assigning reviewers to a fair's projects: by field first, then by load, never with a conflict
//! of interest (the owner, the same organisation, the same county). Pure: the app loads the
//! edition's projects, reviewers and current assignments; [`plan`] decides who reviews what.

use std::collections::{HashMap, HashSet};

use crate::fair::{Sector, conflict};

/// A reviewer as assignment sees them.
#[derive(Debug, Clone)]
pub struct Reviewer<'a> {
    pub id: i64,
    pub region_code: &'a str,
    pub org_name: Option<&'a str>,
    /// The fields they review; empty for any.
    pub sectors: Vec<Sector>,
}

/// A project as assignment sees it.
#[derive(Debug, Clone)]
pub struct Project<'a> {
    pub id: i64,
    pub owner_id: i64,
    pub region_code: &'a str,
    pub org_name: Option<&'a str>,
    pub sector: Option<Sector>,
}

/// Why `reviewer` may not review `project` (a Chinese sentence), or `None` when they may.
pub fn refusal(reviewer: &Reviewer<'_>, project: &Project<'_>) -> Option<&'static str> {
    if reviewer.id == project.owner_id {
        return Some("评审专家是项目所有者本人，应当回避");
    }
    conflict(
        reviewer.region_code,
        reviewer.org_name,
        project.region_code,
        project.org_name,
    )
}

/// Whether the reviewer reviews the project's field (a reviewer of any field does).
pub fn covers(reviewer: &Reviewer<'_>, sector: Option<Sector>) -> bool {
    reviewer.sectors.is_empty() || sector.is_some_and(|s| reviewer.sectors.contains(&s))
}

/// What assignment decided: the new (project, reviewer) pairs, and the projects that still have
/// fewer reviewers than required (no one else may review them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub new: Vec<(i64, i64)>,
    pub short: Vec<i64>,
}

/// Gives every project up to `min` reviewers, keeping the `existing` (project, reviewer) pairs.
/// The most constrained projects (fewest eligible reviewers) go first; each takes the reviewers
/// of its field before the others, and among those the least loaded (the fewest assignments in
/// the edition so far), then the lowest id, so the same input always gives the same plan.
pub fn plan(
    projects: &[Project<'_>],
    reviewers: &[Reviewer<'_>],
    existing: &[(i64, i64)],
    min: usize,
) -> Plan {
    let mut load: HashMap<i64, usize> = reviewers.iter().map(|r| (r.id, 0)).collect();
    let mut assigned: HashMap<i64, HashSet<i64>> = HashMap::new();
    for &(project, reviewer) in existing {
        if let Some(n) = load.get_mut(&reviewer) {
            *n += 1;
        }
        assigned.entry(project).or_default().insert(reviewer);
    }
    let mut open: Vec<(&Project<'_>, Vec<usize>)> = projects
        .iter()
        .filter(|p| assigned.get(&p.id).map_or(0, HashSet::len) < min)
        .map(|p| {
            let eligible = reviewers
                .iter()
                .enumerate()
                .filter(|(_, r)| refusal(r, p).is_none())
                .map(|(i, _)| i)
                .collect();
            (p, eligible)
        })
        .collect();
    open.sort_by_key(|(p, eligible)| (eligible.len(), p.id));
    let mut result = Plan::default();
    for (project, eligible) in open {
        let have = assigned.entry(project.id).or_default();
        let need = min.saturating_sub(have.len());
        let mut candidates: Vec<&Reviewer<'_>> = eligible
            .iter()
            .map(|&i| &reviewers[i])
            .filter(|r| !have.contains(&r.id))
            .collect();
        candidates.sort_by_key(|r| (!covers(r, project.sector), load[&r.id], r.id));
        for reviewer in candidates.into_iter().take(need) {
            have.insert(reviewer.id);
            *load.get_mut(&reviewer.id).expect("known reviewer") += 1;
            result.new.push((project.id, reviewer.id));
        }
        if have.len() < min {
            result.short.push(project.id);
        }
    }
    result.short.sort_unstable();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reviewer(id: i64, region: &'static str, sectors: Vec<Sector>) -> Reviewer<'static> {
        Reviewer {
            id,
            region_code: region,
            org_name: None,
            sectors,
        }
    }

    fn project(id: i64, region: &'static str, sector: Sector) -> Project<'static> {
        Project {
            id,
            owner_id: 1000 + id,
            region_code: region,
            org_name: Some("内江食品有限公司"),
            sector: Some(sector),
        }
    }

    #[test]
    fn the_owner_the_organisation_and_the_county_are_refused() {
        let p = project(1, "511011", Sector::Food);
        let owner = Reviewer {
            id: 1001,
            ..reviewer(1001, "510104", vec![])
        };
        assert!(refusal(&owner, &p).unwrap().contains("所有者"));
        let colleague = Reviewer {
            org_name: Some("内江食品有限公司"),
            ..reviewer(2, "510104", vec![])
        };
        assert!(refusal(&colleague, &p).unwrap().contains("同一单位"));
        assert!(
            refusal(&reviewer(3, "511011", vec![]), &p)
                .unwrap()
                .contains("县")
        );
        assert!(refusal(&reviewer(4, "511024", vec![]), &p).is_none());
    }

    #[test]
    fn every_project_gets_its_reviewers_by_field_then_load() {
        let projects = vec![
            project(1, "511011", Sector::Agriculture),
            project(2, "511011", Sector::Agriculture),
            project(3, "511011", Sector::Electronics),
        ];
        let reviewers = vec![
            reviewer(10, "510104", vec![Sector::Agriculture]),
            reviewer(11, "510104", vec![Sector::Agriculture]),
            reviewer(12, "510104", vec![Sector::Agriculture, Sector::Food]),
            reviewer(20, "510104", vec![Sector::Electronics]),
            reviewer(21, "510104", vec![Sector::Electronics, Sector::Equipment]),
            reviewer(22, "510104", vec![Sector::Electronics]),
            // Same county as every project: never assigned.
            reviewer(30, "511011", vec![]),
        ];
        let plan = plan(&projects, &reviewers, &[], 3);
        assert!(plan.short.is_empty(), "{plan:?}");
        let of = |p: i64| -> Vec<i64> {
            let mut ids: Vec<i64> = plan
                .new
                .iter()
                .filter(|(q, _)| *q == p)
                .map(|(_, r)| *r)
                .collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!(of(1), vec![10, 11, 12]);
        assert_eq!(of(2), vec![10, 11, 12]);
        assert_eq!(of(3), vec![20, 21, 22]);
        assert!(!plan.new.iter().any(|(_, r)| *r == 30));
    }

    #[test]
    fn load_is_balanced_and_existing_pairs_are_kept() {
        let projects: Vec<Project<'static>> = (1..=4)
            .map(|i| project(i, "511011", Sector::Food))
            .collect();
        let reviewers: Vec<Reviewer<'static>> =
            (10..14).map(|i| reviewer(i, "510104", vec![])).collect();
        let plan = plan(&projects, &reviewers, &[(1, 10)], 3);
        assert_eq!(plan.new.len(), 11, "one of twelve existed");
        let mut load: HashMap<i64, usize> = HashMap::from([(10, 1)]);
        for (_, r) in &plan.new {
            *load.entry(*r).or_default() += 1;
        }
        assert!(load.values().all(|&n| n == 3), "{load:?}");
        assert!(!plan.new.contains(&(1, 10)));
    }

    #[test]
    fn projects_without_enough_eligible_reviewers_are_short() {
        let projects = vec![
            project(1, "511011", Sector::Food),
            project(2, "510104", Sector::Food),
        ];
        let reviewers = vec![
            reviewer(10, "510104", vec![]),
            reviewer(11, "510104", vec![]),
            reviewer(12, "511024", vec![]),
        ];
        let plan = plan(&projects, &reviewers, &[], 3);
        assert_eq!(
            plan.short,
            vec![2],
            "510104's reviewers must not review 510104"
        );
        assert_eq!(plan.new.iter().filter(|(p, _)| *p == 2).count(), 1);
    }
}
