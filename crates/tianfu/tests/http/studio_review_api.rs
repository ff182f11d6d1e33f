//! Studio review over the API (`GET /api/v1/admin/studios/reviews`,
//! `POST /api/v1/admin/studios/{id}/review`), bound by the same rules as the page: the region
//! subtree and the reviewing department, a reason for a rejection, one decision per revision.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::on_both_databases;
use crate::phone_public::post;

async fn decide(app: &TestApp, token: &str, studio: i64, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/admin/studios/{studio}/review"),
        &body,
        Some(token),
    )
    .await
}

async fn queue(app: &TestApp, token: &str) -> Value {
    let (status, queue) = app.get("/api/v1/admin/studios/reviews", Some(token)).await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    queue
}

async fn staff_review_studios_of_their_subtree_through_the_api(app: TestApp) {
    let (_, phone) = app.register("worker", "张研究员", "511011").await;
    let owner = app.login(&phone).await;
    let body =
        json!({"name": "蛋鸡养殖工作室", "intro": "专注蛋鸡健康养殖", "fields": ["蛋鸡养殖"]});
    let (status, studio) = app.post("/api/v1/studios", &body, Some(&owner)).await;
    assert_eq!(status, StatusCode::CREATED, "{studio}");
    let id = studio["id"].as_i64().unwrap();

    // Listed for the region's 科技工作者服务部, not another city's nor another department's.
    let reviewer = app.staff("5110", "worker").await;
    let waiting = queue(&app, &reviewer).await;
    assert_eq!(waiting["total"], 1, "{waiting}");
    let item = &waiting["items"][0];
    assert_eq!(
        (
            item["id"].as_i64(),
            item["new"].as_bool(),
            item["revision"].as_i64()
        ),
        (Some(id), Some(true), Some(1))
    );
    assert_eq!(item["proposed"]["name"], "蛋鸡养殖工作室");
    assert!(item["current"].is_null());
    let elsewhere = app.staff("5116", "worker").await;
    let other_department = app.staff("5110", "org").await;
    for token in [&elsewhere, &other_department] {
        assert_eq!(queue(&app, token).await["total"], 0);
        let (status, _) = decide(&app, token, id, json!({"decision": "approve"})).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, _) = app.get("/api/v1/admin/studios/reviews", Some(&owner)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "staff only");

    // A rejection names its reason; nothing changes without one.
    for reason in [json!(null), json!("   ")] {
        let (status, refused) = decide(
            &app,
            &reviewer,
            id,
            json!({"decision": "reject", "reason": reason}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        assert!(
            refused["error"]["fields"]["reason"].is_string(),
            "{refused}"
        );
    }
    assert_eq!(queue(&app, &reviewer).await["total"], 1);
    let (status, _) = decide(
        &app,
        &reviewer,
        id,
        json!({"decision": "approve", "revision": 7}),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "a revision not waiting");

    // Two approvals at once: one publishes it, the other is refused.
    let approve = json!({"decision": "approve", "revision": 1});
    let (a, b) = tokio::join!(
        decide(&app, &reviewer, id, approve.clone()),
        decide(&app, &reviewer, id, approve.clone())
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    let approved = if a.0 == StatusCode::OK { a.1 } else { b.1 };
    assert_eq!(
        (approved["status"].as_str(), approved["in_review"].as_bool()),
        (Some("published"), Some(false)),
        "{approved}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/studios/{id}"), None).await.0,
        StatusCode::OK
    );
    assert_eq!(queue(&app, &reviewer).await["total"], 0);

    // An edit waits beside the public text; rejected, the public text stays and the owner is told.
    let browser = app.signed_in(&phone).await;
    let edit = [
        ("name", "最好的工作室"),
        ("intro", "专注蛋鸡健康养殖"),
        ("fields", "蛋鸡养殖"),
        ("revision", "1"),
    ];
    assert_eq!(
        post(&app, &browser, "/me/studio", &edit).await.0,
        StatusCode::SEE_OTHER
    );
    let province = app.staff("51", "worker").await;
    let waiting = queue(&app, &province).await;
    let item = &waiting["items"][0];
    assert_eq!(
        (item["new"].as_bool(), item["revision"].as_i64()),
        (Some(false), Some(2)),
        "{waiting}"
    );
    assert_eq!(item["proposed"]["name"], "最好的工作室");
    assert_eq!(item["current"]["name"], "蛋鸡养殖工作室");
    let (status, rejected) = decide(
        &app,
        &province,
        id,
        json!({"decision": "reject", "reason": "名称不规范", "revision": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["name"], "蛋鸡养殖工作室");
    assert_eq!(
        app.count_where("notifications", "text LIKE '%名称不规范%'")
            .await,
        1
    );
}

on_both_databases!(staff_review_studios_of_their_subtree_through_the_api);
