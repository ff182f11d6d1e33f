//! Reviewers and assignment: organisers invite scientists or staff to review the edition (with
//! the fields they review and their organisation), give every collected project its reviewers
//! by field and load in one act, or assign one by hand. Conflicts of interest are refused.

use tianfu_domain::fair::{Phase, Sector};
use tianfu_domain::fair_review::{self, Project, Reviewer};
use tianfu_domain::{FieldErrors, Phone, Role};

use super::selection_store::{Note, notify_many};
use super::store::{self, ReviewerRow};
use crate::App;
use crate::fair::store::{FairRow, ProjectRow, find_project};
use crate::platform::api::Paging;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;

pub fn ensure_organiser(actor: &Actor) -> Result<(), AppError> {
    if crate::fair::organiser(actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "只有管理员或省科协工作人员可以组织科创会评审".into(),
        ))
    }
}

pub fn published_conflict() -> AppError {
    AppError::Conflict {
        message: "本届遴选结果已发布，评审已结束".into(),
        fields: FieldErrors::new(),
    }
}

/// Assignment is open while projects are collected or reviewed, until the selection is out.
fn assignment_open(app: &App, fair: &FairRow) -> Result<(), AppError> {
    if fair.selection_published() {
        return Err(published_conflict());
    }
    match fair.phase(app.clock.now()) {
        Phase::Collecting | Phase::Reviewing => Ok(()),
        _ => Err(AppError::Conflict {
            message: "遴选阶段已结束，不能再分配评审专家".into(),
            fields: FieldErrors::new(),
        }),
    }
}

/// Who is invited: a user's id (the API), or their phone number (the console's form).
#[derive(Debug, Default, Clone)]
pub struct ReviewerInput {
    pub user_id: Option<i64>,
    pub phone: Option<String>,
    pub sectors: Vec<String>,
    pub org_name: String,
}

/// Invites a reviewer, or updates an invited one. Answers the reviewer's id and whether they
/// are new to the edition.
pub async fn invite(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    input: &ReviewerInput,
) -> Result<(i64, bool), AppError> {
    ensure_organiser(actor)?;
    let mut errors = FieldErrors::new();
    let user = match (&input.phone, input.user_id) {
        (Some(phone), _) => match Phone::parse(phone) {
            Ok(phone) => {
                let found = store::user_by_phone(&app.db, phone.as_str()).await?;
                if found.is_none() {
                    errors.add("phone", "没有使用这个手机号的用户");
                }
                found.map(|u| ("phone", u))
            }
            Err(e) => {
                errors.add("phone", e.to_string());
                None
            }
        },
        (None, Some(id)) => {
            let found = store::find_user(&app.db, id).await?;
            if found.is_none() {
                errors.add("user_id", "用户不存在");
            }
            found.map(|u| ("user_id", u))
        }
        (None, None) => {
            errors.add("user_id", "请指明评审专家");
            None
        }
    };
    if let Some((field, user)) = &user {
        let role = Role::parse(&user.role).ok();
        if !matches!(role, Some(Role::Worker | Role::Staff | Role::Admin)) {
            errors.add(
                field,
                format!(
                    "评审专家应为科技工作者或服务中心工作人员，{}不是",
                    user.name
                ),
            );
        }
    }
    let mut sectors: Vec<&'static str> = Vec::new();
    for (i, s) in input.sectors.iter().enumerate() {
        if let Some(sector) = errors.check(&format!("sectors[{i}]"), Sector::parse(s))
            && !sectors.contains(&sector.as_str())
        {
            sectors.push(sector.as_str());
        }
    }
    let org_name = input.org_name.trim();
    if org_name.chars().count() > 60 {
        errors.add("org_name", "单位名称不能超过60字");
    }
    errors.into_result()?;
    if fair.selection_published() {
        return Err(published_conflict());
    }
    let user = user.expect("checked").1;
    let sectors = serde_json::to_string(&sectors).expect("sectors serialise");
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let created = store::upsert_reviewer(
        &mut tx,
        fair.id,
        user.id,
        &sectors,
        (!org_name.is_empty()).then_some(org_name),
        actor.id.0,
        now,
    )
    .await?;
    if created {
        tx.notify(
            user.id,
            &format!("您受邀担任{}的评审专家", fair.name),
            &format!("/fairs/{}/reviews", fair.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok((user.id, created))
}

pub async fn list(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    paging: Paging,
) -> Result<(Vec<ReviewerRow>, i64), AppError> {
    ensure_organiser(actor)?;
    Ok(store::list_reviewers(&app.db, fair.id, paging).await?)
}

fn sectors_of(text: &str) -> Vec<Sector> {
    serde_json::from_str::<Vec<String>>(text)
        .unwrap_or_default()
        .iter()
        .filter_map(|s| Sector::parse(s).ok())
        .collect()
}

/// What automatic assignment did: the new assignments, and the projects that still lack
/// reviewers (no one else may review them without a conflict).
#[derive(Debug, Clone, Default)]
pub struct Assigned {
    pub assigned: u64,
    pub short: Vec<i64>,
}

/// Gives every collected project up to the edition's number of reviewers: of its field first,
/// then the least loaded, never with a conflict. Serialised on the edition's row, so two runs at
/// once do not over-assign.
pub async fn assign_all(app: &App, actor: &Actor, fair: &FairRow) -> Result<Assigned, AppError> {
    ensure_organiser(actor)?;
    assignment_open(app, fair)?;
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::lock_open_fair(&mut tx, fair.id).await? {
        return Err(published_conflict());
    }
    let (pool, projects, pairs) = store::assignment_inputs(&mut tx, fair.id).await?;
    let reviewers: Vec<Reviewer<'_>> = pool
        .iter()
        .map(|r| Reviewer {
            id: r.user_id,
            region_code: &r.region_code,
            org_name: r.org_name.as_deref(),
            sectors: sectors_of(&r.sectors),
        })
        .collect();
    let open: Vec<Project<'_>> = projects
        .iter()
        .map(|p| Project {
            id: p.id,
            owner_id: p.owner_id,
            region_code: &p.region_code,
            org_name: p.org_name.as_deref(),
            sector: Sector::parse(&p.sector).ok(),
        })
        .collect();
    let min = usize::try_from(fair.min_reviewers.max(1)).unwrap_or(3);
    let plan = fair_review::plan(&open, &reviewers, &pairs, min);
    let assigned = store::insert_assignments(&mut tx, fair.id, &plan.new, now).await?;
    let mut per_reviewer: std::collections::BTreeMap<i64, usize> = Default::default();
    for (_, reviewer) in &plan.new {
        *per_reviewer.entry(*reviewer).or_default() += 1;
    }
    let notes: Vec<Note> = per_reviewer
        .into_iter()
        .map(|(user_id, n)| Note {
            user_id,
            text: format!("{}给您新分配了{n}个待评审项目", fair.name),
            link: format!("/fairs/{}/reviews", fair.id),
        })
        .collect();
    notify_many(&mut tx, &notes, now).await?;
    tx.commit().await?;
    Ok(Assigned {
        assigned,
        short: plan.short,
    })
}

/// Why this reviewer may not review this project, if so.
pub fn refusal(reviewer: &ReviewerRow, project: &ProjectRow) -> Option<&'static str> {
    fair_review::refusal(
        &Reviewer {
            id: reviewer.user_id,
            region_code: &reviewer.region_code,
            org_name: reviewer.org_name.as_deref(),
            sectors: Vec::new(),
        },
        &Project {
            id: project.id,
            owner_id: project.owner_id,
            region_code: &project.region_code,
            org_name: project.org_name.as_deref(),
            sector: None,
        },
    )
}

/// Assigns one reviewer to one project by hand; a conflict is refused, naming the reviewer.
pub async fn assign_one(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    project_id: i64,
    user_id: Option<i64>,
) -> Result<(ProjectRow, ReviewerRow), AppError> {
    ensure_organiser(actor)?;
    let project = find_project(&app.db, fair.id, project_id)
        .await?
        .ok_or_else(|| AppError::not_found("科创会项目"))?;
    let Some(user_id) = user_id else {
        return Err(AppError::validation("user_id", "请指明评审专家"));
    };
    let reviewer = store::find_reviewer(&app.db, fair.id, user_id)
        .await?
        .ok_or_else(|| AppError::validation("user_id", "该用户未受邀担任本届评审专家"))?;
    if let Some(why) = refusal(&reviewer, &project) {
        return Err(AppError::validation("user_id", why));
    }
    assignment_open(app, fair)?;
    if project.status != "collected" {
        return Err(AppError::Conflict {
            message: "该项目已撤回，不需要评审".into(),
            fields: FieldErrors::new(),
        });
    }
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !store::lock_open_fair(&mut tx, fair.id).await? {
        return Err(published_conflict());
    }
    if store::insert_assignments(&mut tx, fair.id, &[(project.id, user_id)], now).await? == 0 {
        return Err(AppError::Conflict {
            message: format!("{}已是该项目的评审专家", reviewer.name),
            fields: FieldErrors::single("user_id", "已分配"),
        });
    }
    tx.notify(
        user_id,
        &format!("{}给您分配了待评审项目“{}”", fair.name, project.title),
        &format!("/fairs/{}/reviews", fair.id),
        now,
    )
    .await?;
    tx.commit().await?;
    let reviewer = store::find_reviewer(&app.db, fair.id, user_id)
        .await?
        .unwrap_or(reviewer);
    Ok((project, reviewer))
}
