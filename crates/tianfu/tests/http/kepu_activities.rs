//! 科普 on the ground over HTTP: places, activities, sign-ups that never overbook, the waiting
//! list, one-use check-in codes, hours from verified check-ins only, and scope.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::kepu::person;
use crate::on_both_databases;

/// Runs the requests as tokio tasks, so that they really are in flight at the same time.
async fn join_all<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::with_capacity(handles.len());
    for handle in handles {
        out.push(handle.await.expect("task"));
    }
    out
}

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

async fn delete(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .delete(format!("{}{path}", app.url))
        .bearer_auth(token)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

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

async fn concurrent_sign_ups_fill_exactly_the_capacity(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "科普大集", "511623", 4, 48),
    )
    .await;
    let mut tokens = Vec::new();
    for n in 0..12 {
        tokens.push(person(&app, "public", &format!("村民{n}"), "511623").await);
    }
    let requests: Vec<_> = tokens
        .iter()
        .map(|token| {
            let client = app.client.clone();
            let url = format!("{}/api/v1/kepu/activities/{id}/signups", app.url);
            let token = token.clone();
            async move {
                let response = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            }
        })
        .collect();
    let results = join_all(requests).await;
    let confirmed = results
        .iter()
        .filter(|(_, b)| b["status"] == "confirmed")
        .count();
    let waitlisted = results
        .iter()
        .filter(|(_, b)| b["status"] == "waitlisted")
        .count();
    assert!(
        results.iter().all(|(s, _)| *s == StatusCode::CREATED),
        "{results:?}"
    );
    assert_eq!((confirmed, waitlisted), (4, 8));
    let (_, activity) = app
        .get(&format!("/api/v1/kepu/activities/{id}"), None)
        .await;
    assert_eq!(activity["confirmed"], 4);
    assert_eq!(activity["seats_left"], 0);
    // Signing up twice changes nothing.
    let (status, _) = app
        .post(
            &format!("/api/v1/kepu/activities/{id}/signups"),
            &json!({}),
            Some(&tokens[0]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(app.count("kepu_signups").await, 12);
}

async fn the_waiting_list_moves_up_when_someone_cancels(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "青少年机器人体验", "511623", 1, 48),
    )
    .await;
    let a = person(&app, "public", "甲", "511623").await;
    let b = person(&app, "public", "乙", "511623").await;
    let c = person(&app, "public", "丙", "511623").await;
    let signups = format!("/api/v1/kepu/activities/{id}/signups");
    let (_, first) = app.post(&signups, &json!({}), Some(&a)).await;
    let (_, second) = app.post(&signups, &json!({}), Some(&b)).await;
    let (_, third) = app
        .post(&signups, &json!({"role": "attendee"}), Some(&c))
        .await;
    assert_eq!(first["status"], "confirmed");
    assert_eq!(
        (second["status"].as_str(), second["position"].as_i64()),
        (Some("waitlisted"), Some(1))
    );
    assert_eq!(third["position"], 2);

    let (status, cancelled) = delete(&app, &format!("{signups}/me"), &a).await;
    assert_eq!(status, StatusCode::OK, "{cancelled}");
    assert_eq!(cancelled["promoted"], true);
    let (_, seen_by_b) = app
        .get(&format!("/api/v1/kepu/activities/{id}"), Some(&b))
        .await;
    assert_eq!(seen_by_b["my_signup"]["status"], "confirmed");
    assert_eq!(
        seen_by_b["confirmed"], 1,
        "the seat passed on, not freed and taken twice"
    );
    let (_, seen_by_c) = app
        .get(&format!("/api/v1/kepu/activities/{id}"), Some(&c))
        .await;
    assert_eq!(seen_by_c["my_signup"]["position"], 1);
    let (_, notes) = app.get("/api/v1/notifications", Some(&b)).await;
    assert!(notes.to_string().contains("有了空位"), "{notes}");

    // Cancelling twice is refused; a waitlisted person leaving frees nothing.
    let (status, _) = delete(&app, &format!("{signups}/me"), &a).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, gone) = delete(&app, &format!("{signups}/me"), &c).await;
    assert_eq!(
        (status, gone["promoted"].as_bool()),
        (StatusCode::OK, Some(false))
    );
    let (_, activity) = app
        .get(&format!("/api/v1/kepu/activities/{id}"), None)
        .await;
    assert_eq!(activity["confirmed"], 1);
    // Signing up again after cancelling puts one at the back of the queue.
    let (_, again) = app.post(&signups, &json!({}), Some(&a)).await;
    assert_eq!(
        (again["status"].as_str(), again["position"].as_i64()),
        (Some("waitlisted"), Some(1))
    );
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
    let shown = staff
        .get(format!("{}{back}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
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
    the_map_outlines_join_sichuans_cities_and_counties_by_code,
    places_are_kept_by_the_regions_kepu_staff,
    only_staff_places_and_team_leaders_post_activities,
    concurrent_sign_ups_fill_exactly_the_capacity,
    the_waiting_list_moves_up_when_someone_cancels,
    only_those_who_run_an_activity_see_its_roster_and_codes,
    staff_edit_and_pause_a_place_on_its_page_without_losing_anothers_edit,
    only_those_who_may_post_are_offered_the_activity_form,
);
