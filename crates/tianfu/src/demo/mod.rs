//! `tianfu demo`: a believable province so that a new user sees a living site. Deterministic
//! (the same data every time) and idempotent (a second run changes nothing). Later features add
//! their own demo data here.

mod catalog;
mod fair;
mod fair_catalog;
mod fair_events;
mod funding;
mod integrity;
mod kepu;
mod kepu_ground;
mod kepu_questions;
mod kepu_sharers;
mod kepu_teams;
mod market;
mod nanny;
mod people;
mod performance;
mod ratings;
mod reports;

use std::fmt::Write;

use chrono::Duration;
use tianfu_domain::{Department, RegionCode, RegionLevel};

use crate::App;
use crate::accounts::{self, register::NewAccount};
use crate::platform::auth::hash_password;
use crate::staff::store::{NewStaff, add_staff};
use people::Rng;

/// Every demo account has this password.
pub const DEMO_PASSWORD: &str = "Tianfu2026";
pub const ADMIN_PHONE: &str = "13900000000";

pub async fn load(app: &App) -> anyhow::Result<String> {
    if accounts::store::credentials_by_phone(&app.db, ADMIN_PHONE)
        .await?
        .is_some()
    {
        return Ok(format!(
            "演示数据已存在，未重复导入。管理员账号 {ADMIN_PHONE}，密码 {DEMO_PASSWORD}"
        ));
    }
    let mut report = String::new();
    let staff = load_staff(app).await?;
    writeln!(report, "已创建服务中心工作人员 {staff} 名（含管理员）")?;
    let people = load_people(app).await?;
    writeln!(
        report,
        "已注册演示用户 {people} 名（科技工作者、企事业单位、群众、科技志愿者）"
    )?;
    let admin = market::user(app, ADMIN_PHONE).await?;
    let market = market::load(app, &admin).await?;
    writeln!(
        report,
        "科技市场：科创工作室 {} 个，已发布信息 {} 条，待审核 {} 条，洽谈 {} 个，交易 {} 笔",
        market.studios, market.published, market.pending, market.inquiries, market.deals
    )?;
    let nanny = nanny::load(app).await?;
    writeln!(
        report,
        "保姆式服务：服务单 {} 个，跟进记录 {} 条，因签约办结 {} 个",
        nanny.opened, nanny.followups, nanny.closed_by_deal
    )?;
    let kepu = kepu::load(app).await?;
    writeln!(
        report,
        "精准科普：已发布科普资源 {} 篇，待审核 {} 篇，群众需求画像 {} 份，一年来的阅读 {} 次",
        kepu.published, kepu.pending, kepu.profiles, kepu.reads
    )?;
    writeln!(
        report,
        "向科学要答案：提问 {} 个，已解答 {} 个；精准推送 1 次，送达 {} 人，已打开 {} 人",
        kepu.questions, kepu.answered, kepu.pushed, kepu.opened
    )?;
    let ground = kepu_ground::load(app, app.clock.now()).await?;
    writeln!(
        report,
        "科普场所 {} 处；科普活动 {} 场已举办（签到 {} 人次）、{} 场接受报名",
        ground.places, ground.past, ground.check_ins, ground.coming
    )?;
    writeln!(report, "{}", kepu_sharers::load(app).await?)?;
    let teams = kepu_teams::load(app, app.clock.now()).await?;
    writeln!(
        report,
        "志愿服务队 {} 支、队员 {} 名；队伍活动 {} 场已举办（志愿者签到 {} 人次，服务 {:.1} 小时）、{} 场接受报名",
        teams.teams,
        teams.members,
        teams.past,
        teams.served,
        teams.minutes as f64 / 60.0,
        teams.coming
    )?;
    let integrity = integrity::load(app).await?;
    writeln!(
        report,
        "数据核查：疑似批量重复发布的科技所需 {} 条待复核；大额交易 1 笔已核验、1 笔待核验（{} 元）",
        integrity.held,
        integrity.awaiting_fen / 100
    )?;
    let rated = ratings::load(app, &admin).await?;
    writeln!(
        report,
        "典型/精品评定：案例 {} 个，申报 {} 项，已生效 {} 项（县、市、省各有待审）",
        rated.cases, rated.ratings, rated.in_force
    )?;
    let performance = performance::load(app).await?;
    writeln!(
        report,
        "精准绩效：本年度指标体系 {} 个版本，已发布各期得分 {} 期",
        performance.versions, performance.published
    )?;
    writeln!(report, "{}", funding::load(app).await?)?;
    writeln!(report, "{}", reports::load(app).await?)?;
    writeln!(report, "{}", fair::load(app, &admin).await?)?;
    writeln!(report, "演示账号（密码均为 {DEMO_PASSWORD}）：")?;
    writeln!(report, "  管理员            {ADMIN_PHONE}")?;
    writeln!(report, "  省级·科技工作者服务部 13900000001")?;
    writeln!(
        report,
        "  内江市·科技工作者服务部 {}",
        people::city_staff_phone(10, Department::Worker)
    )?;
    writeln!(report, "  科技工作者        15000000001")?;
    writeln!(report, "  企事业单位        15100000001")?;
    writeln!(report, "  省级·全民科普服务部 13900000003")?;
    writeln!(report, "  群众（农民）      15200000001")?;
    writeln!(report, "  科技志愿者（服务队队长） {}", teams.leader_phone)?;
    Ok(report)
}

async fn load_staff(app: &App) -> anyhow::Result<usize> {
    let mut created = 0;
    let add = |phone: String, name: String, region: String, department: Department, admin: bool| {
        let input = NewStaff {
            phone,
            password: DEMO_PASSWORD.into(),
            name,
            region_code: region,
            department: department.as_str().into(),
            admin,
        };
        async move {
            add_staff(app, None, input)
                .await
                .map_err(|e| anyhow::anyhow!("demo staff: {e} {:?}", e.fields()))
        }
    };
    add(
        ADMIN_PHONE.into(),
        "省科协管理员".into(),
        "51".into(),
        Department::Worker,
        true,
    )
    .await?;
    created += 1;
    for (index, department) in Department::ALL.iter().enumerate() {
        add(
            format!("1390000000{}", index + 1),
            format!("省级{}", department.label()),
            "51".into(),
            *department,
            false,
        )
        .await?;
        created += 1;
    }
    let sichuan = RegionCode::parse("51")?;
    for city in app.regions.children(Some(&sichuan)) {
        let city_number: u32 = city.code.as_str()[2..].parse()?;
        for department in Department::ALL {
            let phone = people::city_staff_phone(city_number, *department);
            add(
                phone,
                format!("{}{}", city.name, department.label()),
                city.code.to_string(),
                *department,
                false,
            )
            .await?;
            created += 1;
        }
        // A sample of counties: the first two of each city have their own service centre.
        for (county_index, county) in app
            .regions
            .children(Some(&city.code))
            .into_iter()
            .take(2)
            .enumerate()
        {
            for department in [Department::Worker, Department::Org] {
                let phone =
                    people::county_staff_phone(city_number, county_index as u32 + 1, department);
                add(
                    phone,
                    format!("{}{}", county.name, department.label()),
                    county.code.to_string(),
                    department,
                    false,
                )
                .await?;
                created += 1;
            }
        }
    }
    Ok(created)
}

async fn load_people(app: &App) -> anyhow::Result<usize> {
    let counties: Vec<RegionCode> = app
        .regions
        .children(Some(&RegionCode::parse("51")?))
        .into_iter()
        .flat_map(|city| app.regions.children(Some(&city.code)))
        .filter(|r| r.level() == RegionLevel::County)
        .map(|r| r.code.clone())
        .collect();
    // One hash for every demo account: hashing is slow on purpose, and they share a password.
    let hash = hash_password(DEMO_PASSWORD.into()).await?;
    let mut rng = Rng::new(2026);
    let now = app.clock.now();
    let mut created = 0;
    for (number, role) in people::demo_roles() {
        let region = counties[rng.below(counties.len())].clone();
        let account: NewAccount = people::account(&mut rng, role, number, region, &app.regions)?;
        let registered_at = now - Duration::minutes(rng.below(365 * 24 * 60) as i64);
        accounts::store::register(&app.db, &account, &hash, registered_at)
            .await
            .map_err(|e| anyhow::anyhow!("demo user: {e}"))?;
        created += 1;
    }
    Ok(created)
}
