//! 精准推送: who may push where, who receives what, the weekly limit, and the campaign's figures.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;

/// A resource published by the province's 全民科普服务部.
async fn published_resource(app: &TestApp, title: &str) -> i64 {
    let kepu = app.staff("51", "kepu").await;
    crate::kepu::publish(
        app,
        &kepu,
        &crate::kepu::resource_body(title, "agriculture", &[], None),
    )
    .await
}

/// A resource a scientist submitted, still waiting for review.
async fn unreviewed_resource(app: &TestApp, title: &str) -> i64 {
    let scientist = crate::kepu::person(app, "worker", "投稿人", "5116").await;
    let (status, created) = app
        .post(
            "/api/v1/kepu/resources",
            &crate::kepu::resource_body(title, "agriculture", &[], None),
            Some(&scientist),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "pending");
    created["id"].as_i64().unwrap()
}

/// A resident's audience group and chosen interests, set as they would set them.
async fn set_profile(app: &TestApp, token: &str, audience: &str, interests: &[&str]) {
    let response = app
        .client
        .put(format!("{}/api/v1/me/profile", app.url))
        .bearer_auth(token)
        .json(&json!({"audience": audience, "interests": interests}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
}

/// A resident registered in `region`, signed in.
async fn resident(app: &TestApp, name: &str, region: &str) -> (i64, String) {
    let (id, phone) = app.register("public", name, region).await;
    (id, app.login(&phone).await)
}

/// The resident's notifications that are pushes.
async fn pushes_received(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, body) = app.get("/api/v1/notifications", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| {
            n["text"]
                .as_str()
                .unwrap_or_default()
                .starts_with("科普推送")
        })
        .cloned()
        .collect()
}

async fn a_targeted_push_reaches_its_audience_and_no_one_else(app: TestApp) {
    let kepu = app.staff("5116", "kepu").await;
    let resource = published_resource(&app, "柑橘冬季防冻").await;
    let (_, farmer_token) = resident(&app, "农户甲", "511623").await;
    set_profile(&app, &farmer_token, "farmer", &["agriculture"]).await;
    let (_, tagged_token) = resident(&app, "农户乙", "511602").await;
    set_profile(&app, &tagged_token, "farmer", &["柑橘"]).await;
    let (_, elder_token) = resident(&app, "老人", "511623").await;
    set_profile(&app, &elder_token, "elder", &["agriculture"]).await;
    let (_, uninterested_token) = resident(&app, "农户丙", "511623").await;
    set_profile(&app, &uninterested_token, "farmer", &["health"]).await;
    let (_, elsewhere_token) = resident(&app, "成都农户", "510104").await;
    set_profile(&app, &elsewhere_token, "farmer", &["agriculture"]).await;

    let (status, preview) = app
        .get(
            "/api/v1/kepu/pushes/preview?region_code=5116&audiences=farmer&interests=agriculture,柑橘",
            Some(&kepu),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(preview["recipients"], 2);

    let body = json!({"resource_id": resource, "region_code": "5116", "audiences": ["farmer"], "interests": ["agriculture", "柑橘"]});
    let (status, created) = app.post("/api/v1/kepu/pushes", &body, Some(&kepu)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["recipients"], preview["recipients"]);
    let id = created["id"].as_i64().expect("id");

    for token in [&farmer_token, &tagged_token] {
        let got = pushes_received(&app, token).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0]["text"], "科普推送：柑橘冬季防冻");
        assert_eq!(
            got[0]["link"],
            format!("/kepu/resources/{resource}?push={id}")
        );
    }
    for token in [&elder_token, &uninterested_token, &elsewhere_token] {
        assert!(pushes_received(&app, token).await.is_empty());
    }

    let (status, push) = app
        .get(&format!("/api/v1/kepu/pushes/{id}"), Some(&kepu))
        .await;
    assert_eq!(status, StatusCode::OK, "{push}");
    assert_eq!(push["status"], "done");
    assert_eq!(push["recipients"], 2);
    assert_eq!(push["delivered"], 2);
    assert_eq!(push["waiting"], 0);
    assert_eq!(push["opened"], 0);
    assert_eq!(push["progress"], 1.0);
    let regions: Vec<(&str, i64)> = push["by_region"]
        .as_array()
        .expect("by_region")
        .iter()
        .map(|r| {
            (
                r["region_code"].as_str().unwrap(),
                r["delivered"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(regions, vec![("511602", 1), ("511623", 1)]);

    // Settling again sends nothing twice.
    app.settle().await;
    assert_eq!(pushes_received(&app, &farmer_token).await.len(), 1);
    assert_eq!(app.count("kepu_push_deliveries").await, 2);
    let booked: i64 = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar("SELECT quantity FROM ledger_events WHERE kind = 'kepu.pushed' AND subject_id = $1")
            .bind(id).fetch_one(pool).await.expect("kepu.pushed booked")
    });
    assert_eq!(booked, 2);

    let (status, list) = app.get("/api/v1/kepu/pushes", Some(&kepu)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);
    assert_eq!(list["items"][0]["delivered"], 2);
}

async fn staff_push_only_inside_their_county_and_only_from_kepu(app: TestApp) {
    let (_, other_county) = resident(&app, "武胜居民", "511622").await;
    let resource = published_resource(&app, "防溺水").await;
    let linshui = app.staff("511623", "kepu").await;
    let body = json!({"resource_id": resource, "region_code": "511622"});
    let (status, reply) = app.post("/api/v1/kepu/pushes", &body, Some(&linshui)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
    assert_eq!(reply["error"]["code"], "forbidden");
    let (status, _) = app
        .get(
            "/api/v1/kepu/pushes/preview?region_code=511622",
            Some(&linshui),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The city above is outside a county's scope too.
    let body = json!({"resource_id": resource, "region_code": "5116"});
    let (status, _) = app.post("/api/v1/kepu/pushes", &body, Some(&linshui)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Staff of another department, and residents, may not push at all.
    let worker_staff = app.staff("5116", "worker").await;
    let body = json!({"resource_id": resource, "region_code": "511622"});
    let (status, reply) = app
        .post("/api/v1/kepu/pushes", &body, Some(&worker_staff))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("全民科普服务部")
    );
    let (status, _) = app.get("/api/v1/kepu/pushes", Some(&worker_staff)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .post("/api/v1/kepu/pushes", &body, Some(&other_county))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("kepu_pushes").await, 0);
    assert!(pushes_received(&app, &other_county).await.is_empty());
    assert!(
        app.audit_actions()
            .await
            .contains(&"permission.denied".to_owned())
    );

    // The county's own push goes through; another county's staff cannot read it.
    let wusheng = app.staff("511622", "kepu").await;
    let (status, created) = app.post("/api/v1/kepu/pushes", &body, Some(&wusheng)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (status, _) = app
        .get(&format!("/api/v1/kepu/pushes/{id}"), Some(&linshui))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = app.get("/api/v1/kepu/pushes", Some(&linshui)).await;
    assert_eq!(list["total"], 0);
    let admin = app.admin().await;
    let (status, push) = app
        .get(&format!("/api/v1/kepu/pushes/{id}"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{push}");
    assert_eq!(push["delivered"], 1);
    assert_eq!(pushes_received(&app, &other_county).await.len(), 1);
}

async fn a_resident_gets_at_most_the_weekly_limit_and_the_rest_wait(app: TestApp) {
    let kepu = app.staff("511623", "kepu").await;
    let (_, token) = resident(&app, "常收推送的人", "511623").await;
    let per_week = app.app.config.kepu.pushes_per_week as usize;
    let mut ids = Vec::new();
    for n in 0..=per_week {
        let resource = published_resource(&app, &format!("科普第{n}期")).await;
        let body = json!({"resource_id": resource, "region_code": "511623"});
        let (status, created) = app.post("/api/v1/kepu/pushes", &body, Some(&kepu)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        ids.push(created["id"].as_i64().unwrap());
        app.settle().await;
    }
    assert_eq!(pushes_received(&app, &token).await.len(), per_week);
    let last = ids.last().unwrap();
    let (_, push) = app
        .get(&format!("/api/v1/kepu/pushes/{last}"), Some(&kepu))
        .await;
    assert_eq!(push["status"], "done");
    assert_eq!(push["delivered"], 0);
    assert_eq!(push["waiting"], 1);
    assert_eq!(push["by_region"][0]["waiting"], 1);

    // A week later the held push is delivered, once.
    app.app.clock.advance(Duration::days(8));
    app.settle().await;
    let got = pushes_received(&app, &token).await;
    assert_eq!(got.len(), per_week + 1);
    assert_eq!(got[0]["text"], format!("科普推送：科普第{per_week}期"));
    let (_, push) = app
        .get(&format!("/api/v1/kepu/pushes/{last}"), Some(&kepu))
        .await;
    assert_eq!(push["delivered"], 1);
    assert_eq!(push["waiting"], 0);
    app.settle().await;
    assert_eq!(pushes_received(&app, &token).await.len(), per_week + 1);
}

async fn bad_pushes_are_refused_naming_the_field_in_chinese(app: TestApp) {
    let kepu = app.staff("5116", "kepu").await;
    let draft = unreviewed_resource(&app, "草稿文章需要审核").await;
    let body = json!({"resource_id": draft, "region_code": "5199", "audiences": ["robot"], "interests": ["<b>"]});
    let (status, reply) = app.post("/api/v1/kepu/pushes", &body, Some(&kepu)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    let fields = &reply["error"]["fields"];
    assert!(
        fields["resource_id"].as_str().unwrap().contains("尚未发布"),
        "{reply}"
    );
    assert!(
        fields["region_code"].as_str().unwrap().contains("地区"),
        "{reply}"
    );
    assert!(
        fields["audiences"].as_str().unwrap().contains("robot"),
        "{reply}"
    );
    assert!(
        fields["interests"].as_str().unwrap().contains("兴趣"),
        "{reply}"
    );

    let body = json!({"resource_id": 999999, "region_code": "abc"});
    let (status, reply) = app.post("/api/v1/kepu/pushes", &body, Some(&kepu)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(
        reply["error"]["fields"]["resource_id"]
            .as_str()
            .unwrap()
            .contains("不存在")
    );
    assert!(
        reply["error"]["fields"]["region_code"]
            .as_str()
            .unwrap()
            .contains("推送地区")
    );

    let (status, reply) = app
        .post(
            "/api/v1/kepu/pushes",
            &json!({"region_code": "5116", "colour": "red"}),
            Some(&kepu),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{reply}");
    let (status, reply) = app
        .get("/api/v1/kepu/pushes/preview?region_code=", Some(&kepu))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert!(reply["error"]["fields"]["region_code"].is_string());
    let (status, _) = app.get("/api/v1/kepu/pushes/424242", Some(&kepu)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("kepu_pushes").await, 0);
}

async fn the_console_previews_then_sends(app: TestApp) {
    let phone = app.staff_member("5116", "kepu", "科普部小李").await;
    let resource = published_resource(&app, "秋冬季节防流感").await;
    let (_, token) = resident(&app, "岳池居民", "511621").await;
    let browser = app.signed_in(&phone).await;

    let page = browser
        .get(format!("{}/admin/kepu/pushes", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("预览人数") && html.contains("秋冬季节防流感"));
    assert!(!html.contains("id=\"send\""));

    let form = [
        ("resource_id", resource.to_string()),
        ("region_code", "5116".to_owned()),
        ("interests", String::new()),
    ];
    let preview = browser
        .post(format!("{}/admin/kepu/pushes", app.url))
        .form(&[&form[..], &[("action", "preview".to_owned())]].concat())
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    let html = preview.text().await.unwrap();
    assert!(html.contains("预计推送 <strong>1</strong> 人"), "{html}");
    assert!(html.contains("id=\"send\""));

    let sent = browser
        .post(format!("{}/admin/kepu/pushes", app.url))
        .form(&[&form[..], &[("action", "send".to_owned())]].concat())
        .send()
        .await
        .unwrap();
    assert!(sent.status().is_redirection(), "{}", sent.status());
    let location = sent.headers()["location"].to_str().unwrap().to_owned();
    app.settle().await;
    let html = browser
        .get(format!("{}{location}", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("已完成") && html.contains("岳池县"), "{html}");
    assert_eq!(pushes_received(&app, &token).await.len(), 1);

    let refused = browser
        .post(format!("{}/admin/kepu/pushes", app.url))
        .form(&[
            ("resource_id", "0"),
            ("region_code", "5116"),
            ("action", "send"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("请选择要推送的科普资源")
    );
}

async fn a_push_tops_the_feed_until_opened_and_the_opening_is_counted(app: TestApp) {
    let kepu = app.staff("5116", "kepu").await;
    for n in 0..3 {
        published_resource(&app, &format!("柑橘管理第{n}讲")).await;
    }
    let resource = published_resource(&app, "冬季用电安全须知").await;
    let (_, token) = resident(&app, "农户丁", "511623").await;
    set_profile(&app, &token, "farmer", &["agriculture"]).await;
    let (status, push) = app
        .post("/api/v1/kepu/pushes", &json!({"resource_id": resource, "region_code": "5116", "audiences": [], "interests": []}), Some(&kepu))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{push}");
    let push_id = push["id"].as_i64().unwrap();
    let (_, feed) = app.get("/api/v1/kepu/feed", Some(&token)).await;
    assert_eq!(
        feed["items"][0]["id"], resource,
        "the push tops the feed: {feed}"
    );
    assert_eq!(feed["items"][0]["pushed"], true);
    assert_eq!(feed["items"][0]["reason"], "精准推送给您");

    // The resident opens it: the delivery is opened, once, and it is a service (服务量).
    app.get(&format!("/api/v1/kepu/resources/{resource}"), Some(&token))
        .await;
    app.settle().await;
    app.app.clock.advance(chrono::Duration::minutes(3));
    app.settle().await;
    let (_, campaign) = app
        .get(&format!("/api/v1/kepu/pushes/{push_id}"), Some(&kepu))
        .await;
    assert_eq!(campaign["opened"], 1, "{campaign}");
    assert_eq!(campaign["open_rate"], 1.0, "{campaign}");
    let served: i64 = tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM ledger_events WHERE kind = 'kepu.served' AND source = 'push'").fetch_one(pool).await.unwrap());
    assert_eq!(served, 1);
    let (_, feed) = app.get("/api/v1/kepu/feed", Some(&token)).await;
    assert!(
        feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != resource),
        "read, so gone: {feed}"
    );
}

on_both_databases!(
    a_push_tops_the_feed_until_opened_and_the_opening_is_counted,
    a_targeted_push_reaches_its_audience_and_no_one_else,
    staff_push_only_inside_their_county_and_only_from_kepu,
    a_resident_gets_at_most_the_weekly_limit_and_the_rest_wait,
    bad_pushes_are_refused_naming_the_field_in_chinese,
    the_console_previews_then_sends,
);
