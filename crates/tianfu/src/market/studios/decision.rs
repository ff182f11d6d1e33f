//! A staff decision on a studio waiting for review, the same for the review page and the API:
//! who may decide (the region subtree and the department that reviews capabilities), what a
//! decision must say (a rejection names its reason), and one guarded statement on the revision
//! the reviewer read (`review::approve`/`reject`), so an owner's later edit is never decided
//! unseen and a second decision gets a 409.

use tianfu_domain::{ListingKind, RegionCode};

use super::review;
use super::store::{self, StudioRow};
use crate::App;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;
use crate::platform::tx::Guarded;

/// May the actor review studios at all (their department)? The region is checked per studio.
/// Studios are reviewed by whoever reviews capabilities (科技工作者服务部 by default).
pub fn reviews_studios(app: &App, actor: &Actor) -> bool {
    scope::reviewable_kinds(actor, &app.config.review)
        .is_none_or(|kinds| kinds.contains(&ListingKind::Offer))
}

/// Approves or rejects what studio `id` has waiting, as of `revision` (the one the reviewer
/// read; `None`: the one waiting now). Answers the studio as it is after the decision.
pub async fn decide(
    app: &App,
    actor: &Actor,
    id: i64,
    decision: &str,
    reason: Option<&str>,
    revision: Option<i64>,
    ip: Option<&str>,
) -> Result<StudioRow, AppError> {
    let row = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("工作室"))?;
    let region = RegionCode::parse(&row.region_code).map_err(|_| AppError::not_found("工作室"))?;
    let allowed = scope::can_review(actor, &app.config.review, ListingKind::Offer, &region);
    scope::ensure(app, actor, allowed, &format!("review:studio:{id}"), ip)
        .await
        .map_err(|_| {
            AppError::Forbidden("这个工作室不在您的审核范围内（所在地区或部门不符）".into())
        })?;
    let revision = revision.unwrap_or(row.revision);
    let reason = reason.unwrap_or_default().trim();
    let now = app.clock.now();
    let outcome = match decision {
        "approve" => review::approve(&app.db, &row, revision, actor.id, now).await?,
        "reject" if reason.is_empty() => {
            return Err(AppError::validation(
                "reason",
                "不通过时请填写原因，工作室负责人会看到",
            ));
        }
        "reject" if reason.chars().count() > 200 => {
            return Err(AppError::validation("reason", "原因不能超过200个字"));
        }
        "reject" => review::reject(&app.db, &row, revision, actor.id, reason, now).await?,
        _ => {
            return Err(AppError::validation(
                "decision",
                "审核结论只能是通过或不通过",
            ));
        }
    };
    match outcome {
        Guarded::Changed => store::find(&app.db, id)
            .await?
            .ok_or_else(|| AppError::not_found("工作室")),
        Guarded::Lost => Err(review::conflict(
            "该工作室已被审核，或负责人刚刚又修改了内容，请查看最新内容后再审核",
        )),
    }
}
