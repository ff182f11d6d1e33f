//! An allocation from a request: the inputs checked field by field, the units and their scores
//! read from the year's score sheet (none when the year has no indicator system: every unit then
//! counts 0 and the part by score is split evenly), the rule applied, and the result saved on
//! request — who may save, and which units, decided here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tianfu_domain::{FieldErrors, RegionCode, RegionLevel, Role};
use utoipa::ToSchema;

use super::rules::{self, Curve, Formula};
use super::store;
use crate::App;
use crate::performance::indicators;
use crate::performance::scores::period::{ScorePeriod, YEARS};
use crate::performance::scores::service::{self as scores, PROVINCE};
use crate::platform::auth::Actor;
use crate::platform::error::AppError;

/// 1,000 亿元, the platform's bound on any amount.
pub const MAX_POOL_FEN: i64 = 10_000_000_000_000;

/// One unit's amount and why.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = FundingItem)]
pub struct Item {
    pub region_code: String,
    pub amount_fen: i64,
    pub why: String,
    pub name: String,
    /// The unit's total score for the period; null when it has none (no targets), counted as 0.
    pub score: Option<f64>,
    /// The even part, in whole fen.
    pub base_fen: i64,
    /// The part by score (with the rounding fen): amount_fen − base_fen.
    pub by_score_fen: i64,
    /// The exact share before rounding, in fen.
    pub exact_fen: f64,
    /// The unit's weight as a percentage of all units' weights.
    pub weight_percent: f64,
}

/// An allocation: a what-if (saved_id null) or a saved one (with who, when and its status).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(as = FundingAllocation)]
pub struct Allocation {
    /// Add up to `pool_fen` exactly.
    pub items: Vec<Item>,
    pub total_fen: i64,
    pub pool_fen: i64,
    pub base_share: f64,
    /// linear or squared.
    pub formula: String,
    pub min_score: Option<f64>,
    /// The formula in words.
    pub formula_text: String,
    pub year: i32,
    /// The score period: year, q1…q4 or m1…m12.
    pub period: String,
    pub period_label: String,
    /// 51 for the cities; a city's code for its counties.
    pub parent: String,
    pub parent_name: String,
    /// The indicator system version the scores came from; null when the year has none.
    pub score_version: Option<i32>,
    pub scores_published: bool,
    pub saved_id: Option<i64>,
    /// current or superseded (saved allocations only).
    pub status: Option<String>,
    pub author: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub superseded_by: Option<i64>,
    pub superseded_at: Option<DateTime<Utc>>,
}

/// A request as given, before checking.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub year: i32,
    pub pool_fen: i64,
    pub base_share: f64,
    pub formula: Option<String>,
    pub min_score: Option<f64>,
    pub parent: Option<String>,
    pub period: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Checked {
    pub year: i32,
    pub pool_fen: i64,
    pub base_share: f64,
    pub formula: Formula,
    pub parent: RegionCode,
    pub period: ScorePeriod,
}

fn province() -> RegionCode {
    RegionCode::parse(PROVINCE).expect("the province's code")
}

/// The province's cities (by code), for the parent a request may name.
pub fn is_city(app: &App, code: &RegionCode) -> bool {
    code.parent().as_ref() == Some(&province()) && app.regions.get(code).is_some()
}

/// Every field checked at once; the errors name the fields in Chinese.
pub fn check(app: &App, inputs: Inputs) -> Result<Checked, AppError> {
    let mut errors = FieldErrors::new();
    if !YEARS.contains(&inputs.year) {
        errors.add("year", "年度应在2020至2100之间");
    }
    if !(1..=MAX_POOL_FEN).contains(&inputs.pool_fen) {
        errors.add("pool_fen", "资金总额应在1分至1000亿元之间（单位：分）");
    }
    if !(0.0..=1.0).contains(&inputs.base_share) {
        errors.add("base_share", "基础部分比例应在0至1之间");
    }
    let curve = Curve::parse(inputs.formula.as_deref().unwrap_or("")).unwrap_or_else(|| {
        errors.add(
            "formula",
            "分配公式应为 linear（按得分比例）或 squared（按得分平方比例）",
        );
        Curve::Linear
    });
    if inputs
        .min_score
        .is_some_and(|m| !(0.0..=1000.0).contains(&m))
    {
        errors.add("min_score", "得分门槛应在0至1000分之间");
    }
    let parent = match inputs.parent.as_deref().map(str::trim) {
        None | Some("") => Some(province()),
        Some(text) => RegionCode::parse(text)
            .ok()
            .filter(|c| c.as_str() == PROVINCE || is_city(app, c)),
    };
    if parent.is_none() {
        errors.add(
            "parent",
            "上级地区应为省代码51（分配到各市州）或本省某市（州）的代码（分配到其区县）",
        );
    }
    let period = ScorePeriod::parse(inputs.year.clamp(2020, 2100), inputs.period.as_deref())
        .map_err(|e| {
            for (field, message) in e.fields() {
                errors.add(&field, message);
            }
        })
        .ok();
    match (parent, period) {
        (Some(parent), Some(period)) if errors.is_empty() => Ok(Checked {
            year: inputs.year,
            pool_fen: inputs.pool_fen,
            base_share: inputs.base_share,
            formula: Formula {
                curve,
                min_score: inputs.min_score,
            },
            parent,
            period,
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// The province's administrators allocate among the cities; a city's counties are allocated by
/// them or by that city's own staff.
pub fn may_allocate(actor: &Actor, parent: &RegionCode) -> bool {
    indicators::may_keep(actor)
        || (actor.role == Role::Staff && parent.as_str() != PROVINCE && actor.region == *parent)
}

/// A saved allocation carries every unit's score, perhaps of a period not yet published: it is
/// for those who may allocate it and the staff whose subtree holds its parent (the province's
/// for the cities' pool; a city's and the province's for its counties').
pub fn may_read(actor: &Actor, parent: &str) -> bool {
    RegionCode::parse(parent).is_ok_and(|p| {
        may_allocate(actor, &p) || crate::platform::scope::can_view_region(actor, &p)
    })
}

/// The units a parent's pool is split among.
fn units_of(app: &App, parent: &RegionCode) -> Vec<RegionCode> {
    let (cities, _) = scores::units(app);
    if parent.as_str() == PROVINCE {
        return cities;
    }
    app.regions
        .children(Some(parent))
        .into_iter()
        .filter(|r| r.level() == RegionLevel::County)
        .map(|r| r.code.clone())
        .collect()
}

/// The what-if: nothing is written.
pub async fn compute(app: &App, input: &Checked) -> Result<Allocation, AppError> {
    let sheet = match scores::sheet(app, input.period).await {
        Ok(sheet) => Some(sheet),
        Err(AppError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let codes = units_of(app, &input.parent);
    if codes.is_empty() {
        return Err(AppError::validation(
            "parent",
            "该地区没有下辖区县，无法分配",
        ));
    }
    let units: Vec<(String, Option<f64>)> = codes
        .iter()
        .map(|c| {
            let score = sheet
                .as_ref()
                .and_then(|s| s.find(c.as_str()))
                .and_then(|s| s.total);
            (c.as_str().to_owned(), score)
        })
        .collect();
    let parent_name = app.regions.full_name(&input.parent);
    let among = if input.parent.as_str() == PROVINCE {
        "各市（州）".to_owned()
    } else {
        format!("{parent_name}各区（县）")
    };
    let shares = rules::allocate(
        input.pool_fen,
        input.base_share,
        &units,
        &input.formula,
        &among,
    );
    let items: Vec<Item> = shares
        .into_iter()
        .map(|s| Item {
            name: app.regions.full_name_of(&s.code),
            region_code: s.code,
            amount_fen: s.amount_fen,
            why: s.why,
            score: s.score,
            base_fen: s.base_fen,
            by_score_fen: s.by_score_fen,
            exact_fen: s.exact,
            weight_percent: s.weight_percent,
        })
        .collect();
    Ok(Allocation {
        total_fen: items.iter().map(|i| i.amount_fen).sum(),
        items,
        pool_fen: input.pool_fen,
        base_share: input.base_share,
        formula: input.formula.curve.as_str().to_owned(),
        min_score: input.formula.min_score,
        formula_text: input.formula.text(input.base_share),
        year: input.year,
        period: input.period.param(),
        period_label: input.period.label(),
        parent: input.parent.as_str().to_owned(),
        parent_name,
        score_version: sheet.as_ref().map(|s| s.version),
        scores_published: sheet.as_ref().is_some_and(|s| s.published),
        saved_id: None,
        status: None,
        author: None,
        created_at: None,
        superseded_by: None,
        superseded_at: None,
    })
}

/// Saves a computed allocation as the current one of its (year, parent), superseding the
/// previous; answers it as saved.
pub async fn save(
    app: &App,
    actor: &Actor,
    allocation: Allocation,
    at: DateTime<Utc>,
) -> Result<Allocation, AppError> {
    let id = store::save(&app.db, &allocation, (actor.id.0, &actor.name), at).await?;
    find(app, id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("saved allocation {id} missing")))
}

/// A saved allocation, its parent named.
pub async fn find(app: &App, id: i64) -> Result<Option<Allocation>, AppError> {
    Ok(store::find(&app.db, id).await?.map(|mut a| {
        a.parent_name = app.regions.full_name_of(&a.parent);
        a
    }))
}

/// What the province's current allocation gave `city` for `year`, if there is one: the page
/// suggests it as the pool for the city's counties.
pub async fn suggested_pool(app: &App, year: i32, city: &str) -> Result<Option<i64>, AppError> {
    let current = store::current(&app.db, year, PROVINCE).await?;
    Ok(current.and_then(|a| {
        a.items
            .iter()
            .find(|i| i.region_code == city)
            .map(|i| i.amount_fen)
    }))
}
