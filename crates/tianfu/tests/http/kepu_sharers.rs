//! 智慧科普传播员 (科普员): appointment and its scope, reads through share links, offline
//! activity reports, coverage of townships, and the pages.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;

/// 邻水县 and two of its townships; a township of 广安区 next door.
const COUNTY: &str = "511623";
const DINGPING: &str = "511623100";
const CHENGBEI: &str = "511623101";
const NEXT_DOOR: &str = "511602001";

/// A resident registered in `region`: (id, phone, token).
async fn resident(app: &TestApp, name: &str, region: &str) -> (i64, String, String) {
    let (id, phone) = app.register("public", name, region).await;
    let token = app.login(&phone).await;
    (id, phone, token)
}

async fn appoint(
    app: &TestApp,
    staff: &str,
    phone: &str,
    township: &str,
    village: Option<&str>,
) -> (StatusCode, Value) {
    app.post(
        "/api/v1/kepu/sharers",
        &json!({"phone": phone, "region_code": township, "village": village}),
        Some(staff),
    )
    .await
}

/// Appoints and answers the new 科普员's record.
async fn appointed(app: &TestApp, staff: &str, phone: &str, township: &str) -> Value {
    let (status, sharer) = appoint(app, staff, phone, township, None).await;
    assert_eq!(status, StatusCode::CREATED, "{sharer}");
    sharer
}

/// Lets two minutes pass so that the booking job settles the views, then settles.
async fn settle_views(app: &TestApp) {
    app.settle().await;
    app.app.clock.advance(chrono::Duration::minutes(3));
    app.settle().await;
}

fn fields(body: &Value) -> Vec<&str> {
    body["error"]["fields"]
        .as_object()
        .map(|f| f.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

async fn appointment_is_scoped_and_one_active_per_person(app: TestApp) {
    let county = app.staff(COUNTY, "kepu").await;
    let other_department = app.staff(COUNTY, "worker").await;
    let (person, phone, token) = resident(&app, "李秀英", COUNTY).await;

    // Only 全民科普服务部 staff appoint, and only inside their county.
    let (status, _) = appoint(&app, &other_department, &phone, DINGPING, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = appoint(&app, &county, &phone, NEXT_DOOR, None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a township of another county"
    );
    let (_, outsider_phone, _) = resident(&app, "外县群众", "511602").await;
    let (status, _) = appoint(&app, &county, &outsider_phone, DINGPING, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a person of another county");
    assert_eq!(app.count("kepu_sharers").await, 0);

    // Bad input is named, field by field.
    let (status, body) = appoint(&app, &county, "12345", COUNTY, Some(&"村".repeat(31))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), vec!["phone", "region_code", "village"]);
    let (status, body) = appoint(&app, &county, &phone, "511623999", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), vec!["region_code"]);
    let (_, scientist) = app.register("worker", "科学家", COUNTY).await;
    let (status, body) = appoint(&app, &county, &scientist, DINGPING, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["fields"]["phone"]
            .as_str()
            .unwrap()
            .contains("群众或科技志愿者")
    );
    assert_eq!(app.count("kepu_sharers").await, 0);

    let sharer = appointed(&app, &county, &phone, DINGPING).await;
    assert_eq!(sharer["user_id"], person);
    assert_eq!(sharer["status"], "active");
    assert_eq!(sharer["region_name"], "四川省 广安市 邻水县 鼎屏镇");
    let code = sharer["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 10);
    let (_, notices) = app.get("/api/v1/notifications", Some(&token)).await;
    assert!(notices.to_string().contains("智慧科普传播员"), "{notices}");

    // One active appointment per person, by phone or by id.
    let (status, body) = appoint(&app, &county, &phone, CHENGBEI, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = app
        .post(
            "/api/v1/kepu/sharers",
            &json!({"user_id": person, "region_code": CHENGBEI}),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Revoked once; the second time is a conflict and changes nothing.
    let id = sharer["id"].as_i64().unwrap();
    let revoke = format!("/api/v1/kepu/sharers/{id}/revoke");
    let (status, revoked) = app.post(&revoke, &json!({}), Some(&county)).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["status"], "revoked");
    let (status, _) = app.post(&revoke, &json!({}), Some(&county)).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Appointed again, elsewhere in the county: the same row and the same code.
    let again = appointed(&app, &county, &phone, CHENGBEI).await;
    assert_eq!(again["id"], id);
    assert_eq!(again["code"], code.as_str());
    assert_eq!(again["region_code"], CHENGBEI);
    assert_eq!(app.count("kepu_sharers").await, 1);

    // The city sees it; another city does not; a resident sees only their own.
    let city = app.staff("5116", "kepu").await;
    let (status, list) = app.get("/api/v1/kepu/sharers", Some(&city)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1);
    let neijiang = app.staff("5110", "kepu").await;
    let (_, list) = app.get("/api/v1/kepu/sharers", Some(&neijiang)).await;
    assert_eq!(list["total"], 0);
    let (status, _) = app
        .get(&format!("/api/v1/kepu/sharers/{id}"), Some(&neijiang))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .get("/api/v1/kepu/sharers?region_code=5110", Some(&city))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .get("/api/v1/kepu/sharers?status=gone", Some(&city))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (_, _, stranger) = resident(&app, "邻居", COUNTY).await;
    let (status, _) = app.get("/api/v1/kepu/sharers", Some(&stranger)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .get(&format!("/api/v1/kepu/sharers/{id}"), Some(&stranger))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another's dashboard data");
    let (status, _) = app.get("/api/v1/kepu/sharers/me", Some(&stranger)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, mine) = app.get("/api/v1/kepu/sharers/me", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["code"], code.as_str());
    let (status, own) = app
        .get(&format!("/api/v1/kepu/sharers/{id}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["id"], id);
}

async fn reads_through_a_link_count_once_per_reader_and_never_the_sharers_own(app: TestApp) {
    let kepu = app.staff("51", "kepu").await;
    let county = app.staff(COUNTY, "kepu").await;
    let resource = crate::kepu::publish(
        &app,
        &kepu,
        &crate::kepu::resource_body("柑橘冬季防冻", "agriculture", &["柑橘"], None),
    )
    .await;
    let (_, phone, sharer_token) = resident(&app, "科普员", COUNTY).await;
    let code = appointed(&app, &county, &phone, DINGPING).await["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, other_phone, other_token) = resident(&app, "另一位科普员", COUNTY).await;
    appointed(&app, &county, &other_phone, CHENGBEI).await;
    let (_, _, one) = resident(&app, "读者甲", COUNTY).await;
    let (_, _, two) = resident(&app, "读者乙", COUNTY).await;
    let (_, _, three) = resident(&app, "读者丙", COUNTY).await;

    let read = |token: String, from: String| {
        let app = &app;
        async move {
            let path = format!("/api/v1/kepu/resources/{resource}?from={from}");
            let (status, body) = app.get(&path, Some(&token)).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    };
    read(one.clone(), code.clone()).await;
    read(one.clone(), code.clone()).await; // a repeat within half an hour
    // Through the page, as a shared link is opened.
    let page = app
        .client
        .get(format!("{}/kepu/resources/{resource}?from={code}", app.url))
        .bearer_auth(&two)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    read(sharer_token.clone(), code.clone()).await; // their own read
    read(three.clone(), "unknown2code".into()).await; // nobody's code
    let (status, body) = app
        .get(
            &format!("/api/v1/kepu/resources/{resource}?from=bad-code!"),
            Some(&three),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), vec!["from"]);
    settle_views(&app).await;

    let (_, mine) = app
        .get("/api/v1/kepu/sharers/me", Some(&sharer_token))
        .await;
    assert_eq!(mine["reach"]["all_time"]["reads"], 2, "{mine}");
    assert_eq!(mine["reach"]["all_time"]["readers"], 2, "{mine}");
    assert_eq!(mine["reach"]["this_month"], mine["reach"]["all_time"]);
    assert_eq!(mine["top_resources"][0]["resource_id"], resource);
    assert_eq!(mine["top_resources"][0]["reads"], 2);
    let (_, other) = app.get("/api/v1/kepu/sharers/me", Some(&other_token)).await;
    assert_eq!(other["reach"]["all_time"]["reads"], 0, "{other}");

    // Staff see the same figures in their list.
    let (_, list) = app.get("/api/v1/kepu/sharers", Some(&county)).await;
    let total: i64 = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reach"]["all_time"]["reads"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 2, "the unknown code counts to nobody: {list}");
}

/// A tiny PNG, as far as the media check reads it.
fn png() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend((0..200u32).map(|i| (i % 251) as u8));
    bytes
}

async fn upload(app: &TestApp, token: &str, bytes: Vec<u8>) -> i64 {
    let response = app
        .client
        .post(format!("{}/api/v1/kepu/media", app.url))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn ledger_rows(app: &TestApp, kind: &str) -> i64 {
    app.settle().await;
    tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM ledger_events WHERE kind = $1").bind(kind).fetch_one(pool).await.unwrap())
}

async fn reports_are_confirmed_once_and_book_nothing_into_services(app: TestApp) {
    let county = app.staff(COUNTY, "kepu").await;
    let (_, phone, sharer) = resident(&app, "村信息员", COUNTY).await;
    appointed(&app, &county, &phone, DINGPING).await;
    let photo = upload(&app, &sharer, png()).await;
    let today = tianfu::platform::clock::shanghai_date(app.app.clock.now());
    let tomorrow = today + chrono::Duration::days(1);

    let (status, body) = app
        .post(
            "/api/v1/kepu/sharers/me/reports",
            &json!({"title": "", "held_on": tomorrow.to_string(), "place": "鼎屏镇文化站",
                "attendance": 0, "photos": [photo, 999999]}),
            Some(&sharer),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        fields(&body),
        vec!["attendance", "held_on", "photos", "title"]
    );
    let (_, _, stranger) = resident(&app, "不是科普员", COUNTY).await;
    // Someone else's picture is not this 科普员's evidence.
    let theirs = upload(&app, &stranger, {
        let mut other = png();
        other.push(7);
        other
    })
    .await;
    let (status, body) = app
        .post(
            "/api/v1/kepu/sharers/me/reports",
            &json!({"title": "借来的照片", "held_on": today.to_string(), "place": "鼎屏镇文化站",
                "attendance": 20, "photos": [theirs]}),
            Some(&sharer),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(fields(&body), vec!["photos"]);
    let report = json!({"title": "柑橘冬季管护讲座", "held_on": today.to_string(),
        "place": "鼎屏镇文化站", "attendance": 35, "photos": [photo], "note": "讲了防冻和修剪"});
    let (status, _) = app
        .post("/api/v1/kepu/sharers/me/reports", &report, Some(&stranger))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("kepu_sharer_reports").await, 0);

    let (status, created) = app
        .post("/api/v1/kepu/sharers/me/reports", &report, Some(&sharer))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "pending");
    assert_eq!(created["held_on"], today.to_string());
    assert!(
        created["photos"][0]
            .as_str()
            .unwrap()
            .starts_with("/kepu/media/")
    );
    let id = created["id"].as_i64().unwrap();
    let (_, mine) = app
        .get("/api/v1/kepu/sharers/me/reports", Some(&sharer))
        .await;
    assert_eq!(mine["total"], 1);

    // Only 科普 staff of the region decide.
    let review = format!("/api/v1/kepu/sharers/reports/{id}/review");
    let confirm = json!({"decision": "confirm"});
    for outsider in [
        app.staff("5110", "kepu").await,
        app.staff(COUNTY, "org").await,
        stranger.clone(),
    ] {
        let (status, _) = app.post(&review, &confirm, Some(&outsider)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (_, pending) = app.get("/api/v1/kepu/sharers/reports", Some(&county)).await;
    assert_eq!(pending["total"], 1, "{pending}");
    let (status, body) = app
        .post(&review, &json!({"decision": "maybe"}), Some(&county))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    let served_before = ledger_rows(&app, "kepu.served").await;
    let ledger_before = app.count("ledger_events").await;
    let (status, confirmed) = app.post(&review, &confirm, Some(&county)).await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["status"], "confirmed");
    let (status, _) = app.post(&review, &confirm, Some(&county)).await;
    assert_eq!(status, StatusCode::CONFLICT, "confirmed twice");
    let (status, _) = app
        .post(&review, &json!({"decision": "reject"}), Some(&county))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(ledger_rows(&app, "kepu.served").await, served_before);
    assert_eq!(app.count("ledger_events").await, ledger_before);

    let (_, me) = app.get("/api/v1/kepu/sharers/me", Some(&sharer)).await;
    assert_eq!(me["offline"]["confirmed"], 1, "{me}");
    assert_eq!(me["offline"]["confirmed_attendance"], 35);
    let (_, notices) = app.get("/api/v1/notifications", Some(&sharer)).await;
    assert!(notices.to_string().contains("已确认"), "{notices}");

    // A revoked 科普员 reports no more.
    let (_, list) = app.get("/api/v1/kepu/sharers", Some(&county)).await;
    let sharer_id = list["items"][0]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/kepu/sharers/{sharer_id}/revoke"),
        &json!({}),
        Some(&county),
    )
    .await;
    let (status, _) = app
        .post("/api/v1/kepu/sharers/me/reports", &report, Some(&sharer))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn coverage_names_the_townships_without_a_sharer(app: TestApp) {
    let county = app.staff(COUNTY, "kepu").await;
    for (name, township, village) in [
        ("甲", DINGPING, Some("观音桥村")),
        ("乙", DINGPING, None),
        ("丙", CHENGBEI, None),
    ] {
        let (_, phone, _) = resident(&app, name, COUNTY).await;
        let (status, body) = appoint(&app, &county, &phone, township, village).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, coverage) = app
        .get("/api/v1/kepu/sharers/coverage", Some(&county))
        .await;
    assert_eq!(status, StatusCode::OK, "{coverage}");
    assert_eq!(coverage["region_code"], COUNTY);
    let townships = coverage["townships"].as_i64().unwrap();
    assert!(townships > 20, "{coverage}");
    assert_eq!(coverage["covered"], 2);
    assert_eq!(coverage["uncovered"], townships - 2);
    assert_eq!(coverage["sharers"], 3);
    let items = coverage["counties"][0]["items"].as_array().unwrap();
    let township = |code: &str| items.iter().find(|t| t["region_code"] == code).unwrap();
    assert_eq!(township(DINGPING)["sharers"], 2);
    assert_eq!(township(DINGPING)["villages"], 1);
    assert_eq!(township("511623102")["sharers"], 0, "城南镇 has none");
    assert_eq!(
        items.iter().filter(|t| t["sharers"] == 0).count() as i64,
        townships - 2
    );

    // The city sees each of its counties; the county cannot look at the city.
    let city = app.staff("5116", "kepu").await;
    let (_, whole) = app
        .get(
            "/api/v1/kepu/sharers/coverage?region_code=5116",
            Some(&city),
        )
        .await;
    assert!(whole["counties"].as_array().unwrap().len() > 1, "{whole}");
    assert_eq!(whole["covered"], 2);
    let (status, _) = app
        .get(
            "/api/v1/kepu/sharers/coverage?region_code=5116",
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .get(
            "/api/v1/kepu/sharers/coverage?region_code=5199",
            Some(&city),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, _, resident_token) = resident(&app, "群众", COUNTY).await;
    let (status, _) = app
        .get("/api/v1/kepu/sharers/coverage", Some(&resident_token))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let html = app
        .client
        .get(format!("{}/admin/kepu/sharers/coverage", app.url))
        .bearer_auth(&county)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("城南镇") && html.contains("2 / ") && html.contains("uncovered"),
        "{html}"
    );
}

async fn the_dashboard_shows_a_sharer_their_code_and_refuses_others(app: TestApp) {
    let kepu = app.staff("51", "kepu").await;
    let county = app.staff(COUNTY, "kepu").await;
    let resource = crate::kepu::publish(
        &app,
        &kepu,
        &crate::kepu::resource_body("防范电信诈骗", "health", &["防诈骗"], None),
    )
    .await;
    let (_, phone, sharer) = resident(&app, "王建国", COUNTY).await;
    let (_, _, resident_token) = resident(&app, "普通群众", COUNTY).await;

    // Appointed through the console's form.
    let staff_page = |token: String, path: &'static str| {
        let app = &app;
        async move {
            let response = app
                .browser()
                .get(format!("{}{path}", app.url))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let (status, html) = staff_page(county.clone(), "/admin/kepu/sharers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("鼎屏镇"),
        "the form offers the county's townships"
    );
    let appointed = app
        .browser()
        .post(format!("{}/admin/kepu/sharers", app.url))
        .bearer_auth(&county)
        .form(&[
            ("phone", phone.as_str()),
            ("region_code", DINGPING),
            ("village", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(appointed.status(), StatusCode::SEE_OTHER);
    let again = app
        .browser()
        .post(format!("{}/admin/kepu/sharers", app.url))
        .bearer_auth(&county)
        .form(&[("phone", phone.as_str()), ("region_code", DINGPING)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.unwrap().contains("已是在任的科普员"));
    let (_, html) = staff_page(county.clone(), "/admin/kepu/sharers").await;
    assert!(html.contains("王建国"), "{html}");
    let (status, _) = staff_page(resident_token.clone(), "/admin/kepu/sharers").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, mine) = app.get("/api/v1/kepu/sharers/me", Some(&sharer)).await;
    let code = mine["code"].as_str().unwrap().to_owned();
    let (status, html) = staff_page(sharer.clone(), "/me/sharer").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&code), "{html}");
    assert!(html.contains(&format!("/kepu/resources/{resource}?from={code}")));
    let (status, html) = staff_page(resident_token.clone(), "/me/sharer").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("您还不是科普员"));
    let anonymous = app
        .browser()
        .get(format!("{}/me/sharer", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert_eq!(anonymous.headers()["location"], "/login?next=/me/sharer");

    // The resource page offers the 科普员 their link; nobody else.
    let resource_page = |token: String| {
        let app = &app;
        async move {
            app.client
                .get(format!("{}/kepu/resources/{resource}", app.url))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    assert!(
        resource_page(sharer.clone())
            .await
            .contains(&format!("?from={code}"))
    );
    assert!(
        !resource_page(resident_token.clone())
            .await
            .contains("?from=")
    );
    let qr = app
        .client
        .get(format!("{}/me/sharer/qr.svg?resource={resource}", app.url))
        .bearer_auth(&sharer)
        .send()
        .await
        .unwrap();
    assert_eq!(qr.status(), StatusCode::OK);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");

    // A report through the form: mistakes come back named, then it is listed.
    let today = tianfu::platform::clock::shanghai_date(app.app.clock.now()).to_string();
    let bad = app
        .browser()
        .post(format!("{}/me/sharer/reports", app.url))
        .bearer_auth(&sharer)
        .form(&[
            ("title", "入户宣讲"),
            ("held_on", today.as_str()),
            ("place", "观音桥村"),
            ("attendance", "很多"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("参与人数应为整数"));
    let good = app
        .browser()
        .post(format!("{}/me/sharer/reports", app.url))
        .bearer_auth(&sharer)
        .form(&[
            ("title", "入户宣讲"),
            ("held_on", today.as_str()),
            ("place", "观音桥村"),
            ("attendance", "12"),
            ("photos", ""),
            ("note", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), StatusCode::SEE_OTHER);
    let (_, html) = staff_page(sharer.clone(), "/me/sharer").await;
    assert!(
        html.contains("入户宣讲") && html.contains("待确认"),
        "{html}"
    );
    let (status, html) = staff_page(county.clone(), "/admin/kepu/sharers/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("入户宣讲"), "{html}");
}

on_both_databases!(
    appointment_is_scoped_and_one_active_per_person,
    reads_through_a_link_count_once_per_reader_and_never_the_sharers_own,
    reports_are_confirmed_once_and_book_nothing_into_services,
    coverage_names_the_townships_without_a_sharer,
    the_dashboard_shows_a_sharer_their_code_and_refuses_others,
);
