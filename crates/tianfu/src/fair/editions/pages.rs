//! `/admin/fairs…`: the organisers' console — the editions, a new edition, one edition's
//! settings (dates, criteria, each hall's quota per category) and its collected projects, and
//! staff nominating a listing of their region.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tianfu_domain::FieldErrors;
use tianfu_domain::fair::{Category, Criterion};

use super::service::{self, EditionInput};
use crate::AppState;
use crate::fair::projects::api::status_label;
use crate::fair::projects::service::{self as projects, ProjectInput};
use crate::fair::store::{self, FairRow, ProjectFilter, ProjectRow, QuotaRow};
use crate::platform::api::Paging;
use crate::platform::auth::{Actor, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::{PageError, Pager};

/// A time as a datetime-local field shows it (Beijing time).
pub fn local_input(at: DateTime<Utc>) -> String {
    (at + chrono::Duration::hours(8))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// Criteria as the settings form edits them: one per line, `key 名称 权重`.
fn criteria_text(criteria: &[Criterion]) -> String {
    criteria
        .iter()
        .map(|c| format!("{} {} {}", c.key, c.name, c.weight))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_criteria(text: &str) -> Result<Vec<Criterion>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut criteria = Vec::new();
    for (i, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            [key, name, weight] => match weight.parse::<u32>() {
                Ok(weight) => criteria.push(Criterion {
                    key: (*key).to_owned(),
                    name: (*name).to_owned(),
                    weight,
                }),
                Err(_) => errors.add("criteria", format!("第{}行的权重应为整数", i + 1)),
            },
            _ => errors.add(
                "criteria",
                format!(
                    "第{}行应为“代码 名称 权重”，如 advanced 技术先进性 30",
                    i + 1
                ),
            ),
        }
    }
    errors.into_result().map(|_| criteria)
}

#[derive(Debug, Default, Deserialize)]
pub struct EditionForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub intro: String,
    #[serde(default)]
    pub collect_until: String,
    #[serde(default)]
    pub opens_at: String,
    #[serde(default)]
    pub closes_at: String,
    #[serde(default)]
    pub signing_until: String,
    #[serde(default)]
    pub criteria: String,
}

impl EditionForm {
    fn of(fair: &FairRow) -> Self {
        EditionForm {
            name: fair.name.clone(),
            year: fair.year.to_string(),
            intro: fair.intro.clone(),
            collect_until: local_input(fair.collect_until),
            opens_at: local_input(fair.opens_at),
            closes_at: local_input(fair.closes_at),
            signing_until: local_input(fair.signing_until),
            criteria: criteria_text(&fair.criteria()),
        }
    }

    fn input(&self, quotas: Option<Vec<QuotaRow>>) -> Result<EditionInput, FieldErrors> {
        let criteria = if self.criteria.trim().is_empty() {
            None
        } else {
            Some(parse_criteria(&self.criteria)?)
        };
        Ok(EditionInput {
            name: self.name.clone(),
            year: self.year.trim().parse().ok(),
            intro: self.intro.clone(),
            collect_until: self.collect_until.clone(),
            opens_at: self.opens_at.clone(),
            closes_at: self.closes_at.clone(),
            signing_until: self.signing_until.clone(),
            criteria,
            quotas,
        })
    }
}

/// Errors a form shows: by field, and a conflict's message under `form`.
fn form_errors(error: AppError) -> Result<(StatusCode, FieldErrors), AppError> {
    match error {
        AppError::Validation(fields) => Ok((StatusCode::UNPROCESSABLE_ENTITY, fields)),
        AppError::Conflict {
            message,
            mut fields,
        } => {
            fields.add("form", message);
            Ok((StatusCode::CONFLICT, fields))
        }
        AppError::Forbidden(message) => {
            Ok((StatusCode::FORBIDDEN, FieldErrors::single("form", message)))
        }
        other => Err(other),
    }
}

pub struct EditionItem {
    pub id: i64,
    pub name: String,
    pub year: i32,
    pub phase_label: &'static str,
    pub opens: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/admin/index.html")]
pub struct IndexPage {
    me: Option<Actor>,
    organiser: bool,
    editions: Vec<EditionItem>,
    form: EditionForm,
    errors: FieldErrors,
}

async fn index_page(
    app: &AppState,
    actor: Actor,
    form: EditionForm,
    errors: FieldErrors,
) -> Result<IndexPage, PageError> {
    let (rows, _) = store::list_fairs(
        &app.db,
        Paging {
            page: None,
            per_page: Some(50),
        },
    )
    .await
    .map_err(|e| PageError::new(e.into(), Some(actor.clone())))?;
    let now = app.clock.now();
    Ok(IndexPage {
        organiser: crate::fair::organiser(&actor),
        me: Some(actor),
        editions: rows
            .into_iter()
            .map(|f| EditionItem {
                phase_label: f.phase(now).label(),
                opens: crate::platform::clock::shanghai(f.opens_at),
                id: f.id,
                name: f.name,
                year: f.year,
            })
            .collect(),
        form,
        errors,
    })
}

pub async fn index(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
) -> Result<IndexPage, PageError> {
    let form = EditionForm {
        criteria: criteria_text(&tianfu_domain::fair::default_criteria()),
        ..EditionForm::default()
    };
    index_page(&app, actor, form, FieldErrors::new()).await
}

pub async fn create(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Form(form): Form<EditionForm>,
) -> Result<Response, PageError> {
    let result = match form.input(None) {
        Ok(input) => service::create(&app, &actor, &input).await,
        Err(fields) => Err(AppError::Validation(fields)),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/admin/fairs/{id}?saved=1")).into_response()),
        Err(error) => match form_errors(error) {
            Ok((status, errors)) => {
                Ok((status, index_page(&app, actor, form, errors).await?).into_response())
            }
            Err(other) => Err(PageError::new(other, Some(actor))),
        },
    }
}

pub struct QuotaCell {
    pub name: String,
    pub value: String,
}

pub struct QuotaLine {
    pub code: String,
    pub name: String,
    pub cells: Vec<QuotaCell>,
}

pub struct ProjectLine {
    pub id: i64,
    pub title: String,
    pub category: &'static str,
    pub hall: String,
    pub owner: String,
    pub status: &'static str,
    pub nominated: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct EditionQuery {
    pub hall: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub page: Option<u32>,
    pub saved: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct NominateForm {
    #[serde(default)]
    pub listing: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub pitch: String,
    #[serde(default)]
    pub sector: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "fair/admin/edition.html")]
pub struct EditionPage {
    me: Option<Actor>,
    fair_id: i64,
    fair_name: String,
    phase_label: &'static str,
    organiser: bool,
    saved: bool,
    form: EditionForm,
    quota_lines: Vec<QuotaLine>,
    categories: Vec<(&'static str, &'static str)>,
    sectors: Vec<(&'static str, &'static str)>,
    halls: Vec<(String, String)>,
    query_hall: String,
    query_category: String,
    query_status: String,
    projects: Vec<ProjectLine>,
    pager: Pager,
    nominate: NominateForm,
    errors: FieldErrors,
}

#[allow(clippy::too_many_arguments)]
async fn edition_page(
    app: &AppState,
    actor: Actor,
    fair: FairRow,
    query: EditionQuery,
    form: Option<EditionForm>,
    quota_values: Option<HashMap<String, String>>,
    nominate: NominateForm,
    errors: FieldErrors,
) -> Result<EditionPage, PageError> {
    let fail = |e: AppError| PageError::new(e, Some(actor.clone()));
    let quotas = store::quotas(&app.db, fair.id)
        .await
        .map_err(|e| fail(e.into()))?;
    let halls = crate::fair::halls(&app.regions);
    let quota_lines = halls
        .iter()
        .map(|(code, name)| QuotaLine {
            code: code.clone(),
            name: name.clone(),
            cells: Category::ALL
                .iter()
                .map(|c| {
                    let key = format!("q_{code}_{}", c.as_str());
                    let value = match &quota_values {
                        Some(values) => values.get(&key).cloned().unwrap_or_default(),
                        None => quotas
                            .iter()
                            .find(|q| &q.region_code == code && q.category == c.as_str())
                            .map(|q| q.quota.to_string())
                            .unwrap_or_default(),
                    };
                    QuotaCell { name: key, value }
                })
                .collect(),
        })
        .collect();
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let filter = ProjectFilter {
        hall: given(&query.hall),
        category: given(&query.category),
        status: given(&query.status),
        ..ProjectFilter::default()
    };
    let paging = Paging {
        page: query.page,
        per_page: Some(30),
    };
    let (rows, total) = projects::list(app, Some(&actor), &fair, filter, false, paging)
        .await
        .map_err(fail)?;
    let line = |p: ProjectRow| ProjectLine {
        category: p.category().map_or("未知", Category::label),
        hall: crate::fair::hall_name(&app.regions, &p.hall_code),
        status: status_label(&p.status),
        id: p.id,
        title: p.title,
        owner: p.owner_name,
        nominated: p.nominated,
    };
    Ok(EditionPage {
        organiser: crate::fair::organiser(&actor),
        me: Some(actor),
        fair_id: fair.id,
        phase_label: fair.phase(app.clock.now()).label(),
        form: form.unwrap_or_else(|| EditionForm::of(&fair)),
        fair_name: fair.name,
        saved: query.saved.is_some(),
        quota_lines,
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect(),
        sectors: tianfu_domain::fair::Sector::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        halls,
        query_hall: query.hall.unwrap_or_default(),
        query_category: query.category.unwrap_or_default(),
        query_status: query.status.unwrap_or_default(),
        projects: rows.into_iter().map(line).collect(),
        pager: Pager::new(paging.page(), paging.per_page(), total),
        nominate,
        errors,
    })
}

pub async fn show(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Path(id): Path<i64>,
    Query(query): Query<EditionQuery>,
) -> Result<EditionPage, PageError> {
    let fair = service::find(&app, id)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    edition_page(
        &app,
        actor,
        fair,
        query,
        None,
        None,
        NominateForm::default(),
        FieldErrors::new(),
    )
    .await
}

/// Saves the settings: the edition's fields and the quota grid (`q_<hall>_<category>`; an
/// empty cell is no quota).
pub async fn save(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let fair = service::find(&app, id)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let values: HashMap<String, String> = fields.into_iter().collect();
    let field = |name: &str| values.get(name).cloned().unwrap_or_default();
    let form = EditionForm {
        name: field("name"),
        year: fair.year.to_string(),
        intro: field("intro"),
        collect_until: field("collect_until"),
        opens_at: field("opens_at"),
        closes_at: field("closes_at"),
        signing_until: field("signing_until"),
        criteria: field("criteria"),
    };
    let mut errors = FieldErrors::new();
    let mut quotas = Vec::new();
    for (code, name) in crate::fair::halls(&app.regions) {
        for category in Category::ALL {
            let key = format!("q_{code}_{}", category.as_str());
            let text = values.get(&key).map(|v| v.trim()).unwrap_or("");
            if text.is_empty() {
                continue;
            }
            match text.parse::<i32>() {
                Ok(quota) if (0..=10_000).contains(&quota) => quotas.push(QuotaRow {
                    region_code: code.clone(),
                    category: category.as_str().to_owned(),
                    quota,
                }),
                _ => errors.add(
                    "quotas",
                    format!("{name}“{}”的名额应为0到10000的整数", category.label()),
                ),
            }
        }
    }
    let result = if errors.is_empty() {
        match form.input(Some(quotas)) {
            Ok(input) => service::update(&app, &actor, &fair, &input).await,
            Err(fields) => Err(AppError::Validation(fields)),
        }
    } else {
        Err(AppError::Validation(errors))
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/fairs/{id}?saved=1")).into_response()),
        Err(error) => match form_errors(error) {
            Ok((status, errors)) => Ok((
                status,
                edition_page(
                    &app,
                    actor,
                    fair,
                    EditionQuery::default(),
                    Some(form),
                    Some(values),
                    NominateForm::default(),
                    errors,
                )
                .await?,
            )
                .into_response()),
            Err(other) => Err(PageError::new(other, Some(actor))),
        },
    }
}

/// Reads a listing reference as staff type it: `offer:12`, `need:7`, or the listing's address
/// (`/offers/12`).
fn listing_ref(text: &str) -> Option<(&'static str, i64)> {
    let text = text.trim().trim_end_matches('/');
    // An address (`/offers/12`, `https://host:8080/offers/12`): its last two path segments;
    // otherwise `kind:id`.
    let (kind, id) = if text.contains('/') {
        let (head, id) = text.rsplit_once('/')?;
        (head.rsplit('/').next().unwrap_or(head), id)
    } else {
        text.rsplit_once(':')?
    };
    let kind = match kind.trim() {
        "offer" | "offers" => "offer",
        "achievement" | "achievements" => "achievement",
        "need" | "needs" => "need",
        _ => return None,
    };
    Some((kind, id.trim().parse().ok()?))
}

pub async fn nominate(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Path(id): Path<i64>,
    Form(form): Form<NominateForm>,
) -> Result<Response, PageError> {
    let fair = service::find(&app, id)
        .await
        .map_err(|e| PageError::new(e, Some(actor.clone())))?;
    let result = match listing_ref(&form.listing) {
        Some((kind, listing_id)) => {
            let input = ProjectInput {
                category: form.category.clone(),
                listing_kind: kind.to_owned(),
                listing_id: Some(listing_id),
                pitch: form.pitch.clone(),
                sector: form.sector.clone(),
                ..ProjectInput::default()
            };
            projects::enter(&app, &actor, &fair, &input)
                .await
                .map(|_| ())
        }
        None => Err(AppError::validation(
            "listing",
            "请填写项目地址（如 /offers/12）或 类型:编号（如 need:7）",
        )),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/fairs/{id}?saved=1")).into_response()),
        Err(error) => match form_errors(error) {
            Ok((status, mut errors)) => {
                for key in ["listing_id", "listing_kind"] {
                    if let Some(message) = errors.get(key).map(str::to_owned) {
                        errors.add("listing", message);
                    }
                }
                Ok((
                    status,
                    edition_page(
                        &app,
                        actor,
                        fair,
                        EditionQuery::default(),
                        None,
                        None,
                        form,
                        errors,
                    )
                    .await?,
                )
                    .into_response())
            }
            Err(other) => Err(PageError::new(other, Some(actor))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_references_as_staff_type_them() {
        assert_eq!(listing_ref("offer:12"), Some(("offer", 12)));
        assert_eq!(listing_ref("/needs/7"), Some(("need", 7)));
        assert_eq!(
            listing_ref("http://127.0.0.1:8080/achievements/3/"),
            Some(("achievement", 3))
        );
        assert_eq!(listing_ref("studio:3"), None);
        assert_eq!(listing_ref("offer:abc"), None);
    }

    #[test]
    fn criteria_lines_read_back() {
        let text = criteria_text(&tianfu_domain::fair::default_criteria());
        assert_eq!(
            parse_criteria(&text).unwrap(),
            tianfu_domain::fair::default_criteria()
        );
        assert!(parse_criteria("advanced 技术先进性").is_err());
    }
}
