//! The programme: who creates sessions, registration that never exceeds capacity however many
//! sign up at once, cancelling frees the seat, and check-in once, in its window, by staff in
//! scope.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::halls::select;
use super::{Fair, OPEN_DAY, advance, edition, entered, offer, person};
use crate::common::TestApp;
use crate::market_pages::signed_in;
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

/// When the session starts: the fair's second day, at a whole hour.
fn second_day() -> DateTime<Utc> {
    let at = Utc::now() + Duration::days(OPEN_DAY + 1);
    at - Duration::seconds(i64::from(chrono::Timelike::num_seconds_from_midnight(&at)) % 3600)
}

pub fn session_body(kind: &str, title: &str, region: Option<&str>, capacity: i64) -> Value {
    let start = second_day();
    json!({
        "kind": kind, "title": title, "agenda": "09:30 开幕致辞\n10:00 项目路演\n11:30 自由洽谈",
        "venue": "成都世纪城国际会议中心", "region_code": region,
        "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(2)).to_rfc3339(),
        "capacity": capacity, "project_ids": [],
    })
}

pub async fn create_session(app: &TestApp, fair: &Fair, token: &str, body: &Value) -> i64 {
    let (status, created) = app
        .post(
            &format!("/api/v1/fairs/{}/sessions", fair.id),
            body,
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created["session"]["id"].as_i64().unwrap()
}

async fn sessions_are_created_by_organisers_and_cities_for_their_zone(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let path = format!("/api/v1/fairs/{}/sessions", fair.id);

    // A city's staff create their own city's zone (the region defaults to theirs) …
    let city = app.staff("5110", "org").await;
    let zone = create_session(
        &app,
        &fair,
        &city,
        &session_body("zone", "内江专场", None, 200),
    )
    .await;
    let (_, detail) = app.get(&format!("{path}/{zone}"), None).await;
    assert_eq!(detail["session"]["region_code"], "5110", "{detail}");
    assert_eq!(detail["session"]["kind_label"], "地区专场");
    // … but nothing else, nor another city's.
    let (status, _) = app
        .post(
            &path,
            &session_body("salon", "内江沙龙", None, 50),
            Some(&city),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post(
            &path,
            &session_body("zone", "成都专场", Some("5101"), 50),
            Some(&city),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let county = app.staff("511011", "org").await;
    let (_, visitor) = person(&app, "worker", "参会者", "511011").await;
    for token in [&county, &visitor] {
        let (status, _) = app
            .post(
                &path,
                &session_body("zone", "东兴专场", None, 50),
                Some(token),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    // Organisers: every field is checked at once and nothing is saved.
    let (_, scientist) = person(&app, "worker", "王教授", "511011").await;
    let listing = offer(&app, &scientist, "5110", "柑橘黄龙病快速检测技术").await;
    let collected = entered(&app, &fair, &scientist, "offer", listing).await;
    let before = app.count("fair_sessions").await;
    let mut bad = session_body("roadshow", "重大项目路演", None, 0);
    bad["starts_at"] = json!((Utc::now() + Duration::days(2)).to_rfc3339());
    bad["project_ids"] = json!([collected]);
    bad["title"] = json!("  ");
    let (status, error) = app.post(&path, &bad, Some(&fair.admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let fields = &error["error"]["fields"];
    for field in ["title", "starts_at", "capacity", "project_ids[0]"] {
        assert!(fields[field].is_string(), "{field}: {error}");
    }
    let mut zone_without_region = session_body("zone", "无地区专场", None, 10);
    zone_without_region["region_code"] = Value::Null;
    let (status, error) = app
        .post(&path, &zone_without_region, Some(&fair.admin))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["fields"]["region_code"].is_string(),
        "{error}"
    );
    assert_eq!(app.count("fair_sessions").await, before, "nothing saved");

    // A selected project is presented; the public sees it once the list is published.
    select(&app, &fair, &[collected], false).await;
    let mut body = session_body("roadshow", "重大项目路演", None, 300);
    body["project_ids"] = json!([collected]);
    let roadshow = create_session(&app, &fair, &fair.admin, &body).await;
    let (_, detail) = app.get(&format!("{path}/{roadshow}"), None).await;
    assert_eq!(detail["projects"].as_array().unwrap().len(), 0, "{detail}");
    select(&app, &fair, &[], true).await;
    let (_, detail) = app.get(&format!("{path}/{roadshow}"), None).await;
    assert_eq!(detail["projects"][0]["id"], collected, "{detail}");
    let html = app
        .html(&format!("/fairs/{}/sessions/{roadshow}", fair.id))
        .await;
    assert!(html.contains("柑橘黄龙病快速检测技术") && html.contains("项目路演"));

    // The programme, public, by start time; one kind when asked.
    let (status, list) = app.get(&path, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 2, "{list}");
    let (_, zones) = app.get(&format!("{path}?kind=zone"), None).await;
    assert_eq!(zones["total"], 1);
    assert_eq!(zones["items"][0]["title"], "内江专场");
    let (status, _) = app.get(&format!("{path}?kind=party"), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = app.html(&format!("/fairs/{}", fair.id)).await;
    assert!(
        page.contains("重大项目路演") && page.contains("地区专场") && page.contains("内江专场")
    );
}

async fn registrations_never_exceed_capacity_under_concurrent_sign_ups(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let sid = create_session(
        &app,
        &fair,
        &fair.admin,
        &session_body("salon", "科创沙龙：柑橘产业", None, 5),
    )
    .await;
    let path = format!("/api/v1/fairs/{}/sessions/{sid}", fair.id);
    let mut tokens = Vec::new();
    for n in 0..12 {
        tokens.push(
            person(&app, "worker", &format!("参会者{n}"), "511011")
                .await
                .1,
        );
    }
    let requests: Vec<_> = tokens
        .iter()
        .map(|token| {
            let client = app.client.clone();
            let url = format!("{}{path}/registrations", app.url);
            let token = token.clone();
            async move {
                let response = client.post(url).bearer_auth(token).send().await.unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            }
        })
        .collect();
    let results = join_all(requests).await;
    let won = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let full = results
        .iter()
        .filter(|(s, b)| *s == StatusCode::CONFLICT && b["error"]["message"] == "名额已满")
        .count();
    assert_eq!((won, full), (5, 7), "{results:?}");
    let (_, detail) = app.get(&path, None).await;
    assert_eq!(detail["session"]["registered"], 5);
    assert_eq!(detail["session"]["seats_left"], 0);
    assert_eq!(
        app.count_where(
            "fair_registrations",
            &format!("session_id = {sid} AND status = 'registered'")
        )
        .await,
        5
    );

    // One registration per person.
    let winner = results
        .iter()
        .position(|(s, _)| *s == StatusCode::CREATED)
        .unwrap();
    let (status, error) = app
        .post(
            &format!("{path}/registrations"),
            &json!({}),
            Some(&tokens[winner]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已报名")
    );

    // Cancelling frees the seat, once; someone else takes it.
    let (status, done) = app
        .post(
            &format!("{path}/registrations/cancel"),
            &json!({}),
            Some(&tokens[winner]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["seats_left"], 1);
    let (status, _) = app
        .post(
            &format!("{path}/registrations/cancel"),
            &json!({}),
            Some(&tokens[winner]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let loser = results
        .iter()
        .position(|(s, _)| *s == StatusCode::CONFLICT)
        .unwrap();
    let (status, done) = app
        .post(
            &format!("{path}/registrations"),
            &json!({}),
            Some(&tokens[loser]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(done["seats_left"], 0);
    let (_, mine) = app.get(&path, Some(&tokens[loser])).await;
    assert_eq!(mine["my_registration"]["status"], "registered");

    // After the session ends, nobody registers.
    advance(&app, OPEN_DAY + 2);
    let (status, error) = app
        .post(
            &format!("{path}/registrations"),
            &json!({}),
            Some(&tokens[winner]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已结束")
    );
}

async fn check_in_happens_once_in_its_window_by_staff_in_scope(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let sid = create_session(
        &app,
        &fair,
        &fair.admin,
        &session_body("zone", "内江专场", Some("5110"), 50),
    )
    .await;
    let path = format!("/api/v1/fairs/{}/sessions/{sid}", fair.id);
    let (visitor_id, visitor) = person(&app, "worker", "参会者", "511011").await;
    let (stranger_id, _) = person(&app, "worker", "未报名者", "511011").await;
    let (status, _) = app
        .post(&format!("{path}/registrations"), &json!({}), Some(&visitor))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let city = app.staff("5110", "org").await;
    let checkin = |user: i64| json!({ "user_id": user });

    // Not yet: check-in opens an hour before the start.
    let (status, error) = app
        .post(
            &format!("{path}/checkins"),
            &checkin(visitor_id),
            Some(&city),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    let (_, detail) = app.get(&path, None).await;
    let start: DateTime<Utc> = detail["session"]["starts_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.app
        .clock
        .advance(start - Duration::minutes(30) - app.app.clock.now());

    // Another city's staff and a county's staff (below the zone's region) may not.
    for (region, department) in [("5101", "org"), ("511011", "org")] {
        let other = app.staff(region, department).await;
        let (status, _) = app
            .post(
                &format!("{path}/checkins"),
                &checkin(visitor_id),
                Some(&other),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{region}");
    }
    let (status, error) = app
        .post(
            &format!("{path}/checkins"),
            &checkin(stranger_id),
            Some(&city),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(error["error"]["fields"]["user_id"].is_string());

    let (status, done) = app
        .post(
            &format!("{path}/checkins"),
            &checkin(visitor_id),
            Some(&city),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done["checked_in_at"].is_string());
    // Once only, whoever tries again.
    let (status, _) = app
        .post(
            &format!("{path}/checkins"),
            &checkin(visitor_id),
            Some(&fair.admin),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        app.count_where(
            "fair_registrations",
            &format!("session_id = {sid} AND checked_in_at IS NOT NULL")
        )
        .await,
        1
    );
    let (_, mine) = app.get(&path, Some(&visitor)).await;
    assert!(
        mine["my_registration"]["checked_in_at"].is_string(),
        "{mine}"
    );
    // Checked in: the seat is no longer given back.
    let (status, _) = app
        .post(
            &format!("{path}/registrations/cancel"),
            &json!({}),
            Some(&visitor),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn the_session_page_registers_and_cancels_without_javascript(app: TestApp) {
    let fair = edition(&app, json!([])).await;
    let sid = create_session(
        &app,
        &fair,
        &fair.admin,
        &session_body("salon", "科创沙龙：柑橘产业", None, 1),
    )
    .await;
    let page = format!("{}/fairs/{}/sessions/{sid}", app.url, fair.id);
    let (_, first) = app.register("worker", "先到者", "511011").await;
    let (_, second) = app.register("worker", "后到者", "511011").await;
    let first = signed_in(&app, &first).await;
    let second = signed_in(&app, &second).await;

    let response = first.post(format!("{page}/register")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = first.get(&page).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains(r#"id="registration-status">已报名<"#)
            && html.contains(r#"id="seats-left">0<"#),
        "{html}"
    );
    // Full: the page says so, with the conflict's status.
    let response = second
        .post(format!("{page}/register"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("名额已满"));
    // Cancelling gives the seat back.
    let response = first.post(format!("{page}/cancel")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let html = second
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(r#"id="seats-left">1<"#) && html.contains("立即报名"),
        "{html}"
    );
}

on_both_databases!(
    sessions_are_created_by_organisers_and_cities_for_their_zone,
    registrations_never_exceed_capacity_under_concurrent_sign_ups,
    check_in_happens_once_in_its_window_by_staff_in_scope,
    the_session_page_registers_and_cancels_without_javascript,
);
