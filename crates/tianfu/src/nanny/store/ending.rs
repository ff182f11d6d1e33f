//! How a ticket ends or changes hands: handed to another nanny, closed by hand or by a signed
//! deal, rated by the person served. Each is one guarded statement with its history row and
//! ledger event in the same transaction.

use chrono::{DateTime, Utc};
use tianfu_domain::UserId;

use super::{TicketRow, history, ledger_event, ticket_select};
use crate::ledger::EventKind;
use crate::platform::db::Db;
use crate::platform::tx::Guarded;
use crate::{on_db, on_tx};

/// Hands an open ticket from the nanny it was read with to another, who is told; `Lost` when
/// it was closed or handed on meanwhile.
pub async fn reassign(
    db: &Db,
    ticket: &TicketRow,
    to: (i64, &str),
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let note = format!("改派给{}", to.1);
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE tickets SET assignee_id = $1, updated_at = $2, assigned_at = $2, seen_at = NULL WHERE id = $3 AND status = 'open' \
             AND (assignee_id = $4 OR (assignee_id IS NULL AND $4 IS NULL))",
        )
        .bind(to.0).bind(now).bind(ticket.id).bind(ticket.assignee_id)
        .execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    let guarded = Guarded::of(changed);
    if guarded == Guarded::Lost {
        return Ok(guarded);
    }
    history(&mut tx, ticket.id, now, Some(actor.0), "assigned", &note).await?;
    let event = ledger_event(EventKind::TicketAssigned, ticket)
        .actor(actor.0)
        .outcome("manual");
    tx.record(now, &event).await?;
    tx.notify(
        to.0,
        &format!("保姆单“{}”已改派给您", ticket.title),
        &format!("/admin/tickets/{}", ticket.id),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(guarded)
}

/// Closes an open ticket by the nanny's hand, with the reason; the served person is told.
pub async fn close(
    db: &Db,
    ticket: &TicketRow,
    reason: &str,
    actor: UserId,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE tickets SET status = 'closed', outcome = 'closed', close_reason = $1, closed_at = $2, \
             next_due_at = NULL, overdue_since = NULL, escalated_at = NULL, updated_at = $2 WHERE id = $3 AND status = 'open'",
        )
        .bind(reason).bind(now).bind(ticket.id)
        .execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    if changed == 1 {
        history(
            &mut tx,
            ticket.id,
            now,
            Some(actor.0),
            "closed",
            &format!("办结：{reason}"),
        )
        .await?;
        let event = ledger_event(EventKind::TicketClosed, ticket)
            .actor(actor.0)
            .outcome("closed")
            .once();
        tx.record(now, &event).await?;
        tx.notify(
            ticket.served_id,
            &format!("您的服务单“{}”已办结", ticket.title),
            "/me/nanny",
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed == 1)
}

/// Closes the open tickets a signed deal answers, as of the signing (`now`): the need's 一单一策,
/// the 一人一策 of each party who is a scientist with a ticket, and the 一项一策 of any 科创会
/// project that is one of the deal's listings. Answers how many it closed.
pub async fn close_on_deal(
    db: &Db,
    deal: i64,
    need: Option<i64>,
    listings: [Option<i64>; 3],
    parties: [i64; 2],
    now: DateTime<Utc>,
) -> Result<usize, sqlx::Error> {
    const OPEN_SQL: &str = concat!(
        ticket_select!(),
        "WHERE t.status = 'open' AND ((t.kind = 'need' AND t.subject_id = $1) OR (t.kind = 'person' AND t.subject_id IN ($2, $3)) \
         OR (t.kind = 'fair' AND t.subject_id IN (SELECT p.id FROM fair_projects p WHERE p.listing_id IN ($4, $5, $6))))"
    );
    let tickets: Vec<TicketRow> = on_db!(db, pool => {
        sqlx::query_as::<_, TicketRow>(OPEN_SQL).bind(need).bind(parties[0]).bind(parties[1])
            .bind(listings[0]).bind(listings[1]).bind(listings[2]).fetch_all(pool).await
    })?;
    let note = format!("交易 #{deal} 已签约，服务单自动办结");
    let mut closed = 0;
    for ticket in &tickets {
        // A ticket opened after the signing (its follower ran late) closes as it opens.
        let now = now.max(ticket.opened_at);
        let mut tx = db.begin().await?;
        let changed = on_tx!(&mut tx, conn => {
            sqlx::query(
                "UPDATE tickets SET status = 'closed', outcome = 'deal', deal_id = $2, closed_at = $1, next_due_at = NULL, \
                 overdue_since = NULL, escalated_at = NULL, updated_at = $1 WHERE id = $3 AND status = 'open'",
            )
            .bind(now).bind(deal).bind(ticket.id)
            .execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
        if changed == 1 {
            history(&mut tx, ticket.id, now, None, "closed", &note).await?;
            let event = ledger_event(EventKind::TicketClosed, ticket)
                .outcome("deal")
                .source(&format!("deal:{deal}"))
                .once();
            tx.record(now, &event).await?;
            tx.commit().await?;
            closed += 1;
        }
    }
    Ok(closed)
}

/// The served person's rating; rating again replaces it.
pub async fn rate(
    db: &Db,
    ticket: &TicketRow,
    stars: u8,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Guarded, sqlx::Error> {
    let note = match comment {
        Some(c) => format!("服务评价：{stars}星，{c}"),
        None => format!("服务评价：{stars}星"),
    };
    let mut tx = db.begin().await?;
    let changed = on_tx!(&mut tx, conn => {
        sqlx::query(
            "UPDATE tickets SET rating = $1, rating_comment = $2, updated_at = $3 WHERE id = $4 \
             AND (rating = $5 OR (rating IS NULL AND $5 IS NULL))",
        )
        .bind(i64::from(stars)).bind(comment).bind(now).bind(ticket.id).bind(ticket.rating)
        .execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    if changed != 1 {
        return Ok(Guarded::Lost);
    }
    history(
        &mut tx,
        ticket.id,
        now,
        Some(ticket.served_id),
        "rated",
        &note,
    )
    .await?;
    let mut event = ledger_event(EventKind::TicketRated, ticket).actor(ticket.served_id);
    event.quantity = Some(i64::from(stars));
    tx.record(now, &event).await?;
    if let Some(nanny) = ticket.assignee_id {
        tx.notify(
            nanny,
            &format!("“{}”对您的服务评价了{stars}星", ticket.served_name),
            &format!("/admin/tickets/{}", ticket.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Guarded::Changed)
}
