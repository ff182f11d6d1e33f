//! `tianfu bench push`: a province-wide push fanned out to `residents` residents. Fills a fresh
//! database (SQLite in a temp folder, or a new PostgreSQL database next to `--postgres`) with the
//! residents (spread over every county of Sichuan, each with an audience group, a third with an
//! interest), a published resource and a campaign to all of them; then times the preview count,
//! the fan-out to completion (deliveries and notifications per second), and — while the job
//! runs — the latency of a request-sized read (a resident's newest notifications) and of the
//! campaign's progress row; finally the campaign page's figures by region.

use std::fmt::Write;
use std::time::{Duration as StdDuration, Instant};

use chrono::Utc;
use tianfu_domain::RegionCode;
use tianfu_search::bench::percentiles;

use super::fanout;
use super::store;
use super::target::Target;
use crate::platform::scratch::Scratch;
use crate::{App, AppState, on_db};

/// Residents per seeding statement.
const SEED_BATCH: i64 = 100_000;

pub async fn run(residents: usize, postgres: Option<String>) -> anyhow::Result<String> {
    let scratch = Scratch::start("push", postgres.as_deref()).await?;
    let result = measure(&scratch.app, residents as i64).await;
    scratch.finish().await?;
    result
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn failed(e: crate::platform::error::AppError) -> anyhow::Error {
    anyhow::anyhow!(e.to_string())
}

async fn measure(app: &AppState, residents: i64) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "push fan-out benchmark on {}: {residents} residents, one province-wide campaign",
        app.db.backend_name()
    )?;
    let started = Instant::now();
    let (author, resource) = seed(app, residents).await?;
    let seeded = started.elapsed();
    writeln!(
        out,
        "  seeded {residents} residents with profiles and interests in {:.1} s",
        seeded.as_secs_f64()
    )?;

    let target = Target {
        region: RegionCode::parse("51")?,
        audiences: Vec::new(),
        interests: Vec::new(),
    };
    let started = Instant::now();
    let recipients = target.count(&app.db).await.map_err(failed)?;
    writeln!(
        out,
        "  preview count (province, no filter): {recipients} in {:.1} ms",
        ms(started.elapsed())
    )?;
    let narrow = Target {
        region: RegionCode::parse("5116")?,
        audiences: vec![crate::kepu::audience::Audience::Farmer],
        interests: vec!["agriculture".into()],
    };
    let started = Instant::now();
    let narrow_count = narrow.count(&app.db).await.map_err(failed)?;
    writeln!(
        out,
        "  preview count (a city, farmers, interest agriculture): {narrow_count} in {:.1} ms",
        ms(started.elapsed())
    )?;
    let push = store::send(
        &app.db,
        author,
        resource,
        &target,
        recipients,
        app.clock.now(),
    )
    .await
    .map_err(failed)?
    .ok_or_else(|| anyhow::anyhow!("the bench's resource is not published"))?;

    // The fan-out in the background, as the server runs it; requests sampled meanwhile.
    let job_app = app.clone();
    let started = Instant::now();
    let job = tokio::spawn(async move { fanout::pass(&job_app, false).await });
    let mut notes = Vec::new();
    let mut progress = Vec::new();
    let mut user = 1_i64;
    while !job.is_finished() {
        user = (user * 7919 + 13) % residents.max(1) + 1;
        let t = Instant::now();
        let rows: Vec<(i64, String)> = on_db!(&app.db, pool => {
            sqlx::query_as("SELECT id, text FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT 20")
                .bind(user).fetch_all(pool).await
        })?;
        notes.push(t.elapsed());
        std::hint::black_box(rows);
        let t = Instant::now();
        let row = store::find(&app.db, push).await.map_err(failed)?;
        progress.push(t.elapsed());
        std::hint::black_box(row);
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    let report = job.await?.map_err(failed)?;
    let took = started.elapsed();
    let delivered: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM kepu_push_deliveries WHERE push_id = $1").bind(push).fetch_one(pool).await
    })?;
    let told: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications").fetch_one(pool).await
    })?;
    writeln!(
        out,
        "  fan-out: {delivered} deliveries and {told} notifications in {:.1} s = {:.0} recipients/s (job reported {} told)",
        took.as_secs_f64(),
        delivered as f64 / took.as_secs_f64(),
        report.delivered
    )?;
    let samples = notes.len();
    let (p50, p99) = percentiles(notes);
    writeln!(
        out,
        "  meanwhile, a resident's newest notifications ({samples} requests): p50 {:.1} ms, p99 {:.1} ms",
        ms(p50),
        ms(p99)
    )?;
    let (p50, p99) = percentiles(progress);
    writeln!(
        out,
        "  meanwhile, the campaign's progress row: p50 {:.1} ms, p99 {:.1} ms",
        ms(p50),
        ms(p99)
    )?;
    let row = store::find(&app.db, push)
        .await
        .map_err(failed)?
        .ok_or_else(|| anyhow::anyhow!("the campaign vanished"))?;
    let started = Instant::now();
    let regions = store::figures_by_region(&app.db, &row)
        .await
        .map_err(failed)?;
    writeln!(
        out,
        "  the campaign page's figures by region ({} cities) after: {:.1} ms; status {}",
        regions.len(),
        ms(started.elapsed()),
        row.status
    )?;
    // A second campaign to the same residents: each now has a delivery this week, so the
    // weekly-limit check reads a million earlier deliveries on the way.
    let second = store::send(
        &app.db,
        author,
        resource,
        &target,
        recipients,
        app.clock.now(),
    )
    .await
    .map_err(failed)?
    .ok_or_else(|| anyhow::anyhow!("the bench's resource is not published"))?;
    let started = Instant::now();
    let report = fanout::pass(app, false).await.map_err(failed)?;
    let took = started.elapsed();
    writeln!(
        out,
        "  a second campaign to the same residents (one delivery each already): {} told in {:.1} s = {:.0} recipients/s (push {second})",
        report.delivered,
        took.as_secs_f64(),
        report.delivered as f64 / took.as_secs_f64()
    )?;
    Ok(out)
}

/// A kepu staff author, a published resource, and `residents` residents with profiles and
/// interests, set-wise.
async fn seed(app: &App, residents: i64) -> anyhow::Result<(i64, i64)> {
    let now = Utc::now();
    let author: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar(
            "INSERT INTO users (role, phone, password_hash, name, region_code, department, created_at) \
             VALUES ('staff', '13900000000', 'x', '省科普部', '51', 'kepu', $1) RETURNING id",
        )
        .bind(now).fetch_one(pool).await
    })?;
    let resource: i64 = on_db!(&app.db, pool => {
        sqlx::query_scalar(
            "INSERT INTO kepu_resources (author_id, title, summary, body_html, body_text, format, channel, audiences, tags, status, created_at, updated_at, published_at) \
             VALUES ($1, '柑橘冬季防冻十招', '冬季防冻', '<p>冬季防冻</p>', '冬季防冻', 'article', 'agriculture', '[\"farmer\"]', '[\"柑橘\"]', 'published', $2, $2, $2) RETURNING id",
        )
        .bind(author).bind(now).fetch_one(pool).await
    })?;
    let mut from = 1;
    while from <= residents {
        let to = (from + SEED_BATCH - 1).min(residents);
        on_db!(&app.db, pool => {
            sqlx::query(
                "WITH RECURSIVE g(n) AS (SELECT CAST($1 AS BIGINT) UNION ALL SELECT n + 1 FROM g WHERE n < $2), \
                 c AS (SELECT code, ROW_NUMBER() OVER (ORDER BY code) - 1 AS k FROM regions WHERE LENGTH(code) = 6 AND code LIKE '51%') \
                 INSERT INTO users (role, phone, password_hash, name, region_code, created_at) \
                 SELECT 'public', '15' || CAST(n AS TEXT), 'x', '居民' || CAST(n AS TEXT), c.code, $3 FROM g \
                 JOIN c ON c.k = n % (SELECT COUNT(*) FROM c)",
            )
            .bind(from).bind(to).bind(now).execute(pool).await.map(|_| ())
        })?;
        from = to + 1;
    }
    on_db!(&app.db, pool => async {
        sqlx::query(
            "INSERT INTO kepu_profiles (user_id, audience, updated_at) \
             SELECT id, CASE id % 5 WHEN 0 THEN 'youth' WHEN 1 THEN 'farmer' WHEN 2 THEN 'worker' WHEN 3 THEN 'elder' ELSE 'cadre' END, $1 \
             FROM users WHERE role = 'public'",
        )
        .bind(now).execute(pool).await?;
        sqlx::query(
            "INSERT INTO kepu_interests (user_id, interest, chosen, weight, updated_at) \
             SELECT id, 'agriculture', TRUE, 1.0, $1 FROM users WHERE role = 'public' AND id % 3 = 0",
        )
        .bind(now).execute(pool).await?;
        Ok::<(), sqlx::Error>(())
    }.await)?;
    Ok((author, resource))
}
