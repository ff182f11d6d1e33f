//! Demo cases and ratings: the completed demo deals written up by their providers, and studios and
//! cases taken through the county → city → province chain over the last months — some in force,
//! one waiting at each step, one rejected, one revoked — by the staff of each level (the
//! administrator where a county has no service centre of its own).

use chrono::Duration;
use tianfu_domain::UserId;

use crate::platform::auth::{Actor, actor_by_id};
use crate::ratings::cases;
use crate::ratings::rules::{REJECT_REASONS, REVOKE_REASONS, SubjectKind};
use crate::ratings::service::{self, RatingInput};
use crate::{App, on_db};

pub struct RatingsReport {
    pub cases: usize,
    pub ratings: usize,
    pub in_force: usize,
}

#[derive(Clone, Copy)]
enum End {
    /// Approved this many times (3 puts it in force).
    Approved(usize),
    Rejected,
    Revoked,
}

const STORY: &str = "企业在生产中遇到技术瓶颈，通过天府科技云发布需求后，平台推荐了对口的科创工作室。\
双方经过线上洽谈和现场调研，明确了技术路线和考核指标，签订技术服务合同。工作室团队驻点指导，\
分阶段完成工艺改进和人员培训，企业产品合格率和生产效率明显提升，合同按期履约完成。";

async fn actor(app: &App, id: i64) -> anyhow::Result<Actor> {
    actor_by_id(&app.db, UserId(id))
        .await
        .map_err(|e| anyhow::anyhow!("demo ratings: {e}"))?
        .ok_or_else(|| anyhow::anyhow!("demo ratings: no user {id}"))
}

/// The staff of `region` who review `kind` there, else the administrator.
async fn reviewer(app: &App, region: &str, admin: &Actor) -> anyhow::Result<Actor> {
    let id: Option<i64> = on_db!(&app.db, pool => sqlx::query_scalar(
        "SELECT id FROM users WHERE role = 'staff' AND region_code = $1 AND department = 'worker' ORDER BY id LIMIT 1")
        .bind(region).fetch_optional(pool).await)?;
    match id {
        Some(id) => actor(app, id).await,
        None => Ok(admin.clone()),
    }
}

/// Runs `act` with the clock `days` back, then puts the clock right again.
async fn back<T>(
    app: &App,
    days: i64,
    act: impl std::future::Future<Output = Result<T, crate::platform::error::AppError>>,
) -> anyhow::Result<T> {
    app.clock.advance(-Duration::days(days));
    let result = act.await;
    app.clock.advance(Duration::days(days));
    result.map_err(|e| anyhow::anyhow!("demo ratings: {e} {:?}", e.fields()))
}

#[allow(clippy::too_many_arguments)]
async fn walk(
    app: &App,
    admin: &Actor,
    applicant: &Actor,
    kind: SubjectKind,
    id: i64,
    level: &str,
    start: i64,
    end: End,
) -> anyhow::Result<bool> {
    let input = RatingInput {
        subject_kind: kind.as_str().into(),
        subject_id: Some(id),
        level: level.into(),
        year: None,
        statement: "扎根基层服务企业，技术成果转化成效明显，群众和企业评价良好。".into(),
    };
    let rating = back(app, start, service::apply(app, applicant, &input, None)).await?;
    let approvals = match end {
        End::Approved(n) => n,
        End::Rejected => 1,
        End::Revoked => 3,
    };
    let mut days = start;
    for _ in 0..approvals {
        days -= 7;
        let row = service::to_act_on(app, rating).await?;
        let step = row.status().and_then(|s| s.step());
        let Some(step) = step else { break };
        let region = row.region_code[..row.region_code.len().min(2 * step as usize)].to_owned();
        let staff = reviewer(app, &region, admin).await?;
        back(
            app,
            days,
            service::decide(app, &staff, &row, "approve", None, None),
        )
        .await?;
    }
    let row = service::to_act_on(app, rating).await?;
    match end {
        End::Rejected => {
            let region = row.region_code[..4.min(row.region_code.len())].to_owned();
            let staff = reviewer(app, &region, admin).await?;
            let reason = REJECT_REASONS[1];
            back(
                app,
                days - 5,
                service::decide(app, &staff, &row, "reject", Some(reason), None),
            )
            .await?;
        }
        End::Revoked => {
            back(
                app,
                days - 20,
                service::revoke(app, admin, &row, REVOKE_REASONS[2], None),
            )
            .await?;
        }
        End::Approved(_) => {}
    }
    Ok(matches!(end, End::Approved(3)))
}

pub async fn load(app: &App, admin: &Actor) -> anyhow::Result<RatingsReport> {
    let deals: Vec<(i64, i64)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, seller_id FROM deals WHERE stage = 'completed' ORDER BY id LIMIT 4").fetch_all(pool).await)?;
    let mut case_ids = Vec::new();
    for (index, (deal, seller)) in deals.iter().enumerate() {
        let author = actor(app, *seller).await?;
        let title = format!("科技服务助力企业提质增效（交易{deal}）");
        let lessons = "需求要摸清，指标要量化，服务要驻点。";
        let made = cases::create(app, &author, Some(*deal), &title, STORY, lessons);
        case_ids.push((back(app, 100 - 5 * index as i64, made).await?, author));
    }
    let studios: Vec<(i64, i64)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, owner_id FROM studios ORDER BY id LIMIT 7").fetch_all(pool).await)?;
    let plans = [
        ("excellent", 120, End::Approved(3)),
        ("typical", 90, End::Approved(3)),
        ("excellent", 75, End::Revoked),
        ("typical", 10, End::Approved(0)),
        ("excellent", 30, End::Approved(1)),
        ("typical", 40, End::Approved(2)),
        ("excellent", 50, End::Rejected),
    ];
    let (mut ratings, mut in_force) = (0, 0);
    for ((studio, owner), (level, start, end)) in studios.iter().zip(plans) {
        let owner = actor(app, *owner).await?;
        in_force += usize::from(
            walk(
                app,
                admin,
                &owner,
                SubjectKind::Studio,
                *studio,
                level,
                start,
                end,
            )
            .await?,
        );
        ratings += 1;
    }
    let case_plans = [
        ("typical", 80, End::Approved(3)),
        ("excellent", 20, End::Approved(0)),
    ];
    for ((case, author), (level, start, end)) in case_ids.iter().zip(case_plans) {
        in_force += usize::from(
            walk(
                app,
                admin,
                author,
                SubjectKind::Case,
                *case,
                level,
                start,
                end,
            )
            .await?,
        );
        ratings += 1;
    }
    Ok(RatingsReport {
        cases: case_ids.len(),
        ratings,
        in_force,
    })
}
