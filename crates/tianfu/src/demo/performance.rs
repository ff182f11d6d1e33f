//! The year's 指标体系 for the demo: targets set from the pace of the year so far (the province's
//! figure annualised, a tenth above it), split among cities and counties by residents (the 2020
//! census for the cities; a city's residents evenly among its counties, as a demo), 成都's own
//! higher targets, and a second version from July that weighs 科普 more. Months that ended
//! before July are published under the first version, the rest under the second, as the
//! monthly job would have done.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};

use crate::App;
use crate::ledger::rollup;
use crate::performance::indicators::model::{
    IndicatorSystemInput, Normalise, Population, Target, default_indicators,
};
use crate::performance::indicators::{store, validate};
use crate::performance::measures;
use crate::performance::scores::period::{ScorePeriod, Span};
use crate::performance::scores::service::{self, PROVINCE};
use crate::platform::clock::shanghai_date;

/// 第七次全国人口普查 residents of the 21 cities, in 10,000s.
const CENSUS: &[(&str, f64)] = &[
    ("成都市", 2093.8),
    ("自贡市", 248.9),
    ("攀枝花市", 121.2),
    ("泸州市", 425.4),
    ("德阳市", 345.6),
    ("绵阳市", 486.8),
    ("广元市", 230.5),
    ("遂宁市", 281.4),
    ("内江市", 314.1),
    ("乐山市", 316.0),
    ("南充市", 560.8),
    ("眉山市", 295.5),
    ("宜宾市", 458.9),
    ("广安市", 325.5),
    ("达州市", 538.5),
    ("雅安市", 143.5),
    ("巴中市", 271.2),
    ("资阳市", 230.9),
    ("阿坝藏族羌族自治州", 82.3),
    ("甘孜藏族自治州", 110.7),
    ("凉山彝族自治州", 485.8),
];

fn populations(app: &App) -> Vec<Population> {
    let (cities, _) = service::units(app);
    let mut list = Vec::new();
    let mut province = 0;
    for city in &cities {
        let name = app
            .regions
            .get(city)
            .map(|r| r.name.clone())
            .unwrap_or_default();
        let Some((_, tens_of_thousands)) = CENSUS.iter().find(|(n, _)| *n == name) else {
            continue;
        };
        let residents = (tens_of_thousands * 10_000.0).round() as i64;
        province += residents;
        list.push(Population {
            region_code: city.to_string(),
            residents,
        });
        let counties: Vec<_> = app
            .regions
            .children(Some(city))
            .into_iter()
            .filter(|r| r.level() == tianfu_domain::RegionLevel::County)
            .collect();
        for county in &counties {
            list.push(Population {
                region_code: county.code.to_string(),
                residents: residents / counties.len() as i64,
            });
        }
    }
    list.push(Population {
        region_code: PROVINCE.into(),
        residents: province,
    });
    list
}

/// The province's annual targets from the pace of the year so far.
async fn targets(app: &App, today: NaiveDate, residents: i64) -> anyhow::Result<Vec<Target>> {
    let start = NaiveDate::from_ymd_opt(today.year(), 1, 1).expect("1 January");
    let figures = rollup::figures(&app.db, PROVINCE, start, today).await?;
    let elapsed = (today - start).num_days().max(30) as f64;
    let mut targets = Vec::new();
    for indicator in default_indicators() {
        for m in indicator.metrics {
            let measurable = measures::named(&m.metric).expect("a default metric exists");
            let value = match measurable.name {
                measures::ON_TIME_RATE => 0.9,
                measures::TICKETS_PER_STAFF => 3.0,
                name => {
                    let annual = figures.get(name).copied().unwrap_or(0.0) * 365.0 / elapsed * 1.1;
                    let annual = match m.normalise {
                        Normalise::Per10k => annual * 10_000.0 / residents as f64,
                        Normalise::Target => annual.ceil(),
                    };
                    annual.max(if m.normalise == Normalise::Per10k {
                        0.001
                    } else {
                        1.0
                    })
                }
            };
            if !targets.iter().any(|t: &Target| t.metric == m.metric) {
                targets.push(Target {
                    region_code: PROVINCE.into(),
                    metric: m.metric.clone(),
                    value,
                });
            }
        }
    }
    // 成都 sets its own, a fifth above its share by residents.
    let chengdu_share = 2093.8 / 8367.5 * 1.2;
    for metric in ["workers_registered", "deals_signed", "needs_published"] {
        let province = targets
            .iter()
            .find(|t| t.metric == metric)
            .map_or(1.0, |t| t.value);
        targets.push(Target {
            region_code: "5101".into(),
            metric: metric.into(),
            value: (province * chengdu_share).ceil().max(1.0),
        });
    }
    Ok(targets)
}

pub struct PerformanceReport {
    pub versions: usize,
    pub published: usize,
}

pub async fn load(app: &App) -> anyhow::Result<PerformanceReport> {
    crate::ledger::follow::catch_up_all(app, crate::FOLLOWERS)
        .await
        .map_err(|e| anyhow::anyhow!("demo followers: {e}"))?;
    let now = app.clock.now();
    let today = shanghai_date(now);
    let year = today.year();
    let populations = populations(app);
    let residents = populations
        .iter()
        .find(|p| p.region_code == PROVINCE)
        .map_or(1, |p| p.residents.max(1));
    let targets = targets(app, today, residents).await?;
    let admin = crate::demo::market::user(app, crate::demo::ADMIN_PHONE).await?;
    let input = |indicators, note: &str| IndicatorSystemInput {
        indicators,
        targets: targets.clone(),
        populations: populations.clone(),
        // The demo's months are thin: a line of 30 names the few far behind.
        alert_below: Some(30.0),
        cap: None,
        base_version: None,
        note: Some(note.into()),
    };
    let check = |input| {
        validate::check(input, &app.regions).map_err(|e| anyhow::anyhow!("demo indicators: {e:?}"))
    };
    let january = Utc
        .with_ymd_and_hms(year, 1, 10, 2, 0, 0)
        .single()
        .unwrap_or(now);
    store::save(
        &app.db,
        year,
        check(input(default_indicators(), "年初制定：一项工作、三项指标"))?,
        None,
        (Some(admin.id.0), &admin.name),
        january.min(now),
    )
    .await
    .map_err(|e| anyhow::anyhow!("demo indicators: {e}"))?;
    let mut published = 0;
    let first_half = |p: &ScorePeriod| match p.span {
        Span::Month(m) => m <= 6,
        Span::Quarter(q) => q <= 2,
        Span::Year => false,
    };
    for period in ScorePeriod::all_of(year)
        .into_iter()
        .filter(|p| first_half(p) && p.has_ended(today))
    {
        service::publish(app, period)
            .await
            .map_err(|e| anyhow::anyhow!("demo publish: {e}"))?;
        published += 1;
    }
    let mut versions = 1;
    if today.month() > 7 {
        let mut indicators = default_indicators();
        indicators[0].weight = 35.0;
        indicators[2].weight = 30.0;
        let july = Utc
            .with_ymd_and_hms(year, 7, 1, 2, 0, 0)
            .single()
            .unwrap_or(now);
        store::save(
            &app.db,
            year,
            check(input(indicators, "年中调整：提高全民科学素质指标权重"))?,
            Some(1),
            (Some(admin.id.0), &admin.name),
            july,
        )
        .await
        .map_err(|e| anyhow::anyhow!("demo indicators: {e}"))?;
        versions += 1;
    }
    published += service::publish_due(app)
        .await
        .map_err(|e| anyhow::anyhow!("demo publish: {e}"))?
        .len();
    Ok(PerformanceReport {
        versions,
        published,
    })
}
