//! The ticket list (/admin/tickets): my tickets or my region's, searchable by the subject, the
//! served person's name and phone (`q=`), filtered in one compact row (今日到期, 逾期, 新分派,
//! kind, status, region), each ticket with a countdown to its next step and inline actions
//! (complete the current step, log a quick follow-up) that come back here with a message.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use tianfu_domain::{Channel, TicketKind, TicketStatus};

use super::desk;
use super::store;
use super::ticket_page::{Choice, choices};
use super::ticket_query::{TicketQuery, filter_for};
use super::view::TicketView;
use super::workbench::{DoneQuery, done_message};
use crate::AppState;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager, url_encode};
use crate::platform::scope::{RegionScope, staff_scope};
use crate::staff::pages::{RegionOption, region_options};

/// A listed ticket with its current step (the one 完成此步 completes).
pub struct ListLine {
    pub t: TicketView,
    pub step_id: i64,
    pub step_name: String,
    /// late, today or empty: how the countdown is coloured.
    pub urgency: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "nanny/list.html")]
pub struct ListPage {
    me: Option<Actor>,
    mine: bool,
    scope_name: String,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    regions: Vec<RegionOption>,
    overdue: bool,
    escalated: bool,
    due_today: bool,
    fresh: bool,
    q: String,
    lines: Vec<ListLine>,
    channels: &'static [Channel],
    pager: Pager,
    pager_base: String,
    /// This list's filters as a query string, carried by the inline forms to come back here.
    back: String,
    notice: Option<String>,
    /// Any filter beyond 我的/辖区 is set (the filter row starts open on a phone).
    filtered: bool,
}

pub async fn list(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(query): Query<TicketQuery>,
    Query(done): Query<DoneQuery>,
) -> Result<ListPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let filter = filter_for(&app, &actor, &query, ip.as_deref())
        .await
        .map_err(page_error)?;
    let paging = Paging::fixed(query.page, 30);
    let (rows, total) = store::list(&app.db, &filter, paging)
        .await
        .map_err(|e| page_error(e.into()))?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut steps = desk::current_steps(&app, &ids)
        .await
        .map_err(|e| page_error(e.into()))?;
    let lines = rows
        .into_iter()
        .map(|r| {
            let (step_id, step_name) = steps
                .remove(&r.id)
                .map_or((0, String::new()), |s| (s.id, s.name));
            let t = TicketView::new(&app, r);
            let urgency = match t.countdown.as_deref() {
                Some(c) if t.overdue || c.contains("逾期") => "late",
                Some("今日到期") => "today",
                _ => "",
            };
            ListLine {
                t,
                step_id,
                step_name,
                urgency,
            }
        })
        .collect();
    let scope = staff_scope(&actor).unwrap_or(RegionScope::All);
    let mine = query.mine.unwrap_or(false);
    let kind = query.kind.clone().unwrap_or_default();
    let status = query.status.clone().unwrap_or_default();
    let region = query.region_code.clone().unwrap_or_default();
    let overdue = query.overdue.unwrap_or(false);
    let escalated = query.escalated.unwrap_or(false);
    let due_today = query.due.as_deref() == Some("today");
    let fresh = query.fresh.unwrap_or(false);
    let q = query.q.clone().unwrap_or_default().trim().to_owned();
    let back = format!(
        "mine={mine}&kind={}&status={}&region_code={}&overdue={overdue}&escalated={escalated}&fresh={fresh}&q={}{}",
        url_encode(&kind),
        url_encode(&status),
        url_encode(&region),
        url_encode(&q),
        if due_today { "&due=today" } else { "" },
    );
    let notice = done_message(&app, &actor, &done).await;
    Ok(ListPage {
        scope_name: scope.name(&app.regions),
        kinds: choices(
            TicketKind::ALL,
            &kind,
            TicketKind::as_str,
            TicketKind::label,
        ),
        statuses: choices(
            TicketStatus::ALL,
            &status,
            TicketStatus::as_str,
            TicketStatus::label,
        ),
        regions: region_options(&app, &scope, true, &region),
        filtered: !kind.is_empty() || !status.is_empty() || !region.is_empty() || escalated,
        lines,
        channels: Channel::ALL,
        pager: Pager::of(&paging, total),
        pager_base: format!("/admin/tickets?{back}&"),
        me: Some(actor),
        mine,
        overdue,
        escalated,
        due_today,
        fresh,
        q,
        back,
        notice,
    })
}
