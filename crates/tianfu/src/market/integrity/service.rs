//! The acts: assessing a need on submission, staff deciding a held need (the market's review
//! asks here), staff verifying or rejecting a large deal, and the awaiting-verification figure.

use chrono::NaiveDate;
use tianfu_domain::{FieldErrors, ListingKind, RegionCode};

use super::rules::{self, Hold};
use super::store;
use crate::App;
use crate::ledger::{Event, EventKind, catalogue, rollup};
use crate::market::deals::store as deals;
use crate::market::listing::NewListing;
use crate::market::store::ListingRow;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;
use crate::platform::tx::Guarded;

/// Whether a need being submitted (or resubmitted by an edit: `except` is itself) is held as a
/// bulk-posted near-duplicate of the same account's recent needs. Other kinds are never held.
pub async fn assess(
    app: &App,
    owner: i64,
    listing: &NewListing,
    except: Option<i64>,
) -> Result<Option<Hold>, AppError> {
    if listing.kind != ListingKind::Need {
        return Ok(None);
    }
    let now = app.clock.now();
    let earlier = store::recent_needs(&app.db, owner, now - rules::LOOKBACK, except).await?;
    let text = rules::comparable(&listing.title, &listing.description_text);
    let hold = rules::assess(&text, now, &earlier);
    if let Some(hold) = &hold {
        tracing::info!(
            owner,
            rule = hold.rule.as_str(),
            similar = hold.similar.as_ref().map(|s| s.0),
            "need held for review"
        );
    }
    Ok(hold)
}

/// What the submitter is told when their need is held.
pub fn held_notice(title: &str, hold: &Hold) -> String {
    format!(
        "您发布的“{title}”已提交，但{}，需人工复核后才能公开；如确为不同需求，请在描述中写明区别",
        hold.reason()
    )
}

/// Refuses approving a held need without an override reason (the `reason` of the decision).
pub async fn check_decision(
    app: &App,
    row: &ListingRow,
    approve: bool,
    reason: Option<&str>,
) -> Result<(), AppError> {
    if approve
        && reason.is_none()
        && row.kind() == Some(ListingKind::Need)
        && let Some(hold) = store::held(&app.db, row.id).await?
    {
        return Err(AppError::validation(
            "reason",
            format!(
                "该科技所需已被暂缓（{}），通过前请填写放行理由",
                hold.reason
            ),
        ));
    }
    Ok(())
}

/// The 待核验金额 of a region's subtree for a period: (deals, amount in fen) signed at or above
/// the threshold in the period and still awaiting staff's verification. Read from the ledger's
/// rollups (metrics `deals_awaiting_verification` and `deals_awaiting_verification_fen`), so it
/// agrees with the dashboards and leads back to `deal.signed_unverified` rows.
pub async fn awaiting_verification(
    app: &App,
    region: &RegionCode,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(i64, i64), AppError> {
    let metric = |name| {
        catalogue::metric_named(name)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("metric {name} is not defined")))
    };
    let count = rollup::figure(
        &app.db,
        region.as_str(),
        metric("deals_awaiting_verification")?,
        from,
        to,
    )
    .await?;
    let amount = rollup::figure(
        &app.db,
        region.as_str(),
        metric("deals_awaiting_verification_fen")?,
        from,
        to,
    )
    .await?;
    Ok((count as i64, amount as i64))
}

/// Who may verify a large deal: staff (any department) and administrators whose region covers it.
pub async fn ensure_verifier(
    app: &App,
    staff: &Actor,
    region: &str,
    deal_id: i64,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let allowed = RegionCode::parse(region).is_ok_and(|r| scope::can_view_region(staff, &r));
    scope::ensure(app, staff, allowed, &format!("deal:{deal_id}:verify"), ip)
        .await
        .map_err(|_| AppError::Forbidden("只能核验本地区的大额交易".into()))
}

/// Staff verify (the deal then counts, dated at its signing) or reject (it never counts) a large
/// deal's contract. One guarded statement from `awaiting`; the loser of a race answers 409.
pub async fn decide_deal(
    app: &App,
    staff: &Actor,
    deal_id: i64,
    decision: &str,
    reason: Option<&str>,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let verification = store::verification(&app.db, deal_id)
        .await?
        .ok_or_else(|| AppError::not_found("待核验的大额交易"))?;
    ensure_verifier(app, staff, &verification.region_code, deal_id, ip).await?;
    let verified = match decision {
        "verify" => true,
        "reject" => false,
        _ => {
            return Err(AppError::validation(
                "decision",
                "核验结论只能是 verify（核验通过）或 reject（不予认定）",
            ));
        }
    };
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let mut errors = FieldErrors::new();
    if !verified && reason.is_none() {
        errors.add("reason", "不予认定时请填写原因，交易双方会看到");
    }
    if reason.is_some_and(|r| r.chars().count() > 200) {
        errors.add("reason", "原因不能超过200个字");
    }
    if verified && verification.contracts == 0 {
        errors.add("contract", "交易双方尚未上传合同，无法核验");
    }
    errors.into_result()?;
    let lost = || AppError::Conflict {
        message: "该交易已被核验、不予认定或已终止，请刷新".into(),
        fields: Default::default(),
    };
    if verification.status != "awaiting" {
        return Err(lost());
    }
    let deal = deals::find(&app.db, deal_id)
        .await?
        .ok_or_else(|| AppError::not_found("交易"))?;
    let region = RegionCode::parse(&deal.region_code)
        .map_err(|_| AppError::Internal(anyhow::anyhow!("deal {deal_id} has a bad region")))?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if store::decide(&mut tx, deal_id, verified, staff.id.0, reason, now).await? == Guarded::Lost {
        return Err(lost());
    }
    // The deal's stage as it stands, under the deal's row lock: a completion racing this decision
    // either committed first (and held the transfer back: booked below) or waits for this one
    // (and then reads the verification and books it itself).
    let (stage, completed_at): (String, chrono::DateTime<chrono::Utc>) = crate::on_tx!(&mut tx, conn => {
        sqlx::query_as("UPDATE deals SET updated_at = updated_at WHERE id = $1 RETURNING stage, updated_at")
            .bind(deal_id).fetch_one(&mut **conn).await
    })?;
    // A deal made at a 科创会 carries its edition on every row (`fair:<id>`), these included.
    let fair_source = deal.fair_source();
    let signed = |kind| {
        let event = Event::new(kind, &region, "deal", deal_id)
            .actor(deal.buyer_id)
            .counterpart(deal.seller_id)
            .amount(deal.amount_fen)
            .contract(&deal.contract_type)
            .once();
        match &fair_source {
            Some(source) => event.source(source),
            None => event,
        }
    };
    // Out of the awaiting figure, dated at the signing so each period's figure nets out.
    tx.record(
        verification.signed_at,
        &signed(EventKind::DealSignedUnverified).reversal(),
    )
    .await?;
    if verified {
        tx.record(
            verification.signed_at,
            &match &fair_source {
                Some(_) => signed(EventKind::DealSigned),
                None => signed(EventKind::DealSigned).source("verified"),
            },
        )
        .await?;
        // A transfer completed while awaiting verification was held back; it counts now.
        if stage == "completed" && deal.achievement_id.is_some() {
            tx.record(completed_at, &signed(EventKind::AchievementTransferred))
                .await?;
        }
    }
    let outcome = if verified { "verified" } else { "rejected" };
    let decided = Event::new(EventKind::DealVerified, &region, "deal", deal_id)
        .actor(staff.id.0)
        .counterpart(deal.buyer_id)
        .amount(deal.amount_fen)
        .outcome(outcome)
        .once();
    let decided = match &fair_source {
        Some(source) => decided.source(source),
        None => decided,
    };
    tx.record(now, &decided).await?;
    let text = if verified {
        format!("交易 #{deal_id} 的合同已核验，签约金额已计入统计")
    } else {
        format!(
            "交易 #{deal_id} 的合同未通过核验：{}；签约金额不计入统计",
            reason.unwrap_or("")
        )
    };
    let link = format!("/me/deals#deal-{deal_id}");
    for party in [deal.buyer_id, deal.seller_id] {
        tx.notify(party, &text, &link, now).await?;
    }
    tx.commit().await?;
    tracing::info!(deal_id, outcome, "large deal decided");
    Ok(())
}
