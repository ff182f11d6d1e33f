//! Scores: an assigned reviewer scores a project 0–100, per criterion (weighted by the edition's
//! criteria) or as a whole, with a comment, while the edition is in 遴选 and until the selection
//! is published. Scoring again replaces the reviewer's score.

use std::collections::{BTreeMap, HashMap};

use tianfu_domain::FieldErrors;
use tianfu_domain::fair::{Phase, weighted_score};

use super::reviewers::{published_conflict, refusal};
use super::store::{self, MyReviewRow, NewScore, ScoreRow};
use crate::App;
use crate::fair::store::{FairRow, find_project};
use crate::platform::api::Paging;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;

/// How far a given total may be from the weighted criteria before it is refused.
pub const SCORE_TOLERANCE: f64 = 0.5;
pub const MAX_COMMENT: usize = 1000;

#[derive(Debug, Default, Clone)]
pub struct ScoreInput {
    pub score: Option<f64>,
    pub criteria: Option<HashMap<String, f64>>,
    pub comment: String,
}

/// Whether reviewers may score now: in 遴选, before the selection is published.
pub fn scoring_open(app: &App, fair: &FairRow) -> Result<(), AppError> {
    if fair.selection_published() {
        return Err(published_conflict());
    }
    match fair.phase(app.clock.now()) {
        Phase::Reviewing => Ok(()),
        Phase::Collecting => Err(AppError::Conflict {
            message: "项目征集尚未截止，截止后才能评分".into(),
            fields: FieldErrors::new(),
        }),
        _ => Err(AppError::Conflict {
            message: "遴选阶段已结束，不能再评分".into(),
            fields: FieldErrors::new(),
        }),
    }
}

/// The score a reviewer gives: the weighted criteria when given (a total given beside them must
/// agree), else the total. Errors are keyed `score`, `criteria.<key>`, `comment`.
pub fn checked_score(fair: &FairRow, input: &ScoreInput) -> Result<f64, FieldErrors> {
    let mut errors = FieldErrors::new();
    let total = match input.score {
        Some(s) if s.is_finite() && (0.0..=100.0).contains(&s) => Some(s),
        Some(_) => {
            errors.add("score", "分数应在0到100之间");
            None
        }
        None => None,
    };
    let score = match &input.criteria {
        Some(given) => match weighted_score(&fair.criteria(), given) {
            Ok(weighted) => {
                if total.is_some_and(|t| (t - weighted).abs() > SCORE_TOLERANCE) {
                    errors.add(
                        "score",
                        format!("总分与各项指标的加权得分（{weighted:.1}）不一致"),
                    );
                }
                Some(weighted)
            }
            Err(e) => {
                errors.extend(e);
                None
            }
        },
        None => {
            if input.score.is_none() {
                errors.add("score", "请打分（0到100）");
            }
            total
        }
    };
    if input.comment.trim().chars().count() > MAX_COMMENT {
        errors.add("comment", format!("评语不能超过{MAX_COMMENT}字"));
    }
    errors.into_result()?;
    Ok(score.expect("checked"))
}

/// Saves the actor's score for a project assigned to them.
pub async fn score(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    project_id: i64,
    input: &ScoreInput,
) -> Result<ScoreRow, AppError> {
    let project = find_project(&app.db, fair.id, project_id)
        .await?
        .ok_or_else(|| AppError::not_found("科创会项目"))?;
    if !store::is_assigned(&app.db, project.id, actor.id.0).await? {
        return Err(AppError::Forbidden(
            "只有分配到该项目的评审专家可以评分".into(),
        ));
    }
    scoring_open(app, fair)?;
    if project.status != "collected" {
        return Err(AppError::Conflict {
            message: "该项目已撤回，不需要评分".into(),
            fields: FieldErrors::new(),
        });
    }
    let value = checked_score(fair, input)?;
    let reviewer = store::find_reviewer(&app.db, fair.id, actor.id.0)
        .await?
        .ok_or_else(|| AppError::Forbidden("您不是本届科创会的评审专家".into()))?;
    if let Some(why) = refusal(&reviewer, &project) {
        return Err(AppError::Forbidden(why.into()));
    }
    let criteria = input.criteria.as_ref().map(|c| {
        serde_json::to_string(&c.iter().collect::<BTreeMap<_, _>>()).expect("criteria serialise")
    });
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    // Taking the edition's row orders this score against the selection: it lands before the
    // selection reads the scores, or it is refused after.
    if !store::lock_open_fair(&mut tx, fair.id).await? {
        return Err(published_conflict());
    }
    let row = store::upsert_score(
        &mut tx,
        &NewScore {
            fair_id: fair.id,
            project_id: project.id,
            reviewer_id: actor.id.0,
            score: value,
            criteria: criteria.as_deref(),
            comment: input.comment.trim(),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// The projects assigned to the actor in the edition, with their scores.
pub async fn mine(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    paging: Paging,
) -> Result<(Vec<MyReviewRow>, i64), AppError> {
    Ok(store::my_reviews(&app.db, fair.id, actor.id.0, paging).await?)
}

/// A stored per-criterion score, read back.
pub fn criteria_of(text: Option<&str>) -> Option<BTreeMap<String, f64>> {
    text.and_then(|t| serde_json::from_str(t).ok())
}
