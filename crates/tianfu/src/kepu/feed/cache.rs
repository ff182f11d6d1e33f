//! What every feed reads and rarely changes, kept in memory for a short while: the resources'
//! feed rows (title, tags, counts…) and the channel list. A feed then costs three small queries
//! (profile, candidates, what the reader read) whatever the page size. A row is at most
//! [`TTL`] old — a new title or read count shows within half a minute on every node — and this
//! node forgets a resource it changes at once. A withdrawn resource leaves the candidates at once
//! (its feed terms are deleted with it), so staleness never shows something taken down.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::store::{self, FeedRow};
use crate::platform::db::Db;
use crate::platform::error::AppError;

pub const TTL: Duration = Duration::from_secs(30);
/// Past this many rows the cache starts again (a province has ~100 k resources).
const MAX_ROWS: usize = 500_000;

/// The channels (code, name) and when they were read.
type Channels = Option<(Instant, Vec<(String, String)>)>;

#[derive(Debug, Default)]
pub struct FeedCache {
    rows: Mutex<HashMap<i64, (Instant, FeedRow)>>,
    channels: Mutex<Channels>,
}

impl FeedCache {
    /// This node changed resource `id`: read it again next time.
    pub fn forget(&self, id: i64) {
        self.rows
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }

    pub fn forget_channels(&self) {
        *self.channels.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    pub async fn channels(&self, db: &Db) -> Result<Vec<(String, String)>, AppError> {
        if let Some((at, channels)) = &*self.channels.lock().unwrap_or_else(|e| e.into_inner())
            && at.elapsed() < TTL
        {
            return Ok(channels.clone());
        }
        let channels = crate::kepu::resources::store::channels(db).await?;
        *self.channels.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((Instant::now(), channels.clone()));
        Ok(channels)
    }

    /// The published rows of `ids` (those still published when last read).
    pub async fn rows(&self, db: &Db, ids: &[i64]) -> Result<HashMap<i64, FeedRow>, AppError> {
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
            for id in ids {
                match rows.get(id) {
                    Some((at, row)) if at.elapsed() < TTL => {
                        found.insert(*id, row.clone());
                    }
                    _ => missing.push(*id),
                }
            }
        }
        if !missing.is_empty() {
            let fresh = store::rows(db, &missing).await?;
            let now = Instant::now();
            let mut rows = self.rows.lock().unwrap_or_else(|e| e.into_inner());
            if rows.len() > MAX_ROWS {
                rows.clear();
            }
            for (id, row) in fresh {
                rows.insert(id, (now, row.clone()));
                found.insert(id, row);
            }
        }
        Ok(found)
    }
}
