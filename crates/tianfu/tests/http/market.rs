//! The market over HTTP: studios, the three listing kinds, review, visibility and ownership.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;

pub fn offer_body(title: &str) -> Value {
    json!({
        "title": title,
        "description": "<p>提供<strong>蛋鸡</strong>产蛋率提升、料蛋比优化的技术服务</p><script>alert(1)</script>",
        "service_type": "service", "industry": "A03", "keywords": ["蛋鸡", "产蛋率"], "price_fen": 5_000_000
    })
}

pub fn need_body(title: &str) -> Value {
    json!({"title": title, "description": "我们的鸡下蛋少、饲料浪费，想找专家指导", "kind": "problem", "industry": "A03",
           "keywords": ["蛋鸡"], "budget_fen": 2_000_000, "deadline": "2099-12-31"})
}

/// A scientist in 511011 (内江市东兴区) with a token.
pub async fn scientist(app: &TestApp) -> (i64, String) {
    let (id, phone) = app.register("worker", "李研究员", "511011").await;
    (id, app.login(&phone).await)
}

pub async fn create(app: &TestApp, token: &str, path: &str, body: &Value) -> i64 {
    let (status, reply) = app.post(path, body, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{reply}");
    reply["id"].as_i64().unwrap()
}

pub async fn approve(app: &TestApp, staff: &str, kind: &str, id: i64) {
    let (status, reply) = app
        .post(
            &format!("/api/v1/admin/reviews/{kind}/{id}"),
            &json!({"decision": "approve"}),
            Some(staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
}

async fn patch(app: &TestApp, path: &str, body: &Value, token: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .patch(format!("{}{path}", app.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_capability_waits_for_review_then_is_public(app: TestApp) {
    let (owner, token) = scientist(&app).await;
    let (status, offer) = app
        .post(
            "/api/v1/offers",
            &offer_body("蛋鸡产蛋率提升技术服务"),
            Some(&token),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{offer}");
    let id = offer["id"].as_i64().unwrap();
    assert_eq!(offer["status"], "pending");
    assert_eq!(offer["owner_id"], owner);
    assert_eq!(offer["service_type_label"], "技术服务");
    assert_eq!(offer["price_label"], "5.00万元");
    let html = offer["description_html"].as_str().unwrap();
    assert!(
        html.contains("<strong>蛋鸡</strong>") && !html.contains("script"),
        "{html}"
    );

    assert_eq!(
        app.get(&format!("/api/v1/offers/{id}"), None).await.0,
        StatusCode::NOT_FOUND,
        "unreviewed is hidden"
    );
    let (_, stranger) = app.register("worker", "路人", "511011").await;
    let stranger = app.login(&stranger).await;
    assert_eq!(
        app.get(&format!("/api/v1/offers/{id}"), Some(&stranger))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/offers/{id}"), Some(&token))
            .await
            .0,
        StatusCode::OK,
        "the owner sees it"
    );
    let (_, list) = app.get("/api/v1/offers", None).await;
    assert_eq!(list["total"], 0);

    let staff = app.staff("5110", "worker").await;
    let (_, queue) = app.get("/api/v1/admin/reviews", Some(&staff)).await;
    assert_eq!(queue["total"], 1);
    assert_eq!(queue["items"][0]["id"], id);
    approve(&app, &staff, "offer", id).await;

    let (status, public) = app.get(&format!("/api/v1/offers/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public["status"], "published");
    let (_, list) = app.get("/api/v1/offers?region_code=5110", None).await;
    assert_eq!(list["total"], 1);
    let (_, list) = app.get("/api/v1/offers?region_code=5116", None).await;
    assert_eq!(list["total"], 0);
    let events = app.count("ledger_events").await;
    assert!(events >= 3, "registrations and listing.published: {events}");
}

async fn staff_review_only_their_region_and_rejections_need_a_reason(app: TestApp) {
    let (_, token) = scientist(&app).await;
    let id = create(&app, &token, "/api/v1/needs", &need_body("蛋鸡产蛋率低")).await;
    let other_city = app.staff("5116", "org").await;
    let (_, queue) = app.get("/api/v1/admin/reviews", Some(&other_city)).await;
    assert_eq!(queue["total"], 0, "another city's queue is empty");
    let (status, _) = app
        .post(
            &format!("/api/v1/admin/reviews/need/{id}"),
            &json!({"decision": "approve"}),
            Some(&other_city),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_actions().await[0], "permission.denied");

    let staff = app.staff("511011", "org").await;
    let (status, reply) = app
        .post(
            &format!("/api/v1/admin/reviews/need/{id}"),
            &json!({"decision": "reject"}),
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply["error"]["fields"]["reason"],
        "不通过时请填写原因，发布者会看到"
    );
    let (status, reply) = app
        .post(
            &format!("/api/v1/admin/reviews/need/{id}"),
            &json!({"decision": "maybe"}),
            Some(&staff),
        )
        .await;
    assert_eq!(
        (status, reply["error"]["fields"]["decision"].is_string()),
        (StatusCode::UNPROCESSABLE_ENTITY, true)
    );
    let (status, reply) = app
        .post(
            &format!("/api/v1/admin/reviews/need/{id}"),
            &json!({"decision": "reject", "reason": "请补充企业规模"}),
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["status"], "rejected");
    let (_, mine) = app.get(&format!("/api/v1/needs/{id}"), Some(&token)).await;
    assert_eq!(
        mine["review_reason"], "请补充企业规模",
        "the owner sees why"
    );
    let (status, _) = app
        .post(
            &format!("/api/v1/admin/reviews/need/{id}"),
            &json!({"decision": "approve"}),
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "no longer pending");
    assert_eq!(
        app.post(
            &format!("/api/v1/admin/reviews/offer/{id}"),
            &json!({"decision": "approve"}),
            Some(&staff)
        )
        .await
        .0,
        StatusCode::NOT_FOUND,
        "wrong kind"
    );
    assert_eq!(
        app.get("/api/v1/admin/reviews", Some(&token)).await.0,
        StatusCode::FORBIDDEN,
        "not staff"
    );
}

async fn owners_edit_withdraw_and_close_only_their_own(app: TestApp) {
    let (_, token) = scientist(&app).await;
    let staff = app.staff("5110", "worker").await;
    let id = create(&app, &token, "/api/v1/achievements", &json!({
        "title": "一种柑橘防裂果栽培方法", "description": "减少柑橘裂果的专利技术", "kind": "patent", "patent_no": "ZL202010000001.1",
        "maturity": "intermediate", "transfer_mode": "license", "industry": "A01", "keywords": ["柑橘", "裂果"], "price_fen": 30_000_000
    })).await;
    approve(&app, &staff, "achievement", id).await;

    let (_, other) = app.register("worker", "别人", "511011").await;
    let other = app.login(&other).await;
    let (status, reply) = patch(
        &app,
        &format!("/api/v1/achievements/{id}"),
        &json!({"title": "抢走"}),
        &other,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
    assert_eq!(reply["error"]["message"], "只能修改自己发布的内容");

    let (status, edited) = patch(
        &app,
        &format!("/api/v1/achievements/{id}"),
        &json!({"title": "柑橘防裂果栽培技术"}),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["title"], "柑橘防裂果栽培技术");
    assert_eq!(edited["status"], "pending", "an edit is reviewed again");
    assert_eq!(edited["maturity_label"], "中试", "fields not sent are kept");
    assert_eq!(
        app.get(&format!("/api/v1/achievements/{id}"), None).await.0,
        StatusCode::NOT_FOUND
    );

    let (status, reply) = patch(
        &app,
        &format!("/api/v1/achievements/{id}"),
        &json!({"kind": "patent", "patent_no": ""}),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply["error"]["fields"]["patent_no"],
        "专利类成果请填写专利号"
    );

    let (status, withdrawn) = patch(
        &app,
        &format!("/api/v1/achievements/{id}"),
        &json!({"status": "withdrawn"}),
        &token,
    )
    .await;
    assert_eq!(
        (status, withdrawn["status"].as_str()),
        (StatusCode::OK, Some("withdrawn"))
    );
    let (status, reply) = patch(
        &app,
        &format!("/api/v1/achievements/{id}"),
        &json!({"status": "published"}),
        &token,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "owners cannot publish themselves: {reply}"
    );
    let (_, closed) = patch(
        &app,
        &format!("/api/v1/achievements/{id}"),
        &json!({"status": "closed"}),
        &token,
    )
    .await;
    assert_eq!(closed["status"], "closed");
    let (status, _) = patch(
        &app,
        &format!("/api/v1/achievements/{id}"),
        &json!({"title": "复活"}),
        &token,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "closed is final");
    let (_, mine) = app.get("/api/v1/me/listings", Some(&token)).await;
    assert_eq!(mine["total"], 1);
}

async fn bad_listings_name_every_field_and_store_nothing(app: TestApp) {
    let (_, token) = scientist(&app).await;
    let body = json!({"title": "", "description": "字".repeat(5001), "service_type": "sales", "industry": "Z", "price_fen": -5,
                      "keywords": ["a".repeat(21)]});
    let (status, reply) = app.post("/api/v1/offers", &body, Some(&token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = &reply["error"]["fields"];
    assert_eq!(fields["title"], "请填写标题");
    assert_eq!(
        fields["description"],
        "详细说明不能超过5000字（现为5001字）"
    );
    assert!(
        fields["service_type"]
            .as_str()
            .unwrap()
            .starts_with("服务类型只能是")
    );
    assert!(
        fields["industry"]
            .as_str()
            .unwrap()
            .starts_with("所属行业应为")
    );
    assert_eq!(fields["price_fen"], "金额不能为负数");
    assert!(fields["keywords"].as_str().unwrap().contains("超过20个字"));
    let (status, reply) = app.post("/api/v1/needs", &json!({"title": "过期需求", "description": "x", "kind": "problem", "industry": "C", "deadline": "2001-01-01"}), Some(&token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply["error"]["fields"]["deadline"], "截止日期不能早于今天");
    assert_eq!(app.count("listings").await, 0);
    assert_eq!(app.count("outbox").await, 0);
}

async fn only_the_right_roles_publish(app: TestApp) {
    let (_, public) = app.register("public", "村民", "511623").await;
    let public = app.login(&public).await;
    let (status, reply) = app
        .post("/api/v1/offers", &offer_body("我也想卖技术"), Some(&public))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply["error"]["message"],
        "仅科技工作者和企事业单位可以发布科技所能"
    );
    let (status, _) = app
        .post("/api/v1/needs", &need_body("橙子裂口怎么办"), Some(&public))
        .await;
    assert_eq!(status, StatusCode::CREATED, "a farmer may post a need");
    assert_eq!(
        app.post("/api/v1/needs", &need_body("匿名需求"), None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

async fn a_studio_shows_its_published_work(app: TestApp) {
    let (_, token) = scientist(&app).await;
    let body = json!({"name": "蛋鸡健康养殖科创工作室", "intro": "专注蛋鸡营养与疫病防控", "fields": ["蛋鸡养殖", "饲料营养"],
                      "members": [{"name": "王助理", "title": "助理研究员"}]});
    let (status, studio) = app.post("/api/v1/studios", &body, Some(&token)).await;
    assert_eq!(status, StatusCode::CREATED, "{studio}");
    let studio_id = studio["id"].as_i64().unwrap();
    assert_eq!(studio["rating_label"], "普通");
    assert_eq!(studio["status"], "pending", "public once staff approve it");
    assert_eq!(
        app.get(&format!("/api/v1/studios/{studio_id}"), None)
            .await
            .0,
        StatusCode::NOT_FOUND,
        "not public before review"
    );
    assert_eq!(app.get("/api/v1/studios", None).await.1["total"], 0);
    app.approve_studio(studio_id).await;
    assert_eq!(
        app.post("/api/v1/studios", &body, Some(&token)).await.0,
        StatusCode::CONFLICT,
        "one studio each"
    );

    let staff = app.staff("5110", "worker").await;
    let shown = create(
        &app,
        &token,
        "/api/v1/offers",
        &offer_body("蛋鸡产蛋率提升"),
    )
    .await;
    create(
        &app,
        &token,
        "/api/v1/offers",
        &offer_body("尚未审核的服务"),
    )
    .await;
    approve(&app, &staff, "offer", shown).await;
    let (_, page) = app.get(&format!("/api/v1/studios/{studio_id}"), None).await;
    let offers = page["offers"].as_array().unwrap();
    assert_eq!(offers.len(), 1, "only published work is shown");
    assert_eq!(offers[0]["studio_id"], studio_id);
    assert_eq!(page["members"][0]["name"], "王助理");
    assert_eq!(page["completed_deals"], 0);
    let (_, list) = app.get("/api/v1/studios", None).await;
    assert_eq!(list["total"], 1);

    let (_, org) = app.register("org", "某企业", "5110").await;
    let org = app.login(&org).await;
    assert_eq!(
        app.post("/api/v1/studios", &body, Some(&org)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/studios/99999", None).await.0,
        StatusCode::NOT_FOUND
    );
}

on_both_databases!(
    a_capability_waits_for_review_then_is_public,
    staff_review_only_their_region_and_rejections_need_a_reason,
    owners_edit_withdraw_and_close_only_their_own,
    bad_listings_name_every_field_and_store_nothing,
    only_the_right_roles_publish,
    a_studio_shows_its_published_work,
);
