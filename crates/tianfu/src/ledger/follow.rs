//! Followers of the ledger. An act commits its rows and its events and returns; whatever reacts
//! to it — the daily rollup, a nanny ticket, pushed recommendations — follows the ledger with a
//! cursor of its own, so the acting slice knows none of them and a crash between the act and
//! the reaction loses nothing. A new slice plugs in by adding a [`Follower`] in `startup.rs`.
//!
//! A follower reads events past its position in id order. On PostgreSQL an id is taken when a
//! row is inserted, not when it commits, so a smaller id can appear after a larger one; a
//! follower therefore stops at a hole and steps over it only once the event after it is
//! [`GAP_PATIENCE_SECONDS`] old (by then the transaction holding the id has committed or rolled
//! back). Each pass runs under the follower's lease, so one node at a time moves it.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};

use super::{EventKind, LedgerRow, lease};
use crate::platform::error::AppError;
use crate::platform::tx::Tx;
use crate::{App, AppState, on_db, on_tx};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

const GAP_PATIENCE_SECONDS: i64 = 30;
/// How often a server's followers look for new events: reactions come within a second.
const POLL: StdDuration = StdDuration::from_millis(250);

/// Applies a batch of events inside the transaction that moves the cursor.
pub type ApplyInTx =
    for<'a> fn(&'a mut Tx, &'a [LedgerRow]) -> BoxFuture<'a, Result<(), sqlx::Error>>;
/// Reacts to one event with the app's own acts.
pub type ActOn = for<'a> fn(&'a App, &'a LedgerRow) -> BoxFuture<'a, Result<(), AppError>>;

/// How a follower reacts.
#[derive(Clone, Copy)]
pub enum Reaction {
    /// Writes derived rows in the same transaction that moves the cursor: each event is applied
    /// exactly once (the rollup).
    InTx(ApplyInTx),
    /// Acts on each event, then moves the cursor: at least once, so the act must be idempotent
    /// (a ticket per subject is unique; a recommendation is an upsert).
    Act(ActOn),
}

#[derive(Clone, Copy)]
pub struct Follower {
    /// Its cursor's and its lease's name.
    pub name: &'static str,
    /// The kinds it reacts to; it steps over the rest.
    pub kinds: &'static [EventKind],
    /// How many events a pass reads at a time (and, for `InTx`, applies in one transaction).
    pub batch: i64,
    pub reaction: Reaction,
}

/// Where `name` stands: every event up to this id has been handled.
pub async fn position(app: &App, name: &str) -> Result<i64, sqlx::Error> {
    let position: Option<i64> = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT position FROM ledger_cursors WHERE name = $1").bind(name).fetch_optional(pool).await
    })?;
    Ok(position.unwrap_or(0))
}

/// The events past `after`, up to the first hole that may still fill.
async fn next_events(app: &App, after: i64, batch: i64) -> Result<Vec<LedgerRow>, sqlx::Error> {
    const SQL: &str = concat!(
        "SELECT ",
        crate::ledger_columns!(),
        " FROM ledger_events WHERE id > $1 ORDER BY id LIMIT $2"
    );
    let rows: Vec<LedgerRow> = on_db!(&app.db, pool => {
        sqlx::query_as::<_, LedgerRow>(SQL).bind(after).bind(batch).fetch_all(pool).await
    })?;
    Ok(contiguous(after, rows, Utc::now()))
}

/// The rows that follow `after` without a hole, stepping over a hole only when the row after
/// it was written long enough ago that nothing will fill it (wall clock: an act's own time may
/// be older than its row, as when a ticket closes as of a deal's signing).
fn contiguous(after: i64, rows: Vec<LedgerRow>, now: DateTime<Utc>) -> Vec<LedgerRow> {
    let mut expected = after + 1;
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        let written = row.recorded_at.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
        if row.id != expected && written > now - Duration::seconds(GAP_PATIENCE_SECONDS) {
            break;
        }
        expected = row.id + 1;
        kept.push(row);
    }
    kept
}

/// What one pass over a batch did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Pass {
    /// Events the cursor moved over.
    pub passed: usize,
    /// Of those, the ones the follower reacted to.
    pub handled: usize,
}

/// One batch: reads the events past the cursor (up to the first hole that may still fill),
/// reacts to those the follower wants and moves the cursor over them.
pub async fn step(app: &App, follower: &Follower) -> Result<Pass, AppError> {
    let from = position(app, follower.name).await?;
    let events = next_events(app, from, follower.batch).await?;
    let Some(last) = events.last().map(|e| e.id) else {
        return Ok(Pass::default());
    };
    let passed = events.len();
    let wanted: Vec<LedgerRow> = events
        .into_iter()
        .filter(|e| e.kind().is_some_and(|k| follower.kinds.contains(&k)))
        .collect();
    match follower.reaction {
        Reaction::InTx(apply) => {
            let mut tx = app.db.begin().await?;
            apply(&mut tx, &wanted).await?;
            if !move_cursor(&mut tx, follower.name, from, last, app.clock.now()).await? {
                // Another node moved it first: nothing of ours is committed.
                return Ok(Pass::default());
            }
            tx.commit().await?;
        }
        Reaction::Act(act) => {
            for event in &wanted {
                match act(app, event).await {
                    // Keep what went before; the failed event is retried on the next pass.
                    Err(error @ AppError::Internal(_)) => {
                        let mut tx = app.db.begin().await?;
                        move_cursor(&mut tx, follower.name, from, event.id - 1, app.clock.now())
                            .await?;
                        tx.commit().await?;
                        return Err(error);
                    }
                    // A reaction the platform refuses (its subject is gone) is not retried.
                    Err(refused) => {
                        tracing::warn!(follower = follower.name, event = event.id, %refused, "reaction refused")
                    }
                    Ok(()) => {}
                }
            }
            let mut tx = app.db.begin().await?;
            move_cursor(&mut tx, follower.name, from, last, app.clock.now()).await?;
            tx.commit().await?;
        }
    }
    Ok(Pass {
        passed,
        handled: wanted.len(),
    })
}

/// Moves `follower` over every event available now; answers how many it reacted to.
pub async fn catch_up(app: &App, follower: &Follower) -> Result<usize, AppError> {
    let mut handled = 0;
    loop {
        let pass = step(app, follower).await?;
        if pass.passed == 0 {
            return Ok(handled);
        }
        handled += pass.handled;
    }
}

/// Moves the cursor from `from` to `to` if it still stands at `from` (a cursor not yet written
/// stands at 0).
async fn move_cursor(
    tx: &mut Tx,
    name: &str,
    from: i64,
    to: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    if to <= from {
        return Ok(true);
    }
    let changed = on_tx!(tx, conn => {
        if from == 0 {
            sqlx::query("INSERT INTO ledger_cursors (name, position, updated_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
                .bind(name).bind(to).bind(now)
                .execute(&mut **conn).await.map(|done| done.rows_affected())
        } else {
            sqlx::query("UPDATE ledger_cursors SET position = $3, updated_at = $4 WHERE name = $1 AND position = $2")
                .bind(name).bind(from).bind(to).bind(now)
                .execute(&mut **conn).await.map(|done| done.rows_affected())
        }
    })?;
    Ok(changed == 1)
}

/// Runs every follower until none has anything left (the demo loader and tests use it). A
/// reaction can write events of its own (a ticket closed by a deal), so it goes round again until
/// a round finds nothing new.
pub async fn catch_up_all(app: &App, followers: &[Follower]) -> Result<usize, AppError> {
    let mut handled = 0;
    loop {
        let mut passed = 0;
        for follower in followers {
            let mut failures = 0;
            loop {
                // A failed pass keeps what went before and is retried, as the spawned follower
                // retries it (a busy database can time out a connection now and then).
                let pass = match step(app, follower).await {
                    Ok(pass) => pass,
                    Err(AppError::Internal(cause)) if failures + 1 < ATTEMPTS => {
                        failures += 1;
                        tracing::warn!(follower = follower.name, error = ?cause, "pass failed; retrying");
                        tokio::time::sleep(StdDuration::from_millis(200)).await;
                        continue;
                    }
                    Err(error) => return Err(error),
                };
                failures = 0;
                if pass.passed == 0 {
                    break;
                }
                passed += pass.passed;
                handled += pass.handled;
            }
        }
        if passed == 0 {
            return Ok(handled);
        }
    }
}

/// After this many failures in a row on one event, a reacting follower steps over it (logged as
/// an error) rather than hold up every reaction after it.
const ATTEMPTS: u32 = 5;

/// Steps a reacting follower over the event after its cursor.
async fn skip_next(app: &App, follower: &Follower, from: i64) -> Result<(), AppError> {
    let Some(event) = next_events(app, from, 1).await?.into_iter().next() else {
        return Ok(());
    };
    tracing::error!(follower = follower.name, event = event.id, kind = %event.kind, "reaction failed {ATTEMPTS} times; stepped over");
    let mut tx = app.db.begin().await?;
    move_cursor(&mut tx, follower.name, from, event.id, app.clock.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// One task per follower: a batch at a time, each under the follower's lease (renewed before
/// every batch, so a node that lost it stops within one batch).
pub fn spawn(app: AppState, followers: &'static [Follower]) -> Vec<tokio::task::JoinHandle<()>> {
    followers
        .iter()
        .map(|follower| {
            let app = app.clone();
            tokio::spawn(async move {
                let mut failing: Option<(i64, u32)> = None;
                loop {
                    let more = match lease::hold(&app.db, follower.name, &app.node).await {
                        Ok(true) => match step(&app, follower).await {
                            Ok(pass) => {
                                failing = None;
                                pass.passed > 0
                            }
                            Err(error) => {
                                tracing::warn!(follower = follower.name, "follower pass failed");
                                error.log_if_internal();
                                if let (Reaction::Act(_), Ok(at)) =
                                    (follower.reaction, position(&app, follower.name).await)
                                {
                                    let count = match failing {
                                        Some((position, n)) if position == at => n + 1,
                                        _ => 1,
                                    };
                                    failing = Some((at, count));
                                    if count >= ATTEMPTS {
                                        if let Err(error) = skip_next(&app, follower, at).await {
                                            error.log_if_internal();
                                        }
                                        failing = None;
                                    }
                                }
                                false
                            }
                        },
                        Ok(false) => false,
                        Err(error) => {
                            AppError::from(error).log_if_internal();
                            false
                        }
                    };
                    if !more {
                        tokio::time::sleep(POLL).await;
                    }
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, written: DateTime<Utc>) -> LedgerRow {
        LedgerRow {
            id,
            at: written - Duration::days(3),
            recorded_at: Some(written),
            kind: "deal.signed".into(),
            region_code: "51".into(),
            actor_id: None,
            subject_kind: "deal".into(),
            subject_id: id,
            counterpart_id: None,
            amount_fen: None,
            contract_kind: None,
            outcome: None,
            quantity: None,
            source: None,
            weight: 1,
        }
    }

    #[test]
    fn a_fresh_hole_stops_the_follower_and_an_old_one_is_stepped_over() {
        let now = Utc::now();
        let fresh = vec![row(1, now), row(2, now), row(4, now)];
        let kept: Vec<i64> = contiguous(0, fresh, now).iter().map(|r| r.id).collect();
        assert_eq!(kept, vec![1, 2]);
        let old = now - Duration::seconds(60);
        let stale = vec![row(1, old), row(3, old), row(4, now), row(6, now)];
        let kept: Vec<i64> = contiguous(0, stale, now).iter().map(|r| r.id).collect();
        assert_eq!(kept, vec![1, 3, 4]);
    }
}
