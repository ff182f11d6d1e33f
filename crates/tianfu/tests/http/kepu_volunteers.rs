//! 科技志愿者 and 志愿服务队 over HTTP: teams formed by the region's 全民科普服务部 staff, joining
//! and leaving, leaders managing members, questions routed to a team by its fields, and hours
//! read back from the ledger — only verified check-ins count, the certificate agrees with the
//! province's figure, and nobody reads anyone else's hours.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::kepu::person;
use crate::kepu_activities::{activity_body, post_activity, sign_up};
use crate::on_both_databases;

const COUNTY: &str = "511623"; // 邻水县, 广安市
const TEAM: &str = "邻水县柑橘科技志愿服务队";

fn team_body(name: &str, region: &str, leader_phone: &str) -> Value {
    json!({
        "name": name, "region_code": region, "fields": ["农业技术", "柑橘"],
        "intro": "农技人员和返乡大学生组成，服务全县柑橘产区。", "leader_phone": leader_phone,
    })
}

/// A team formed by the county's staff, led by a new volunteer: (team id, leader's token,
/// leader's id).
async fn team_with_leader(app: &TestApp, name: &str, fields: Value) -> (i64, String, i64) {
    let county = app.staff(COUNTY, "kepu").await;
    let (leader_id, leader_phone) = app.register("volunteer", "队长老周", COUNTY).await;
    let mut body = team_body(name, COUNTY, &leader_phone);
    body["fields"] = fields;
    let (status, team) = app.post("/api/v1/kepu/teams", &body, Some(&county)).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    (
        team["id"].as_i64().unwrap(),
        app.login(&leader_phone).await,
        leader_id,
    )
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

fn member_names(team: &Value) -> Vec<String> {
    team["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect()
}

/// A browser signed in as the owner of `phone`.
async fn signed_in(app: &TestApp, phone: &str) -> reqwest::Client {
    app.signed_in(phone).await
}

async fn page(browser: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    app.settle().await;
    let response = browser
        .get(format!("{}{path}", app.url))
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn teams_are_formed_by_kepu_staff_within_their_region(app: TestApp) {
    let county = app.staff(COUNTY, "kepu").await;
    let (leader_id, leader_phone) = app.register("volunteer", "队长老周", COUNTY).await;
    let body = team_body(TEAM, COUNTY, &leader_phone);

    // A resident, another county's staff, the county's staff of another department: 403.
    let resident = person(&app, "public", "村民", COUNTY).await;
    let other_county = app.staff("511602", "kepu").await;
    let other_department = app.staff(COUNTY, "worker").await;
    for token in [&resident, &other_county, &other_department] {
        let (status, refused) = app.post("/api/v1/kepu/teams", &body, Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    }
    let (status, _) = app.post("/api/v1/kepu/teams", &body, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("kepu_teams").await, 0);

    // Every bad field at once, in Chinese; a resident cannot lead.
    let (status, refused) = app
        .post(
            "/api/v1/kepu/teams",
            &json!({"name": " ", "region_code": "519999", "fields": [" "], "leader_phone": "123"}),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    for field in ["name", "region_code", "fields", "leader_phone"] {
        assert!(
            refused["error"]["fields"][field].is_string(),
            "{field}: {refused}"
        );
    }
    let (_, resident_phone) = app.register("public", "村民乙", COUNTY).await;
    let (status, refused) = app
        .post(
            "/api/v1/kepu/teams",
            &team_body(TEAM, COUNTY, &resident_phone),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(
        refused["error"]["fields"]["leader_phone"],
        "队长应为已注册的科技志愿者或科技工作者"
    );
    assert_eq!(app.count("kepu_teams").await, 0);

    let (status, team) = app.post("/api/v1/kepu/teams", &body, Some(&county)).await;
    assert_eq!(status, StatusCode::CREATED, "{team}");
    let id = team["id"].as_i64().unwrap();
    assert_eq!(team["fields"], json!(["agriculture", "柑橘"]));
    assert_eq!(team["field_labels"], json!(["农业技术", "柑橘"]));
    assert_eq!(team["members_total"], 1);
    assert_eq!(team["members"][0]["user_id"], leader_id);
    assert_eq!(team["members"][0]["role"], "leader");
    let leader = app.login(&leader_phone).await;
    let (_, notes) = app.get("/api/v1/notifications", Some(&leader)).await;
    assert!(
        notes.to_string().contains(&format!("/kepu/teams/{id}")),
        "{notes}"
    );

    // The name is unique: 409 naming the field, nothing written.
    let (status, refused) = app.post("/api/v1/kepu/teams", &body, Some(&county)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert_eq!(
        refused["error"]["fields"]["name"],
        "该队名已被使用，请换一个"
    );
    assert_eq!(app.count("kepu_teams").await, 1);
    assert_eq!(app.count("kepu_team_members").await, 1);

    // The city's staff form teams in its counties; lists are by region and paged.
    let city = app.staff("5116", "kepu").await;
    let (status, _) = app
        .post(
            "/api/v1/kepu/teams",
            &team_body("广安市健康科普志愿服务队", "511602", &leader_phone),
            Some(&city),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, county_list) = app.get("/api/v1/kepu/teams?region_code=511623", None).await;
    assert_eq!(county_list["total"], 1, "{county_list}");
    assert_eq!(county_list["items"][0]["members"], 1);
    let (_, city_list) = app
        .get("/api/v1/kepu/teams?region_code=5116&per_page=1", None)
        .await;
    assert_eq!(
        (
            city_list["total"].as_i64(),
            city_list["items"].as_array().unwrap().len()
        ),
        (Some(2), 1)
    );
    let (_, elsewhere) = app.get("/api/v1/kepu/teams?region_code=5110", None).await;
    assert_eq!(elsewhere["total"], 0);
    let (status, _) = app.get("/api/v1/kepu/teams?region_code=999", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn volunteers_join_and_leave_and_leaders_manage_members(app: TestApp) {
    let (id, leader, leader_id) = team_with_leader(&app, TEAM, json!(["柑橘"])).await;
    let members = format!("/api/v1/kepu/teams/{id}/members");
    let (volunteer_id, volunteer_phone) = app.register("volunteer", "志愿者小李", COUNTY).await;
    let volunteer = app.login(&volunteer_phone).await;

    // Volunteers and scientists join themselves, once; a resident cannot.
    let (status, joined) = app.post(&members, &json!({}), Some(&volunteer)).await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    assert_eq!(
        (joined["user_id"].as_i64(), joined["role"].as_str()),
        (Some(volunteer_id), Some("member"))
    );
    let (status, _) = app.post(&members, &json!({}), Some(&volunteer)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .post(&members, &json!({"role": "leader"}), Some(&volunteer))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let resident = person(&app, "public", "村民", COUNTY).await;
    let (status, _) = app.post(&members, &json!({}), Some(&resident)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (scientist_id, scientist_phone) = app.register("worker", "王农艺师", "511602").await;
    let scientist = app.login(&scientist_phone).await;
    let (status, _) = app.post(&members, &json!({}), Some(&scientist)).await;
    assert_eq!(status, StatusCode::CREATED);

    // Only leaders (and the region's staff) add and remove others.
    let (newcomer_id, newcomer_phone) = app.register("volunteer", "志愿者小张", COUNTY).await;
    let (status, _) = app
        .post(
            &members,
            &json!({"phone": newcomer_phone}),
            Some(&volunteer),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = delete(&app, &format!("{members}/{scientist_id}"), &volunteer).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, added) = app
        .post(&members, &json!({"phone": newcomer_phone}), Some(&leader))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["user_id"], newcomer_id);
    let (status, again) = app
        .post(&members, &json!({"phone": newcomer_phone}), Some(&leader))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(again["error"]["fields"]["phone"], "此人已是该队队员");
    let (_, resident_phone) = app.register("public", "村民丙", COUNTY).await;
    let (status, refused) = app
        .post(&members, &json!({"phone": resident_phone}), Some(&leader))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused["error"]["fields"]["phone"].is_string());
    let (status, _) = delete(&app, &format!("{members}/{scientist_id}"), &leader).await;
    assert_eq!(status, StatusCode::OK);
    let (_, team) = app
        .get(&format!("/api/v1/kepu/teams/{id}"), Some(&volunteer))
        .await;
    assert_eq!(team["members_total"], 3, "{team}");
    assert_eq!(team["my_role"], "member");
    assert!(!member_names(&team).contains(&"王农艺师".to_owned()));
    assert_eq!(member_names(&team)[0], "队长老周", "leaders first");

    // The only leader cannot leave until another leader is named; then they may.
    let (status, refused) = delete(&app, &format!("{members}/{leader_id}"), &leader).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let (status, refused) = delete(
        &app,
        &format!("{members}/{leader_id}"),
        &app.staff(COUNTY, "kepu").await,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let (status, _) = app
        .post(
            &members,
            &json!({"phone": scientist_phone, "role": "leader"}),
            Some(&leader),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = delete(&app, &format!("{members}/{leader_id}"), &leader).await;
    assert_eq!(status, StatusCode::OK);

    // Members leave themselves; the region's staff manage, another county's do not.
    let (status, _) = delete(&app, &format!("{members}/{volunteer_id}"), &volunteer).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = delete(&app, &format!("{members}/{volunteer_id}"), &volunteer).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let outsider = app.staff("511602", "kepu").await;
    let (status, _) = delete(&app, &format!("{members}/{newcomer_id}"), &outsider).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let county = app.staff(COUNTY, "kepu").await;
    let (status, _) = delete(&app, &format!("{members}/{newcomer_id}"), &county).await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = app.get(&format!("{members}?per_page=10"), None).await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["user_id"], scientist_id);
    assert_eq!(list["items"][0]["role"], "leader");
    let (status, _) = app.get("/api/v1/kepu/teams/999999/members", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn figure(app: &TestApp, region: &str, metric: &str) -> f64 {
    let staff = app.staff("51", "kepu").await;
    let (status, figures) = app
        .get(&format!("/api/v1/stats/regions/{region}"), Some(&staff))
        .await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    figures["metrics"][metric].as_f64().unwrap()
}

async fn hours_come_from_verified_check_ins_and_agree_with_the_province(app: TestApp) {
    let (team, leader, _) = team_with_leader(&app, TEAM, json!(["agriculture"])).await;
    let (worker_id, worker_phone) = app.register("worker", "王农艺师", COUNTY).await;
    let worker = app.login(&worker_phone).await;
    let (status, _) = app
        .post(
            &format!("/api/v1/kepu/teams/{team}/members"),
            &json!({}),
            Some(&worker),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut body = activity_body(&app, "柑橘冬季清园技术指导", COUNTY, 30, 2);
    body["team_id"] = json!(team);
    let activity = post_activity(&app, &leader, &body).await;
    let absent = person(&app, "volunteer", "只报名不到场", COUNTY).await;
    let (status, _) = sign_up(&app, activity, "volunteer", &absent).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a team's activity is served by its members"
    );
    let (status, _) = app
        .post(
            &format!("/api/v1/kepu/teams/{team}/members"),
            &json!({}),
            Some(&absent),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for token in [&worker, &absent] {
        let (status, signed) = sign_up(&app, activity, "volunteer", token).await;
        assert_eq!(status, StatusCode::CREATED, "{signed}");
    }

    // Signing up earns nothing.
    let (status, none) = app.get("/api/v1/me/volunteer-hours", Some(&worker)).await;
    assert_eq!(status, StatusCode::OK, "{none}");
    assert_eq!(
        (
            none["minutes"].as_i64(),
            none["items"].as_array().unwrap().len()
        ),
        (Some(0), 0)
    );

    // Checked in with the venue's code: the activity's minutes, from the ledger.
    app.app.clock.advance(Duration::hours(2));
    let (status, code) = app
        .post(
            &format!("/api/v1/kepu/activities/{activity}/codes"),
            &json!({}),
            Some(&leader),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{code}");
    let (status, done) = app
        .post(
            &format!("/api/v1/kepu/activities/{activity}/checkins"),
            &json!({"code": code["code"]}),
            Some(&worker),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let year = tianfu::kepu::volunteers::rules::year_of(app.app.clock.now());
    let (_, served) = app
        .get(
            &format!("/api/v1/me/volunteer-hours?year={year}"),
            Some(&worker),
        )
        .await;
    assert_eq!(served["year"], year);
    assert_eq!(served["minutes"], 120, "{served}");
    assert_eq!(served["hours"], 2.0);
    assert_eq!(served["items"][0]["activity_id"], activity);
    assert_eq!(served["items"][0]["title"], "柑橘冬季清园技术指导");
    assert_eq!(served["items"][0]["team_name"], TEAM);
    assert_eq!(served["items"][0]["minutes"], 120);
    let (_, absent_hours) = app.get("/api/v1/me/volunteer-hours", Some(&absent)).await;
    assert_eq!(absent_hours["minutes"], 0, "signed up, never checked in");

    // Only ever my own: another person asking about me gets their own; nobody unsigned.
    let (_, theirs) = app
        .get(
            &format!("/api/v1/me/volunteer-hours?user_id={worker_id}"),
            Some(&leader),
        )
        .await;
    assert_eq!(theirs["minutes"], 0, "{theirs}");
    let (status, _) = app.get("/api/v1/me/volunteer-hours", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, refused) = app
        .get("/api/v1/me/volunteer-hours?year=1999", Some(&worker))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused["error"]["fields"]["year"].is_string());
    let (_, last_year) = app
        .get(
            &format!("/api/v1/me/volunteer-hours?year={}", year - 1),
            Some(&worker),
        )
        .await;
    assert_eq!(last_year["minutes"], 0);

    // The team's figure, the province's figure and the certificate agree.
    let (_, team_view) = app.get(&format!("/api/v1/kepu/teams/{team}"), None).await;
    assert_eq!(team_view["minutes_this_year"], 120, "{team_view}");
    let province = figure(&app, COUNTY, "volunteer_hours").await;
    assert_eq!(province, 2.0);
    let browser = signed_in(&app, &worker_phone).await;
    let (status, certificate) = page(
        &browser,
        &app,
        &format!("/me/volunteer/certificate?year={year}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        certificate.contains(&format!("<strong id=\"cert-hours\">{province:.1}</strong>")),
        "{certificate}"
    );
    let masked = format!("{}****{}", &worker_phone[..3], &worker_phone[7..]);
    for text in [
        "志愿服务时长证明",
        "王农艺师",
        masked.as_str(),
        TEAM,
        "柑橘冬季清园技术指导",
        "天府科技云服务中心",
        "data-print",
        &tianfu::kepu::volunteers::rules::verification_number(worker_id, year, 120),
    ] {
        assert!(certificate.contains(text), "{text}: {certificate}");
    }
    // The print rules live in the site's stylesheet (the CSP allows no <style> blocks).
    let css = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/static/app.css"))
        .expect("app.css");
    assert!(css.contains("body:has(#certificate) .site-header"));
    assert!(!certificate.contains(&worker_phone), "the phone is masked");
    let (_, mine) = page(&browser, &app, &format!("/me/volunteer?year={year}")).await;
    assert!(
        mine.contains("<strong class=\"big-figure\" id=\"hours\">2.0</strong>")
            && mine.contains(TEAM),
        "{mine}"
    );
    let (status, _) = page(&app.browser(), &app, "/me/volunteer/certificate").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed in only");

    // Staff read the team's and their region's volunteers' hours, within their subtree.
    let county_phone = app.staff_member(COUNTY, "kepu", "邻水县科普部").await;
    let staff = signed_in(&app, &county_phone).await;
    let (status, console) = page(&staff, &app, "/admin/kepu/teams").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        console.contains(TEAM) && console.contains("王农艺师") && console.contains("2.0"),
        "{console}"
    );
    let (status, detail) = page(&staff, &app, &format!("/admin/kepu/teams/{team}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        detail.contains("<strong id=\"team-hours\">2.0</strong>"),
        "{detail}"
    );
    let outside_phone = app.staff_member("510104", "kepu", "锦江区科普部").await;
    let outside = signed_in(&app, &outside_phone).await;
    let (status, _) = page(&outside, &app, &format!("/admin/kepu/teams/{team}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, their_console) = page(&outside, &app, "/admin/kepu/teams").await;
    assert!(
        !their_console.contains("王农艺师"),
        "another region's volunteers stay out"
    );
}

async fn assigned(app: &TestApp, token: &str) -> Vec<i64> {
    let (status, list) = app
        .get("/api/v1/kepu/questions?assigned=me", Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let mut ids: Vec<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

async fn ask(app: &TestApp, token: &str, body: Value) -> i64 {
    let (status, question) = app.post("/api/v1/kepu/questions", &body, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{question}");
    question["id"].as_i64().unwrap()
}

async fn questions_in_a_teams_fields_reach_its_members(app: TestApp) {
    let (team, leader, _) = team_with_leader(&app, TEAM, json!(["health", "柑橘"])).await;
    let (_, member_phone) = app.register("worker", "王农艺师", "511602").await;
    let member = app.login(&member_phone).await;
    app.post(
        &format!("/api/v1/kepu/teams/{team}/members"),
        &json!({}),
        Some(&member),
    )
    .await;
    // A team of the same fields in another city does not hear from 邻水县.
    let chengdu = app.staff("5101", "kepu").await;
    let (_, far_phone) = app.register("volunteer", "成都志愿者", "510104").await;
    let (status, _) = app
        .post(
            "/api/v1/kepu/teams",
            &json!({"name": "成都柑橘志愿服务队", "region_code": "510104", "fields": ["柑橘", "health"], "leader_phone": far_phone}),
            Some(&chengdu),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let far = app.login(&far_phone).await;

    let resident = person(&app, "public", "张大妈", COUNTY).await;
    let by_word = ask(
        &app,
        &resident,
        json!({"title": "柑橘裂果是什么原因", "body": "今年果子裂得多"}),
    )
    .await;
    let by_channel = ask(
        &app,
        &resident,
        json!({"title": "老人血压高饮食要注意什么", "channel": "health"}),
    )
    .await;
    let unrelated = ask(
        &app,
        &resident,
        json!({"title": "天文望远镜怎么选", "channel": "earth"}),
    )
    .await;
    assert_eq!(assigned(&app, &leader).await, [by_word, by_channel]);
    assert_eq!(assigned(&app, &member).await, [by_word, by_channel]);
    assert!(assigned(&app, &far).await.is_empty(), "another city's team");
    let (_, question) = app
        .get(
            &format!("/api/v1/kepu/questions/{by_word}"),
            Some(&resident),
        )
        .await;
    let route = question["routes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "王农艺师")
        .unwrap_or_else(|| panic!("{question}"))
        .clone();
    assert_eq!(route["reason"], format!("team:{TEAM}"));
    assert_eq!(route["reason_label"], format!("志愿服务队“{TEAM}”"));
    let (_, notes) = app.get("/api/v1/notifications", Some(&member)).await;
    assert!(
        notes
            .to_string()
            .contains(&format!("/kepu/questions/{by_word}")),
        "{notes}"
    );
    assert!(!assigned(&app, &leader).await.contains(&unrelated));
    // Routed members answer, as anyone routed does.
    let (status, answer) = app
        .post(
            &format!("/api/v1/kepu/questions/{by_word}/answers"),
            &json!({"body": "多是水分忽干忽湿引起，注意均衡灌溉并补钙。"}),
            Some(&member),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

async fn a_phone_joins_a_team_and_staff_form_one_through_the_pages(app: TestApp) {
    // Staff form a team through the form; a bad field comes back named, a taken name as 409.
    let staff_phone = app.staff_member(COUNTY, "kepu", "邻水县科普部").await;
    let staff = signed_in(&app, &staff_phone).await;
    let (_, leader_phone) = app.register("volunteer", "队长老周", COUNTY).await;
    let (status, console) = page(&staff, &app, "/admin/kepu/teams").await;
    assert_eq!(status, StatusCode::OK);
    assert!(console.contains("组建志愿服务队"), "{console}");
    let form = |name: &str, leader: &str| {
        vec![
            ("name".to_owned(), name.to_owned()),
            ("region_code".to_owned(), COUNTY.to_owned()),
            ("channels".to_owned(), "agriculture".to_owned()),
            ("tags".to_owned(), "柑橘、脐橙".to_owned()),
            ("leader_phone".to_owned(), leader.to_owned()),
            ("intro".to_owned(), String::new()),
        ]
    };
    let refused = staff
        .post(format!("{}/admin/kepu/teams", app.url))
        .form(&form(TEAM, "13000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("该手机号尚未注册"));
    let created = staff
        .post(format!("{}/admin/kepu/teams", app.url))
        .form(&form(TEAM, &leader_phone))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::SEE_OTHER);
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let team: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let (status, detail) = page(&staff, &app, &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        detail.contains(TEAM) && detail.contains("农业技术、柑橘、脐橙"),
        "{detail}"
    );
    let taken = staff
        .post(format!("{}/admin/kepu/teams", app.url))
        .form(&form(TEAM, &leader_phone))
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    assert!(taken.text().await.unwrap().contains("该队名已被使用"));

    // A volunteer of the city finds it near them and joins with one button.
    let (_, phone) = app.register("volunteer", "志愿者小李", "511602").await;
    let browser = signed_in(&app, &phone).await;
    let (_, near) = page(&browser, &app, "/kepu/teams").await;
    assert!(
        near.contains(TEAM) && near.contains(&format!("/kepu/teams/{team}/join")),
        "{near}"
    );
    let joined = browser
        .post(format!("{}/kepu/teams/{team}/join", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), StatusCode::SEE_OTHER);
    let next = joined.headers()["location"].to_str().unwrap().to_owned();
    let (_, shown) = page(&browser, &app, &next).await;
    assert!(
        shown.contains("已加入志愿服务队") && shown.contains("我是队员"),
        "{shown}"
    );
    let again = browser
        .post(format!("{}/kepu/teams/{team}/join", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.unwrap().contains("您已是该队队员"));
    let (_, mine) = page(&browser, &app, "/me/volunteer").await;
    assert!(mine.contains(TEAM) && mine.contains("0.0"), "{mine}");

    // The only leader leaving is refused on the page, with the reason.
    let leader = signed_in(&app, &leader_phone).await;
    let refused = leader
        .post(format!("{}/kepu/teams/{team}/leave", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains("唯一的队长"));
    let (_, theirs) = page(&leader, &app, &format!("/kepu/teams/{team}")).await;
    assert!(
        theirs.contains("添加队员") && theirs.contains("移除"),
        "{theirs}"
    );
}

on_both_databases!(
    teams_are_formed_by_kepu_staff_within_their_region,
    volunteers_join_and_leave_and_leaders_manage_members,
    hours_come_from_verified_check_ins_and_agree_with_the_province,
    questions_in_a_teams_fields_reach_its_members,
    a_phone_joins_a_team_and_staff_form_one_through_the_pages,
);
