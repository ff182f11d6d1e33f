//! The 科普员 coverage map: the data the page hands to ECharts (the province by city, a city by
//! county, a county alone with a note), coloured by the share of townships covered, with links
//! down only where the staff member may look; the tables stay below it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;

/// 邻水县 (广安市) and two of its townships.
const COUNTY: &str = "511623";
const DINGPING: &str = "511623100";
const CHENGBEI: &str = "511623101";

/// The page at `path` as `token`: (status, HTML).
async fn page(app: &TestApp, token: &str, path: &str) -> (StatusCode, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The map's JSON embedded in the page, if it has one.
fn map_data(html: &str) -> Option<Value> {
    let start = r#"<script type="application/json" id="coverage-map-data">"#;
    let from = html.find(start)? + start.len();
    let to = from + html[from..].find("</script>")?;
    Some(serde_json::from_str(&html[from..to]).expect("the map's data is JSON"))
}

fn value_of<'a>(map: &'a Value, code: &str) -> &'a Value {
    map["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == code)
        .unwrap_or_else(|| panic!("{code} is on the map: {map}"))
}

/// Three 科普员 in two of 邻水县's townships; answers the county's number of townships.
async fn three_sharers_in_two_townships(app: &TestApp) -> i64 {
    let county = app.staff(COUNTY, "kepu").await;
    for (name, township) in [("甲", DINGPING), ("乙", DINGPING), ("丙", CHENGBEI)] {
        let (_, phone) = app.register("public", name, COUNTY).await;
        let (status, body) = app
            .post(
                "/api/v1/kepu/sharers",
                &json!({"phone": phone, "region_code": township}),
                Some(&county),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, coverage) = app
        .get("/api/v1/kepu/sharers/coverage", Some(&county))
        .await;
    coverage["townships"].as_i64().unwrap()
}

async fn the_city_map_colours_each_county_and_links_down(app: TestApp) {
    let townships = three_sharers_in_two_townships(&app).await;
    let city = app.staff("5116", "kepu").await;
    let (status, html) = page(&app, &city, "/admin/kepu/sharers/coverage?region_code=5116").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(r#"id="coverage-map""#) && html.contains("/assets/region-map.js"));
    // The grids (the accessible version) are still there.
    assert!(
        html.contains(&format!(r#"data-township="{DINGPING}""#)),
        "{html}"
    );
    let map = map_data(&html).expect("the city's page has a map");
    assert_eq!(map["outline"], "5116");
    assert_eq!(map["only"], Value::Null);
    assert_eq!(
        (map["min"].as_f64(), map["max"].as_f64()),
        (Some(0.0), Some(100.0))
    );
    let values = map["values"].as_array().unwrap();
    assert_eq!(values.len(), 6, "广安市's six counties: {map}");
    let linshui = value_of(&map, COUNTY);
    let share = (2.0 * 1000.0 / townships as f64).round() / 10.0;
    assert_eq!(linshui["value"].as_f64(), Some(share), "{linshui}");
    assert_eq!(linshui["name"], "邻水县");
    assert_eq!(
        linshui["lines"],
        json!([
            format!("已覆盖 2 / {townships} 个乡镇（街道）"),
            "在任科普员 3 人"
        ])
    );
    assert_eq!(
        linshui["link"],
        format!("/admin/kepu/sharers/coverage?region_code={COUNTY}")
    );
    let guang_an = value_of(&map, "511602");
    assert_eq!(guang_an["value"].as_f64(), Some(0.0));
    assert!(
        guang_an["lines"][0]
            .as_str()
            .unwrap()
            .starts_with("已覆盖 0 / ")
    );
}

async fn the_province_map_has_the_21_cities_and_the_table_stays(app: TestApp) {
    let townships = three_sharers_in_two_townships(&app).await;
    let province = app.staff("51", "kepu").await;
    let (status, html) = page(&app, &province, "/admin/kepu/sharers/coverage").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(r#"id="coverage-cities""#),
        "the table of cities stays"
    );
    let map = map_data(&html).expect("the province's page has a map");
    assert_eq!(map["outline"], "51");
    assert_eq!(map["values"].as_array().unwrap().len(), 21);
    let guang_an = value_of(&map, "5116");
    assert_eq!(guang_an["name"], "广安市");
    let value = guang_an["value"].as_f64().unwrap();
    assert!(value > 0.0 && value < 100.0, "{guang_an}");
    assert!(
        guang_an["lines"][0]
            .as_str()
            .unwrap()
            .starts_with("已覆盖 2 / "),
        "{guang_an}"
    );
    // 广安市 has more townships than 邻水县 alone.
    assert!(value < (2.0 * 100.0 / townships as f64), "{guang_an}");
    assert_eq!(value_of(&map, "5110")["value"].as_f64(), Some(0.0));
    assert_eq!(
        guang_an["link"],
        "/admin/kepu/sharers/coverage?region_code=5116"
    );
}

async fn a_county_sees_its_outline_alone_and_cannot_go_up(app: TestApp) {
    let townships = three_sharers_in_two_townships(&app).await;
    let county = app.staff(COUNTY, "kepu").await;
    let (status, html) = page(&app, &county, "/admin/kepu/sharers/coverage").await;
    assert_eq!(status, StatusCode::OK);
    let map = map_data(&html).expect("the county's page has a map");
    assert_eq!(
        (map["outline"].as_str(), map["only"].as_str()),
        (Some("5116"), Some(COUNTY))
    );
    let values = map["values"].as_array().unwrap();
    assert_eq!(values.len(), 1);
    assert_eq!(
        values[0]["lines"][0],
        format!("已覆盖 2 / {townships} 个乡镇（街道）")
    );
    assert_eq!(values[0]["link"], Value::Null, "it is this page already");
    assert!(html.contains("乡镇（街道）暂无地图边界"), "{html}");
    assert!(
        !html.contains("region_code=5116\""),
        "no way up to the city"
    );
    let (status, _) = page(
        &app,
        &county,
        "/admin/kepu/sharers/coverage?region_code=5116",
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A township's page keeps its grid and has no map.
    let (status, html) = page(
        &app,
        &county,
        &format!("/admin/kepu/sharers/coverage?region_code={DINGPING}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(map_data(&html).is_none() && !html.contains("region-map.js"));
    // Another city's staff may not open 广安's page, nor its counties'.
    let other = app.staff("5110", "kepu").await;
    for path in [
        "/admin/kepu/sharers/coverage?region_code=5116",
        "/admin/kepu/sharers/coverage?region_code=511623",
    ] {
        let (status, _) = page(&app, &other, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

/// The map's script is served and the dashboard's map uses the same one.
async fn the_shared_map_script_is_served(app: TestApp) {
    let response = app
        .client
        .get(format!("{}/assets/region-map.js", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert!(body.contains("tianfuRegionMap") && body.contains("data-region-map"));
    let response = app
        .client
        .get(format!("{}/assets/performance.js", app.url))
        .send()
        .await
        .unwrap();
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("tianfuRegionMap.draw")
    );
}

on_both_databases!(
    the_city_map_colours_each_county_and_links_down,
    the_province_map_has_the_21_cities_and_the_table_stays,
    a_county_sees_its_outline_alone_and_cannot_go_up,
    the_shared_map_script_is_served,
);
