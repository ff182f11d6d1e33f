//! 指标体系: kept by the province's administrators, one immutable version per save.

pub mod api;
pub mod model;
pub mod pages;
pub mod store;
pub mod validate;

use tianfu_domain::Role;

use crate::platform::auth::Actor;

/// The province's administrators: the platform's administrators and the province's own staff.
pub fn may_keep(actor: &Actor) -> bool {
    actor.role == Role::Admin
        || (actor.role == Role::Staff
            && actor.region.as_str() == crate::performance::scores::service::PROVINCE)
}
