//! The demo market: studios, capabilities, achievements and needs from [`super::catalog`],
//! published through the same acts a person would use (submit, staff approval), then inquiries
//! and deals at every stage, so that the ledger and the search index hold real records.

use anyhow::{Context, anyhow};
use tianfu_domain::{ListingKind, UserId};

use super::catalog::{ACHIEVEMENTS, NEEDS, OFFERS};
use crate::App;
use crate::accounts;
use crate::market::deals::{service as deals, store as deal_store};
use crate::market::inquiries::{service as inquiries, store as inquiry_store};
use crate::market::listing::{
    AchievementRequest, NeedRequest, OfferRequest, validate_achievement, validate_need,
    validate_offer,
};
use crate::market::service as listings;
use crate::market::studios::store::{self as studios, NewStudio};
use crate::platform::auth::{Actor, actor_by_id};
use crate::platform::error::AppError;

/// How many listings of each kind are left waiting, so that the review queue is not empty.
const LEFT_PENDING: usize = 2;

pub struct MarketReport {
    pub studios: usize,
    pub published: usize,
    pub pending: usize,
    pub inquiries: usize,
    pub deals: usize,
}

fn failed(what: &str) -> impl Fn(AppError) -> anyhow::Error + '_ {
    move |e| {
        anyhow!(
            "demo {what}: {e} {:?} {:?}",
            e.fields(),
            std::error::Error::source(&e)
        )
    }
}

/// The demo account with this phone, as an actor.
pub(super) async fn user(app: &App, phone: &str) -> anyhow::Result<Actor> {
    let id = accounts::store::credentials_by_phone(&app.db, phone)
        .await?
        .with_context(|| format!("demo user {phone} is missing"))?
        .id;
    actor_by_id(&app.db, UserId(id))
        .await
        .map_err(failed("user"))?
        .context("demo user vanished")
}

fn scientist_phone(n: usize) -> String {
    format!("150{n:08}")
}

fn organisation_phone(n: usize) -> String {
    format!("151{n:08}")
}

fn words(list: &str) -> Option<Vec<String>> {
    let words: Vec<String> = list
        .split(',')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    (!words.is_empty()).then_some(words)
}

fn fen(yuan: i64) -> Option<i64> {
    (yuan > 0).then_some(yuan * 100)
}

/// Opens the owner's studio; the administrator approves it unless it is left waiting in the
/// studio review queue (科创工作室审核) for the demo.
async fn open_studio(
    app: &App,
    admin: &Actor,
    owner: &Actor,
    industry: &str,
    approve: bool,
) -> anyhow::Result<()> {
    let field = tianfu_domain::Industry::label_for(industry);
    let studio = NewStudio {
        name: format!("{}科创工作室", owner.name),
        intro: format!(
            "{}领域的科技工作者团队，扎根基层，为企业和农户解决实际技术问题。",
            field
        ),
        fields: vec![field],
        members: vec![(owner.name.clone(), "首席专家".into())],
    };
    let id = studios::open(&app.db, owner.id, &owner.region, &studio, app.clock.now())
        .await
        .map_err(failed("studio"))?;
    if approve {
        let row = studios::find(&app.db, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("studio {id} just opened"))?;
        crate::market::studios::review::approve(
            &app.db,
            &row,
            row.revision,
            admin.id,
            app.clock.now(),
        )
        .await?;
    }
    Ok(())
}

/// A published listing and who owns it.
struct Listed {
    published: bool,
    owner: Actor,
    id: i64,
    industry: &'static str,
    service_type: &'static str,
    price: i64,
}

pub async fn load(app: &App, admin: &Actor) -> anyhow::Result<MarketReport> {
    let mut report = MarketReport {
        studios: 0,
        published: 0,
        pending: 0,
        inquiries: 0,
        deals: 0,
    };
    crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
        .await
        .map_err(failed("followers"))?;
    let acts = OFFERS.len() + ACHIEVEMENTS.len() + 2 * NEEDS.len() + 1;
    let mut past = Past::start(app, acts);
    let mut offers = Vec::new();
    for (n, &(industry, service_type, title, description, keywords, price)) in
        OFFERS.iter().enumerate()
    {
        let owner = user(app, &scientist_phone(n + 1)).await?;
        if n % 2 == 0 {
            // The last one waits for review.
            let approve = n + 2 < OFFERS.len();
            open_studio(app, admin, &owner, industry, approve).await?;
            report.studios += 1;
        }
        let request = OfferRequest {
            title: Some(title.into()),
            description: Some(format!("<p>{description}</p>")),
            service_type: Some(service_type.into()),
            industry: Some(industry.into()),
            keywords: words(keywords),
            price_fen: fen(price),
            service_area: Some("四川省内".into()),
            status: None,
        };
        let listing = validate_offer(&request).map_err(|e| anyhow!("demo offer {title}: {e:?}"))?;
        let id = listings::submit(app, &owner, &listing, None)
            .await
            .map_err(failed("offer"))?;
        let published = past
            .review(app, admin, ListingKind::Offer, id, n, &mut report)
            .await?;
        offers.push(Listed {
            published,
            owner,
            id,
            industry,
            service_type,
            price,
        });
    }
    let mut achievements = Vec::new();
    for (n, &(industry, kind, patent_no, maturity, mode, title, description, keywords, price)) in
        ACHIEVEMENTS.iter().enumerate()
    {
        let owner = user(app, &scientist_phone(OFFERS.len() + n + 1)).await?;
        let request = AchievementRequest {
            title: Some(title.into()),
            description: Some(format!("<p>{description}</p>")),
            kind: Some(kind.into()),
            patent_no: (!patent_no.is_empty()).then(|| patent_no.into()),
            maturity: Some(maturity.into()),
            transfer_mode: Some(mode.into()),
            industry: Some(industry.into()),
            keywords: words(keywords),
            price_fen: fen(price),
            status: None,
        };
        let listing = validate_achievement(&request)
            .map_err(|e| anyhow!("demo achievement {title}: {e:?}"))?;
        let id = listings::submit(app, &owner, &listing, None)
            .await
            .map_err(failed("achievement"))?;
        let published = past
            .review(app, admin, ListingKind::Achievement, id, n, &mut report)
            .await?;
        achievements.push(Listed {
            published,
            owner,
            id,
            industry,
            service_type: "transfer",
            price,
        });
    }
    let today = crate::platform::clock::shanghai_date(app.clock.now());
    // Open for another three months from the real today, however long ago the need was posted.
    let deadline = (today + past.remaining() + chrono::Duration::days(90)).to_string();
    let mut needs = Vec::new();
    for (n, &(industry, kind, title, description, keywords, budget)) in NEEDS.iter().enumerate() {
        let owner = user(app, &organisation_phone(n + 1)).await?;
        let request = NeedRequest {
            title: Some(title.into()),
            description: Some(description.into()),
            kind: Some(kind.into()),
            industry: Some(industry.into()),
            keywords: words(keywords),
            budget_fen: fen(budget),
            deadline: Some(deadline.clone()),
            contact_pref: Some("平台洽谈".into()),
            status: None,
        };
        let listing =
            validate_need(&request, today).map_err(|e| anyhow!("demo need {title}: {e:?}"))?;
        let id = listings::submit(app, &owner, &listing, None)
            .await
            .map_err(failed("need"))?;
        let published = past
            .review(app, admin, ListingKind::Need, id, n, &mut report)
            .await?;
        needs.push(Listed {
            published,
            owner,
            id,
            industry,
            service_type: kind,
            price: budget,
        });
    }
    // The listings left waiting are the ones the queue shows; those published answer needs.
    for listed in [&mut offers, &mut achievements, &mut needs] {
        listed.retain(|l| l.published);
    }

    // Each published need talks to the first capability of its industry; some talks become
    // deals at every stage, and one achievement is transferred.
    let mut deal_number = 0;
    for need in &needs {
        past.step(app).await?;
        let Some(offer) = offers.iter().find(|o| o.industry == need.industry) else {
            continue;
        };
        let message = "您好，我们在平台上看到贵团队的技术，想进一步了解服务方式和费用。";
        let inquiry = inquiries::open(app, &need.owner, ListingKind::Offer, offer.id, message)
            .await
            .map_err(failed("inquiry"))?;
        let row = inquiry_store::find(&app.db, inquiry)
            .await?
            .context("inquiry")?;
        inquiry_store::reply(
            &app.db,
            &row,
            offer.owner.id,
            "感谢关注！可以先安排一次线上沟通，了解具体情况后给出方案。",
            app.clock.now(),
        )
        .await?;
        report.inquiries += 1;
        deal_number += 1;
        if deal_number % 3 == 0 {
            continue; // not every talk ends in a deal
        }
        let stages: &[(&Actor, &str)] = match deal_number % 4 {
            0 => &[],
            1 => &[(&need.owner, "negotiating")],
            2 => &[
                (&need.owner, "negotiating"),
                (&need.owner, "signed"),
                (&offer.owner, "signed"),
            ],
            _ => &[
                (&need.owner, "negotiating"),
                (&need.owner, "signed"),
                (&offer.owner, "signed"),
                (&offer.owner, "performing"),
                (&need.owner, "completed"),
            ],
        };
        let amount = if need.price > 0 {
            need.price
        } else {
            offer.price.max(50_000)
        };
        let input = deals::DealInput {
            need_id: Some(need.id),
            offer_id: Some(offer.id),
            achievement_id: None,
            inquiry_id: Some(inquiry),
            contract_type: offer.service_type.into(),
            amount_fen: Some(amount * 100),
            fair_id: None,
            fair_session_id: None,
            terms: deals::TermsInput {
                scope: Some(
                    "现场诊断、技术方案、实施指导与效果评估，按季度提交服务报告".to_owned(),
                ),
                ..Default::default()
            },
        };
        let deal = deals::create(app, &need.owner, input)
            .await
            .map_err(failed("deal"))?;
        advance(app, deal, stages).await?;
        report.deals += 1;
    }
    past.step(app).await?;
    if let Some(achievement) = achievements.first() {
        let buyer = user(app, &organisation_phone(NEEDS.len() + 1)).await?;
        let inquiry = inquiries::open(
            app,
            &buyer,
            ListingKind::Achievement,
            achievement.id,
            "我们有意受让该成果，想了解许可条件。",
        )
        .await
        .map_err(failed("inquiry"))?;
        report.inquiries += 1;
        let input = deals::DealInput {
            need_id: None,
            offer_id: None,
            achievement_id: Some(achievement.id),
            inquiry_id: Some(inquiry),
            contract_type: "transfer".into(),
            amount_fen: Some(achievement.price.max(100_000) * 100),
            fair_id: None,
            fair_session_id: None,
            terms: Default::default(),
        };
        let deal = deals::create(app, &buyer, input)
            .await
            .map_err(failed("deal"))?;
        let owner = &achievement.owner;
        advance(
            app,
            deal,
            &[
                (&buyer, "negotiating"),
                (&buyer, "signed"),
                (owner, "signed"),
                (owner, "performing"),
                (&buyer, "completed"),
            ],
        )
        .await?;
        report.deals += 1;
    }
    past.finish(app).await?;
    Ok(report)
}

/// The demo market's history: the clock starts most of a year back and moves forward one step per
/// act, the ledger's followers reacting as they would have then (tickets, recommendations,
/// figures), so that reports, trends and rankings have a shape on first start.
struct Past {
    step: chrono::Duration,
    remaining: chrono::Duration,
}

const PAST_DAYS: i64 = 330;

impl Past {
    /// Moves the clock back; the registrations before it have been followed up at the real now
    /// by the caller (their tickets open today, as a newly arrived nanny service would).
    fn start(app: &App, acts: usize) -> Past {
        let span = chrono::Duration::days(PAST_DAYS);
        app.clock.advance(-span);
        Past {
            step: span / i32::try_from(acts.max(1)).unwrap_or(i32::MAX),
            remaining: span,
        }
    }

    fn remaining(&self) -> chrono::Duration {
        self.remaining
    }

    async fn step(&mut self, app: &App) -> anyhow::Result<()> {
        crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
            .await
            .map_err(failed("followers"))?;
        let step = self.step.min(self.remaining);
        app.clock.advance(step);
        self.remaining -= step;
        Ok(())
    }

    /// Publishes the listing (all but the first few of each kind, left for the review queue),
    /// then moves on.
    async fn review(
        &mut self,
        app: &App,
        admin: &Actor,
        kind: ListingKind,
        id: i64,
        n: usize,
        report: &mut MarketReport,
    ) -> anyhow::Result<bool> {
        let publish = !(1..=LEFT_PENDING).contains(&n);
        if publish {
            listings::decide(app, admin, kind, id, "approve", None, None)
                .await
                .map_err(failed("review"))?;
            report.published += 1;
        } else {
            report.pending += 1;
        }
        self.step(app).await?;
        Ok(publish)
    }

    /// Back to the real now.
    async fn finish(self, app: &App) -> anyhow::Result<()> {
        app.clock.advance(self.remaining);
        crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
            .await
            .map_err(failed("followers"))?;
        Ok(())
    }
}

async fn advance(app: &App, deal: i64, stages: &[(&Actor, &str)]) -> anyhow::Result<()> {
    for (actor, to) in stages {
        let row = deal_store::find(&app.db, deal).await?.context("deal")?;
        deals::transition(app, actor, &row, to, None)
            .await
            .map_err(failed("deal stage"))?;
    }
    Ok(())
}
