//! Creating and changing an edition: every field checked, errors named by field, the dates in
//! order, the criteria summing to 100, quotas only for cities (or '51') and known categories.

use tianfu_domain::fair::{Category, Criterion, Schedule, default_criteria, validate_criteria};
use tianfu_domain::{FieldErrors, RegionCode};

use crate::App;
use crate::fair::store::{self, FairChange, FairRow, NewFair, QuotaRow};
use crate::kepu::activities::rules::parse_time;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;

/// What a person typed for an edition; times as RFC 3339 or Beijing local time.
#[derive(Debug, Default, Clone)]
pub struct EditionInput {
    pub name: String,
    pub year: Option<i32>,
    pub intro: String,
    pub collect_until: String,
    pub opens_at: String,
    pub closes_at: String,
    /// Empty for 30 days after closing.
    pub signing_until: String,
    /// `None` keeps the current criteria (the defaults for a new edition).
    pub criteria: Option<Vec<Criterion>>,
    /// `None` keeps the current quotas.
    pub quotas: Option<Vec<QuotaRow>>,
}

pub struct Checked {
    pub name: String,
    pub year: i32,
    pub intro: String,
    pub schedule: Schedule,
    pub criteria: Option<Vec<Criterion>>,
    pub quotas: Option<Vec<QuotaRow>>,
}

pub fn check(app: &App, input: &EditionInput) -> Result<Checked, AppError> {
    let mut errors = FieldErrors::new();
    let name = input.name.trim();
    if !(4..=60).contains(&name.chars().count()) {
        errors.add("name", "届次名称应为4到60个字");
    }
    let year = match input.year {
        Some(y) if (2000..=2100).contains(&y) => Some(y),
        Some(_) => {
            errors.add("year", "年份应在2000到2100之间");
            None
        }
        None => {
            errors.add("year", "请填写年份");
            None
        }
    };
    let intro = input.intro.trim();
    if intro.chars().count() > 3000 {
        errors.add("intro", "简介不能超过3000字");
    }
    let collect_until = errors.check("collect_until", parse_time(&input.collect_until));
    let opens_at = errors.check("opens_at", parse_time(&input.opens_at));
    let closes_at = errors.check("closes_at", parse_time(&input.closes_at));
    let signing_until = if input.signing_until.trim().is_empty() {
        closes_at.map(|c| c + chrono::Duration::days(30))
    } else {
        errors.check("signing_until", parse_time(&input.signing_until))
    };
    let schedule = match (collect_until, opens_at, closes_at, signing_until) {
        (Some(collect_until), Some(opens_at), Some(closes_at), Some(signing_until)) => {
            let schedule = Schedule {
                collect_until,
                opens_at,
                closes_at,
                signing_until,
            };
            if let Err(e) = schedule.validate() {
                errors.extend(e);
            }
            Some(schedule)
        }
        _ => None,
    };
    if let Some(criteria) = &input.criteria
        && let Err(e) = validate_criteria(criteria)
    {
        errors.extend(e);
    }
    if let Some(quotas) = &input.quotas {
        let mut seen = std::collections::HashSet::new();
        for (i, q) in quotas.iter().enumerate() {
            let hall_ok = q.region_code == crate::fair::PROVINCE
                || (q.region_code.len() == 4
                    && RegionCode::parse(&q.region_code)
                        .ok()
                        .is_some_and(|c| app.regions.get(&c).is_some()));
            if !hall_ok {
                errors.add(
                    &format!("quotas[{i}].region_code"),
                    "名额按市（州）分配，应为市（州）代码（如 5110），或 51 表示省直单位",
                );
            }
            if let Err(e) = Category::parse(&q.category) {
                errors.add(&format!("quotas[{i}].category"), e);
            }
            if !(0..=10_000).contains(&q.quota) {
                errors.add(&format!("quotas[{i}].quota"), "名额应为0到10000");
            }
            if !seen.insert((q.region_code.clone(), q.category.clone())) {
                errors.add(&format!("quotas[{i}]"), "同一地区同一类别的名额重复");
            }
        }
    }
    errors.into_result()?;
    Ok(Checked {
        name: name.to_owned(),
        year: year.expect("checked"),
        intro: intro.to_owned(),
        schedule: schedule.expect("checked"),
        criteria: input.criteria.clone(),
        quotas: input.quotas.clone(),
    })
}

fn ensure_organiser(actor: &Actor) -> Result<(), AppError> {
    if crate::fair::organiser(actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "只有管理员或省科协工作人员可以配置科创会".into(),
        ))
    }
}

pub async fn create(app: &App, actor: &Actor, input: &EditionInput) -> Result<i64, AppError> {
    ensure_organiser(actor)?;
    let checked = check(app, input)?;
    let criteria = checked.criteria.unwrap_or_else(default_criteria);
    let now = app.clock.now();
    let mut tx = app.db.begin().await?;
    let id = store::insert_fair(
        &mut tx,
        &NewFair {
            name: &checked.name,
            year: checked.year,
            intro: &checked.intro,
            schedule: checked.schedule,
            criteria: &criteria,
            created_by: actor.id.0,
        },
        now,
    )
    .await?;
    store::replace_quotas(&mut tx, id, checked.quotas.as_deref().unwrap_or_default()).await?;
    tx.commit().await?;
    Ok(id)
}

/// Changes an edition. Criteria are fixed once a score was given (scores were made against
/// them); the year never changes.
pub async fn update(
    app: &App,
    actor: &Actor,
    fair: &FairRow,
    input: &EditionInput,
) -> Result<(), AppError> {
    ensure_organiser(actor)?;
    let checked = check(app, input)?;
    let now = app.clock.now();
    if checked
        .criteria
        .as_ref()
        .is_some_and(|c| *c != fair.criteria())
        && crate::fair::store::has_scores(&app.db, fair.id).await?
    {
        return Err(AppError::Conflict {
            message: "已有专家按现有指标评分，评审指标不能再修改".into(),
            fields: FieldErrors::single("criteria", "已开始评分，指标不可修改"),
        });
    }
    let criteria = checked.criteria.unwrap_or_else(|| fair.criteria());
    let mut tx = app.db.begin().await?;
    let saved = store::update_fair(
        &mut tx,
        fair.id,
        &FairChange {
            name: &checked.name,
            intro: &checked.intro,
            schedule: checked.schedule,
            criteria: &criteria,
        },
        fair.updated_at,
        now,
    )
    .await?;
    if !saved {
        return Err(AppError::Conflict {
            message: "这届科创会刚被他人修改，请刷新后再改".into(),
            fields: FieldErrors::new(),
        });
    }
    if let Some(quotas) = &checked.quotas {
        store::replace_quotas(&mut tx, fair.id, quotas).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn find(app: &App, id: i64) -> Result<FairRow, AppError> {
    store::find_fair(&app.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("科创会"))
}
