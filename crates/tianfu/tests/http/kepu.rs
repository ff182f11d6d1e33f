//! 精准科普 over HTTP: resources and their review, media, profiles, the aimed feed, and counts
//! that are exact and hard to game.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;

pub fn resource_body(title: &str, channel: &str, tags: &[&str], region: Option<&str>) -> Value {
    json!({
        "title": title,
        "body": format!("<p>{title}：这是一篇写给群众的科普文章，讲清楚原理、方法和注意事项，方便大家照着做。</p>"),
        "format": "article",
        "channel": channel,
        "audiences": ["farmer", "elder"],
        "tags": tags,
        "region_code": region,
    })
}

/// A resource published at once by the 全民科普服务部 staff behind `token`; its id.
pub async fn publish(app: &TestApp, token: &str, body: &Value) -> i64 {
    let (status, created) = app.post("/api/v1/kepu/resources", body, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "published", "{created}");
    created["id"].as_i64().unwrap()
}

async fn put(app: &TestApp, path: &str, body: &Value, token: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .put(format!("{}{path}", app.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A signed-in person of `role`: their bearer token.
pub async fn person(app: &TestApp, role: &str, name: &str, region: &str) -> String {
    let (_, phone) = app.register(role, name, region).await;
    app.login(&phone).await
}

/// Lets two minutes pass so that the booking job settles the views, then settles.
async fn settle_views(app: &TestApp) {
    app.settle().await;
    app.app.clock.advance(chrono::Duration::minutes(3));
    app.settle().await;
}

async fn figure(app: &TestApp, region: &str, metric: &str) -> i64 {
    let staff = app.staff("51", "kepu").await;
    let (status, figures) = app
        .get(&format!("/api/v1/stats/regions/{region}"), Some(&staff))
        .await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    figures["metrics"][metric]
        .as_i64()
        .unwrap_or_else(|| panic!("{metric} in {figures}"))
}

async fn staff_publishes_at_once_and_a_scientist_through_review(app: TestApp) {
    let kepu = app.staff("511623", "kepu").await;
    let id = publish(
        &app,
        &kepu,
        &resource_body(
            "柑橘裂果的防治",
            "agriculture",
            &["柑橘", "裂果"],
            Some("511623"),
        ),
    )
    .await;
    let (_, public) = app.get("/api/v1/kepu/resources", None).await;
    assert_eq!(public["total"], 1, "{public}");

    let scientist = person(&app, "worker", "李研究员", "511623").await;
    let (status, pending) = app
        .post(
            "/api/v1/kepu/resources",
            &resource_body("蛋鸡夏季饲养要点", "agriculture", &["蛋鸡"], None),
            Some(&scientist),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    assert_eq!(pending["status"], "pending");
    let pending_id = pending["id"].as_i64().unwrap();
    let (status, _) = app
        .get(&format!("/api/v1/kepu/resources/{pending_id}"), None)
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "unreviewed resources are not public"
    );

    // A province-wide resource is reviewed by the province; a county's staff may not.
    let (status, refused) = app
        .post(
            &format!("/api/v1/kepu/resources/{pending_id}/review"),
            &json!({"decision": "approve"}),
            Some(&kepu),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (_, queue) = app
        .get("/api/v1/kepu/resources?status=pending", Some(&kepu))
        .await;
    assert_eq!(queue["total"], 0, "outside the county's subtree: {queue}");
    let province = app.staff("51", "kepu").await;
    let (_, queue) = app
        .get("/api/v1/kepu/resources?status=pending", Some(&province))
        .await;
    assert_eq!(queue["total"], 1, "{queue}");
    let (status, rejected) = app
        .post(
            &format!("/api/v1/kepu/resources/{pending_id}/review"),
            &json!({"decision": "reject"}),
            Some(&province),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    assert!(rejected["error"]["fields"]["reason"].is_string());
    let (status, approved) = app
        .post(
            &format!("/api/v1/kepu/resources/{pending_id}/review"),
            &json!({"decision": "approve"}),
            Some(&province),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "published");
    let (status, _) = app
        .post(
            &format!("/api/v1/kepu/resources/{pending_id}/review"),
            &json!({"decision": "approve"}),
            Some(&province),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "reviewed once only");
    let (_, public) = app.get("/api/v1/kepu/resources", None).await;
    assert_eq!(public["total"], 2);

    // Residents and organisations do not publish; other departments' staff neither.
    let resident = person(&app, "public", "王大姐", "511623").await;
    let (status, _) = app
        .post(
            "/api/v1/kepu/resources",
            &resource_body("随便写写的一篇文章", "health", &[], None),
            Some(&resident),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let org_staff = app.staff("511623", "org").await;
    let (status, _) = app
        .post(
            "/api/v1/kepu/resources",
            &resource_body("随便写写的一篇文章", "health", &[], None),
            Some(&org_staff),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Published resources are searchable as kind kepu.
    let (_, found) = app.get("/api/v1/search?q=裂果&kind=kepu", None).await;
    assert_eq!(found["items"][0]["id"], id, "{found}");
    assert_eq!(found["items"][0]["kind"], "kepu");
}

async fn bad_input_is_named_and_rich_text_is_sanitised(app: TestApp) {
    let kepu = app.staff("51", "kepu").await;
    let before = app.count("kepu_resources").await;
    let (status, error) = app
        .post(
            "/api/v1/kepu/resources",
            &json!({"title": "x", "body": "", "format": "poster", "channel": "nope", "audiences": ["robot"], "tags": ["<b>"], "region_code": "999999"}),
            Some(&kepu),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    for field in [
        "title",
        "format",
        "channel",
        "audiences",
        "tags",
        "region_code",
    ] {
        let message = error["error"]["fields"][field]
            .as_str()
            .unwrap_or_else(|| panic!("{field}: {error}"));
        assert!(
            !message.is_ascii(),
            "Chinese message for {field}: {message}"
        );
    }
    assert_eq!(app.count("kepu_resources").await, before, "nothing written");
    let (status, video) = app
        .post("/api/v1/kepu/resources", &json!({"title": "地震来了怎么办", "body": "演示视频", "format": "video", "channel": "emergency", "audiences": ["youth"]}), Some(&kepu))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(video["error"]["fields"]["media_id"].is_string(), "{video}");

    let mut body = resource_body("防诈骗小知识", "safety", &["防诈骗"], None);
    body["body"] = json!(
        "<p onclick=\"steal()\">接到陌生电话要求转账汇款，<script>alert(1)</script>一定先挂断，再拨打官方电话核实。</p><img src=\"https://evil.example/x.png\" onerror=\"x()\">"
    );
    let id = publish(&app, &kepu, &body).await;
    let (_, resource) = app.get(&format!("/api/v1/kepu/resources/{id}"), None).await;
    let html = resource["body_html"].as_str().unwrap();
    assert!(
        !html.contains("script")
            && !html.contains("onclick")
            && !html.contains("onerror")
            && !html.contains("evil.example"),
        "{html}"
    );
    assert!(html.contains("再拨打官方电话核实"), "{html}");
    let page = app.html(&format!("/kepu/resources/{id}")).await;
    assert!(
        !page.contains("alert(1)"),
        "the page shows the sanitised body"
    );
}

async fn media_are_checked_by_their_bytes_and_served_with_ranges(app: TestApp) {
    let kepu = app.staff("51", "kepu").await;
    let upload = |bytes: Vec<u8>, content_type: &'static str| {
        app.client
            .post(format!("{}/api/v1/kepu/media", app.url))
            .bearer_auth(&kepu)
            .header("content-type", content_type)
            .body(bytes)
            .send()
    };
    let mut mp4 = vec![0, 0, 0, 0x18];
    mp4.extend_from_slice(b"ftypisom\0\0\0\0");
    mp4.extend((0..4000u32).map(|i| (i % 251) as u8));
    let response = upload(mp4.clone(), "video/mp4").await.expect("upload");
    assert_eq!(response.status(), StatusCode::CREATED);
    let media: Value = response.json().await.unwrap();
    assert_eq!(media["mime"], "video/mp4");
    let again: Value = upload(mp4.clone(), "video/mp4")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["id"], media["id"], "the same file is kept once");

    // A phone seeks: a range request answers 206 with just those bytes.
    let url = format!("{}{}", app.url, media["url"].as_str().unwrap());
    let part = app
        .client
        .get(&url)
        .header("range", "bytes=100-199")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(part.headers()["content-type"], "video/mp4");
    assert_eq!(part.bytes().await.unwrap().as_ref(), &mp4[100..200]);

    let refused = upload(
        b"<html><script>alert(1)</script></html>".to_vec(),
        "video/mp4",
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unsupported_media_type");
    let huge = upload(vec![0u8; 51 * 1024 * 1024], "video/mp4")
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value = huge.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("文件过大"),
        "{body}"
    );

    let id = publish(
        &app,
        &kepu,
        &json!({"title": "地震来了怎么办", "body": "演示视频：躲避、掩护、抓牢。", "format": "video", "channel": "emergency", "audiences": ["youth"], "media_id": media["id"]}),
    )
    .await;
    let page = app.html(&format!("/kepu/resources/{id}")).await;
    assert!(
        page.contains(&format!(
            "<video controls preload=\"metadata\" playsinline src=\"{}\"",
            media["url"].as_str().unwrap()
        )),
        "player on the page"
    );
}

async fn a_farmer_following_citrus_sees_local_citrus_first_and_read_items_leave(app: TestApp) {
    let kepu = app.staff("51", "kepu").await;
    publish(
        &app,
        &kepu,
        &resource_body("高血压的日常管理", "health", &["高血压"], None),
    )
    .await;
    let elsewhere = publish(
        &app,
        &kepu,
        &resource_body(
            "苍溪猕猴桃溃疡病防治",
            "agriculture",
            &["猕猴桃"],
            Some("510824"),
        ),
    )
    .await;
    let local = publish(
        &app,
        &kepu,
        &resource_body("邻水柑橘春季施肥", "agriculture", &["柑橘"], Some("511623")),
    )
    .await;
    publish(
        &app,
        &kepu,
        &resource_body("柑橘储藏保鲜方法", "agriculture", &["柑橘"], None),
    )
    .await;

    let farmer = person(&app, "public", "张大哥", "511623").await;
    let (status, profile) = put(
        &app,
        "/api/v1/me/profile",
        &json!({"audience": "farmer", "interests": ["柑橘"]}),
        &farmer,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["interests"], json!(["柑橘"]));
    let (_, feed) = app.get("/api/v1/kepu/feed", Some(&farmer)).await;
    assert_eq!(feed["items"][0]["id"], local, "{feed}");
    assert_eq!(feed["items"][0]["reason"], "因为您关注“柑橘”");
    let last = feed["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last["id"], elsewhere,
        "another county's advice sinks: {feed}"
    );

    // Read it: it leaves the feed, and reading teaches the profile.
    let (status, _) = app
        .get(&format!("/api/v1/kepu/resources/{local}"), Some(&farmer))
        .await;
    assert_eq!(status, StatusCode::OK);
    settle_views(&app).await;
    let (_, feed) = app.get("/api/v1/kepu/feed", Some(&farmer)).await;
    assert!(
        feed["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != local),
        "{feed}"
    );
    let (_, profile) = app.get("/api/v1/me/profile", Some(&farmer)).await;
    let learned: Vec<&str> = profile["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["interest"].as_str().unwrap())
        .collect();
    assert!(
        learned.contains(&"agriculture"),
        "the channel read is learned: {profile}"
    );

    // Searching teaches too.
    let searched = app
        .client
        .get(format!("{}/search?q=猕猴桃", app.url))
        .bearer_auth(&farmer)
        .send()
        .await
        .unwrap();
    assert_eq!(searched.status(), StatusCode::OK);
    let (_, profile) = app.get("/api/v1/me/profile", Some(&farmer)).await;
    assert!(
        profile["weights"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["interest"] == "猕猴桃" && w["chosen"] == false),
        "{profile}"
    );

    // A visitor without an account gets what their county reads most.
    let (_, visitor) = app.get("/api/v1/kepu/feed?region_code=511623", None).await;
    assert_eq!(visitor["items"][0]["id"], local, "{visitor}");
    let (status, bad) = app.get("/api/v1/kepu/feed?region_code=999999", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let (status, bad) = put(
        &app,
        "/api/v1/me/profile",
        &json!({"audience": "robot"}),
        &farmer,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad["error"]["fields"]["audience"].is_string());

    // Staff see how many follow what, never a person.
    let county = app.staff("511623", "kepu").await;
    let (_, stats) = app
        .get("/api/v1/kepu/profiles/stats?audience=farmer", Some(&county))
        .await;
    assert_eq!(
        stats["top_interests"][0],
        json!({"key": "柑橘", "people": 1}),
        "{stats}"
    );
    let (status, _) = app
        .get(
            "/api/v1/kepu/profiles/stats?region_code=5101",
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn registration_can_choose_the_profile(app: TestApp) {
    let phone = app.phone();
    let mut body = json!({"role": "public", "phone": phone, "password": crate::common::PASSWORD, "name": "刘阿姨", "region_code": "511623", "audience": "elder", "interests": ["防诈骗", "health"]});
    app.with_code(&mut body).await;
    let (status, created) = app.post("/api/v1/auth/register", &body, None).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = app.login(&phone).await;
    let (_, profile) = app.get("/api/v1/me/profile", Some(&token)).await;
    assert_eq!(profile["audience"], "elder");
    assert_eq!(
        profile["interests"],
        json!(["health", "防诈骗"]),
        "{profile}"
    );
}

async fn views_count_once_per_half_hour_and_people_exactly(app: TestApp) {
    let kepu = app.staff("51", "kepu").await;
    let a = publish(
        &app,
        &kepu,
        &resource_body("防溺水六不准", "safety", &["防溺水"], None),
    )
    .await;
    let b = publish(
        &app,
        &kepu,
        &resource_body("雷雨天气如何避雷", "emergency", &["雷电"], None),
    )
    .await;
    let one = person(&app, "public", "读者甲", "511623").await;
    let two = person(&app, "public", "读者乙", "511623").await;
    let views_before = figure(&app, "511623", "kepu_views").await;
    for _ in 0..3 {
        app.get(&format!("/api/v1/kepu/resources/{a}"), Some(&one))
            .await;
    }
    app.get(&format!("/api/v1/kepu/resources/{b}"), Some(&one))
        .await;
    app.get(&format!("/api/v1/kepu/resources/{a}"), Some(&two))
        .await;
    settle_views(&app).await;
    assert_eq!(
        figure(&app, "511623", "kepu_views").await - views_before,
        3,
        "three reads within 30 minutes of each other count once"
    );
    assert_eq!(figure(&app, "511623", "kepu_people_served").await, 2);
    app.app.clock.advance(chrono::Duration::minutes(31));
    app.get(&format!("/api/v1/kepu/resources/{a}"), Some(&one))
        .await;
    settle_views(&app).await;
    assert_eq!(
        figure(&app, "511623", "kepu_views").await - views_before,
        4,
        "after half an hour a read counts again"
    );
    assert_eq!(figure(&app, "511623", "kepu_services").await, 4);
    assert_eq!(
        figure(&app, "511623", "kepu_people_served").await,
        2,
        "distinct people, exactly"
    );
    let (_, resource) = app.get(&format!("/api/v1/kepu/resources/{a}"), None).await;
    assert_eq!(resource["reads"], 3);
    // The figure leads to its rows.
    let (_, rows) = app
        .get(
            "/api/v1/stats/regions/511623/events?metric=kepu_views",
            Some(&kepu),
        )
        .await;
    assert_eq!(rows["total"], 4, "{rows}");
}

async fn reading_faster_than_a_person_is_flagged_and_left_out(app: TestApp) {
    let kepu = app.staff("51", "kepu").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            publish(
                &app,
                &kepu,
                &resource_body(&format!("科普短文第{i}篇"), "encyclopedia", &[], None),
            )
            .await,
        );
    }
    let reader = person(&app, "public", "正常读者", "511623").await;
    let script = person(&app, "public", "脚本账号", "511623").await;
    app.get(&format!("/api/v1/kepu/resources/{}", ids[0]), Some(&reader))
        .await;
    app.get(&format!("/api/v1/kepu/resources/{}", ids[1]), Some(&reader))
        .await;
    for id in &ids {
        app.get(&format!("/api/v1/kepu/resources/{id}"), Some(&script))
            .await;
    }
    settle_views(&app).await;
    assert_eq!(
        figure(&app, "511623", "kepu_views").await,
        2,
        "only the person's reads count"
    );
    assert_eq!(figure(&app, "511623", "kepu_people_served").await, 1);
    assert_eq!(app.count("kepu_views").await, 14, "flagged views are kept");

    let province = app.staff("51", "kepu").await;
    let (status, flags) = app.get("/api/v1/kepu/flags", Some(&province)).await;
    assert_eq!(status, StatusCode::OK, "{flags}");
    assert_eq!(flags["total"], 12, "{flags}");
    assert_eq!(flags["items"][0]["flag"], "too_fast");
    assert!(
        flags["items"][0]["evidence"]
            .as_str()
            .unwrap()
            .contains("12篇"),
        "{flags}"
    );
    let county = app.staff("511623", "kepu").await;
    let (status, _) = app.get("/api/v1/kepu/flags", Some(&county)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the province decides what gaming is"
    );
}

async fn many_accounts_on_one_browser_are_flagged(app: TestApp) {
    let kepu = app.staff("51", "kepu").await;
    let id = publish(
        &app,
        &kepu,
        &resource_body("食品安全小常识", "health", &["食品安全"], None),
    )
    .await;
    let farm = app.browser();
    for n in 0..6 {
        let token = person(&app, "public", &format!("马甲{n}"), "511623").await;
        let response = farm
            .get(format!("{}/api/v1/kepu/resources/{id}", app.url))
            .bearer_auth(&token)
            .header("user-agent", "same-phone/1.0")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    settle_views(&app).await;
    assert_eq!(
        figure(&app, "511623", "kepu_views").await,
        4,
        "the fifth account on one device onwards is left out"
    );
    let admin = app.admin().await;
    let (_, flags) = app.get("/api/v1/kepu/flags", Some(&admin)).await;
    assert_eq!(flags["total"], 2, "{flags}");
    assert_eq!(flags["items"][0]["flag"], "shared_device");
}

async fn pages_show_the_feed_the_resource_and_the_profile(app: TestApp) {
    let kepu = app.staff("51", "kepu").await;
    let id = publish(
        &app,
        &kepu,
        &resource_body("柑橘黄龙病识别", "agriculture", &["柑橘"], None),
    )
    .await;
    let feed = app.html("/kepu").await;
    assert!(
        feed.contains("柑橘黄龙病识别") && feed.contains("农业技术"),
        "{feed}"
    );
    let page = app.html(&format!("/kepu/resources/{id}")).await;
    assert!(page.contains("柑橘黄龙病识别") && page.contains("适合人群"));
    let channel = app.html("/kepu?channel=health").await;
    assert!(
        !channel.contains("柑橘黄龙病识别"),
        "a channel shows its own"
    );
}

on_both_databases!(
    staff_publishes_at_once_and_a_scientist_through_review,
    bad_input_is_named_and_rich_text_is_sanitised,
    media_are_checked_by_their_bytes_and_served_with_ranges,
    a_farmer_following_citrus_sees_local_citrus_first_and_read_items_leave,
    registration_can_choose_the_profile,
    views_count_once_per_half_hour_and_people_exactly,
    reading_faster_than_a_person_is_flagged_and_left_out,
    many_accounts_on_one_browser_are_flagged,
    pages_show_the_feed_the_resource_and_the_profile,
);
