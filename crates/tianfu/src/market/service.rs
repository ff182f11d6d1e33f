//! The market's acts, shared by the API and the pages: who may submit, see, edit and review a
//! listing. Permission questions go to `platform::scope`.

use tianfu_domain::{ListingKind, ListingStatus, Role};

use super::listing::NewListing;
use super::store::{self, ListingRow};
use crate::App;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;
use crate::platform::tx::Guarded;

/// Who may publish each kind: scientists and organisations offer capabilities and achievements;
/// organisations, scientists and the public (farmers too have needs) post needs.
pub fn may_publish(role: Role, kind: ListingKind) -> bool {
    match kind {
        ListingKind::Offer | ListingKind::Achievement => matches!(role, Role::Worker | Role::Org),
        ListingKind::Need => matches!(role, Role::Org | Role::Worker | Role::Public),
    }
}

pub fn not_found(kind: ListingKind) -> AppError {
    AppError::not_found(kind.label())
}

pub async fn submit(
    app: &App,
    actor: &Actor,
    listing: &NewListing,
    ip: Option<&str>,
) -> Result<i64, AppError> {
    let allowed = may_publish(actor.role, listing.kind);
    if !allowed {
        scope::ensure(app, actor, false, &format!("publish:{}", listing.kind), ip)
            .await
            .map_err(|_| {
                AppError::Forbidden(match listing.kind {
                    ListingKind::Need => "仅企事业单位、科技工作者和群众可以发布科技所需".into(),
                    _ => format!("仅科技工作者和企事业单位可以发布{}", listing.kind.label()),
                })
            })?;
    }
    let studio = super::studios::store::find_by_owner(&app.db, actor.id)
        .await?
        .map(|s| s.id);
    // A need like the account's recent ones (or one of a burst) is held for review.
    let hold = super::integrity::service::assess(app, actor.id.0, listing, None).await?;
    let id = store::create(
        &app.db,
        actor.id,
        studio,
        &actor.region,
        listing,
        hold.as_ref(),
        app.clock.now(),
    )
    .await?;
    tracing::info!(
        listing_id = id,
        kind = listing.kind.as_str(),
        "listing submitted"
    );
    Ok(id)
}

/// The listing if the actor may see it. Hidden listings answer 404, as if they did not exist,
/// so that drafts and rejected listings do not leak.
pub async fn visible(
    app: &App,
    actor: Option<&Actor>,
    kind: ListingKind,
    id: i64,
) -> Result<ListingRow, AppError> {
    let row = store::find(&app.db, id)
        .await?
        .filter(|row| row.kind() == Some(kind))
        .ok_or_else(|| not_found(kind))?;
    let region = row.region().ok_or_else(|| not_found(kind))?;
    let owner = tianfu_domain::UserId(row.owner_id);
    if scope::can_view_listing(actor, owner, &region, row.is_published()) {
        Ok(row)
    } else {
        Err(not_found(kind))
    }
}

/// The owner's own listing, for a change: 404 if they cannot see it, 403 (audited) if they can
/// but it is someone else's.
pub async fn owned(
    app: &App,
    actor: &Actor,
    kind: ListingKind,
    id: i64,
    ip: Option<&str>,
) -> Result<ListingRow, AppError> {
    let row = visible(app, Some(actor), kind, id).await?;
    let mine = scope::owns(actor, tianfu_domain::UserId(row.owner_id));
    scope::ensure(app, actor, mine, &format!("listing:{id}"), ip)
        .await
        .map_err(|_| AppError::Forbidden("只能修改自己发布的内容".into()))?;
    Ok(row)
}

/// The status an owner asks for, if they may: only withdrawn or closed, never from closed.
pub fn status_change(row: &ListingRow, requested: &str) -> Result<ListingStatus, AppError> {
    let status = match ListingStatus::parse(requested) {
        Ok(status @ (ListingStatus::Withdrawn | ListingStatus::Closed)) => status,
        _ => {
            return Err(AppError::validation(
                "status",
                "状态只能改为 withdrawn（撤回）或 closed（关闭）",
            ));
        }
    };
    if row.status() == Some(ListingStatus::Closed) {
        return Err(AppError::validation("status", "已关闭的内容不能再变更"));
    }
    Ok(status)
}

/// Withdraws or closes a listing at its owner's request.
pub async fn change_status(app: &App, row: &ListingRow, requested: &str) -> Result<(), AppError> {
    let status = status_change(row, requested)?;
    changed(store::set_status(&app.db, row, status, app.clock.now()).await?)
}

/// Refuses an edit of a closed listing.
pub fn check_editable(row: &ListingRow) -> Result<(), AppError> {
    if row.status() == Some(ListingStatus::Closed) {
        return Err(AppError::validation("status", "已关闭的内容不能再修改"));
    }
    Ok(())
}

/// Replaces the content (back to review), or with `then` withdraws or closes it in the same change.
pub async fn edit(
    app: &App,
    row: &ListingRow,
    listing: &NewListing,
    then: Option<ListingStatus>,
) -> Result<(), AppError> {
    check_editable(row)?;
    // An edit that goes back to review is assessed again, against the account's other needs.
    let hold = match then {
        None => super::integrity::service::assess(app, row.owner_id, listing, Some(row.id)).await?,
        Some(_) => None,
    };
    changed(store::update(&app.db, row, listing, then, hold.as_ref(), app.clock.now()).await?)
}

/// A staff member's decision on a pending listing in their region.
pub async fn decide(
    app: &App,
    staff: &Actor,
    kind: ListingKind,
    id: i64,
    decision: &str,
    reason: Option<&str>,
    ip: Option<&str>,
) -> Result<(), AppError> {
    let row = store::find(&app.db, id)
        .await?
        .filter(|row| row.kind() == Some(kind))
        .ok_or_else(|| not_found(kind))?;
    let region = row.region().ok_or_else(|| not_found(kind))?;
    if !scope::can_view_region(staff, &region) {
        scope::ensure(app, staff, false, &format!("review:{kind}:{id}"), ip).await?;
    }
    if !scope::can_review(staff, &app.config.review, kind, &region) {
        scope::ensure(app, staff, false, &format!("review:{kind}:{id}"), ip)
            .await
            .map_err(|_| {
                AppError::Forbidden(format!("{}的审核不属于您所在部门的职责", kind.label()))
            })?;
    }
    let approve = match decision {
        "approve" => true,
        "reject" => false,
        _ => {
            return Err(AppError::validation(
                "decision",
                "审核结论只能是 approve（通过）或 reject（不通过）",
            ));
        }
    };
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if !approve && reason.is_none() {
        return Err(AppError::validation(
            "reason",
            "不通过时请填写原因，发布者会看到",
        ));
    }
    if reason.is_some_and(|r| r.chars().count() > 200) {
        return Err(AppError::validation("reason", "原因不能超过200个字"));
    }
    if row.status() != Some(ListingStatus::Pending) {
        return Err(AppError::Conflict {
            message: "该内容不在待审核状态".into(),
            fields: Default::default(),
        });
    }
    // A held need is approved only with an override reason.
    super::integrity::service::check_decision(app, &row, approve, reason).await?;
    // The nanny's ticket for a need and 为您推荐 follow the ledger's `listing.published`.
    changed(
        store::review(
            &app.db,
            &row,
            &region,
            staff.id,
            approve,
            reason,
            app.clock.now(),
        )
        .await?,
    )
}

/// A guarded change that found the listing changed by someone else first is a conflict.
pub(super) fn changed(guarded: Guarded) -> Result<(), AppError> {
    match guarded {
        Guarded::Changed => Ok(()),
        Guarded::Lost => Err(AppError::Conflict {
            message: "该内容刚被他人处理或修改，请刷新后重试".into(),
            fields: Default::default(),
        }),
    }
}
