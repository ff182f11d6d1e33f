//! Who posts an activity (staff, a place's managers), who sees its roster and codes, and calling
//! it off.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use super::{activity_body, place_body, post_activity};
use crate::common::TestApp;
use crate::kepu::person;
use crate::on_both_databases;

async fn only_staff_places_and_team_leaders_post_activities(app: TestApp) {
    let resident = person(&app, "public", "村民甲", "511623").await;
    let (status, _) = app
        .post(
            "/api/v1/kepu/activities",
            &activity_body(&app, "擅自发布", "511623", 10, 48),
            Some(&resident),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let outside = app.staff("511602", "kepu").await;
    let (status, _) = app
        .post(
            "/api/v1/kepu/activities",
            &activity_body(&app, "越界发布", "511623", 10, 48),
            Some(&outside),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A place's manager posts at their place; the activity takes the place's region.
    let county = app.staff("511623", "kepu").await;
    let (_, place) = app
        .post(
            "/api/v1/kepu/places",
            &place_body("鼎屏镇科普e站", "511623"),
            Some(&county),
        )
        .await;
    let place_id = place["id"].as_i64().unwrap();
    let (_, manager_phone) = app.register("public", "站长", "511623").await;
    let manager = app.login(&manager_phone).await;
    let (status, _) = app
        .post(
            &format!("/api/v1/kepu/places/{place_id}/managers"),
            &json!({"phone": manager_phone}),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut body = activity_body(&app, "e站科普讲座", "", 30, 48);
    body["place_id"] = json!(place_id);
    body.as_object_mut().unwrap().remove("region_code");
    let (status, created) = app
        .post("/api/v1/kepu/activities", &body, Some(&manager))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["region_code"], "511623");
    assert_eq!(created["place_name"], "鼎屏镇科普e站");

    // Times and capacity are checked, every field at once.
    let now = app.app.clock.now();
    let (status, error) = app
        .post(
            "/api/v1/kepu/activities",
            &json!({"title": "", "region_code": "511623", "starts_at": (now + Duration::hours(5)).to_rfc3339(),
                    "ends_at": (now + Duration::hours(4)).to_rfc3339(), "capacity": 0, "audiences": ["alien"]}),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    for field in ["title", "ends_at", "capacity", "audiences"] {
        assert!(
            error["error"]["fields"][field].is_string(),
            "{field}: {error}"
        );
    }
    assert_eq!(app.count("kepu_activities").await, 1);
}

async fn only_those_who_run_an_activity_see_its_roster_and_codes(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "健康讲座", "511623", 10, 48),
    )
    .await;
    let resident = person(&app, "public", "村民", "511623").await;
    let neighbour = app.staff("511602", "kepu").await;
    let org_dept = app.staff("511623", "org").await;
    let city = app.staff("5116", "kepu").await;
    for (token, expected) in [
        (&resident, StatusCode::FORBIDDEN),
        (&neighbour, StatusCode::FORBIDDEN),
        (&org_dept, StatusCode::FORBIDDEN),
        (&city, StatusCode::OK),
    ] {
        let (status, _) = app
            .get(
                &format!("/api/v1/kepu/activities/{id}/signups"),
                Some(token),
            )
            .await;
        assert_eq!(status, expected);
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/kepu/activities/{id}/codes"),
            &json!({}),
            Some(&resident),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The list is public and finds it by region.
    let (_, near) = app
        .get("/api/v1/kepu/activities?region_code=511623", None)
        .await;
    assert_eq!(near["total"], 1);
    let (_, far) = app
        .get("/api/v1/kepu/activities?region_code=5110", None)
        .await;
    assert_eq!(far["total"], 0);
    let (status, _) = app.get("/api/v1/kepu/activities?when=tomorrow", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Calling it off: those who run it, with a reason everyone signed up is told.
    app.post(
        &format!("/api/v1/kepu/activities/{id}/signups"),
        &json!({}),
        Some(&resident),
    )
    .await;
    let call_off = format!("/api/v1/kepu/activities/{id}/cancel");
    let (status, _) = app
        .post(&call_off, &json!({"reason": "下雨"}), Some(&resident))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, error) = app
        .post(&call_off, &json!({"reason": " "}), Some(&county))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["fields"]["reason"].is_string());
    let (status, done) = app
        .post(
            &call_off,
            &json!({"reason": "暴雨预警，改期举行"}),
            Some(&county),
        )
        .await;
    assert_eq!(
        (status, done["notified"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{done}"
    );
    let (status, _) = app
        .post(&call_off, &json!({"reason": "再取消一次"}), Some(&county))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, notes) = app.get("/api/v1/notifications", Some(&resident)).await;
    assert!(notes.to_string().contains("暴雨预警"), "{notes}");
    let late = person(&app, "public", "后来者", "511623").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/kepu/activities/{id}/signups"),
            &json!({}),
            Some(&late),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, near) = app
        .get("/api/v1/kepu/activities?region_code=511623", None)
        .await;
    assert_eq!(
        near["total"], 0,
        "a called-off activity leaves the public list"
    );
}

on_both_databases!(
    only_staff_places_and_team_leaders_post_activities,
    only_those_who_run_an_activity_see_its_roster_and_codes,
);
