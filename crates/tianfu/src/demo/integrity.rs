//! The demo's figures that resist gaming: an organisation that bulk-posted near-identical needs
//! (the later ones held for review), one large deal awaiting verification and one verified.

use anyhow::{Context, anyhow};
use tianfu_domain::ListingKind;

use super::market::user;
use crate::App;
use crate::market::deals::{service as deals, store as deal_store};
use crate::market::integrity::{contracts, service as integrity};
use crate::market::listing::{NeedRequest, validate_need};
use crate::market::service as listings;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;

pub struct IntegrityReport {
    pub held: usize,
    pub awaiting_fen: i64,
}

fn failed(what: &str) -> impl Fn(AppError) -> anyhow::Error + '_ {
    move |e| anyhow!("demo integrity {what}: {e} {:?}", e.fields())
}

async fn post_need(app: &App, owner: &Actor, batch: usize) -> anyhow::Result<i64> {
    let today = crate::platform::clock::shanghai_date(app.clock.now());
    let deadline = (today + chrono::Duration::days(120)).to_string();
    let request = NeedRequest {
        title: Some(format!("求购肉牛育肥饲料配方（第{batch}批）")),
        description: Some(
            "我公司在资中县养殖肉牛三百头，育肥期增重慢、饲料成本高，寻求饲料配方优化和上门指导服务"
                .into(),
        ),
        kind: Some("problem".into()),
        industry: Some("A03".into()),
        keywords: Some(vec!["肉牛".into(), "饲料配方".into()]),
        budget_fen: Some(3_000_000),
        deadline: Some(deadline),
        contact_pref: Some("平台洽谈".into()),
        status: None,
    };
    let listing = validate_need(&request, today).map_err(|e| anyhow!("demo need: {e:?}"))?;
    listings::submit(app, owner, &listing, None)
        .await
        .map_err(failed("need"))
}

/// A large deal on `need`, signed by both sides, its contract uploaded by the seller.
async fn large_deal(
    app: &App,
    buyer: &Actor,
    seller: &Actor,
    need: i64,
    amount_fen: i64,
) -> anyhow::Result<i64> {
    let input = deals::DealInput {
        need_id: Some(need),
        offer_id: None,
        achievement_id: None,
        inquiry_id: None,
        contract_type: "development".into(),
        amount_fen: Some(amount_fen),
        fair_id: None,
        fair_session_id: None,
        terms: Default::default(),
    };
    let deal = deals::create(app, seller, input)
        .await
        .map_err(failed("deal"))?;
    for (actor, to) in [
        (buyer, "negotiating"),
        (buyer, "signed"),
        (seller, "signed"),
    ] {
        let row = deal_store::find(&app.db, deal).await?.context("deal")?;
        deals::transition(app, actor, &row, to, None)
            .await
            .map_err(failed("deal stage"))?;
    }
    contracts::store(app, deal, seller.id.0, b"%PDF-1.4\n% demo contract\n")
        .await
        .map_err(failed("contract"))?;
    Ok(deal)
}

pub async fn load(app: &App) -> anyhow::Result<IntegrityReport> {
    let poster = user(app, "15100000003").await?;
    let scientist = user(app, "15000000002").await?;
    let province = user(app, "13900000002").await?;
    let mut ids = Vec::new();
    for batch in 1..=4 {
        ids.push(post_need(app, &poster, batch).await?);
    }
    // The first is an ordinary need: approved; the copies after it wait, held.
    listings::decide(
        app,
        &province,
        ListingKind::Need,
        ids[0],
        "approve",
        None,
        None,
    )
    .await
    .map_err(failed("approve"))?;
    let verified = large_deal(app, &poster, &scientist, ids[0], 12_000_000_000).await?;
    integrity::decide_deal(app, &province, verified, "verify", None, None)
        .await
        .map_err(failed("verify"))?;
    large_deal(app, &poster, &scientist, ids[0], 8_000_000_000).await?;
    Ok(IntegrityReport {
        held: ids.len() - 1,
        awaiting_fen: 8_000_000_000,
    })
}
