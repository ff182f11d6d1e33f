//! Figures that resist gaming: bulk-posted near-duplicate needs are held for review, large deals
//! count only once staff have verified their contract, and staff see what was left out and why.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::deals::{Market, market, transition};
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

/// Above the default threshold (5,000万元): 6,000万元.
const LARGE: i64 = 6_000_000_000;

fn spreadsheet_need(n: usize) -> Value {
    json!({"title": format!("求购蛋鸡饲料配方优化技术（第{n}批）"),
           "description": "我司在内江市资中县养殖蛋鸡两万只，产蛋率偏低，饲料浪费严重，寻求配方优化和上门指导服务",
           "kind": "problem", "industry": "A03", "keywords": ["蛋鸡"], "budget_fen": 2_000_000, "deadline": "2099-12-31"})
}

async fn metrics(app: &TestApp, region: &str, token: &str) -> Value {
    let (status, reply) = app
        .get(&format!("/api/v1/stats/regions/{region}"), Some(token))
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply["metrics"].clone()
}

async fn decide_review(app: &TestApp, staff: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/admin/reviews/need/{id}"),
        &body,
        Some(staff),
    )
    .await
}

async fn need_status(app: &TestApp, token: &str, id: i64) -> String {
    let (_, need) = app.get(&format!("/api/v1/needs/{id}"), Some(token)).await;
    need["status"].as_str().unwrap_or_default().to_owned()
}

async fn a_script_posting_near_identical_needs_is_held_for_review(app: TestApp) {
    let (_, phone) = app.register("org", "批量公司", "511024").await;
    let script = app.login(&phone).await;
    let staff = app.staff("5110", "org").await;
    let mut ids = Vec::new();
    for n in 1..=5 {
        let (status, reply) = app
            .post("/api/v1/needs", &spreadsheet_need(n), Some(&script))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{reply}");
        if n == 1 {
            assert!(
                reply.get("hold").is_none(),
                "the first is not held: {reply}"
            );
        } else {
            let reason = reply["hold"]["reason"].as_str().expect("held");
            assert!(reason.starts_with("疑似批量重复发布：与 "), "{reason}");
            assert!(reason.contains("《求购蛋鸡饲料配方优化技术"), "{reason}");
            assert!(reason.contains("相似度 0."), "{reason}");
            assert_eq!(reply["hold"]["rule"], "near_duplicate");
            assert_eq!(reply["status"], "pending", "held needs stay pending");
        }
        ids.push(reply["id"].as_i64().unwrap());
    }
    // The poster is told why.
    let (_, notes) = app.get("/api/v1/notifications", Some(&script)).await;
    assert!(
        notes["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("需人工复核"),
        "{notes}"
    );

    // The queue shows each hold and its reason.
    let (_, queue) = app
        .get("/api/v1/admin/reviews?kind=need", Some(&staff))
        .await;
    let held: Vec<&Value> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i.get("hold").is_some())
        .collect();
    assert_eq!(held.len(), 4, "{queue}");

    // Approving a held need without an override reason changes nothing.
    let (status, refused) =
        decide_review(&app, &staff, ids[1], json!({"decision": "approve"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"]["fields"]["reason"].is_string(),
        "{refused}"
    );
    assert_eq!(need_status(&app, &script, ids[1]).await, "pending");

    // The first is approved as usual; one held need with an override; one rejected as 重复发布.
    let (status, _) = decide_review(&app, &staff, ids[0], json!({"decision": "approve"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, reply) = decide_review(
        &app,
        &staff,
        ids[2],
        json!({"decision": "approve", "reason": "核实为另一养殖场的独立需求"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let (status, reply) = decide_review(
        &app,
        &staff,
        ids[3],
        json!({"decision": "reject", "reason": "重复发布"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["review_reason"], "重复发布");
    assert_eq!(
        reply["description_html"]
            .as_str()
            .map(|d| d.contains("两万只")),
        Some(true),
        "nothing written is lost"
    );

    let figures = metrics(&app, "5110", &staff).await;
    assert_eq!(
        figures["needs_published"], 2,
        "only what was approved: {figures}"
    );

    // Staff see what is still held and why.
    let (_, excluded) = app
        .get(
            "/api/v1/admin/integrity/exclusions?kind=need_hold",
            Some(&staff),
        )
        .await;
    assert_eq!(excluded["total"], 2, "{excluded}");
    let listed: Vec<i64> = excluded["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["subject_id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, vec![ids[4], ids[1]]);
    assert!(
        excluded["items"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("相似度")
    );

    // Another account's similar need is its own, not held.
    let (_, phone) = app.register("org", "另一家公司", "511024").await;
    let other = app.login(&phone).await;
    let (status, reply) = app
        .post("/api/v1/needs", &spreadsheet_need(1), Some(&other))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(reply.get("hold").is_none(), "{reply}");

    // The review page shows the hold and offers the one-click rejection.
    let reviewer = app.staff_member("5110", "org", "审核员").await;
    let browser = signed_in(&app, &reviewer).await;
    let page = browser
        .get(format!("{}/admin/reviews?kind=need", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("暂缓：疑似批量重复发布"), "{page}");
    assert!(page.contains("重复发布，不通过"));
}

async fn sign(app: &TestApp, m: &Market, amount_fen: i64) -> i64 {
    let body = json!({"need_id": m.need, "offer_id": m.offer, "contract_type": "service", "amount_fen": amount_fen});
    let (status, deal) = app.post("/api/v1/deals", &body, Some(&m.enterprise)).await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let id = deal["id"].as_i64().unwrap();
    for (to, token) in [
        ("negotiating", &m.enterprise),
        ("signed", &m.enterprise),
        ("signed", &m.scientist),
    ] {
        let (status, reply) = transition(app, id, to, token).await;
        assert_eq!(status, StatusCode::OK, "{to}: {reply}");
    }
    id
}

async fn upload_contract(
    app: &TestApp,
    token: &str,
    deal: i64,
    bytes: &'static [u8],
) -> StatusCode {
    app.client
        .post(format!("{}/api/v1/deals/{deal}/contract", app.url))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("request")
        .status()
}

async fn verify(app: &TestApp, staff: &str, deal: i64, body: Value) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/admin/integrity/deals/{deal}"),
        &body,
        Some(staff),
    )
    .await
}

async fn a_large_deal_counts_once_verified_and_nets_to_zero_when_terminated(app: TestApp) {
    let m = market(&app).await;
    let staff = app.staff("5110", "org").await;
    let province = app.staff("51", "org").await;
    let before = metrics(&app, "51", &province).await;
    assert_eq!(before["deals_amount_fen"], 0);

    let id = sign(&app, &m, LARGE).await;
    let figures = metrics(&app, "51", &province).await;
    assert_eq!(figures["deals_amount_fen"], 0, "{figures}");
    assert_eq!(figures["deals_signed"], 0);
    assert_eq!(figures["deals_awaiting_verification_fen"], LARGE);
    assert_eq!(figures["deals_awaiting_verification"], 1);
    let (status, awaiting) = app
        .get(
            "/api/v1/admin/integrity/awaiting?region_code=5110",
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{awaiting}");
    assert_eq!(
        (awaiting["deals"].as_i64(), awaiting["amount_fen"].as_i64()),
        (Some(1), Some(LARGE))
    );
    let (_, excluded) = app
        .get(
            "/api/v1/admin/integrity/exclusions?kind=deal_unverified",
            Some(&staff),
        )
        .await;
    assert_eq!(excluded["total"], 1, "{excluded}");
    assert!(
        excluded["items"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("合同核验前不计入"),
        "{excluded}"
    );

    // No contract yet: nothing to verify against.
    let (status, refused) = verify(&app, &staff, id, json!({"decision": "verify"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"]["fields"]["contract"].is_string(),
        "{refused}"
    );
    assert_eq!(
        upload_contract(&app, &m.scientist, id, b"<html>not a contract").await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );
    assert_eq!(
        upload_contract(&app, &staff, id, b"%PDF-1.4 contract").await,
        StatusCode::FORBIDDEN,
        "staff do not upload"
    );
    assert_eq!(
        upload_contract(&app, &m.scientist, id, b"%PDF-1.4 contract").await,
        StatusCode::CREATED
    );

    // Another county's staff may not verify it (the deal is in 资中县).
    let elsewhere = app.staff("511011", "org").await;
    let (status, _) = verify(&app, &elsewhere, id, json!({"decision": "verify"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Concurrent verifications: exactly one succeeds, the amount counts once.
    let requests: Vec<_> = (0..6)
        .map(|i| {
            let token = if i % 2 == 0 { &staff } else { &province };
            let request = app
                .client
                .post(format!("{}/api/v1/admin/integrity/deals/{id}", app.url))
                .bearer_auth(token)
                .json(&json!({"decision": "verify"}));
            async move { request.send().await.expect("request").status().as_u16() }
        })
        .collect();
    let statuses = join_all(requests).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    let figures = metrics(&app, "51", &province).await;
    assert_eq!(figures["deals_amount_fen"], LARGE, "{figures}");
    assert_eq!(figures["deals_signed"], 1);
    assert_eq!(figures["deals_awaiting_verification_fen"], 0);

    // Terminated after verification: nets to zero.
    let (status, reply) = transition(&app, id, "terminated", &m.enterprise).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let figures = metrics(&app, "51", &province).await;
    assert_eq!(figures["deals_amount_fen"], 0, "{figures}");
    assert_eq!(figures["deals_signed"], 0);
    assert_eq!(figures["deals_awaiting_verification_fen"], 0);
}

async fn a_small_deal_counts_at_signing_and_a_rejected_or_terminated_large_one_never(app: TestApp) {
    let m = market(&app).await;
    let staff = app.staff("5110", "org").await;
    sign(&app, &m, 3_000_000).await;
    let figures = metrics(&app, "5110", &staff).await;
    assert_eq!(figures["deals_amount_fen"], 3_000_000, "{figures}");
    assert_eq!(figures["deals_awaiting_verification"], 0);

    // Rejected: a reason is required, and it is listed with it.
    let rejected = sign(&app, &m, LARGE).await;
    let (status, refused) = verify(&app, &staff, rejected, json!({"decision": "reject"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["error"]["fields"]["reason"].is_string(),
        "{refused}"
    );
    let (status, reply) = verify(
        &app,
        &staff,
        rejected,
        json!({"decision": "reject", "reason": "合同金额与实际不符"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(reply["kind"], "deal_rejected");
    let (_, excluded) = app
        .get(
            "/api/v1/admin/integrity/exclusions?kind=deal_rejected",
            Some(&staff),
        )
        .await;
    assert!(
        excluded["items"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("合同金额与实际不符"),
        "{excluded}"
    );

    // Terminated while awaiting: out of the awaiting figure, and no longer verifiable.
    let dropped = sign(&app, &m, LARGE).await;
    assert_eq!(
        metrics(&app, "5110", &staff).await["deals_awaiting_verification_fen"],
        LARGE
    );
    let (status, _) = transition(&app, dropped, "terminated", &m.scientist).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        upload_contract(&app, &m.scientist, dropped, b"%PDF-1.4 late").await,
        StatusCode::CREATED
    );
    let (status, _) = verify(&app, &staff, dropped, json!({"decision": "verify"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Terminating the rejected one takes nothing back either.
    let (status, _) = transition(&app, rejected, "terminated", &m.scientist).await;
    assert_eq!(status, StatusCode::OK);

    let figures = metrics(&app, "5110", &staff).await;
    assert_eq!(figures["deals_amount_fen"], 3_000_000, "{figures}");
    assert_eq!(figures["deals_signed"], 1);
    assert_eq!(figures["deals_awaiting_verification_fen"], 0);
    assert_eq!(figures["deals_awaiting_verification"], 0);

    // The staff page says how much awaits verification.
    let awaiting = sign(&app, &m, LARGE).await;
    let phone = app.staff_member("5110", "org", "核查员").await;
    let browser = signed_in(&app, &phone).await;
    app.settle().await;
    let page = browser
        .get(format!("{}/admin/integrity", app.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("待核验金额"), "{page}");
    assert!(page.contains("6000.00万元"), "{page}");
    assert!(page.contains(&format!("id=\"deal-{awaiting}\"")), "{page}");
    assert!(page.contains("合同金额与实际不符"));
}

on_both_databases!(
    a_script_posting_near_identical_needs_is_held_for_review,
    a_large_deal_counts_once_verified_and_nets_to_zero_when_terminated,
    a_small_deal_counts_at_signing_and_a_rejected_or_terminated_large_one_never,
);
