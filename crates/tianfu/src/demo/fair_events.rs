//! The demo fair after collection: reviewers invited and assigned, scores given, the selection
//! published with the province's major projects, the "1+3+4+22+N" programme with registrations
//! and check-ins, interest and 1:1 meetings in the halls, deals signed at the fair, follow-up
//! tickets, and six months on the outcomes asked and partly answered. Acts go through the
//! services a person would use, each at the time it happened.

use std::collections::HashMap;

use anyhow::{Context, anyhow};
use chrono::{Duration, DurationRound};
use tianfu_domain::fair::{Category, Outcome, SessionKind};

use super::fair::Timeline;
use super::people::Rng;
use crate::App;
use crate::fair::halls::{meetings, service as halls};
use crate::fair::review::reviewers::{self, ReviewerInput};
use crate::fair::review::scores::{self, ScoreInput};
use crate::fair::review::selection;
use crate::fair::sessions::service::{self as sessions, SessionInput};
use crate::fair::store::{FairRow, find_fair};
use crate::market::deals::{service as deals, store as deal_store};
use crate::on_db;
use crate::platform::auth::{Actor, actor_by_id};
use crate::platform::error::AppError;

fn failed(what: &'static str) -> impl Fn(AppError) -> anyhow::Error {
    move |e| anyhow!("demo fair {what}: {e} {:?}", e.fields())
}

async fn actor(app: &App, id: i64) -> anyhow::Result<Actor> {
    actor_by_id(&app.db, tianfu_domain::UserId(id))
        .await
        .map_err(failed("actor"))?
        .with_context(|| format!("demo fair: no user {id}"))
}

async fn fair(app: &App, id: i64) -> anyhow::Result<FairRow> {
    find_fair(&app.db, id).await?.context("demo fair vanished")
}

async fn ids(app: &App, sql: &'static str, fair_id: i64) -> anyhow::Result<Vec<i64>> {
    Ok(
        on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(sql).bind(fair_id).fetch_all(pool).await)?,
    )
}

/// A session of the programme: kind, title, agenda, start and end (hours after the opening),
/// region, projects presented.
type Planned = (
    SessionKind,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Vec<i64>,
);

pub struct Afterwards {
    pub reviewers: usize,
    pub scores: usize,
    pub selected: i64,
    pub sessions: usize,
    pub registrations: usize,
    pub meetings: usize,
    pub deals: usize,
    pub outcomes_asked: usize,
    pub outcomes_answered: usize,
}

/// Days before today: the edition's dates are in `super::fair`.
pub(super) async fn run(
    app: &App,
    admin: &Actor,
    timeline: &Timeline,
    fair_id: i64,
) -> anyhow::Result<Afterwards> {
    let mut rng = Rng::new(14);
    let mut report = Afterwards {
        reviewers: 0,
        scores: 0,
        selected: 0,
        sessions: 0,
        registrations: 0,
        meetings: 0,
        deals: 0,
        outcomes_asked: 0,
        outcomes_answered: 0,
    };

    // 遴选: thirty scientists from across the province invited, then assigned by field and load.
    timeline.at(app, 244.0);
    let edition = fair(app, fair_id).await?;
    let candidates: Vec<(i64, String)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT u.id, u.region_code FROM users u WHERE u.role = 'worker' \
         AND NOT EXISTS (SELECT 1 FROM fair_projects p WHERE p.owner_id = u.id) ORDER BY u.id LIMIT 200")
        .fetch_all(pool).await)?;
    let sectors = tianfu_domain::fair::Sector::ALL;
    let mut picked_cities = HashMap::new();
    for (id, region) in candidates {
        let city = region.get(..4).unwrap_or("51").to_owned();
        // At most two reviewers of a city, so reviews cross city lines.
        let seen = picked_cities.entry(city).or_insert(0);
        if *seen >= 2 || report.reviewers >= 30 {
            continue;
        }
        *seen += 1;
        let n = report.reviewers;
        let input = ReviewerInput {
            user_id: Some(id),
            phone: None,
            sectors: if n % 4 == 3 {
                Vec::new()
            } else {
                vec![
                    sectors[n % sectors.len()].as_str().to_owned(),
                    sectors[(n + 3) % sectors.len()].as_str().to_owned(),
                ]
            },
            org_name: String::new(),
        };
        reviewers::invite(app, admin, &edition, &input)
            .await
            .map_err(failed("reviewer"))?;
        report.reviewers += 1;
    }
    timeline.at(app, 239.0);
    let edition = fair(app, fair_id).await?;
    reviewers::assign_all(app, admin, &edition)
        .await
        .map_err(failed("assignment"))?;

    // Scores over ten days; now and then a reviewer is far harsher than the others.
    let assignments: Vec<(i64, i64)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT project_id, reviewer_id FROM fair_assignments WHERE fair_id = $1 ORDER BY reviewer_id, project_id")
        .bind(fair_id).fetch_all(pool).await)?;
    let criteria = edition.criteria();
    let quality: HashMap<i64, f64> = assignments
        .iter()
        .map(|(p, _)| (*p, 60.0 + ((p * 37) % 35) as f64))
        .collect();
    for (n, (project, reviewer)) in assignments.iter().enumerate() {
        timeline.at(app, 237.0 - (n as f64 / assignments.len() as f64) * 10.0);
        let base = quality[project];
        let harsh = rng.below(25) == 0;
        let given: HashMap<String, f64> = criteria
            .iter()
            .map(|c| {
                let v = if harsh {
                    20.0 + rng.below(15) as f64
                } else {
                    base - 6.0 + rng.below(13) as f64
                };
                (c.key.clone(), v.clamp(0.0, 100.0).round())
            })
            .collect();
        let input = ScoreInput {
            score: None,
            criteria: Some(given),
            comment: "技术路线清晰，建议加强市场推广。".into(),
        };
        let reviewer = actor(app, *reviewer).await?;
        scores::score(app, &reviewer, &edition, *project, &input)
            .await
            .map_err(failed("score"))?;
        report.scores += 1;
    }

    // The selected list published; the province's major projects picked from the top.
    timeline.at(app, 225.0);
    let edition = fair(app, fair_id).await?;
    let summary = selection::run_selection(app, &edition, admin.id.0)
        .await
        .map_err(failed("selection"))?;
    report.selected = summary.selected;
    let edition = fair(app, fair_id).await?;
    for category in Category::ALL {
        let top: Vec<i64> = on_db!(&app.db, pool => sqlx::query_scalar(
            "SELECT id FROM fair_projects WHERE fair_id = $1 AND status = 'selected' AND category = $2 ORDER BY score DESC, id LIMIT 5")
            .bind(fair_id).bind(category.as_str()).fetch_all(pool).await)?;
        for id in top {
            selection::set_major(app, admin, &edition, id, true)
                .await
                .map_err(failed("major"))?;
        }
    }
    crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
        .await
        .map_err(failed("followers"))?;

    // The programme: 1 opening, 3 salons, 4 roadshows, 22 zones, the collective signing.
    timeline.at(app, 215.0);
    let opens = edition.opens_at;
    let majors = ids(
        app,
        "SELECT id FROM fair_projects WHERE fair_id = $1 AND major ORDER BY id",
        fair_id,
    )
    .await?;
    let at = |hours: i64| (opens + Duration::hours(hours)).to_rfc3339();
    let mut programme: Vec<Planned> = vec![(
        SessionKind::Opening,
        "开幕式暨科创中国·天府科技云服务大会主论坛".into(),
        "省科协致辞；发布第二届科创会遴选结果；重大项目推介。".into(),
        1,
        3,
        None,
        majors.iter().take(6).copied().collect(),
    )];
    let salon_topics = [
        "电子信息与数字经济",
        "先进材料与装备制造",
        "现代农业与乡村振兴",
    ];
    for (i, topic) in salon_topics.iter().enumerate() {
        programme.push((
            SessionKind::Salon,
            format!("科创沙龙：{topic}"),
            format!("{topic}领域专家与企业面对面交流。"),
            4 + i as i64 * 2,
            6 + i as i64 * 2,
            None,
            Vec::new(),
        ));
    }
    for (i, chunk) in majors
        .chunks(majors.len().div_ceil(4).max(1))
        .enumerate()
        .take(4)
    {
        programme.push((
            SessionKind::Roadshow,
            format!("重大项目路演（第{}场）", i + 1),
            "每个项目路演8分钟，投资机构和企业现场点评。".into(),
            24 + i as i64 * 2,
            26 + i as i64 * 2,
            None,
            chunk.to_vec(),
        ));
    }
    for (code, name) in crate::fair::halls(&app.regions) {
        let local = on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
            "SELECT id FROM fair_projects WHERE fair_id = $1 AND hall_code = $2 AND status = 'selected' ORDER BY score DESC LIMIT 6")
            .bind(fair_id).bind(&code).fetch_all(pool).await)?;
        let region = Some(code.clone());
        programme.push((
            SessionKind::Zone,
            format!("{name}专场"),
            format!("{name}入选项目集中推介与对接。"),
            32,
            40,
            region,
            local,
        ));
    }
    programme.push((
        SessionKind::Signing,
        "集中签约仪式".into(),
        "科创会对接成果集中签约。".into(),
        44,
        46,
        None,
        Vec::new(),
    ));
    let mut session_ids = Vec::new();
    for (kind, title, agenda, from, to, region_code, project_ids) in programme {
        let input = SessionInput {
            kind: kind.as_str().into(),
            title,
            agenda,
            venue: if kind == SessionKind::Zone {
                "成都世纪城国际会议中心分会场".into()
            } else {
                "成都世纪城国际会议中心".into()
            },
            region_code,
            starts_at: at(from),
            ends_at: at(to),
            capacity: if kind == SessionKind::Opening {
                500
            } else {
                120
            },
            project_ids,
        };
        let id = sessions::create(app, admin, &edition, &input)
            .await
            .map_err(failed("session"))?;
        session_ids.push(id);
        report.sessions += 1;
    }
    let signing_session = *session_ids.last().expect("the signing session");

    // Registrations from organisations and scientists, and interest in the halls.
    timeline.at(app, 200.0);
    let visitors = ids(app, "SELECT id FROM users WHERE role IN ('org', 'worker') AND id % 3 = $1 ORDER BY id LIMIT 120", 1).await?;
    for (n, visitor) in visitors.iter().enumerate() {
        let visitor = actor(app, *visitor).await?;
        for k in 0..2 {
            let session = session_ids[(n * 7 + k * 11) % session_ids.len()];
            let row = sessions::find(app, &edition, session)
                .await
                .map_err(failed("session"))?;
            match sessions::register(app, &visitor, &row).await {
                Ok(_) => report.registrations += 1,
                Err(AppError::Conflict { .. }) => {}
                Err(e) => return Err(failed("registration")(e)),
            }
        }
    }
    let selected = ids(app, "SELECT id FROM fair_projects WHERE fair_id = $1 AND status = 'selected' AND listing_kind <> 'need' ORDER BY id", fair_id).await?;
    let orgs = ids(
        app,
        "SELECT id FROM users WHERE role = 'org' AND id % $1 = 0 ORDER BY id LIMIT 60",
        1,
    )
    .await?;
    for (n, org) in orgs.iter().enumerate().take(40) {
        timeline.at(app, 205.0 - n as f64 * 4.0);
        let visitor = actor(app, *org).await?;
        let project = selected[(n * 5) % selected.len()];
        let edition = fair(app, fair_id).await?;
        match halls::interest(
            app,
            &visitor,
            &edition,
            project,
            "我们对这个项目很感兴趣，希望进一步了解合作方式和费用。",
        )
        .await
        {
            Ok(_) | Err(AppError::Conflict { .. }) | Err(AppError::Forbidden(_)) => {}
            Err(e) => return Err(failed("interest")(e)),
        }
    }

    // The fair: check-ins at each session, 1:1 meetings, deals signed.
    for &session in &session_ids {
        let row = sessions::find(app, &edition, session)
            .await
            .map_err(failed("session"))?;
        timeline.at(
            app,
            (timeline.real() - row.starts_at).num_minutes() as f64 / 1440.0,
        );
        let registered = ids(app, "SELECT user_id FROM fair_registrations WHERE session_id = $1 AND status = 'registered' ORDER BY user_id", session).await?;
        for (n, person) in registered.iter().enumerate() {
            if n % 5 != 4 {
                sessions::check_in(app, admin, &row, *person, None)
                    .await
                    .map_err(failed("check-in"))?;
            }
        }
    }
    timeline.at(app, 189.5);
    let edition = fair(app, fair_id).await?;
    let mut requested = Vec::new();
    for (n, org) in orgs.iter().enumerate().take(36) {
        let visitor = actor(app, *org).await?;
        let project = selected[(n * 3 + 1) % selected.len()];
        // Slots are on the hour or the half hour.
        let first_hour = edition
            .opens_at
            .duration_trunc(Duration::hours(1))
            .map_err(|e| anyhow!("{e}"))?;
        let slot = (first_hour
            + Duration::hours(26 + (n % 12) as i64)
            + Duration::minutes(30 * (n % 2) as i64))
        .to_rfc3339();
        match meetings::request(
            app,
            &visitor,
            &edition,
            project,
            &slot,
            "想约您在展会期间面谈半小时，了解技术细节。",
        )
        .await
        {
            Ok(id) => {
                requested.push(id);
                report.meetings += 1;
            }
            Err(AppError::Conflict { .. }) | Err(AppError::Forbidden(_)) => {}
            Err(e) => return Err(failed("meeting")(e)),
        }
    }
    timeline.at(app, 189.0);
    for (n, id) in requested.iter().enumerate() {
        let meeting = crate::fair::halls::store::find_meeting(&app.db, *id)
            .await?
            .context("meeting vanished")?;
        let owner = actor(app, meeting.owner_id).await?;
        match n % 5 {
            0..=2 => meetings::answer(
                app,
                &owner,
                &meeting,
                "accept",
                Some("欢迎，届时在展位见。"),
            )
            .await
            .map_err(failed("accept"))?,
            3 => meetings::answer(
                app,
                &owner,
                &meeting,
                "decline",
                Some("时间冲突，可会后线上沟通。"),
            )
            .await
            .map_err(failed("decline"))?,
            // Left unanswered: it lapses after three days and frees its slot.
            _ => {}
        }
    }
    // Deals: visitors sign with the projects' owners at the fair and in the weeks after.
    for (n, org) in orgs.iter().enumerate().take(30) {
        timeline.at(app, if n % 3 == 0 { 188.5 } else { 187.5 - n as f64 });
        let buyer = actor(app, *org).await?;
        let project = selected[(n * 7 + 2) % selected.len()];
        let (listing_id, kind, owner): (i64, String, i64) = on_db!(&app.db, pool => sqlx::query_as(
            "SELECT listing_id, listing_kind, owner_id FROM fair_projects WHERE id = $1").bind(project).fetch_one(pool).await)?;
        if owner == buyer.id.0 {
            continue;
        }
        let input = deals::DealInput {
            need_id: None,
            offer_id: (kind == "offer").then_some(listing_id),
            achievement_id: (kind == "achievement").then_some(listing_id),
            inquiry_id: None,
            contract_type: if kind == "offer" {
                "development".into()
            } else {
                "transfer".into()
            },
            amount_fen: Some((20 + rng.below(280) as i64) * 10_000 * 100),
            fair_id: Some(fair_id),
            fair_session_id: (n % 3 == 0).then_some(signing_session),
            terms: Default::default(),
        };
        let deal_id = deals::create(app, &buyer, input)
            .await
            .map_err(failed("deal"))?;
        let seller = actor(app, owner).await?;
        for (who, to) in [
            (&seller, "negotiating"),
            (&buyer, "signed"),
            (&seller, "signed"),
        ] {
            let deal = deal_store::find(&app.db, deal_id)
                .await?
                .context("deal vanished")?;
            deals::transition(app, who, &deal, to, None)
                .await
                .map_err(failed("deal transition"))?;
        }
        if n % 4 == 1 {
            timeline.at(app, 120.0 - n as f64);
            let deal = deal_store::find(&app.db, deal_id)
                .await?
                .context("deal vanished")?;
            deals::transition(app, &seller, &deal, "performing", None)
                .await
                .map_err(failed("deal performing"))?;
        }
        report.deals += 1;
    }
    timeline.at(app, 180.0);
    meetings::expire(app).await.map_err(failed("expiry"))?;
    crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
        .await
        .map_err(failed("followers"))?;

    // Six months on: both sides asked; about half have answered.
    timeline.at(app, 2.0);
    report.outcomes_asked = crate::fair::after::ask_due(app)
        .await
        .map_err(failed("outcomes"))?;
    let asked: Vec<(i64, i64)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, user_id FROM fair_outcomes WHERE fair_id = $1 ORDER BY id").bind(fair_id).fetch_all(pool).await)?;
    for (n, (id, user)) in asked.iter().enumerate() {
        if n % 2 == 1 {
            continue;
        }
        let person = actor(app, *user).await?;
        let outcome = Outcome::ALL[(n / 2) % Outcome::ALL.len()];
        crate::fair::after::service::answer(app, &person, *id, outcome.as_str(), None)
            .await
            .map_err(failed("outcome"))?;
        report.outcomes_answered += 1;
    }
    Ok(report)
}
