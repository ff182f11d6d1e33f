//! The indicator system (指标体系) of a year: the three 指标, each a weighted set of figures,
//! the targets per region, the residents per region (for figures taken per 10,000 residents),
//! the cap on completion and the score below which a unit is named in the 通报. A version, once
//! saved, never changes: a new one is saved beside it, and a published score names the version
//! it was computed with.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::performance::measures;

/// How a figure is compared with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = IndicatorNormalise)]
pub enum Normalise {
    /// The figure against the region's target.
    #[default]
    Target,
    /// The figure per 10,000 residents against a target per 10,000 residents.
    Per10k,
}

impl Normalise {
    pub fn label(self) -> &'static str {
        match self {
            Normalise::Target => "对照目标",
            Normalise::Per10k => "每万常住人口",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = IndicatorMetric)]
pub struct WeightedMetric {
    /// A figure's name: one of /api/v1/stats/metrics, or step_on_time_rate, tickets_per_staff.
    pub metric: String,
    /// Its weight within the indicator (weights are taken relative to their sum).
    pub weight: f64,
    #[serde(default)]
    pub normalise: Normalise,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Indicator {
    /// A short English key, e.g. workers.
    pub key: String,
    /// Its Chinese name, e.g. 精准服务科技工作者.
    pub name: String,
    /// Its weight in the total (weights are taken relative to their sum).
    pub weight: f64,
    pub metrics: Vec<WeightedMetric>,
}

/// A region's target for one figure for the whole year (per 10,000 residents when the figure is
/// normalised so; a rate such as 0.9 for a rate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = IndicatorTarget)]
pub struct Target {
    pub region_code: String,
    pub metric: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Population {
    pub region_code: String,
    /// 常住人口.
    pub residents: i64,
}

/// A saved version of a year's system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IndicatorSystem {
    pub year: i32,
    /// 1 for the first saved version; 0 for the default template of a year with none saved.
    pub version: i32,
    pub created_at: Option<DateTime<Utc>>,
    pub author: Option<String>,
    pub note: String,
    pub indicators: Vec<Indicator>,
    pub targets: Vec<Target>,
    pub populations: Vec<Population>,
    /// Units whose total score is below this are named in the 通报.
    pub alert_below: f64,
    /// Completion counts up to this multiple of the target (1.2: at most 120 points a figure).
    pub cap: f64,
}

/// What an administrator saves (`PUT`): a new version of the year's system.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct IndicatorSystemInput {
    pub indicators: Vec<Indicator>,
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub populations: Vec<Population>,
    /// 60 when absent.
    pub alert_below: Option<f64>,
    /// 1.2 when absent.
    pub cap: Option<f64>,
    /// The version this edit started from: refused (409) if another has been saved since.
    pub base_version: Option<i32>,
    /// What changed and why (shown in the version list).
    pub note: Option<String>,
}

pub const DEFAULT_ALERT_BELOW: f64 = 60.0;
pub const DEFAULT_CAP: f64 = 1.2;

fn weighted(metric: &str, weight: f64, normalise: Normalise) -> WeightedMetric {
    WeightedMetric {
        metric: metric.to_owned(),
        weight,
        normalise,
    }
}

/// 一项工作、三项指标: the template a year starts from.
pub fn default_indicators() -> Vec<Indicator> {
    use Normalise::{Per10k, Target as T};
    vec![
        Indicator {
            key: "workers".into(),
            name: "精准服务科技工作者".into(),
            weight: 40.0,
            metrics: vec![
                weighted("workers_registered", 30.0, T),
                weighted("studios_opened", 20.0, T),
                weighted("offers_published", 20.0, T),
                weighted("achievements_published", 10.0, T),
                weighted(measures::ON_TIME_RATE, 10.0, T),
                weighted(measures::TICKETS_PER_STAFF, 10.0, T),
            ],
        },
        Indicator {
            key: "enterprises".into(),
            name: "精准服务企事业单位创新驱动发展".into(),
            weight: 35.0,
            metrics: vec![
                weighted("orgs_registered", 15.0, T),
                weighted("needs_published", 20.0, T),
                weighted("deals_signed", 25.0, T),
                weighted("deals_amount_fen", 20.0, T),
                weighted("transfers", 10.0, T),
                weighted("tickets_closed_with_deal", 10.0, T),
            ],
        },
        Indicator {
            key: "literacy".into(),
            name: "全面服务全民科学素质提升".into(),
            weight: 25.0,
            metrics: vec![
                weighted("kepu_services", 30.0, Per10k),
                weighted("kepu_people_served", 30.0, Per10k),
                weighted("questions_answered", 20.0, T),
                weighted("volunteer_hours", 20.0, T),
            ],
        },
    ]
}

/// A year with nothing saved yet: the template, no targets (version 0).
pub fn template(year: i32) -> IndicatorSystem {
    IndicatorSystem {
        year,
        version: 0,
        created_at: None,
        author: None,
        note: "默认模板（尚未保存）".into(),
        indicators: default_indicators(),
        targets: Vec::new(),
        populations: Vec::new(),
        alert_below: DEFAULT_ALERT_BELOW,
        cap: DEFAULT_CAP,
    }
}

impl IndicatorSystem {
    /// The figures the system weighs, each once, in the order the indicators name them.
    pub fn metric_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for indicator in &self.indicators {
            for m in &indicator.metrics {
                if !names.contains(&m.metric.as_str()) {
                    names.push(&m.metric);
                }
            }
        }
        names
    }

    pub fn residents(&self, region: &str) -> Option<i64> {
        self.populations
            .iter()
            .find(|p| p.region_code == region)
            .map(|p| p.residents)
    }

    pub fn explicit_target(&self, region: &str, metric: &str) -> Option<f64> {
        self.targets
            .iter()
            .find(|t| t.region_code == region && t.metric == metric)
            .map(|t| t.value)
    }
}
