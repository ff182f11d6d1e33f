//! Demo 志愿服务队: seven teams in several counties, formed by their city's 全民科普服务部 and led
//! by demo volunteers, with volunteers and scientists who joined them; half a year of the
//! teams' activities — past ones served by members who checked in at the venue, coming ones
//! open for sign-up. Everything goes through the live acts with the clock set to each moment,
//! so the hours sit in the ledger exactly as a real check-in books them.

use chrono::{DateTime, Duration, Utc};
use tianfu_domain::{Department, RegionCode, UserId};

use super::market::user;
use super::people::{self, Rng};
use crate::App;
use crate::kepu::activities::checkin;
use crate::kepu::activities::rules::Role;
use crate::kepu::activities::service::{self as activities, ActivityInput};
use crate::kepu::volunteers::service::{self as teams, TeamInput};
use crate::on_db;
use crate::platform::auth::{Actor, actor_by_id};
use crate::platform::error::AppError;

/// (name, county, fields, intro, activity titles).
type DemoTeam = (
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static [&'static str],
);
const TEAMS: &[DemoTeam] = &[
    (
        "邻水县柑橘科技志愿服务队",
        "511623",
        &["农业技术", "柑橘", "脐橙"],
        "县农业农村局农技人员、返乡大学生和种植大户组成，常年在柑橘产区开展技术指导。",
        &[
            "柑橘冬季清园技术指导",
            "柑橘保花保果现场会",
            "柑橘病虫害绿色防控田间课堂",
        ],
    ),
    (
        "邻水县银龄健康科普志愿服务队",
        "511623",
        &["健康生活", "防诈骗", "高血压"],
        "退休医生和社区志愿者组成，走进村（社区）讲健康、防诈骗。",
        &["慢病管理进社区", "老年人防诈骗宣讲", "家庭急救小课堂"],
    ),
    (
        "东兴区蛋鸡养殖科技志愿服务队",
        "511011",
        &["农业技术", "蛋鸡", "生猪"],
        "畜牧兽医站技术骨干牵头，服务全区规模养殖户和散养户。",
        &[
            "蛋鸡秋冬季饲养管理培训",
            "畜禽疫病防控入户指导",
            "养殖场粪污资源化利用讲座",
        ],
    ),
    (
        "资中县血橙产业科技志愿服务队",
        "511025",
        &["农业技术", "血橙", "柑橘"],
        "血橙专业合作社技术员与县科协专家组成。",
        &["血橙修剪技术现场教学", "血橙采后贮藏保鲜讲座"],
    ),
    (
        "武侯区青少年科学教育志愿服务队",
        "510107",
        &["科技前沿", "人工智能", "天文", "机器人"],
        "高校师生和科技馆辅导员组成，走进中小学开展科学教育。",
        &["校园人工智能体验课", "周末天文观测夜", "机器人搭建工作坊"],
    ),
    (
        "锦江区应急科普志愿服务队",
        "510104",
        &["应急避险", "安全科学", "地震", "防溺水"],
        "消防、地震和红十字志愿者组成，开展应急避险演练和科普。",
        &[
            "社区地震应急疏散演练",
            "暑期防溺水安全课",
            "家庭消防安全检查指导",
        ],
    ),
    (
        "苍溪县猕猴桃科技志愿服务队",
        "510824",
        &["农业技术", "猕猴桃"],
        "红心猕猴桃产业技术专家和电商能人组成。",
        &["猕猴桃溃疡病防治培训", "猕猴桃电商直播带货培训"],
    ),
];

pub struct TeamsReport {
    /// The volunteer who leads the first team (邻水县), to sign in with.
    pub leader_phone: String,
    pub teams: usize,
    pub members: usize,
    pub past: usize,
    pub coming: usize,
    pub served: usize,
    pub minutes: i64,
}

fn set_clock(app: &App, at: DateTime<Utc>) {
    app.clock.advance(at - app.clock.now());
}

fn failed(what: &'static str) -> impl Fn(AppError) -> anyhow::Error {
    move |e| {
        anyhow::anyhow!(
            "demo {what}: {e} {:?} {:?}",
            e.fields(),
            std::error::Error::source(&e)
        )
    }
}

/// People of a role, those of `city` first, then anyone's, as (id, phone).
async fn people(app: &App, role: &str, city: &str) -> anyhow::Result<Vec<(i64, String)>> {
    let (low, high) = RegionCode::parse(city)?.subtree_bounds();
    let rows: Vec<(i64, String, bool)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, phone, region_code >= $2 AND region_code < $3 FROM users WHERE role = $1 ORDER BY id")
        .bind(role).bind(low).bind(high).fetch_all(pool).await)?;
    let (mut near, far): (Vec<_>, Vec<_>) = rows.into_iter().partition(|(_, _, near)| *near);
    near.extend(far);
    Ok(near.into_iter().map(|(id, phone, _)| (id, phone)).collect())
}

async fn actor(app: &App, id: i64) -> anyhow::Result<Actor> {
    actor_by_id(&app.db, UserId(id))
        .await
        .map_err(failed("person"))?
        .ok_or_else(|| anyhow::anyhow!("demo person {id} vanished"))
}

/// 09:00 in Beijing on the day of `at`.
fn nine_am(at: DateTime<Utc>) -> DateTime<Utc> {
    at - Duration::minutes((at.timestamp() / 60 + 8 * 60) % 1440) + Duration::hours(9)
}

pub async fn load(app: &App, now: DateTime<Utc>) -> anyhow::Result<TeamsReport> {
    let mut rng = Rng::new(1504);
    let mut report = TeamsReport {
        leader_phone: String::new(),
        teams: 0,
        members: 0,
        past: 0,
        coming: 0,
        served: 0,
        minutes: 0,
    };
    // Each volunteer serves in one team, led by one of the city's volunteers when it has one.
    let mut taken: Vec<i64> = Vec::new();
    for (index, (name, county, fields, intro, titles)) in TEAMS.iter().enumerate() {
        let city = &county[..4];
        let staff = user(
            app,
            &people::city_staff_phone(city[2..].parse()?, Department::Kepu),
        )
        .await?;
        let candidates = people(app, "volunteer", city).await?;
        let mut free = candidates.iter().filter(|(id, _)| !taken.contains(id));
        let Some((leader_id, leader_phone)) = free.next().cloned() else {
            anyhow::bail!("demo team {name}: no volunteer left to lead it");
        };
        let volunteers: Vec<(i64, String)> = free.take(5).cloned().collect();
        taken.push(leader_id);
        taken.extend(volunteers.iter().map(|(id, _)| *id));
        let leader = actor(app, leader_id).await?;
        if index == 0 {
            report.leader_phone = leader_phone.clone();
        }

        let formed = now - Duration::days(200 - index as i64 * 3);
        set_clock(app, formed);
        let team = teams::create(
            app,
            &staff,
            &TeamInput {
                name: (*name).into(),
                region_code: (*county).into(),
                fields: fields.iter().map(|f| (*f).to_owned()).collect(),
                intro: (*intro).into(),
                leader_phone: leader_phone.clone(),
            },
            None,
        )
        .await
        .map_err(failed("team"))?;
        report.teams += 1;
        report.members += 1;
        // Volunteers join by themselves; the leader adds the first and a scientist of the city.
        // The leader runs the team's activities (and shows their codes), so does not serve them.
        let mut serving: Vec<Actor> = Vec::new();
        for (n, (id, phone)) in volunteers.iter().enumerate() {
            set_clock(app, formed + Duration::days(1 + n as i64 * 4));
            if n == 0 {
                teams::add_member(app, &leader, team, phone, None, None)
                    .await
                    .map_err(failed("member added"))?;
            } else {
                teams::join(app, &actor(app, *id).await?, team)
                    .await
                    .map_err(failed("member joined"))?;
            }
            serving.push(actor(app, *id).await?);
            report.members += 1;
        }
        if let Some((id, phone)) = people(app, "worker", city).await?.get(index) {
            teams::add_member(app, &leader, team, phone, None, None)
                .await
                .map_err(failed("scientist added"))?;
            serving.push(actor(app, *id).await?);
            report.members += 1;
        }
        let residents: Vec<Actor> = {
            let mut out = Vec::new();
            for (id, _) in people(app, "public", city).await?.iter().take(6) {
                out.push(actor(app, *id).await?);
            }
            out
        };

        // Past activities over the half year, then one coming.
        for (round, title) in titles.iter().enumerate() {
            let past = round + 1 < titles.len() || index % 3 == 0;
            let start = nine_am(if past {
                now - Duration::days(20 + round as i64 * 45 + rng.below(20) as i64)
            } else {
                now + Duration::days(6 + rng.below(14) as i64)
            });
            let length = Duration::minutes([120, 150, 180][rng.below(3)]);
            set_clock(app, start.min(now) - Duration::days(7));
            let activity = activities::create(
                app,
                &leader,
                &ActivityInput {
                    title: (*title).into(),
                    description: format!("{name}开展{title}，队员现场讲解、答疑并发放技术资料。"),
                    region_code: (*county).into(),
                    place_id: None,
                    team_id: Some(team),
                    starts_at: start.to_rfc3339(),
                    ends_at: (start + length).to_rfc3339(),
                    capacity: 40,
                    audiences: Vec::new(),
                },
                None,
            )
            .await
            .map_err(failed("team activity"))?;
            // Three or four members serve it; a few residents come.
            let skip = rng.below(serving.len().max(1));
            let servers: Vec<&Actor> = serving
                .iter()
                .cycle()
                .skip(skip)
                .take(3 + rng.below(2))
                .collect();
            for (n, person) in servers.iter().enumerate() {
                set_clock(
                    app,
                    start.min(now) - Duration::days(5) + Duration::hours(n as i64),
                );
                activities::sign_up(app, person, activity, Role::Volunteer)
                    .await
                    .map_err(failed("volunteer sign-up"))?;
            }
            for (n, person) in residents.iter().enumerate() {
                set_clock(
                    app,
                    start.min(now) - Duration::days(3) + Duration::minutes(n as i64 * 41),
                );
                activities::sign_up(app, person, activity, Role::Attendee)
                    .await
                    .map_err(failed("sign-up"))?;
            }
            if !past {
                report.coming += 1;
                continue;
            }
            report.past += 1;
            // At the venue: each arrival scans the code on the screen (a fresh one each time).
            let arriving = servers.iter().copied().chain(residents.iter());
            for (n, person) in arriving.enumerate() {
                if rng.below(10) < 2 {
                    continue; // Signed up, did not come: nothing is credited.
                }
                set_clock(
                    app,
                    start - Duration::minutes(20) + Duration::minutes(n as i64 * 3),
                );
                let code = checkin::issue(app, &leader, activity, None)
                    .await
                    .map_err(failed("code"))?;
                let done = match checkin::check_in(app, person, activity, &code.code).await {
                    Ok(done) => done,
                    // Served another activity at the same hour (a place's): not counted twice.
                    Err(AppError::Conflict { .. }) => continue,
                    Err(error) => return Err(failed("check-in")(error)),
                };
                if done.minutes > 0 {
                    report.served += 1;
                    report.minutes += done.minutes;
                }
            }
        }
    }
    set_clock(app, now);
    // The figures (volunteer_hours among them) are there on first start.
    crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
        .await
        .map_err(|e| anyhow::anyhow!("followers: {e}"))?;
    Ok(report)
}
