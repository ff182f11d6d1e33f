//! 科创会 (科创中国·天府科技云服务大会): the province's yearly fair, built on the market, the
//! nanny service and the ledger. An edition (届) runs 征集 → 遴选 → 会期 → 签约 → 跟踪 by its dates.
//!
//! - `store`: editions' and projects' SQL, shared by every part.
//! - `editions`: configuring an edition (dates, criteria, quotas) — province administrators.
//! - `projects`: collection — a published listing entered by its owner or nominated by staff.
//! - `review`: reviewers, assignment by field and load without conflicts, scores, the trimmed
//!   mean, ranking and selection within quotas, the province's major projects.
//! - `sessions`: the "1+3+4+22+N" programme with capacity-bound registration and check-in.
//! - `halls`: one 云展厅 per city, interest that becomes an inquiry, 1:1 meetings that expire.
//! - `signing`: deals signed at the fair, the collective-signing list and its totals.
//! - `after`: follow-up tickets for selected projects and the six-month outcomes.
//! - `stats`: the edition's figures, report page and Excel export.

pub mod after;
pub mod bench;
pub mod editions;
pub mod halls;
pub mod projects;
pub mod review;
pub mod sessions;
pub mod signing;
pub mod stats;
pub mod store;

use axum::Router;
use tianfu_domain::Role;

use crate::AppState;
use crate::platform::auth::Actor;

/// Province's own code: its staff and administrators organise the fair.
pub const PROVINCE: &str = "51";

/// May the actor configure editions, run selection and pick major projects? Administrators and
/// the province's staff.
pub fn organiser(actor: &Actor) -> bool {
    actor.role == Role::Admin || (actor.role == Role::Staff && actor.region.as_str() == PROVINCE)
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(editions::routes())
        .merge(projects::routes())
        .merge(review::routes())
        .merge(sessions::routes())
        .merge(halls::routes())
        .merge(signing::routes())
        .merge(after::routes())
        .merge(stats::routes())
}

pub fn api_doc() -> utoipa::openapi::OpenApi {
    let mut doc = editions::api_doc();
    for part in [
        projects::api_doc(),
        review::api_doc(),
        sessions::api_doc(),
        halls::api_doc(),
        signing::api_doc(),
        after::api_doc(),
        stats::api_doc(),
    ] {
        doc.merge(part);
    }
    doc
}

/// The halls (云展厅) of an edition: one per city of the province, then the province's own
/// institutions ('51'), as (code, name).
pub fn halls(regions: &crate::regions::RegionTree) -> Vec<(String, String)> {
    let province = tianfu_domain::RegionCode::parse(PROVINCE).expect("valid");
    let mut halls: Vec<(String, String)> = regions
        .children(Some(&province))
        .into_iter()
        .map(|r| (r.code.as_str().to_owned(), r.name.clone()))
        .collect();
    halls.push((PROVINCE.to_owned(), "省直单位".to_owned()));
    halls
}

/// A hall's name: its city's, or 省直单位.
pub fn hall_name(regions: &crate::regions::RegionTree, code: &str) -> String {
    if code == PROVINCE {
        "省直单位".to_owned()
    } else {
        regions
            .find(code)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| code.to_owned())
    }
}
