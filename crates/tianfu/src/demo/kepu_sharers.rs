//! Demo 科普员 in four counties, appointed through the same act as the console's: 邻水县 with a
//! 镇 管理员 in most townships and 村 信息员 in several villages, 内江's 东兴区 about half
//! covered, a few in 威远县 and 南充's 顺庆区. Months of reads came through their links (written
//! by the recorder and settled by the booking job like every read), and they reported offline
//! activities, most confirmed, some waiting, one sent back.

use chrono::{DateTime, Duration, Utc};
use tianfu_domain::{Department, Password, PersonName, Phone, RegionCode, Role, UserId};

use super::people::{Rng, person_name};
use super::{DEMO_PASSWORD, market::user};
use crate::App;
use crate::accounts::{self, register::NewAccount};
use crate::kepu::sharers::report_service::{self, ReportInput};
use crate::kepu::sharers::service::{self, AppointInput};
use crate::kepu::views::{self, Hit};
use crate::platform::auth::{Actor, actor_by_id, hash_password};
use crate::staff::store::{NewStaff, add_staff};
use crate::{on_db, on_tx};

/// (county, townships covered, 村 信息员 besides each township's 管理员).
const COUNTIES: &[(&str, usize, usize)] = &[
    ("511623", 21, 12),
    ("511011", 9, 3),
    ("511024", 4, 0),
    ("511302", 3, 1),
];
const VILLAGES: &[&str] = &[
    "观音桥村",
    "石板村",
    "黄桷村",
    "新民村",
    "红星村",
    "双河村",
    "柏林村",
    "长安村",
    "太平村",
    "兴隆村",
    "龙泉社区",
    "滨江社区",
    "金龙村",
    "白果村",
];
const ACTIVITIES: &[(&str, &str)] = &[
    ("柑橘冬季管护讲座", "村委会会议室"),
    ("防范电信诈骗进院坝", "村文化广场"),
    ("科普大篷车进村", "镇中心小学"),
    ("老年人防跌倒健康讲座", "社区活动室"),
    ("生猪疫病防控培训", "养殖合作社"),
    ("防溺水安全宣讲", "村小学操场"),
];
/// The demo's 科普员 were appointed up to this long ago.
const APPOINTED_WITHIN_DAYS: i64 = 240;

fn set_clock(app: &App, at: DateTime<Utc>) {
    app.clock.advance(at - app.clock.now());
}

/// `1394` + county + `3`: the county's 全民科普服务部 (demo staff start only at the city).
fn county_staff_phone(county: &str) -> String {
    format!("1394{county}3")
}

/// `157` + county + a two-digit number.
fn sharer_phone(county: &str, n: usize) -> String {
    format!("157{county}{n:02}")
}

async fn county_staff(app: &App, county: &RegionCode) -> anyhow::Result<Actor> {
    let phone = county_staff_phone(county.as_str());
    add_staff(
        app,
        None,
        NewStaff {
            phone: phone.clone(),
            password: DEMO_PASSWORD.into(),
            name: format!(
                "{}全民科普服务部",
                app.regions.full_name(county).replace(' ', "")
            ),
            region_code: county.to_string(),
            department: Department::Kepu.as_str().into(),
            admin: false,
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo county staff: {e} {:?}", e.fields()))?;
    user(app, &phone).await
}

/// A 科普员 as the loader keeps them: their account, code, county and when appointed.
struct Appointed {
    user: i64,
    code: String,
    county: String,
    at: DateTime<Utc>,
}

pub async fn load(app: &App) -> anyhow::Result<String> {
    let now = app.clock.now();
    let hash = hash_password(DEMO_PASSWORD.into()).await?;
    let mut rng = Rng::new(1515);
    let mut appointed: Vec<Appointed> = Vec::new();
    let mut staff_of: Vec<(Actor, Vec<usize>)> = Vec::new();
    for (county_code, townships, villagers) in COUNTIES {
        let county = RegionCode::parse(county_code)?;
        set_clock(app, now - Duration::days(APPOINTED_WITHIN_DAYS + 10));
        let staff = county_staff(app, &county).await?;
        let townships: Vec<RegionCode> = app
            .regions
            .children(Some(&county))
            .into_iter()
            .map(|t| t.code.clone())
            .take(*townships)
            .collect();
        // Each covered township's 管理员, then 信息员 for villages of the first townships.
        let mut posts: Vec<(RegionCode, Option<&str>)> =
            townships.iter().map(|t| (t.clone(), None)).collect();
        for n in 0..*villagers {
            posts.push((
                townships[n % townships.len()].clone(),
                Some(VILLAGES[n % VILLAGES.len()]),
            ));
        }
        let mut mine = Vec::new();
        for (n, (township, village)) in posts.into_iter().enumerate() {
            let role = if n % 4 == 3 {
                Role::Volunteer
            } else {
                Role::Public
            };
            let phone = sharer_phone(county_code, n + 1);
            let registered = now - Duration::days(APPOINTED_WITHIN_DAYS + 30);
            let account = NewAccount {
                role,
                phone: Phone::parse(&phone)?,
                password: Password::parse(DEMO_PASSWORD).map_err(anyhow::Error::msg)?,
                name: PersonName::parse(&person_name(&mut rng), "姓名", 50)
                    .map_err(anyhow::Error::msg)?,
                region: county.clone(),
                org: None,
                kepu: None,
                accepted_terms: true,
            };
            let id = accounts::store::register(&app.db, &account, &hash, registered)
                .await
                .map_err(|e| anyhow::anyhow!("demo 科普员 account: {e}"))?;
            let at = now - Duration::days(APPOINTED_WITHIN_DAYS - (n as i64 * 3) % 200);
            set_clock(app, at);
            let input = AppointInput {
                phone: None,
                user_id: Some(id.0),
                region_code: township.to_string(),
                village: village.map(str::to_owned),
            };
            let sharer = service::appoint(app, &staff, &input, None)
                .await
                .map_err(|e| anyhow::anyhow!("demo appointment: {e} {:?}", e.fields()))?;
            mine.push(appointed.len());
            appointed.push(Appointed {
                user: id.0,
                code: sharer.code,
                county: county.to_string(),
                at,
            });
        }
        staff_of.push((staff, mine));
    }
    set_clock(app, now);
    let reads = reads(app, &appointed, &mut rng, now).await?;
    let (confirmed, pending) = reports(app, &appointed, &staff_of, &mut rng, now).await?;
    set_clock(app, now);
    crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
        .await
        .map_err(|e| anyhow::anyhow!("followers: {e}"))?;
    Ok(format!(
        "科普员：{} 个县任命 {} 名，经其分享链接的阅读 {} 次；线下活动报告已确认 {} 份、待确认 {} 份（邻水县全民科普服务部 {}，科普员 {}）",
        COUNTIES.len(),
        appointed.len(),
        reads,
        confirmed,
        pending,
        county_staff_phone("511623"),
        sharer_phone("511623", 1),
    ))
}

/// Reads through the 科普员's links since each was appointed: neighbours without an account
/// and residents of the demo, hours apart.
async fn reads(
    app: &App,
    appointed: &[Appointed],
    rng: &mut Rng,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let published: Vec<(i64, DateTime<Utc>)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, published_at FROM kepu_resources WHERE status = 'published' AND published_at IS NOT NULL ORDER BY id")
        .fetch_all(pool).await)?;
    // The demo's first residents: registered before the 科普员, so none reads their own link.
    let residents: Vec<(i64, String)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, region_code FROM users WHERE role = 'public' ORDER BY id LIMIT 150")
        .fetch_all(pool).await)?;
    if published.is_empty() {
        return Ok(0);
    }
    let mut count = 0;
    for (n, sharer) in appointed.iter().enumerate() {
        // Some share a lot, some a little.
        let reads = 4 + rng.below(if n % 5 == 0 { 60 } else { 20 });
        let span = (now - sharer.at - Duration::minutes(10))
            .num_minutes()
            .max(60) as usize;
        for r in 0..reads {
            let at = sharer.at + Duration::minutes(rng.below(span) as i64);
            let fitting: Vec<&(i64, DateTime<Utc>)> =
                published.iter().filter(|(_, p)| *p < at).collect();
            let Some((resource, _)) = fitting.get(rng.below(fitting.len().max(1))) else {
                continue;
            };
            let (reader, user_id, region) = if r % 3 == 0 && !residents.is_empty() {
                let (id, region) = &residents[rng.below(residents.len())];
                (format!("u:{id}"), Some(*id), region.clone())
            } else {
                // A neighbour's phone without an account, in the 科普员's county.
                (
                    format!("s:share{n:03}{:03}", rng.below(40)),
                    None,
                    sharer.county.clone(),
                )
            };
            views::record(
                app,
                Hit {
                    resource_id: *resource,
                    reader,
                    user_id,
                    region_code: region,
                    ip: None,
                    device: None,
                    sharer_code: Some(sharer.code.clone()),
                    at,
                },
            )
            .await;
            count += 1;
        }
    }
    views::flush(app)
        .await
        .map_err(|e| anyhow::anyhow!("demo shared reads: {e}"))?;
    views::book::run(app)
        .await
        .map_err(|e| anyhow::anyhow!("demo booking: {e}"))?;
    // The booking job counted them; keep the resources' quality signals in step, as the main
    // demo does.
    let mut tx = app.db.begin().await?;
    on_tx!(&mut tx, conn => sqlx::query(
        "UPDATE kepu_resources SET completions = reads * 6 / 10, likes = reads / 5 WHERE status = 'published'")
        .execute(&mut **conn).await.map(|done| done.rows_affected()))?;
    tx.commit().await?;
    Ok(count)
}

/// A few offline activities per county: the older ones confirmed (one sent back), the newest
/// waiting for the county's staff.
async fn reports(
    app: &App,
    appointed: &[Appointed],
    staff_of: &[(Actor, Vec<usize>)],
    rng: &mut Rng,
    now: DateTime<Utc>,
) -> anyhow::Result<(usize, usize)> {
    let (mut confirmed, mut pending) = (0, 0);
    let mut made = 0usize;
    for (staff, mine) in staff_of {
        for index in mine.iter().step_by(3) {
            made += 1;
            let sharer = &appointed[*index];
            let actor = actor_by_id(&app.db, UserId(sharer.user))
                .await?
                .ok_or_else(|| anyhow::anyhow!("demo 科普员 {} vanished", sharer.user))?;
            let (title, place) = ACTIVITIES[rng.below(ACTIVITIES.len())];
            // Every fourth is recent and still waiting; the others are weeks or months old.
            let waiting = made % 4 == 1;
            let age = (now - sharer.at).num_days().max(30) as usize;
            let days_ago = if waiting {
                2 + rng.below(5)
            } else {
                14 + rng.below(age - 14)
            } as i64;
            let held = now - Duration::days(days_ago);
            set_clock(app, held + Duration::hours(30));
            let input = ReportInput {
                title: title.into(),
                held_on: crate::platform::clock::shanghai_date(held).to_string(),
                place: place.into(),
                attendance: 15 + rng.below(120) as i64,
                photos: Vec::new(),
                note: "群众参与踊跃，现场答疑，发放科普资料。".into(),
            };
            let report = report_service::submit(app, &actor, &input)
                .await
                .map_err(|e| anyhow::anyhow!("demo report: {e} {:?}", e.fields()))?;
            if waiting {
                pending += 1;
                continue;
            }
            set_clock(app, held + Duration::days(2));
            let (decision, reason) = if made == 7 {
                ("reject", Some("照片和签到表不全，请补充后重新报告"))
            } else {
                ("confirm", None)
            };
            report_service::review(app, staff, report.id, decision, reason, None)
                .await
                .map_err(|e| anyhow::anyhow!("demo review: {e}"))?;
            if decision == "confirm" {
                confirmed += 1;
            }
        }
    }
    Ok((confirmed, pending))
}
