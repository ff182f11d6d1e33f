//! Taking back an owner's 撤回 or 关闭 of a listing: undone within the window
//! (`platform::done::UNDO_MINUTES`) it returns to the status it had, in search again if it was
//! published; later, a withdrawn listing is 重新提交审核 and a closed one 重新开放, both back to
//! the review queue.
//!
//! The ledger stays honest: an undo books the compensating row (weight -1) of the 撤回/关闭 it
//! takes back, keyed by that change's window so each is reversed at most once, and never books
//! `listing.published` again; a listing that goes back to review is republished on approval
//! (`listing.republished`, as after an edit). Each act is one guarded statement: a second undo,
//! even a concurrent one, finds nothing to change and is refused with 409.

use chrono::{DateTime, Utc};
use tianfu_domain::ListingStatus;

use super::service::changed;
use super::store::{ListingRow, status_event};
use crate::App;
use crate::ledger::Event;
use crate::on_tx;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::tx::Guarded;

/// Can the owner still undo the last 撤回/关闭 of `row` at `now`?
pub fn undoable(row: &ListingRow, now: DateTime<Utc>) -> bool {
    matches!(
        row.status(),
        Some(ListingStatus::Withdrawn | ListingStatus::Closed)
    ) && row.undo_until.is_some_and(|until| until > now)
}

/// Undoes the owner's last 撤回 or 关闭 while its window lasts.
pub async fn undo(app: &App, row: &ListingRow) -> Result<(), AppError> {
    let now = app.clock.now();
    if !undoable(row, now) {
        return Err(AppError::Conflict {
            message: "撤销的时限已过或已撤销过；可重新提交审核".into(),
            fields: Default::default(),
        });
    }
    changed(store_undo(&app.db, row, now).await?)
}

/// 重新提交审核 (withdrawn) or 重新开放 (closed): back to the review queue.
pub async fn reopen(app: &App, row: &ListingRow) -> Result<(), AppError> {
    if !matches!(
        row.status(),
        Some(ListingStatus::Withdrawn | ListingStatus::Closed)
    ) {
        return Err(AppError::validation(
            "status",
            "只有已撤回或已关闭的内容可以重新提交",
        ));
    }
    changed(store_reopen(&app.db, row, app.clock.now()).await?)
}

async fn store_undo(db: &Db, row: &ListingRow, now: DateTime<Utc>) -> Result<Guarded, sqlx::Error> {
    let (Some(status), Some(region), Some(window)) = (row.status(), row.region(), row.undo_until)
    else {
        return Ok(Guarded::Lost);
    };
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE listings SET status = undo_status, undo_status = NULL, undo_until = NULL, updated_at = $1 \
             WHERE id = $2 AND status = $3 AND undo_until > $1 AND undo_status IS NOT NULL",
        )
        .bind(now)
        .bind(row.id)
        .bind(&row.status)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Lost {
        return Ok(guarded);
    }
    if let Some(kind) = status_event(status) {
        let reversal = Event::new(kind, &region, &row.kind, row.id)
            .actor(row.owner_id)
            .reversal()
            .once_as(format!(
                "{}.reversed:{}:{}",
                kind.as_str(),
                row.id,
                window.timestamp_micros()
            ));
        tx.record(now, &reversal).await?;
    }
    tx.outbox("listing", row.id, now).await?;
    tx.commit().await?;
    Ok(guarded)
}

async fn store_reopen(
    db: &Db,
    row: &ListingRow,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE listings SET status = 'pending', review_reason = NULL, undo_status = NULL, undo_until = NULL, updated_at = $1 \
             WHERE id = $2 AND status = $3",
        )
        .bind(now)
        .bind(row.id)
        .bind(&row.status)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Changed {
        tx.outbox("listing", row.id, now).await?;
        tx.commit().await?;
    }
    Ok(guarded)
}
