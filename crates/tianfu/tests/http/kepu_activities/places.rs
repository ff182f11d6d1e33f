//! 科普 places over the API: kept by the region's 科普 staff, found by region; and the map
//! outlines the place pages draw on.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::place_body;
use crate::common::TestApp;
use crate::on_both_databases;

async fn patch(app: &TestApp, path: &str, body: &Value, token: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .patch(format!("{}{path}", app.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn places_are_kept_by_the_regions_kepu_staff(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let (status, place) = app
        .post(
            "/api/v1/kepu/places",
            &place_body("鼎屏镇科普e站", "511623"),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{place}");
    assert_eq!(place["kind_label"], "科普e站");
    assert_eq!(place["offers"], json!(["科普展品", "农技培训"]));
    let id = place["id"].as_i64().unwrap();

    // Another county, another department, a resident: refused, nothing written.
    let other = app.staff("511602", "kepu").await;
    let (status, _) = app
        .post(
            "/api/v1/kepu/places",
            &place_body("越界的e站", "511623"),
            Some(&other),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let worker_dept = app.staff("511623", "worker").await;
    let (status, _) = app
        .post(
            "/api/v1/kepu/places",
            &place_body("别的部门的e站", "511623"),
            Some(&worker_dept),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = patch(
        &app,
        &format!("/api/v1/kepu/places/{id}"),
        &json!({"name": "改名"}),
        &other,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Bad input names every field, in Chinese.
    let (status, error) = app
        .post(
            "/api/v1/kepu/places",
            &json!({"kind": "museum", "name": " ", "region_code": "511623", "address": "x", "latitude": 95.0}),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    for field in ["kind", "name", "longitude"] {
        assert!(
            error["error"]["fields"][field].is_string(),
            "{field}: {error}"
        );
    }
    assert_eq!(app.count("kepu_places").await, 1);

    // Anyone finds it by region; a closed place stays listed for the API with its status.
    let (_, list) = app.get("/api/v1/kepu/places?region_code=5116", None).await;
    assert_eq!(list["total"], 1);
    let (_, none) = app.get("/api/v1/kepu/places?region_code=5110", None).await;
    assert_eq!(none["total"], 0);
    let (status, patched) = patch(
        &app,
        &format!("/api/v1/kepu/places/{id}"),
        &json!({"status": "closed"}),
        &county,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["status"], "closed");
    assert_eq!(patched["name"], "鼎屏镇科普e站");
    let page = app.html("/kepu/places?region_code=511623").await;
    assert!(
        !page.contains("鼎屏镇科普e站"),
        "a closed place is not offered to the public"
    );
}

async fn the_map_outlines_join_sichuans_cities_and_counties_by_code(app: TestApp) {
    let (status, province) = app.get("/assets/geo/51", None).await;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<&str> = province["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["code"].as_str())
        .collect();
    assert_eq!(codes.len(), 21, "every city joins by name");
    assert!(codes.contains(&"5116") && codes.contains(&"5132"));
    let (_, again) = app.get("/assets/geo/51", None).await;
    assert_eq!(again, province, "built once, served the same");
    let (status, city) = app.get("/assets/geo/5116", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        city.to_string().contains("\"511623\""),
        "counties carry their codes"
    );
    let (status, _) = app.get("/assets/geo/50", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

on_both_databases!(
    the_map_outlines_join_sichuans_cities_and_counties_by_code,
    places_are_kept_by_the_regions_kepu_staff,
);
