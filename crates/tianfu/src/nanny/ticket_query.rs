//! Which tickets a request asks for (`TicketQuery`) and may see (`filter_for`): the ticket
//! list of the API, the staff's queue page and the nanny report read it the same way.

use serde::Deserialize;
use tianfu_domain::{RegionCode, TicketKind, TicketStatus};
use utoipa::IntoParams;

use super::store::TicketFilter;
use crate::platform::error::AppError;
use crate::platform::openapi::{wire_enum, wire_names};
use crate::platform::scope::{self, RegionScope};

wire_enum!(
    /// A ticket kind to filter by; empty means all.
    TicketKindFilter,
    wire_names(TicketKind::ALL, TicketKind::as_str, true)
);
wire_enum!(
    /// A ticket status to filter by; empty means both.
    TicketStatusFilter,
    wire_names(TicketStatus::ALL, TicketStatus::as_str, true)
);
wire_enum!(
    /// `today` (今日到期), or empty for any due date.
    DueFilter,
    vec![String::new(), "today".to_owned()]
);
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// Only tickets assigned to me.
    pub mine: Option<bool>,
    /// person, need or fair.
    #[param(value_type = Option<TicketKindFilter>)]
    pub kind: Option<String>,
    /// open or closed.
    #[param(value_type = Option<TicketStatusFilter>)]
    pub status: Option<String>,
    /// A region inside my scope.
    #[param(value_type = Option<crate::platform::openapi::RegionCodeFormat>)]
    pub region_code: Option<String>,
    /// Only tickets with an overdue step.
    pub overdue: Option<bool>,
    /// Only tickets escalated to a higher level.
    pub escalated: Option<bool>,
    /// Words in the subject, the served person's name or phone (e.g. the phone's last digits).
    #[param(max_length = 30)]
    pub q: Option<String>,
    /// `today`: open tickets whose next step falls due today (Beijing time).
    #[param(value_type = Option<DueFilter>)]
    pub due: Option<String>,
    /// Only my open tickets handed to me in the last 24 hours or not yet opened (新分派).
    pub fresh: Option<bool>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 2147483647)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<u32>,
}

/// Turns a query into a filter inside the actor's scope; a region outside it is refused.
pub async fn filter_for(
    app: &crate::App,
    actor: &crate::platform::auth::Actor,
    query: &TicketQuery,
    ip: Option<&str>,
) -> Result<TicketFilter, AppError> {
    let own = scope::staff_scope(actor).unwrap_or(RegionScope::Subtree(actor.region.clone()));
    let requested = match query
        .region_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        Some(code) => Some(
            RegionCode::parse(code)
                .map_err(|e| AppError::validation("region_code", e.to_string()))?,
        ),
        None => None,
    };
    let narrowed = own.narrow(requested.as_ref());
    scope::ensure(app, actor, narrowed.is_some(), "tickets:list", ip).await?;
    let kind = match query
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        Some(k) => Some(
            TicketKind::parse(k)
                .map_err(|e| AppError::validation("kind", e))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => Some(
            tianfu_domain::TicketStatus::parse(s)
                .map_err(|e| AppError::validation("status", e))?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    Ok(TicketFilter {
        scope: narrowed,
        // Administrators see every department's tickets; staff their own department's.
        department: (actor.role != tianfu_domain::Role::Admin).then(|| {
            actor
                .department
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default()
        }),
        // 新分派 is always about my own tickets.
        assignee: (query.mine.unwrap_or(false) || query.fresh.unwrap_or(false))
            .then_some(actor.id.0),
        served: None,
        kind,
        status,
        overdue_only: query.overdue.unwrap_or(false),
        escalated_only: query.escalated.unwrap_or(false),
        due_between: match query.due.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("today") => Some(super::desk::today_bounds(app.clock.now())),
            Some(_) => {
                return Err(AppError::validation(
                    "due",
                    "到期筛选只能是 today（今日到期）",
                ));
            }
        },
        fresh_since: query
            .fresh
            .unwrap_or(false)
            .then(|| super::desk::fresh_since(app.clock.now())),
        search: super::desk::search_pattern(query.q.as_deref())?,
    })
}
