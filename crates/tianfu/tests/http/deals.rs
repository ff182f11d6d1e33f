//! Inquiries (洽谈), deals (交易) and notifications over HTTP.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::market::{approve, create, need_body, offer_body, scientist};
use crate::on_both_databases;

pub struct Market {
    pub scientist: String,
    pub enterprise: String,
    pub offer: i64,
    pub need: i64,
}

/// A published capability by a scientist and a published need by an enterprise, both in 内江.
pub async fn market(app: &TestApp) -> Market {
    let (_, scientist) = scientist(app).await;
    let (_, phone) = app.register("org", "内江食品", "511024").await;
    let enterprise = app.login(&phone).await;
    let staff = app.staff("5110", "worker").await;
    let org_staff = app.staff("5110", "org").await;
    let offer = create(
        app,
        &scientist,
        "/api/v1/offers",
        &offer_body("蛋鸡产蛋率提升技术服务"),
    )
    .await;
    let need = create(
        app,
        &enterprise,
        "/api/v1/needs",
        &need_body("鸡下蛋少、饲料浪费"),
    )
    .await;
    approve(app, &staff, "offer", offer).await;
    approve(app, &org_staff, "need", need).await;
    Market {
        scientist,
        enterprise,
        offer,
        need,
    }
}

pub async fn transition(app: &TestApp, deal: i64, to: &str, token: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/deals/{deal}/transition"),
        &json!({"to": to}),
        Some(token),
    )
    .await
}

async fn an_inquiry_is_a_thread_both_sides_see(app: TestApp) {
    let m = market(&app).await;
    let body = json!({"target_kind": "offer", "target_id": m.offer, "message": "您好，我们养了两万只蛋鸡，想请您上门指导"});
    let (status, inquiry) = app
        .post("/api/v1/inquiries", &body, Some(&m.enterprise))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inquiry}");
    let id = inquiry["id"].as_i64().unwrap();
    assert_eq!(inquiry["status_label"], "洽谈中");

    let (_, notes) = app.get("/api/v1/notifications", Some(&m.scientist)).await;
    // A recommendation of the need may be among them too, depending on whether the offer was
    // indexed before the need was published; the two told here are always there.
    let told: Vec<&Value> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["link"] != "/me/recommendations")
        .collect();
    assert_eq!(told.len(), 2, "review approval and the inquiry: {notes}");
    assert!(told[0]["text"].as_str().unwrap().contains("向您发起洽谈"));
    assert_eq!(told[0]["link"], format!("/me/inquiries/{id}"));

    let (status, thread) = app
        .post(
            &format!("/api/v1/inquiries/{id}/messages"),
            &json!({"body": "可以，下周二方便"}),
            Some(&m.scientist),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(thread["messages"].as_array().unwrap().len(), 2);
    let (_, mine) = app.get("/api/v1/inquiries", Some(&m.enterprise)).await;
    assert_eq!(mine["total"], 1);
    let (_, theirs) = app.get("/api/v1/inquiries", Some(&m.scientist)).await;
    assert_eq!(theirs["total"], 1);

    let (_, phone) = app.register("worker", "旁人", "5110").await;
    let stranger = app.login(&phone).await;
    assert_eq!(
        app.get(&format!("/api/v1/inquiries/{id}"), Some(&stranger))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (status, _) = app
        .post(
            &format!("/api/v1/inquiries/{id}/status"),
            &json!({"status": "declined"}),
            Some(&m.enterprise),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the owner declines");
    let (status, declined) = app
        .post(
            &format!("/api/v1/inquiries/{id}/status"),
            &json!({"status": "declined"}),
            Some(&m.scientist),
        )
        .await;
    assert_eq!(
        (status, declined["status"].as_str()),
        (StatusCode::OK, Some("declined"))
    );
    let (status, _) = app
        .post(
            &format!("/api/v1/inquiries/{id}/messages"),
            &json!({"body": "再考虑下？"}),
            Some(&m.enterprise),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an ended inquiry takes no replies"
    );

    assert_eq!(
        app.post("/api/v1/notifications/read", &json!({}), Some(&m.scientist))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (_, notes) = app.get("/api/v1/notifications", Some(&m.scientist)).await;
    assert_eq!(notes["unread"], 0);
}

async fn inquiries_need_a_public_listing_and_a_message(app: TestApp) {
    let (_, scientist) = scientist(&app).await;
    let pending = create(&app, &scientist, "/api/v1/offers", &offer_body("尚未审核")).await;
    let (_, phone) = app.register("org", "企业", "5110").await;
    let enterprise = app.login(&phone).await;
    let (status, _) = app
        .post(
            "/api/v1/inquiries",
            &json!({"target_kind": "offer", "target_id": pending, "message": "你好"}),
            Some(&enterprise),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an unreviewed listing cannot be inquired about"
    );
    let (status, reply) = app
        .post(
            "/api/v1/inquiries",
            &json!({"target_kind": "offer", "target_id": pending, "message": "  "}),
            Some(&enterprise),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply["error"]["fields"]["message"], "请填写洽谈内容");
    let (status, reply) = app
        .post(
            "/api/v1/inquiries",
            &json!({"target_kind": "shop", "target_id": pending, "message": "x"}),
            Some(&enterprise),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply["error"]["fields"]["target_kind"].is_string());
    assert_eq!(
        app.post(
            "/api/v1/inquiries",
            &json!({"target_kind": "offer", "target_id": pending, "message": "x"}),
            None
        )
        .await
        .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.count("inquiries").await, 0);
}

async fn a_deal_is_signed_by_both_and_completed_into_the_ledger(app: TestApp) {
    let m = market(&app).await;
    let body = json!({"need_id": m.need, "offer_id": m.offer, "contract_type": "service", "amount_fen": 8_000_000});
    let (status, deal) = app.post("/api/v1/deals", &body, Some(&m.enterprise)).await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let id = deal["id"].as_i64().unwrap();
    assert_eq!(
        (deal["stage"].as_str(), deal["amount_label"].as_str()),
        (Some("intent"), Some("8.00万元"))
    );
    assert_eq!(deal["buyer_name"], "内江食品");
    assert_eq!(deal["seller_name"], "李研究员");

    let (status, reply) = transition(&app, id, "completed", &m.scientist).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(reply["error"]["message"], "交易不能从“意向”变更为“完成”");
    assert_eq!(
        transition(&app, id, "negotiating", &m.scientist).await.0,
        StatusCode::OK
    );
    let (_, one) = transition(&app, id, "signed", &m.enterprise).await;
    assert_eq!(
        (one["stage"].as_str(), one["buyer_signed"].as_bool()),
        (Some("negotiating"), Some(true)),
        "one signature is not enough"
    );
    let (status, _) = transition(&app, id, "signed", &m.enterprise).await;
    assert_eq!(status, StatusCode::CONFLICT, "signing twice");
    let (_, signed) = transition(&app, id, "signed", &m.scientist).await;
    assert_eq!(signed["stage"], "signed");
    transition(&app, id, "performing", &m.scientist).await;
    let (_, done) = transition(&app, id, "completed", &m.enterprise).await;
    assert_eq!(done["stage_label"], "完成");
    assert_eq!(
        transition(&app, id, "terminated", &m.enterprise).await.0,
        StatusCode::CONFLICT,
        "final"
    );

    let kinds: Vec<(String, Option<i64>)> = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_as("SELECT kind, amount_fen FROM ledger_events WHERE subject_kind = 'deal' ORDER BY id").fetch_all(pool).await.unwrap()
    });
    assert_eq!(
        kinds,
        [
            "deal.created",
            "deal.negotiating",
            "deal.signed",
            "deal.performing",
            "deal.completed"
        ]
        .map(|kind| (kind.to_owned(), Some(8_000_000))),
        "every stage once, with the amount"
    );

    let (_, phone) = app.register("worker", "旁人", "5110").await;
    let stranger = app.login(&phone).await;
    assert_eq!(
        app.get(&format!("/api/v1/deals/{id}"), Some(&stranger))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        transition(&app, id, "terminated", &stranger).await.0,
        StatusCode::FORBIDDEN
    );
    let staff = app.staff("5110", "org").await;
    assert_eq!(
        app.get(&format!("/api/v1/deals/{id}"), Some(&staff))
            .await
            .0,
        StatusCode::OK,
        "the region's staff follow deals"
    );
    let (_, mine) = app.get("/api/v1/deals", Some(&m.scientist)).await;
    assert_eq!(mine["total"], 1);
}

async fn a_completed_achievement_deal_counts_as_a_transfer(app: TestApp) {
    let (_, scientist) = scientist(&app).await;
    let staff = app.staff("5110", "worker").await;
    let achievement = create(&app, &scientist, "/api/v1/achievements", &json!({
        "title": "柑橘防裂果栽培技术", "description": "减少裂果", "kind": "process", "maturity": "industrial",
        "transfer_mode": "assignment", "industry": "A01", "keywords": ["柑橘"], "price_fen": 50_000_000
    })).await;
    approve(&app, &staff, "achievement", achievement).await;
    let (_, phone) = app.register("org", "果业公司", "5110").await;
    let buyer = app.login(&phone).await;
    let (status, deal) = app.post("/api/v1/deals", &json!({"achievement_id": achievement, "contract_type": "transfer", "amount_fen": 45_000_000}), Some(&buyer)).await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let id = deal["id"].as_i64().unwrap();
    for (to, who) in [
        ("negotiating", &buyer),
        ("signed", &buyer),
        ("signed", &scientist),
        ("performing", &scientist),
        ("completed", &buyer),
    ] {
        assert_eq!(
            transition(&app, id, to, who).await.0,
            StatusCode::OK,
            "{to}"
        );
    }
    let transfers: i64 = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM ledger_events WHERE kind = 'achievement.transferred'").fetch_one(pool).await.unwrap()
    });
    assert_eq!(transfers, 45_000_000);
}

async fn bad_deals_are_refused_and_change_nothing(app: TestApp) {
    let m = market(&app).await;
    let (status, reply) = app.post("/api/v1/deals", &json!({"need_id": m.need, "offer_id": m.offer, "contract_type": "sale", "amount_fen": -1}), Some(&m.enterprise)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply["error"]["fields"]["contract_type"]
            .as_str()
            .unwrap()
            .starts_with("服务类型只能是")
    );
    assert_eq!(reply["error"]["fields"]["amount_fen"], "金额不能为负数");
    let (status, reply) = app
        .post(
            "/api/v1/deals",
            &json!({"contract_type": "service", "amount_fen": 1}),
            Some(&m.enterprise),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply["error"]["fields"]["need_id"].is_string());
    let (status, _) = app
        .post(
            "/api/v1/deals",
            &json!({"offer_id": m.offer, "contract_type": "service", "amount_fen": 1}),
            Some(&m.scientist),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no deal with oneself"
    );
    let (_, phone) = app.register("worker", "第三方", "5110").await;
    let third = app.login(&phone).await;
    let (status, _) = app.post("/api/v1/deals", &json!({"need_id": m.need, "offer_id": m.offer, "contract_type": "service", "amount_fen": 1}), Some(&third)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "only the parties");
    assert_eq!(app.count("deals").await, 0);
}

/// The scientist answers an inquiry on their own capability and proposes the deal from the
/// thread: the enterprise that asked becomes the buyer. A refused proposal keeps what was typed.
async fn the_listings_owner_proposes_a_deal_from_the_inquiry(app: TestApp) {
    let (_, scientist_phone) = app.register("worker", "蛋鸡专家", "511011").await;
    let scientist = app.login(&scientist_phone).await;
    let (enterprise_id, enterprise_phone) = app.register("org", "内江蛋业", "511024").await;
    let enterprise = app.login(&enterprise_phone).await;
    let staff = app.staff("5110", "worker").await;
    let offer = create(
        &app,
        &scientist,
        "/api/v1/offers",
        &offer_body("蛋鸡产蛋率提升技术服务"),
    )
    .await;
    approve(&app, &staff, "offer", offer).await;
    let body = json!({"target_kind": "offer", "target_id": offer, "message": "想请您来鸡场看看"});
    let (status, inquiry) = app
        .post("/api/v1/inquiries", &body, Some(&enterprise))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{inquiry}");
    let id = inquiry["id"].as_i64().unwrap();
    let thread = format!("{}/me/inquiries/{id}", app.url);
    let browser = app.signed_in(&scientist_phone).await;

    let refused = browser
        .post(format!("{thread}/deal"))
        .form(&[("contract_type", "consulting"), ("amount_yuan", "八万")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains(r#"value="八万""#),
        "the amount typed is kept: {page}"
    );
    assert!(
        page.contains(r#"<details open>"#),
        "the deal form stays open"
    );
    assert!(page.contains(r#"value="consulting" selected"#));
    assert_eq!(app.count("deals").await, 0);

    let proposed = browser
        .post(format!("{thread}/deal"))
        .form(&[("contract_type", "consulting"), ("amount_yuan", "80000")])
        .send()
        .await
        .unwrap();
    assert_eq!(proposed.status(), StatusCode::SEE_OTHER);
    let (_, deals) = app.get("/api/v1/deals", Some(&enterprise)).await;
    let deal = &deals["items"][0];
    assert_eq!(deal["buyer_id"], enterprise_id, "{deals}");
    assert_eq!(deal["offer_id"], offer);
    assert_eq!(deal["amount_fen"], 8_000_000);
}

on_both_databases!(
    an_inquiry_is_a_thread_both_sides_see,
    the_listings_owner_proposes_a_deal_from_the_inquiry,
    inquiries_need_a_public_listing_and_a_message,
    a_deal_is_signed_by_both_and_completed_into_the_ledger,
    a_completed_achievement_deal_counts_as_a_transfer,
    bad_deals_are_refused_and_change_nothing,
);
