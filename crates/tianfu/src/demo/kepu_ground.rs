//! Demo 科普 on the ground: 科普共享基地 and 科普e站 in several cities, and a year of their
//! activities — past ones with sign-ups, check-ins and feedback, coming ones open for sign-up —
//! all made through the same acts as live use (the clock is set to each moment), so that the
//! check-ins sit in the ledger behind 服务量 and 服务群众数.

use chrono::{DateTime, Duration, Utc};
use tianfu_domain::{Department, Role as AccountRole};

use super::market::user;
use super::people::{self, Rng};
use crate::App;
use crate::kepu::activities::checkin;
use crate::kepu::activities::rules::Role;
use crate::kepu::activities::service::{self as activities, ActivityInput};
use crate::kepu::places::service::{self as places, PlaceInput};
use crate::on_db;
use crate::platform::auth::{Actor, actor_by_id};

/// (kind, name, county or township, address, latitude, longitude, opening hours, offers).
type DemoPlace = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    f64,
    f64,
    &'static str,
    &'static [&'static str],
);
const PLACES: &[DemoPlace] = &[
    (
        "base",
        "四川科技馆",
        "510104",
        "成都市锦江区人民中路一段16号",
        30.660,
        104.066,
        "周二至周日 9:00-17:00",
        &["科普展品", "科学实验秀", "青少年科技营"],
    ),
    (
        "base",
        "成都市青少年科技活动中心",
        "510107",
        "成都市武侯区",
        30.642,
        104.043,
        "周三至周日 9:00-17:00",
        &["机器人体验", "科技创新辅导"],
    ),
    (
        "estation",
        "郫都区唐昌镇科普e站",
        "510117104",
        "郫都区唐昌镇文化站",
        30.823,
        103.807,
        "每天 8:30-18:00",
        &["农技培训", "电商直播间"],
    ),
    (
        "estation",
        "邻水县鼎屏镇科普e站",
        "511623100",
        "邻水县鼎屏镇文化站二楼",
        30.335,
        106.930,
        "周一至周六 9:00-17:00",
        &["科普展品", "农技培训", "健康讲座"],
    ),
    (
        "estation",
        "邻水县柑子镇科普e站",
        "511623103",
        "邻水县柑子镇便民服务中心",
        30.420,
        106.990,
        "周一至周五 9:00-17:00",
        &["柑橘技术", "应急科普"],
    ),
    (
        "base",
        "广安市科技馆",
        "511602",
        "广安市广安区滨河路",
        30.474,
        106.633,
        "周二至周日 9:00-16:30",
        &["科普展品", "VR体验"],
    ),
    (
        "base",
        "内江市科普共享基地（甜城湖）",
        "511002",
        "内江市市中区甜城湖畔",
        29.585,
        105.058,
        "周二至周日 9:00-17:00",
        &["科普展品", "防灾减灾体验"],
    ),
    (
        "estation",
        "东兴区椑木镇科普e站",
        "511011110",
        "内江市东兴区椑木镇",
        29.536,
        105.152,
        "周一至周六 9:00-17:00",
        &["蛋鸡养殖技术", "健康讲座"],
    ),
    (
        "estation",
        "资中县球溪镇科普e站",
        "511025106",
        "资中县球溪镇文化站",
        29.650,
        104.760,
        "周一至周五 9:00-17:00",
        &["血橙种植", "农技培训"],
    ),
    (
        "base",
        "南充市科技馆",
        "511302",
        "南充市顺庆区",
        30.837,
        106.110,
        "周二至周日 9:00-17:00",
        &["科普展品", "天文观测"],
    ),
    (
        "estation",
        "苍溪县陵江镇科普e站",
        "510824100",
        "苍溪县陵江镇",
        31.732,
        105.934,
        "周一至周六 9:00-17:00",
        &["猕猴桃技术", "电商培训"],
    ),
    (
        "base",
        "绵阳科技城科普基地",
        "510703",
        "绵阳市涪城区",
        31.467,
        104.679,
        "周二至周日 9:00-17:00",
        &["科技前沿展", "机器人体验"],
    ),
];

/// Topics of the demo activities: (title, audiences, capacity).
const TOPICS: &[(&str, &[&str], i64)] = &[
    ("柑橘绿色防控技术培训", &["farmer"], 40),
    ("老年人防诈骗科普讲座", &["elder"], 60),
    ("青少年机器人科学营", &["youth"], 30),
    ("蛋鸡科学养殖与疫病防治", &["farmer"], 40),
    ("家庭急救与心肺复苏体验", &["elder", "worker"], 50),
    ("防灾减灾科普进社区", &["elder", "youth"], 80),
    ("农村电商直播入门", &["farmer", "worker"], 30),
    ("健康生活方式讲座", &["elder"], 60),
    ("天文观测之夜", &["youth"], 40),
    ("科学用药与慢病管理", &["elder"], 50),
];

pub struct GroundReport {
    pub places: usize,
    pub past: usize,
    pub coming: usize,
    pub check_ins: usize,
}

fn set_clock(app: &App, at: DateTime<Utc>) {
    app.clock.advance(at - app.clock.now());
}

/// Residents and volunteers of a city (its code's prefix), as actors.
async fn people_of(app: &App, city: &str, role: &str, limit: i64) -> anyhow::Result<Vec<Actor>> {
    let (low, high) = tianfu_domain::RegionCode::parse(city)?.subtree_bounds();
    let ids: Vec<i64> = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT id FROM users WHERE role = $1 AND region_code >= $2 AND region_code < $3 ORDER BY id LIMIT $4")
        .bind(role).bind(low).bind(high).bind(limit).fetch_all(pool).await)?;
    let mut out = Vec::new();
    for id in ids {
        out.extend(
            actor_by_id(&app.db, tianfu_domain::UserId(id))
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        );
    }
    Ok(out)
}

fn failed(what: &'static str) -> impl Fn(crate::platform::error::AppError) -> anyhow::Error {
    move |e| {
        anyhow::anyhow!(
            "demo {what}: {e} {:?} {:?}",
            e.fields(),
            std::error::Error::source(&e)
        )
    }
}

pub async fn load(app: &App, now: DateTime<Utc>) -> anyhow::Result<GroundReport> {
    let mut rng = Rng::new(15);
    let mut report = GroundReport {
        places: 0,
        past: 0,
        coming: 0,
        check_ins: 0,
    };
    // The first place, where the demo's live activities happen.
    let mut venue: Option<(i64, Actor)> = None;
    for (index, (kind, name, county, address, lat, lng, hours, offers)) in PLACES.iter().enumerate()
    {
        let city = &county[..4];
        let city_number: u32 = city[2..].parse()?;
        let staff = user(
            app,
            &people::city_staff_phone(city_number, Department::Kepu),
        )
        .await?;
        set_clock(app, now - Duration::days(370));
        let place = places::create(
            app,
            &staff,
            &PlaceInput {
                kind: (*kind).into(),
                name: (*name).into(),
                region_code: (*county).into(),
                address: (*address).into(),
                latitude: Some(*lat),
                longitude: Some(*lng),
                opening_hours: (*hours).into(),
                capacity: Some(if *kind == "base" { 500 } else { 60 }),
                offers: offers.iter().map(|o| (*o).to_owned()).collect(),
                photo_ids: Vec::new(),
                intro: format!(
                    "{name}面向群众免费开放，常年举办科普讲座、技术培训和科普体验活动。"
                ),
                status: "open".into(),
            },
            None,
        )
        .await
        .map_err(failed("place"))?;
        report.places += 1;
        if index == 0 {
            venue = Some((place, staff.clone()));
        }
        let residents = people_of(app, city, AccountRole::Public.as_str(), 40).await?;
        let volunteers = people_of(app, city, AccountRole::Volunteer.as_str(), 6).await?;
        // Three past activities over the year, one or two coming.
        for round in 0..5 {
            let (title, audiences, capacity) = TOPICS[(index + round * 3) % TOPICS.len()];
            let past = round < 3;
            let start = if past {
                now - Duration::days(30 + (round as i64) * 100 + rng.below(60) as i64)
            } else {
                now + Duration::days(2 + (round as i64 - 3) * 7 + rng.below(5) as i64)
            };
            let start =
                start - Duration::minutes(start.timestamp() / 60 % 1440) + Duration::hours(1); // 09:00 in Beijing
            if !past && round == 4 && index % 2 == 1 {
                continue;
            }
            set_clock(app, start.min(now) - Duration::days(6));
            let id = activities::create(
                app,
                &staff,
                &ActivityInput {
                    title: title.into(),
                    description: format!("{title}：由{name}与县（市、区）科协联合举办，专家现场讲解并答疑，欢迎报名参加。"),
                    region_code: String::new(),
                    place_id: Some(place),
                    team_id: None,
                    starts_at: start.to_rfc3339(),
                    ends_at: (start + Duration::hours(2)).to_rfc3339(),
                    capacity: capacity.min(if past { 12 } else { capacity }),
                    audiences: audiences.iter().map(|a| (*a).to_owned()).collect(),
                },
                None,
            )
            .await
            .map_err(failed("activity"))?;
            let coming = residents.len().min(if past { 14 } else { 5 });
            for (n, person) in residents.iter().skip(rng.below(6)).take(coming).enumerate() {
                set_clock(
                    app,
                    start.min(now) - Duration::days(5) + Duration::minutes(n as i64 * 37),
                );
                activities::sign_up(app, person, id, Role::Attendee)
                    .await
                    .map_err(failed("sign-up"))?;
            }
            if let Some(volunteer) = volunteers.get(round % volunteers.len().max(1)) {
                activities::sign_up(app, volunteer, id, Role::Volunteer)
                    .await
                    .map_err(failed("volunteer"))?;
            }
            if !past {
                report.coming += 1;
                continue;
            }
            report.past += 1;
            set_clock(app, start + Duration::minutes(10));
            // (person, serving as a volunteer): only attendees rate the activity.
            let attending: Vec<(&Actor, bool)> = volunteers
                .get(round % volunteers.len().max(1))
                .map(|v| (v, true))
                .into_iter()
                .chain(residents.iter().map(|r| (r, false)))
                .collect();
            for (n, (person, serving)) in attending.into_iter().enumerate() {
                // Most who signed up come; a few walk in.
                if rng.below(10) < 3 {
                    continue;
                }
                set_clock(app, start + Duration::minutes(10 + n as i64));
                let code = checkin::issue(app, &staff, id, None)
                    .await
                    .map_err(failed("code"))?;
                if checkin::check_in(app, person, id, &code.code).await.is_ok() {
                    report.check_ins += 1;
                    if !serving && rng.below(3) == 0 {
                        set_clock(app, start + Duration::hours(3));
                        let rating = 4 + rng.below(2) as i64;
                        activities::give_feedback(
                            app,
                            person,
                            id,
                            rating,
                            "讲得很实用，希望多办几场。",
                        )
                        .await
                        .map_err(failed("feedback"))?;
                    }
                }
            }
        }
    }
    if let Some((place, staff)) = venue {
        live(app, now, place, &staff, &mut report).await?;
    }
    // The demo farmer has a ticket for a coming activity near home.
    let farmer = user(app, "15200000001").await?;
    set_clock(app, now);
    let county: String = farmer.region.as_str().chars().take(6).collect();
    let city_number: u32 = county[2..4].parse()?;
    let staff = user(
        app,
        &people::city_staff_phone(city_number, Department::Kepu),
    )
    .await?;
    let start = now + Duration::days(3) - Duration::minutes(now.timestamp() / 60 % 1440)
        + Duration::hours(6);
    let id = activities::create(
        app,
        &staff,
        &ActivityInput {
            title: "科技下乡：春耕备耕技术培训".into(),
            description: "农技专家讲解春耕备耕、测土配方施肥和病虫害防治，现场发放技术资料。"
                .into(),
            region_code: county,
            place_id: None,
            team_id: None,
            starts_at: start.to_rfc3339(),
            ends_at: (start + Duration::hours(2)).to_rfc3339(),
            capacity: 50,
            audiences: vec!["farmer".into()],
        },
        None,
    )
    .await
    .map_err(failed("farmer's activity"))?;
    activities::sign_up(app, &farmer, id, Role::Attendee)
        .await
        .map_err(failed("farmer sign-up"))?;
    report.coming += 1;
    set_clock(app, now);
    Ok(report)
}

/// Two activities to try by hand at the first place: one under way now (check-in open, so its
/// screen's QR code can be scanned at once) and a small coming one already full, with a
/// waiting list that moves up when someone cancels.
async fn live(
    app: &App,
    now: DateTime<Utc>,
    place: i64,
    staff: &Actor,
    report: &mut GroundReport,
) -> anyhow::Result<()> {
    let residents = people_of(app, "5101", AccountRole::Public.as_str(), 8).await?;
    let shows = [
        (
            "科技馆奇妙夜：现场科学实验秀",
            now - Duration::minutes(30),
            30,
            5,
        ),
        ("小小科学家：家庭亲子实验课", now + Duration::days(4), 3, 5),
    ];
    for (title, start, capacity, signups) in shows {
        set_clock(app, now - Duration::days(2));
        let id = activities::create(
            app,
            staff,
            &ActivityInput {
                title: title.into(),
                description: format!(
                    "{title}：科技辅导员现场演示并讲解，欢迎报名参加，到场后扫码签到。"
                ),
                region_code: String::new(),
                place_id: Some(place),
                team_id: None,
                starts_at: start.to_rfc3339(),
                ends_at: (start + Duration::hours(2)).to_rfc3339(),
                capacity,
                audiences: vec!["youth".into(), "elder".into()],
            },
            None,
        )
        .await
        .map_err(failed("live activity"))?;
        for (n, person) in residents.iter().take(signups).enumerate() {
            set_clock(
                app,
                now - Duration::days(2) + Duration::minutes(n as i64 * 11),
            );
            activities::sign_up(app, person, id, Role::Attendee)
                .await
                .map_err(failed("live sign-up"))?;
        }
        report.coming += 1;
    }
    set_clock(app, now);
    Ok(())
}
