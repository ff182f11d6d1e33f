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

fn place_body(name: &str, region: &str) -> Value {
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

async fn figure(app: &TestApp, region: &str, metric: &str) -> f64 {
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

async fn code_for(app: &TestApp, activity: i64, token: &str) -> String {
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

async fn check_in(app: &TestApp, activity: i64, code: &str, token: &str) -> (StatusCode, Value) {
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

async fn check_in_codes_serve_one_account_once_and_expire(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "防灾减灾讲座", "511623", 10, 3),
    )
    .await;
    let other = post_activity(
        &app,
        &county,
        &activity_body(&app, "另一场讲座", "511623", 10, 3),
    )
    .await;
    let a = person(&app, "public", "甲", "511623").await;
    let b = person(&app, "public", "乙", "511623").await;
    for token in [&a, &b] {
        app.post(
            &format!("/api/v1/kepu/activities/{id}/signups"),
            &json!({}),
            Some(token),
        )
        .await;
    }
    let code = code_for(&app, id, &county).await;
    // Before the hour ahead of the start: not yet.
    let (status, early) = check_in(&app, id, &code, &a).await;
    assert_eq!(status, StatusCode::CONFLICT, "{early}");
    assert!(
        early["error"]["message"]
            .as_str()
            .unwrap()
            .contains("签到尚未开始")
    );
    app.app
        .clock
        .advance(Duration::hours(2) + Duration::minutes(30));

    let foreign = code_for(&app, other, &county).await;
    let (status, wrong) = check_in(&app, id, &foreign, &a).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}");
    assert!(
        wrong["error"]["fields"]["code"]
            .as_str()
            .unwrap()
            .contains("不是本场活动")
    );
    let (status, garbage) = check_in(&app, id, "NOTACODE1", &a).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{garbage}");

    let (status, done) = check_in(&app, id, &code, &a).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(done["role"], "attendee");
    let (status, reused) = check_in(&app, id, &code, &b).await;
    assert_eq!(status, StatusCode::CONFLICT, "{reused}");
    assert!(
        reused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已被他人使用")
    );
    let (status, _) = check_in(&app, id, &code_for(&app, id, &county).await, &a).await;
    assert_eq!(status, StatusCode::CONFLICT, "one check-in per person");

    // Someone who never signed up takes a free seat at the door.
    let walk_in = person(&app, "public", "丁", "511623").await;
    let (status, _) = check_in(&app, id, &code_for(&app, id, &county).await, &walk_in).await;
    assert_eq!(status, StatusCode::CREATED);

    // After the end every code is void.
    let late = code_for(&app, id, &county).await;
    app.app.clock.advance(Duration::hours(3));
    let (status, expired) = check_in(&app, id, &late, &b).await;
    assert_eq!(status, StatusCode::CONFLICT, "{expired}");
    assert!(
        expired["error"]["message"]
            .as_str()
            .unwrap()
            .contains("已过期")
    );

    // Two people served, once each, in the county and above.
    assert_eq!(figure(&app, "511623", "kepu_services").await, 2.0);
    assert_eq!(figure(&app, "51", "kepu_people_served").await, 2.0);

    // Feedback only from those who came.
    let feedback = format!("/api/v1/kepu/activities/{id}/feedback");
    let (status, _) = app
        .post(
            &feedback,
            &json!({"rating": 5, "comment": "讲得好"}),
            Some(&a),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.post(&feedback, &json!({"rating": 4}), Some(&b)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app.post(&feedback, &json!({"rating": 9}), Some(&a)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, roster) = app
        .get(
            &format!("/api/v1/kepu/activities/{id}/signups"),
            Some(&county),
        )
        .await;
    assert_eq!(roster["total"], 3, "{roster}");
    assert!(roster.to_string().contains("讲得好"));
    let staff_phone = app.staff_member("511623", "kepu", "签到员").await;
    let browser = app.browser();
    browser
        .post(format!("{}/login", app.url))
        .form(&[
            ("phone", staff_phone.as_str()),
            ("password", crate::common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let page = browser
        .get(format!("{}/kepu/activities/{id}/attendance", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("平均评分 5.0"), "{page}");
    assert!(
        page.contains(r#"<strong id="checked-in-total">2</strong>"#),
        "{page}"
    );
}

async fn volunteer_hours_come_from_verified_check_ins_only(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "科技志愿服务进村", "511623", 20, 2),
    )
    .await;
    let volunteer = person(&app, "volunteer", "志愿者甲", "511623").await;
    let absent = person(&app, "volunteer", "志愿者乙", "511623").await;
    let resident = person(&app, "public", "村民", "511623").await;
    let signups = format!("/api/v1/kepu/activities/{id}/signups");
    for token in [&volunteer, &absent] {
        let (status, serving) = app
            .post(&signups, &json!({"role": "volunteer"}), Some(token))
            .await;
        assert_eq!(
            (status, serving["status"].as_str()),
            (StatusCode::CREATED, Some("confirmed"))
        );
    }
    let (status, _) = app
        .post(&signups, &json!({"role": "volunteer"}), Some(&resident))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a resident outside any team cannot serve as a volunteer"
    );
    let (_, activity) = app
        .get(&format!("/api/v1/kepu/activities/{id}"), None)
        .await;
    assert_eq!(activity["confirmed"], 0, "volunteers take no seats");
    assert_eq!(
        figure(&app, "511623", "volunteer_hours").await,
        0.0,
        "signing up earns nothing"
    );

    app.app.clock.advance(Duration::hours(2));
    let (status, done) = check_in(&app, id, &code_for(&app, id, &county).await, &volunteer).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    assert_eq!(done["minutes"], 120);
    assert_eq!(figure(&app, "511623", "volunteer_hours").await, 2.0);
    assert_eq!(
        figure(&app, "511623", "kepu_services").await,
        0.0,
        "serving is not being served"
    );
}

async fn volunteer_hours_cannot_be_farmed_and_posts_attach_only_what_is_theirs(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let (_, place) = app
        .post(
            "/api/v1/kepu/places",
            &place_body("鼎屏镇科普e站", "511623"),
            Some(&county),
        )
        .await;
    let place_id = place["id"].as_i64().unwrap();
    let (_, manager_phone) = app.register("volunteer", "站长", "511623").await;
    let manager = app.login(&manager_phone).await;
    app.post(
        &format!("/api/v1/kepu/places/{place_id}/managers"),
        &json!({"phone": manager_phone}),
        Some(&county),
    )
    .await;
    let at_place = |title: &str, hours: i64| {
        let mut body = activity_body(&app, title, "511623", 20, hours);
        body["place_id"] = json!(place_id);
        body
    };
    // The place's manager posts at the place, but may not serve (and time) their own activity.
    let own = post_activity(&app, &manager, &at_place("站长的活动", 2)).await;
    let (status, refused) = app
        .post(
            &format!("/api/v1/kepu/activities/{own}/signups"),
            &json!({"role": "volunteer"}),
            Some(&manager),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    // An activity at a place happens inside the place's region, not above it.
    let mut above = at_place("越级的活动", 48);
    above["region_code"] = json!("51");
    let (status, error) = app
        .post("/api/v1/kepu/activities", &above, Some(&manager))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(error["error"]["fields"]["region_code"].is_string());
    // A team's leader cannot attach a place they do not run.
    let (_, leader_phone) = app.register("volunteer", "队长", "511623").await;
    let leader = app.login(&leader_phone).await;
    tianfu::on_db!(&app.app.db, pool => async {
        let now = chrono::Utc::now();
        let team: i64 = sqlx::query_scalar("INSERT INTO kepu_teams (name, region_code, fields, intro, created_by, created_at) \
             VALUES ('邻水县科技志愿服务队', '511623', '[]', '', 1, $1) RETURNING id").bind(now).fetch_one(pool).await.unwrap();
        sqlx::query("INSERT INTO kepu_team_members (team_id, user_id, role, joined_at) \
             SELECT $1, id, 'leader', $2 FROM users WHERE phone = $3").bind(team).bind(now).bind(&leader_phone)
            .execute(pool).await.unwrap();
    }.await);
    let mut borrowed = at_place("借用场所", 48);
    borrowed["team_id"] = json!(1);
    let (status, _) = app
        .post("/api/v1/kepu/activities", &borrowed, Some(&leader))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut team_only = activity_body(&app, "服务队进村", "511623", 20, 48);
    team_only["team_id"] = json!(1);
    let (status, created) = app
        .post("/api/v1/kepu/activities", &team_only, Some(&leader))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let mut elsewhere = team_only.clone();
    elsewhere["region_code"] = json!("511602");
    let (status, _) = app
        .post("/api/v1/kepu/activities", &elsewhere, Some(&leader))
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a team posts in its own region"
    );
    // A team's activity is served by its members only.
    let outsider = person(&app, "volunteer", "外队志愿者", "511623").await;
    let team_activity = created["id"].as_i64().unwrap();
    let (status, _) = app
        .post(
            &format!("/api/v1/kepu/activities/{team_activity}/signups"),
            &json!({"role": "volunteer"}),
            Some(&outsider),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // One volunteer, two overlapping activities: the hours count once.
    let volunteer = person(&app, "volunteer", "志愿者", "511623").await;
    let first = post_activity(
        &app,
        &county,
        &activity_body(&app, "上午场", "511623", 20, 2),
    )
    .await;
    let mut body = activity_body(&app, "重叠场", "511623", 20, 2);
    body["starts_at"] = json!((app.app.clock.now() + Duration::minutes(150)).to_rfc3339());
    body["ends_at"] = json!((app.app.clock.now() + Duration::minutes(270)).to_rfc3339());
    let second = post_activity(&app, &county, &body).await;
    for id in [first, second] {
        let (status, _) = app
            .post(
                &format!("/api/v1/kepu/activities/{id}/signups"),
                &json!({"role": "volunteer"}),
                Some(&volunteer),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    app.app.clock.advance(Duration::minutes(140));
    let (status, _) = check_in(
        &app,
        first,
        &code_for(&app, first, &county).await,
        &volunteer,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, overlap) = check_in(
        &app,
        second,
        &code_for(&app, second, &county).await,
        &volunteer,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{overlap}");
    assert!(
        overlap["error"]["message"]
            .as_str()
            .unwrap()
            .contains("不能重复计算")
    );
    // Arriving 20 minutes late, 100 of the 120 minutes count.
    assert!((figure(&app, "511623", "volunteer_hours").await - 100.0 / 60.0).abs() < 1e-9);
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

async fn a_phone_signs_up_scans_and_checks_in_through_the_pages(app: TestApp) {
    let county = app.staff("511623", "kepu").await;
    let id = post_activity(
        &app,
        &county,
        &activity_body(&app, "蛋鸡养殖技术培训", "511623", 5, 1),
    )
    .await;
    let code = code_for(&app, id, &county).await;
    let (_, phone) = app.register("public", "养鸡户", "511623").await;
    let browser = app.browser();
    let login = browser
        .post(format!("{}/login", app.url))
        .form(&[
            ("phone", phone.as_str()),
            ("password", crate::common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert!(login.status().is_success() || login.status().is_redirection());
    let signed = browser
        .post(format!("{}/kepu/activities/{id}/signup", app.url))
        .form(&[("role", "attendee")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER);
    let next = signed.headers()["location"].to_str().unwrap().to_owned();
    let page = browser
        .get(format!("{}{next}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("报名成功"), "{page}");
    let scan = browser
        .get(format!(
            "{}/kepu/checkin?activity={id}&code={code}",
            app.url
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        scan.contains("确认签到") && scan.contains("蛋鸡养殖技术培训"),
        "{scan}"
    );
    let done = browser
        .post(format!("{}/kepu/checkin", app.url))
        .form(&[("activity", id.to_string()), ("code", code.clone())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(done.contains("签到成功"), "{done}");
    let mine = browser
        .get(format!("{}/me/activities", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(mine.contains("已签到"), "{mine}");
}

on_both_databases!(
    the_map_outlines_join_sichuans_cities_and_counties_by_code,
    places_are_kept_by_the_regions_kepu_staff,
    only_staff_places_and_team_leaders_post_activities,
    concurrent_sign_ups_fill_exactly_the_capacity,
    the_waiting_list_moves_up_when_someone_cancels,
    check_in_codes_serve_one_account_once_and_expire,
    volunteer_hours_come_from_verified_check_ins_only,
    volunteer_hours_cannot_be_farmed_and_posts_attach_only_what_is_theirs,
    only_those_who_run_an_activity_see_its_roster_and_codes,
    a_phone_signs_up_scans_and_checks_in_through_the_pages,
);
