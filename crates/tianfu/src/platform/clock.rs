use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

/// The application's idea of "now". Real time plus an offset that only tests move, so that
/// lockouts, deadlines and SLA clocks can be tested without sleeping.
#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }
}

/// China has kept UTC+8 without daylight saving since 1991, so a fixed offset shows
/// Asia/Shanghai time exactly without a time-zone database.
pub fn shanghai(at: DateTime<Utc>) -> String {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    at.with_timezone(&offset)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Today's date in Asia/Shanghai, for deadlines and "not before today" rules.
pub fn shanghai_date(at: DateTime<Utc>) -> chrono::NaiveDate {
    (at + chrono::Duration::hours(8)).date_naive()
}
