//! Demo tickets: every demo scientist and published need gets its ticket (as the clock's sweep
//! would), needs already signed are closed by their deal, and a share of tickets carry the
//! follow-ups and finished steps of a nanny at work.

use tianfu_domain::UserId;
use tianfu_domain::ticket::validate_followup;

use crate::nanny::store;
use crate::platform::api::Paging;
use crate::{App, on_db};

const NOTES: &[(&str, &str, &str)] = &[
    (
        "phone",
        "电话联系，了解目前的主要困难和期望的合作方式。",
        "已建立联系，约定下周上门",
    ),
    (
        "visit",
        "上门走访，查看生产现场，梳理出两项关键技术问题。",
        "形成需求诊断意见",
    ),
    (
        "online",
        "通过平台推送三位匹配专家的介绍，对方表示有兴趣。",
        "推荐专家三名",
    ),
    (
        "meeting",
        "组织专家与企业座谈，双方就合作方式初步达成一致。",
        "进入洽谈",
    ),
];

pub struct NannyReport {
    pub opened: usize,
    pub followups: usize,
    pub closed_by_deal: u64,
}

pub async fn load(app: &App) -> anyhow::Result<NannyReport> {
    // The followers of the ledger open every demo scientist's and need's ticket and close
    // those that a signed deal answers, as they do for a server.
    crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let opened = usize::try_from(ticket_count(app).await?).unwrap_or(0);
    let closed_by_deal: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE outcome = 'deal'").fetch_one(pool).await
    })?;
    let closed_by_deal = u64::try_from(closed_by_deal).unwrap_or(0);
    let now = app.clock.now();
    let filter = store::TicketFilter {
        status: Some("open".into()),
        ..Default::default()
    };
    let (tickets, _) = store::list(
        &app.db,
        &filter,
        Paging {
            page: None,
            per_page: Some(100),
        },
    )
    .await?;
    let mut followups = 0;
    for (i, ticket) in tickets.iter().enumerate().filter(|(i, _)| i % 3 != 2) {
        let Some(nanny) = ticket.assignee_id else {
            continue;
        };
        let count = 1 + i % NOTES.len();
        for (channel, note, outcome) in NOTES.iter().take(count) {
            let followup = validate_followup(channel, note, Some(outcome))
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let logged =
                store::add_followup(&app.db, ticket, UserId(nanny), &followup, &[], now).await?;
            followups += usize::from(logged.is_ok());
        }
        if let Some(first) = store::steps(&app.db, ticket.id).await?.first() {
            // The demo's tickets are open; one closed meanwhile keeps its steps as they were.
            let _ = store::complete_step(&app.db, ticket.id, first, UserId(nanny), now).await?;
        }
    }
    Ok(NannyReport {
        opened,
        followups,
        closed_by_deal,
    })
}

async fn ticket_count(app: &App) -> Result<i64, sqlx::Error> {
    on_db!(&app.db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(pool).await)
}
