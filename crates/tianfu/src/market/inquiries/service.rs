use tianfu_domain::ListingKind;

use super::store::{self, InquiryRow};
use crate::App;
use crate::market::service as listings;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;
use crate::platform::tx::Guarded;

pub const MESSAGE_MAX_CHARS: usize = 2000;

pub fn parse_message(field: &str, body: &str) -> Result<String, AppError> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::validation(field, "请填写洽谈内容"));
    }
    if body.chars().count() > MESSAGE_MAX_CHARS {
        return Err(AppError::validation(
            field,
            format!("洽谈内容不能超过{MESSAGE_MAX_CHARS}字"),
        ));
    }
    Ok(body.to_owned())
}

/// Opens an inquiry on a published listing (or continues the open one the user already has).
pub async fn open(
    app: &App,
    actor: &Actor,
    kind: ListingKind,
    listing_id: i64,
    message: &str,
) -> Result<i64, AppError> {
    let message = parse_message("message", message)?;
    let listing = listings::visible(app, Some(actor), kind, listing_id).await?;
    if !listing.is_published() {
        return Err(AppError::validation(
            "target_id",
            "该内容尚未发布，不能洽谈",
        ));
    }
    if listing.owner_id == actor.id.0 {
        return Err(AppError::validation("target_id", "不能与自己洽谈"));
    }
    let now = app.clock.now();
    let region = listing.region().ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("listing {} has a bad region", listing.id))
    })?;
    if store::find_open(&app.db, listing.id, actor.id)
        .await?
        .is_none()
    {
        let opened = store::open(
            &app.db,
            listing.id,
            &region,
            listing.owner_id,
            actor.id,
            &actor.name,
            &listing.title,
            &message,
            now,
        )
        .await;
        match opened {
            Ok(id) => return Ok(id),
            // One open inquiry per requester and listing (a unique index): a concurrent request
            // opened it first, so this message continues that one.
            Err(error)
                if error
                    .as_database_error()
                    .is_some_and(|e| e.is_unique_violation()) => {}
            Err(error) => return Err(error.into()),
        }
    }
    let existing = store::find_open(&app.db, listing.id, actor.id)
        .await?
        .ok_or_else(|| AppError::Conflict {
            message: "该洽谈刚刚结束，请重新发起".into(),
            fields: Default::default(),
        })?;
    let inquiry = store::find(&app.db, existing)
        .await?
        .ok_or_else(|| AppError::not_found("洽谈"))?;
    ended(store::reply(&app.db, &inquiry, actor.id, &message, now).await?)?;
    Ok(existing)
}

/// The inquiry if the actor takes part in it; anyone else is refused (and audited).
pub async fn participant(
    app: &App,
    actor: &Actor,
    id: i64,
    ip: Option<&str>,
) -> Result<InquiryRow, AppError> {
    let inquiry = store::find(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("洽谈"))?;
    let allowed = inquiry.is_participant(actor.id);
    scope::ensure(app, actor, allowed, &format!("inquiry:{id}"), ip).await?;
    Ok(inquiry)
}

pub async fn reply(
    app: &App,
    actor: &Actor,
    inquiry: &InquiryRow,
    body: &str,
) -> Result<(), AppError> {
    let body = parse_message("body", body)?;
    if inquiry.status != "open" {
        return Err(AppError::validation("body", "该洽谈已结束，不能再回复"));
    }
    ended(store::reply(&app.db, inquiry, actor.id, &body, app.clock.now()).await?)
}

/// The owner may decline; either side may close. An ended inquiry stays ended.
pub async fn set_status(
    app: &App,
    actor: &Actor,
    inquiry: &InquiryRow,
    status: &str,
) -> Result<(), AppError> {
    if inquiry.status != "open" {
        return Err(AppError::validation("status", "该洽谈已结束"));
    }
    match status {
        "declined" if inquiry.owner_id != actor.id.0 => {
            return Err(AppError::Forbidden("只有发布者可以婉拒洽谈".into()));
        }
        "declined" | "closed" => {}
        _ => {
            return Err(AppError::validation(
                "status",
                "状态只能是 declined（婉拒）或 closed（结束）",
            ));
        }
    }
    ended(store::set_status(&app.db, inquiry, actor.id, status, app.clock.now()).await?)
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "open" => "洽谈中",
        "declined" => "已婉拒",
        _ => "已结束",
    }
}

/// An inquiry that ended while the request was on its way is a conflict.
fn ended(guarded: Guarded) -> Result<(), AppError> {
    match guarded {
        Guarded::Changed => Ok(()),
        Guarded::Lost => Err(AppError::Conflict {
            message: "该洽谈已结束".into(),
            fields: Default::default(),
        }),
    }
}
