//! The one place that decides what a person may see or change. Features ask here; none
//! re-implements it.
//!
//! - Staff see and act on what lies in their region's subtree (a county its county, a city its
//!   counties, the province everything in it). Administrators see every region.
//! - Everyone else touches only what they own.
//! - Staff accounts are created from above: a staff member may create staff only for regions
//!   strictly below their own; an administrator for any region.
//!
//! Decisions are pure functions of (actor, resource); [`ensure`] turns a refusal into a 403 and
//! writes it to the audit log.

use tianfu_domain::{Department, ListingKind, RegionCode, Role, UserId};

use super::audit::{self, AuditEntry};
use super::auth::Actor;
use super::error::AppError;
use crate::App;

/// The region subtree whose records the actor may see, or `None` when the actor is not staff.
/// An administrator's scope is every region, which [`RegionScope::All`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionScope {
    All,
    Subtree(RegionCode),
}

impl RegionScope {
    /// How pages name the scope: "全部地区", or the subtree root's full name.
    pub fn name(&self, regions: &crate::regions::RegionTree) -> String {
        match self {
            RegionScope::All => "全部地区".to_owned(),
            RegionScope::Subtree(root) => regions.full_name(root),
        }
    }

    pub fn contains(&self, region: &RegionCode) -> bool {
        match self {
            RegionScope::All => true,
            RegionScope::Subtree(root) => root.contains(region),
        }
    }

    /// Narrows a requested region to what the scope allows: `None` if the request lies outside.
    pub fn narrow(&self, requested: Option<&RegionCode>) -> Option<RegionScope> {
        match (self, requested) {
            (scope, None) => Some(scope.clone()),
            (scope, Some(region)) if scope.contains(region) => {
                Some(RegionScope::Subtree(region.clone()))
            }
            _ => None,
        }
    }
}

pub fn staff_scope(actor: &Actor) -> Option<RegionScope> {
    match actor.role {
        Role::Admin => Some(RegionScope::All),
        Role::Staff => Some(RegionScope::Subtree(actor.region.clone())),
        _ => None,
    }
}

/// May the actor see records located in `region` (users, listings, tickets)?
pub fn can_view_region(actor: &Actor, region: &RegionCode) -> bool {
    staff_scope(actor).is_some_and(|scope| scope.contains(region))
}

/// Which departments review which kinds of listing. Configured by `TIANFU_REVIEW_DEPARTMENTS`
/// (`offer=worker,achievement=worker,need=org`, the default: capabilities and achievements are
/// the scientists' department's work, needs the organisations'); a kind may name several
/// departments with `+` (`need=org+worker`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRules {
    rules: Vec<(ListingKind, Vec<Department>)>,
}

impl Default for ReviewRules {
    fn default() -> Self {
        ReviewRules {
            rules: vec![
                (ListingKind::Offer, vec![Department::Worker]),
                (ListingKind::Achievement, vec![Department::Worker]),
                (ListingKind::Need, vec![Department::Org]),
            ],
        }
    }
}

impl ReviewRules {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rules = ReviewRules::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (kind, departments) = part
                .split_once('=')
                .ok_or_else(|| format!("expected kind=department, got {part:?}"))?;
            let kind = ListingKind::parse(kind.trim())?;
            let departments = departments
                .split('+')
                .map(|d| Department::parse(d.trim()))
                .collect::<Result<Vec<_>, _>>()?;
            rules.rules.retain(|(k, _)| *k != kind);
            rules.rules.push((kind, departments));
        }
        Ok(rules)
    }

    pub fn departments(&self, kind: ListingKind) -> &[Department] {
        self.rules
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&[], |(_, d)| d.as_slice())
    }
}

/// Is `department`'s work the actor's? Administrators do every department's work; staff their
/// own department's.
pub fn works_in(actor: &Actor, department: &str) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::Staff => actor.department.is_some_and(|d| d.as_str() == department),
        _ => false,
    }
}

/// May the actor review a listing of `kind` in `region`? Staff of a reviewing department whose
/// region covers it, and administrators.
pub fn can_review(
    actor: &Actor,
    rules: &ReviewRules,
    kind: ListingKind,
    region: &RegionCode,
) -> bool {
    can_view_region(actor, region)
        && (actor.role == Role::Admin
            || rules
                .departments(kind)
                .iter()
                .any(|d| works_in(actor, d.as_str())))
}

/// The listing kinds the actor reviews, for their queue: every kind for administrators (none),
/// their department's for staff (an empty list for a department that reviews nothing).
pub fn reviewable_kinds(actor: &Actor, rules: &ReviewRules) -> Option<Vec<ListingKind>> {
    (actor.role != Role::Admin).then(|| {
        ListingKind::ALL
            .iter()
            .copied()
            .filter(|kind| {
                rules
                    .departments(*kind)
                    .iter()
                    .any(|d| works_in(actor, d.as_str()))
            })
            .collect()
    })
}

/// May the actor see and work a nanny ticket of `department` in `region`?
pub fn can_work_ticket(actor: &Actor, department: &str, region: &RegionCode) -> bool {
    can_view_region(actor, region) && works_in(actor, department)
}

/// May the actor create a staff account for `region`? Never below the county (there is no
/// service centre in a township; `staff::store::add_staff` says so to the user).
pub fn can_create_staff_in(actor: &Actor, region: &RegionCode) -> bool {
    if region.level() > tianfu_domain::RegionLevel::County {
        return false;
    }
    match actor.role {
        Role::Admin => true,
        Role::Staff => actor.region.contains(region) && region != &actor.region,
        _ => false,
    }
}

/// May the actor change a thing owned by `owner`? Owners may; nobody else through this rule
/// (staff act on others' things through their own, region-scoped rules).
pub fn owns(actor: &Actor, owner: UserId) -> bool {
    actor.id == owner
}

/// May the actor see a listing (or anything else with an owner and a region that becomes public
/// once published)? Everyone sees what is published; the owner and the region's staff see the
/// rest.
pub fn can_view_listing(
    actor: Option<&Actor>,
    owner: UserId,
    region: &RegionCode,
    published: bool,
) -> bool {
    published || actor.is_some_and(|a| owns(a, owner) || can_view_region(a, region))
}

/// Turns a decision into a result: a refusal is audited and answered with 403.
pub async fn ensure(
    app: &App,
    actor: &Actor,
    allowed: bool,
    subject: &str,
    ip: Option<&str>,
) -> Result<(), AppError> {
    if allowed {
        return Ok(());
    }
    audit::record(
        &app.db,
        app.clock.now(),
        AuditEntry {
            actor: Some(actor.id),
            action: "permission.denied",
            subject,
            ip,
            detail: "outside scope",
        },
    )
    .await;
    Err(AppError::Forbidden(
        "您无权访问该内容（超出您的管辖范围）".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, region: &str) -> Actor {
        Actor {
            id: UserId(1),
            role,
            name: "测试".into(),
            phone: "13800000000".into(),
            region: RegionCode::parse(region).unwrap(),
            region_name: String::new(),
            department: None,
            badges: Default::default(),
        }
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn staff_see_their_subtree_only() {
        let city = actor(Role::Staff, "5116");
        assert!(can_view_region(&city, &code("511623")));
        assert!(can_view_region(&city, &code("5116")));
        assert!(!can_view_region(&city, &code("5101")));
        assert!(!can_view_region(&city, &code("51")));
        let county = actor(Role::Staff, "511623");
        assert!(!can_view_region(&county, &code("511621")));
    }

    #[test]
    fn non_staff_see_no_region_and_admins_see_all() {
        assert!(!can_view_region(
            &actor(Role::Worker, "51"),
            &code("511623")
        ));
        assert!(can_view_region(&actor(Role::Admin, "51"), &code("500101")));
    }

    #[test]
    fn each_department_reviews_and_works_its_own_things() {
        let rules = ReviewRules::default();
        let mut kepu = actor(Role::Staff, "5116");
        kepu.department = Some(Department::Kepu);
        let mut org = actor(Role::Staff, "5116");
        org.department = Some(Department::Org);
        let mut worker = actor(Role::Staff, "5116");
        worker.department = Some(Department::Worker);
        let county = code("511623");
        assert!(!can_review(&kepu, &rules, ListingKind::Offer, &county));
        assert!(!can_review(&kepu, &rules, ListingKind::Need, &county));
        assert!(can_review(&org, &rules, ListingKind::Need, &county));
        assert!(!can_review(&org, &rules, ListingKind::Offer, &county));
        assert!(can_review(&worker, &rules, ListingKind::Offer, &county));
        assert!(!can_review(
            &worker,
            &rules,
            ListingKind::Need,
            &code("5101")
        ));
        assert!(can_review(
            &actor(Role::Admin, "51"),
            &rules,
            ListingKind::Need,
            &county
        ));
        assert!(can_work_ticket(&worker, "worker", &county));
        assert!(!can_work_ticket(&kepu, "worker", &county));
        assert!(!can_work_ticket(&org, "worker", &county));
    }

    #[test]
    fn review_rules_are_configurable() {
        let rules = ReviewRules::parse("need=org+worker").unwrap();
        assert_eq!(
            rules.departments(ListingKind::Need),
            &[Department::Org, Department::Worker]
        );
        assert_eq!(rules.departments(ListingKind::Offer), &[Department::Worker]);
        assert!(ReviewRules::parse("need").is_err());
        assert!(ReviewRules::parse("need=nobody").is_err());
    }

    #[test]
    fn staff_are_created_strictly_from_above() {
        let city = actor(Role::Staff, "5116");
        assert!(can_create_staff_in(&city, &code("511623")));
        assert!(
            !can_create_staff_in(&city, &code("5116")),
            "not at one's own level"
        );
        assert!(!can_create_staff_in(&city, &code("5101")));
        assert!(!can_create_staff_in(&actor(Role::Org, "51"), &code("5101")));
        assert!(can_create_staff_in(&actor(Role::Admin, "51"), &code("51")));
        assert!(
            !can_create_staff_in(&city, &code("511623100")),
            "no township staff"
        );
        assert!(!can_create_staff_in(
            &actor(Role::Admin, "51"),
            &code("511623100")
        ));
    }

    #[test]
    fn a_township_lies_in_its_countys_scope_only() {
        let township = code("511623100");
        for above in ["51", "5116", "511623"] {
            assert!(
                can_view_region(&actor(Role::Staff, above), &township),
                "{above}"
            );
        }
        for elsewhere in ["511621", "5101"] {
            assert!(
                !can_view_region(&actor(Role::Staff, elsewhere), &township),
                "{elsewhere}"
            );
        }
        let scope = RegionScope::Subtree(code("511623"));
        assert_eq!(
            scope.narrow(Some(&township)),
            Some(RegionScope::Subtree(township.clone()))
        );
    }

    #[test]
    fn unpublished_listings_are_seen_by_owner_and_regional_staff_only() {
        let owner = actor(Role::Worker, "511623");
        let mut stranger = actor(Role::Worker, "511623");
        stranger.id = UserId(2);
        let region = code("511623");
        assert!(can_view_listing(None, UserId(1), &region, true));
        assert!(!can_view_listing(None, UserId(1), &region, false));
        assert!(can_view_listing(Some(&owner), UserId(1), &region, false));
        assert!(!can_view_listing(
            Some(&stranger),
            UserId(1),
            &region,
            false
        ));
        let staff = |region: &str| Actor {
            id: UserId(3),
            ..actor(Role::Staff, region)
        };
        assert!(can_view_listing(
            Some(&staff("5116")),
            UserId(1),
            &region,
            false
        ));
        assert!(!can_view_listing(
            Some(&staff("5110")),
            UserId(1),
            &region,
            false
        ));
    }

    #[test]
    fn narrowing_keeps_requests_inside_the_scope() {
        let scope = RegionScope::Subtree(code("5116"));
        assert_eq!(scope.narrow(None), Some(scope.clone()));
        assert_eq!(
            scope.narrow(Some(&code("511623"))),
            Some(RegionScope::Subtree(code("511623")))
        );
        assert_eq!(scope.narrow(Some(&code("5101"))), None);
        assert_eq!(scope.narrow(Some(&code("51"))), None);
    }
}
