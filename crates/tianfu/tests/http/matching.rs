//! Matching over HTTP: a need finds the capability that answers it even when the two are
//! written differently, with reasons; only published listings appear; an unpublished listing's
//! matches are its owner's and its region staff's.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::market::{approve, create, scientist};
use crate::on_both_databases;

fn offer(title: &str, description: &str, industry: &str) -> Value {
    json!({"title": title, "description": description, "service_type": "service", "industry": industry, "keywords": []})
}

struct Market {
    need: i64,
    feed: i64,
    disease: i64,
    pending: i64,
    enterprise: String,
    scientist: String,
}

async fn market(app: &TestApp) -> Market {
    let (_, scientist) = scientist(app).await;
    let (_, phone) = app.register("org", "荣县蛋鸡场", "511011").await;
    let enterprise = app.login(&phone).await;
    let staff = app.staff("5110", "worker").await;
    let org_staff = app.staff("5110", "org").await;
    let feed = create(
        app,
        &scientist,
        "/api/v1/offers",
        &offer(
            "蛋鸡产蛋率提升与饲料配方优化",
            "诊断产蛋率低、料蛋比高的原因，调整饲料配方与光照管理。",
            "A03",
        ),
    )
    .await;
    let disease = create(
        app,
        &scientist,
        "/api/v1/offers",
        &offer(
            "蛋鸡重大疫病免疫程序制定",
            "新城疫、禽流感免疫程序与鸡场消毒方案。",
            "A03",
        ),
    )
    .await;
    let battery = create(
        app,
        &scientist,
        "/api/v1/offers",
        &offer(
            "锂电池正极材料检测",
            "磷酸铁锂材料结构表征与电化学测试。",
            "C",
        ),
    )
    .await;
    let pending = create(
        app,
        &scientist,
        "/api/v1/offers",
        &offer("蛋鸡饲料配方待审核", "产蛋率提升。", "A03"),
    )
    .await;
    let need_body = json!({"title": "鸡下蛋少、饲料浪费", "description": "养了一万只鸡，最近下蛋少了，饲料却吃得多，想请专家来看看。",
                           "kind": "problem", "industry": "A03", "keywords": []});
    let need = create(app, &enterprise, "/api/v1/needs", &need_body).await;
    for (kind, id) in [
        ("offer", feed),
        ("offer", disease),
        ("offer", battery),
        ("need", need),
    ] {
        // Needs are the organisations' department's to review.
        let reviewer = if kind == "need" { &org_staff } else { &staff };
        approve(app, reviewer, kind, id).await;
    }
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();
    Market {
        need,
        feed,
        disease,
        pending,
        enterprise,
        scientist,
    }
}

fn ids(reply: &Value) -> Vec<i64> {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn a_need_finds_the_capability_that_answers_it_with_reasons(app: TestApp) {
    let m = market(&app).await;
    let (status, reply) = app
        .get(&format!("/api/v1/needs/{}/matches", m.need), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let found = ids(&reply);
    assert_eq!(
        found.first(),
        Some(&m.feed),
        "the feed expert comes first: {reply}"
    );
    assert!(
        !found.contains(&m.pending),
        "unreviewed listings never appear"
    );
    if let Some(disease) = found.iter().position(|id| *id == m.disease) {
        assert!(disease > 0, "the near miss ranks below the answer");
    }
    let first = &reply["items"][0];
    assert_eq!(first["kind"], "offer");
    let reasons: Vec<&str> = first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("下蛋少") && r.contains("产蛋率")),
        "the synonym is explained: {reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("畜牧业")), "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.contains("同一区县")),
        "{reasons:?}"
    );

    let (status, reply) = app
        .get(&format!("/api/v1/offers/{}/matches", m.feed), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        ids(&reply),
        [m.need],
        "a capability finds the need, and only needs"
    );
}

async fn a_private_listings_matches_are_its_owners_and_staffs(app: TestApp) {
    let m = market(&app).await;
    let (_, token) = scientist(&app).await;
    let draft = create(&app, &m.enterprise, "/api/v1/needs",
        &json!({"title": "橙子裂口严重", "description": "果园橙子快熟时大量裂口。", "kind": "problem", "industry": "A01", "keywords": []})).await;
    let path = format!("/api/v1/needs/{draft}/matches");
    assert_eq!(app.get(&path, None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&path, Some(&token)).await.0,
        StatusCode::NOT_FOUND,
        "another user"
    );
    assert_eq!(
        app.get(&path, Some(&app.staff("5116", "org").await))
            .await
            .0,
        StatusCode::NOT_FOUND,
        "another city's staff"
    );
    assert_eq!(
        app.get(&path, Some(&m.enterprise)).await.0,
        StatusCode::OK,
        "the owner"
    );
    assert_eq!(
        app.get(&path, Some(&app.staff("511011", "org").await))
            .await
            .0,
        StatusCode::OK,
        "the county's staff"
    );
    let (status, reply) = app.get("/api/v1/needs/999999/matches", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(reply["error"]["message"].is_string());
    assert_eq!(
        app.get(&format!("/api/v1/offers/{}/matches", m.pending), None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

async fn approval_pushes_recommendations_to_both_sides_and_feedback_sticks(app: TestApp) {
    let (_, scientist) = scientist(&app).await;
    let (_, phone) = app.register("org", "荣县蛋鸡场", "511011").await;
    let enterprise = app.login(&phone).await;
    let staff = app.staff("5110", "worker").await;
    let org_staff = app.staff("5110", "org").await;
    let feed = create(
        &app,
        &scientist,
        "/api/v1/offers",
        &offer(
            "蛋鸡产蛋率提升与饲料配方优化",
            "诊断产蛋率低、料蛋比高的原因。",
            "A03",
        ),
    )
    .await;
    approve(&app, &staff, "offer", feed).await;
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();
    let need_body = json!({"title": "鸡下蛋少、饲料浪费", "description": "最近下蛋少了，饲料却吃得多。", "kind": "problem", "industry": "A03", "keywords": []});
    let need = create(&app, &enterprise, "/api/v1/needs", &need_body).await;
    approve(&app, &org_staff, "need", need).await;

    let (status, mine) = app.get("/api/v1/recommendations", Some(&enterprise)).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["total"], 1, "{mine}");
    let pushed = &mine["items"][0];
    assert_eq!(
        (
            pushed["listing_id"].as_i64(),
            pushed["for_listing"].as_i64()
        ),
        (Some(feed), Some(need))
    );
    assert_eq!(pushed["status"], "new");
    assert!(
        pushed["reasons"].as_str().unwrap().contains("产蛋率"),
        "{pushed}"
    );
    let (_, theirs) = app.get("/api/v1/recommendations", Some(&scientist)).await;
    assert_eq!(
        theirs["items"][0]["listing_id"], need,
        "the other side hears of the need: {theirs}"
    );
    let (_, notes) = app.get("/api/v1/notifications", Some(&enterprise)).await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["text"].as_str().unwrap().contains("为您推荐")),
        "{notes}"
    );

    let id = pushed["id"].as_i64().unwrap();
    let path = format!("/api/v1/recommendations/{id}/feedback");
    let (status, reply) = app
        .post(&path, &json!({"action": "liked"}), Some(&enterprise))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply["error"]["fields"]["action"].is_string());
    assert_eq!(
        app.post(&path, &json!({"action": "dismissed"}), Some(&scientist))
            .await
            .0,
        StatusCode::NOT_FOUND,
        "not theirs"
    );
    assert_eq!(
        app.post(&path, &json!({"action": "dismissed"}), None)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.post(&path, &json!({"action": "dismissed"}), Some(&enterprise))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get("/api/v1/recommendations", Some(&enterprise))
            .await
            .1["total"],
        0
    );

    // Matches computed again (as the nightly refresh would) do not bring it back.
    let row = tianfu::market::store::find(&app.app.db, need)
        .await
        .unwrap()
        .unwrap();
    tianfu::matching::recommend::on_published(&app.app, &row)
        .await
        .unwrap();
    assert_eq!(
        app.get("/api/v1/recommendations", Some(&enterprise))
            .await
            .1["total"],
        0,
        "dismissed stays gone"
    );
    let (_, theirs) = app.get("/api/v1/recommendations", Some(&scientist)).await;
    assert_eq!(theirs["total"], 1, "recomputing does not duplicate");

    // A capability published later reaches the older need through the nightly refresh.
    let later = create(
        &app,
        &scientist,
        "/api/v1/offers",
        &offer(
            "蛋鸡饲料配方与产蛋率诊断",
            "针对产蛋率下降提供饲料配方调整。",
            "A03",
        ),
    )
    .await;
    let pending = tianfu::market::store::find(&app.app.db, later)
        .await
        .unwrap()
        .unwrap();
    tianfu::market::store::set_status(
        &app.app.db,
        &pending,
        tianfu_domain::ListingStatus::Published,
        app.app.clock.now(),
    )
    .await
    .unwrap();
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();
    assert!(
        tianfu::matching::recommend::refresh_all(&app.app)
            .await
            .unwrap()
            > 0
    );
    let (_, mine) = app.get("/api/v1/recommendations", Some(&enterprise)).await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["listing_id"] == later),
        "{mine}"
    );
}

async fn open_studio(app: &TestApp, token: &str, body: Value) -> i64 {
    let (status, studio) = app.post("/api/v1/studios", &body, Some(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{studio}");
    let id = studio["id"].as_i64().unwrap();
    app.approve_studio(id).await;
    id
}

fn of_kind(reply: &Value, kind: &str) -> Vec<i64> {
    reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["kind"] == kind)
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn a_need_finds_scientists_by_their_studio_and_expertise(app: TestApp) {
    let m = market(&app).await;
    // The offers' author says nothing about eggs in the studio: its expertise is what it has
    // published. Another scientist says it in the studio and has published nothing.
    let published = open_studio(
        &app,
        &m.scientist,
        json!({"name": "李研究员工作室", "intro": "服务地方产业。", "fields": ["产业服务"], "members": []}),
    )
    .await;
    let (_, phone) = app.register("worker", "王研究员", "510104").await;
    let layer_expert = app.login(&phone).await;
    let said = open_studio(&app, &layer_expert,
        json!({"name": "蛋鸡营养科创工作室", "intro": "研究蛋鸡产蛋率与料蛋比，饲料配方优化。", "fields": ["蛋鸡养殖"],
               "members": [{"name": "赵助理", "title": "畜牧师"}]})).await;
    let (_, phone) = app.register("worker", "陈研究员", "511011").await;
    let citrus_expert = app.login(&phone).await;
    let unrelated = open_studio(&app, &citrus_expert,
        json!({"name": "柑橘栽培工作室", "intro": "柑橘裂果与保花保果。", "fields": ["果树栽培"], "members": []})).await;
    tianfu::market::indexer::catch_up(&app.app).await.unwrap();

    let (status, reply) = app
        .get(&format!("/api/v1/needs/{}/matches", m.need), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    let experts = of_kind(&reply, "studio");
    assert!(
        experts.contains(&said),
        "found by what the studio says: {reply}"
    );
    assert!(
        experts.contains(&published),
        "found by what its owner published: {reply}"
    );
    assert!(!experts.contains(&unrelated), "{reply}");
    assert_eq!(
        of_kind(&reply, "offer").first(),
        Some(&m.feed),
        "listings still come: {reply}"
    );
    let expert = reply["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "studio" && i["id"] == said)
        .unwrap();
    assert_eq!(expert["title"], "蛋鸡营养科创工作室");
    let reasons = expert["reasons"].to_string();
    assert!(reasons.contains("产蛋率"), "{reasons}");

    // People are found by search too, alone or among the listings.
    let (status, found) = app.get("/api/v1/search?q=产蛋率&kind=studio", None).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert!(of_kind(&found, "studio").contains(&said), "{found}");
    assert_eq!(
        of_kind(&found, "studio").len(),
        found["items"].as_array().unwrap().len()
    );
    let (status, refused) = app.get("/api/v1/search?q=产蛋率&kind=shop", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused["error"]["fields"]["kind"]
            .as_str()
            .is_some_and(|m| m.contains("studio（科创工作室）")),
        "the refusal names every kind it takes: {refused}"
    );
    let (_, found) = app.get("/api/v1/search?q=产蛋率", None).await;
    assert!(of_kind(&found, "studio").contains(&said), "{found}");
    assert!(of_kind(&found, "offer").contains(&m.feed), "{found}");

    // A capability looks for needs, never for people.
    let (_, reply) = app
        .get(&format!("/api/v1/offers/{}/matches", m.feed), None)
        .await;
    assert!(of_kind(&reply, "studio").is_empty(), "{reply}");

    // The need's page shows its matches, people included, to anyone.
    let page = app.html(&format!("/needs/{}", m.need)).await;
    assert!(page.contains("智能匹配"), "{page}");
    assert!(
        page.contains(&format!("href=\"/studios/{said}\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/offers/{}\"", m.feed)),
        "{page}"
    );

    // `tianfu reindex` brings the studios back with the listings.
    app.app.search.clear().unwrap();
    tianfu::market::indexer::rebuild(&app.app).await.unwrap();
    let (_, found) = app.get("/api/v1/search?q=产蛋率&kind=studio", None).await;
    assert!(of_kind(&found, "studio").contains(&said), "{found}");
}

async fn a_provider_who_answers_inquiries_says_so_in_the_reasons(app: TestApp) {
    let m = market(&app).await;
    // The studio is open before the first look, so both looks are over the same listings: only
    // the track record differs between them.
    open_studio(
        &app,
        &m.scientist,
        json!({"name": "蛋鸡科创工作室", "intro": "蛋鸡养殖。", "fields": ["蛋鸡"], "members": []}),
    )
    .await;
    let (_, before) = app
        .get(&format!("/api/v1/needs/{}/matches", m.need), None)
        .await;
    assert!(
        !before["items"][0]["reasons"].to_string().contains("回复率"),
        "{before}"
    );
    // Three inquiries on the scientist's offers, each answered.
    for (i, offer) in [m.feed, m.disease, m.feed].into_iter().enumerate() {
        let (_, phone) = app.register("org", &format!("养殖场{i}"), "511011").await;
        let asker = app.login(&phone).await;
        let body = json!({"target_kind": "offer", "target_id": offer, "message": "想请您来看看"});
        let (status, inquiry) = app.post("/api/v1/inquiries", &body, Some(&asker)).await;
        assert_eq!(status, StatusCode::CREATED, "{inquiry}");
        let path = format!("/api/v1/inquiries/{}/messages", inquiry["id"]);
        let (status, _) = app
            .post(
                &path,
                &json!({"body": "可以，下周上门"}),
                Some(&m.scientist),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let owner: i64 = tianfu::on_db!(&app.app.db, pool => sqlx::query_scalar("SELECT owner_id FROM listings WHERE id = $1")
        .bind(m.feed).fetch_one(pool).await.unwrap());
    let records = tianfu::matching::track::of_many(&app.app.db, &[owner, 999_999])
        .await
        .unwrap();
    let record = records[&owner];
    assert_eq!((record.inquiries, record.answered), (3, 3));
    assert!(!records.contains_key(&999_999), "no record, no entry");

    // Staff rate the scientist's studio 精品: the platform vouches for them.
    tianfu::on_db!(&app.app.db, pool => sqlx::query("UPDATE studios SET rating = 'excellent' WHERE owner_id = $1")
        .bind(owner).execute(pool).await.map(|_| ()).unwrap());

    let (_, after) = app
        .get(&format!("/api/v1/needs/{}/matches", m.need), None)
        .await;
    assert_eq!(after["items"][0]["id"], m.feed);
    let reasons = after["items"][0]["reasons"].to_string();
    assert!(reasons.contains("洽谈回复率100%"), "{reasons}");
    assert!(reasons.contains("精品科创工作室"), "{reasons}");
    assert!(
        after["items"][0]["score"].as_f64() > before["items"][0]["score"].as_f64(),
        "{before} {after}"
    );
}

on_both_databases!(
    a_provider_who_answers_inquiries_says_so_in_the_reasons,
    a_need_finds_scientists_by_their_studio_and_expertise,
    approval_pushes_recommendations_to_both_sides_and_feedback_sticks,
    a_need_finds_the_capability_that_answers_it_with_reasons,
    a_private_listings_matches_are_its_owners_and_staffs,
);
