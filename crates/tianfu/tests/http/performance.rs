//! 精准绩效 over HTTP: the indicator system kept by the province and versioned, scores equal to a
//! hand computation on a scripted month, scope, and published scores that never change.

use chrono::{Datelike, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;

const NEIJIANG: &str = "5110";
const DONGXING: &str = "511011";
const ZIGONG: &str = "5103";

async fn put(app: &TestApp, path: &str, body: &Value, token: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .put(format!("{}{path}", app.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Last year on the platform's calendar (Beijing time: at 16:00 UTC on 31 December it is
/// already the new year there).
pub fn last_year() -> i32 {
    tianfu::platform::clock::shanghai_date(Utc::now()).year() - 1
}

/// One indicator, two figures, targets for two cities; 通报 below 70.
fn system(workers_weight: f64) -> Value {
    json!({
        "indicators": [{"key": "workers", "name": "精准服务科技工作者", "weight": 1,
            "metrics": [{"metric": "workers_registered", "weight": workers_weight},
                        {"metric": "orgs_registered", "weight": 1}]}],
        "targets": [
            {"region_code": NEIJIANG, "metric": "workers_registered", "value": 120},
            {"region_code": NEIJIANG, "metric": "orgs_registered", "value": 12},
            {"region_code": ZIGONG, "metric": "workers_registered", "value": 24},
        ],
        "alert_below": 70,
        "note": "测试",
    })
}

/// Moves the app's clock to 10 March of last year, runs `acts`, and brings it back.
pub async fn in_march(app: &TestApp, workers: &[(&str, usize)], orgs: &[(&str, usize)]) {
    let march = Utc
        .with_ymd_and_hms(last_year(), 3, 10, 4, 0, 0)
        .single()
        .unwrap();
    let back = app.app.clock.now() - march;
    app.app.clock.advance(-back);
    for (region, n) in workers {
        for i in 0..*n {
            app.register("worker", &format!("科技工作者{i}"), region)
                .await;
        }
    }
    for (region, n) in orgs {
        for i in 0..*n {
            app.register("org", &format!("企业{i}"), region).await;
        }
    }
    app.app.clock.advance(back);
}

fn line<'a>(reply: &'a Value, code: &str) -> &'a Value {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["region_code"] == code)
        .unwrap_or_else(|| panic!("{code} in {reply}"))
}

fn close(value: &Value, expected: f64) -> bool {
    (value.as_f64().unwrap_or(f64::NAN) - expected).abs() < 1e-6
}

async fn the_province_keeps_a_versioned_indicator_system(app: TestApp) {
    let admin = app.admin().await;
    let county = app.staff(DONGXING, "worker").await;
    let year = last_year();
    let path = format!("/api/v1/admin/indicators/{year}");
    let (status, template) = app.get(&path, Some(&county)).await;
    assert_eq!(status, StatusCode::OK, "{template}");
    assert_eq!(template["version"], 0);
    assert_eq!(template["indicators"].as_array().unwrap().len(), 3);
    assert_eq!(
        template["indicators"][2]["name"],
        "全面服务全民科学素质提升"
    );

    let (status, _) = put(&app, &path, &system(1.0), &county).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a county keeps no system");
    let mut bad = system(1.0);
    bad["indicators"][0]["metrics"][1]["metric"] = json!("no_such");
    bad["targets"][0]["region_code"] = json!("999999");
    let (status, error) = put(&app, &path, &bad, &admin).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["fields"]["indicators[0].metrics[1].metric"].is_string(),
        "{error}"
    );
    assert!(
        error["error"]["fields"]["targets[0].region_code"].is_string(),
        "{error}"
    );
    assert_eq!(app.count("indicator_systems").await, 0, "nothing saved");

    let (status, first) = put(&app, &path, &system(1.0), &admin).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["version"], 1);
    let mut stale = system(2.0);
    stale["base_version"] = json!(0);
    let (status, _) = put(&app, &path, &stale, &admin).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an edit of an old version is refused"
    );
    stale["base_version"] = json!(1);
    let (status, second) = put(&app, &path, &stale, &admin).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_eq!(second["version"], 2);
    let (_, versions) = app.get(&format!("{path}/versions"), Some(&admin)).await;
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let (_, old) = app.get(&format!("{path}?version=1"), Some(&admin)).await;
    assert_eq!(old["indicators"][0]["metrics"][0]["weight"], 1.0);
    // Next year's system is its own.
    let (_, next) = app
        .get(
            &format!("/api/v1/admin/indicators/{}", year + 1),
            Some(&admin),
        )
        .await;
    assert_eq!(next["version"], 0);
}

async fn scores_of_a_scripted_month_equal_a_hand_computation(app: TestApp) {
    let admin = app.admin().await;
    let year = last_year();
    let (status, _) = put(
        &app,
        &format!("/api/v1/admin/indicators/{year}"),
        &system(1.0),
        &admin,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    in_march(&app, &[(DONGXING, 3), ("510302", 4)], &[(DONGXING, 1)]).await;
    let (status, reply) = app
        .get(
            &format!("/api/v1/stats/scores/{year}?period=m3"),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["period"], format!("{year}-03"));
    assert_eq!(reply["total"], 21);
    // 内江: 3 of a month's 10 workers (30 points), 1 of a month's 1 organisation (100): 65.
    let neijiang = line(&reply, NEIJIANG);
    let workers = &neijiang["metrics"][0];
    assert!(close(&workers["raw"], 3.0), "{workers}");
    assert!(close(&workers["target"], 10.0), "{workers}");
    assert!(close(&workers["score"], 30.0), "{workers}");
    assert!(close(&neijiang["total"], 65.0), "{neijiang}");
    assert_eq!(neijiang["alert"], true, "65 is below 70");
    // 自贡: 4 of a month's 2 workers, capped at 120 points; no organisation target: left out.
    let zigong = line(&reply, ZIGONG);
    assert!(close(&zigong["total"], 120.0), "{zigong}");
    assert_eq!(zigong["metrics"][1]["target_source"], "未设目标");
    assert_eq!(zigong["rank"], 1);
    assert_eq!(neijiang["rank"], 2);
    assert!(
        line(&reply, "5101")["total"].is_null(),
        "成都 has no targets"
    );
    let alerts: Vec<&str> = reply["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["region_code"].as_str().unwrap())
        .collect();
    assert_eq!(alerts, vec![NEIJIANG]);
    // 东兴区 takes a fifth of 内江's targets (five counties, no residents given): a month's 2
    // workers, 0.2 organisations; 3 and 1 registered: both capped, 120.
    let (_, counties) = app
        .get(
            &format!("/api/v1/stats/scores/{year}?period=m3&level=county&parent={NEIJIANG}"),
            Some(&admin),
        )
        .await;
    assert_eq!(counties["total"], 5, "{counties}");
    let dongxing = line(&counties, DONGXING);
    assert!(close(&dongxing["metrics"][0]["target"], 2.0), "{dongxing}");
    assert_eq!(
        dongxing["metrics"][0]["target_source"],
        "由内江市目标平均分解"
    );
    assert!(close(&dongxing["total"], 120.0), "{dongxing}");
    assert_eq!(dongxing["rank_in_city"], 1);
    // The first quarter holds the same acts against a quarter of the year's targets.
    let (_, quarter) = app
        .get(
            &format!("/api/v1/stats/scores/{year}?period=q1"),
            Some(&admin),
        )
        .await;
    assert!(close(
        &line(&quarter, NEIJIANG)["metrics"][0]["target"],
        30.0
    ));
    // The raw figure is the ledger's: the stats API counts the same.
    let (_, figures) = app
        .get(
            &format!("/api/v1/stats/regions/{NEIJIANG}?from={year}-03-01&to={year}-03-31"),
            Some(&admin),
        )
        .await;
    assert_eq!(figures["metrics"]["workers_registered"], 3.0);
    // Movement: in February every city with targets scored 0, all first; 内江 is now second.
    assert_eq!(neijiang["rank_change"], -1);
    assert!(close(&neijiang["total_change"], 65.0));
    let (status, error) = app
        .get(
            &format!("/api/v1/stats/scores/{year}?period=m13"),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["fields"]["period"].is_string());
    let (status, _) = app
        .get(
            &format!("/api/v1/stats/scores/{}?period=m3", year - 3),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no system that year");
}

async fn a_county_sees_its_county_and_what_the_province_publishes(app: TestApp) {
    let admin = app.admin().await;
    let year = last_year();
    put(
        &app,
        &format!("/api/v1/admin/indicators/{year}"),
        &system(1.0),
        &admin,
    )
    .await;
    in_march(&app, &[(DONGXING, 2)], &[]).await;
    let county = app.staff(DONGXING, "worker").await;
    let city = app.staff(NEIJIANG, "org").await;
    let scores = |q: &str| format!("/api/v1/stats/scores/{year}?period=m3{q}");
    let (_, mine) = app
        .get(
            &scores(&format!("&level=county&parent={NEIJIANG}")),
            Some(&county),
        )
        .await;
    assert_eq!(
        mine["total"], 1,
        "only their own county before publication: {mine}"
    );
    assert!(
        !line(&mine, DONGXING)["metrics"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (_, cities) = app.get(&scores(""), Some(&county)).await;
    assert_eq!(cities["total"], 0, "no city's score before publication");
    let (_, theirs) = app
        .get(
            &scores(&format!("&level=county&parent={NEIJIANG}")),
            Some(&city),
        )
        .await;
    assert_eq!(theirs["total"], 5, "a city sees its counties");
    let (status, _) = app
        .post(
            &format!("/api/v1/admin/scores/{year}/publish"),
            &json!({"period": "m3"}),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.settle().await;
    let (status, published) = app
        .post(
            &format!("/api/v1/admin/scores/{year}/publish"),
            &json!({"period": "m3"}),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!(published["published"], true);
    let (_, cities) = app.get(&scores(""), Some(&county)).await;
    assert_eq!(cities["total"], 21, "the published ranking: {cities}");
    let neijiang = line(&cities, NEIJIANG);
    assert!(neijiang["total"].is_number());
    assert!(
        neijiang["metrics"].as_array().unwrap().is_empty(),
        "but no city's breakdown"
    );
    let (_, all) = app.get(&scores("&level=county"), Some(&county)).await;
    assert!(
        !line(&all, DONGXING)["metrics"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        line(&all, "510302")["metrics"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (status, _) = app.get(&scores(""), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn a_published_score_never_changes(app: TestApp) {
    let admin = app.admin().await;
    let year = last_year();
    let path = format!("/api/v1/admin/indicators/{year}");
    put(&app, &path, &system(1.0), &admin).await;
    in_march(&app, &[(DONGXING, 3)], &[(DONGXING, 1)]).await;
    let publish = format!("/api/v1/admin/scores/{year}/publish");
    app.settle().await;
    let (status, _) = app
        .post(&publish, &json!({"period": "m3"}), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    let month = format!("/api/v1/stats/scores/{year}?period=m3");
    let (_, before) = app.get(&month, Some(&admin)).await;
    // New acts in March and a new version that weighs workers differently.
    in_march(&app, &[(DONGXING, 5)], &[]).await;
    let (status, v2) = put(&app, &path, &system(3.0), &admin).await;
    assert_eq!(status, StatusCode::OK, "{v2}");
    let (_, after) = app.get(&month, Some(&admin)).await;
    assert_eq!(before, after, "the published month is kept as computed");
    assert_eq!(after["version"], 1);
    assert!(
        close(&line(&after, NEIJIANG)["total"], 65.0),
        "{}",
        line(&after, NEIJIANG)
    );
    // The quarter is not published: it is computed now, with version 2 and every act.
    let (_, quarter) = app
        .get(
            &format!("/api/v1/stats/scores/{year}?period=q1"),
            Some(&admin),
        )
        .await;
    assert_eq!(quarter["version"], 2);
    assert_eq!(quarter["published"], false);
    assert!(close(&line(&quarter, NEIJIANG)["metrics"][0]["raw"], 8.0));
    // Publishing again keeps the first; an unfinished period cannot be published.
    let (_, again) = app
        .post(&publish, &json!({"period": "m3"}), Some(&admin))
        .await;
    assert_eq!(again["version"], 1);
    // This month in Beijing, where periods end (on the last day of a month UTC is still in it
    // for eight hours after Beijing's month has ended).
    let this_month = format!(
        "m{}",
        tianfu::platform::clock::shanghai_date(Utc::now()).month()
    );
    let (status, error) = app
        .post(
            &format!("/api/v1/admin/scores/{}/publish", year + 1),
            &json!({"period": this_month}),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(error["error"]["fields"]["period"].is_string());
}

async fn the_map_joins_every_city_and_all_counties_but_one_renamed(app: TestApp) {
    let (_, province) = app.get("/assets/geo/51", None).await;
    assert_eq!(province["features"].as_array().unwrap().len(), 21);
    let (_, cities) = app.get("/api/v1/regions/51/children", None).await;
    let mut joined = 0;
    let mut unjoined = Vec::new();
    for city in cities["items"].as_array().unwrap() {
        let code = city["code"].as_str().unwrap();
        let (status, outline) = app.get(&format!("/assets/geo/{code}"), None).await;
        assert_eq!(status, StatusCode::OK, "{code}");
        for feature in outline["features"].as_array().unwrap() {
            match feature["properties"]["code"].as_str() {
                Some(county) => {
                    assert!(county.starts_with(code), "{county} in {code}");
                    joined += 1;
                }
                None => unjoined.push(feature["properties"]["name"].as_str().unwrap().to_owned()),
            }
        }
    }
    // 新津县, 射洪县, 隆昌县… join by name; 宜宾县 became 叙州区 (README lists it).
    assert_eq!(joined, 182);
    assert_eq!(unjoined, vec!["宜宾县"]);
}

async fn the_press_page_shows_the_provinces_headline_figures(app: TestApp) {
    app.register("worker", "新注册科技工作者", DONGXING).await;
    let page = app.html("/press").await;
    assert!(page.contains("数据发布"), "{page}");
    let workers = page.split("科技工作者注册").nth(1).unwrap_or_default();
    assert!(
        workers.contains("<strong>1</strong>"),
        "the registration counts: {page}"
    );
    assert!(page.contains("press-trend-data"));
}

on_both_databases!(
    the_map_joins_every_city_and_all_counties_but_one_renamed,
    the_press_page_shows_the_provinces_headline_figures,
    the_province_keeps_a_versioned_indicator_system,
    scores_of_a_scripted_month_equal_a_hand_computation,
    a_county_sees_its_county_and_what_the_province_publishes,
    a_published_score_never_changes,
);
