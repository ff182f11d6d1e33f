//! What an indicator can weigh: every figure of the ledger's catalogue, plus two figures of the
//! nanny service read from its tickets and steps as they stand (the step on-time rate and 人单数,
//! active tickets per staff member), each as the nanny report computes it.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::ledger::catalogue::{self, Measure, Metric};
use crate::ledger::rollup;
use crate::platform::period::Period;
use crate::{App, on_db};

#[derive(Debug, Clone, Copy)]
pub enum Source {
    Ledger(&'static Metric),
    /// Steps due in the period done by their due time, over the steps due.
    OnTimeRate,
    /// Tickets open at the period's end per staff member of the two service departments.
    TicketsPerStaff,
}

/// A figure an indicator may weigh.
#[derive(Debug, Clone, Copy)]
pub struct Measurable {
    pub name: &'static str,
    pub label: &'static str,
    pub source: Source,
}

impl Measurable {
    /// A level, not a sum over the period: its target is not divided among months or among
    /// counties, and it is not taken per 10,000 residents.
    pub fn is_rate(&self) -> bool {
        !matches!(self.source, Source::Ledger(_))
    }

    pub fn is_amount(&self) -> bool {
        matches!(self.source, Source::Ledger(m) if m.measure == Measure::Amount)
    }

    /// How a page shows a value of it.
    pub fn shown(&self, value: f64) -> String {
        match self.source {
            Source::Ledger(m) if m.measure == Measure::Amount => {
                format!("{:.2}万元", value / 1_000_000.0)
            }
            Source::Ledger(m) if m.measure == Measure::Hours => format!("{value:.1}小时"),
            Source::Ledger(_) => format!("{value:.0}"),
            Source::OnTimeRate => format!("{:.1}%", value * 100.0),
            Source::TicketsPerStaff => format!("{value:.1}"),
        }
    }
}

pub const ON_TIME_RATE: &str = "step_on_time_rate";
pub const TICKETS_PER_STAFF: &str = "tickets_per_staff";

pub fn all() -> Vec<Measurable> {
    catalogue::METRICS
        .iter()
        .map(|m| Measurable {
            name: m.name,
            label: m.label,
            source: Source::Ledger(m),
        })
        .chain([
            Measurable {
                name: ON_TIME_RATE,
                label: "服务步骤按时完成率",
                source: Source::OnTimeRate,
            },
            Measurable {
                name: TICKETS_PER_STAFF,
                label: "人单数（在办服务单/服务人员）",
                source: Source::TicketsPerStaff,
            },
        ])
        .collect()
}

pub fn named(name: &str) -> Option<Measurable> {
    all().into_iter().find(|m| m.name == name)
}

/// Every measurable value of each region for a period: the ledger's figures from the rollups
/// (one grouped read per parent; with no parents given, one read per region), the nanny figures
/// from one grouped read each. The regions are of one level.
pub async fn values_of(
    app: &App,
    regions: &[&str],
    parents: &[&str],
    period: Period,
) -> Result<HashMap<String, HashMap<&'static str, f64>>, sqlx::Error> {
    let mut totals = HashMap::new();
    for parent in parents {
        totals.extend(rollup::children_totals(&app.db, parent, period.from, period.to).await?);
    }
    if parents.is_empty() {
        // The regions alone (the province, or one region's trend): one read each.
        for region in regions {
            let own = rollup::region_totals(&app.db, region, period.from, period.to).await?;
            totals.insert((*region).to_owned(), own);
        }
    }
    let figures = rollup::figures_of(&app.db, &totals, regions, period.from, period.to).await?;
    let length = regions.first().map_or(0, |r| r.len());
    let nanny = nanny_figures(app, length, period).await?;
    Ok(regions
        .iter()
        .map(|region| {
            let mut values: HashMap<&'static str, f64> = figures
                .get(*region)
                .map(|f| f.iter().map(|(k, v)| (*k, *v)).collect())
                .unwrap_or_default();
            let n = nanny.get(*region).copied().unwrap_or_default();
            if let Some(rate) = n.on_time_rate() {
                values.insert(ON_TIME_RATE, rate);
            }
            if let Some(load) = n.tickets_per_staff() {
                values.insert(TICKETS_PER_STAFF, load);
            }
            ((*region).to_owned(), values)
        })
        .collect())
}

#[derive(Debug, Default, Clone, Copy)]
struct NannyCounts {
    steps_due: i64,
    steps_on_time: i64,
    active: i64,
    staff: i64,
}

impl NannyCounts {
    /// None when no step fell due: nothing to measure.
    fn on_time_rate(self) -> Option<f64> {
        (self.steps_due > 0).then(|| self.steps_on_time as f64 / self.steps_due as f64)
    }

    /// None without staff in the two service departments.
    fn tickets_per_staff(self) -> Option<f64> {
        (self.staff > 0).then(|| self.active as f64 / self.staff as f64)
    }
}

/// The step and ticket counts of every region of one level (codes of `length` digits), as the
/// nanny report counts them for one region: steps due in the period (before now, or done
/// already: a step done early is on time at once) while their ticket was open; tickets open at the period's end; staff of the worker and org departments.
async fn nanny_figures(
    app: &App,
    length: usize,
    period: Period,
) -> Result<HashMap<String, NannyCounts>, sqlx::Error> {
    const STEPS: &str = "SELECT substr(t.region_code, 1, $1) AS r, COUNT(*), \
        CAST(COALESCE(SUM(CASE WHEN s.done_at IS NOT NULL AND s.done_at <= s.due_at THEN 1 ELSE 0 END), 0) AS BIGINT) \
        FROM ticket_steps s JOIN tickets t ON t.id = s.ticket_id \
        WHERE s.due_at >= $2 AND s.due_at < $4 AND (s.due_at < $3 OR s.done_at IS NOT NULL) \
        AND (t.closed_at IS NULL OR s.due_at < t.closed_at) \
        GROUP BY 1";
    const ACTIVE: &str = "SELECT substr(region_code, 1, $1) AS r, COUNT(*) FROM tickets \
        WHERE opened_at < $2 AND (closed_at IS NULL OR closed_at >= $2) GROUP BY 1";
    const STAFF: &str = "SELECT substr(region_code, 1, $1) AS r, COUNT(*) FROM users \
        WHERE role = 'staff' AND department IN ('worker', 'org') AND length(region_code) >= $1 \
        GROUP BY 1";
    let length = i32::try_from(length).unwrap_or(6);
    let (start, end) = period.bounds();
    let due_end = end.min(app.clock.now());
    let (steps, active, staff) = on_db!(&app.db, pool => {
        let steps: Vec<(String, i64, i64)> = sqlx::query_as(STEPS).bind(length).bind(start).bind(due_end).bind(end).fetch_all(pool).await?;
        let active: Vec<(String, i64)> = sqlx::query_as(ACTIVE).bind(length).bind(end).fetch_all(pool).await?;
        let staff: Vec<(String, i64)> = sqlx::query_as(STAFF).bind(length).fetch_all(pool).await?;
        Ok::<_, sqlx::Error>((steps, active, staff))
    })?;
    let mut counts: HashMap<String, NannyCounts> = HashMap::new();
    for (region, due, on_time) in steps {
        let c = counts.entry(region).or_default();
        c.steps_due = due;
        c.steps_on_time = on_time;
    }
    for (region, n) in active {
        counts.entry(region).or_default().active = n;
    }
    for (region, n) in staff {
        counts.entry(region).or_default().staff = n;
    }
    Ok(counts)
}

/// The first and last day of a year, quarter or month.
pub fn days(year: i32, months: std::ops::RangeInclusive<u32>) -> Option<Period> {
    let from = NaiveDate::from_ymd_opt(year, *months.start(), 1)?;
    let next = if *months.end() == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, months.end() + 1, 1)?
    };
    Some(Period {
        from,
        to: next.pred_opt()?,
    })
}
