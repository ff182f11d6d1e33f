//! `/admin/funding`: the form (pool in 元, read exactly as typed), the what-if table, a button
//! that saves the same inputs, and the saved allocations with their status; a saved
//! allocation's page and its Excel download. Works without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;
use tianfu_domain::{Fen, FieldErrors};

use super::api::run;
use super::rules::yuan;
use super::service::{self, Allocation, Inputs};
use super::store::{self, Summary};
use super::xlsx;
use crate::performance::indicators::store as systems;
use crate::performance::scores::service::{PROVINCE, units};
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::clock::shanghai_date;
use crate::platform::error::AppError;
use crate::platform::page::{PageError, url_encode};
use crate::{App, AppState};

/// The form as typed; every field text, so a refused form comes back as it was.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct FundingForm {
    pub year: String,
    /// 元, up to two decimals.
    pub pool: String,
    /// Percent split evenly.
    pub base: String,
    pub formula: String,
    pub min_score: String,
    pub parent: String,
    pub period: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Line {
    pub code: String,
    pub name: String,
    pub score: String,
    pub base: String,
    pub by_score: String,
    pub amount: String,
    pub why: String,
}

pub struct SavedLine {
    pub id: i64,
    pub scope: String,
    pub pool: String,
    pub formula_text: String,
    pub current: bool,
    pub superseded_by: Option<i64>,
    pub author: String,
    pub when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "funding/index.html")]
pub struct IndexPage {
    me: Option<Actor>,
    form: FundingForm,
    errors: FieldErrors,
    message: Option<String>,
    parents: Vec<Choice>,
    result: Option<Allocation>,
    lines: Vec<Line>,
    total: String,
    saved: Vec<SavedLine>,
    suggestion: Option<String>,
    alert_line: Option<f64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "funding/detail.html")]
pub struct DetailPage {
    me: Option<Actor>,
    a: Allocation,
    lines: Vec<Line>,
    total: String,
    pool: String,
    when: String,
    again_href: String,
}

fn beijing(t: chrono::DateTime<chrono::Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn lines_of(a: &Allocation) -> Vec<Line> {
    a.items
        .iter()
        .map(|i| Line {
            code: i.region_code.clone(),
            name: i.name.clone(),
            score: i.score.map_or("暂无".to_owned(), |s| format!("{s:.2}")),
            base: yuan(i.base_fen),
            by_score: yuan(i.by_score_fen),
            amount: yuan(i.amount_fen),
            why: i.why.clone(),
        })
        .collect()
}

/// The form with its defaults: last year, 30% even, linear, the staff member's own city.
fn with_defaults(app: &App, actor: &Actor, mut form: FundingForm) -> FundingForm {
    if form.year.trim().is_empty() {
        form.year = (shanghai_date(app.clock.now()).year() - 1).to_string();
    }
    if form.base.trim().is_empty() {
        form.base = "30".into();
    }
    if form.formula.trim().is_empty() {
        form.formula = "linear".into();
    }
    if form.parent.trim().is_empty() {
        let own = actor.region.as_str();
        form.parent = if own.len() >= 4 && own != PROVINCE {
            own[..4].to_owned()
        } else {
            PROVINCE.to_owned()
        };
    }
    form
}

/// The typed form as the API's inputs; errors keyed by the form's own field names.
fn inputs_of(form: &FundingForm) -> Result<Inputs, FieldErrors> {
    let mut errors = FieldErrors::new();
    let year = form.year.trim().parse::<i32>().unwrap_or_else(|_| {
        errors.add("year", "年度应为四位数字");
        0
    });
    let pool_fen = match Fen::parse_yuan(&form.pool) {
        Ok(fen) => fen.get(),
        Err(e) => {
            errors.add("pool", e);
            0
        }
    };
    let base = form.base.trim().trim_end_matches('%');
    let decimals = base.split_once('.').map_or(0, |(_, f)| f.len());
    let base_share = match base.parse::<f64>() {
        Ok(p) if p.is_finite() && (0.0..=100.0).contains(&p) && decimals <= 4 => p / 100.0,
        _ => {
            errors.add("base", "基础部分比例应为0至100之间的百分数，最多四位小数");
            0.0
        }
    };
    let min_score = match form.min_score.trim() {
        "" => None,
        text => text.parse::<f64>().ok().or_else(|| {
            errors.add("min_score", "得分门槛应为数字");
            None
        }),
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Inputs {
        year,
        pool_fen,
        base_share,
        formula: Some(form.formula.clone()),
        min_score,
        parent: Some(form.parent.clone()),
        period: Some(form.period.clone()),
    })
}

/// The service's field names as the form's.
fn form_errors(errors: FieldErrors) -> FieldErrors {
    let mut mapped = FieldErrors::new();
    for (field, message) in errors.iter() {
        let name = match field {
            "pool_fen" => "pool",
            "base_share" => "base",
            other => other,
        };
        mapped.add(name, message);
    }
    mapped
}

async fn page(
    app: &App,
    actor: Actor,
    form: FundingForm,
    errors: FieldErrors,
    message: Option<String>,
    result: Option<Allocation>,
) -> Result<IndexPage, PageError> {
    let year = form.year.trim().parse::<i32>().ok();
    let parent = form.parent.trim().to_owned();
    let (cities, _) = units(app);
    let mut parents = vec![Choice {
        value: PROVINCE.into(),
        label: "全省各市（州）".into(),
        selected: parent == PROVINCE,
    }];
    parents.extend(cities.iter().map(|c| Choice {
        value: c.as_str().to_owned(),
        label: format!("{}各区（县）", app.regions.full_name(c)),
        selected: parent == c.as_str(),
    }));
    let saved = store::list(&app.db, year, Some(&parent))
        .await?
        .into_iter()
        .filter(|s| service::may_read(&actor, &s.parent))
        .map(|s: Summary| SavedLine {
            id: s.id,
            scope: app.regions.full_name_of(&s.parent),
            pool: yuan(s.pool_fen),
            formula_text: s.formula_text,
            current: s.superseded_by.is_none(),
            superseded_by: s.superseded_by,
            author: s.author,
            when: beijing(s.created_at),
        })
        .collect();
    let suggestion = match year {
        Some(y) if parent != PROVINCE => service::suggested_pool(app, y, &parent).await?.map(yuan),
        _ => None,
    };
    let alert_line = match year {
        Some(y) if (2020..=2100).contains(&y) => systems::find(&app.db, y, None)
            .await?
            .map(|s| s.alert_below),
        _ => None,
    };
    let lines = result.as_ref().map(lines_of).unwrap_or_default();
    let total = result
        .as_ref()
        .map(|r| yuan(r.total_fen))
        .unwrap_or_default();
    Ok(IndexPage {
        me: Some(actor),
        form,
        errors,
        message,
        parents,
        result,
        lines,
        total,
        saved,
        suggestion,
        alert_line,
    })
}

/// The form and, when a pool is given, the what-if (nothing is saved).
pub async fn index(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Query(form): Query<FundingForm>,
) -> Result<Response, PageError> {
    let form = with_defaults(&app, &actor, form);
    if form.pool.trim().is_empty() {
        return Ok(page(&app, actor, form, FieldErrors::new(), None, None)
            .await?
            .into_response());
    }
    respond(&app, actor, ip.as_deref(), form, false).await
}

/// Saves the allocation the form describes, then shows it.
pub async fn save(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Form(form): Form<FundingForm>,
) -> Result<Response, PageError> {
    let form = with_defaults(&app, &actor, form);
    respond(&app, actor, ip.as_deref(), form, true).await
}

async fn respond(
    app: &App,
    actor: Actor,
    ip: Option<&str>,
    form: FundingForm,
    save: bool,
) -> Result<Response, PageError> {
    let inputs = match inputs_of(&form) {
        Ok(inputs) => inputs,
        Err(errors) => {
            let page = page(app, actor, form, errors, None, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    match run(app, &actor, ip, inputs, save).await {
        Ok(saved) if save => Ok(Redirect::to(&format!(
            "/admin/funding/{}",
            saved.saved_id.unwrap_or_default()
        ))
        .into_response()),
        Ok(result) => Ok(
            page(app, actor, form, FieldErrors::new(), None, Some(result))
                .await?
                .into_response(),
        ),
        Err(AppError::Validation(errors)) => {
            let page = page(app, actor, form, form_errors(errors), None, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e @ (AppError::Conflict { .. } | AppError::Forbidden(_))) => {
            let status = e.status();
            let page = page(
                app,
                actor,
                form,
                FieldErrors::new(),
                Some(e.to_string()),
                None,
            )
            .await?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(PageError::new(e, Some(actor))),
    }
}

/// A saved allocation's page (`/admin/funding/12`) or its workbook (`/admin/funding/12.xlsx`).
pub async fn detail(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let not_found = || PageError::new(AppError::not_found("该分配方案"), None);
    let (id, excel) = match file.strip_suffix(".xlsx") {
        Some(id) => (id, true),
        None => (file.as_str(), false),
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let a = service::find(&app, id)
        .await?
        .filter(|a| service::may_read(&actor, &a.parent))
        .ok_or_else(not_found)?;
    if excel {
        let bytes = xlsx::to_xlsx(&a).map_err(|e| AppError::Internal(e.into()))?;
        let filename = format!("funding-{}-{}-{id}.xlsx", a.year, a.parent);
        return Ok((
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{filename}\""),
                ),
            ],
            bytes,
        )
            .into_response());
    }
    let again_href = format!(
        "/admin/funding?year={}&parent={}&period={}&formula={}&base={}&pool={}{}",
        a.year,
        url_encode(&a.parent),
        url_encode(&a.period),
        url_encode(&a.formula),
        url_encode(&format!("{}", (a.base_share * 1e6).round() / 1e4)),
        url_encode(&yuan(a.pool_fen).replace(',', "")),
        a.min_score
            .map(|m| format!("&min_score={m}"))
            .unwrap_or_default()
    );
    Ok(DetailPage {
        me: Some(actor),
        lines: lines_of(&a),
        total: yuan(a.total_fen),
        pool: yuan(a.pool_fen),
        when: a.created_at.map(beijing).unwrap_or_default(),
        again_href,
        a,
    }
    .into_response())
}
