//! Who may see which figures, the period asked for, and the figures themselves.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tianfu_domain::RegionCode;
use utoipa::ToSchema;

use crate::ledger::catalogue::{self, Metric};
use crate::ledger::{LedgerRow, rollup};
use crate::platform::api::Paging;
use crate::platform::auth::Actor;
use crate::platform::error::AppError;
use crate::platform::scope;
use crate::{App, on_db};

/// The province whose headline figures anyone may read (the kind the press quotes).
pub const PROVINCE: &str = "51";

pub use crate::platform::period::Period;
use crate::platform::period::Since;

/// The period a query asks for; figures default to this year so far.
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Period, AppError> {
    Period::parse(from, to, now, Since::YearStart)
}

/// The region asked for, if the actor may read its figures: staff and administrators their
/// subtree, anyone the province's own headline figures.
pub async fn readable(
    app: &App,
    actor: Option<&Actor>,
    code: &str,
    detail: bool,
    ip: Option<&str>,
) -> Result<RegionCode, AppError> {
    let region = app
        .regions
        .find(code)
        .map(|r| r.code.clone())
        .ok_or_else(|| AppError::not_found("地区"))?;
    if !detail && region.as_str() == PROVINCE {
        return Ok(region);
    }
    match actor {
        Some(actor) => {
            let allowed = scope::can_view_region(actor, &region);
            scope::ensure(app, actor, allowed, &format!("stats:{region}"), ip).await?;
            Ok(region)
        }
        None => Err(AppError::Unauthorized(
            "请先登录：各地区的明细统计仅向服务中心工作人员开放".into(),
        )),
    }
}

pub fn metric(name: Option<&str>, default: &'static str) -> Result<&'static Metric, AppError> {
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(default);
    catalogue::metric_named(name).ok_or_else(|| {
        let names: Vec<&str> = catalogue::METRICS.iter().map(|m| m.name).collect();
        AppError::validation("metric", format!("指标不存在，可选：{}", names.join("、")))
    })
}

/// A region's figures for a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionFigures {
    pub region_code: String,
    pub region_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Metric name → value (counts, amounts in fen, hours).
    #[schema(value_type = std::collections::BTreeMap<String, f64>)]
    #[serde(serialize_with = "whole_numbers_as_integers")]
    pub metrics: BTreeMap<&'static str, f64>,
}

/// Counts and amounts in fen are whole: they read `12`, not `12.0`; hours keep their fraction.
fn whole_numbers_as_integers<S: serde::Serializer>(
    metrics: &BTreeMap<&'static str, f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = serializer.serialize_map(Some(metrics.len()))?;
    for (name, value) in metrics {
        map.serialize_entry(name, &Figure(*value))?;
    }
    map.end()
}

/// A figure as JSON: an integer when it is whole.
pub struct Figure(pub f64);

impl Serialize for Figure {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            serializer.serialize_i64(self.0 as i64)
        } else {
            serializer.serialize_f64(self.0)
        }
    }
}

pub fn figure_as_number<S: serde::Serializer>(
    value: &f64,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    Figure(*value).serialize(serializer)
}

pub async fn figures(
    app: &App,
    region: &RegionCode,
    period: Period,
) -> Result<RegionFigures, AppError> {
    Ok(RegionFigures {
        region_code: region.to_string(),
        region_name: app.regions.full_name(region),
        from: period.from,
        to: period.to,
        metrics: rollup::figures(&app.db, region.as_str(), period.from, period.to).await?,
    })
}

/// Each child region's figures, best first by `metric` (then by code).
pub async fn children(
    app: &App,
    region: &RegionCode,
    period: Period,
    metric: &Metric,
) -> Result<Vec<RegionFigures>, AppError> {
    let totals = rollup::children_totals(&app.db, region.as_str(), period.from, period.to).await?;
    let children = app.regions.children(Some(region));
    let codes: Vec<&str> = children.iter().map(|c| c.code.as_str()).collect();
    let mut figures = rollup::figures_of(&app.db, &totals, &codes, period.from, period.to).await?;
    let mut items: Vec<RegionFigures> = children
        .iter()
        .map(|child| RegionFigures {
            region_code: child.code.to_string(),
            region_name: child.name.clone(),
            from: period.from,
            to: period.to,
            metrics: figures.remove(child.code.as_str()).unwrap_or_default(),
        })
        .collect();
    items.sort_by(|a, b| {
        b.metrics[metric.name]
            .total_cmp(&a.metrics[metric.name])
            .then_with(|| a.region_code.cmp(&b.region_code))
    });
    Ok(items)
}

/// The ledger rows behind one figure of a region's subtree, oldest first, and how many there are.
pub async fn evidence(
    app: &App,
    region: &RegionCode,
    period: Period,
    metric: &Metric,
    paging: Paging,
) -> Result<(Vec<LedgerRow>, i64), AppError> {
    let (low, high) = region.subtree_bounds();
    let (start, end) = period.bounds();
    // The conditions are bound into a builder of each engine's own type.
    macro_rules! filtered {
        ($sql:expr) => {{
            let mut query = sqlx::QueryBuilder::new($sql);
            query
                .push(" WHERE kind = ")
                .push_bind(metric.kind.as_str())
                .push(" AND region_code >= ")
                .push_bind(low.clone())
                .push(" AND region_code < ")
                .push_bind(high.clone())
                .push(" AND at >= ")
                .push_bind(start)
                .push(" AND at < ")
                .push_bind(end)
                // Rows voided as duplicates (weight 0) count for nothing and are not evidence.
                .push(" AND weight <> 0");
            if let Some(subject) = metric.subject_kind {
                query.push(" AND subject_kind = ").push_bind(subject);
            }
            if let Some(outcome) = metric.outcome {
                query.push(" AND outcome = ").push_bind(outcome);
            }
            query
        }};
    }
    let (items, total) = on_db!(&app.db, pool => {
        let mut rows = filtered!(concat!("SELECT ", crate::ledger_columns!(), " FROM ledger_events"));
        rows.push(" ORDER BY at, id LIMIT ").push_bind(paging.limit()).push(" OFFSET ").push_bind(paging.offset());
        let items = rows.build_query_as::<LedgerRow>().fetch_all(pool).await?;
        let total: i64 = filtered!("SELECT COUNT(*) FROM ledger_events").build_query_scalar().fetch_one(pool).await?;
        Ok::<_, sqlx::Error>((items, total))
    })?;
    Ok((items, total))
}

/// The names of these users, in one query.
pub async fn names(
    app: &App,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(i64, String)> = on_db!(&app.db, pool => {
        let mut query = sqlx::QueryBuilder::new("SELECT id, name FROM users WHERE id IN (");
        let mut list = query.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        query.push(")");
        query.build_query_as().fetch_all(pool).await
    })?;
    Ok(rows.into_iter().collect())
}
