//! Who the parties of a deal are, and who may move it.

use tianfu_domain::{DealStage, Fen, FieldErrors, ListingKind, Party, ServiceType, UserId};

use super::store::{self, DealRow, NewDeal};
use crate::App;
use crate::market::inquiries::store as inquiries;
use crate::market::service as listings;
use crate::market::store::ListingRow;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;
use crate::platform::tx::Guarded;

pub struct DealInput {
    pub need_id: Option<i64>,
    pub offer_id: Option<i64>,
    pub achievement_id: Option<i64>,
    pub inquiry_id: Option<i64>,
    pub contract_type: String,
    pub amount_fen: Option<i64>,
    /// Made at this 科创会 edition (checked by `fair::signing`), in this session.
    pub fair_id: Option<i64>,
    pub fair_session_id: Option<i64>,
    /// What the work covers, when it starts and ends (YYYY-MM-DD): all optional.
    pub terms: TermsInput,
}

#[derive(Debug, Default, Clone)]
pub struct TermsInput {
    pub scope: Option<String>,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
}

/// The most a deal's scope may say.
const SCOPE_MAX_CHARS: usize = 2000;

/// Checks the optional terms, each error under its field.
pub fn check_terms(input: &TermsInput, errors: &mut FieldErrors) -> store::Terms {
    let scope = input
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if scope
        .as_ref()
        .is_some_and(|s| s.chars().count() > SCOPE_MAX_CHARS)
    {
        errors.add("scope", format!("合作内容不能超过{SCOPE_MAX_CHARS}字"));
    }
    let day = |text: &Option<String>, field: &str, what: &str, errors: &mut FieldErrors| {
        let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty())?;
        errors.check(field, crate::platform::period::parse_day(text, what))
    };
    let starts_on = day(&input.starts_on, "starts_on", "开始日期", errors);
    let ends_on = day(&input.ends_on, "ends_on", "结束日期", errors);
    if let (Some(start), Some(end)) = (starts_on, ends_on)
        && end < start
    {
        errors.add("ends_on", "结束日期不能早于开始日期");
    }
    store::Terms {
        scope,
        starts_on,
        ends_on,
    }
}

async fn published(
    app: &App,
    actor: &Actor,
    kind: ListingKind,
    id: Option<i64>,
    field: &str,
    errors: &mut FieldErrors,
) -> Result<Option<ListingRow>, AppError> {
    let Some(id) = id else { return Ok(None) };
    match listings::visible(app, Some(actor), kind, id).await {
        Ok(row) if row.is_published() => Ok(Some(row)),
        Ok(_) | Err(AppError::NotFound(_)) => {
            errors.add(field, format!("{}不存在或尚未发布", kind.label()));
            Ok(None)
        }
        Err(other) => Err(other),
    }
}

/// Works out buyer and seller from the listings named, checks the actor is one of them, and
/// creates the deal at 意向.
pub async fn create(app: &App, actor: &Actor, input: DealInput) -> Result<i64, AppError> {
    let mut errors = FieldErrors::new();
    let contract_type = errors.check("contract_type", ServiceType::parse(&input.contract_type));
    let terms = check_terms(&input.terms, &mut errors);
    let amount = match input.amount_fen {
        Some(fen) => errors.check("amount_fen", Fen::new(fen)),
        None => {
            errors.add("amount_fen", "请填写交易金额（分）");
            None
        }
    };
    if input.offer_id.is_some() && input.achievement_id.is_some() {
        errors.add(
            "achievement_id",
            "一笔交易只能对应一项科技所能或一项科技成果",
        );
    }
    let need = published(
        app,
        actor,
        ListingKind::Need,
        input.need_id,
        "need_id",
        &mut errors,
    )
    .await?;
    let offer = published(
        app,
        actor,
        ListingKind::Offer,
        input.offer_id,
        "offer_id",
        &mut errors,
    )
    .await?;
    let achievement = published(
        app,
        actor,
        ListingKind::Achievement,
        input.achievement_id,
        "achievement_id",
        &mut errors,
    )
    .await?;
    let named: Vec<i64> = [need.as_ref(), offer.as_ref(), achievement.as_ref()]
        .into_iter()
        .flatten()
        .map(|l| l.id)
        .collect();
    crate::fair::signing::service::check_deal(
        app,
        input.fair_id,
        input.fair_session_id,
        &named,
        &mut errors,
    )
    .await?;
    let provided = offer.as_ref().or(achievement.as_ref());
    if need.is_none()
        && provided.is_none()
        && errors.get("need_id").is_none()
        && errors.get("offer_id").is_none()
        && errors.get("achievement_id").is_none()
    {
        errors.add("need_id", "请指明交易对应的科技所需，或科技所能/科技成果");
    }
    errors.into_result()?;
    let inquiry = match input.inquiry_id {
        Some(inquiry_id) => Some(
            inquiries::find(&app.db, inquiry_id)
                .await?
                .ok_or_else(|| AppError::validation("inquiry_id", "洽谈不存在"))?,
        ),
        None => None,
    };
    // The side that needs buys; the side that provides sells. A side no listing names is the
    // other participant of the inquiry the deal grows from (a scientist proposing from an
    // inquiry on their own capability sells to the enterprise that asked), else the actor.
    let other_side = |named: Option<i64>| match (&inquiry, named) {
        (Some(inquiry), Some(owner)) if inquiry.is_participant(UserId(owner)) => {
            inquiry.counterpart(UserId(owner))
        }
        _ => actor.id.0,
    };
    let need_owner = need.as_ref().map(|n| n.owner_id);
    let provider = provided.map(|p| p.owner_id);
    let buyer = need_owner.unwrap_or_else(|| other_side(provider));
    let seller = provider.unwrap_or_else(|| other_side(need_owner));
    if buyer == seller {
        return Err(AppError::validation("need_id", "交易双方不能是同一人"));
    }
    if actor.id.0 != buyer && actor.id.0 != seller {
        return Err(AppError::Forbidden("只有交易双方可以发起交易".into()));
    }
    if let Some(inquiry) = &inquiry {
        let listed = [need.as_ref(), offer.as_ref(), achievement.as_ref()]
            .into_iter()
            .flatten()
            .any(|l| l.id == inquiry.listing_id);
        if !inquiry.is_participant(actor.id) || !listed {
            return Err(AppError::validation("inquiry_id", "该洽谈与本交易无关"));
        }
        // A need named beside the capability discussed must be the other side's own.
        if !inquiry.is_participant(UserId(buyer)) || !inquiry.is_participant(UserId(seller)) {
            return Err(AppError::validation(
                "need_id",
                "所选需求不是本次洽谈对方发布的需求",
            ));
        }
    }
    let anchor = need.as_ref().or(provided).expect("checked above");
    let deal = NewDeal {
        need_id: need.as_ref().map(|n| n.id),
        offer_id: offer.as_ref().map(|o| o.id),
        achievement_id: achievement.as_ref().map(|a| a.id),
        inquiry_id: input.inquiry_id,
        buyer,
        seller,
        contract_type: contract_type.expect("checked"),
        amount: amount.expect("checked"),
        region: anchor.region().ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("listing {} has a bad region", anchor.id))
        })?,
        title: anchor.title.clone(),
        fair_id: input.fair_id,
        fair_session_id: input.fair_session_id,
        terms,
        proposer_name: actor.name.clone(),
    };
    Ok(store::create(&app.db, &deal, actor.id, app.clock.now()).await?)
}

/// Parties see their deal, and so do the staff of the deal's region.
pub async fn visible(
    app: &App,
    actor: &Actor,
    id: i64,
    ip: Option<&str>,
) -> Result<DealRow, AppError> {
    let deal = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("交易"))?;
    let region = tianfu_domain::RegionCode::parse(&deal.region_code).ok();
    let allowed =
        deal.is_party(actor.id) || region.is_some_and(|r| scope::can_view_region(actor, &r));
    scope::ensure(app, actor, allowed, &format!("deal:{id}"), ip).await?;
    Ok(deal)
}

/// Moves a deal at a party's request, by the domain's rules.
pub async fn transition(
    app: &App,
    actor: &Actor,
    deal: &DealRow,
    to: &str,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let party = if deal.buyer_id == actor.id.0 {
        Party::Buyer
    } else if deal.seller_id == actor.id.0 {
        Party::Seller
    } else {
        scope::ensure(
            app,
            actor,
            false,
            &format!("deal:{}:transition", deal.id),
            ip,
        )
        .await?;
        unreachable!("ensure refuses")
    };
    let to = DealStage::parse(to).map_err(|e| AppError::validation("to", e))?;
    let state = deal
        .state()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("deal {} has a bad stage", deal.id)))?;
    let next = state
        .transition(party, to)
        .map_err(|e| AppError::Conflict {
            message: e.to_string(),
            fields: FieldErrors::single("to", e.to_string()),
        })?;
    match store::save_state(
        &app.db,
        deal,
        next,
        actor.id,
        app.config.deal_verify_above_fen,
        app.clock.now(),
    )
    .await?
    {
        Guarded::Changed => Ok(()),
        Guarded::Lost => Err(AppError::Conflict {
            message: "交易状态刚被对方或他人变更，请刷新后重试".into(),
            fields: FieldErrors::single("to", "交易状态已变更"),
        }),
    }
}

/// How long whoever ended a deal before its signing may take the ending back.
pub const UNDO_MINUTES: i64 = 10;

/// Takes back an ending made before the signing: only by whoever made it, within
/// [`UNDO_MINUTES`]; a second taking-back, or one too late, is a conflict.
pub async fn undo_termination(app: &App, actor: &Actor, deal: &DealRow) -> Result<(), AppError> {
    if !deal.is_party(actor.id) {
        return Err(AppError::Forbidden("只有交易双方可以操作交易".into()));
    }
    let now = app.clock.now();
    let since = now - chrono::Duration::minutes(UNDO_MINUTES);
    match store::undo_termination(&app.db, deal, actor.id, since, now).await? {
        Guarded::Changed => Ok(()),
        Guarded::Lost => Err(AppError::Conflict {
            message: format!(
                "只有终止交易的一方可在{UNDO_MINUTES}分钟内撤销签约前的终止；该交易已无法撤销"
            ),
            fields: FieldErrors::single("to", "无法撤销终止"),
        }),
    }
}
