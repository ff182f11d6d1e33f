//! 典型/精品 ratings over HTTP: cases from completed deals, the county → city → province chain,
//! who may take which step, races, the ledger, badges and revocation.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::deals::{Market, market, transition};
use crate::kepu_activities::figure;
use crate::on_both_databases;

const STORY: &str = "内江食品的蛋鸡场产蛋率偏低、饲料浪费严重。李研究员团队上门诊断，调整了饲料配方和光照制度，\
三个月后产蛋率提高了八个百分点，料蛋比明显下降，企业每年节约饲料成本二十余万元。";

async fn open_studio(app: &TestApp, m: &Market) -> i64 {
    let body = json!({"name": "蛋鸡健康养殖科创工作室", "intro": "专注蛋鸡养殖。", "fields": ["蛋鸡"], "members": []});
    let (status, studio) = app.post("/api/v1/studios", &body, Some(&m.scientist)).await;
    assert_eq!(status, StatusCode::CREATED, "{studio}");
    let id = studio["id"].as_i64().unwrap();
    app.approve_studio(id).await;
    id
}

async fn apply(
    app: &TestApp,
    token: &str,
    kind: &str,
    id: i64,
    level: &str,
) -> (StatusCode, Value) {
    let body = json!({"subject_kind": kind, "subject_id": id, "level": level,
                      "statement": "近年服务企业成效显著，多次获得企业好评。"});
    app.post("/api/v1/ratings", &body, Some(token)).await
}

async fn decide(
    app: &TestApp,
    token: &str,
    id: i64,
    decision: &str,
    reason: Option<&str>,
) -> (StatusCode, Value) {
    let mut body = json!({"decision": decision});
    if let Some(reason) = reason {
        body["reason"] = json!(reason);
    }
    app.post(
        &format!("/api/v1/ratings/{id}/decision"),
        &body,
        Some(token),
    )
    .await
}

async fn rating(app: &TestApp, id: i64) -> Value {
    let admin = app.admin().await;
    let (status, rating) = app
        .get(&format!("/api/v1/ratings/{id}"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{rating}");
    rating
}

/// The studio's application, approved at every step; returns (studio, rating, badge).
async fn rated_studio(app: &TestApp, m: &Market) -> (i64, i64, String) {
    let studio = open_studio(app, m).await;
    let (status, applied) = apply(app, &m.scientist, "studio", studio, "excellent").await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    assert_eq!(applied["status"], "county_review");
    assert!(
        applied["figures"].to_string().contains("签约交易"),
        "{applied}"
    );
    let id = applied["id"].as_i64().unwrap();
    for (region, next) in [
        ("511011", "city_review"),
        ("5110", "province_review"),
        ("51", "approved"),
    ] {
        let staff = app.staff(region, "worker").await;
        let (status, reply) = decide(app, &staff, id, "approve", None).await;
        assert_eq!(status, StatusCode::OK, "{region}: {reply}");
        assert_eq!(reply["status"], next);
    }
    (studio, id, applied["badge"].as_str().unwrap().to_owned())
}

async fn ledger_weight(app: &TestApp, kind: &str) -> (i64, i64) {
    tianfu::on_db!(&app.app.db, pool => sqlx::query_as::<_, (i64, i64)>(
        "SELECT COUNT(*), CAST(COALESCE(SUM(weight), 0) AS BIGINT) FROM ledger_events WHERE kind = $1")
        .bind(kind).fetch_one(pool).await.unwrap())
}

async fn the_full_chain_books_one_event_and_shows_the_badge(app: TestApp) {
    let m = market(&app).await;
    let (studio, id, badge) = rated_studio(&app, &m).await;
    assert!(badge.ends_with("年度精品科创工作室"), "{badge}");
    assert_eq!(ledger_weight(&app, "studio.rated").await, (1, 1));
    assert_eq!(figure(&app, "5110", "studios_rated").await, 1.0);

    let page = app.html(&format!("/studios/{studio}")).await;
    assert!(page.contains(&badge), "studio page shows {badge}");
    let year = rating(&app, id).await["year"].as_i64().unwrap();
    let (_, list) = app
        .get(
            &format!("/api/v1/ratings?year={year}&subject_kind=studio"),
            None,
        )
        .await;
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["items"][0]["badge"], badge.as_str());
    let (_, none) = app
        .get(&format!("/api/v1/ratings?year={}", year - 1), None)
        .await;
    assert_eq!(none["total"], 0);
    let page = app.html(&format!("/ratings?year={year}")).await;
    assert!(page.contains(&badge) && page.contains("蛋鸡健康养殖科创工作室"));

    let (_, notes) = app.get("/api/v1/notifications", Some(&m.scientist)).await;
    let texts = notes["items"].to_string();
    assert!(
        texts.contains("已通过县级审核") && texts.contains("评定生效"),
        "{texts}"
    );

    // The listing's owner is vouched for in matching, with the year of the list.
    let (_, matches) = app
        .get(&format!("/api/v1/needs/{}/matches", m.need), None)
        .await;
    let reasons = matches["items"].to_string();
    assert!(
        reasons.contains(&format!("精品科创工作室（{year}年度）")),
        "{reasons}"
    );
}

async fn each_step_is_its_levels_and_a_refusal_changes_nothing(app: TestApp) {
    let m = market(&app).await;
    let studio = open_studio(&app, &m).await;
    let (_, applied) = apply(&app, &m.scientist, "studio", studio, "typical").await;
    let id = applied["id"].as_i64().unwrap();
    let other_county = app.staff("511024", "worker").await;
    let county = app.staff("511011", "worker").await;
    let city = app.staff("5110", "worker").await;
    let kepu_county = app.staff("511011", "kepu").await;
    let decisions = app.count("rating_decisions").await;
    for token in [&other_county, &city, &kepu_county] {
        let (status, reply) = decide(&app, token, id, "approve", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{reply}");
    }
    let (status, reply) = decide(&app, &county, id, "reject", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply["error"]["fields"]["reason"], "不通过时请填写理由");
    assert_eq!(rating(&app, id).await["status"], "county_review");
    assert_eq!(
        app.count("rating_decisions").await,
        decisions,
        "nothing written"
    );

    assert_eq!(
        decide(&app, &county, id, "approve", None).await.0,
        StatusCode::OK
    );
    let (status, _) = decide(&app, &county, id, "approve", None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the county cannot take the city's step"
    );
    let (status, rejected) = decide(
        &app,
        &city,
        id,
        "reject",
        Some("业绩指标未达到本级评定要求"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["status"], "rejected");
    assert_eq!(rejected["reason"], "业绩指标未达到本级评定要求");
    let (status, _) = decide(&app, &city, id, "approve", None).await;
    assert_eq!(status, StatusCode::CONFLICT, "a rejected rating is over");
    let (_, notes) = app.get("/api/v1/notifications", Some(&m.scientist)).await;
    assert!(
        notes["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("业绩指标未达到本级评定要求")
    );
    assert_eq!(ledger_weight(&app, "studio.rated").await, (0, 0));
    let page = app.html(&format!("/studios/{studio}")).await;
    assert!(!page.contains("年度典型科创工作室"));
}

async fn concurrent_approvals_of_one_step_succeed_once(app: TestApp) {
    let m = market(&app).await;
    let studio = open_studio(&app, &m).await;
    let (_, applied) = apply(&app, &m.scientist, "studio", studio, "excellent").await;
    let id = applied["id"].as_i64().unwrap();
    for region in ["511011", "5110"] {
        let staff = app.staff(region, "worker").await;
        assert_eq!(
            decide(&app, &staff, id, "approve", None).await.0,
            StatusCode::OK
        );
    }
    let first = app.staff("51", "worker").await;
    let second = app.staff("51", "worker").await;
    let (a, b) = tokio::join!(
        decide(&app, &first, id, "approve", None),
        decide(&app, &second, id, "approve", None)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{a:?} {b:?}"
    );
    assert_eq!(ledger_weight(&app, "studio.rated").await, (1, 1));
    let approvals: i64 = tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM rating_decisions WHERE rating_id = $1 AND step = 'province'")
        .bind(id).fetch_one(pool).await.unwrap());
    assert_eq!(approvals, 1);
}

async fn one_rating_per_subject_and_year(app: TestApp) {
    let m = market(&app).await;
    let studio = open_studio(&app, &m).await;
    let (_, first) = apply(&app, &m.scientist, "studio", studio, "typical").await;
    let (status, again) = apply(&app, &m.scientist, "studio", studio, "excellent").await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    assert!(
        again["error"]["fields"]["subject_id"]
            .as_str()
            .unwrap()
            .contains("不能重复申报")
    );
    let county_staff = app.staff("511011", "worker").await;
    let (status, nominated) = apply(&app, &county_staff, "studio", studio, "excellent").await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "nor by nomination: {nominated}"
    );
    let stranger = app.staff("5101", "worker").await;
    let (status, _) = apply(&app, &stranger, "studio", studio, "excellent").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "outside their region");
    let id = first["id"].as_i64().unwrap();
    decide(
        &app,
        &county_staff,
        id,
        "reject",
        Some("材料不完整，请补充后重新申报"),
    )
    .await;
    let (status, reply) = apply(&app, &m.scientist, "studio", studio, "typical").await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "after a rejection one may apply again: {reply}"
    );
}

async fn a_case_comes_from_a_completed_deal_by_its_parties(app: TestApp) {
    let m = market(&app).await;
    let body = json!({"need_id": m.need, "offer_id": m.offer, "contract_type": "service", "amount_fen": 8_000_000});
    let (_, deal) = app.post("/api/v1/deals", &body, Some(&m.enterprise)).await;
    let deal = deal["id"].as_i64().unwrap();
    let case = json!({"deal_id": deal, "title": "蛋鸡增产合作", "story": STORY, "lessons": "先诊断，再开方。"});
    let (status, reply) = app.post("/api/v1/cases", &case, Some(&m.enterprise)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    assert_eq!(
        reply["error"]["fields"]["deal_id"],
        "只有已完成的交易才能写成案例"
    );
    transition(&app, deal, "negotiating", &m.scientist).await;
    for token in [&m.enterprise, &m.scientist] {
        transition(&app, deal, "signed", token).await;
    }
    transition(&app, deal, "performing", &m.scientist).await;
    transition(&app, deal, "completed", &m.enterprise).await;
    let (_, outsider) = app.register("worker", "王旁观", "511011").await;
    let outsider = app.login(&outsider).await;
    let (status, _) = app.post("/api/v1/cases", &case, Some(&outsider)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count("cases").await, 0);

    let (status, written) = app.post("/api/v1/cases", &case, Some(&m.enterprise)).await;
    assert_eq!(status, StatusCode::CREATED, "{written}");
    let id = written["id"].as_i64().unwrap();
    let (status, _) = app.post("/api/v1/cases", &case, Some(&m.scientist)).await;
    assert_eq!(status, StatusCode::CONFLICT, "one case per deal");
    let patch = |token: String, body: Value| {
        let url = format!("{}/api/v1/cases/{id}", app.url);
        let client = app.client.clone();
        async move {
            let r = client
                .patch(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap();
            r.status()
        }
    };
    assert_eq!(
        patch(
            m.scientist.clone(),
            json!({"title": "蛋鸡增产技术服务合作"})
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        patch(outsider.clone(), json!({"title": "改掉"})).await,
        StatusCode::FORBIDDEN
    );
    let page = app.html(&format!("/cases/{id}")).await;
    assert!(page.contains("蛋鸡增产技术服务合作") && page.contains("饲料配方"));

    // Put up for a rating, it is frozen; the case's rating runs from the deal's county (资中县).
    let (status, applied) = apply(&app, &m.scientist, "case", id, "typical").await;
    assert_eq!(status, StatusCode::CREATED, "{applied}");
    assert!(
        applied["figures"].to_string().contains("交易金额"),
        "{applied}"
    );
    assert_eq!(
        patch(m.enterprise.clone(), json!({"lessons": "再改"})).await,
        StatusCode::CONFLICT
    );
    let rating = applied["id"].as_i64().unwrap();
    for (region, department) in [("511024", "org"), ("5110", "org"), ("51", "worker")] {
        let staff = app.staff(region, department).await;
        assert_eq!(
            decide(&app, &staff, rating, "approve", None).await.0,
            StatusCode::OK,
            "{region}"
        );
    }
    let badge = applied["badge"].as_str().unwrap();
    assert!(badge.ends_with("年度典型案例"));
    assert!(app.html(&format!("/cases/{id}")).await.contains(badge));
    assert_eq!(ledger_weight(&app, "case.rated").await, (1, 1));
}

async fn revocation_removes_the_badge_and_nets_the_ledger(app: TestApp) {
    let m = market(&app).await;
    let (studio, id, badge) = rated_studio(&app, &m).await;
    let county = app.staff("511011", "worker").await;
    let province = app.staff("51", "worker").await;
    let path = format!("/api/v1/ratings/{id}/revoke");
    let (status, _) = app
        .post(
            &path,
            &json!({"reason": "经核查存在弄虚作假"}),
            Some(&county),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a county does not revoke");
    let (status, reply) = app
        .post(&path, &json!({"reason": " "}), Some(&province))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply["error"]["fields"]["reason"], "撤销时请填写理由");
    let (status, revoked) = app
        .post(
            &path,
            &json!({"reason": "经核查存在弄虚作假"}),
            Some(&province),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["status"], "revoked");
    let (status, _) = app
        .post(&path, &json!({"reason": "再撤一次"}), Some(&province))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    assert_eq!(ledger_weight(&app, "studio.rated").await, (2, 0));
    assert_eq!(figure(&app, "5110", "studios_rated").await, 0.0);
    assert!(
        !app.html(&format!("/studios/{studio}"))
            .await
            .contains(&badge)
    );
    let (_, list) = app.get("/api/v1/ratings", None).await;
    assert_eq!(list["total"], 0, "{list}");
    let (_, notes) = app.get("/api/v1/notifications", Some(&m.scientist)).await;
    assert!(
        notes["items"][0]["text"]
            .as_str()
            .unwrap()
            .contains("已被撤销：经核查存在弄虚作假")
    );
    let (_, studio_view) = app.get(&format!("/api/v1/studios/{studio}"), None).await;
    assert_eq!(studio_view["rating"], "normal");
}

async fn bad_input_is_named_in_chinese(app: TestApp) {
    let m = market(&app).await;
    let body = json!({"subject_kind": "shop", "subject_id": 1, "level": "gold", "statement": "好", "year": 1999});
    let (status, reply) = app.post("/api/v1/ratings", &body, Some(&m.scientist)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{reply}");
    let fields = &reply["error"]["fields"];
    assert!(
        fields["subject_kind"]
            .as_str()
            .unwrap()
            .contains("评定对象")
    );
    assert!(fields["level"].as_str().unwrap().contains("典型"));
    assert!(
        fields["statement"]
            .as_str()
            .unwrap()
            .contains("申报理由至少10个字")
    );
    assert!(fields["year"].as_str().unwrap().contains("评定年度"));
    let (status, reply) = apply(&app, &m.scientist, "studio", 999_999, "typical").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply["error"]["fields"]["subject_id"], "评定对象不存在");
    let case = json!({"deal_id": 1, "title": "短", "story": "太短"});
    let (status, reply) = app.post("/api/v1/cases", &case, Some(&m.scientist)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply["error"]["fields"]["title"]
            .as_str()
            .unwrap()
            .contains("案例标题至少4个字")
    );
    assert!(
        reply["error"]["fields"]["story"]
            .as_str()
            .unwrap()
            .contains("案例经过")
    );
    let (status, reply) = app.get("/api/v1/ratings?level=gold", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply["error"]["fields"]["level"].is_string());
}

on_both_databases!(
    the_full_chain_books_one_event_and_shows_the_badge,
    each_step_is_its_levels_and_a_refusal_changes_nothing,
    concurrent_approvals_of_one_step_succeed_once,
    one_rating_per_subject_and_year,
    a_case_comes_from_a_completed_deal_by_its_parties,
    revocation_removes_the_badge_and_nets_the_ledger,
    bad_input_is_named_in_chinese,
);
