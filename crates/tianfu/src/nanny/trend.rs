//! The nanny service's last twelve months, month by month, for a region subtree: tickets
//! opened, follow-ups logged and tickets closed by a signed deal, read from the ledger's daily
//! rollups in one grouped query (like every other figure, traceable to its events).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::App;
use crate::ledger::EventKind;
use crate::on_db;

#[derive(Debug, Clone, Serialize)]
pub struct Series {
    pub name: &'static str,
    pub values: Vec<i64>,
}

/// Twelve months ending with the current one: labels `YYYY-MM` and one series per figure.
#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    pub months: Vec<String>,
    pub series: Vec<Series>,
}

/// The first day of the month `back` months before `today`'s.
fn month_start(today: NaiveDate, back: u32) -> NaiveDate {
    let index = today.year() * 12 + today.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .expect("a valid month")
}

pub async fn last_twelve_months(app: &App, region: &str) -> Result<Trend, sqlx::Error> {
    let today = crate::platform::clock::shanghai_date(app.clock.now());
    let months: Vec<String> = (0..12)
        .rev()
        .map(|back| month_start(today, back).format("%Y-%m").to_string())
        .collect();
    let from = month_start(today, 11).format("%Y-%m-%d").to_string();
    let to = today.format("%Y-%m-%d").to_string();
    let opened = EventKind::TicketOpened.as_str();
    let followed = EventKind::TicketFollowedUp.as_str();
    let closed = EventKind::TicketClosed.as_str();
    let rows: Vec<(String, String, String, i64)> = on_db!(&app.db, pool => {
        sqlx::query_as(
            "SELECT SUBSTR(day, 1, 7) AS month, kind, outcome, CAST(SUM(events) AS BIGINT) FROM ledger_daily \
             WHERE region_code = $1 AND kind IN ($2, $3, $4) AND day >= $5 AND day <= $6 \
             GROUP BY SUBSTR(day, 1, 7), kind, outcome",
        )
        .bind(region).bind(opened).bind(followed).bind(closed).bind(&from).bind(&to)
        .fetch_all(pool)
        .await
    })?;
    let mut series = [
        Series {
            name: "新建服务单",
            values: vec![0; 12],
        },
        Series {
            name: "跟进次数",
            values: vec![0; 12],
        },
        Series {
            name: "签约办结",
            values: vec![0; 12],
        },
    ];
    for (month, kind, outcome, events) in rows {
        let Some(i) = months.iter().position(|m| *m == month) else {
            continue;
        };
        let which = match (kind.as_str(), outcome.as_str()) {
            (k, _) if k == opened => 0,
            (k, _) if k == followed => 1,
            (k, "deal") if k == closed => 2,
            _ => continue,
        };
        series[which].values[i] += events;
    }
    Ok(Trend {
        months,
        series: series.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_count_back_across_the_year() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap();
        assert_eq!(
            month_start(day, 0),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(
            month_start(day, 11),
            NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()
        );
        assert_eq!(
            month_start(day, 3),
            NaiveDate::from_ymd_opt(2025, 12, 1).unwrap()
        );
    }
}
