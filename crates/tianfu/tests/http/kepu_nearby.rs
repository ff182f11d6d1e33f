//! 离我最近: with the caller's `lat`/`lng` the region's coming activities are ordered by their
//! place's distance (those whose place has no coordinates, or no place, after them), on the API
//! and on the page; without them nothing changes; a point outside China, or half a point, is a
//! 422 naming the field.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;

const COUNTY: &str = "511623";
/// Standing in 邻水县鼎屏镇, some 600 m from its e站.
const HERE: &str = "lat=30.34&lng=106.93";

async fn place(
    app: &TestApp,
    token: &str,
    name: &str,
    region: &str,
    at: Option<(f64, f64)>,
) -> i64 {
    let mut body = json!({
        "kind": "estation", "name": name, "region_code": region, "address": "镇文化站",
        "opening_hours": "周一至周五 9:00-17:00", "capacity": 60, "offers": ["农技培训"],
        "intro": "村民身边的科普e站",
    });
    if let Some((lat, lng)) = at {
        body["latitude"] = json!(lat);
        body["longitude"] = json!(lng);
    }
    let (status, created) = app.post("/api/v1/kepu/places", &body, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_i64().unwrap()
}

/// An activity `hours` from now, at `place` (or in `region` without one).
async fn activity(
    app: &TestApp,
    token: &str,
    title: &str,
    hours: i64,
    place: Option<i64>,
    region: &str,
) {
    let start = app.app.clock.now() + Duration::hours(hours);
    let mut body = json!({
        "title": title, "description": "现场讲解，答疑。",
        "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(2)).to_rfc3339(),
        "capacity": 30, "audiences": ["farmer"],
    });
    match place {
        Some(place) => body["place_id"] = json!(place),
        None => body["region_code"] = json!(region),
    }
    let (status, created) = app
        .post("/api/v1/kepu/activities", &body, Some(token))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
}

/// Four coming activities in 邻水县 (soonest first: no place, 柑子镇 e站 ~10 km, 鼎屏镇 e站
/// ~0.6 km, a place without coordinates) and one next door in 广安区 right where we stand.
async fn four_activities(app: &TestApp) {
    let staff = app.staff(COUNTY, "kepu").await;
    let dingping = place(
        app,
        &staff,
        "鼎屏镇科普e站",
        "511623100",
        Some((30.335, 106.930)),
    )
    .await;
    let ganzi = place(
        app,
        &staff,
        "柑子镇科普e站",
        "511623103",
        Some((30.420, 106.990)),
    )
    .await;
    let unpinned = place(app, &staff, "未定位的e站", "511623101", None).await;
    activity(app, &staff, "无场所的田间讲座", 1, None, COUNTY).await;
    activity(app, &staff, "柑子镇柑橘修剪", 2, Some(ganzi), COUNTY).await;
    activity(app, &staff, "鼎屏镇防诈骗讲座", 3, Some(dingping), COUNTY).await;
    activity(app, &staff, "未定位场所的活动", 4, Some(unpinned), COUNTY).await;
    let next_door = app.staff("511602", "kepu").await;
    let here = place(
        app,
        &next_door,
        "广安区科普e站",
        "511602001",
        Some((30.34, 106.93)),
    )
    .await;
    activity(app, &next_door, "隔壁区的活动", 1, Some(here), "511602").await;
}

fn titles(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect()
}

fn fields(body: &Value) -> Vec<&str> {
    body["error"]["fields"]
        .as_object()
        .map(|f| f.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

async fn the_api_orders_the_regions_activities_by_distance_when_asked(app: TestApp) {
    four_activities(&app).await;
    let base = format!("/api/v1/kepu/activities?region_code={COUNTY}");
    let (status, by_time) = app.get(&base, None).await;
    assert_eq!(status, StatusCode::OK, "{by_time}");
    assert_eq!(
        titles(&by_time),
        [
            "无场所的田间讲座",
            "柑子镇柑橘修剪",
            "鼎屏镇防诈骗讲座",
            "未定位场所的活动"
        ]
    );
    assert!(
        by_time["items"][1].get("distance_km").is_none(),
        "{by_time}"
    );

    let (status, near) = app.get(&format!("{base}&{HERE}"), None).await;
    assert_eq!(status, StatusCode::OK, "{near}");
    assert_eq!(
        titles(&near),
        [
            "鼎屏镇防诈骗讲座",
            "柑子镇柑橘修剪",
            "无场所的田间讲座",
            "未定位场所的活动"
        ],
        "nearest first, the rest after them in time order; next door's stays out"
    );
    assert_eq!(near["total"], 4);
    assert_eq!(near["items"][0]["distance_km"].as_f64(), Some(0.6));
    let ganzi = near["items"][1]["distance_km"].as_f64().unwrap();
    assert!((9.0..12.0).contains(&ganzi), "{ganzi}");
    assert!(near["items"][2].get("distance_km").is_none());

    // Paged after ordering.
    let (_, second) = app
        .get(&format!("{base}&{HERE}&per_page=2&page=2"), None)
        .await;
    assert_eq!(titles(&second), ["无场所的田间讲座", "未定位场所的活动"]);
    assert_eq!(second["total"], 4);
}

async fn a_point_outside_china_or_half_a_point_is_refused_by_field(app: TestApp) {
    for (query, expected) in [
        ("lat=60&lng=104", vec!["lat"]),
        ("lat=30.6", vec!["lng"]),
        ("lng=104.1", vec!["lat"]),
        ("lat=-33.9&lng=151.2", vec!["lat", "lng"]),
        ("lat=abc&lng=104", vec!["lat"]),
        (
            "region_code=5199&lat=30&lng=200",
            vec!["lng", "region_code"],
        ),
    ] {
        let (status, body) = app
            .get(&format!("/api/v1/kepu/activities?{query}"), None)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(fields(&body), expected, "{query}: {body}");
    }
    let (_, body) = app
        .get("/api/v1/kepu/activities?lat=60&lng=104", None)
        .await;
    assert!(
        body["error"]["fields"]["lat"]
            .as_str()
            .unwrap()
            .contains("纬度"),
        "{body}"
    );
    // The page refuses it too, in Chinese.
    let response = app
        .browser()
        .get(format!("{}/kepu/activities?lat=99&lng=104", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("纬度应在18至54度之间")
    );
}

async fn the_page_offers_nearest_and_shows_distances(app: TestApp) {
    four_activities(&app).await;
    let plain = app
        .html(&format!("/kepu/activities?region_code={COUNTY}"))
        .await;
    assert!(
        plain.contains("data-locate") && plain.contains("离我最近"),
        "{plain}"
    );
    assert!(!plain.contains("公里"));
    let position = |html: &str, title: &str| html.find(title).unwrap_or_else(|| panic!("{title}"));
    assert!(position(&plain, "无场所的田间讲座") < position(&plain, "鼎屏镇防诈骗讲座"));

    let near = app
        .html(&format!("/kepu/activities?region_code={COUNTY}&{HERE}"))
        .await;
    assert!(
        near.contains("id=\"nearest-on\"") && near.contains("不会保存"),
        "{near}"
    );
    assert!(near.contains("约 0.6 公里"), "{near}");
    assert!(position(&near, "鼎屏镇防诈骗讲座") < position(&near, "柑子镇柑橘修剪"));
    assert!(position(&near, "柑子镇柑橘修剪") < position(&near, "无场所的田间讲座"));
    assert!(!near.contains("隔壁区的活动"));
    // Filtering by time keeps the point.
    assert!(near.contains("name=\"lat\" value=\"30.34\""), "{near}");
}

on_both_databases!(
    the_api_orders_the_regions_activities_by_distance_when_asked,
    a_point_outside_china_or_half_a_point_is_refused_by_field,
    the_page_offers_nearest_and_shows_distances,
);
