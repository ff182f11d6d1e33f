//! 为您推荐 follows the ledger: when a listing is published (or published again after an edit)
//! its best matches are pushed to both sides. The review that published it knows nothing of this.

use super::recommend;
use crate::App;
use crate::ledger::follow::{BoxFuture, Follower, Reaction};
use crate::ledger::{EventKind, LedgerRow};
use crate::market::store as listings;
use crate::platform::error::AppError;

pub const FOLLOWER: Follower = Follower {
    name: "matching.recommend",
    kinds: &[EventKind::ListingPublished, EventKind::ListingRepublished],
    batch: 500,
    reaction: Reaction::Act(react_boxed),
};

fn react_boxed<'a>(app: &'a App, event: &'a LedgerRow) -> BoxFuture<'a, Result<(), AppError>> {
    Box::pin(react(app, event))
}

async fn react(app: &App, event: &LedgerRow) -> Result<(), AppError> {
    // Read now, not as it was: a listing withdrawn since is pushed to nobody.
    if let Some(row) = listings::find(&app.db, event.subject_id).await?
        && row.is_published()
    {
        recommend::on_published(app, &row).await?;
    }
    Ok(())
}
