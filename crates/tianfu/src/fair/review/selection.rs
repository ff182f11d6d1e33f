//! Ranking and selection: each project's aggregate is the trimmed mean of its scores (robust to
//! one extreme reviewer); projects rank within their hall and category and the first of each
//! group are selected up to the hall's quota. Ranking is computed on read; selection writes it
//! once, books the ledger and tells every owner. The province then picks its major projects.

use std::collections::HashMap;

use serde::Serialize;
use tianfu_domain::fair::{self, Category, MAJOR_PER_CATEGORY, Phase, Placing, Ranked};
use tianfu_domain::{FieldErrors, RegionCode};
use utoipa::ToSchema;

use super::reviewers::ensure_organiser;
use super::selection_store::{self as sql, Note, PlacingWrite, RankInputs, RankRow};
use crate::App;
use crate::fair::store::{FairRow, find_project, quota_map, quotas};
use crate::ledger::{Event, EventKind};
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope::{self, RegionScope};

/// A project with its place in the ranking.
#[derive(Debug, Clone)]
pub struct RankedProject {
    pub row: RankRow,
    pub category: Option<Category>,
    /// The trimmed mean; none with fewer than three scores.
    pub score: Option<f64>,
    pub score_count: u32,
    pub reviewers: i64,
    pub group_rank: Option<u32>,
    pub would_select: bool,
    /// The hall's quota for the category; none for no limit.
    pub quota: Option<u32>,
}

/// Ranks every project of `inputs` under `quotas` (pure: the same input, the same ranking).
pub fn rank(inputs: RankInputs, quotas: &HashMap<(String, Category), u32>) -> Vec<RankedProject> {
    let mut scores: HashMap<i64, Vec<f64>> = HashMap::new();
    for (project, score) in inputs.scores {
        scores.entry(project).or_default().push(score);
    }
    let assigned: HashMap<i64, i64> = inputs.assigned.into_iter().collect();
    let ranked: Vec<Ranked> = inputs
        .projects
        .iter()
        .filter_map(|p| {
            let given = scores.get(&p.id).map(Vec::as_slice).unwrap_or_default();
            Some(Ranked {
                id: p.id,
                hall_code: p.hall_code.clone(),
                category: Category::parse(&p.category).ok()?,
                score: fair::trimmed_mean(given),
                review_count: u32::try_from(given.len()).unwrap_or(u32::MAX),
            })
        })
        .collect();
    let placed: HashMap<i64, Placing> = fair::select(&ranked, quotas)
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let aggregate: HashMap<i64, (Option<f64>, u32)> = ranked
        .iter()
        .map(|r| (r.id, (r.score, r.review_count)))
        .collect();
    inputs
        .projects
        .into_iter()
        .map(|row| {
            let category = Category::parse(&row.category).ok();
            let (score, score_count) = aggregate.get(&row.id).copied().unwrap_or((None, 0));
            let placing = placed.get(&row.id);
            RankedProject {
                quota: category.and_then(|c| quotas.get(&(row.hall_code.clone(), c)).copied()),
                reviewers: assigned.get(&row.id).copied().unwrap_or(0),
                group_rank: placing.and_then(|p| p.group_rank),
                would_select: placing.is_some_and(|p| p.selected),
                category,
                score,
                score_count,
                row,
            }
        })
        .collect()
}

/// Which part of the ranking to show.
#[derive(Debug, Clone, Default)]
pub struct RankFilter {
    pub hall: Option<String>,
    pub category: Option<Category>,
}

/// The ranking as the actor may see it: organisers every project, other staff the projects of
/// their region's subtree (ranked among all of their group). By hall, category, then rank.
pub async fn ranking(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    filter: &RankFilter,
) -> Result<Vec<RankedProject>, AppError> {
    let within = match scope::staff_scope(actor) {
        _ if crate::fair::organiser(actor) => None,
        Some(RegionScope::All) => None,
        Some(RegionScope::Subtree(root)) => Some(root),
        None => {
            return Err(AppError::Forbidden("只有工作人员可以查看评审排名".into()));
        }
    };
    let quotas = quota_map(&quotas(&app.db, fair.id).await?);
    let inputs = sql::ranking_inputs(&app.db, fair.id).await?;
    let published = fair.selection_published();
    let mut ranked: Vec<RankedProject> = rank(inputs, &quotas)
        .into_iter()
        // Once published, what was selected — whatever the quotas say now.
        .map(|mut p| {
            if published {
                p.would_select = p.row.status == "selected";
            }
            p
        })
        .filter(|p| filter.hall.as_ref().is_none_or(|h| &p.row.hall_code == h))
        .filter(|p| filter.category.is_none_or(|c| p.category == Some(c)))
        .filter(|p| {
            within.as_ref().is_none_or(|root| {
                RegionCode::parse(&p.row.region_code).is_ok_and(|r| root.contains(&r))
            })
        })
        .collect();
    let order = |c: Option<Category>| {
        c.and_then(|c| Category::ALL.iter().position(|x| *x == c))
            .unwrap_or(usize::MAX)
    };
    ranked.sort_by(|a, b| {
        (a.row.hall_code.as_str(), order(a.category))
            .cmp(&(b.row.hall_code.as_str(), order(b.category)))
            .then(a.group_rank.is_none().cmp(&b.group_rank.is_none()))
            .then(a.group_rank.cmp(&b.group_rank))
            .then(a.row.id.cmp(&b.row.id))
    });
    Ok(ranked)
}

/// Selected, not selected (ranked beyond the quota) and unranked (fewer than three scores, so
/// not selected either) projects.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
#[schema(as = FairSelectionCount)]
pub struct SelectionCount {
    pub selected: i64,
    pub not_selected: i64,
    pub unranked: i64,
}

impl SelectionCount {
    fn add(&mut self, p: &RankedProject) {
        if p.would_select {
            self.selected += 1;
        } else if p.group_rank.is_some() {
            self.not_selected += 1;
        } else {
            self.unranked += 1;
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
#[schema(as = FairSelectionByCategory)]
pub struct ByCategory {
    pub technology: SelectionCount,
    pub achievement: SelectionCount,
    pub problem: SelectionCount,
}

/// What the selection decided. `not_selected` counts ranked projects beyond their quota;
/// `unranked` those with fewer than three scores (not selected either).
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
#[schema(as = FairSelectionSummary)]
pub struct SelectionSummary {
    pub selected: i64,
    pub not_selected: i64,
    pub unranked: i64,
    pub by_category: ByCategory,
}

/// Publishes the selection, once (the edition's guarded `selection_published_at`): in one
/// transaction every collected project gets its aggregate, number of scores, rank and status
/// (selected or not_selected), each selected one a `fair.project_selected` ledger row, and every
/// owner a notification. Set-wise throughout: a few statements per thousand projects. The
/// caller checks who may and when ([`publish`]); a second run answers 409.
pub async fn run_selection(
    app: &App,
    fair: &FairRow,
    actor_id: i64,
) -> Result<SelectionSummary, AppError> {
    let quotas = quota_map(&quotas(&app.db, fair.id).await?);
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    if !super::store::publish_selection(&mut tx, fair.id, now).await? {
        return Err(AppError::Conflict {
            message: "本届遴选结果已经发布，不能重复发布".into(),
            fields: FieldErrors::new(),
        });
    }
    let ranked = rank(sql::selection_inputs(&mut tx, fair.id).await?, &quotas);
    let source = format!("fair:{}", fair.id);
    let mut summary = SelectionSummary::default();
    let mut placings = Vec::with_capacity(ranked.len());
    let mut events = Vec::new();
    let mut notes = Vec::with_capacity(ranked.len());
    for p in &ranked {
        summary.add(p);
        placings.push(PlacingWrite {
            id: p.row.id,
            score: p.score,
            review_count: i32::try_from(p.score_count).unwrap_or(i32::MAX),
            group_rank: p.group_rank.and_then(|r| i32::try_from(r).ok()),
            selected: p.would_select,
        });
        let link = format!("/fairs/{}/projects/{}", fair.id, p.row.id);
        if p.would_select {
            let region = RegionCode::parse(&p.row.region_code).map_err(|e| {
                AppError::Internal(anyhow::anyhow!("project {} region: {e}", p.row.id))
            })?;
            let event = Event::new(
                EventKind::FairProjectSelected,
                &region,
                "fair_project",
                p.row.id,
            )
            .outcome(&p.row.category)
            .actor(actor_id)
            .counterpart(p.row.owner_id)
            .source(&source)
            .once();
            events.push((now, event));
            notes.push(Note {
                user_id: p.row.owner_id,
                text: format!("恭喜！您的“{}”入选{}", p.row.title, fair.name),
                link,
            });
        } else {
            notes.push(Note {
                user_id: p.row.owner_id,
                text: format!("您的“{}”未入选{}，感谢参与", p.row.title, fair.name),
                link,
            });
        }
    }
    sql::write_placings(&mut tx, fair.id, &placings, now).await?;
    tx.record_many(&events).await?;
    sql::notify_many(&mut tx, &notes, now).await?;
    tx.commit().await?;
    Ok(summary)
}

impl SelectionSummary {
    fn add(&mut self, p: &RankedProject) {
        match p.category {
            Some(Category::Technology) => self.by_category.technology.add(p),
            Some(Category::Achievement) => self.by_category.achievement.add(p),
            Some(Category::Problem) => self.by_category.problem.add(p),
            None => {}
        }
        if p.would_select {
            self.selected += 1;
        } else if p.group_rank.is_some() {
            self.not_selected += 1;
        } else {
            self.unranked += 1;
        }
    }
}

/// An organiser publishes the selection while the edition is in 遴选.
pub async fn publish(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
) -> Result<SelectionSummary, AppError> {
    ensure_organiser(actor)?;
    match fair.phase(app.clock.now()) {
        Phase::Reviewing => {}
        Phase::Collecting => {
            return Err(AppError::Conflict {
                message: "项目征集尚未截止，不能发布遴选结果".into(),
                fields: FieldErrors::new(),
            });
        }
        _ if !fair.selection_published() => {
            return Err(AppError::Conflict {
                message: "遴选阶段已结束".into(),
                fields: FieldErrors::new(),
            });
        }
        _ => {}
    }
    run_selection(app, fair, actor.id.0).await
}

/// An organiser marks a selected project as one of the province's major projects of its
/// category (at most [`MAJOR_PER_CATEGORY`] each), or takes the mark off. Serialised on the
/// edition's row, so two organisers cannot both take the last place.
pub async fn set_major(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    project_id: i64,
    major: bool,
) -> Result<(), AppError> {
    ensure_organiser(actor)?;
    let project = find_project(&app.db, fair.id, project_id)
        .await?
        .ok_or_else(|| AppError::not_found("科创会项目"))?;
    let not_selected = || AppError::Conflict {
        message: "只有入选项目可以列为重大项目".into(),
        fields: FieldErrors::single("major", "该项目未入选"),
    };
    if !project.is_selected() {
        return Err(not_selected());
    }
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    super::store::lock_fair(&mut tx, fair.id).await?;
    let before = sql::project_major(&mut tx, project.id).await?;
    if major && !before {
        let taken = sql::count_majors(&mut tx, fair.id, &project.category).await?;
        if taken >= MAJOR_PER_CATEGORY {
            let label = project.category().map_or("本类别", Category::label);
            return Err(AppError::Conflict {
                message: format!(
                    "“{label}”的{MAJOR_PER_CATEGORY}个重大项目已选满，请先取消其中一个"
                ),
                fields: FieldErrors::single("major", "本类别重大项目已满"),
            });
        }
    }
    if !sql::set_major(&mut tx, fair.id, project.id, major, now).await? {
        return Err(not_selected());
    }
    if major && !before {
        tx.notify(
            project.owner_id,
            &format!("您的“{}”被列为{}重大项目", project.title, fair.name),
            &format!("/fairs/{}/projects/{}", fair.id, project.id),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
