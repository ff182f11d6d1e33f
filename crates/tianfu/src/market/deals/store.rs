use chrono::{DateTime, Utc};
use tianfu_domain::{DealStage, DealState, Fen, RegionCode, ServiceType, UserId};

use crate::ledger::{Event, EventKind};
use crate::market::integrity::store::{self as integrity, Booked};
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::Guarded;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DealRow {
    pub id: i64,
    pub need_id: Option<i64>,
    pub offer_id: Option<i64>,
    pub achievement_id: Option<i64>,
    pub inquiry_id: Option<i64>,
    pub buyer_id: i64,
    pub buyer_name: String,
    pub seller_id: i64,
    pub seller_name: String,
    pub contract_type: String,
    pub amount_fen: i64,
    pub stage: String,
    pub buyer_signed: bool,
    pub seller_signed: bool,
    pub region_code: String,
    /// The 科创会 edition it was made at, and the session (集中签约…) it was signed in.
    pub fair_id: Option<i64>,
    pub fair_session_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub scope: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub terminated_from: Option<String>,
    pub terminated_by: Option<i64>,
    pub terminated_at: Option<DateTime<Utc>>,
    pub undone_terminations: i64,
}

/// What a deal says beyond its kind and amount.
#[derive(Debug, Clone, Default)]
pub struct Terms {
    pub scope: Option<String>,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
}

impl DealRow {
    /// The ledger source every event of a deal made at a fair carries: `fair:<edition>`.
    pub fn fair_source(&self) -> Option<String> {
        self.fair_id.map(fair_source)
    }

    pub fn state(&self) -> Option<DealState> {
        Some(DealState {
            stage: DealStage::parse(&self.stage).ok()?,
            buyer_signed: self.buyer_signed,
            seller_signed: self.seller_signed,
        })
    }

    pub fn is_party(&self, user: UserId) -> bool {
        self.buyer_id == user.0 || self.seller_id == user.0
    }
}

macro_rules! deal_select {
    () => {
        "SELECT d.id, d.need_id, d.offer_id, d.achievement_id, d.inquiry_id, d.buyer_id, b.name AS buyer_name, d.seller_id, \
         s.name AS seller_name, d.contract_type, d.amount_fen, d.stage, d.buyer_signed, d.seller_signed, d.region_code, \
         d.fair_id, d.fair_session_id, d.created_at, d.updated_at, d.scope, d.starts_on, d.ends_on, \
         d.terminated_from, d.terminated_by, d.terminated_at, d.undone_terminations FROM deals d JOIN users b ON b.id = d.buyer_id JOIN users s ON s.id = d.seller_id "
    };
}

pub struct NewDeal {
    pub need_id: Option<i64>,
    pub offer_id: Option<i64>,
    pub achievement_id: Option<i64>,
    pub inquiry_id: Option<i64>,
    pub buyer: i64,
    pub seller: i64,
    pub contract_type: ServiceType,
    pub amount: Fen,
    pub region: RegionCode,
    pub title: String,
    /// Made at this 科创会 edition (and session).
    pub fair_id: Option<i64>,
    pub fair_session_id: Option<i64>,
    pub terms: Terms,
    /// Who proposes it, named in the other side's notice.
    pub proposer_name: String,
}

/// The ledger source of a fair's rows (`fair:<edition>`, under the partial index
/// `ledger_events_fair_source`).
pub fn fair_source(fair_id: i64) -> String {
    format!("fair:{fair_id}")
}

/// Tags an event with the deal's fair, if it was made at one.
fn tagged(event: Event, fair: Option<&str>) -> Event {
    match fair {
        Some(source) => event.source(source),
        None => event,
    }
}

pub async fn create(
    db: &Db,
    deal: &NewDeal,
    creator: UserId,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let other = if deal.buyer == creator.0 {
        deal.seller
    } else {
        deal.buyer
    };
    let mut tx = db.begin().await?;
    let id: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar(
            "INSERT INTO deals (need_id, offer_id, achievement_id, inquiry_id, buyer_id, seller_id, contract_type, amount_fen, stage, \
             buyer_signed, seller_signed, region_code, fair_id, fair_session_id, created_at, updated_at, scope, starts_on, ends_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'intent', FALSE, FALSE, $9, $11, $12, $10, $10, $13, $14, $15) RETURNING id",
        )
        .bind(deal.need_id)
        .bind(deal.offer_id)
        .bind(deal.achievement_id)
        .bind(deal.inquiry_id)
        .bind(deal.buyer)
        .bind(deal.seller)
        .bind(deal.contract_type.as_str())
        .bind(deal.amount.get())
        .bind(deal.region.as_str())
        .bind(now)
        .bind(deal.fair_id)
        .bind(deal.fair_session_id)
        .bind(deal.terms.scope.as_deref())
        .bind(deal.terms.starts_on.map(|d| d.to_string()))
        .bind(deal.terms.ends_on.map(|d| d.to_string()))
        .fetch_one(&mut **conn)
        .await
    })?;
    let source = deal.fair_id.map(fair_source);
    let event = Event::new(EventKind::DealCreated, &deal.region, "deal", id)
        .actor(creator.0)
        .counterpart(other)
        .amount(deal.amount.get())
        .contract(deal.contract_type.as_str())
        .once();
    let event = tagged(event, source.as_deref());
    tx.record(now, &event).await?;
    tx.notify(
        other,
        &format!(
            "{}就“{}”向您提出了交易意向，请查看",
            deal.proposer_name, deal.title
        ),
        &format!("/me/deals/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The ledger events of a move from `from` to `to`: each stage reached once (签约 and 完成 with
/// the amount; 完成 of an achievement is also a 科技成果转化), and a signed deal that is
/// terminated takes its signature back with a compensating `deal.signed` of weight -1.
fn stage_events(deal: &DealRow, from: DealStage, to: DealStage) -> Vec<(EventKind, bool)> {
    if from == to {
        return Vec::new();
    }
    match to {
        DealStage::Negotiating => vec![(EventKind::DealNegotiating, false)],
        DealStage::Signed => vec![(EventKind::DealSigned, false)],
        DealStage::Performing => vec![(EventKind::DealPerforming, false)],
        DealStage::Completed if deal.achievement_id.is_some() => vec![
            (EventKind::DealCompleted, false),
            (EventKind::AchievementTransferred, false),
        ],
        DealStage::Completed => vec![(EventKind::DealCompleted, false)],
        DealStage::Terminated if matches!(from, DealStage::Signed | DealStage::Performing) => vec![
            (EventKind::DealTerminated, false),
            (EventKind::DealSigned, true),
        ],
        DealStage::Terminated => vec![(EventKind::DealTerminated, false)],
        DealStage::Intent => Vec::new(),
    }
}

/// Stores a new state if the deal is still in the state it was read in (else `Lost`: someone
/// moved it first), with the ledger events of the move in the same transaction. Each stage's
/// event is once-only by its natural key (`deal.signed:<id>`…). A deal signed at or above
/// `verify_above` (fen) is booked as `deal.signed_unverified` and awaits staff's verification
/// (`market::integrity`); its termination takes back whichever signing was booked, and its
/// achievement transfer counts only once verified.
pub async fn save_state(
    db: &Db,
    deal: &DealRow,
    next: DealState,
    actor: UserId,
    verify_above: i64,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let region = RegionCode::parse(&deal.region_code)
        .unwrap_or_else(|_| RegionCode::parse("51").expect("valid"));
    let Some(current) = deal.state() else {
        return Ok(Guarded::Lost);
    };
    let other = if deal.buyer_id == actor.0 {
        deal.seller_id
    } else {
        deal.buyer_id
    };
    let source = deal.fair_source();
    let ending = next.stage == DealStage::Terminated;
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE deals SET stage = $1, buyer_signed = $2, seller_signed = $3, updated_at = $4, \
             terminated_from = COALESCE($9, terminated_from), terminated_by = COALESCE($10, terminated_by), \
             terminated_at = COALESCE($11, terminated_at) \
             WHERE id = $5 AND stage = $6 AND buyer_signed = $7 AND seller_signed = $8",
        )
        .bind(next.stage.as_str())
        .bind(next.buyer_signed)
        .bind(next.seller_signed)
        .bind(now)
        .bind(deal.id)
        .bind(current.stage.as_str())
        .bind(current.buyer_signed)
        .bind(current.seller_signed)
        .bind(ending.then_some(current.stage.as_str()))
        .bind(ending.then_some(actor.0))
        .bind(ending.then_some(now))
        .execute(&mut **conn)
        .await.map(|done| done.rows_affected())
    })?;
    if changed != 1 {
        return Ok(Guarded::Lost);
    }
    for (kind, reversal) in stage_events(deal, current.stage, next.stage) {
        let event = |kind| {
            let event = Event::new(kind, &region, "deal", deal.id)
                .actor(actor.0)
                .counterpart(other)
                .amount(deal.amount_fen)
                .contract(&deal.contract_type)
                .once();
            tagged(event, source.as_deref())
        };
        match (kind, reversal) {
            (EventKind::DealSigned, false) if deal.amount_fen >= verify_above => {
                integrity::open_verification(
                    &mut tx,
                    deal.id,
                    &region,
                    deal.amount_fen,
                    verify_above,
                    now,
                )
                .await?;
                tx.record(now, &event(EventKind::DealSignedUnverified))
                    .await?;
            }
            (EventKind::DealSigned, true) => {
                match integrity::withdraw_on_termination(&mut tx, deal.id, now).await? {
                    Booked::Signed => {
                        tx.record(now, &event(EventKind::DealSigned).reversal())
                            .await?;
                    }
                    // Dated at the signing, as the row it takes back.
                    Booked::Unverified(signed_at) => {
                        tx.record(
                            signed_at,
                            &event(EventKind::DealSignedUnverified).reversal(),
                        )
                        .await?;
                    }
                    Booked::Nothing => {}
                }
            }
            // Held back until verified (staff's verification books it then).
            (EventKind::AchievementTransferred, _)
                if integrity::status_in(&mut tx, deal.id)
                    .await?
                    .is_some_and(|s| s != "verified") => {}
            // An ending after an ending was taken back is a new act with its own key.
            (EventKind::DealTerminated, false) if deal.undone_terminations > 0 => {
                let key = format!("deal.terminated:{}:{}", deal.id, deal.undone_terminations);
                tx.record(now, &event(kind).once_as(key)).await?;
            }
            (kind, reversal) => {
                let event = if reversal {
                    event(kind).reversal()
                } else {
                    event(kind)
                };
                tx.record(now, &event).await?;
            }
        }
    }
    let text = move_notice(deal, actor, current, next);
    tx.notify(other, &text, &format!("/me/deals/{}", deal.id), now)
        .await?;
    tx.commit().await?;
    Ok(Guarded::Changed)
}

/// What the other party is told of a move, naming who made it.
fn move_notice(deal: &DealRow, actor: UserId, current: DealState, next: DealState) -> String {
    let who = if deal.buyer_id == actor.0 {
        &deal.buyer_name
    } else {
        &deal.seller_name
    };
    let title = format!("交易 #{}", deal.id);
    if next.stage == current.stage && next.stage == DealStage::Negotiating {
        return format!("{who}已确认签约{title}，等待您确认");
    }
    match next.stage {
        DealStage::Signed => format!("{title}已签约：{who}确认签约，双方均已确认"),
        DealStage::Terminated => format!("{who}终止了{title}"),
        stage => format!("{who}将{title}推进到“{}”", stage.label()),
    }
}

/// Takes back an ending made before the signing, by whoever made it, within `since`: the deal
/// returns to the stage it left, and the ending's ledger row is reversed (once, by its key).
pub async fn undo_termination(
    db: &Db,
    deal: &DealRow,
    actor: UserId,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let region = RegionCode::parse(&deal.region_code)
        .unwrap_or_else(|_| RegionCode::parse("51").expect("valid"));
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE deals SET stage = terminated_from, terminated_from = NULL, terminated_by = NULL, terminated_at = NULL, \
             undone_terminations = undone_terminations + 1, updated_at = $1 \
             WHERE id = $2 AND stage = 'terminated' AND terminated_by = $3 AND terminated_from IN ('intent', 'negotiating') \
             AND terminated_at >= $4 AND undone_terminations = $5",
        )
        .bind(now).bind(deal.id).bind(actor.0).bind(since).bind(deal.undone_terminations)
        .execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    if changed != 1 {
        return Ok(Guarded::Lost);
    }
    let other = if deal.buyer_id == actor.0 {
        deal.seller_id
    } else {
        deal.buyer_id
    };
    let n = deal.undone_terminations;
    let event = Event::new(EventKind::DealTerminated, &region, "deal", deal.id)
        .actor(actor.0)
        .counterpart(other)
        .amount(deal.amount_fen)
        .contract(&deal.contract_type)
        .reversal()
        .once_as(format!("deal.terminated.reversed:{}:{n}", deal.id));
    tx.record(now, &tagged(event, deal.fair_source().as_deref()))
        .await?;
    let who = if deal.buyer_id == actor.0 {
        &deal.buyer_name
    } else {
        &deal.seller_name
    };
    let back = deal
        .terminated_from
        .as_deref()
        .and_then(|s| DealStage::parse(s).ok())
        .map(|s| s.label())
        .unwrap_or("");
    tx.notify(
        other,
        &format!("{who}撤销了对交易 #{} 的终止，交易恢复为“{back}”", deal.id),
        &format!("/me/deals/{}", deal.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Guarded::Changed)
}

pub async fn find(db: &Db, id: i64) -> Result<Option<DealRow>, sqlx::Error> {
    const SQL: &str = concat!(deal_select!(), "WHERE d.id = $1");
    on_db!(db, pool => sqlx::query_as::<_, DealRow>(SQL).bind(id).fetch_optional(pool).await)
}

/// `user`'s deals that name `listing` (as its need, capability or achievement), through the
/// parties' indexes.
pub async fn mine_on_listing(
    db: &Db,
    user: UserId,
    listing: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT id, stage FROM deals WHERE (buyer_id = $1 OR seller_id = $1) \
         AND (need_id = $2 OR offer_id = $2 OR achievement_id = $2) ORDER BY id DESC LIMIT 20")
        .bind(user.0).bind(listing).fetch_all(pool).await)
}

pub async fn mine(
    db: &Db,
    user: UserId,
    paging: Paging,
) -> Result<(Vec<DealRow>, i64), sqlx::Error> {
    const SQL: &str = concat!(
        deal_select!(),
        "WHERE d.buyer_id = $1 OR d.seller_id = $1 ORDER BY d.id DESC LIMIT $2 OFFSET $3"
    );
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, DealRow>(SQL).bind(user.0).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deals WHERE buyer_id = $1 OR seller_id = $1").bind(user.0).fetch_one(pool).await?;
        Ok((rows, total))
    })
}
