//! 精准资金分配 over HTTP: the amounts add up to the pool exactly for awkward pools (1 fen, a prime
//! number of fen, 10^12 fen, zero scores), match a hand computation, a what-if saves nothing, a
//! save supersedes the previous one without changing it, scope, field errors and the Excel file.

use chrono::Datelike;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;

const PATH: &str = "/api/v1/admin/funding";

fn this_year(app: &TestApp) -> i32 {
    (app.app.clock.now() + chrono::Duration::hours(8)).year()
}

/// An indicator system for this year with targets for three cities: 成都 (5101) registers 2
/// workers of 4 (score 50), 自贡 (5103) 2 of 2 (score 100), 攀枝花 (5104) none (score 0); the
/// other cities have no targets and so no score.
async fn scored(app: &TestApp) -> (String, i32) {
    let admin = app.admin().await;
    let year = this_year(app);
    let system = json!({
        "indicators": [{"key": "talent", "name": "人才服务", "weight": 100,
            "metrics": [{"metric": "workers_registered", "weight": 1, "normalise": "target"}]}],
        "targets": [
            {"region_code": "5101", "metric": "workers_registered", "value": 4},
            {"region_code": "5103", "metric": "workers_registered", "value": 2},
            {"region_code": "5104", "metric": "workers_registered", "value": 10},
        ],
        "populations": [],
    });
    let response = app
        .client
        .put(format!("{}/api/v1/admin/indicators/{year}", app.url))
        .bearer_auth(&admin)
        .json(&system)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{:?}",
        response.text().await
    );
    for (name, county) in [
        ("甲", "510104"),
        ("乙", "510104"),
        ("丙", "510302"),
        ("丁", "510302"),
    ] {
        app.register("worker", &format!("{name}研究员"), county)
            .await;
    }
    app.settle().await;
    (admin, year)
}

async fn allocate(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, reply) = app.post(PATH, &body, Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body} {reply}");
    reply
}

fn amount(reply: &Value, code: &str) -> i64 {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["region_code"] == code)
        .unwrap_or_else(|| panic!("{code} in {reply}"))["amount_fen"]
        .as_i64()
        .unwrap()
}

fn adds_up(reply: &Value, pool: i64) {
    let items = reply["items"].as_array().unwrap();
    let sum: i64 = items
        .iter()
        .map(|i| i["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, pool, "{reply}");
    assert_eq!(reply["total_fen"].as_i64(), Some(pool));
    assert!(items.iter().all(|i| i["amount_fen"].as_i64().unwrap() >= 0));
    assert!(items.iter().all(|i| !i["why"].as_str().unwrap().is_empty()));
}

async fn awkward_pools_add_up_exactly(app: TestApp) {
    let (admin, year) = scored(&app).await;
    for pool in [1_i64, 1_000_003, 1_000_000_000_000] {
        for base_share in [0.0, 1.0, 0.3] {
            let reply = allocate(
                &app,
                &admin,
                json!({"year": year, "pool_fen": pool, "base_share": base_share}),
            )
            .await;
            assert_eq!(reply["items"].as_array().unwrap().len(), 21, "every city");
            adds_up(&reply, pool);
        }
    }
    // By hand: 30,000 元, 30% evenly (900,000 fen / 21 = 42,857.14 each); 2,100,000 fen by score
    // 50 : 100 : 0 → 700,000 and 1,400,000. The three spare fen (equal fractions) go to the
    // three smallest codes.
    let reply = allocate(
        &app,
        &admin,
        json!({"year": year, "pool_fen": 3_000_000, "base_share": 0.3}),
    )
    .await;
    assert_eq!(amount(&reply, "5101"), 742_858);
    assert_eq!(amount(&reply, "5103"), 1_442_858);
    assert_eq!(amount(&reply, "5104"), 42_858);
    assert_eq!(amount(&reply, "5105"), 42_857);
    assert_eq!(
        reply["formula_text"].as_str().unwrap().split('；').next(),
        Some("基础部分 30% 平均分配")
    );
    let why = |code: &str| {
        reply["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["region_code"] == code)
            .unwrap()["why"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        why("5101").contains("得分 50.00 占各市（州）得分合计的 33.33%"),
        "{}",
        why("5101")
    );
    assert!(why("5105").contains("暂无综合得分"), "{}", why("5105"));
    // 1 fen, all by score (1/3 and 2/3): the fen goes to the larger fraction, 自贡.
    let reply = allocate(
        &app,
        &admin,
        json!({"year": year, "pool_fen": 1, "base_share": 0}),
    )
    .await;
    assert_eq!(amount(&reply, "5103"), 1);
    // Squared favours the best: 2,500 : 10,000.
    let reply = allocate(
        &app,
        &admin,
        json!({"year": year, "pool_fen": 1_000_000, "base_share": 0, "formula": "squared"}),
    )
    .await;
    assert_eq!(amount(&reply, "5101"), 200_000);
    assert_eq!(amount(&reply, "5103"), 800_000);
    // Zero scores: 攀枝花's counties have none, so the prime pool is split evenly among them.
    let reply = allocate(
        &app,
        &admin,
        json!({"year": year, "pool_fen": 1_000_003, "base_share": 0, "parent": "5104"}),
    )
    .await;
    adds_up(&reply, 1_000_003);
    let items = reply["items"].as_array().unwrap();
    let (low, high) = items.iter().fold((i64::MAX, 0), |(l, h), i| {
        let a = i["amount_fen"].as_i64().unwrap();
        (l.min(a), h.max(a))
    });
    assert!(high - low <= 1, "evenly: {reply}");
    assert!(items[0]["why"].as_str().unwrap().contains("平均分配"));
    // A year without an indicator system: everything counts 0, split evenly.
    let reply = allocate(
        &app,
        &admin,
        json!({"year": 2021, "pool_fen": 2_100_000, "base_share": 0.3}),
    )
    .await;
    assert!(
        reply["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["amount_fen"] == 100_000)
    );
    assert_eq!(reply["score_version"], Value::Null);
}

async fn a_what_if_saves_nothing_and_a_save_supersedes(app: TestApp) {
    let (admin, year) = scored(&app).await;
    let body = json!({"year": year, "pool_fen": 1_000_003, "base_share": 0.3});
    let what_if = allocate(&app, &admin, body.clone()).await;
    assert_eq!(what_if["saved_id"], Value::Null);
    assert_eq!(app.count("funding_allocations").await, 0);

    let mut save = body.clone();
    save["save"] = json!(true);
    let first = allocate(&app, &admin, save.clone()).await;
    let first_id = first["saved_id"].as_i64().expect("saved");
    assert_eq!(first["status"], "current");
    assert_eq!(
        first["items"], what_if["items"],
        "the saved allocation is the what-if"
    );
    save["base_share"] = json!(0.5);
    let second = allocate(&app, &admin, save).await;
    let second_id = second["saved_id"].as_i64().unwrap();
    assert_eq!(app.count("funding_allocations").await, 2);

    let (status, old) = app.get(&format!("{PATH}/{first_id}"), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["superseded_by"].as_i64(), Some(second_id));
    assert_eq!(old["items"], first["items"], "unchanged");
    assert_eq!(old["base_share"], 0.3);
    let (_, list) = app
        .get(&format!("{PATH}?year={year}&parent=51"), Some(&admin))
        .await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["id"].as_i64(), Some(second_id));
    assert_eq!(list["items"][0]["status"], "current");
    assert_eq!(list["items"][1]["status"], "superseded");
    assert!(!list["items"][1]["author"].as_str().unwrap().is_empty());
    assert!(list["items"][1]["created_at"].is_string());

    // The city's own staff allocate among its counties; not the province's pool.
    let city = app.staff("5101", "worker").await;
    let county = app.staff("510104", "worker").await;
    let cities = json!({"year": year, "pool_fen": 100, "base_share": 0.3, "save": true});
    let counties =
        json!({"year": year, "pool_fen": 100, "base_share": 0.3, "parent": "5101", "save": true});
    assert_eq!(
        app.post(PATH, &cities, Some(&county)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(PATH, &cities, Some(&city)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post(PATH, &counties, Some(&county)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.count("funding_allocations").await,
        2,
        "refusals save nothing"
    );
    let mine = allocate(&app, &city, counties).await;
    adds_up(&mine, 100);
    assert_eq!(mine["status"], "current");
    let (_, list) = app
        .get(&format!("{PATH}?year={year}&parent=51"), Some(&admin))
        .await;
    assert_eq!(list["total"], 2, "a city's allocation is its own chain");

    let (status, _) = app.get(&format!("{PATH}/999999"), Some(&admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A saved allocation carries every unit's score: a county sees neither the province's nor
    // its city's; the city sees its own counties' and not the province's.
    let (status, _) = app.get(&format!("{PATH}/{second_id}"), Some(&county)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get(&format!("{PATH}?year={year}"), Some(&county)).await;
    assert_eq!(list["total"], 0, "{list}");
    let (_, list) = app.get(&format!("{PATH}?year={year}"), Some(&city)).await;
    assert_eq!(list["total"], 1, "only 成都's counties: {list}");
    let (status, _) = app.get(&format!("{PATH}/{second_id}"), Some(&city)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn concurrent_saves_leave_one_current(app: TestApp) {
    let (admin, year) = scored(&app).await;
    let first = allocate(
        &app,
        &admin,
        json!({"year": year, "pool_fen": 500, "base_share": 0.3, "save": true}),
    )
    .await;
    let mut handles = Vec::new();
    for share in [0.1, 0.2, 0.4, 0.6] {
        let (client, url, token) = (
            app.client.clone(),
            format!("{}{PATH}", app.url),
            admin.clone(),
        );
        handles.push(tokio::spawn(async move {
            let body = json!({"year": year, "pool_fen": 500, "base_share": share, "save": true});
            client
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.unwrap());
    }
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT),
        "{statuses:?}"
    );
    let saved = statuses.iter().filter(|s| **s == StatusCode::OK).count() as i64;
    assert!(saved >= 1);
    let (_, list) = app
        .get(&format!("{PATH}?year={year}&parent=51"), Some(&admin))
        .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(
        items.len() as i64,
        1 + saved,
        "every success kept, no failure"
    );
    let current: Vec<&Value> = items.iter().filter(|i| i["status"] == "current").collect();
    assert_eq!(current.len(), 1, "exactly one current: {list}");
    // The chain is in order: each superseded one names a later one.
    for item in items.iter().filter(|i| i["status"] == "superseded") {
        assert!(item["superseded_by"].as_i64().unwrap() > item["id"].as_i64().unwrap());
    }
    assert!(
        items
            .iter()
            .any(|i| i["id"] == first["saved_id"] && i["status"] == "superseded")
    );
}

async fn bad_input_is_refused_naming_the_field(app: TestApp) {
    let admin = app.admin().await;
    let year = this_year(&app);
    let cases = [
        (
            json!({"year": year, "pool_fen": 0, "base_share": 0.3}),
            "pool_fen",
            "资金总额",
        ),
        (
            json!({"year": year, "pool_fen": 100, "base_share": 1.5}),
            "base_share",
            "基础部分",
        ),
        (
            json!({"year": year, "pool_fen": 100, "base_share": 0.3, "parent": "5199"}),
            "parent",
            "上级地区",
        ),
        (
            json!({"year": year, "pool_fen": 100, "base_share": 0.3, "parent": "510104"}),
            "parent",
            "上级地区",
        ),
        (
            json!({"year": year, "pool_fen": 100, "base_share": 0.3, "formula": "cubic"}),
            "formula",
            "分配公式",
        ),
        (
            json!({"year": 1999, "pool_fen": 100, "base_share": 0.3}),
            "year",
            "年度",
        ),
    ];
    for (body, field, words) in cases {
        let (status, reply) = app.post(PATH, &body, Some(&admin)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} {reply}");
        let message = reply["error"]["fields"][field].as_str().unwrap_or_default();
        assert!(message.contains(words), "{body} {reply}");
    }
    assert_eq!(app.count("funding_allocations").await, 0);
}

async fn the_pages_show_the_what_if_and_export_excel(app: TestApp) {
    let (admin, year) = scored(&app).await;
    let saved = allocate(
        &app,
        &admin,
        json!({"year": year, "pool_fen": 3_000_000, "base_share": 0.3, "save": true}),
    )
    .await;
    let id = saved["saved_id"].as_i64().unwrap();
    let phone = app.staff_member("51", "worker", "省级工作人员").await;
    let browser = app.signed_in(&phone).await;

    // The pool typed in 元 is read exactly: 30,000.00 元 is 3,000,000 fen, the same allocation.
    let page = browser
        .get(format!(
            "{}/admin/funding?year={year}&parent=51&pool=30000.00&base=30&formula=linear",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("7,428.58"), "成都's amount in 元");
    assert!(html.contains("30,000.00"), "the total");
    assert!(html.contains("保存分配方案") && html.contains("现行"));
    assert_eq!(
        app.count("funding_allocations").await,
        1,
        "a what-if page saves nothing"
    );
    let refused = browser
        .get(format!(
            "{}/admin/funding?year={year}&pool=abc&base=30",
            app.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Saving from the page supersedes the API's allocation and shows the new one.
    let response = browser
        .post(format!("{}/admin/funding", app.url))
        .form(&[
            ("year", year.to_string().as_str()),
            ("pool", "30000.00"),
            ("base", "40"),
            ("formula", "linear"),
            ("parent", "51"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let html = browser
        .get(format!("{}{location}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("现行方案") && html.contains("基础部分 40% 平均分配"));
    let html = browser
        .get(format!("{}/admin/funding/{id}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已被取代"));

    let response = browser
        .get(format!("{}/admin/funding/{id}.xlsx", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.contains(&format!("funding-{year}-51-{id}.xlsx")),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip container");
    assert!(String::from_utf8_lossy(&bytes).contains("xl/worksheets/sheet1.xml"));
    let anonymous = app
        .browser()
        .get(format!("{}/admin/funding/{id}.xlsx", app.url))
        .send()
        .await
        .unwrap();
    assert_ne!(anonymous.status(), StatusCode::OK, "signed-in staff only");
}

on_both_databases!(
    awkward_pools_add_up_exactly,
    a_what_if_saves_nothing_and_a_save_supersedes,
    concurrent_saves_leave_one_current,
    bad_input_is_refused_naming_the_field,
    the_pages_show_the_what_if_and_export_excel,
);
