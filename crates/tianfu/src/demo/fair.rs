//! The demo fair: last spring's edition (第二届) taken through every phase — projects from all
//! 21 cities collected, reviewed by invited experts, selected within each city's quota, presented
//! in the "1+3+4+22+N" programme, visited in the halls with interest and 1:1 meetings, deals
//! signed at the fair, follow-up tickets, and six months on the outcomes asked and partly
//! answered — and this year's edition (第三届) collecting now. Acts go through the same services
//! a person would use, with the clock moved back to when they happened.

use anyhow::{Context, anyhow};
use chrono::{DateTime, Duration, Utc};
use tianfu_domain::fair::Sector;
use tianfu_domain::{ListingKind, RegionCode, UserId};

use super::fair_catalog::{ACHIEVEMENTS, PROBLEMS, TECHNOLOGIES};
use crate::App;
use crate::fair::editions::service::{self as editions, EditionInput};
use crate::fair::projects::service::{self as projects, ProjectInput};
use crate::fair::store::{FairRow, QuotaRow, find_fair};
use crate::market::listing::{
    AchievementRequest, NeedRequest, OfferRequest, validate_achievement, validate_need,
    validate_offer,
};
use crate::market::service as listings;
use crate::on_db;
use crate::platform::auth::{Actor, actor_by_id};
use crate::platform::error::AppError;

/// Days before today at which the past edition's phases began.
const CREATED: i64 = 300;
const COLLECT_UNTIL: i64 = 240;
const OPENS: i64 = 190;
const CLOSES: i64 = 188;
const SIGNING_UNTIL: i64 = 150;

fn failed(what: &'static str) -> impl Fn(AppError) -> anyhow::Error {
    move |e| anyhow!("demo fair {what}: {e} {:?}", e.fields())
}

/// Sets the application's clock to `days` before the real now (demo loading only).
pub(super) struct Timeline {
    real: DateTime<Utc>,
}

impl Timeline {
    pub fn start(app: &App) -> Timeline {
        Timeline {
            real: app.clock.now(),
        }
    }

    /// Moves the clock to `days` (fractional allowed as hours) before the real now.
    pub fn at(&self, app: &App, days_ago: f64) {
        let target = self.real - Duration::minutes((days_ago * 24.0 * 60.0) as i64);
        app.clock.advance(target - app.clock.now());
    }

    /// The real now the timeline started from.
    pub fn real(&self) -> DateTime<Utc> {
        self.real
    }

    pub fn finish(self, app: &App) {
        app.clock
            .advance(self.real - app.clock.now() + Duration::seconds(1));
    }
}

async fn actor(app: &App, id: i64) -> anyhow::Result<Actor> {
    actor_by_id(&app.db, UserId(id))
        .await
        .map_err(failed("actor"))?
        .with_context(|| format!("demo fair: no user {id}"))
}

/// Up to `n` people of `role` registered in the city's subtree, oldest first — leaving out
/// those with listings dated after the clock (the demo's later acts), which the market's
/// integrity rules would read as a burst.
async fn people_of(app: &App, role: &str, city: &RegionCode, n: i64) -> anyhow::Result<Vec<i64>> {
    let (low, high) = city.subtree_bounds();
    Ok(on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT u.id FROM users u WHERE u.role = $1 AND u.region_code >= $2 AND u.region_code < $3 \
         AND NOT EXISTS (SELECT 1 FROM listings l WHERE l.owner_id = u.id AND l.created_at > $5) ORDER BY u.id LIMIT $4")
        .bind(role).bind(&low).bind(&high).bind(n).bind(app.clock.now()).fetch_all(pool).await)?)
}

/// The staff member of the city's own service centre in `department`.
async fn city_staff(app: &App, city: &RegionCode, department: &str) -> anyhow::Result<Option<i64>> {
    Ok(on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT id FROM users WHERE role = 'staff' AND region_code = $1 AND department = $2 ORDER BY id LIMIT 1")
        .bind(city.as_str()).bind(department).fetch_optional(pool).await)?)
}

fn words(list: &str) -> Option<Vec<String>> {
    Some(list.split(',').map(str::to_owned).collect())
}

fn sector_for(industry: &str, title: &str) -> &'static str {
    if title.contains("材料") || title.contains("纤维") || title.contains("钒钛") {
        return Sector::Materials.as_str();
    }
    if title.contains("地质") {
        return Sector::Electronics.as_str();
    }
    Sector::from_industry(industry)
        .unwrap_or(Sector::Equipment)
        .as_str()
}

pub struct Collected {
    pub fair: FairRow,
    pub projects: usize,
}

/// The past edition created and its projects collected from every city: per city three
/// technologies, two achievements (entered by their owners) and two problems (nominated by the
/// city's staff), each a listing published the way any listing is.
pub(super) async fn collect(
    app: &App,
    admin: &Actor,
    timeline: &Timeline,
) -> anyhow::Result<Collected> {
    timeline.at(app, CREATED as f64);
    let now = app.clock.now();
    let day = |ago: i64| (now + Duration::days(CREATED - ago)).to_rfc3339();
    let sichuan = RegionCode::parse("51")?;
    let cities: Vec<RegionCode> = app
        .regions
        .children(Some(&sichuan))
        .into_iter()
        .map(|r| r.code.clone())
        .collect();
    let mut quotas = Vec::new();
    for city in &cities {
        for (category, quota) in [("technology", 2), ("achievement", 1), ("problem", 1)] {
            quotas.push(QuotaRow {
                region_code: city.as_str().to_owned(),
                category: category.into(),
                quota,
            });
        }
    }
    let year = {
        use chrono::Datelike;
        (timeline.real - Duration::days(OPENS)).year()
    };
    let input = EditionInput {
        name: "第二届科创中国·天府科技云服务大会".into(),
        year: Some(year),
        intro: "以“科创中国·天府科技云”为平台，征集待推广的高新技术、待转化的科技成果和待攻克的科技难题，\
按“1+3+4+22+N”举办开幕式、科创沙龙、重大项目路演、地区专场和集中签约，会后由科服保姆持续跟踪服务。"
            .into(),
        collect_until: day(COLLECT_UNTIL),
        opens_at: day(OPENS),
        closes_at: day(CLOSES),
        signing_until: day(SIGNING_UNTIL),
        criteria: None,
        quotas: Some(quotas),
    };
    let fair_id = editions::create(app, admin, &input)
        .await
        .map_err(failed("edition"))?;
    let mut entered = 0;
    let deadline =
        (crate::platform::clock::shanghai_date(timeline.real) + Duration::days(120)).to_string();
    for (i, city) in cities.iter().enumerate() {
        // Collection spreads over the 55 days before it closes, a city every two or three days.
        timeline.at(app, (CREATED - 3) as f64 - i as f64 * 2.5);
        let fair = find_fair(&app.db, fair_id)
            .await?
            .context("demo fair vanished")?;
        let city_name = app
            .regions
            .get(city)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let workers = people_of(app, "worker", city, 5).await?;
        let orgs = people_of(app, "org", city, 2).await?;
        let nominator = match city_staff(app, city, "org").await? {
            Some(id) => actor(app, id).await?,
            None => admin.clone(),
        };
        let mut made: Vec<(ListingKind, i64, &'static str, Actor)> = Vec::new();
        for k in 0..3 {
            let &(industry, title, description, keywords, price) =
                &TECHNOLOGIES[(i + k * 4) % TECHNOLOGIES.len()];
            let owner = actor(app, workers[k % workers.len()]).await?;
            let request = OfferRequest {
                title: Some(format!("{city_name}·{title}")),
                description: Some(format!(
                    "<p>{description}</p><p>团队在{city_name}已有应用案例，可上门对接。</p>"
                )),
                service_type: Some(
                    ["development", "transfer", "consulting", "service"][k % 4].into(),
                ),
                industry: Some(industry.into()),
                keywords: words(keywords),
                price_fen: Some(price * 100),
                service_area: Some("四川省内".into()),
                status: None,
            };
            let listing =
                validate_offer(&request).map_err(|e| anyhow!("demo fair offer: {e:?}"))?;
            let id = listings::submit(app, &owner, &listing, None)
                .await
                .map_err(failed("offer"))?;
            made.push((ListingKind::Offer, id, sector_for(industry, title), owner));
        }
        for k in 0..2 {
            let &(industry, kind, maturity, mode, title, description, keywords, price) =
                &ACHIEVEMENTS[(i + k * 3) % ACHIEVEMENTS.len()];
            let owner = actor(app, workers[(3 + k) % workers.len()]).await?;
            let request = AchievementRequest {
                title: Some(format!("{city_name}·{title}")),
                description: Some(format!("<p>{description}</p>")),
                kind: Some(kind.into()),
                patent_no: (kind == "patent")
                    .then(|| format!("ZL2024{:06}.{}", 10_000 + i * 10 + k, (i + k) % 10)),
                maturity: Some(maturity.into()),
                transfer_mode: Some(mode.into()),
                industry: Some(industry.into()),
                keywords: words(keywords),
                price_fen: Some(price * 100),
                status: None,
            };
            let listing = validate_achievement(&request)
                .map_err(|e| anyhow!("demo fair achievement: {e:?}"))?;
            let id = listings::submit(app, &owner, &listing, None)
                .await
                .map_err(failed("achievement"))?;
            made.push((
                ListingKind::Achievement,
                id,
                sector_for(industry, title),
                owner,
            ));
        }
        for k in 0..2 {
            let &(industry, title, description, keywords, budget) =
                &PROBLEMS[(i + k * 4) % PROBLEMS.len()];
            let owner = match orgs.get(k).or(orgs.first()) {
                Some(&id) => actor(app, id).await?,
                None => continue,
            };
            let request = NeedRequest {
                title: Some(format!("{city_name}·{title}")),
                description: Some(format!("{description}（{city_name}）")),
                kind: Some("problem".into()),
                industry: Some(industry.into()),
                keywords: words(keywords),
                budget_fen: Some(budget * 100),
                deadline: Some(deadline.clone()),
                contact_pref: Some("平台洽谈".into()),
                status: None,
            };
            let today = crate::platform::clock::shanghai_date(app.clock.now());
            let listing =
                validate_need(&request, today).map_err(|e| anyhow!("demo fair need: {e:?}"))?;
            let id = listings::submit(app, &owner, &listing, None)
                .await
                .map_err(failed("need"))?;
            made.push((ListingKind::Need, id, sector_for(industry, title), owner));
        }
        for (kind, id, sector, owner) in made {
            listings::decide(app, admin, kind, id, "approve", None, None)
                .await
                .map_err(failed("approve"))?;
            // Owners enter their technologies and achievements; the city's staff nominate needs.
            let by = if kind == ListingKind::Need {
                &nominator
            } else {
                &owner
            };
            let input = ProjectInput {
                listing_kind: kind.as_str().into(),
                listing_id: Some(id),
                sector: sector.into(),
                pitch: String::new(),
                ..ProjectInput::default()
            };
            projects::enter(app, by, &fair, &input)
                .await
                .map_err(failed("enter"))?;
            entered += 1;
        }
        crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
            .await
            .map_err(failed("followers"))?;
    }
    let fair = find_fair(&app.db, fair_id)
        .await?
        .context("demo fair vanished")?;
    Ok(Collected {
        fair,
        projects: entered,
    })
}

/// This year's edition, collecting now, with a few of the market's listings already entered by
/// their owners.
pub(super) async fn current(app: &App, admin: &Actor) -> anyhow::Result<(i64, usize)> {
    let now = app.clock.now();
    let day = |n: i64| (now + Duration::days(n)).to_rfc3339();
    let year = {
        use chrono::Datelike;
        (now + Duration::days(100)).year()
    };
    let input = EditionInput {
        name: "第三届科创中国·天府科技云服务大会".into(),
        year: Some(year),
        intro: "第三届科创会项目征集进行中：科技工作者和企事业单位可在“我的科创会项目”报名，县、市科协可推荐本地区项目。".into(),
        collect_until: day(45),
        opens_at: day(100),
        closes_at: day(102),
        signing_until: day(140),
        criteria: None,
        quotas: None,
    };
    let fair_id = editions::create(app, admin, &input)
        .await
        .map_err(failed("current edition"))?;
    let fair = find_fair(&app.db, fair_id)
        .await?
        .context("demo fair vanished")?;
    let listed: Vec<(i64, String, i64)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, kind, owner_id FROM listings WHERE status = 'published' AND kind IN ('offer', 'achievement') \
         AND id NOT IN (SELECT listing_id FROM fair_projects) ORDER BY id LIMIT 12")
        .fetch_all(pool).await)?;
    let mut entered = 0;
    for (id, kind, owner) in listed {
        let owner = actor(app, owner).await?;
        // The sector follows the listing's industry; one that does not tell is left out.
        let input = ProjectInput {
            listing_kind: kind,
            listing_id: Some(id),
            ..ProjectInput::default()
        };
        match projects::enter(app, &owner, &fair, &input).await {
            Ok(_) => entered += 1,
            Err(AppError::Validation(_)) => {}
            Err(e) => return Err(failed("current project")(e)),
        }
    }
    Ok((fair_id, entered))
}

/// Loads both editions and says what was made.
pub async fn load(app: &App, admin: &Actor) -> anyhow::Result<String> {
    let timeline = Timeline::start(app);
    let collected = collect(app, admin, &timeline).await?;
    let after = super::fair_events::run(app, admin, &timeline, collected.fair.id).await?;
    timeline.finish(app);
    crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
        .await
        .map_err(failed("followers"))?;
    let (_, current) = current(app, admin).await?;
    Ok(format!(
        "科创会：{}征集项目 {} 个（21个市州），评审专家 {} 名、评分 {} 份，入选 {} 个；\
活动 {} 场、报名 {} 人次；1对1洽谈预约 {} 个；会上及会后签约 {} 笔；半年回访 {} 人、已反馈 {} 人。\
第三届正在征集，已报名 {} 个",
        collected.fair.name,
        collected.projects,
        after.reviewers,
        after.scores,
        after.selected,
        after.sessions,
        after.registrations,
        after.meetings,
        after.deals,
        after.outcomes_asked,
        after.outcomes_answered,
        current
    ))
}
