//! Demo 科普: two hundred short resources written for the demo (`kepu_resources.json`) published
//! over the past year by the province's and cities' 全民科普服务部 (a few by scientists, some
//! still waiting for review), residents' profiles in many counties, and a year of their reads —
//! booked through the same recorder and booking job as live reads, so that 浏览量, 服务量 and
//! 服务群众数 have a history on first start.

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use tianfu_domain::{Department, RegionCode};

use super::market::user;
use super::people::{self, Rng};
use crate::App;
use crate::kepu::audience::Audience;
use crate::kepu::resources::{api as resources, content::ResourceBody};
use crate::kepu::views::{self, Hit};
use crate::platform::auth::Actor;
use crate::{on_db, on_tx};

const RESOURCES: &str = include_str!("kepu_resources.json");
/// The demo's first resources are a year old.
const PAST_DAYS: i64 = 360;
/// Written by scientists and volunteers (through review); the last few stay in the queue.
const BY_SCIENTISTS: usize = 12;
const LEFT_PENDING: usize = 3;

#[derive(Debug, Deserialize)]
/// A demo resource as written (the file also names each one's intended format; the demo has no
/// media files, so every one is loaded as an article and the field is not read).
struct DemoResource {
    title: String,
    channel: String,
    audiences: Vec<String>,
    tags: Vec<String>,
    region: Option<String>,
    summary: String,
    body: String,
}

/// A published demo resource: (id, when, tags, region).
type Published = (i64, DateTime<Utc>, Vec<String>, Option<String>);

pub struct KepuReport {
    pub published: usize,
    pub pending: usize,
    pub profiles: usize,
    pub reads: usize,
    pub questions: usize,
    pub answered: usize,
    pub pushed: i64,
    pub opened: usize,
}

fn set_clock(app: &App, at: DateTime<Utc>) {
    app.clock.advance(at - app.clock.now());
}

fn paragraphs(text: &str) -> String {
    text.split("\n\n")
        .map(|p| format!("<p>{}</p>", p.trim()))
        .collect()
}

/// Who publishes a resource for `region`: the city's 全民科普服务部, else the province's.
async fn publisher(
    app: &App,
    province: &Actor,
    region: Option<&RegionCode>,
) -> anyhow::Result<Actor> {
    let Some(region) = region else {
        return Ok(province.clone());
    };
    let city_number: u32 = region.as_str()[2..4].parse()?;
    user(
        app,
        &people::city_staff_phone(city_number, Department::Kepu),
    )
    .await
}

pub async fn load(app: &App) -> anyhow::Result<KepuReport> {
    let items: Vec<DemoResource> = serde_json::from_str(RESOURCES)?;
    let now = app.clock.now();
    let start = now - Duration::days(PAST_DAYS);
    let province = user(app, "13900000003").await?;
    let mut report = KepuReport {
        published: 0,
        pending: 0,
        profiles: 0,
        reads: 0,
        questions: 0,
        answered: 0,
        pushed: 0,
        opened: 0,
    };
    let mut published: Vec<Published> = Vec::new();
    let step = Duration::days(PAST_DAYS) / items.len().max(1) as i32;
    for (n, item) in items.iter().enumerate() {
        let at = start + step * n as i32;
        set_clock(app, at);
        let region = item
            .region
            .as_deref()
            .and_then(|code| app.regions.find(code))
            .map(|r| r.code.clone());
        let body = ResourceBody {
            title: item.title.clone(),
            body: paragraphs(&item.body),
            // The demo has no media files: programmes are shown by their description.
            format: "article".into(),
            channel: item.channel.clone(),
            audiences: item.audiences.clone(),
            tags: item.tags.clone(),
            region_code: region.as_ref().map(|r| r.as_str().to_owned()),
            summary: Some(item.summary.clone()),
            media_id: None,
            cover_id: None,
        };
        let by_scientist = n % (items.len() / BY_SCIENTISTS).max(1) == 0 && n > 0;
        let author = if by_scientist {
            user(app, &format!("150{:08}", n % 300 + 1)).await?
        } else {
            publisher(app, &province, region.as_ref()).await?
        };
        let row = resources::create_as(app, &author, &body)
            .await
            .map_err(|e| anyhow::anyhow!("demo resource {}: {e} {:?}", item.title, e.fields()))?;
        if row.is_published() {
            published.push((row.id, at, item.tags.clone(), row.region_code.clone()));
            report.published += 1;
        } else if n + LEFT_PENDING * (items.len() / BY_SCIENTISTS) < items.len() {
            set_clock(app, at + Duration::hours(20));
            resources::decide(app, &province, row.id, "approve", None, None)
                .await
                .map_err(|e| anyhow::anyhow!("demo review: {e}"))?;
            published.push((
                row.id,
                at + Duration::hours(20),
                item.tags.clone(),
                row.region_code.clone(),
            ));
            report.published += 1;
        } else {
            report.pending += 1;
        }
    }
    set_clock(app, now);
    report.profiles = profiles(app, now).await?;
    report.reads = reads(app, &published, start, now).await?;
    (report.questions, report.answered) = super::kepu_questions::load_questions(app, now).await?;
    (report.pushed, report.opened) = super::kepu_questions::load_campaign(app, now).await?;
    set_clock(app, now);
    crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
        .await
        .map_err(|e| anyhow::anyhow!("followers: {e}"))?;
    Ok(report)
}

/// What the demo residents and volunteers follow, by the kind of person they are.
const FARMER_TAGS: &[&str] = &[
    "柑橘",
    "猕猴桃",
    "茶叶",
    "生猪",
    "蛋鸡",
    "水稻",
    "花椒",
    "食用菌",
];
const ELDER_TAGS: &[&str] = &["防诈骗", "高血压", "防跌倒", "健康"];
const YOUTH_TAGS: &[&str] = &["防溺水", "人工智能", "天文", "地震"];

async fn profiles(app: &App, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let people: Vec<(i64, String)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, role FROM users WHERE role IN ('public', 'volunteer') ORDER BY id").fetch_all(pool).await)?;
    let mut rng = Rng::new(12);
    let mut tx = app.db.begin().await?;
    for (n, (id, role)) in people.iter().enumerate() {
        let (audience, interests): (Audience, Vec<String>) = match (role.as_str(), n % 5) {
            ("volunteer", _) => (
                Audience::Worker,
                vec!["frontier".into(), (*rng.pick(YOUTH_TAGS)).into()],
            ),
            (_, 0 | 1) => (
                Audience::Farmer,
                vec![(*rng.pick(FARMER_TAGS)).into(), "agriculture".into()],
            ),
            (_, 2) => (
                Audience::Elder,
                vec![(*rng.pick(ELDER_TAGS)).into(), "health".into()],
            ),
            (_, 3) => (
                Audience::Youth,
                vec![(*rng.pick(YOUTH_TAGS)).into(), "earth".into()],
            ),
            _ => (Audience::Cadre, vec!["emergency".into()]),
        };
        crate::kepu::profile::store::save(
            &mut tx,
            *id,
            Some(audience.as_str()),
            &interests,
            &[],
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(people.len())
}

/// A year of reads: each resident reads what they follow and a little else, hours apart (the
/// pace of a person), after each resource was published; some visitors read without an account.
async fn reads(
    app: &App,
    published: &[Published],
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let readers: Vec<(i64, String, Option<String>)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT u.id, u.region_code, (SELECT MIN(i.interest) FROM kepu_interests i WHERE i.user_id = u.id AND i.chosen AND length(i.interest) < 6) \
         FROM users u WHERE u.role IN ('public', 'volunteer', 'worker') ORDER BY u.id").fetch_all(pool).await)?;
    let mut rng = Rng::new(99);
    let mut count = 0;
    let span = (now - start).num_minutes().max(1) as usize;
    for (user, region, interest) in &readers {
        let reads = 6 + rng.below(18);
        let mut times: Vec<DateTime<Utc>> = (0..reads)
            .map(|_| start + Duration::minutes(rng.below(span) as i64))
            .collect();
        times.sort();
        // Hours apart, as a person reads.
        times.dedup_by(|later, earlier| *later - *earlier < Duration::hours(3));
        for at in times {
            let fitting: Vec<&Published> = published
                .iter()
                .filter(|(_, p, tags, r)| {
                    *p < at
                        && r.as_ref().is_none_or(|r| region.starts_with(r.as_str()))
                        && (rng.below(3) == 0
                            || interest.as_ref().is_some_and(|i| tags.contains(i)))
                })
                .collect();
            if fitting.is_empty() {
                continue;
            }
            let (resource, ..) = fitting[rng.below(fitting.len())];
            views::record(
                app,
                Hit {
                    resource_id: *resource,
                    reader: format!("u:{user}"),
                    user_id: Some(*user),
                    region_code: region.clone(),
                    ip: None,
                    device: None,
                    sharer_code: None,
                    at,
                },
            )
            .await;
            count += 1;
        }
    }
    // Visitors without an account, in the bigger cities.
    for n in 0..400usize {
        let (resource, published_at, _, region) = &published[rng.below(published.len())];
        let minutes = (now - *published_at).num_minutes().max(2) as usize;
        let at = *published_at + Duration::minutes(rng.below(minutes - 1) as i64);
        views::record(
            app,
            Hit {
                resource_id: *resource,
                reader: format!("s:demo{n:05}"),
                user_id: None,
                region_code: region
                    .clone()
                    .unwrap_or_else(|| (*rng.pick(&["5101", "5110", "5116", "5107"])).to_owned()),
                ip: None,
                device: None,
                sharer_code: None,
                at,
            },
        )
        .await;
        count += 1;
    }
    views::flush(app)
        .await
        .map_err(|e| anyhow::anyhow!("demo reads: {e}"))?;
    views::book::run(app)
        .await
        .map_err(|e| anyhow::anyhow!("demo booking: {e}"))?;
    // Some reads were to the end, and liked.
    let mut tx = app.db.begin().await?;
    on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE kepu_resources SET completions = reads * 6 / 10, likes = reads / 5 WHERE status = 'published'")
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(count)
}
