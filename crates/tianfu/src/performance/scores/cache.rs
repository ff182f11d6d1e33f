//! Live score sheets, kept for a short while: a period not yet published is computed from the
//! rollups of all 204 units (about half a second for a province's year), and every dashboard
//! view and API call of the same period within [`Config::scores_cache_seconds`] (60 s by
//! default, 0 to turn it off) shares one computation. The sheet says when it was computed.
//! A published period never comes here: it is read as kept.
//!
//! [`Config::scores_cache_seconds`]: crate::platform::config::Config

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::service::ScoreSheet;

/// (period, system version) → when computed, the sheet.
type Sheets = HashMap<(String, i32), (Instant, Arc<ScoreSheet>)>;

#[derive(Debug, Default)]
pub struct SheetCache(Mutex<Sheets>);

impl SheetCache {
    /// The sheet of `period` computed with `version` less than `ttl` ago.
    pub fn get(&self, period: &str, version: i32, ttl: Duration) -> Option<Arc<ScoreSheet>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&(period.to_owned(), version))
            .filter(|(at, _)| at.elapsed() < ttl)
            .map(|(_, sheet)| sheet.clone())
    }

    pub fn put(&self, sheet: Arc<ScoreSheet>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // A few dozen periods at most; forget the stale ones as new ones come.
        map.retain(|_, (at, _)| at.elapsed() < Duration::from_secs(3600));
        map.insert(
            (sheet.period.clone(), sheet.version),
            (Instant::now(), sheet),
        );
    }
}
