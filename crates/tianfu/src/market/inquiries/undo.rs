//! Taking back a 婉拒 or 结束洽谈: whoever ended the inquiry may reopen it within the window
//! (`platform::done::UNDO_MINUTES`). One guarded statement (a second undo finds it open and is
//! refused with 409); the ledger books the compensating row of the `inquiry.ended` it takes back
//! (keyed by the opening it closed, so each is reversed once), and a later end of the reopened
//! inquiry books its own row under the next key.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

use super::store::{InquiryRow, ended_key};
use crate::ledger::{Event, EventKind};
use crate::platform::auth::{ClientIp, PageUser};
use crate::platform::db::Db;
use crate::platform::done::{self, Done};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::tx::Guarded;
use crate::{App, AppState, on_tx};
use tianfu_domain::{RegionCode, UserId};

/// May `user` still undo the end of `row` at `now`?
pub fn undoable(row: &InquiryRow, user: UserId, now: DateTime<Utc>) -> bool {
    row.status != "open"
        && row.ended_by == Some(user.0)
        && row.undo_until.is_some_and(|until| until > now)
}

pub async fn undo(app: &App, user: UserId, row: &InquiryRow) -> Result<(), AppError> {
    let now = app.clock.now();
    if !undoable(row, user, now) {
        return Err(AppError::Conflict {
            message: "撤销的时限已过、已撤销过，或洽谈不是由您结束的".into(),
            fields: Default::default(),
        });
    }
    match store_undo(&app.db, row, user, now).await? {
        Guarded::Changed => Ok(()),
        Guarded::Lost => Err(AppError::Conflict {
            message: "该洽谈已恢复，请刷新后查看".into(),
            fields: Default::default(),
        }),
    }
}

async fn store_undo(
    db: &Db,
    row: &InquiryRow,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE inquiries SET status = 'open', reopened = reopened + 1, ended_by = NULL, undo_until = NULL, updated_at = $1 \
             WHERE id = $2 AND status = $3 AND ended_by = $4 AND undo_until > $1 AND reopened = $5",
        )
        .bind(now)
        .bind(row.id)
        .bind(&row.status)
        .bind(user.0)
        .bind(row.reopened)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Lost {
        return Ok(guarded);
    }
    let region = RegionCode::parse(&row.listing_region)
        .unwrap_or_else(|_| RegionCode::parse("51").expect("valid"));
    let reversal = Event::new(EventKind::InquiryEnded, &region, "inquiry", row.id)
        .actor(user.0)
        .counterpart(row.counterpart(user))
        .outcome(&row.status)
        .reversal()
        .once_as(format!("{}:reversed", ended_key(row.id, row.reopened)));
    tx.record(now, &reversal).await?;
    let what = if row.status == "declined" {
        "婉拒"
    } else {
        "结束"
    };
    tx.notify(
        row.counterpart(user),
        &format!(
            "{}撤销了{what}，“{}”的洽谈继续进行",
            row.name_of(user),
            row.listing_title
        ),
        &format!("/me/inquiries/{}", row.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(guarded)
}

/// `POST /me/inquiries/{id}/undo`.
pub async fn page(
    State(app): State<AppState>,
    PageUser(actor): PageUser,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, Some(actor.clone()));
    let row = super::service::participant(&app, &actor, id, ip.as_deref())
        .await
        .map_err(fail)?;
    undo(&app, actor.id, &row).await.map_err(fail)?;
    Ok(done::redirect(&format!("/me/inquiries/{id}"), Done::InquiryReopened).into_response())
}
