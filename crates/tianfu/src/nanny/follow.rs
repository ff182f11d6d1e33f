//! The nanny service follows the ledger: a scientist's registration opens their 一人一策, a
//! need's publication its 一单一策, a 科创会 project's selection its 一项一策 (the plan's clock
//! starting when the ticket opens), and a signed deal closes the tickets it answers as of the
//! signing. The acts
//! know nothing of this; a crash between an act and its ticket is caught up from the cursor.

use super::{open, store};
use crate::App;
use crate::ledger::follow::{BoxFuture, Follower, Reaction};
use crate::ledger::{EventKind, LedgerRow};
use crate::platform::error::AppError;

pub const FOLLOWER: Follower = Follower {
    name: "nanny.tickets",
    kinds: &[
        EventKind::UserRegistered,
        EventKind::ListingPublished,
        EventKind::DealSigned,
        EventKind::FairProjectSelected,
    ],
    batch: 500,
    reaction: Reaction::Act(react_boxed),
};

fn react_boxed<'a>(app: &'a App, event: &'a LedgerRow) -> BoxFuture<'a, Result<(), AppError>> {
    Box::pin(react(app, event))
}

async fn react(app: &App, event: &LedgerRow) -> Result<(), AppError> {
    match (event.kind(), event.subject_kind.as_str()) {
        (Some(EventKind::UserRegistered), "worker") => {
            open::for_scientist(app, event.subject_id).await?;
        }
        (Some(EventKind::ListingPublished), "need") => {
            open::for_need(app, event.subject_id).await?;
        }
        // A selection taken back (weight -1) closes nothing: the nanny closes it by hand.
        (Some(EventKind::FairProjectSelected), _) if event.weight > 0 => {
            open::for_fair_project(app, event.subject_id).await?;
        }
        // A reversal (a signed deal terminated) reopens nothing: the service goes on in a new
        // ticket only if the subject asks again.
        (Some(EventKind::DealSigned), _) if event.weight > 0 => {
            if let Some(deal) = crate::market::deals::store::find(&app.db, event.subject_id).await?
            {
                store::close_on_deal(
                    &app.db,
                    deal.id,
                    deal.need_id,
                    [deal.need_id, deal.offer_id, deal.achievement_id],
                    [deal.buyer_id, deal.seller_id],
                    // Closed when the deal was signed, however late the follower runs.
                    event.at,
                )
                .await?;
            }
        }
        _ => {}
    }
    Ok(())
}
