//! 科普 on the ground over HTTP: places, activities, sign-ups that never overbook, the waiting
//! list, one-use check-in codes, hours from verified check-ins only, and scope. The helpers here
//! are shared with the check-in, volunteer, rating and browser tests.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;

mod pages;
mod places;
mod posting;
mod signups;

pub fn place_body(name: &str, region: &str) -> Value {
    json!({
        "kind": "estation", "name": name, "region_code": region, "address": "鼎屏镇文化站二楼",
        "latitude": 30.35, "longitude": 106.93, "opening_hours": "周二至周日 9:00-17:00",
        "capacity": 60, "offers": ["科普展品", "农技培训"], "intro": "村民身边的科普e站",
    })
}

/// An activity starting in `hours_from_now` hours and lasting two.
pub fn activity_body(
    app: &TestApp,
    title: &str,
    region: &str,
    capacity: i64,
    hours_from_now: i64,
) -> Value {
    let start = app.app.clock.now() + Duration::hours(hours_from_now);
    json!({
        "title": title, "description": "讲解柑橘病虫害绿色防控，现场答疑。", "region_code": region,
        "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(2)).to_rfc3339(),
        "capacity": capacity, "audiences": ["farmer"],
    })
}

pub async fn post_activity(app: &TestApp, token: &str, body: &Value) -> i64 {
    let (status, created) = app.post("/api/v1/kepu/activities", body, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["id"].as_i64().unwrap()
}

pub async fn figure(app: &TestApp, region: &str, metric: &str) -> f64 {
    app.settle().await;
    let staff = app.staff("51", "kepu").await;
    let (status, figures) = app
        .get(&format!("/api/v1/stats/regions/{region}"), Some(&staff))
        .await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    figures["metrics"][metric]
        .as_f64()
        .unwrap_or_else(|| panic!("{metric} in {figures}"))
}

/// Signs `token` up for `activity` as `role` (attendee or volunteer).
pub async fn sign_up(app: &TestApp, activity: i64, role: &str, token: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/kepu/activities/{activity}/signups"),
        &json!({ "role": role }),
        Some(token),
    )
    .await
}

pub async fn code_for(app: &TestApp, activity: i64, token: &str) -> String {
    let (status, code) = app
        .post(
            &format!("/api/v1/kepu/activities/{activity}/codes"),
            &json!({}),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{code}");
    assert!(
        code["url"]
            .as_str()
            .unwrap()
            .contains(code["code"].as_str().unwrap())
    );
    code["code"].as_str().unwrap().to_owned()
}

pub async fn check_in(
    app: &TestApp,
    activity: i64,
    code: &str,
    token: &str,
) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/kepu/activities/{activity}/checkins"),
        &json!({ "code": code }),
        Some(token),
    )
    .await
}
