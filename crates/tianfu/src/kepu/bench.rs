//! `tianfu bench kepu`: 精准科普 at province scale. Fills a fresh database (SQLite in a temp
//! folder, or a new PostgreSQL database next to `--postgres`) with residents (profiles and
//! interests) and published resources (with their feed terms) in every county, then measures
//! the feed (p50/p99 with 32 clients), the view recorder and the booking job (views per second),
//! and 服务群众数 for the province over a year of views.

use std::fmt::Write;
use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use tianfu_domain::{Department, RegionCode, RegionLevel, Role, UserId};
use tianfu_search::bench::percentiles;

use super::feed;
use super::views::{self, Hit};
use crate::ledger::{follow, rollup};
use crate::platform::auth::Actor;
use crate::platform::scratch::Scratch;
use crate::{App, on_db};

const BATCH: usize = 1_000;
const CLIENTS: usize = 32;
const FEEDS_PER_CLIENT: usize = 40;
/// Residents whose reading history is seeded (the feed skips what they read).
const SAMPLED: usize = 2_000;

const CHANNELS: &[&str] = &[
    "encyclopedia",
    "health",
    "safety",
    "frontier",
    "practical",
    "earth",
    "emergency",
    "agriculture",
];
const AUDIENCES: &[&str] = &["youth", "farmer", "worker", "elder", "cadre"];

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Three hundred tags, as a province's resources would carry.
fn tag(n: usize) -> String {
    const STEMS: &[&str] = &[
        "柑橘",
        "猕猴桃",
        "茶叶",
        "水稻",
        "生猪",
        "蛋鸡",
        "花椒",
        "魔芋",
        "油菜",
        "食用菌",
        "防诈骗",
        "高血压",
        "糖尿病",
        "防跌倒",
        "防溺水",
        "地震",
        "山洪",
        "泥石流",
        "人工智能",
        "新能源",
        "天文",
        "大熊猫",
        "消防",
        "用电安全",
        "食品安全",
        "心理健康",
        "近视防控",
        "疫苗",
        "垃圾分类",
        "节水",
    ];
    format!("{}{}", STEMS[n % STEMS.len()], n / STEMS.len())
}

fn ms(d: StdDuration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub async fn run(
    residents: usize,
    resources: usize,
    views: usize,
    postgres: Option<String>,
) -> anyhow::Result<String> {
    let scratch = Scratch::start("kepu", postgres.as_deref()).await?;
    let result = measure(&scratch.app, residents, resources, views).await;
    scratch.finish().await?;
    result
}

async fn measure(
    app: &Arc<App>,
    residents: usize,
    resources: usize,
    views: usize,
) -> anyhow::Result<String> {
    let mut out = String::new();
    writeln!(
        out,
        "科普 benchmark on {}: {residents} residents, {resources} resources, {views} views over a year",
        app.db.backend_name()
    )?;
    let counties: Vec<RegionCode> = app
        .regions
        .children(Some(&RegionCode::parse("51")?))
        .into_iter()
        .flat_map(|c| app.regions.children(Some(&c.code)))
        .filter(|r| r.level() == RegionLevel::County)
        .map(|r| r.code.clone())
        .collect();
    let started = Instant::now();
    let first_user = seed_residents(app, residents, &counties).await?;
    let author = first_user;
    seed_resources(app, resources, author, &counties).await?;
    seed_history(app, first_user, resources, &counties).await?;
    writeln!(out, "  seeded in {:.1} s", started.elapsed().as_secs_f64())?;

    // One client first: what a feed costs, and where.
    let mut times = Vec::new();
    let (mut profile_time, mut candidates_time, mut rows_time) =
        (StdDuration::ZERO, StdDuration::ZERO, StdDuration::ZERO);
    for n in 0..200 {
        let id = first_user + (n * 7 % SAMPLED.min(residents)) as i64;
        let actor = resident(id, &counties);
        let t = Instant::now();
        let (items, _) = feed::build(
            app,
            feed::Request {
                me: Some(&actor),
                region_code: None,
                channel: None,
                offset: 0,
                limit: 20,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
        times.push(t.elapsed());
        anyhow::ensure!(!items.is_empty(), "an empty feed");
        let t = Instant::now();
        let profile = super::profile::store::load(&app.db, id, app.clock.now()).await?;
        profile_time += t.elapsed();
        let terms: Vec<String> = profile
            .interests
            .iter()
            .map(|i| format!("tag:{}", i.interest))
            .chain(["all".to_owned()])
            .collect();
        let regions = vec![actor.region.as_str().to_owned()];
        let t = Instant::now();
        let found = feed::store::candidates(
            &app.db,
            &feed::store::Sources {
                terms: &terms,
                per_term: feed::store::PER_TERM,
                regions: &regions,
                user: Some(id),
            },
            app.clock.now(),
        )
        .await?;
        candidates_time += t.elapsed();
        let t = Instant::now();
        let read = feed::store::read_by(&app.db, id, &found.ids).await?;
        let rows = app.kepu_feed.rows(&app.db, &found.ids).await?;
        rows_time += t.elapsed();
        std::hint::black_box(read);
        std::hint::black_box(rows);
    }
    let (p50, p99) = percentiles(times);
    writeln!(
        out,
        "  feed, one client: p50 {:.1} ms, p99 {:.1} ms (of which profile {:.2} ms, candidates {:.2} ms, read filter and rows {:.2} ms on average)",
        ms(p50),
        ms(p99),
        ms(profile_time) / 200.0,
        ms(candidates_time) / 200.0,
        ms(rows_time) / 200.0
    )?;

    // The feed: 32 clients at once, each asking for sampled residents' feeds.
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..CLIENTS {
        let app = app.clone();
        let counties = counties.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = Lcg(client as u64 + 7);
            let mut times = Vec::with_capacity(FEEDS_PER_CLIENT);
            for n in 0..FEEDS_PER_CLIENT {
                let id = first_user + rng.below(SAMPLED.min(residents)) as i64;
                let actor = resident(id, &counties);
                let anonymous = n % 5 == 4;
                let request = feed::Request {
                    me: (!anonymous).then_some(&actor),
                    region_code: anonymous.then(|| actor.region.as_str().to_owned()),
                    channel: None,
                    offset: 0,
                    limit: 20,
                };
                let t = Instant::now();
                let (items, _) = feed::build(&app, request)
                    .await
                    .map_err(|e| anyhow::anyhow!(e.to_string()))?;
                times.push(t.elapsed());
                anyhow::ensure!(!items.is_empty(), "an empty feed");
            }
            Ok::<_, anyhow::Error>(times)
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await??);
    }
    let wall = started.elapsed();
    let count = times.len();
    let (p50, p99) = percentiles(times);
    writeln!(
        out,
        "  feed, {CLIENTS} clients: {count} feeds in {:.1} s ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms (one in five anonymous)",
        wall.as_secs_f64(),
        count as f64 / wall.as_secs_f64(),
        ms(p50),
        ms(p99)
    )?;

    // Views: noted in memory and written in batches, then settled by the booking job.
    let now = app.clock.now();
    let mut rng = Lcg(99);
    let hits: Vec<Hit> = (0..views)
        .map(|n| {
            let user = first_user + rng.below(residents) as i64;
            let at = now - Duration::minutes(5) - Duration::seconds(rng.below(364 * 86_400) as i64);
            Hit {
                resource_id: 1 + rng.below(resources) as i64,
                reader: format!("u:{user}"),
                user_id: Some(user),
                region_code: counties[user as usize % counties.len()].as_str().to_owned(),
                ip: Some(format!("10.{}.{}.{}", n % 200, (n / 200) % 250, user % 250)),
                device: None,
                sharer_code: None,
                at,
            }
        })
        .collect();
    let started = Instant::now();
    for hit in hits {
        views::record(app, hit).await;
    }
    views::flush(app)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let recorded = started.elapsed();
    writeln!(
        out,
        "  views recorded (noted, then written in batches): {views} in {:.1} s = {:.0} views/s",
        recorded.as_secs_f64(),
        views as f64 / recorded.as_secs_f64()
    )?;
    let started = Instant::now();
    let booked = views::book::run(app)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    let took = started.elapsed();
    writeln!(
        out,
        "  views settled and booked (dedup, flags, ledger, interests): {booked} in {:.1} s = {:.0} views/s",
        took.as_secs_f64(),
        booked as f64 / took.as_secs_f64()
    )?;
    let started = Instant::now();
    let rolled = follow::catch_up(app, &rollup::FOLLOWER)
        .await
        .map_err(|e| anyhow::anyhow!(e.to_string()))?;
    writeln!(
        out,
        "  rollup of the booked events: {rolled} in {:.1} s",
        started.elapsed().as_secs_f64()
    )?;
    let today = crate::platform::clock::shanghai_date(now);
    let year_ago = today - Duration::days(364);
    let mut times = Vec::new();
    let mut people = 0;
    for _ in 0..20 {
        let t = Instant::now();
        let figures = rollup::figures(&app.db, "51", year_ago, today).await?;
        times.push(t.elapsed());
        people = figures
            .get("kepu_people_served")
            .copied()
            .unwrap_or_default() as i64;
    }
    let (p50, p99) = percentiles(times);
    let exact: i64 = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(DISTINCT user_id) FROM kepu_views WHERE state = 'counted'").fetch_one(pool).await)?;
    writeln!(
        out,
        "  服务群众数 for the province over the last year: {people} (distinct readers counted directly: {exact}); figures p50 {:.1} ms, p99 {:.1} ms",
        ms(p50),
        ms(p99)
    )?;
    Ok(out)
}

/// A seeded resident as the feed sees them.
fn resident(id: i64, counties: &[RegionCode]) -> Actor {
    Actor {
        id: UserId(id),
        role: Role::Public,
        name: String::new(),
        phone: String::new(),
        region: counties[id as usize % counties.len()].clone(),
        region_name: String::new(),
        department: None::<Department>,
        badges: Default::default(),
    }
}

async fn seed_residents(
    app: &App,
    residents: usize,
    counties: &[RegionCode],
) -> anyhow::Result<i64> {
    let now = Utc::now();
    let first: i64 = on_db!(&app.db, pool => sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM users").fetch_one(pool).await)?;
    let mut rng = Lcg(3);
    let mut done = 0;
    while done < residents {
        let chunk = (BATCH * 20).min(residents - done);
        let users: Vec<(i64, String, String)> = (0..chunk)
            .map(|i| {
                let id = first + (done + i) as i64;
                (
                    id,
                    format!("16{:09}", done + i),
                    counties[id as usize % counties.len()].as_str().to_owned(),
                )
            })
            .collect();
        let profiles: Vec<(i64, &str)> = users
            .iter()
            .map(|(id, _, _)| (*id, AUDIENCES[rng.below(AUDIENCES.len())]))
            .collect();
        let interests: Vec<(i64, String, bool, f64)> = users
            .iter()
            .flat_map(|(id, _, _)| {
                let a = tag(rng.below(300));
                let b = CHANNELS[rng.below(CHANNELS.len())].to_owned();
                let c = tag(rng.below(300));
                [
                    (*id, a, true, 0.0),
                    (*id, b, true, 0.0),
                    (*id, c, false, super::profile::store::score(0.8, now)),
                ]
            })
            .collect();
        let mut interests = interests;
        interests.sort_by(|x, y| (x.0, &x.1).cmp(&(y.0, &y.1)));
        interests.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
        on_db!(&app.db, pool => {
            let mut tx = pool.begin().await?;
            for rows in users.chunks(BATCH) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO users (id, role, phone, password_hash, name, region_code, created_at) ");
                q.push_values(rows, |mut b, (id, phone, region)| {
                    b.push_bind(*id).push_bind("public").push_bind(phone).push_bind("x").push_bind("居民").push_bind(region).push_bind(now);
                });
                q.build().execute(&mut *tx).await?;
            }
            for rows in profiles.chunks(BATCH) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO kepu_profiles (user_id, audience, updated_at) ");
                q.push_values(rows, |mut b, (id, audience)| {
                    b.push_bind(*id).push_bind(*audience).push_bind(now);
                });
                q.build().execute(&mut *tx).await?;
            }
            for rows in interests.chunks(BATCH) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO kepu_interests (user_id, interest, chosen, weight, updated_at) ");
                q.push_values(rows, |mut b, (id, interest, chosen, weight)| {
                    b.push_bind(*id).push_bind(interest).push_bind(*chosen).push_bind(*weight).push_bind(now);
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<(), sqlx::Error>(())
        })?;
        done += chunk;
    }
    if let crate::platform::db::Db::Postgres(pool) = &app.db {
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))",
        )
        .execute(pool)
        .await?;
    }
    Ok(first)
}

async fn seed_resources(
    app: &App,
    resources: usize,
    author: i64,
    counties: &[RegionCode],
) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut rng = Lcg(5);
    let mut done = 0;
    while done < resources {
        let chunk = (BATCH * 10).min(resources - done);
        type Row = (
            i64,
            String,
            String,
            String,
            String,
            Option<String>,
            DateTime<Utc>,
            i64,
        );
        let rows: Vec<Row> = (0..chunk)
            .map(|i| {
                let id = (done + i + 1) as i64;
                let channel = CHANNELS[rng.below(CHANNELS.len())].to_owned();
                let tags = vec![tag(rng.below(300)), tag(rng.below(300))];
                let audiences = vec![
                    AUDIENCES[rng.below(5)].to_owned(),
                    AUDIENCES[rng.below(5)].to_owned(),
                ];
                let region = (rng.below(10) == 0)
                    .then(|| counties[rng.below(counties.len())].as_str().to_owned());
                let published = now - Duration::minutes(rng.below(365 * 24 * 60) as i64);
                let reads = rng.below(2_000) as i64;
                (
                    id,
                    channel,
                    serde_json::to_string(&audiences).unwrap_or_default(),
                    serde_json::to_string(&tags).unwrap_or_default(),
                    format!("科普资源第{id}篇"),
                    region,
                    published,
                    reads,
                )
            })
            .collect();
        let terms: Vec<(String, i64, DateTime<Utc>)> = rows
            .iter()
            .flat_map(|(id, channel, audiences, tags, _, region, published, _)| {
                let audiences: Vec<String> = serde_json::from_str(audiences).unwrap_or_default();
                let tags: Vec<String> = serde_json::from_str(tags).unwrap_or_default();
                crate::kepu::resources::store::terms(channel, &audiences, &tags, region.as_deref())
                    .into_iter()
                    .map(move |t| (t, *id, *published))
            })
            .collect();
        on_db!(&app.db, pool => {
            let mut tx = pool.begin().await?;
            for part in rows.chunks(BATCH / 2) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO kepu_resources (id, author_id, title, summary, body_html, body_text, format, channel, audiences, tags, region_code, status, reads, completions, likes, created_at, updated_at, published_at) ");
                q.push_values(part, |mut b, (id, channel, audiences, tags, title, region, published, reads)| {
                    b.push_bind(*id).push_bind(author).push_bind(title).push_bind("一句话摘要").push_bind("<p>正文</p>").push_bind("正文")
                        .push_bind("article").push_bind(channel).push_bind(audiences).push_bind(tags).push_bind(region)
                        .push_bind("published").push_bind(*reads).push_bind(*reads / 2).push_bind(*reads / 10)
                        .push_bind(*published).push_bind(*published).push_bind(*published);
                });
                q.build().execute(&mut *tx).await?;
            }
            for part in terms.chunks(BATCH) {
                let mut q = sqlx::QueryBuilder::new("INSERT INTO kepu_resource_terms (term, resource_id, published_at) ");
                q.push_values(part, |mut b, (term, id, published)| {
                    b.push_bind(term).push_bind(*id).push_bind(*published);
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<(), sqlx::Error>(())
        })?;
        done += chunk;
    }
    if let crate::platform::db::Db::Postgres(pool) = &app.db {
        sqlx::query("SELECT setval(pg_get_serial_sequence('kepu_resources', 'id'), (SELECT MAX(id) FROM kepu_resources))")
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Reading histories for the sampled residents, and what each region reads most.
async fn seed_history(
    app: &App,
    first_user: i64,
    resources: usize,
    counties: &[RegionCode],
) -> anyhow::Result<()> {
    let now = Utc::now();
    let mut rng = Lcg(11);
    let mut reads: Vec<(i64, i64)> = (0..SAMPLED as i64)
        .flat_map(|u| (0..30).map(move |_| u))
        .map(|u| (first_user + u, 1 + rng.below(resources) as i64))
        .collect();
    reads.sort_unstable();
    reads.dedup();
    let mut regions: Vec<(String, i64, i64)> = counties
        .iter()
        .flat_map(|c| c.ancestors_and_self())
        .map(|c| c.as_str().to_owned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .flat_map(|code| (0..50).map(move |_| code.clone()))
        .map(|code| (code, 1 + rng.below(resources) as i64, rng.below(500) as i64))
        .collect();
    regions.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    regions.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    on_db!(&app.db, pool => {
        let mut tx = pool.begin().await?;
        for part in reads.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO kepu_reads (user_id, resource_id, first_at, last_at) ");
            q.push_values(part, |mut b, (user, resource)| {
                b.push_bind(*user).push_bind(*resource).push_bind(now).push_bind(now);
            });
            q.build().execute(&mut *tx).await?;
        }
        for part in regions.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO kepu_region_reads (region_code, resource_id, reads) ");
            q.push_values(part, |mut b, (code, resource, reads)| {
                b.push_bind(code).push_bind(*resource).push_bind(*reads);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<(), sqlx::Error>(())
    })?;
    Ok(())
}
