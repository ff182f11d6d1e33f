//! `tianfu bench stats`: the ledger at province scale. Fills a fresh database (SQLite in a temp
//! folder, or a new PostgreSQL database next to `--postgres`) with `events` ledger events over
//! the last year, spread over every county and the kinds the figures count, then measures the
//! rollup follower's catch-up rate, a province's figures for the year, a county's evidence page
//! (`/events`), and `stats verify`.

use std::fmt::Write;
use std::time::Instant;

use chrono::{Duration, Utc};
use tianfu_domain::{RegionCode, RegionLevel};
use tianfu_search::bench::percentiles;

use super::service::{self, Period};
use crate::ledger::catalogue;
use crate::ledger::{follow, rollup};
use crate::platform::api::Paging;
use crate::platform::scratch::{Lcg, Scratch, ms};
use crate::{App, on_db};

/// Rows per multi-row INSERT: well inside both engines' parameter limits.
const BATCH: usize = 2000;
const SAMPLES: usize = 200;

/// Kinds in the mix, with how often each occurs (registrations and views dominate, deals are rare).
const MIX: &[(&str, &str, u64)] = &[
    ("user.registered", "worker", 20),
    ("user.registered", "public", 20),
    ("user.registered", "org", 3),
    ("listing.published", "offer", 8),
    ("listing.published", "need", 8),
    ("inquiry.opened", "inquiry", 10),
    ("ticket.opened", "person", 10),
    ("ticket.followed_up", "person", 15),
    ("deal.signed", "deal", 3),
    ("achievement.transferred", "deal", 1),
    ("kepu.served", "resource", 2),
];

pub async fn run(events: usize, postgres: Option<String>) -> anyhow::Result<String> {
    let scratch = Scratch::start("stats", postgres.as_deref()).await?;
    let result = measure(&scratch.app, events).await;
    scratch.finish().await?;
    result
}

async fn measure(app: &App, events: usize) -> anyhow::Result<String> {
    let mut out = String::new();
    let backend = app.db.backend_name();
    writeln!(
        out,
        "ledger benchmark on {backend}: {events} events over the last 365 days"
    )?;
    let counties: Vec<RegionCode> = app
        .regions
        .children(None)
        .into_iter()
        .flat_map(|p| app.regions.children(Some(&p.code)))
        .flat_map(|c| app.regions.children(Some(&c.code)))
        .filter(|r| r.level() == RegionLevel::County)
        .map(|r| r.code.clone())
        .collect();
    anyhow::ensure!(!counties.is_empty(), "no counties in the region tree");

    let started = Instant::now();
    seed(app, events, &counties).await?;
    let seeded = started.elapsed();
    writeln!(
        out,
        "  seeded {events} events in {:.1} s ({:.0} events/s)",
        seeded.as_secs_f64(),
        events as f64 / seeded.as_secs_f64()
    )?;

    let started = Instant::now();
    let rolled = follow::catch_up(app, &rollup::FOLLOWER)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let took = started.elapsed();
    writeln!(
        out,
        "  rollup catch-up: {rolled} events in {:.1} s = {:.0} events/s",
        took.as_secs_f64(),
        rolled as f64 / took.as_secs_f64()
    )?;

    let today = crate::platform::clock::shanghai_date(app.clock.now());
    let this_year =
        service::period(None, None, app.clock.now()).map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let last_365 = Period {
        from: today - Duration::days(365),
        to: today,
    };
    for (label, period) in [
        ("this year so far (the API's default)", this_year),
        ("the last 365 days (any period)", last_365),
    ] {
        let mut times = Vec::with_capacity(SAMPLES);
        for _ in 0..SAMPLES {
            let started = Instant::now();
            let figures =
                rollup::figures(&app.db, service::PROVINCE, period.from, period.to).await?;
            times.push(started.elapsed());
            std::hint::black_box(figures);
        }
        let (p50, p99) = percentiles(times);
        writeln!(
            out,
            "  province figures, {label}: p50 {:.2} ms, p99 {:.2} ms",
            ms(p50),
            ms(p99)
        )?;
    }
    let year = last_365;

    let metric = catalogue::metric_named("deals_signed").expect("defined");
    let mut rng = Lcg(7);
    let mut times = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let county = &counties[rng.below(counties.len() as u64) as usize];
        let paging = Paging {
            page: Some(1),
            per_page: Some(20),
        };
        let started = Instant::now();
        let page = service::evidence(app, county, year, metric, paging)
            .await
            .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        times.push(started.elapsed());
        std::hint::black_box(page);
    }
    let (p50, p99) = percentiles(times);
    writeln!(
        out,
        "  a county's /events page (deals signed, a year, 20 rows and the total): p50 {:.2} ms, p99 {:.2} ms",
        ms(p50),
        ms(p99)
    )?;

    let started = Instant::now();
    let verification = rollup::verify(app)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    writeln!(
        out,
        "  stats verify: {} events, {} rollup keys, {} differences in {:.1} s",
        verification.events,
        verification.keys,
        verification.differences.len(),
        started.elapsed().as_secs_f64()
    )?;
    let size: Option<i64> = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger_daily").fetch_optional(pool).await
    })?;
    writeln!(out, "  rollup rows: {}", size.unwrap_or(0))?;
    Ok(out)
}

/// `events` rows spread over the counties and the last year, in multi-row INSERTs, fifty to a
/// transaction (a commit per statement would time the disk, not the database).
async fn seed(app: &App, events: usize, counties: &[RegionCode]) -> anyhow::Result<()> {
    let total_weight: u64 = MIX.iter().map(|m| m.2).sum();
    let now = Utc::now();
    let mut rng = Lcg(42);
    let mut written = 0;
    while written < events {
        let chunk = (BATCH * 50).min(events - written);
        let rows: Vec<_> = (0..chunk)
            .map(|i| {
                let mut pick = rng.below(total_weight);
                let (kind, subject_kind, _) = MIX
                    .iter()
                    .find(|m| {
                        if pick < m.2 {
                            true
                        } else {
                            pick -= m.2;
                            false
                        }
                    })
                    .copied()
                    .expect("weights add up");
                let county = &counties[rng.below(counties.len() as u64) as usize];
                let at = now - Duration::seconds(rng.below(365 * 86_400) as i64);
                let amount = kind.starts_with("deal.") || kind.starts_with("achievement.");
                let amount = amount.then(|| (rng.below(500) as i64 + 1) * 1_000_000);
                let actor = rng.below(5_000_000) as i64 + 1;
                let subject = (written + i) as i64;
                (
                    at,
                    kind,
                    county.as_str().to_owned(),
                    actor,
                    subject_kind,
                    subject,
                    amount,
                )
            })
            .collect();
        on_db!(&app.db, pool => {
            let mut tx = pool.begin().await?;
            for statement in rows.chunks(BATCH) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO ledger_events (at, kind, region_code, actor_id, subject_kind, subject_id, amount_fen) ",
                );
                query.push_values(statement, |mut b, (at, kind, region, actor, subject_kind, subject, amount)| {
                    b.push_bind(*at).push_bind(*kind).push_bind(region).push_bind(*actor).push_bind(*subject_kind)
                        .push_bind(*subject).push_bind(*amount);
                });
                query.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<(), sqlx::Error>(())
        })?;
        written += chunk;
    }
    Ok(())
}
