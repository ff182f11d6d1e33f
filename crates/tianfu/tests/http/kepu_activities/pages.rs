//! The 科普 pages: staff edit and pause a place on its page, and only those who may post are
//! offered the activity form.

use reqwest::StatusCode;
use serde_json::json;

use super::{activity_body, place_body};
use crate::common::TestApp;
use crate::on_both_databases;

/// The version an edit page was filled from (its hidden `version` field).
fn version_of(html: &str) -> String {
    let needle = "name=\"version\" value=\"";
    let start = html.find(needle).expect("a version") + needle.len();
    html[start..][..html[start..].find('"').unwrap()].to_owned()
}

async fn staff_edit_and_pause_a_place_on_its_page_without_losing_anothers_edit(app: TestApp) {
    let phone = app.staff_member("511623", "kepu", "邻水县科普部").await;
    let token = app.login(&phone).await;
    let (status, place) = app
        .post(
            "/api/v1/kepu/places",
            &place_body("鼎屏镇科普e站", "511623100"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{place}");
    let id = place["id"].as_i64().unwrap();
    let staff = app.signed_in(&phone).await;
    let edit = format!("{}/admin/kepu/places/{id}/edit", app.url);
    let form_page = staff.get(&edit).send().await.unwrap();
    assert_eq!(form_page.status(), StatusCode::OK);
    let html = form_page.text().await.unwrap();
    assert!(
        html.contains("value=\"鼎屏镇科普e站\"") && html.contains("农技培训"),
        "{html}"
    );
    let version = version_of(&html);
    let form = |name: &str, latitude: &str, status: &str, version: &str| {
        vec![
            ("kind".to_owned(), "estation".to_owned()),
            ("name".to_owned(), name.to_owned()),
            ("region_code".to_owned(), "511623100".to_owned()),
            ("address".to_owned(), "鼎屏镇文化站一楼".to_owned()),
            ("latitude".to_owned(), latitude.to_owned()),
            ("longitude".to_owned(), "106.93".to_owned()),
            ("opening_hours".to_owned(), "周一至周五".to_owned()),
            ("capacity".to_owned(), "80".to_owned()),
            ("offers".to_owned(), "科普展品、VR体验".to_owned()),
            ("intro".to_owned(), String::new()),
            ("photo_ids".to_owned(), String::new()),
            ("status".to_owned(), status.to_owned()),
            ("version".to_owned(), version.to_owned()),
        ]
    };

    // A bad field comes back named, with what was typed.
    let bad = staff
        .post(&edit)
        .form(&form("鼎屏镇科普e站（新）", "北纬30", "open", &version))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = bad.text().await.unwrap();
    assert!(
        html.contains("纬度应是数字") && html.contains("鼎屏镇科普e站（新）"),
        "{html}"
    );

    // Saved and paused: the public list and new activities no longer take it.
    let saved = staff
        .post(&edit)
        .form(&form("鼎屏镇科普e站（新）", "30.36", "closed", &version))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let back = saved.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, format!("/kepu/places/{id}?done=saved"));
    let shown = app.page_as(&staff, &back).await;
    assert!(
        shown.contains("id=\"notice\"") && shown.contains("已保存"),
        "{shown}"
    );
    let (_, stored) = app.get(&format!("/api/v1/kepu/places/{id}"), None).await;
    assert_eq!(
        (
            stored["name"].as_str(),
            stored["status"].as_str(),
            stored["capacity"].as_i64()
        ),
        (Some("鼎屏镇科普e站（新）"), Some("closed"), Some(80))
    );
    assert_eq!(stored["offers"], json!(["科普展品", "VR体验"]));
    assert!(
        !app.html("/kepu/places?region_code=511623")
            .await
            .contains("鼎屏镇科普e站")
    );
    let mut body = activity_body(&app, "科普讲座", "", 20, 48);
    body["place_id"] = json!(id);
    let (status, refused) = app
        .post("/api/v1/kepu/activities", &body, Some(&token))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        refused["error"]["fields"]["place_id"],
        "该科普场所已暂停开放"
    );

    // A form read before that save does not overwrite it: 409, the typed text kept.
    let stale = staff
        .post(&edit)
        .form(&form("旧页面上的名字", "30.36", "open", &version))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let html = stale.text().await.unwrap();
    assert!(
        html.contains("刚被他人修改过") && html.contains("旧页面上的名字"),
        "{html}"
    );
    assert_ne!(
        version_of(&html),
        version,
        "the page now holds the saved version"
    );
    let (_, stored) = app.get(&format!("/api/v1/kepu/places/{id}"), None).await;
    assert_eq!(stored["name"], "鼎屏镇科普e站（新）");

    // Staff of another county or another department may not open or post it.
    for (region, department) in [("511602", "kepu"), ("511623", "worker")] {
        let other_phone = app.staff_member(region, department, "别处的工作人员").await;
        let other = app.signed_in(&other_phone).await;
        let opened = other.get(&edit).send().await.unwrap();
        assert_eq!(
            opened.status(),
            StatusCode::FORBIDDEN,
            "{region} {department}"
        );
        let posted = other
            .post(&edit)
            .form(&form("越权", "30.36", "open", &version))
            .send()
            .await
            .unwrap();
        assert_eq!(
            posted.status(),
            StatusCode::FORBIDDEN,
            "{region} {department}"
        );
    }
    let (_, stored) = app.get(&format!("/api/v1/kepu/places/{id}"), None).await;
    assert_eq!(stored["name"], "鼎屏镇科普e站（新）");
}

async fn only_those_who_may_post_are_offered_the_activity_form(app: TestApp) {
    let (_, resident_phone) = app.register("public", "村民老王", "511623").await;
    let resident = app.signed_in(&resident_phone).await;
    let list = app.page_as(&resident, "/kepu/activities").await;
    assert!(!list.contains("id=\"post-activity\""), "{list}");
    let form = resident
        .get(format!("{}/kepu/activities/new", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::FORBIDDEN);
    let html = form.text().await.unwrap();
    assert!(
        html.contains("您目前不能发布科普活动") && !html.contains("id=\"activity-form\""),
        "{html}"
    );

    let staff_phone = app.staff_member("511623", "kepu", "邻水县科普部").await;
    let staff = app.signed_in(&staff_phone).await;
    assert!(
        app.page_as(&staff, "/kepu/activities")
            .await
            .contains("id=\"post-activity\"")
    );
    let form = staff
        .get(format!("{}/kepu/activities/new", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.unwrap().contains("id=\"activity-form\""));
}

on_both_databases!(
    staff_edit_and_pause_a_place_on_its_page_without_losing_anothers_edit,
    only_those_who_may_post_are_offered_the_activity_form,
);
