//! `tianfu bench activities`: a popular activity under a rush. Fills a fresh database (SQLite in
//! a temp folder, or a new PostgreSQL database next to `--postgres`) with `residents` residents
//! and `activities` activities over every county; then `residents` sign-ups race for one
//! activity's `seats` seats from 32 concurrent tasks (the acts themselves, no HTTP), a tenth of
//! the confirmed cancel at once (each seat passing to the waiting list), the rest check in with
//! one-use codes; every figure is checked (exactly `seats` confirmed, no seat lost, one check-in
//! each) and the rates and latencies printed, with the "activities near me" list's latency.

use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, Utc};
use tianfu_domain::UserId;
use tianfu_search::bench::percentiles;
use tokio::sync::Semaphore;

use super::checkin;
use super::rules::Role;
use super::service;
use super::store::ActivityFilter;
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, actor_by_id};
use crate::platform::scratch::Scratch;
use crate::{AppState, on_db};

const CONCURRENCY: usize = 32;

pub async fn run(
    residents: usize,
    activities: usize,
    seats: i64,
    postgres: Option<String>,
) -> anyhow::Result<String> {
    let scratch = Scratch::start("activities", postgres.as_deref()).await?;
    let result = measure(&scratch.app, residents as i64, activities as i64, seats).await;
    scratch.finish().await?;
    result
}

fn failed(e: crate::platform::error::AppError) -> anyhow::Error {
    anyhow::anyhow!(e.to_string())
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `work` for every item on 32 tasks; answers each call's latency.
async fn rush<T, F, Fut>(items: Vec<T>, work: F) -> anyhow::Result<(StdDuration, Vec<StdDuration>)>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let gate = Arc::new(Semaphore::new(CONCURRENCY));
    let work = Arc::new(work);
    let started = Instant::now();
    let mut handles = Vec::new();
    for item in items {
        let permit = gate.clone().acquire_owned().await?;
        let work = work.clone();
        handles.push(tokio::spawn(async move {
            let at = Instant::now();
            let done = work(item).await;
            drop(permit);
            done.map(|_| at.elapsed())
        }));
    }
    let mut latencies = Vec::new();
    for handle in handles {
        latencies.push(handle.await??);
    }
    Ok((started.elapsed(), latencies))
}

async fn measure(
    app: &AppState,
    residents: i64,
    activities: i64,
    seats: i64,
) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "activities benchmark on {}: {residents} residents rush {seats} seats; {activities} activities listed",
        app.db.backend_name()
    )?;
    let now = Utc::now();
    let started = Instant::now();
    let staff: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "INSERT INTO users (role, phone, password_hash, name, region_code, department, created_at) \
         VALUES ('staff', '13900000000', 'x', '省科普部', '51', 'kepu', $1) RETURNING id")
        .bind(now).fetch_one(pool).await)?;
    on_db!(&app.db, pool => async {
        sqlx::query(
            "WITH RECURSIVE g(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM g WHERE n < $1), \
             c AS (SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS k FROM regions WHERE LENGTH(code) = 6 AND code LIKE '51%') \
             INSERT INTO users (role, phone, password_hash, name, region_code, created_at) \
             SELECT 'public', '15' || CAST(n AS TEXT), 'x', '居民' || CAST(n AS TEXT), c.code, $2 FROM g \
             JOIN c ON c.k = n % (SELECT COUNT(*) FROM c)")
            .bind(residents).bind(now).execute(pool).await?;
        // Activities over the coming three months in every county, for the list.
        sqlx::query(
            "WITH RECURSIVE g(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM g WHERE n < $1), \
             c AS (SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS k FROM regions WHERE LENGTH(code) = 6 AND code LIKE '51%') \
             INSERT INTO kepu_activities (title, description, region_code, organiser_id, audiences, starts_at, ends_at, capacity, confirmed, status, created_at, updated_at) \
             SELECT '科普讲座' || CAST(n AS TEXT), '', c.code, $2, '[]', $3, $4, 50, 0, 'open', $5, $5 FROM g \
             JOIN c ON c.k = n % (SELECT COUNT(*) FROM c)")
            .bind(activities).bind(staff).bind(now + Duration::days(5)).bind(now + Duration::days(5) + Duration::hours(2)).bind(now)
            .execute(pool).await?;
        Ok::<(), sqlx::Error>(())
    }.await)?;
    writeln!(out, "  seeded in {:.1} s", started.elapsed().as_secs_f64())?;

    let organiser = actor_by_id(&app.db, UserId(staff))
        .await
        .map_err(failed)?
        .expect("staff");
    let start = app.clock.now() + Duration::minutes(30);
    let id = service::create(
        app,
        &organiser,
        &service::ActivityInput {
            title: "院士科普报告会".into(),
            region_code: "510104".into(),
            starts_at: start.to_rfc3339(),
            ends_at: (start + Duration::hours(2)).to_rfc3339(),
            capacity: seats,
            ..Default::default()
        },
        None,
    )
    .await
    .map_err(failed)?;
    let ids: Vec<i64> = on_db!(&app.db, pool => sqlx::query_scalar("SELECT id FROM users WHERE role = 'public' ORDER BY id")
        .fetch_all(pool).await)?;
    let mut people: Vec<Actor> = Vec::with_capacity(ids.len());
    for user in ids {
        people.push(
            actor_by_id(&app.db, UserId(user))
                .await
                .map_err(failed)?
                .expect("resident"),
        );
    }

    let app2 = app.clone();
    let (took, latencies) = rush(people.clone(), move |person: Actor| {
        let app = app2.clone();
        async move {
            service::sign_up(&app, &person, id, Role::Attendee)
                .await
                .map_err(failed)?;
            Ok(())
        }
    })
    .await?;
    let (p50, p99) = percentiles(latencies);
    let (p50, p99) = (ms(p50), ms(p99));
    let (confirmed, waiting): (i64, i64) = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT COALESCE(SUM(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0) \
         FROM kepu_signups WHERE activity_id = $1").bind(id).fetch_one(pool).await)?;
    anyhow::ensure!(
        confirmed == seats.min(residents),
        "{confirmed} confirmed for {seats} seats"
    );
    writeln!(
        out,
        "  {residents} sign-ups from {CONCURRENCY} tasks: {:.0}/s, p50 {p50:.1} ms, p99 {p99:.1} ms — {confirmed} confirmed, {waiting} waiting (exact)",
        residents as f64 / took.as_secs_f64()
    )?;

    let leaving: Vec<Actor> = people.iter().take((seats / 10) as usize).cloned().collect();
    let left = leaving.len();
    let app2 = app.clone();
    let (took, latencies) = rush(leaving, move |person: Actor| {
        let app = app2.clone();
        async move {
            service::cancel(&app, &person, id).await.map_err(failed)?;
            Ok(())
        }
    })
    .await?;
    let (p50, p99) = percentiles(latencies);
    let (p50, p99) = (ms(p50), ms(p99));
    let (seated, kept): (i64, i64) = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT (SELECT confirmed FROM kepu_activities WHERE id = $1), \
         (SELECT COUNT(*) FROM kepu_signups WHERE activity_id = $1 AND status = 'confirmed')").bind(id).fetch_one(pool).await)?;
    anyhow::ensure!(
        seated == kept && kept == confirmed.min(confirmed - left as i64 + waiting),
        "seats {seated}, confirmed rows {kept}"
    );
    writeln!(
        out,
        "  {left} cancellations at once: {:.0}/s, p50 {p50:.1} ms, p99 {p99:.1} ms — each seat passed on ({kept} confirmed)",
        left as f64 / took.as_secs_f64()
    )?;

    let attending: Vec<i64> = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT user_id FROM kepu_signups WHERE activity_id = $1 AND status = 'confirmed' ORDER BY id").bind(id).fetch_all(pool).await)?;
    let by_id: std::collections::HashMap<i64, Actor> =
        people.into_iter().map(|p| (p.id.0, p)).collect();
    let comers: Vec<Actor> = attending
        .iter()
        .filter_map(|u| by_id.get(u).cloned())
        .collect();
    let count = comers.len();
    let app2 = app.clone();
    let organiser2 = organiser.clone();
    let (took, latencies) = rush(comers, move |person: Actor| {
        let app = app2.clone();
        let organiser = organiser2.clone();
        async move {
            let code = checkin::current(&app, &organiser, id, None)
                .await
                .map_err(failed)?;
            // The screen's code may be taken by someone else first: scan the next one.
            let mut code = code.code;
            for _ in 0..50 {
                match checkin::check_in(&app, &person, id, &code).await {
                    Ok(_) => return Ok(()),
                    Err(crate::platform::error::AppError::Conflict { .. }) => {
                        code = checkin::issue(&app, &organiser, id, None)
                            .await
                            .map_err(failed)?
                            .code;
                    }
                    Err(e) => return Err(failed(e)),
                }
            }
            anyhow::bail!("no code for {}", person.id.0)
        }
    })
    .await?;
    let (p50, p99) = percentiles(latencies);
    let (p50, p99) = (ms(p50), ms(p99));
    let booked: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM ledger_events WHERE kind = 'kepu.served' AND subject_kind = 'activity' AND subject_id = $1").bind(id).fetch_one(pool).await)?;
    anyhow::ensure!(
        booked == count as i64,
        "{booked} booked for {count} check-ins"
    );
    writeln!(
        out,
        "  {count} check-ins with one-use codes: {:.0}/s, p50 {p50:.1} ms, p99 {p99:.1} ms — {booked} booked in 服务量, one each",
        count as f64 / took.as_secs_f64()
    )?;

    let county = tianfu_domain::RegionCode::parse("511623")?;
    let mut list = Vec::new();
    for _ in 0..200 {
        let filter = ActivityFilter {
            region: Some(county.clone()),
            upcoming: Some(true),
            now: Some(app.clock.now()),
            open_only: true,
            ..Default::default()
        };
        let at = Instant::now();
        service::list(
            app,
            &filter,
            Paging {
                page: Some(1),
                per_page: Some(20),
            },
        )
        .await
        .map_err(failed)?;
        list.push(at.elapsed());
    }
    let (p50, p99) = percentiles(list);
    let (p50, p99) = (ms(p50), ms(p99));
    writeln!(
        out,
        "  activities near me (a county, coming, first page of 20 with the total): p50 {p50:.1} ms, p99 {p99:.1} ms"
    )?;
    Ok(out)
}
