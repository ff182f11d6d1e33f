//! Signing at the fair: a deal names its edition (and session) and every ledger row of it says
//! so; the edition must be in session or signing and one of the deal's listings a selected
//! project; the collective-signing list and its totals come from the ledger, so a large deal
//! counts once verified and a termination takes a deal back.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tianfu::ledger::{Event, EventKind};

use super::{
    Fair, OPEN_DAY, REVIEW_DAY, SIGNING_END_DAY, advance, edition, entered, need, offer, person,
};
use crate::common::TestApp;
use crate::on_both_databases;

/// Above the default verification threshold (5,000万元).
pub const LARGE: i64 = 6_000_000_000;

/// An edition with a capability (内江, a scientist) and a need (资中县, an enterprise) both
/// selected, and a capability from 成都 entered but not selected; the clock in the review phase.
pub struct Scene {
    pub fair: Fair,
    pub scientist: String,
    pub scientist_id: i64,
    pub enterprise: String,
    pub enterprise_id: i64,
    pub offer: i64,
    pub need: i64,
    pub offer_project: i64,
    pub need_project: i64,
    pub chengdu: String,
    pub chengdu_project: i64,
}

pub async fn scene(app: &TestApp) -> Scene {
    let fair = edition(app, json!([])).await;
    let (scientist_id, scientist) = person(app, "worker", "王教授", "511011").await;
    let (enterprise_id, enterprise) = person(app, "org", "内江食品", "511024").await;
    let capability = offer(app, &scientist, "5110", "蛋鸡产蛋率提升技术").await;
    let problem = need(app, &enterprise, "5110", "鸡下蛋少、饲料浪费").await;
    let offer_project = entered(app, &fair, &scientist, "offer", capability).await;
    let need_project = entered(app, &fair, &enterprise, "need", problem).await;
    let (_, chengdu) = person(app, "worker", "陈博士", "510104").await;
    let chengdu_offer = offer(app, &chengdu, "5101", "智能温控养殖设备").await;
    let chengdu_project = entered(app, &fair, &chengdu, "offer", chengdu_offer).await;
    advance(app, REVIEW_DAY);
    select(app, &fair, &[offer_project, need_project]).await;
    Scene {
        fair,
        scientist,
        scientist_id,
        enterprise,
        enterprise_id,
        offer: capability,
        need: problem,
        offer_project,
        need_project,
        chengdu,
        chengdu_project,
    }
}

/// Marks projects selected as the review will (the review is built elsewhere): the status, the
/// published selection, and a `fair.project_selected` ledger row each, booked through the
/// ledger's own API so that its followers (the nanny) see it.
pub async fn select(app: &TestApp, fair: &Fair, projects: &[i64]) {
    let now = app.app.clock.now();
    tianfu::on_db!(&app.app.db, pool => {
        for id in projects {
            sqlx::query("UPDATE fair_projects SET status = 'selected', updated_at = $1 WHERE id = $2")
                .bind(now).bind(*id).execute(pool).await.expect("select");
        }
        sqlx::query("UPDATE fairs SET selection_published_at = $1 WHERE id = $2")
            .bind(now).bind(fair.id).execute(pool).await.expect("publish");
    });
    let mut tx = app.app.db.begin().await.expect("begin");
    for id in projects {
        let (region, category): (String, String) = tianfu::on_db!(&app.app.db, pool => {
            sqlx::query_as("SELECT region_code, category FROM fair_projects WHERE id = $1")
                .bind(*id).fetch_one(pool).await.expect("project")
        });
        let region = tianfu_domain::RegionCode::parse(&region).expect("region");
        let event = Event::new(EventKind::FairProjectSelected, &region, "fair_project", *id)
            .outcome(&category)
            .source(&format!("fair:{}", fair.id))
            .once();
        tx.record(now, &event).await.expect("booked");
    }
    tx.commit().await.expect("commit");
}

/// A fresh token for a user: a bearer token lasts 30 days, and tests move the clock further.
pub async fn relogin(app: &TestApp, user: i64) -> String {
    let phone: String = tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar("SELECT phone FROM users WHERE id = $1").bind(user).fetch_one(pool).await.expect("user")
    });
    app.login(&phone).await
}

/// A session of the edition (sessions are built elsewhere), straight into the table.
pub async fn session(app: &TestApp, fair: i64) -> i64 {
    let now = app.app.clock.now();
    tianfu::on_db!(&app.app.db, pool => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO fair_sessions (fair_id, kind, title, agenda, venue, region_code, starts_at, ends_at, capacity, registered, created_at) \
             VALUES ($1, 'signing', '集中签约仪式', '', '成都', NULL, $2, $3, 200, 0, $2) RETURNING id")
            .bind(fair).bind(now).bind(now + Duration::hours(2)).fetch_one(pool).await.expect("session")
    })
}

/// Proposes a deal between the scene's need and capability as the enterprise.
pub async fn propose(
    app: &TestApp,
    s: &Scene,
    amount_fen: i64,
    extra: Value,
) -> (StatusCode, Value) {
    let mut body = json!({"need_id": s.need, "offer_id": s.offer, "contract_type": "service", "amount_fen": amount_fen});
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    app.post("/api/v1/deals", &body, Some(&s.enterprise)).await
}

pub async fn transition(app: &TestApp, deal: i64, to: &str, token: &str) -> Value {
    let (status, reply) = app
        .post(
            &format!("/api/v1/deals/{deal}/transition"),
            &json!({"to": to}),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{to}: {reply}");
    reply
}

/// A fair deal of `amount_fen`, signed by both sides.
pub async fn signed_deal(app: &TestApp, s: &Scene, amount_fen: i64) -> i64 {
    let (status, deal) = propose(app, s, amount_fen, json!({"fair_id": s.fair.id})).await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    let id = deal["id"].as_i64().unwrap();
    transition(app, id, "negotiating", &s.enterprise).await;
    transition(app, id, "signed", &s.enterprise).await;
    transition(app, id, "signed", &s.scientist).await;
    id
}

pub async fn signings(app: &TestApp, fair: i64, query: &str) -> Value {
    let (status, reply) = app
        .get(&format!("/api/v1/fairs/{fair}/signings{query}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    reply
}

async fn a_fair_deal_carries_its_edition_and_session_into_the_ledger(app: TestApp) {
    let s = scene(&app).await;
    advance(&app, OPEN_DAY - REVIEW_DAY);
    let signing = session(&app, s.fair.id).await;
    let (status, deal) = propose(
        &app,
        &s,
        8_800_000,
        json!({"fair_id": s.fair.id, "fair_session_id": signing}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{deal}");
    assert_eq!(deal["fair_id"], s.fair.id);
    assert_eq!(deal["fair_session_id"], signing);
    let id = deal["id"].as_i64().unwrap();
    transition(&app, id, "negotiating", &s.enterprise).await;
    transition(&app, id, "signed", &s.enterprise).await;
    transition(&app, id, "signed", &s.scientist).await;
    let (_, read) = app
        .get(&format!("/api/v1/deals/{id}"), Some(&s.scientist))
        .await;
    assert_eq!(read["fair_id"], s.fair.id, "{read}");

    let of_deal = format!("subject_kind = 'deal' AND subject_id = {id}");
    let source = format!("source = 'fair:{}'", s.fair.id);
    assert_eq!(
        app.count_where("ledger_events", &format!("{of_deal} AND {source}"))
            .await,
        3,
        "created, negotiating and signed all carry the edition"
    );
    assert_eq!(
        app.count_where(
            "ledger_events",
            &format!(
                "{of_deal} AND (source IS NULL OR source <> 'fair:{}')",
                s.fair.id
            )
        )
        .await,
        0
    );

    // The signing list shows it, with its project, hall, sector and session.
    let list = signings(&app, s.fair.id, "").await;
    assert_eq!(list["total"], 1, "{list}");
    let item = &list["items"][0];
    assert_eq!(item["id"], id);
    assert_eq!(item["buyer_name"], "内江食品有限公司", "{item}");
    assert_eq!(item["seller_name"], "王教授");
    assert_eq!(item["hall_code"], "5110");
    assert_eq!(item["hall_name"], "内江市");
    assert_eq!(item["sector"], "agriculture");
    assert_eq!(item["session_title"], "集中签约仪式");
    assert_eq!(item["counted"], true);
    assert_eq!(list["totals"]["deals_signed"], 1);
    assert_eq!(list["totals"]["deals_amount_fen"], 8_800_000);
    assert_eq!(list["totals"]["by_hall"][0]["code"], "5110");
    assert_eq!(list["totals"]["by_sector"][0]["deals_signed"], 1);
    let by_category = list["totals"]["by_category"].as_array().unwrap();
    assert_eq!(by_category.len(), 3, "every category, with zeros");
    assert_eq!(
        by_category
            .iter()
            .map(|c| c["deals_signed"].as_i64().unwrap())
            .sum::<i64>(),
        1
    );
    let (_, other_hall) = app
        .get(
            &format!("/api/v1/fairs/{}/signings?hall=5101", s.fair.id),
            None,
        )
        .await;
    assert_eq!(other_hall["total"], 0);
    let (status, bad) = app
        .get(
            &format!("/api/v1/fairs/{}/signings?hall=511011", s.fair.id),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad["error"]["fields"]["hall"].is_string(), "{bad}");
    let page = app.html(&format!("/fairs/{}/signing", s.fair.id)).await;
    assert!(page.contains("集中签约"), "{page}");
    assert!(page.contains("蛋鸡产蛋率提升技术") || page.contains("鸡下蛋少"));

    // A termination takes it back: the totals fall to zero, the reversal carries the edition.
    transition(&app, id, "terminated", &s.scientist).await;
    let list = signings(&app, s.fair.id, "").await;
    assert_eq!(list["total"], 0);
    assert_eq!(list["totals"]["deals_signed"], 0);
    assert_eq!(list["totals"]["deals_amount_fen"], 0);
    assert_eq!(
        app.count_where(
            "ledger_events",
            &format!("{of_deal} AND {source} AND kind = 'deal.signed' AND weight = -1")
        )
        .await,
        1
    );
}

async fn a_deal_names_a_fair_only_in_session_or_signing_and_on_a_selected_project(app: TestApp) {
    let mut s = scene(&app).await;
    let deals = app.count("deals").await;
    // Reviewing: not yet.
    let (status, error) = propose(&app, &s, 100_000, json!({"fair_id": s.fair.id})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(
        error["error"]["fields"]["fair_id"]
            .as_str()
            .unwrap()
            .contains("会期和签约期"),
        "{error}"
    );
    advance(&app, OPEN_DAY - REVIEW_DAY);
    // An unknown edition, a session without an edition, a session of another edition.
    let (status, error) = propose(&app, &s, 100_000, json!({"fair_id": 999_999})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["error"]["fields"]["fair_id"], "科创会不存在");
    let other = edition(&app, json!([])).await;
    let elsewhere = session(&app, other.id).await;
    let (status, error) = propose(&app, &s, 100_000, json!({"fair_session_id": elsewhere})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["fields"]["fair_session_id"].is_string(),
        "{error}"
    );
    let (status, error) = propose(
        &app,
        &s,
        100_000,
        json!({"fair_id": s.fair.id, "fair_session_id": elsewhere}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error["error"]["fields"]["fair_session_id"]
            .as_str()
            .unwrap()
            .contains("不属于"),
        "{error}"
    );
    // Listings that are not selected projects of the edition: a capability never entered, and
    // one entered in another edition.
    let (_, engineer) = person(&app, "worker", "赵工", "511011").await;
    let unlisted = offer(&app, &engineer, "5110", "饲料配方优化技术").await;
    let body = json!({"offer_id": unlisted, "contract_type": "service", "amount_fen": 100_000, "fair_id": s.fair.id});
    let (status, error) = app.post("/api/v1/deals", &body, Some(&s.enterprise)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(
        error["error"]["fields"]["fair_id"]
            .as_str()
            .unwrap()
            .contains("入选项目"),
        "{error}"
    );
    let body = json!({"need_id": s.need, "offer_id": s.offer, "contract_type": "service", "amount_fen": 100_000, "fair_id": other.id});
    let (status, error) = app.post("/api/v1/deals", &body, Some(&s.enterprise)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(error["error"]["fields"]["fair_id"].is_string());
    assert_eq!(app.count("deals").await, deals, "nothing was created");

    // In session it is accepted; so it is while signing goes on; not after.
    let (status, _) = propose(&app, &s, 100_000, json!({"fair_id": s.fair.id})).await;
    assert_eq!(status, StatusCode::CREATED);
    advance(&app, SIGNING_END_DAY - OPEN_DAY - 1);
    s.enterprise = relogin(&app, s.enterprise_id).await;
    let (status, _) = propose(&app, &s, 100_000, json!({"fair_id": s.fair.id})).await;
    assert_eq!(status, StatusCode::CREATED);
    advance(&app, 2);
    let (status, error) = propose(&app, &s, 100_000, json!({"fair_id": s.fair.id})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert!(
        error["error"]["fields"]["fair_id"]
            .as_str()
            .unwrap()
            .contains("跟踪")
    );
    // A deal without a fair is not the fair's.
    let (status, plain) = propose(&app, &s, 100_000, json!({})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(plain["fair_id"].is_null());
}

async fn upload_contract(app: &TestApp, token: &str, deal: i64) -> StatusCode {
    app.client
        .post(format!("{}/api/v1/deals/{deal}/contract", app.url))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(&b"%PDF-1.4 contract"[..])
        .send()
        .await
        .expect("request")
        .status()
}

async fn a_large_fair_deal_counts_once_staff_verify_it(app: TestApp) {
    let s = scene(&app).await;
    advance(&app, OPEN_DAY - REVIEW_DAY);
    let id = signed_deal(&app, &s, LARGE).await;
    let list = signings(&app, s.fair.id, "").await;
    assert_eq!(list["total"], 1, "it was signed");
    assert_eq!(list["items"][0]["counted"], false, "{list}");
    assert!(list["items"][0]["verification_label"].is_string());
    assert_eq!(list["totals"]["deals_signed"], 0, "not before verification");
    assert_eq!(list["totals"]["deals_amount_fen"], 0);
    let (_, stats) = app
        .get(&format!("/api/v1/fairs/{}/stats", s.fair.id), None)
        .await;
    assert_eq!(stats["deals_signed"], 0, "{stats}");

    assert_eq!(
        upload_contract(&app, &s.scientist, id).await,
        StatusCode::CREATED
    );
    let staff = app.staff("5110", "org").await;
    let (status, reply) = app
        .post(
            &format!("/api/v1/admin/integrity/deals/{id}"),
            &json!({"decision": "verify"}),
            Some(&staff),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let list = signings(&app, s.fair.id, "").await;
    assert_eq!(list["items"][0]["counted"], true);
    assert_eq!(list["totals"]["deals_signed"], 1);
    assert_eq!(list["totals"]["deals_amount_fen"], LARGE);
    let (_, stats) = app
        .get(&format!("/api/v1/fairs/{}/stats", s.fair.id), None)
        .await;
    assert_eq!(stats["deals_amount_fen"], LARGE, "{stats}");
    // Staff's verification booked the signing with the edition on it, as every other row.
    assert_eq!(
        app.count_where(
            "ledger_events",
            &format!(
                "subject_kind = 'deal' AND subject_id = {id} AND (source IS NULL OR source <> 'fair:{}')",
                s.fair.id
            )
        )
        .await,
        0
    );
    transition(&app, id, "terminated", &s.enterprise).await;
    let list = signings(&app, s.fair.id, "").await;
    assert_eq!(list["totals"]["deals_amount_fen"], 0);
}

on_both_databases!(
    a_fair_deal_carries_its_edition_and_session_into_the_ledger,
    a_deal_names_a_fair_only_in_session_or_signing_and_on_a_selected_project,
    a_large_fair_deal_counts_once_staff_verify_it,
);
