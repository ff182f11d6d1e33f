//! `/admin/indicators/{year}`: the indicator system as a form — the indicators and their
//! weighted figures, and a grid of targets and residents for the province and its cities (or one
//! city's counties, `?city=`), each blank cell showing the target it would get from above. Saving
//! makes a new version; a refused save shows every problem beside what was typed.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tianfu_domain::{FieldErrors, RegionCode, RegionLevel};

use super::model::{
    Indicator, IndicatorSystem, IndicatorSystemInput, Normalise, Population, Target,
    WeightedMetric, template,
};
use super::{api::check_year, may_keep, store, validate};
use crate::performance::measures;
use crate::performance::scores::service::{PROVINCE, units};
use crate::performance::scores::targets;
use crate::platform::auth::{Actor, ClientIp, PageStaff};
use crate::platform::error::AppError;
use crate::platform::page::PageError;
use crate::platform::scope;
use crate::{App, AppState};

/// Empty metric slots offered under each indicator, to add a figure.
const SPARE: usize = 2;

#[derive(Debug, Default, Deserialize)]
pub struct EditorQuery {
    city: Option<String>,
    saved: Option<i32>,
}

pub struct SelectOption {
    pub value: String,
    pub label: String,
}

pub struct MetricRow {
    pub prefix: String,
    pub metric: String,
    pub weight: String,
    pub normalise: String,
}

pub struct IndicatorForm {
    pub prefix: String,
    pub key: String,
    pub name: String,
    pub weight: String,
    pub metrics: Vec<MetricRow>,
}

pub struct Cell {
    pub name: String,
    pub value: String,
    pub placeholder: String,
}

pub struct GridRow {
    pub code: String,
    pub name: String,
    pub residents: Cell,
    pub cells: Vec<Cell>,
}

#[derive(Template, WebTemplate)]
#[template(path = "performance/indicators.html")]
pub struct EditorPage {
    me: Option<Actor>,
    year: i32,
    version: i32,
    note: String,
    author: String,
    may_edit: bool,
    saved: Option<i32>,
    city: Option<String>,
    cities: Vec<SelectOption>,
    metric_options: Vec<SelectOption>,
    indicators: Vec<IndicatorForm>,
    column_labels: Vec<String>,
    grid: Vec<GridRow>,
    regions_shown: String,
    alert_below: String,
    cap: String,
    errors: Vec<(String, String)>,
    versions: Vec<(i32, String, String, String)>,
}

/// The regions of the grid: the province and its cities, or one city and its counties.
fn grid_regions(app: &App, city: Option<&RegionCode>) -> Vec<RegionCode> {
    match city {
        Some(city) => std::iter::once(city.clone())
            .chain(
                app.regions
                    .children(Some(city))
                    .into_iter()
                    .filter(|r| r.level() == RegionLevel::County)
                    .map(|r| r.code.clone()),
            )
            .collect(),
        None => std::iter::once(RegionCode::parse(PROVINCE).expect("province"))
            .chain(units(app).0)
            .collect(),
    }
}

fn number(v: f64) -> String {
    let text = format!("{v:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The form for `system`, with what was typed (`typed`) kept over it.
fn form(
    app: &App,
    system: &IndicatorSystem,
    city: Option<&RegionCode>,
    typed: &HashMap<String, String>,
) -> (Vec<IndicatorForm>, Vec<String>, Vec<String>, Vec<GridRow>) {
    let keep = |name: &str, value: String| typed.get(name).cloned().unwrap_or(value);
    let indicators = system
        .indicators
        .iter()
        .enumerate()
        .map(|(i, indicator)| {
            let prefix = format!("i{i}");
            let mut metrics: Vec<MetricRow> = indicator
                .metrics
                .iter()
                .map(|m| (m.metric.clone(), number(m.weight), m.normalise))
                .chain((0..SPARE).map(|_| (String::new(), String::new(), Normalise::Target)))
                .enumerate()
                .map(|(j, (metric, weight, normalise))| {
                    let p = format!("{prefix}.m{j}");
                    MetricRow {
                        metric: keep(&format!("{p}.metric"), metric),
                        weight: keep(&format!("{p}.weight"), weight),
                        normalise: keep(
                            &format!("{p}.normalise"),
                            if normalise == Normalise::Per10k {
                                "per_10k"
                            } else {
                                "target"
                            }
                            .into(),
                        ),
                        prefix: p,
                    }
                })
                .collect();
            metrics.truncate(indicator.metrics.len() + SPARE);
            IndicatorForm {
                key: keep(&format!("{prefix}.key"), indicator.key.clone()),
                name: keep(&format!("{prefix}.name"), indicator.name.clone()),
                weight: keep(&format!("{prefix}.weight"), number(indicator.weight)),
                metrics,
                prefix,
            }
        })
        .collect();
    let columns: Vec<String> = system
        .metric_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let labels = columns
        .iter()
        .map(|c| measures::named(c).map_or(c.clone(), |m| m.label.to_owned()))
        .collect();
    let normalise_of = |metric: &str| {
        system
            .indicators
            .iter()
            .flat_map(|i| &i.metrics)
            .find(|m| m.metric == metric)
            .map_or(Normalise::Target, |m| m.normalise)
    };
    let grid = grid_regions(app, city)
        .into_iter()
        .map(|code| {
            let name = app
                .regions
                .get(&code)
                .map_or(String::new(), |r| r.name.clone());
            let residents = Cell {
                name: format!("p.{code}"),
                value: keep(
                    &format!("p.{code}"),
                    system
                        .residents(code.as_str())
                        .map_or(String::new(), |r| r.to_string()),
                ),
                placeholder: "常住人口".into(),
            };
            let cells = columns
                .iter()
                .map(|metric| {
                    let field = format!("t.{code}.{metric}");
                    let explicit = system.explicit_target(code.as_str(), metric);
                    let derived = measures::named(metric)
                        .filter(|_| explicit.is_none())
                        .and_then(|m| {
                            targets::resolve(system, &app.regions, &code, &m, normalise_of(metric))
                        })
                        .map_or(String::new(), |t| {
                            format!("{}（{}）", number(t.annual), t.source)
                        });
                    Cell {
                        value: keep(&field, explicit.map_or(String::new(), number)),
                        placeholder: derived,
                        name: field,
                    }
                })
                .collect();
            GridRow {
                code: code.to_string(),
                name,
                residents,
                cells,
            }
        })
        .collect();
    (indicators, columns, labels, grid)
}

fn city_of(app: &App, text: Option<&str>) -> Option<RegionCode> {
    text.and_then(|c| app.regions.find(c))
        .filter(|r| r.level() == RegionLevel::City)
        .map(|r| r.code.clone())
}

#[allow(clippy::too_many_arguments)]
async fn render(
    app: &App,
    actor: Actor,
    year: i32,
    system: &IndicatorSystem,
    city: Option<RegionCode>,
    typed: &HashMap<String, String>,
    errors: &FieldErrors,
    saved: Option<i32>,
) -> Result<EditorPage, AppError> {
    let (indicators, _, column_labels, grid) = form(app, system, city.as_ref(), typed);
    let versions = store::versions(&app.db, year)
        .await?
        .into_iter()
        .map(|v| {
            (
                v.version,
                v.author,
                crate::platform::clock::shanghai(v.created_at),
                v.note,
            )
        })
        .collect();
    Ok(EditorPage {
        year,
        version: system.version,
        note: system.note.clone(),
        author: system.author.clone().unwrap_or_default(),
        may_edit: may_keep(&actor),
        saved,
        cities: units(app)
            .0
            .iter()
            .map(|c| SelectOption {
                value: c.to_string(),
                label: app.regions.get(c).map_or(String::new(), |r| r.name.clone()),
            })
            .collect(),
        regions_shown: grid
            .iter()
            .map(|r| r.code.clone())
            .collect::<Vec<_>>()
            .join(","),
        city: city.map(|c| c.to_string()),
        metric_options: measures::all()
            .into_iter()
            .map(|m| SelectOption {
                value: m.name.into(),
                label: m.label.into(),
            })
            .collect(),
        indicators,
        column_labels,
        grid,
        alert_below: typed
            .get("alert_below")
            .cloned()
            .unwrap_or_else(|| number(system.alert_below)),
        cap: typed
            .get("cap")
            .cloned()
            .unwrap_or_else(|| number(system.cap)),
        errors: errors
            .iter()
            .map(|(f, m)| (f.to_owned(), m.to_owned()))
            .collect(),
        versions,
        me: Some(actor),
    })
}

pub async fn editor(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    Path(year): Path<i32>,
    Query(query): Query<EditorQuery>,
) -> Result<EditorPage, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    let year = check_year(year).map_err(page_error)?;
    let system = store::find(&app.db, year, None)
        .await
        .map_err(page_error)?
        .unwrap_or_else(|| template(year));
    let city = city_of(&app, query.city.as_deref());
    render(
        &app,
        actor.clone(),
        year,
        &system,
        city,
        &HashMap::new(),
        &FieldErrors::new(),
        query.saved,
    )
    .await
    .map_err(page_error)
}

/// The input a submitted form means, starting from the version it was edited from (targets and
/// residents of regions not on the form are kept). Numbers that do not parse are field errors.
fn read_form(
    base: &IndicatorSystem,
    typed: &HashMap<String, String>,
    errors: &mut FieldErrors,
) -> IndicatorSystemInput {
    let get = |k: &str| {
        typed
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let num = |k: &str, errors: &mut FieldErrors| -> Option<f64> {
        let v = get(k);
        if v.is_empty() {
            return None;
        }
        v.parse::<f64>().map_or_else(
            |_| {
                errors.add(k, "请输入数字");
                None
            },
            Some,
        )
    };
    let mut indicators = Vec::new();
    for i in 0.. {
        let prefix = format!("i{i}");
        if !typed.contains_key(&format!("{prefix}.name")) {
            break;
        }
        let mut metrics = Vec::new();
        for j in 0.. {
            let p = format!("{prefix}.m{j}");
            if !typed.contains_key(&format!("{p}.metric")) {
                break;
            }
            let metric = get(&format!("{p}.metric"));
            if metric.is_empty() {
                continue;
            }
            metrics.push(WeightedMetric {
                metric,
                weight: num(&format!("{p}.weight"), errors).unwrap_or(0.0),
                normalise: if get(&format!("{p}.normalise")) == "per_10k" {
                    Normalise::Per10k
                } else {
                    Normalise::Target
                },
            });
        }
        indicators.push(Indicator {
            key: get(&format!("{prefix}.key")),
            name: get(&format!("{prefix}.name")),
            weight: num(&format!("{prefix}.weight"), errors).unwrap_or(0.0),
            metrics,
        });
    }
    let shown: Vec<String> = get("regions").split(',').map(str::to_owned).collect();
    let mut targets: Vec<Target> = base
        .targets
        .iter()
        .filter(|t| !shown.contains(&t.region_code))
        .cloned()
        .collect();
    let mut populations: Vec<Population> = base
        .populations
        .iter()
        .filter(|p| !shown.contains(&p.region_code))
        .cloned()
        .collect();
    let mut cells: Vec<(&String, &String)> = typed.iter().collect();
    cells.sort();
    for (key, _) in cells {
        if let Some(rest) = key.strip_prefix("t.") {
            let Some((region, metric)) = rest.split_once('.') else {
                continue;
            };
            if let Some(value) = num(key, errors) {
                targets.push(Target {
                    region_code: region.into(),
                    metric: metric.into(),
                    value,
                });
            }
        } else if let Some(region) = key.strip_prefix("p.") {
            let v = get(key);
            if v.is_empty() {
                continue;
            }
            match v.parse::<i64>() {
                Ok(residents) => populations.push(Population {
                    region_code: region.into(),
                    residents,
                }),
                Err(_) => errors.add(key, "常住人口应为整数"),
            }
        }
    }
    IndicatorSystemInput {
        indicators,
        targets,
        populations,
        alert_below: num("alert_below", errors),
        cap: num("cap", errors),
        base_version: get("base_version").parse().ok(),
        note: Some(get("note")),
    }
}

pub async fn save(
    State(app): State<AppState>,
    PageStaff(actor): PageStaff,
    ClientIp(ip): ClientIp,
    Path(year): Path<i32>,
    Query(query): Query<EditorQuery>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let page_error = |e: AppError| PageError::new(e, Some(actor.clone()));
    scope::ensure(
        &app,
        &actor,
        may_keep(&actor),
        &format!("indicators:{year}"),
        ip.as_deref(),
    )
    .await
    .map_err(page_error)?;
    let year = check_year(year).map_err(page_error)?;
    let typed: HashMap<String, String> = fields.into_iter().collect();
    let base = store::find(&app.db, year, None)
        .await
        .map_err(page_error)?
        .unwrap_or_else(|| template(year));
    let mut errors = FieldErrors::new();
    let input = read_form(&base, &typed, &mut errors);
    let city = city_of(&app, query.city.as_deref());
    let draft = IndicatorSystem {
        indicators: input.indicators.clone(),
        targets: input.targets.clone(),
        populations: input.populations.clone(),
        ..base.clone()
    };
    if errors.is_empty() {
        let base_version = input.base_version;
        match validate::check(input, &app.regions) {
            Ok(checked) => {
                match store::save(
                    &app.db,
                    year,
                    checked,
                    base_version,
                    (Some(actor.id.0), &actor.name),
                    app.clock.now(),
                )
                .await
                {
                    Ok(saved) => {
                        let city = city.map(|c| format!("&city={c}")).unwrap_or_default();
                        return Ok(Redirect::to(&format!(
                            "/admin/indicators/{year}?saved={}{city}",
                            saved.version
                        ))
                        .into_response());
                    }
                    Err(AppError::Conflict { message, .. }) => errors.add("base_version", message),
                    Err(e) => return Err(page_error(e)),
                }
            }
            Err(found) => {
                for (field, message) in found.iter() {
                    errors.add(field, message);
                }
            }
        }
    }
    let page = render(
        &app,
        actor.clone(),
        year,
        &draft,
        city,
        &typed,
        &errors,
        None,
    )
    .await
    .map_err(page_error)?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
