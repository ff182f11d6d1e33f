//! `tianfu bench fair`: an edition at province scale. Fills a fresh database with `projects`
//! projects (published listings from every county, entered into one edition) and `reviews`
//! reviewers' scores, then times ranking and selection over all of them (the organiser's one
//! act), and a hall's page (云展厅, a city's selected projects, filtered and paged) served over
//! HTTP to 32 clients at once.

use std::fmt::Write;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use tianfu_domain::RegionCode;
use tianfu_domain::fair::{Category, Sector};
use tianfu_search::bench::percentiles;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::platform::scratch::{Lcg, Scratch, ms};
use crate::{App, on_db};

const BATCH: usize = 1000;
const CLIENTS: usize = 32;
const PAGES_PER_CLIENT: usize = 40;
const REVIEWERS: i64 = 400;

pub async fn run(
    projects: usize,
    reviews: usize,
    postgres: Option<String>,
) -> anyhow::Result<String> {
    let scratch = Scratch::start("fair", postgres.as_deref()).await?;
    let result = measure(&scratch.app, projects, reviews).await;
    scratch.finish().await?;
    result
}

fn counties(app: &App) -> Vec<String> {
    let sichuan = RegionCode::parse("51").expect("valid");
    app.regions
        .children(Some(&sichuan))
        .into_iter()
        .flat_map(|city| app.regions.children(Some(&city.code)))
        .map(|county| county.code.as_str().to_owned())
        .collect()
}

/// People, listings, the edition (now reviewing), its projects and reviewers' scores.
async fn seed(app: &App, projects: usize, reviews: usize) -> anyhow::Result<i64> {
    let counties = counties(app);
    let now = app.clock.now();
    let owners = (projects / 4).max(1);
    let mut rng = Lcg(2026);
    on_db!(&app.db, pool => {
        let mut tx = pool.begin().await?;
        // Owners, then reviewers: ids 1..=owners and owners+1..=owners+REVIEWERS.
        let people: Vec<(i64, String, &str)> = (1..=owners as i64 + REVIEWERS)
            .map(|id| (id, counties[(id as usize * 7) % counties.len()].clone(), if id as usize > owners { "worker" } else if id % 3 == 0 { "org" } else { "worker" }))
            .collect();
        for chunk in people.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO users (id, role, phone, password_hash, name, region_code, created_at) ");
            q.push_values(chunk, |mut b, (id, region, role)| {
                b.push_bind(*id).push_bind(*role).push_bind(format!("170{id:08}")).push_bind("!").push_bind(format!("用户{id}"))
                    .push_bind(region.as_str()).push_bind(now);
            });
            q.build().execute(&mut *tx).await?;
        }
        let day = |n: i64| now + Duration::days(n);
        let fair_id: i64 = sqlx::query_scalar(
            "INSERT INTO fairs (name, year, intro, collect_until, opens_at, closes_at, signing_until, criteria, min_reviewers, created_by, created_at, updated_at) \
             VALUES ('基准测试科创会', 2026, '', $1, $2, $3, $4, $5, 3, 1, $6, $6) RETURNING id")
            .bind(day(-1)).bind(day(10)).bind(day(12)).bind(day(40))
            .bind(serde_json::to_string(&tianfu_domain::fair::default_criteria())?).bind(day(-30))
            .fetch_one(&mut *tx).await?;
        let sichuan = RegionCode::parse("51").expect("valid");
        let cities: Vec<String> = app.regions.children(Some(&sichuan)).into_iter().map(|c| c.code.as_str().to_owned()).collect();
        for city in &cities {
            for category in Category::ALL {
                sqlx::query("INSERT INTO fair_quotas (fair_id, region_code, category, quota) VALUES ($1, $2, $3, $4)")
                    .bind(fair_id).bind(city).bind(category.as_str()).bind((projects / cities.len() / 6).max(1) as i32)
                    .execute(&mut *tx).await?;
            }
        }
        let rows: Vec<(i64, i64, String, usize)> = (1..=projects as i64)
            .map(|id| {
                let owner = 1 + rng.below(owners as u64) as i64;
                let region = counties[rng.below(counties.len() as u64) as usize].clone();
                (id, owner, region, rng.below(7) as usize)
            })
            .collect();
        for chunk in rows.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO listings (id, kind, owner_id, title, description_html, description_text, industry, keywords, region_code, status, created_at, updated_at, published_at) ");
            q.push_values(chunk, |mut b, (id, owner, region, sector)| {
                let kind = ["offer", "achievement", "need"][(*id % 3) as usize];
                b.push_bind(*id).push_bind(kind).push_bind(*owner).push_bind(format!("项目{id}·{}", Sector::ALL[*sector].label()))
                    .push_bind("<p>项目简介</p>").push_bind("项目简介").push_bind("C").push_bind("[]").push_bind(region.as_str())
                    .push_bind("published").push_bind(now).push_bind(now).push_bind(now);
            });
            q.build().execute(&mut *tx).await?;
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO fair_projects (id, fair_id, category, listing_kind, listing_id, owner_id, title, region_code, hall_code, sector, pitch, images, entered_by, nominated, status, created_at, updated_at) ");
            q.push_values(chunk, |mut b, (id, owner, region, sector)| {
                let (kind, category) = [("offer", "technology"), ("achievement", "achievement"), ("need", "problem")][(*id % 3) as usize];
                b.push_bind(*id).push_bind(fair_id).push_bind(category).push_bind(kind).push_bind(*id).push_bind(*owner)
                    .push_bind(format!("项目{id}·{}", Sector::ALL[*sector].label())).push_bind(region.as_str())
                    .push_bind(tianfu_domain::fair::hall_of(region)).push_bind(Sector::ALL[*sector].as_str())
                    .push_bind("面向企业推广的成熟技术，已有应用案例。").push_bind("[\"/static/fair/placeholder.svg\"]")
                    .push_bind(*owner).push_bind(false).push_bind("collected").push_bind(now).push_bind(now);
            });
            q.build().execute(&mut *tx).await?;
        }
        // Reviews: each project's reviewers are consecutive, so no pair repeats.
        let per_project = (reviews / projects.max(1)).max(1);
        let mut scores: Vec<(i64, i64, f64)> = Vec::with_capacity(reviews);
        'projects: for project in 1..=projects as i64 {
            let first = rng.below(REVIEWERS as u64) as i64;
            for k in 0..per_project as i64 {
                if scores.len() == reviews {
                    break 'projects;
                }
                let reviewer = owners as i64 + 1 + (first + k) % REVIEWERS;
                scores.push((project, reviewer, 40.0 + rng.below(600) as f64 / 10.0));
            }
        }
        for chunk in scores.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new("INSERT INTO fair_assignments (project_id, reviewer_id, fair_id, assigned_at) ");
            q.push_values(chunk, |mut b, (project, reviewer, _)| {
                b.push_bind(*project).push_bind(*reviewer).push_bind(fair_id).push_bind(now);
            });
            q.build().execute(&mut *tx).await?;
            let mut q = sqlx::QueryBuilder::new("INSERT INTO fair_scores (project_id, reviewer_id, fair_id, score, comment, scored_at) ");
            q.push_values(chunk, |mut b, (project, reviewer, score)| {
                b.push_bind(*project).push_bind(*reviewer).push_bind(fair_id).push_bind(*score).push_bind("").push_bind(now);
            });
            q.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        if app.db.backend_name() == "postgres" {
            // Identity columns were given explicit ids: move their sequences past them.
            for table in ["users", "listings", "fair_projects"] {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
                ))).execute(pool).await?;
            }
            sqlx::raw_sql("VACUUM ANALYZE").execute(pool).await?;
        } else {
            sqlx::raw_sql("ANALYZE").execute(pool).await?;
        }
        Ok::<i64, anyhow::Error>(fair_id)
    })
}

/// A client on one kept-alive connection, as a browser holds one: GET, read the headers, then
/// exactly `Content-Length` bytes of body.
struct Client {
    addr: std::net::SocketAddr,
    stream: Option<tokio::io::BufReader<tokio::net::TcpStream>>,
}

impl Client {
    fn new(addr: std::net::SocketAddr) -> Self {
        Client { addr, stream: None }
    }

    /// The time to the last byte, and the status line.
    async fn get(&mut self, path: &str) -> anyhow::Result<(StdDuration, String)> {
        use tokio::io::AsyncBufReadExt;
        let started = Instant::now();
        if self.stream.is_none() {
            let stream = tokio::net::TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            self.stream = Some(tokio::io::BufReader::new(stream));
        }
        let stream = self.stream.as_mut().expect("connected");
        stream
            .get_mut()
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").as_bytes())
            .await?;
        let mut status = String::new();
        stream.read_line(&mut status).await?;
        let mut length = None;
        loop {
            let mut line = String::new();
            stream.read_line(&mut line).await?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let length = length.ok_or_else(|| anyhow::anyhow!("{path}: no Content-Length"))?;
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await?;
        Ok((started.elapsed(), status.trim().to_owned()))
    }
}

/// Hall pages: `clients` at once, each on its own connection, random cities, filters and pages.
async fn halls(
    addr: std::net::SocketAddr,
    fair_id: i64,
    cities: &[String],
    clients: usize,
    pages: usize,
) -> anyhow::Result<(Vec<StdDuration>, StdDuration)> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in 0..clients {
        let cities = cities.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut rng = Lcg(client as u64 + 11);
            let mut http = Client::new(addr);
            let mut times = Vec::with_capacity(pages);
            for _ in 0..pages {
                let city = &cities[rng.below(cities.len() as u64) as usize];
                let mut path = format!("/fairs/{fair_id}/halls/{city}?page={}", 1 + rng.below(3));
                match rng.below(4) {
                    0 => path.push_str(&format!(
                        "&category={}",
                        Category::ALL[rng.below(3) as usize].as_str()
                    )),
                    1 => path.push_str(&format!(
                        "&sector={}",
                        Sector::ALL[rng.below(7) as usize].as_str()
                    )),
                    _ => {}
                }
                let (time, status) = http.get(&path).await?;
                anyhow::ensure!(status.contains("200"), "{path}: {status}");
                times.push(time);
            }
            Ok::<_, anyhow::Error>(times)
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await??);
    }
    Ok((times, started.elapsed()))
}

async fn measure(app: &crate::AppState, projects: usize, reviews: usize) -> anyhow::Result<String> {
    let mut out = String::new();
    let started = Instant::now();
    let fair_id = seed(app, projects, reviews).await?;
    writeln!(
        out,
        "fair ({}): {projects} projects from {} counties, {reviews} scores by {REVIEWERS} reviewers, seeded in {:.1} s",
        app.db.backend_name(),
        counties(app).len(),
        started.elapsed().as_secs_f64()
    )?;
    let fair = crate::fair::store::find_fair(&app.db, fair_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no fair"))?;
    let started = Instant::now();
    let summary = crate::fair::review::selection::run_selection(app, &fair, 1)
        .await
        .map_err(|e| anyhow::anyhow!("selection: {e}"))?;
    let took = started.elapsed();
    // As autovacuum would soon after: selection rewrote every project's row.
    on_db!(&app.db, pool => {
        let sql = if app.db.backend_name() == "postgres" { "VACUUM ANALYZE fair_projects" } else { "ANALYZE fair_projects" };
        sqlx::raw_sql(sql).execute(pool).await.map(|_| ())
    })?;
    writeln!(
        out,
        "  ranking and selection: {:.2} s ({} selected, {} not selected, {} unranked)",
        took.as_secs_f64(),
        summary.selected,
        summary.not_selected,
        summary.unranked
    )?;

    // A hall's page over HTTP, 32 clients at once: random cities, filters and pages.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let service =
        crate::router(app.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, service).await });
    let sichuan = RegionCode::parse("51").expect("valid");
    let cities: Vec<String> = app
        .regions
        .children(Some(&sichuan))
        .into_iter()
        .map(|c| c.code.as_str().to_owned())
        .collect();
    let (times, _) = halls(addr, fair_id, &cities, 1, 200).await?;
    let (p50, p99) = percentiles(times);
    writeln!(
        out,
        "  hall page, one client: p50 {:.1} ms, p99 {:.1} ms",
        ms(p50),
        ms(p99)
    )?;
    let (times, wall) = halls(addr, fair_id, &cities, CLIENTS, PAGES_PER_CLIENT).await?;
    let count = times.len();
    let (p50, p99) = percentiles(times);
    writeln!(
        out,
        "  hall page, {CLIENTS} clients: {count} pages in {:.1} s ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms",
        wall.as_secs_f64(),
        count as f64 / wall.as_secs_f64(),
        ms(p50),
        ms(p99)
    )?;
    server.abort();
    Ok(out)
}
