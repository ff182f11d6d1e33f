//! Daily figures: per (region, kind, subject kind, outcome, Beijing day) the sum of weights, of
//! amounts and of quantities, for the event's region and each region above it (a township's
//! event: the township, its county, city and province), so a province's year is read from a few
//! thousand rows. Kept by a follower that applies each event exactly once
//! (its rows and its cursor commit together); `rebuild` starts it over from the first event and
//! `verify` recomputes everything from the raw events and lists any difference.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use tianfu_domain::RegionCode;

use super::catalogue::{self, EventKind, Measure, Metric};
use super::follow::{BoxFuture, Follower, Reaction};
use super::{LedgerRow, lease};
use crate::platform::clock::shanghai_date;
use crate::platform::db::Db;
use crate::platform::error::AppError;
use crate::platform::tx::Tx;
use crate::{App, on_db, on_tx};

pub const FOLLOWER: Follower = Follower {
    name: "stats.rollup",
    kinds: EventKind::ALL,
    batch: 20_000,
    reaction: Reaction::InTx(apply_boxed),
};

/// A rollup row's key: region, its parent, kind, subject kind, outcome ('' for none), day.
type Key = (String, Option<String>, String, String, String, String);
/// The same without the parent (which follows from the region).
type DayKey = (String, String, String, String, String);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sums {
    pub events: i64,
    pub amount_fen: i64,
    pub quantity: i64,
}

/// The region of an event and every region above it, each with its parent.
fn levels(region_code: &str) -> Vec<(String, Option<String>)> {
    match RegionCode::parse(region_code) {
        Ok(region) => region
            .ancestors_and_self()
            .iter()
            .map(|r| {
                (
                    r.as_str().to_owned(),
                    r.parent().map(|p| p.as_str().to_owned()),
                )
            })
            .collect(),
        Err(_) => vec![(region_code.to_owned(), None)],
    }
}

fn day_of(event: &LedgerRow) -> String {
    shanghai_date(event.at).format("%Y-%m-%d").to_string()
}

/// Adds `events` into per-key sums and the distinct people they name.
fn aggregate(
    events: &[LedgerRow],
    sums: &mut HashMap<Key, Sums>,
    people: &mut Vec<(String, String, String, i64)>,
) {
    for event in events {
        let day = day_of(event);
        let counts_people = event.kind().is_some_and(catalogue::counts_people);
        for (region, parent) in levels(&event.region_code) {
            let key = (
                region.clone(),
                parent,
                event.kind.clone(),
                event.subject_kind.clone(),
                event.outcome.clone().unwrap_or_default(),
                day.clone(),
            );
            let entry = sums.entry(key).or_default();
            entry.events += event.weight;
            // A row voided as a duplicate (weight 0) counts for nothing, amount included.
            if event.weight != 0 {
                entry.amount_fen += event.amount_fen.unwrap_or(0);
                entry.quantity += event.quantity.unwrap_or(0);
            }
            if counts_people && let Some(person) = event.actor_id {
                people.push((region, event.kind.clone(), day.clone(), person));
            }
        }
    }
}

fn apply_boxed<'a>(
    tx: &'a mut Tx,
    events: &'a [LedgerRow],
) -> BoxFuture<'a, Result<(), sqlx::Error>> {
    Box::pin(apply(tx, events))
}

/// Adds a batch of events to the rollups, in the caller's transaction.
async fn apply(tx: &mut Tx, events: &[LedgerRow]) -> Result<(), sqlx::Error> {
    let mut sums = HashMap::new();
    let mut people = Vec::new();
    aggregate(events, &mut sums, &mut people);
    let sums: Vec<(Key, Sums)> = sums.into_iter().collect();
    // Multi-row statements: one round trip per few hundred rows. Keys are unique within a batch
    // (PostgreSQL refuses to update one row twice in a statement).
    for chunk in sums.chunks(400) {
        on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new(
                "INSERT INTO ledger_daily (region_code, parent_code, kind, subject_kind, outcome, day, events, amount_fen, quantity) ",
            );
            query.push_values(chunk, |mut row, ((region, parent, kind, subject, outcome, day), s)| {
                row.push_bind(region).push_bind(parent).push_bind(kind).push_bind(subject).push_bind(outcome)
                    .push_bind(day).push_bind(s.events).push_bind(s.amount_fen).push_bind(s.quantity);
            });
            query.push(
                " ON CONFLICT (region_code, kind, subject_kind, outcome, day) DO UPDATE SET \
                 events = ledger_daily.events + excluded.events, amount_fen = ledger_daily.amount_fen + excluded.amount_fen, \
                 quantity = ledger_daily.quantity + excluded.quantity",
            );
            query.build().execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
    }
    people.sort();
    people.dedup();
    for chunk in people.chunks(400) {
        on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO ledger_daily_people (region_code, kind, day, person_id) ");
            query.push_values(chunk, |mut row, (region, kind, day, person)| {
                row.push_bind(region).push_bind(kind).push_bind(day).push_bind(person);
            });
            query.push(" ON CONFLICT DO NOTHING");
            query.build().execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
    }
    // The same people per calendar month and year; those new to a period add one to its count.
    let mut periods: Vec<(String, String, String, i64)> = people
        .iter()
        .flat_map(|(region, kind, day, person)| {
            [&day[..7], &day[..4]]
                .map(|period| (region.clone(), kind.clone(), period.to_owned(), *person))
        })
        .collect();
    periods.sort();
    periods.dedup();
    let mut newly: HashMap<(String, String, String), i64> = HashMap::new();
    for chunk in periods.chunks(400) {
        let inserted: Vec<(String, String, String)> = on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO ledger_period_people (region_code, kind, period, person_id) ");
            query.push_values(chunk, |mut row, (region, kind, period, person)| {
                row.push_bind(region).push_bind(kind).push_bind(period).push_bind(person);
            });
            query.push(" ON CONFLICT DO NOTHING RETURNING region_code, kind, period");
            query.build_query_as().fetch_all(&mut **conn).await
        })?;
        for key in inserted {
            *newly.entry(key).or_default() += 1;
        }
    }
    let newly: Vec<_> = newly.into_iter().collect();
    for chunk in newly.chunks(400) {
        on_tx!(tx, conn => {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO ledger_period_counts (region_code, kind, period, people) ");
            query.push_values(chunk, |mut row, ((region, kind, period), n)| {
                row.push_bind(region).push_bind(kind).push_bind(period).push_bind(n);
            });
            query.push(" ON CONFLICT (region_code, kind, period) DO UPDATE SET people = ledger_period_counts.people + excluded.people");
            query.build().execute(&mut **conn).await.map(|done| done.rows_affected())
        })?;
    }
    Ok(())
}

/// The calendar month ('2026-03') or year ('2026') that `from..=to` covers whole, if any. A
/// period that runs from the first of a month or year to today or later covers it whole too,
/// since nothing is booked after today.
fn calendar_period(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Option<String> {
    use chrono::Datelike;
    let until = |end: NaiveDate| to >= end.min(today);
    if from.day() == 1 && from.month() == 1 {
        let year_end = NaiveDate::from_ymd_opt(from.year(), 12, 31)?;
        if to <= year_end && until(year_end) {
            return Some(format!("{}", from.year()));
        }
    }
    if from.day() == 1 {
        let next = if from.month() == 12 {
            NaiveDate::from_ymd_opt(from.year() + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(from.year(), from.month() + 1, 1)?
        };
        let month_end = next.pred_opt()?;
        if to <= month_end && until(month_end) {
            return Some(from.format("%Y-%m").to_string());
        }
    }
    None
}

/// A region's rollup sums for a period, by (kind, subject kind, outcome).
pub type Totals = HashMap<(String, String, String), Sums>;

fn day_text(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The figures of one region's subtree for `from..=to` (Beijing days).
pub async fn region_totals(
    db: &Db,
    region: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Totals, sqlx::Error> {
    const SQL: &str = "SELECT kind, subject_kind, outcome, CAST(SUM(events) AS BIGINT), CAST(SUM(amount_fen) AS BIGINT), \
         CAST(SUM(quantity) AS BIGINT) FROM ledger_daily WHERE region_code = $1 AND day >= $2 AND day <= $3 \
         GROUP BY kind, subject_kind, outcome";
    let rows: Vec<(String, String, String, i64, i64, i64)> = on_db!(db, pool => {
        sqlx::query_as(SQL).bind(region).bind(day_text(from)).bind(day_text(to)).fetch_all(pool).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(k, s, o, events, amount_fen, quantity)| {
            (
                (k, s, o),
                Sums {
                    events,
                    amount_fen,
                    quantity,
                },
            )
        })
        .collect())
}

/// The same for each child of `parent` that has any events.
pub async fn children_totals(
    db: &Db,
    parent: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<String, Totals>, sqlx::Error> {
    const SQL: &str = "SELECT region_code, kind, subject_kind, outcome, CAST(SUM(events) AS BIGINT), CAST(SUM(amount_fen) AS BIGINT), \
         CAST(SUM(quantity) AS BIGINT) FROM ledger_daily WHERE parent_code = $1 AND day >= $2 AND day <= $3 \
         GROUP BY region_code, kind, subject_kind, outcome";
    let rows: Vec<(String, String, String, String, i64, i64, i64)> = on_db!(db, pool => {
        sqlx::query_as(SQL).bind(parent).bind(day_text(from)).bind(day_text(to)).fetch_all(pool).await
    })?;
    let mut by_region: HashMap<String, Totals> = HashMap::new();
    for (region, k, s, o, events, amount_fen, quantity) in rows {
        by_region.entry(region).or_default().insert(
            (k, s, o),
            Sums {
                events,
                amount_fen,
                quantity,
            },
        );
    }
    Ok(by_region)
}

/// Distinct people behind a distinct-count metric, exactly.
pub async fn distinct_people(
    db: &Db,
    region: &str,
    kind: EventKind,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64, sqlx::Error> {
    let counts = distinct_people_in(db, &[region], kind, from, to).await?;
    Ok(counts.get(region).copied().unwrap_or(0))
}

/// The same for several regions in one grouped query (a region with nobody is absent).
pub async fn distinct_people_in(
    db: &Db,
    regions: &[&str],
    kind: EventKind,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<String, i64>, sqlx::Error> {
    if regions.is_empty() {
        return Ok(HashMap::new());
    }
    let today = shanghai_date(chrono::Utc::now());
    let period = calendar_period(from, to, today);
    let rows: Vec<(String, i64)> = on_db!(db, pool => {
        let mut query = match &period {
            // A whole month or year: its kept count.
            Some(period) => {
                let mut query = sqlx::QueryBuilder::new("SELECT region_code, people FROM ledger_period_counts WHERE period = ");
                query.push_bind(period.clone());
                query
            }
            None => {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT region_code, CAST(COUNT(DISTINCT person_id) AS BIGINT) FROM ledger_daily_people WHERE day >= ",
                );
                query.push_bind(day_text(from)).push(" AND day <= ").push_bind(day_text(to));
                query
            }
        };
        query.push(" AND kind = ").push_bind(kind.as_str()).push(" AND region_code IN (");
        let mut list = query.separated(", ");
        for region in regions {
            list.push_bind(*region);
        }
        query.push(")");
        if period.is_none() {
            query.push(" GROUP BY region_code");
        }
        query.build_query_as().fetch_all(pool).await
    })?;
    Ok(rows.into_iter().collect())
}

/// How many acts of `kind` (with `outcome`, if given) the totals hold, reversals taken off.
pub fn count(totals: &Totals, kind: EventKind, outcome: Option<&str>) -> i64 {
    totals
        .iter()
        .filter(|((k, _, o), _)| k == kind.as_str() && outcome.is_none_or(|w| w == o))
        .map(|(_, s)| s.events)
        .sum()
}

/// A metric's value from the totals (distinct counts are read separately).
pub fn value(metric: &Metric, totals: &Totals) -> f64 {
    let matching = totals.iter().filter(|((kind, subject, outcome), _)| {
        kind == metric.kind.as_str()
            && metric.subject_kind.is_none_or(|s| s == subject)
            && metric.outcome.is_none_or(|o| o == outcome)
    });
    match metric.measure {
        Measure::Count | Measure::DistinctActors => {
            matching.map(|(_, s)| s.events).sum::<i64>() as f64
        }
        Measure::Amount => matching.map(|(_, s)| s.amount_fen).sum::<i64>() as f64,
        Measure::Hours => matching.map(|(_, s)| s.quantity).sum::<i64>() as f64 / 60.0,
    }
}

/// Every metric of a region's subtree for a period.
pub async fn figures(
    db: &Db,
    region: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<&'static str, f64>, sqlx::Error> {
    let totals = HashMap::from([(
        region.to_owned(),
        region_totals(db, region, from, to).await?,
    )]);
    let mut figures = figures_of(db, &totals, &[region], from, to).await?;
    Ok(figures.remove(region).unwrap_or_default())
}

/// Every metric of each region from its totals (read for it alone or with its siblings); the
/// distinct counts are read for all of them at once, one grouped query per distinct metric.
pub async fn figures_of(
    db: &Db,
    totals: &HashMap<String, Totals>,
    regions: &[&str],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<String, BTreeMap<&'static str, f64>>, sqlx::Error> {
    let mut distinct: HashMap<&'static str, HashMap<String, i64>> = HashMap::new();
    for metric in catalogue::METRICS
        .iter()
        .filter(|m| m.measure == Measure::DistinctActors)
    {
        distinct.insert(
            metric.name,
            distinct_people_in(db, regions, metric.kind, from, to).await?,
        );
    }
    let empty = Totals::new();
    Ok(regions
        .iter()
        .map(|region| {
            let totals = totals.get(*region).unwrap_or(&empty);
            let figures = catalogue::METRICS
                .iter()
                .map(|metric| {
                    let value = match distinct.get(metric.name) {
                        Some(people) => people.get(*region).copied().unwrap_or(0) as f64,
                        None => value(metric, totals),
                    };
                    (metric.name, value)
                })
                .collect();
            ((*region).to_owned(), figures)
        })
        .collect())
}

/// One metric of a region's subtree for a period (the evidence pages show it beside its rows).
pub async fn figure(
    db: &Db,
    region: &str,
    metric: &Metric,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<f64, sqlx::Error> {
    Ok(if metric.measure == Measure::DistinctActors {
        distinct_people(db, region, metric.kind, from, to).await? as f64
    } else {
        value(metric, &region_totals(db, region, from, to).await?)
    })
}

/// Starts the rollup over: empties it and puts its cursor back to the first event; the
/// follower (or the caller, with `follow::catch_up`) then rebuilds it.
pub async fn reset(db: &Db) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("DELETE FROM ledger_daily").execute(&mut **conn).await?;
        sqlx::query("DELETE FROM ledger_daily_people").execute(&mut **conn).await?;
        sqlx::query("DELETE FROM ledger_period_people").execute(&mut **conn).await?;
        sqlx::query("DELETE FROM ledger_period_counts").execute(&mut **conn).await?;
        sqlx::query("DELETE FROM ledger_cursors WHERE name = $1").bind(FOLLOWER.name).execute(&mut **conn).await.map(|done| done.rows_affected())
    })?;
    tx.commit().await
}

/// What `verify` found: the events it read and every key whose rollup differs.
#[derive(Debug, Default)]
pub struct Verification {
    pub position: i64,
    pub events: usize,
    pub keys: usize,
    pub differences: Vec<String>,
}

/// Recomputes the rollups from the raw events up to the follower's position and compares.
pub async fn verify(app: &App) -> Result<Verification, AppError> {
    // One snapshot for everything read, so a server rolling up meanwhile changes nothing seen.
    let mut tx = app.db.begin().await?;
    if let Tx::Postgres(conn) = &mut tx {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut **conn)
            .await?;
    }
    let position: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar::<_, i64>("SELECT position FROM ledger_cursors WHERE name = $1")
            .bind(FOLLOWER.name).fetch_optional(&mut **conn).await.map(|p| p.unwrap_or(0))
    })?;
    let rows: Vec<StoredRow> = on_tx!(&mut tx, conn => {
        sqlx::query_as("SELECT region_code, kind, subject_kind, outcome, day, events, amount_fen, quantity FROM ledger_daily")
            .fetch_all(&mut **conn)
            .await
    })?;
    let stored: HashMap<DayKey, Sums> = rows
        .into_iter()
        .map(|(r, k, s, o, d, events, amount_fen, quantity)| {
            (
                (r, k, s, o, d),
                Sums {
                    events,
                    amount_fen,
                    quantity,
                },
            )
        })
        .collect();
    let stored_people: i64 = on_tx!(&mut tx, conn => {
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger_daily_people").fetch_one(&mut **conn).await
    })?;
    let stored_periods: Vec<(String, String, String, i64)> = on_tx!(&mut tx, conn => {
        sqlx::query_as("SELECT region_code, kind, period, people FROM ledger_period_counts").fetch_all(&mut **conn).await
    })?;
    let mut sums = HashMap::new();
    let mut people = Vec::new();
    let mut next = 0;
    let mut events = 0;
    const SQL: &str = concat!(
        "SELECT ",
        crate::ledger_columns!(),
        " FROM ledger_events WHERE id > $1 AND id <= $2 ORDER BY id LIMIT 50000"
    );
    loop {
        let batch: Vec<LedgerRow> = on_tx!(&mut tx, conn => {
            sqlx::query_as::<_, LedgerRow>(SQL).bind(next).bind(position).fetch_all(&mut **conn).await
        })?;
        let Some(last) = batch.last() else { break };
        next = last.id;
        events += batch.len();
        aggregate(&batch, &mut sums, &mut people);
        people.sort();
        people.dedup();
    }
    tx.commit().await?;
    let mut differences = Vec::new();
    let computed: HashMap<DayKey, Sums> = sums
        .into_iter()
        .filter(|(_, s)| *s != Sums::default())
        .map(|((r, _, k, s, o, d), sums)| ((r, k, s, o, d), sums))
        .collect();
    for (key, want) in &computed {
        let have = stored.get(key).copied().unwrap_or_default();
        if have != *want {
            differences.push(format!("{key:?}: rollup {have:?}, events {want:?}"));
        }
    }
    for (key, have) in &stored {
        if !computed.contains_key(key) && *have != Sums::default() {
            differences.push(format!("{key:?}: rollup {have:?}, events none"));
        }
    }
    if stored_people != people.len() as i64 {
        differences.push(format!(
            "distinct people rows: rollup {stored_people}, events {}",
            people.len()
        ));
    }
    let mut periods: Vec<(&str, &str, &str, i64)> = people
        .iter()
        .flat_map(|(region, kind, day, person)| {
            [&day[..7], &day[..4]].map(|period| (region.as_str(), kind.as_str(), period, *person))
        })
        .collect();
    periods.sort();
    periods.dedup();
    let mut expected: HashMap<(&str, &str, &str), i64> = HashMap::new();
    for (region, kind, period, _) in &periods {
        *expected.entry((region, kind, period)).or_default() += 1;
    }
    for (region, kind, period, have) in &stored_periods {
        let want = expected
            .remove(&(region.as_str(), kind.as_str(), period.as_str()))
            .unwrap_or(0);
        if *have != want {
            differences.push(format!(
                "people of {kind} in {region} {period}: rollup {have}, events {want}"
            ));
        }
    }
    for ((region, kind, period), want) in expected {
        differences.push(format!(
            "people of {kind} in {region} {period}: rollup 0, events {want}"
        ));
    }
    differences.sort();
    Ok(Verification {
        position,
        events,
        keys: computed.len(),
        differences,
    })
}

/// A stored rollup row: region, kind, subject kind, outcome, day and the three sums.
type StoredRow = (String, String, String, String, String, i64, i64, i64);

/// Holds the rollup's lease for a command-line rebuild (refused while a server rolls up).
pub async fn lease_for_command(app: &App) -> Result<bool, sqlx::Error> {
    lease::hold(&app.db, FOLLOWER.name, &app.node).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn event(region: &str, at: chrono::DateTime<Utc>, weight: i64, amount: i64) -> LedgerRow {
        LedgerRow {
            id: 1,
            at,
            kind: "deal.signed".into(),
            region_code: region.into(),
            actor_id: Some(7),
            subject_kind: "deal".into(),
            subject_id: 1,
            counterpart_id: None,
            amount_fen: Some(amount),
            contract_kind: None,
            outcome: None,
            quantity: None,
            source: None,
            weight,
            recorded_at: None,
        }
    }

    #[test]
    fn an_event_counts_in_its_county_city_and_province_on_its_beijing_day() {
        // 16:30 UTC on 31 March is 00:30 on 1 April in Beijing.
        let at = Utc.with_ymd_and_hms(2026, 3, 31, 16, 30, 0).unwrap();
        let mut sums = HashMap::new();
        aggregate(&[event("510104", at, 1, 500)], &mut sums, &mut Vec::new());
        let regions: Vec<_> = sums
            .keys()
            .map(|k| (k.0.as_str(), k.1.as_deref(), k.5.as_str()))
            .collect();
        assert_eq!(sums.len(), 3);
        assert!(regions.contains(&("510104", Some("5101"), "2026-04-01")));
        assert!(regions.contains(&("5101", Some("51"), "2026-04-01")));
        assert!(regions.contains(&("51", None, "2026-04-01")));
    }

    #[test]
    fn a_township_event_counts_in_the_township_and_every_region_above() {
        let at = Utc.with_ymd_and_hms(2026, 5, 1, 2, 0, 0).unwrap();
        let mut sums = HashMap::new();
        let mut people = Vec::new();
        aggregate(&[event("511623100", at, 1, 500)], &mut sums, &mut people);
        let mut regions: Vec<_> = sums
            .keys()
            .map(|k| (k.0.as_str(), k.1.as_deref()))
            .collect();
        regions.sort();
        // The township has its own row under its county, so a county's children are its
        // townships (`GET /api/v1/stats/regions/{county}/children`).
        assert_eq!(
            regions,
            [
                ("51", None),
                ("5116", Some("51")),
                ("511623", Some("5116")),
                ("511623100", Some("511623")),
            ]
        );
        assert!(sums.values().all(|s| s.events == 1 && s.amount_fen == 500));
    }

    #[test]
    fn whole_months_and_years_are_read_from_their_counts() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = day("2026-11-29");
        assert_eq!(
            calendar_period(day("2026-01-01"), today, today).as_deref(),
            Some("2026")
        );
        assert_eq!(
            calendar_period(day("2025-01-01"), day("2025-12-31"), today).as_deref(),
            Some("2025")
        );
        assert_eq!(
            calendar_period(day("2026-03-01"), day("2026-03-31"), today).as_deref(),
            Some("2026-03")
        );
        assert_eq!(
            calendar_period(day("2026-11-01"), today, today).as_deref(),
            Some("2026-11")
        );
        assert_eq!(
            calendar_period(day("2026-03-01"), day("2026-03-30"), today),
            None
        );
        assert_eq!(
            calendar_period(day("2026-03-02"), day("2026-03-31"), today),
            None
        );
        assert_eq!(
            calendar_period(day("2025-12-01"), day("2026-01-31"), today),
            None
        );
    }

    #[test]
    fn a_reversal_takes_back_its_count_and_amount() {
        let at = Utc.with_ymd_and_hms(2026, 5, 1, 2, 0, 0).unwrap();
        let mut sums = HashMap::new();
        aggregate(
            &[
                event("510104", at, 1, 1_000_000),
                event("510104", at, -1, -1_000_000),
            ],
            &mut sums,
            &mut Vec::new(),
        );
        assert!(sums.values().all(|s| *s == Sums::default()));
    }
}
