use chrono::{DateTime, Utc};
use tianfu_domain::{RegionCode, UserId};

use crate::ledger::{Event, EventKind};
use crate::platform::api::Paging;
use crate::platform::db::Db;
use crate::platform::tx::Guarded;
use crate::{on_db, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InquiryRow {
    pub id: i64,
    pub listing_id: i64,
    pub listing_kind: String,
    pub listing_title: String,
    pub listing_region: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub requester_id: i64,
    pub requester_name: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Who ended it (婉拒 or 结束洽谈), and until when they may undo that (`inquiries::undo`).
    pub ended_by: Option<i64>,
    pub undo_until: Option<DateTime<Utc>>,
    /// Times reopened; part of the once-only keys of its `inquiry.ended` rows.
    pub reopened: i64,
}

impl InquiryRow {
    /// The participant's name.
    pub fn name_of(&self, user: UserId) -> &str {
        if self.owner_id == user.0 {
            &self.owner_name
        } else {
            &self.requester_name
        }
    }

    pub fn is_participant(&self, user: UserId) -> bool {
        self.owner_id == user.0 || self.requester_id == user.0
    }

    /// The other side of the conversation from `user`'s point of view.
    pub fn counterpart(&self, user: UserId) -> i64 {
        if self.owner_id == user.0 {
            self.requester_id
        } else {
            self.owner_id
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub author_id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

macro_rules! inquiry_select {
    () => {
        "SELECT i.id, i.listing_id, l.kind AS listing_kind, l.title AS listing_title, l.region_code AS listing_region, i.owner_id, o.name AS owner_name, \
         i.requester_id, r.name AS requester_name, i.status, i.created_at, i.updated_at, i.ended_by, i.undo_until, i.reopened \
         FROM inquiries i JOIN listings l ON l.id = i.listing_id JOIN users o ON o.id = i.owner_id JOIN users r ON r.id = i.requester_id "
    };
}

pub async fn find(db: &Db, id: i64) -> Result<Option<InquiryRow>, sqlx::Error> {
    const SQL: &str = concat!(inquiry_select!(), "WHERE i.id = $1");
    on_db!(db, pool => sqlx::query_as::<_, InquiryRow>(SQL).bind(id).fetch_optional(pool).await)
}

/// The open inquiry a requester already has on a listing, so a second "发起洽谈" continues it.
pub async fn find_open(
    db: &Db,
    listing: i64,
    requester: UserId,
) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_scalar("SELECT id FROM inquiries WHERE listing_id = $1 AND requester_id = $2 AND status = 'open'")
            .bind(listing)
            .bind(requester.0)
            .fetch_optional(pool)
            .await
    })
}

/// Opens an inquiry with its first message and tells the listing's owner.
#[allow(clippy::too_many_arguments)]
pub async fn open(
    db: &Db,
    listing: i64,
    region: &RegionCode,
    owner: i64,
    requester: UserId,
    requester_name: &str,
    title: &str,
    message: &str,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let mut tx = db.begin().await?;
    let id: i64 = on_tx!(&mut tx, conn => {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inquiries (listing_id, owner_id, requester_id, status, created_at, updated_at, owner_unread) VALUES ($1, $2, $3, 'open', $4, $4, 1) RETURNING id",
        )
        .bind(listing)
        .bind(owner)
        .bind(requester.0)
        .bind(now)
        .fetch_one(&mut **conn)
        .await?;
        sqlx::query("INSERT INTO inquiry_messages (inquiry_id, author_id, body, created_at) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(requester.0)
            .bind(message)
            .bind(now)
            .execute(&mut **conn)
            .await?;
        Ok::<i64, sqlx::Error>(id)
    })?;
    let event = Event::new(EventKind::InquiryOpened, region, "inquiry", id)
        .actor(requester.0)
        .counterpart(owner)
        .once();
    tx.record(now, &event).await?;
    tx.notify(
        owner,
        &format!("{requester_name}就“{title}”向您发起洽谈"),
        &format!("/me/inquiries/{id}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn region_of(inquiry: &InquiryRow) -> RegionCode {
    RegionCode::parse(&inquiry.listing_region)
        .unwrap_or_else(|_| RegionCode::parse("51").expect("valid"))
}

/// Adds a message to an open inquiry and tells the other side; the owner's first reply is the
/// inquiry answered (once). Refused (`Lost`) when the inquiry has ended meanwhile.
pub async fn reply(
    db: &Db,
    inquiry: &InquiryRow,
    author: UserId,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let text = format!(
        "{}在“{}”的洽谈中发来新消息",
        inquiry.name_of(author),
        inquiry.listing_title
    );
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        // The other side has a message to read (the header's badge).
        let changed = sqlx::query(
            "UPDATE inquiries SET updated_at = $1, \
             owner_unread = CASE WHEN owner_id = $3 THEN owner_unread ELSE 1 END, \
             requester_unread = CASE WHEN requester_id = $3 THEN requester_unread ELSE 1 END \
             WHERE id = $2 AND status = 'open'",
        )
        .bind(now).bind(inquiry.id).bind(author.0).execute(&mut **conn).await?.rows_affected();
        if changed == 1 {
            sqlx::query("INSERT INTO inquiry_messages (inquiry_id, author_id, body, created_at) VALUES ($1, $2, $3, $4)")
                .bind(inquiry.id)
                .bind(author.0)
                .bind(body)
                .bind(now)
                .execute(&mut **conn)
                .await?;
        }
        Ok::<_, sqlx::Error>(changed)
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Lost {
        return Ok(guarded);
    }
    if author.0 == inquiry.owner_id {
        let event = Event::new(
            EventKind::InquiryAnswered,
            &region_of(inquiry),
            "inquiry",
            inquiry.id,
        )
        .actor(author.0)
        .counterpart(inquiry.requester_id)
        .once();
        tx.record(now, &event).await?;
    }
    tx.notify(
        inquiry.counterpart(author),
        &text,
        &format!("/me/inquiries/{}", inquiry.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(guarded)
}

/// Ends an open inquiry (declined by the owner or closed by either side), once per opening;
/// whoever ended it may undo that until `undo_until` (`inquiries::undo`).
pub async fn set_status(
    db: &Db,
    inquiry: &InquiryRow,
    actor: UserId,
    status: &str,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let who = inquiry.name_of(actor);
    let text = match status {
        "declined" => format!("{who}婉拒了“{}”的洽谈", inquiry.listing_title),
        _ => format!("{who}结束了“{}”的洽谈", inquiry.listing_title),
    };
    let undo_until = now + crate::platform::done::undo_window();
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE inquiries SET status = $1, updated_at = $2, ended_by = $4, undo_until = $5 \
             WHERE id = $3 AND status = 'open' AND reopened = $6",
        )
        .bind(status)
        .bind(now)
        .bind(inquiry.id)
        .bind(actor.0)
        .bind(undo_until)
        .bind(inquiry.reopened)
        .execute(&mut **conn)
        .await
        .map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Lost {
        return Ok(guarded);
    }
    let event = Event::new(
        EventKind::InquiryEnded,
        &region_of(inquiry),
        "inquiry",
        inquiry.id,
    )
    .actor(actor.0)
    .counterpart(inquiry.counterpart(actor))
    .outcome(status)
    .once_as(ended_key(inquiry.id, inquiry.reopened));
    tx.record(now, &event).await?;
    tx.notify(
        inquiry.counterpart(actor),
        &text,
        &format!("/me/inquiries/{}", inquiry.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(guarded)
}

/// The once-only key of the `inquiry.ended` row of an inquiry's `reopened`-th opening: the first
/// keeps the key `Event::once` gave it before inquiries could be reopened.
pub fn ended_key(id: i64, reopened: i64) -> String {
    if reopened == 0 {
        format!("{}:{id}", EventKind::InquiryEnded.as_str())
    } else {
        format!("{}:{id}:{reopened}", EventKind::InquiryEnded.as_str())
    }
}

/// The participant opened the thread: its messages are read.
pub async fn mark_read(db: &Db, inquiry: i64, user: UserId) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query(
            "UPDATE inquiries SET \
             owner_unread = CASE WHEN owner_id = $2 THEN 0 ELSE owner_unread END, \
             requester_unread = CASE WHEN requester_id = $2 THEN 0 ELSE requester_unread END \
             WHERE id = $1 AND ((owner_id = $2 AND owner_unread = 1) OR (requester_id = $2 AND requester_unread = 1))",
        )
        .bind(inquiry)
        .bind(user.0)
        .execute(pool)
        .await
        .map(|_| ())
    })
}

pub async fn messages(db: &Db, inquiry: i64) -> Result<Vec<MessageRow>, sqlx::Error> {
    on_db!(db, pool => {
        sqlx::query_as::<_, MessageRow>(
            "SELECT m.author_id, u.name AS author_name, m.body, m.created_at FROM inquiry_messages m JOIN users u ON u.id = m.author_id \
             WHERE m.inquiry_id = $1 ORDER BY m.id",
        )
        .bind(inquiry)
        .fetch_all(pool)
        .await
    })
}

/// The user's inquiries on both sides, most recently active first.
pub async fn mine(
    db: &Db,
    user: UserId,
    paging: Paging,
) -> Result<(Vec<InquiryRow>, i64), sqlx::Error> {
    const SQL: &str = concat!(
        inquiry_select!(),
        "WHERE i.owner_id = $1 OR i.requester_id = $1 ORDER BY i.updated_at DESC, i.id DESC LIMIT $2 OFFSET $3"
    );
    on_db!(db, pool => {
        let rows = sqlx::query_as::<_, InquiryRow>(SQL).bind(user.0).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inquiries WHERE owner_id = $1 OR requester_id = $1").bind(user.0).fetch_one(pool).await?;
        Ok((rows, total))
    })
}
