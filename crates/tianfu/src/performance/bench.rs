//! `tianfu bench performance`: 精准绩效 at province scale. Fills a fresh database with the daily
//! rollups that `events` ledger events over a whole year leave (per county, kind and day, with
//! their cities' and the province's rows), a year's system with targets and residents, then
//! times the scores of all 204 units for the year (live, from the rollups), publishing the
//! twelve months, and the dashboard API's work: a published month's sheet read, filtered to a
//! caller and serialised, and the live year's.

use std::collections::HashMap;
use std::fmt::Write;
use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use tianfu_search::bench::percentiles;

use super::indicators::model::{IndicatorSystemInput, Population, Target, default_indicators};
use super::indicators::{store, validate};
use super::scores::period::{ScorePeriod, Span};
use super::scores::service::{self, PROVINCE};
use super::scores::visible;
use crate::platform::auth::Actor;
use crate::platform::scratch::{Lcg, Scratch, ms};
use crate::{App, on_db};

const BATCH: usize = 2000;
const SAMPLES: usize = 200;

/// The kinds in the mix, their subject kinds and how often each occurs.
const MIX: &[(&str, &str, u64)] = &[
    ("user.registered", "worker", 20),
    ("user.registered", "public", 20),
    ("user.registered", "org", 3),
    ("studio.opened", "studio", 1),
    ("listing.published", "offer", 8),
    ("listing.published", "need", 8),
    ("listing.published", "achievement", 2),
    ("inquiry.opened", "inquiry", 10),
    ("ticket.opened", "person", 10),
    ("deal.signed", "deal", 3),
    ("achievement.transferred", "deal", 1),
    ("kepu.served", "resource", 60),
    ("question.answered", "question", 3),
    ("volunteer.served", "activity", 2),
];

pub async fn run(events: u64, postgres: Option<String>) -> anyhow::Result<String> {
    let scratch = Scratch::start("performance", postgres.as_deref()).await?;
    let result = measure(&scratch.app, events).await;
    scratch.finish().await?;
    result
}

type Sums = (i64, i64, i64);

/// The rollup rows of `events` events over `year`: (region, parent, kind, subject, day) → sums.
fn rollups(
    app: &App,
    events: u64,
    year: i32,
) -> HashMap<(String, String, &'static str, &'static str, String), Sums> {
    let (_, counties) = service::units(app);
    let weights: u64 = MIX.iter().map(|m| m.2).sum();
    let days: Vec<NaiveDate> = (0..365)
        .filter_map(|d| NaiveDate::from_ymd_opt(year, 1, 1).map(|f| f + chrono::Duration::days(d)))
        .collect();
    let per_cell = events as f64 / (counties.len() * days.len()) as f64 / weights as f64;
    let mut rng = Lcg(13);
    let mut rows = HashMap::new();
    for county in &counties {
        // Counties differ: a factor between 0.3 and 1.7.
        let size = 0.3 + rng.below(1400) as f64 / 1000.0;
        for (kind, subject, weight) in MIX {
            for day in &days {
                let n = (per_cell * *weight as f64 * size).round() as i64;
                if n == 0 {
                    continue;
                }
                let amount = if kind.starts_with("deal.") || kind.starts_with("achievement.") {
                    n * (rng.below(500) as i64 + 1) * 1_000_000
                } else {
                    0
                };
                let quantity = if *kind == "volunteer.served" {
                    n * 120
                } else {
                    0
                };
                for level in county.ancestors_and_self() {
                    let parent = level.parent().map_or(String::new(), |p| p.to_string());
                    let key = (level.to_string(), parent, *kind, *subject, day.to_string());
                    let sums: &mut Sums = rows.entry(key).or_default();
                    sums.0 += n;
                    sums.1 += amount;
                    sums.2 += quantity;
                }
            }
        }
    }
    rows
}

async fn seed(app: &App, events: u64, year: i32) -> anyhow::Result<usize> {
    let rows: Vec<_> = rollups(app, events, year).into_iter().collect();
    on_db!(&app.db, pool => {
        let mut tx = pool.begin().await?;
        for statement in rows.chunks(BATCH) {
            let mut query = sqlx::QueryBuilder::new(
                "INSERT INTO ledger_daily (region_code, parent_code, kind, subject_kind, outcome, day, events, amount_fen, quantity) ",
            );
            query.push_values(statement, |mut b, ((region, parent, kind, subject, day), (n, amount, quantity))| {
                let parent = (!parent.is_empty()).then_some(parent.as_str());
                b.push_bind(region.as_str()).push_bind(parent).push_bind(*kind).push_bind(*subject).push_bind("")
                    .push_bind(day.as_str()).push_bind(*n).push_bind(*amount).push_bind(*quantity);
            });
            query.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<(), sqlx::Error>(())
    })?;
    // As autovacuum and the planner's statistics would after a day of steady rollups: on
    // PostgreSQL an index-only scan needs the visibility map.
    on_db!(&app.db, pool => {
        let sql = if app.db.backend_name() == "postgres" { "VACUUM ANALYZE ledger_daily" } else { "ANALYZE ledger_daily" };
        sqlx::raw_sql(sql).execute(pool).await.map(|_| ())
    })?;
    // 服务群众数 for the year and each month: about half the services are repeat visits.
    let mut people: HashMap<(String, String), i64> = HashMap::new();
    for ((region, _, kind, _, day), (n, _, _)) in &rows {
        if *kind == "kepu.served" {
            *people
                .entry((region.clone(), year.to_string()))
                .or_default() += n / 2;
            *people
                .entry((region.clone(), day[..7].to_owned()))
                .or_default() += n / 2;
        }
    }
    let people: Vec<_> = people.into_iter().collect();
    on_db!(&app.db, pool => {
        for statement in people.chunks(BATCH) {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO ledger_period_counts (region_code, kind, period, people) ");
            query.push_values(statement, |mut b, ((region, period), n)| {
                b.push_bind(region.as_str()).push_bind("kepu.served").push_bind(period.as_str()).push_bind(*n);
            });
            query.build().execute(pool).await?;
        }
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(rows.len())
}

async fn system(app: &App, year: i32, events: u64) -> anyhow::Result<()> {
    let (cities, counties) = service::units(app);
    let mut populations: Vec<Population> = cities
        .iter()
        .chain(&counties)
        .map(|c| Population {
            region_code: c.to_string(),
            residents: if c.as_str().len() == 4 {
                4_000_000
            } else {
                450_000
            },
        })
        .collect();
    populations.push(Population {
        region_code: PROVINCE.into(),
        residents: 84_000_000,
    });
    let mut targets = Vec::new();
    for indicator in default_indicators() {
        for m in indicator.metrics {
            if targets.iter().any(|t: &Target| t.metric == m.metric) {
                continue;
            }
            targets.push(Target {
                region_code: PROVINCE.into(),
                metric: m.metric.clone(),
                value: (events as f64 / 50.0).max(1.0),
            });
        }
    }
    let input = IndicatorSystemInput {
        indicators: default_indicators(),
        targets,
        populations,
        alert_below: None,
        cap: None,
        base_version: None,
        note: Some("bench".into()),
    };
    let checked = validate::check(input, &app.regions).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    store::save(
        &app.db,
        year,
        checked,
        None,
        (None, "bench"),
        app.clock.now(),
    )
    .await
    .map_err(app_error)?;
    Ok(())
}

fn app_error(e: crate::platform::error::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e} ({:?})", std::error::Error::source(&e))
}

async fn measure(app: &App, events: u64) -> anyhow::Result<String> {
    let mut out = String::new();
    let year = crate::platform::clock::shanghai_date(app.clock.now()).year() - 1;
    writeln!(
        out,
        "performance benchmark on {}: the rollups of {events} events over {year}",
        app.db.backend_name()
    )?;
    let started = Instant::now();
    let rows = seed(app, events, year).await?;
    writeln!(
        out,
        "  seeded {rows} rollup rows in {:.1} s",
        started.elapsed().as_secs_f64()
    )?;
    system(app, year, events).await?;

    let whole = ScorePeriod {
        year,
        span: Span::Year,
    };
    let system = store::find(&app.db, year, None)
        .await
        .map_err(app_error)?
        .expect("saved");
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let sheet = service::compute_with(app, &system, whole)
            .await
            .map_err(app_error)?;
        times.push(started.elapsed());
        anyhow::ensure!(
            sheet.cities.len() + sheet.counties.len() >= 204,
            "all units scored"
        );
    }
    times.sort();
    writeln!(
        out,
        "  scores of all 204 units for the year: median {:.0} ms, slowest {:.0} ms (target < 2000 ms)",
        ms(times[2]),
        ms(times[4])
    )?;

    let started = Instant::now();
    for month in 1..=12 {
        service::publish(
            app,
            ScorePeriod {
                year,
                span: Span::Month(month),
            },
        )
        .await
        .map_err(app_error)?;
    }
    writeln!(
        out,
        "  publishing the twelve months: {:.1} s",
        started.elapsed().as_secs_f64()
    )?;

    let county_staff = Actor {
        id: tianfu_domain::UserId(1),
        role: tianfu_domain::Role::Staff,
        name: "bench".into(),
        phone: String::new(),
        region: service::units(app).1[0].clone(),
        region_name: String::new(),
        department: None,
        badges: Default::default(),
    };
    let mut rng = Lcg(5);
    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let month = ScorePeriod {
            year,
            span: Span::Month(rng.below(12) as u32 + 1),
        };
        let started = Instant::now();
        let sheet = service::sheet(app, month).await.map_err(app_error)?;
        let lines = visible::lines(&county_staff, &sheet, &sheet.counties);
        let body = serde_json::to_string(&lines)?;
        times.push(started.elapsed());
        std::hint::black_box(body);
    }
    let (p50, p99) = percentiles(times);
    writeln!(
        out,
        "  dashboard API, a published month's county ranking (read, scope, JSON): p50 {:.1} ms, p99 {:.1} ms (target p99 < 100 ms)",
        ms(p50),
        ms(p99)
    )?;
    let started = Instant::now();
    let sheet = service::sheet(app, whole).await.map_err(app_error)?;
    std::hint::black_box(serde_json::to_string(&sheet.cities)?);
    writeln!(
        out,
        "  dashboard API, the year not yet published, first call (computed with movement): {:.0} ms",
        ms(started.elapsed())
    )?;
    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let started = Instant::now();
        let sheet = service::sheet(app, whole).await.map_err(app_error)?;
        let lines = visible::lines(&county_staff, &sheet, &sheet.cities);
        let body = serde_json::to_string(&lines)?;
        times.push(started.elapsed());
        std::hint::black_box(body);
    }
    let (p50, p99) = percentiles(times);
    writeln!(
        out,
        "  dashboard API, the same within the minute the live sheet is shared: p50 {:.1} ms, p99 {:.1} ms (target p99 < 100 ms)",
        ms(p50),
        ms(p99)
    )?;
    Ok(out)
}
