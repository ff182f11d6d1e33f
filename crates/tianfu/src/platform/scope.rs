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

use tianfu_domain::{RegionCode, Role, UserId};

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

/// May the actor create a staff account for `region`?
pub fn can_create_staff_in(actor: &Actor, region: &RegionCode) -> bool {
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
