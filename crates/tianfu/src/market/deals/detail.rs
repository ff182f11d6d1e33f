//! One deal, `/me/deals/{id}`: where it stands (意向 → 洽谈 → 签约 → 履约 → 完成), what it says,
//! its contract file, the moves its party may make, and the links to what it grew from and what
//! follows it: the conversation, the listings and the nanny tickets.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use chrono::Duration;
use tianfu_domain::{DealStage, ListingKind, Party};

use super::api::DealView;
use super::pages::{Move, moves};
use super::service::{self, UNDO_MINUTES};
use super::store::DealRow;
use crate::market::integrity::contracts::{self, ContractView};
use crate::platform::auth::{Actor, ClientIp, PageUser};
use crate::platform::clock::shanghai;
use crate::platform::done::DoneQuery;
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::{App, AppState, on_db};

/// One stage of the progress bar.
pub struct Step {
    pub label: &'static str,
    /// done, current or todo.
    pub state: &'static str,
}

/// The bar for a stage: the stages passed, the current one, those to come. A terminated deal
/// shows the stages it reached.
pub fn progress(stage: DealStage, terminated_from: Option<DealStage>) -> Vec<Step> {
    const PATH: [DealStage; 5] = [
        DealStage::Intent,
        DealStage::Negotiating,
        DealStage::Signed,
        DealStage::Performing,
        DealStage::Completed,
    ];
    let reached = if stage == DealStage::Terminated {
        terminated_from
    } else {
        Some(stage)
    };
    let at = reached.and_then(|s| PATH.iter().position(|p| *p == s));
    PATH.iter()
        .enumerate()
        .map(|(i, s)| Step {
            label: s.label(),
            state: match at {
                Some(at) if i < at => "done",
                Some(at) if i == at && stage == DealStage::Completed => "done",
                Some(at) if i == at => "current",
                _ => "todo",
            },
        })
        .collect()
}

pub struct Link {
    pub href: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "deals/detail.html")]
pub struct DetailPage {
    me: Option<Actor>,
    deal: DealView,
    role: &'static str,
    steps: Vec<Step>,
    moves: Vec<Move>,
    waiting_for_other: bool,
    listings: Vec<Link>,
    tickets: Vec<TicketLine>,
    contract: Option<ContractView>,
    can_upload: bool,
    can_undo: bool,
    updated: String,
    /// What the last action did (`?done=`, a `platform::done::Done`).
    done: Option<String>,
    error: Option<String>,
}

pub struct TicketLine {
    pub href: String,
    pub label: String,
    pub nanny: Option<(String, String)>,
}

async fn tickets(app: &App, actor: &Actor, deal: &DealRow) -> Result<Vec<TicketLine>, AppError> {
    // The need's 一单一策, and the parties' tickets this deal closed.
    type Row = (
        i64,
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT t.id, t.served_id, t.kind, t.status, t.title, a.name, a.phone FROM tickets t LEFT JOIN users a ON a.id = t.assignee_id \
         WHERE t.kind = 'need' AND t.subject_id = $1 \
         UNION SELECT t.id, t.served_id, t.kind, t.status, t.title, a.name, a.phone FROM tickets t LEFT JOIN users a ON a.id = t.assignee_id \
         WHERE t.served_id IN ($2, $3) AND t.deal_id = $4 ORDER BY 1")
        .bind(deal.need_id).bind(deal.buyer_id).bind(deal.seller_id).bind(deal.id)
        .fetch_all(pool).await)?;
    let party = deal.is_party(actor.id);
    Ok(rows
        .into_iter()
        // A party sees the service it receives; staff see every ticket.
        .filter(|row| !party || row.1 == actor.id.0)
        .map(|(id, _, kind, status, subject, name, phone)| {
            let what = match kind.as_str() {
                "need" => "一单一策",
                "person" => "一人一策",
                _ => "一项一策",
            };
            let state = if status == "open" {
                "跟进中"
            } else {
                "已办结"
            };
            TicketLine {
                // The served see their own service page; staff open the ticket.
                href: if party {
                    "/me/nanny".to_owned()
                } else {
                    format!("/admin/tickets/{id}")
                },
                label: format!("保姆服务单 #{id}（{what}：{subject}）· {state}"),
                nanny: name.zip(phone),
            }
        })
        .collect())
}

pub async fn page(
    app: &AppState,
    actor: Actor,
    id: i64,
    ip: Option<&str>,
    done: Option<String>,
    error: Option<String>,
) -> Result<DetailPage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let row = service::visible(app, &actor, id, ip).await.map_err(fail)?;
    let party = if row.buyer_id == actor.id.0 {
        Some(Party::Buyer)
    } else if row.seller_id == actor.id.0 {
        Some(Party::Seller)
    } else {
        None
    };
    let stage = DealStage::parse(&row.stage).unwrap_or(DealStage::Intent);
    let from = row
        .terminated_from
        .as_deref()
        .and_then(|s| DealStage::parse(s).ok());
    let now = app.clock.now();
    let can_undo = stage == DealStage::Terminated
        && row.terminated_by == Some(actor.id.0)
        && matches!(from, Some(DealStage::Intent | DealStage::Negotiating))
        && row
            .terminated_at
            .is_some_and(|at| now - at < Duration::minutes(UNDO_MINUTES));
    let mut listings = Vec::new();
    for (kind, id) in [
        (ListingKind::Need, row.need_id),
        (ListingKind::Offer, row.offer_id),
        (ListingKind::Achievement, row.achievement_id),
    ] {
        let Some(id) = id else { continue };
        let title = crate::market::store::find(&app.db, id)
            .await
            .map_err(|e| fail(e.into()))?
            .map(|l| l.title)
            .unwrap_or_default();
        listings.push(Link {
            href: format!("/{}s/{id}", kind.as_str()),
            label: format!("{}：{title}", kind.label()),
        });
    }
    let tickets = tickets(app, &actor, &row).await.map_err(fail)?;
    let contract = contracts::latest(&app.db, row.id).await.map_err(fail)?;
    let signed_by_me = match party {
        Some(Party::Buyer) => row.buyer_signed,
        Some(Party::Seller) => row.seller_signed,
        None => false,
    };
    Ok(DetailPage {
        role: match party {
            Some(Party::Buyer) => "需求方",
            Some(Party::Seller) => "供给方",
            None => "工作人员",
        },
        steps: progress(stage, from),
        moves: party.map(|p| moves(&row, p)).unwrap_or_default(),
        waiting_for_other: signed_by_me && row.stage == "negotiating",
        can_upload: party.is_some() && stage != DealStage::Terminated,
        can_undo,
        updated: shanghai(row.updated_at),
        listings,
        tickets,
        contract,
        done,
        error,
        me: Some(actor),
        deal: row.into(),
    })
}

pub async fn detail(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    Query(done): Query<DoneQuery>,
) -> Result<DetailPage, PageError> {
    page(&app, actor, id, ip.as_deref(), done.message(), None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states(stage: DealStage, from: Option<DealStage>) -> Vec<&'static str> {
        progress(stage, from).into_iter().map(|s| s.state).collect()
    }

    #[test]
    fn the_bar_shows_where_a_deal_stands() {
        assert_eq!(
            states(DealStage::Intent, None),
            ["current", "todo", "todo", "todo", "todo"]
        );
        assert_eq!(
            states(DealStage::Signed, None),
            ["done", "done", "current", "todo", "todo"]
        );
        assert_eq!(states(DealStage::Completed, None), ["done"; 5]);
        assert_eq!(
            states(DealStage::Terminated, Some(DealStage::Negotiating)),
            ["done", "current", "todo", "todo", "todo"]
        );
    }
}
