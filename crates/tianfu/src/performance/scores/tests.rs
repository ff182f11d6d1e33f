//! Hand-computed scores, target splits and ranks.

use std::collections::HashMap;

use tianfu_domain::RegionCode;

use super::rules::{self, RegionScore};
use super::targets;
use crate::performance::indicators::model::{
    Indicator, IndicatorSystem, Normalise, Population, Target, WeightedMetric, template,
};
use crate::performance::indicators::validate;
use crate::performance::measures;
use crate::regions::{Region, RegionTree};

fn code(c: &str) -> RegionCode {
    RegionCode::parse(c).unwrap()
}

fn tree() -> RegionTree {
    let region = |c: &str, name: &str| Region {
        code: code(c),
        parent: code(c).parent(),
        name: name.into(),
    };
    RegionTree::new(vec![
        region("51", "四川省"),
        region("5101", "成都市"),
        region("5102", "自贡市"),
        region("510104", "锦江区"),
        region("510105", "青羊区"),
        region("510106", "金牛区"),
        region("510104001", "春熙路街道"),
    ])
}

fn target(region: &str, metric: &str, value: f64) -> Target {
    Target {
        region_code: region.into(),
        metric: metric.into(),
        value,
    }
}

fn metric(name: &str, normalise: Normalise) -> WeightedMetric {
    WeightedMetric {
        metric: name.into(),
        weight: 1.0,
        normalise,
    }
}

fn system() -> IndicatorSystem {
    IndicatorSystem {
        indicators: vec![
            Indicator {
                key: "a".into(),
                name: "甲".into(),
                weight: 60.0,
                metrics: vec![
                    metric("workers_registered", Normalise::Target),
                    metric("deals_amount_fen", Normalise::Target),
                ],
            },
            Indicator {
                key: "b".into(),
                name: "乙".into(),
                weight: 40.0,
                metrics: vec![metric("kepu_services", Normalise::Per10k)],
            },
        ],
        targets: vec![
            target("5101", "workers_registered", 1200.0),
            target("5101", "deals_amount_fen", 12_000_000.0),
            target("51", "kepu_services", 120.0),
            target("510104", "workers_registered", 400.0),
        ],
        populations: vec![
            Population {
                region_code: "5101".into(),
                residents: 100_000,
            },
            Population {
                region_code: "510105".into(),
                residents: 300_000,
            },
            Population {
                region_code: "510106".into(),
                residents: 100_000,
            },
        ],
        ..template(2026)
    }
}

#[test]
fn a_city_target_is_split_among_counties_after_their_own() {
    let (system, tree) = (system(), tree());
    let workers = measures::named("workers_registered").unwrap();
    let resolve = |c: &str| targets::resolve(&system, &tree, &code(c), &workers, Normalise::Target);
    assert_eq!(resolve("510104").unwrap().annual, 400.0);
    // 800 left, split 3:1 by residents.
    let qingyang = resolve("510105").unwrap();
    assert_eq!(qingyang.annual, 600.0);
    assert_eq!(qingyang.source, "由成都市目标按常住人口分解");
    assert_eq!(resolve("510106").unwrap().annual, 200.0);
    // No target anywhere above 自贡.
    assert!(resolve("5102").is_none());
    // A per-10k target is a level: a county takes the province's.
    let services = measures::named("kepu_services").unwrap();
    let level = targets::resolve(
        &system,
        &tree,
        &code("510105"),
        &services,
        Normalise::Per10k,
    );
    assert_eq!(level.unwrap().annual, 120.0);
}

#[test]
fn a_month_scores_as_computed_by_hand() {
    let (system, tree) = (system(), tree());
    let values: HashMap<&'static str, f64> = HashMap::from([
        ("workers_registered", 50.0),
        ("deals_amount_fen", 3_000_000.0),
        ("kepu_services", 120.0),
    ]);
    let card = rules::score(&system, &tree, &code("5101"), &values, 1.0 / 12.0);
    let by = |m: &str| card.metrics.iter().find(|x| x.metric == m).unwrap().clone();
    // 50 of a month's 100: 50 points.
    assert!((by("workers_registered").score.unwrap() - 50.0).abs() < 1e-9);
    // 3x a month's 1,000,000 fen: capped at 1.2, 120 points, completion shown uncapped.
    assert!((by("deals_amount_fen").completion.unwrap() - 3.0).abs() < 1e-9);
    assert!((by("deals_amount_fen").score.unwrap() - 120.0).abs() < 1e-9);
    // 120 services for 100,000 residents: 12 per 10,000 against a month's 10: 120 points.
    assert!((by("kepu_services").value - 12.0).abs() < 1e-9);
    assert!((by("kepu_services").score.unwrap() - 120.0).abs() < 1e-9);
    // (60 × 85 + 40 × 120) / 100.
    assert!((card.total.unwrap() - 99.0).abs() < 1e-9);
    assert!(!card.alert);
    // A city without targets has no total and is not named.
    let bare = rules::score(&system, &tree, &code("5102"), &values, 1.0 / 12.0);
    assert_eq!(bare.total, None);
    assert_eq!(bare.metrics[0].target_source, "未设目标");
    assert!(!bare.alert);
}

#[test]
fn per_10k_without_residents_is_left_out_and_says_why() {
    let (mut system, tree) = (system(), tree());
    system.populations.clear();
    let values = HashMap::from([("workers_registered", 100.0)]);
    let card = rules::score(&system, &tree, &code("5101"), &values, 1.0 / 12.0);
    let services = card
        .metrics
        .iter()
        .find(|m| m.metric == "kepu_services")
        .unwrap();
    assert_eq!(services.score, None);
    assert_eq!(services.target_source, "缺少常住人口数");
    // Indicator b has nothing scored: the total is indicator a alone ((100 + 0) / 2 = 50).
    assert!((card.total.unwrap() - 50.0).abs() < 1e-9);
    assert!(card.alert, "50 is below the line of 60");
}

#[test]
fn ranks_are_shared_on_ties_and_movement_is_measured() {
    let totals = [Some(90.0), Some(80.0), Some(90.0), None, Some(70.0)];
    assert_eq!(
        rules::ranks(&totals),
        vec![Some(1), Some(3), Some(1), None, Some(4)]
    );
    let line = |code: &str, total: Option<f64>, rank: Option<u32>| RegionScore {
        region_code: code.into(),
        name: String::new(),
        parent_code: None,
        level: "city".into(),
        total,
        rank,
        rank_in_city: None,
        total_change: None,
        rank_change: None,
        rank_in_city_change: None,
        alert: false,
        indicators: Vec::new(),
        metrics: Vec::new(),
    };
    let mut now = vec![
        line("5101", Some(80.0), Some(1)),
        line("5102", Some(70.0), Some(2)),
    ];
    let before = vec![
        line("5101", Some(60.0), Some(2)),
        line("5102", Some(75.0), Some(1)),
    ];
    rules::compare(&mut now, &before);
    assert_eq!(now[0].rank_change, Some(1));
    assert!((now[0].total_change.unwrap() - 20.0).abs() < 1e-9);
    assert_eq!(now[1].rank_change, Some(-1));
}

#[test]
fn a_bad_system_names_every_field_and_a_good_one_passes() {
    let tree = tree();
    let mut input = crate::performance::indicators::model::IndicatorSystemInput {
        indicators: system().indicators,
        targets: vec![target("5101", "workers_registered", 10.0)],
        populations: Vec::new(),
        alert_below: None,
        cap: None,
        base_version: None,
        note: None,
    };
    assert!(validate::check(input.clone(), &tree).is_ok());
    input.indicators[0].metrics[1].metric = "no_such".into();
    input.indicators[1].weight = 0.0;
    input.indicators[0]
        .metrics
        .push(metric(measures::ON_TIME_RATE, Normalise::Per10k));
    input
        .targets
        .push(target("510104001", "workers_registered", 5.0));
    input.cap = Some(9.0);
    let errors = validate::check(input, &tree).unwrap_err();
    let text = format!("{errors:?}");
    for field in [
        "indicators[0].metrics[1].metric",
        "indicators[1].weight",
        "indicators[0].metrics[2].normalise",
        "targets[1].region_code",
        "cap",
    ] {
        assert!(text.contains(field), "{field} in {text}");
    }
}

#[test]
fn a_rate_with_nothing_to_measure_is_left_out() {
    let tree = tree();
    let system = IndicatorSystem {
        indicators: vec![Indicator {
            key: "a".into(),
            name: "甲".into(),
            weight: 1.0,
            metrics: vec![
                metric("workers_registered", Normalise::Target),
                metric(measures::ON_TIME_RATE, Normalise::Target),
            ],
        }],
        targets: vec![
            target("5101", "workers_registered", 12.0),
            target("51", measures::ON_TIME_RATE, 0.9),
        ],
        ..template(2026)
    };
    // No step fell due: the rate is absent, not 0.
    let values = HashMap::from([("workers_registered", 1.0)]);
    let card = rules::score(&system, &tree, &code("5101"), &values, 1.0 / 12.0);
    let rate = card
        .metrics
        .iter()
        .find(|m| m.metric == measures::ON_TIME_RATE)
        .unwrap();
    assert_eq!(rate.score, None);
    assert_eq!(rate.target_source, "本期无可计算数据");
    assert!(
        (card.total.unwrap() - 100.0).abs() < 1e-9,
        "the workers alone"
    );
    // A step due and missed: 0 of 0.9, scored 0.
    let values = HashMap::from([("workers_registered", 1.0), (measures::ON_TIME_RATE, 0.0)]);
    let card = rules::score(&system, &tree, &code("5101"), &values, 1.0 / 12.0);
    assert!((card.total.unwrap() - 50.0).abs() < 1e-9);
}

#[test]
fn one_figure_cannot_be_counted_two_ways() {
    let mut indicators = system().indicators;
    indicators[1]
        .metrics
        .push(metric("workers_registered", Normalise::Per10k));
    let input = crate::performance::indicators::model::IndicatorSystemInput {
        indicators,
        targets: Vec::new(),
        populations: Vec::new(),
        alert_below: None,
        cap: None,
        base_version: None,
        note: None,
    };
    let errors = validate::check(input, &tree()).unwrap_err();
    assert!(format!("{errors:?}").contains("indicators[1].metrics[1].normalise"));
}
